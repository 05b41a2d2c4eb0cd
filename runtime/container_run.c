/* SPDX-License-Identifier: Apache-2.0 */
/* `run` in the foreground: forward signals to the container's init, copy the
   terminal if there is one, and return its exit status. */
#include "config.h"
#include "runtime/container.h"
#include "common/cleanup.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static int
copy_once (int from, int to)
{
  char buf[8192];
  ssize_t n = read (from, buf, sizeof buf);
  if (n <= 0)
    return -1;
  for (ssize_t off = 0; off < n;)
    {
      ssize_t w = write (to, buf + off, n - off);
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        return -1;
      off += w;
    }
  return 0;
}

static void
resize (int master)
{
  struct winsize ws;
  if (master >= 0 && ioctl (0, TIOCGWINSZ, &ws) == 0)
    ioctl (master, TIOCSWINSZ, &ws);
}

static int
exit_code (int status)
{
  if (WIFEXITED (status))
    return WEXITSTATUS (status);
  if (WIFSIGNALED (status))
    return 128 + WTERMSIG (status);
  return 255;
}

int
nr_container_wait_foreground (pid_t pid, int master, nr_error_t *err)
{
  sigset_t all, old;
  sigfillset (&all);
  sigdelset (&all, SIGSEGV);
  sigdelset (&all, SIGBUS);
  sigdelset (&all, SIGFPE);
  sigdelset (&all, SIGILL);
  sigprocmask (SIG_BLOCK, &all, &old);
  _cleanup_close_ int sfd = signalfd (-1, &all, SFD_CLOEXEC);
  if (sfd < 0)
    return nr_error (err, errno, "signalfd");

  struct termios saved;
  bool raw = false;
  if (master >= 0 && isatty (0) && tcgetattr (0, &saved) == 0)
    {
      struct termios t = saved;
      cfmakeraw (&t);
      t.c_oflag |= OPOST;
      raw = tcsetattr (0, TCSANOW, &t) == 0;
      resize (master);
    }
  bool in_open = master >= 0;
  int status = 0;
  int ret = -1;
  for (;;)
    {
      /* reap first: a signal may have been forwarded already */
      pid_t w = waitpid (pid, &status, WNOHANG);
      if (w == pid)
        {
          ret = exit_code (status);
          break;
        }
      struct pollfd p[3] = { { .fd = sfd, .events = POLLIN },
                             { .fd = master, .events = POLLIN },
                             { .fd = in_open ? 0 : -1, .events = POLLIN } };
      if (poll (p, 3, -1) < 0 && errno != EINTR)
        {
          nr_error (err, errno, "poll");
          break;
        }
      if (p[0].revents & POLLIN)
        {
          struct signalfd_siginfo si;
          if (read (sfd, &si, sizeof si) == sizeof si)
            {
              if (si.ssi_signo == SIGWINCH)
                resize (master);
              else if (si.ssi_signo != SIGCHLD)
                kill (pid, (int) si.ssi_signo);
            }
        }
      if (master >= 0 && (p[1].revents & (POLLIN | POLLHUP)))
        {
          if (copy_once (master, 1) < 0)
            master = -1; /* the pty closed: only wait now */
        }
      if (in_open && (p[2].revents & (POLLIN | POLLHUP)))
        {
          if (copy_once (0, master) < 0)
            in_open = false;
        }
      if (master < 0)
        in_open = false;
    }
  if (raw)
    tcsetattr (0, TCSANOW, &saved);
  sigprocmask (SIG_SETMASK, &old, NULL);
  return ret;
}
