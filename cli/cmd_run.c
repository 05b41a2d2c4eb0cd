/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"
#include "cli/common.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "nested/nested.h"
#include "runtime/sync.h"

#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

int
cmd_run (struct nr_cli *cli, int argc, char **argv, nr_error_t *err)
{
  struct nr_create_opts o = { 0 };
  _cleanup_free_ char *bundle = NULL;
  struct nr_runtime rt = cli_runtime (cli);
  bool detach = false, keep = false;
  int console_sock = -1, master = -1;
  pid_t pid = 0;
  int c;

  while ((c = getopt_long_only (argc, argv, "+" CLI_CREATE_SHORT "dk", cli_create_long_options, NULL)) != -1)
    {
      if (c == 'd')
        detach = true;
      else if (c == 'k')
        keep = true;
      else
        {
          int r = cli_create_option (c, optarg, &o, err);
          if (r < 0)
            return -1;
          if (r == 0)
            return nr_error (err, 0, "run: unknown option \"%s\"", argv[optind - 1]);
        }
    }
  if (cli_need_args ("run", argc, argv, 1, "container id", err) < 0)
    return -1;
  o.id = argv[optind];
  if (cli_finish_create_opts (&o, &bundle, err) < 0)
    return -1;
  if (!detach)
    {
      /* the init may be our grandchild (joined namespaces): adopt it */
      prctl (PR_SET_CHILD_SUBREAPER, 1);
      o.foreground = true;
      if (o.console_socket == NULL)
        o.console_master_out = &console_sock;
    }
  if (nr_create_from_bundle (&rt, &o, &pid, err) < 0)
    return -1;
  if (console_sock >= 0 && nr_recv_fd (console_sock, &master, err) < 0)
    goto fail;
  if (nr_container_start (&rt, o.id, err) < 0)
    goto fail;
  if (detach)
    return 0;
  int status = nr_container_wait_foreground (pid, master, err);
  if (status < 0)
    goto fail;
  if (!keep)
    {
      nr_error_t e = NULL;
      if (nr_delete_container (&rt, o.id, true, &e) < 0)
        {
          nr_warn ("%s", e->msg);
          nr_error_free (&e);
        }
    }
  return status;
fail:
  {
    nr_error_t e = NULL;
    nr_delete_container (&rt, o.id, true, &e);
    nr_error_free (&e);
  }
  return -1;
}
