/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"
#include "cli/common.h"
#include "common/cleanup.h"
#include "nested/nested.h"

int
cmd_create (struct nr_cli *cli, int argc, char **argv, nr_error_t *err)
{
  struct nr_create_opts o = { 0 };
  _cleanup_free_ char *bundle = NULL;
  struct nr_runtime rt = cli_runtime (cli);
  pid_t pid = 0;
  int c;

  while ((c = getopt_long_only (argc, argv, "+" CLI_CREATE_SHORT, cli_create_long_options, NULL)) != -1)
    {
      int r = cli_create_option (c, optarg, &o, err);
      if (r < 0)
        return -1;
      if (r == 0)
        return nr_error (err, 0, "create: unknown option \"%s\"", argv[optind - 1]);
    }
  if (cli_need_args ("create", argc, argv, 1, "container id", err) < 0)
    return -1;
  o.id = argv[optind];
  if (cli_finish_create_opts (&o, &bundle, err) < 0)
    return -1;
  return nr_create_from_bundle (&rt, &o, &pid, err) < 0 ? -1 : 0;
}
