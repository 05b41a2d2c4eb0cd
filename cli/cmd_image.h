/* SPDX-License-Identifier: Apache-2.0 */
/* nestrun image: shared between cmd_image*.c. */
#ifndef NR_CLI_CMD_IMAGE_H
#define NR_CLI_CMD_IMAGE_H

#include <stdbool.h>
#include "cli/cli.h"
#include "common/cleanup.h"
#include "imagestore/imagestore.h"

DEFINE_CLEANUP_FUNC (struct nr_imagestore *, nr_imagestore_close)
#define _cleanup_store_ _cleanup_ (nr_imagestore_closep)

struct image_opts
{
  const char *store;
  bool json;
  bool quiet;
};

/* Parse the options every image subcommand takes; returns 1 when c was one. */
int image_common_option (int c, const char *arg, struct image_opts *o, nr_error_t *err);
#define IMAGE_COMMON_LONG_OPTIONS                                                             \
  { "store", required_argument, NULL, 's' }, { "format", required_argument, NULL, 'f' },     \
  { "quiet", no_argument, NULL, 'q' }
int image_open (const struct image_opts *o, int flags, struct nr_imagestore **s, nr_error_t *err);
void image_print_json (char *text, nr_error_t *err);
const char *image_human (uint64_t bytes, char buf[32]);

int cmd_image_ls (struct image_opts *o, int argc, char **argv, nr_error_t *err);
int cmd_image_inspect (struct image_opts *o, int argc, char **argv, nr_error_t *err);
int cmd_image_du (struct image_opts *o, int argc, char **argv, nr_error_t *err);
int cmd_image_import (struct image_opts *o, int argc, char **argv, nr_error_t *err);
/* seed-docker, seed-containers */
int cmd_image_seed (const char *sub, struct image_opts *o, int argc, char **argv, nr_error_t *err);

#endif
