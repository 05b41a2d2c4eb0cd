/* SPDX-License-Identifier: Apache-2.0 */
/* Small helpers shared by the cmd_*.c files (argument checks, the runtime handle). */
#ifndef NR_CLI_COMMON_H
#define NR_CLI_COMMON_H

#include "cli/cli.h"
#include "runtime/container.h"

#include <getopt.h>
#include <stdint.h>

static inline struct nr_runtime
cli_runtime (const struct nr_cli *cli)
{
  struct nr_runtime rt = { .root = cli->root, .systemd_cgroup = cli->systemd_cgroup, .rootless = cli->rootless };
  return rt;
}

/* Exactly n positional arguments left after option parsing. */
int cli_need_args (const char *cmd, int argc, char **argv, int n, const char *what, nr_error_t *err);
/* A whole decimal number for a flag, in range, or an error naming the flag and value. */
int cli_parse_u64 (const char *flag, const char *s, uint64_t max, uint64_t *out, nr_error_t *err);
int cli_parse_i64 (const char *flag, const char *s, int64_t min, int64_t max, int64_t *out, nr_error_t *err);
/* The create options shared by create and run; returns the getopt code handled, 0 if not ours. */
int cli_create_option (int c, const char *arg, struct nr_create_opts *o, nr_error_t *err);
int cli_finish_create_opts (struct nr_create_opts *o, char **bundle_buf, nr_error_t *err);
extern const struct option cli_create_long_options[];
#define CLI_CREATE_SHORT "b:"

#endif
