/* SPDX-License-Identifier: Apache-2.0 */
/* ps: --format json prints the pid list (what the shim parses); the table runs
   ps(1) with the given arguments and keeps the container's lines, as runc. */
#include "config.h"
#include "cli/common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
cmd_ps (struct nr_cli *cli, int argc, char **argv, nr_error_t *err)
{
  struct nr_runtime rt = cli_runtime (cli);
  static const struct option opts[] = { { "format", required_argument, NULL, 'f' }, { NULL, 0, NULL, 0 } };
  const char *format = "table";
  int c;
  while ((c = getopt_long_only (argc, argv, "+f:", opts, NULL)) != -1)
    {
      if (c != 'f')
        return nr_error (err, 0, "ps: unknown option \"%s\"", argv[optind - 1]);
      format = optarg;
    }
  if (strcmp (format, "json") != 0 && strcmp (format, "table") != 0)
    return nr_error (err, 0, "ps: invalid format option \"%s\"", format);
  if (argc - optind < 1)
    return nr_error (err, 0, "ps: requires a container id");
  pid_t *pids = NULL;
  size_t n = 0;
  if (nr_container_pids (&rt, argv[optind], &pids, &n, err) < 0)
    return -1;
  int ret = 0;
  if (strcmp (format, "json") == 0)
    {
      printf ("[");
      for (size_t i = 0; i < n; i++)
        printf ("%s%d", i ? "," : "", (int) pids[i]);
      printf ("]\n");
    }
  else
    {
      char *table = nr_ps_table (pids, n, argc - optind - 1, argv + optind + 1, err);
      if (table == NULL)
        ret = -1;
      else
        fputs (table, stdout);
      free (table);
    }
  free (pids);
  return ret;
}
