/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"
#include "cli/common.h"

int
cmd_kill (struct nr_cli *cli, int argc, char **argv, nr_error_t *err)
{
  struct nr_runtime rt = cli_runtime (cli);
  static const struct option opts[] = { { "all", no_argument, NULL, 'a' }, { NULL, 0, NULL, 0 } };
  bool all = false;
  int c, sig = 15;
  while ((c = getopt_long_only (argc, argv, "+a", opts, NULL)) != -1)
    {
      if (c != 'a')
        return nr_error (err, 0, "kill: unknown option \"%s\"", argv[optind - 1]);
      all = true;
    }
  int have = argc - optind;
  if (have < 1 || have > 2)
    return nr_error (err, 0, "kill: requires a container id and an optional signal, got %d arguments", have);
  /* an empty signal is the default, SIGTERM, as in runc */
  if (have == 2 && argv[optind + 1][0] != '\0' && nr_signal_parse (argv[optind + 1], &sig, err) < 0)
    return -1;
  return nr_container_kill (&rt, argv[optind], sig, all, err) < 0 ? -1 : 0;
}
