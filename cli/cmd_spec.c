/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"
#include "cli/common.h"
#include "common/cleanup.h"
#include "common/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int
cmd_spec (struct nr_cli *cli, int argc, char **argv, nr_error_t *err)
{
  static const struct option opts[] = { { "bundle", required_argument, NULL, 'b' },
                                        { "rootless", no_argument, NULL, 'r' },
                                        { NULL, 0, NULL, 0 } };
  const char *bundle = ".";
  bool rootless = false;
  int c;
  (void) cli;
  while ((c = getopt_long_only (argc, argv, "+b:", opts, NULL)) != -1)
    {
      if (c == 'b')
        bundle = optarg;
      else if (c == 'r')
        rootless = true;
      else
        return nr_error (err, 0, "spec: unknown option \"%s\"", argv[optind - 1]);
    }
  if (cli_need_args ("spec", argc, argv, 0, "none", err) < 0)
    return -1;
  _cleanup_free_ char *js = nr_spec_default (rootless);
  _cleanup_free_ char *path = NULL;
  if (js == NULL || asprintf (&path, "%s/config.json", bundle) < 0)
    return nr_error (err, 0, "spec: out of memory");
  /* like runc: never overwrite */
  _cleanup_close_ int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0 && errno == EEXIST)
    return nr_error (err, EEXIST, "file \"%s\" exists, remove it first", path);
  if (fd < 0)
    return nr_error (err, errno, "create \"%s\"", path);
  size_t len = strlen (js);
  if (nr_write_all (fd, js, len) < 0)
    return nr_error (err, errno, "write \"%s\"", path);
  return 0;
}
