/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"
#include "cli/common.h"
#include "nested/nested.h"

#include <errno.h>

int
cmd_delete (struct nr_cli *cli, int argc, char **argv, nr_error_t *err)
{
  struct nr_runtime rt = cli_runtime (cli);
  static const struct option opts[] = { { "force", no_argument, NULL, 'f' }, { NULL, 0, NULL, 0 } };
  bool force = false;
  int c;
  while ((c = getopt_long_only (argc, argv, "+f", opts, NULL)) != -1)
    {
      if (c != 'f')
        return nr_error (err, 0, "delete: unknown option \"%s\"", argv[optind - 1]);
      force = true;
    }
  if (cli_need_args ("delete", argc, argv, 1, "container id", err) < 0)
    return -1;
  if (nr_delete_container (&rt, argv[optind], force, err) < 0)
    {
      /* runc: deleting a container that does not exist with --force is not an error */
      if (force && (*err)->status == ENOENT)
        {
          nr_error_free (err);
          return 0;
        }
      return -1;
    }
  return 0;
}
