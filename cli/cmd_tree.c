/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"
#include "cli/common.h"
#include "common/cleanup.h"
#include "nested/nested.h"

#include <stdio.h>
#include <string.h>

int
cmd_tree (struct nr_cli *cli, int argc, char **argv, nr_error_t *err)
{
  static const struct option opts[] = { { "format", required_argument, NULL, 'f' }, { NULL, 0, NULL, 0 } };
  struct nr_runtime rt = cli_runtime (cli);
  bool json = false;
  int c;
  while ((c = getopt_long_only (argc, argv, "+f:", opts, NULL)) != -1)
    {
      if (c != 'f')
        return nr_error (err, 0, "tree: unknown option \"%s\"", argv[optind - 1]);
      if (strcmp (optarg, "json") != 0 && strcmp (optarg, "table") != 0)
        return nr_error (err, 0, "tree: --format: \"table\" or \"json\", not \"%s\"", optarg);
      json = strcmp (optarg, "json") == 0;
    }
  if (cli_need_args ("tree", argc, argv, 0, "none", err) < 0)
    return -1;
  _cleanup_free_ char *out = nr_nested_tree (&rt, json, err);
  if (out == NULL)
    return -1;
  fputs (out, stdout);
  if (json)
    putchar ('\n');
  return 0;
}
