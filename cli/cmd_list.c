/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"
#include "cli/common.h"
#include "common/cleanup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
cmd_list (struct nr_cli *cli, int argc, char **argv, nr_error_t *err)
{
  struct nr_runtime rt = cli_runtime (cli);
  static const struct option opts[] = { { "quiet", no_argument, NULL, 'q' },
                                        { "format", required_argument, NULL, 'f' },
                                        { NULL, 0, NULL, 0 } };
  bool quiet = false;
  const char *format = "table";
  int c;
  while ((c = getopt_long_only (argc, argv, "+qf:", opts, NULL)) != -1)
    {
      if (c == 'q')
        quiet = true;
      else if (c == 'f')
        format = optarg;
      else
        return nr_error (err, 0, "list: unknown option \"%s\"", argv[optind - 1]);
    }
  if (strcmp (format, "table") != 0 && strcmp (format, "json") != 0)
    return nr_error (err, 0, "list: invalid format option \"%s\"", format);
  struct nr_container_info *v = NULL;
  size_t n = 0;
  if (nr_container_list (&rt, &v, &n, err) < 0)
    return -1;
  if (quiet)
    for (size_t i = 0; i < n; i++)
      printf ("%s\n", v[i].id);
  else if (strcmp (format, "json") == 0)
    {
      printf ("[");
      for (size_t i = 0; i < n; i++)
        {
          _cleanup_free_ char *js = nr_container_info_json (&v[i], false);
          printf ("%s%s", i ? "," : "", js ? js : "{}");
        }
      printf ("]\n");
    }
  else
    {
      printf ("%-12s %-10s %-10s %-40s %-30s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER");
      for (size_t i = 0; i < n; i++)
        printf ("%-12s %-10d %-10s %-40s %-30s %s\n", v[i].id, (int) v[i].pid, nr_status_name (v[i].status),
                v[i].bundle, v[i].created, v[i].owner && *v[i].owner ? v[i].owner : "root");
    }
  for (size_t i = 0; i < n; i++)
    nr_container_info_clear (&v[i]);
  free (v);
  return 0;
}
