/* SPDX-License-Identifier: Apache-2.0 */
/* process.terminal: a pty made inside the container's devpts; the master goes to
   the --console-socket over SCM_RIGHTS, the slave becomes stdio and /dev/console. */
#include "config.h"
#include "runtime/rootfs.h"
#include "runtime/sync.h"
#include "common/cleanup.h"
#include "common/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <termios.h>
#include <unistd.h>

int
nr_terminal_setup (struct nr_init_ctx *ctx, nr_error_t *err)
{
  const struct oci_process *p = ctx->cfg->process;
  if (!p->terminal)
    return 0;
  _cleanup_close_ int master = open ("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0)
    return nr_error (err, errno, "open /dev/ptmx");
  if (unlockpt (master) < 0)
    return nr_error (err, errno, "unlockpt");
  int slave = ioctl (master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0)
    {
      char name[128];
      if (ptsname_r (master, name, sizeof name) != 0)
        return nr_error (err, errno, "ptsname");
      slave = open (name, O_RDWR | O_NOCTTY | O_CLOEXEC);
      if (slave < 0)
        return nr_error (err, errno, "open pty slave \"%s\"", name);
    }
  ctx->pty_slave = slave;
  if (p->has_console_size)
    {
      struct winsize ws = { .ws_row = (unsigned short) p->console_height, .ws_col = (unsigned short) p->console_width };
      if (ioctl (slave, TIOCSWINSZ, &ws) < 0)
        return nr_error (err, errno, "set console size");
    }
  /* /dev/console is the slave, as runc does */
  char sp[64];
  nr_fd_path (slave, sp);
  int cfd = open ("/dev/console", O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (cfd >= 0)
    {
      close (cfd);
      if (mount (sp, "/dev/console", NULL, MS_BIND, NULL) < 0)
        return nr_error (err, errno, "bind pty on /dev/console");
    }
  if (nr_send_fd (ctx->console_fd, master, "/dev/ptmx", err) < 0)
    return nr_error_wrap (err, "console socket");
  nr_closep (&ctx->console_fd);
  /* Let go of create's stdio now, as runc does: containerd-shim reads create's output
     until EOF, and an init holding that pipe until `start` deadlocks `docker run -it`. */
  for (int i = 0; i < 3; i++)
    if (slave != i && dup3 (slave, i, 0) < 0)
      return nr_error (err, errno, "dup pty to fd %d", i);
  return 0;
}

int
nr_terminal_make_controlling (struct nr_init_ctx *ctx, nr_error_t *err)
{
  if (ctx->pty_slave < 0)
    return 0;
  if (setsid () < 0)
    return nr_error (err, errno, "setsid");
  if (ioctl (ctx->pty_slave, TIOCSCTTY, 0) < 0)
    return nr_error (err, errno, "set controlling terminal");
  for (int i = 0; i < 3; i++)
    if (dup3 (ctx->pty_slave, i, 0) < 0)
      return nr_error (err, errno, "dup pty to fd %d", i);
  if (ctx->pty_slave > 2)
    close (ctx->pty_slave);
  return 0;
}
