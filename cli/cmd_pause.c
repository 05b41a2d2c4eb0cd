/* SPDX-License-Identifier: Apache-2.0 */
/* pause and resume */
#include "config.h"
#include "cli/common.h"

static int
pause_or_resume (struct nr_cli *cli, int argc, char **argv, bool pause, nr_error_t *err)
{
  struct nr_runtime rt = cli_runtime (cli);
  static const struct option opts[] = { { NULL, 0, NULL, 0 } };
  const char *name = pause ? "pause" : "resume";
  if (getopt_long_only (argc, argv, "+", opts, NULL) != -1)
    return nr_error (err, 0, "%s: unknown option \"%s\"", name, argv[optind - 1]);
  if (cli_need_args (name, argc, argv, 1, "container id", err) < 0)
    return -1;
  return nr_container_pause (&rt, argv[optind], pause, err) < 0 ? -1 : 0;
}

int
cmd_pause (struct nr_cli *cli, int argc, char **argv, nr_error_t *err)
{
  return pause_or_resume (cli, argc, argv, true, err);
}

int
cmd_resume (struct nr_cli *cli, int argc, char **argv, nr_error_t *err)
{
  return pause_or_resume (cli, argc, argv, false, err);
}
