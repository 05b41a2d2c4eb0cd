/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"
#include "runtime/hooks.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *const kind_names[OCI_HOOK_KIND_COUNT] = {
  [OCI_HOOK_PRESTART] = "prestart",
  [OCI_HOOK_CREATE_RUNTIME] = "createRuntime",
  [OCI_HOOK_CREATE_CONTAINER] = "createContainer",
  [OCI_HOOK_START_CONTAINER] = "startContainer",
  [OCI_HOOK_POSTSTART] = "poststart",
  [OCI_HOOK_POSTSTOP] = "poststop",
};

const char *nr_hook_kind_name (enum oci_hook_kind kind) { return kind_names[kind]; }

static __attribute__ ((noreturn)) void
hook_child (const struct oci_hook *h, int in_fd, int out_fd)
{
  char *default_argv[] = { h->path, NULL };
  char *empty_env[] = { NULL };
  dup2 (in_fd, 0);
  dup2 (out_fd, 1);
  dup2 (out_fd, 2);
  /* a hook must not inherit the runtime's descriptors */
  syscall (SYS_close_range, 3U, ~0U, 0U);
  sigset_t all;
  sigemptyset (&all);
  sigprocmask (SIG_SETMASK, &all, NULL);
  execve (h->path, h->args && h->args[0] ? h->args : default_argv, h->env ? h->env : empty_env);
  dprintf (2, "exec \"%s\": %s", h->path, strerror (errno));
  _exit (127);
}

static long
ms_since (const struct timespec *t0)
{
  struct timespec now;
  clock_gettime (CLOCK_MONOTONIC, &now);
  return (now.tv_sec - t0->tv_sec) * 1000 + (now.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Collect output (bounded) until the hook exits or the timeout passes. */
static int
wait_hook (pid_t pid, int out_fd, int timeout_s, char *out, size_t out_len, int *status, bool *timed_out)
{
  int pidfd = (int) syscall (SYS_pidfd_open, pid, 0);
  size_t used = 0;
  struct timespec t0;
  clock_gettime (CLOCK_MONOTONIC, &t0);
  bool out_open = true;
  *timed_out = false;
  for (;;)
    {
      struct pollfd p[2] = { { .fd = out_open ? out_fd : -1, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };
      int wait_ms = -1;
      if (timeout_s > 0)
        {
          long left = timeout_s * 1000L - ms_since (&t0);
          if (left <= 0)
            {
              *timed_out = true;
              kill (pid, SIGKILL);
              break;
            }
          wait_ms = (int) left;
        }
      if (pidfd < 0 && !out_open)
        break;
      int r = poll (p, 2, wait_ms);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        break;
      if (p[0].revents)
        {
          char buf[1024];
          ssize_t n = read (out_fd, buf, sizeof buf);
          if (n <= 0)
            out_open = false;
          else
            {
              size_t keep = (size_t) n;
              if (used + keep >= out_len)
                keep = out_len - used - 1;
              memcpy (out + used, buf, keep);
              used += keep;
            }
        }
      if (p[1].revents)
        break;
    }
  out[used] = '\0';
  if (pidfd >= 0)
    close (pidfd);
  while (waitpid (pid, status, 0) < 0 && errno == EINTR)
    ;
  return 0;
}

static int
run_one (const struct oci_hook *h, const char *kind, const char *state_json, nr_error_t *err)
{
  int in[2], out[2];
  if (pipe2 (in, O_CLOEXEC) < 0)
    return nr_error (err, errno, "%s hook \"%s\": pipe", kind, h->path);
  if (pipe2 (out, O_CLOEXEC) < 0)
    {
      close (in[0]);
      close (in[1]);
      return nr_error (err, errno, "%s hook \"%s\": pipe", kind, h->path);
    }
  pid_t pid = fork ();
  if (pid < 0)
    {
      int e = errno;
      close (in[0]), close (in[1]), close (out[0]), close (out[1]);
      return nr_error (err, e, "%s hook \"%s\": fork", kind, h->path);
    }
  if (pid == 0)
    hook_child (h, in[0], out[1]);
  close (in[0]);
  close (out[1]);
  /* the state is small; a hook that doesn't read it must not block us */
  signal (SIGPIPE, SIG_IGN);
  fcntl (in[1], F_SETFL, O_NONBLOCK);
  if (write (in[1], state_json, strlen (state_json)) < 0)
    (void) 0;
  close (in[1]);
  char output[2048];
  int status = 0;
  bool timed_out = false;
  wait_hook (pid, out[0], h->has_timeout ? h->timeout : 0, output, sizeof output, &status, &timed_out);
  close (out[0]);
  size_t ol = strlen (output);
  while (ol && (output[ol - 1] == '\n' || output[ol - 1] == ' '))
    output[--ol] = '\0';
  if (timed_out)
    return nr_error (err, ETIMEDOUT, "%s hook \"%s\" did not finish within %d s", kind, h->path, h->timeout);
  if (WIFSIGNALED (status))
    return nr_error (err, 0, "%s hook \"%s\" killed by signal %d%s%s", kind, h->path, WTERMSIG (status),
                     ol ? ": " : "", output);
  if (WEXITSTATUS (status) != 0)
    return nr_error (err, 0, "%s hook \"%s\" exited with status %d%s%s", kind, h->path, WEXITSTATUS (status),
                     ol ? ": " : "", output);
  return 0;
}

int
nr_hooks_run (const struct oci_config *c, enum oci_hook_kind kind, const char *state_json, nr_error_t *err)
{
  for (size_t i = 0; i < c->hooks.n[kind]; i++)
    if (run_one (&c->hooks.hooks[kind][i], kind_names[kind], state_json, err) < 0)
      return -1;
  return 0;
}

void
nr_hooks_run_warn (const struct oci_config *c, enum oci_hook_kind kind, const char *state_json)
{
  for (size_t i = 0; i < c->hooks.n[kind]; i++)
    {
      nr_error_t err = NULL;
      if (run_one (&c->hooks.hooks[kind][i], kind_names[kind], state_json, &err) < 0)
        {
          nr_warn ("%s", err->msg);
          nr_error_free (&err);
        }
    }
}
