/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"
#include "cli/common.h"
#include "common/cleanup.h"

#include <stdio.h>

int
cmd_features (struct nr_cli *cli, int argc, char **argv, nr_error_t *err)
{
  static const struct option opts[] = { { NULL, 0, NULL, 0 } };
  (void) cli;
  if (getopt_long_only (argc, argv, "+", opts, NULL) != -1)
    return nr_error (err, 0, "features: unknown option \"%s\"", argv[optind - 1]);
  if (cli_need_args ("features", argc, argv, 0, "none", err) < 0)
    return -1;
  _cleanup_free_ char *js = nr_features_json ();
  if (js == NULL)
    return nr_error (err, 0, "features: out of memory");
  printf ("%s\n", js);
  return 0;
}
