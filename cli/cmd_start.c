/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"
#include "cli/common.h"

int
cmd_start (struct nr_cli *cli, int argc, char **argv, nr_error_t *err)
{
  struct nr_runtime rt = cli_runtime (cli);
  static const struct option opts[] = { { NULL, 0, NULL, 0 } };
  if (getopt_long_only (argc, argv, "+", opts, NULL) != -1)
    return nr_error (err, 0, "start: unknown option \"%s\"", argv[optind - 1]);
  if (cli_need_args ("start", argc, argv, 1, "container id", err) < 0)
    return -1;
  return nr_container_start (&rt, argv[optind], err) < 0 ? -1 : 0;
}
