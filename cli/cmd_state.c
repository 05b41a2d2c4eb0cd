/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"
#include "cli/common.h"
#include "common/cleanup.h"

#include <stdio.h>
#include <stdlib.h>

int
cmd_state (struct nr_cli *cli, int argc, char **argv, nr_error_t *err)
{
  struct nr_runtime rt = cli_runtime (cli);
  struct nr_container_info info = { 0 };
  static const struct option opts[] = { { NULL, 0, NULL, 0 } };
  if (getopt_long_only (argc, argv, "+", opts, NULL) != -1)
    return nr_error (err, 0, "state: unknown option \"%s\"", argv[optind - 1]);
  if (cli_need_args ("state", argc, argv, 1, "container id", err) < 0)
    return -1;
  if (nr_container_info (&rt, argv[optind], &info, err) < 0)
    return -1;
  _cleanup_free_ char *js = nr_container_info_json (&info, true);
  nr_container_info_clear (&info);
  if (js == NULL)
    return nr_error (err, 0, "state: out of memory");
  printf ("%s\n", js);
  return 0;
}
