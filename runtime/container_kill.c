/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"
#include "runtime/container.h"
#include "runtime/state.h"
#include "runtime/cgroups/cgroups.h"
#include "common/cleanup.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct
{
  const char *name;
  int sig;
} signals[] = {
  { "HUP", SIGHUP },   { "INT", SIGINT },     { "QUIT", SIGQUIT },   { "ILL", SIGILL },     { "TRAP", SIGTRAP },
  { "ABRT", SIGABRT }, { "IOT", SIGIOT },     { "BUS", SIGBUS },     { "FPE", SIGFPE },     { "KILL", SIGKILL },
  { "USR1", SIGUSR1 }, { "SEGV", SIGSEGV },   { "USR2", SIGUSR2 },   { "PIPE", SIGPIPE },   { "ALRM", SIGALRM },
  { "TERM", SIGTERM }, { "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD }, { "CONT", SIGCONT },   { "STOP", SIGSTOP },
  { "TSTP", SIGTSTP }, { "TTIN", SIGTTIN },   { "TTOU", SIGTTOU },   { "URG", SIGURG },     { "XCPU", SIGXCPU },
  { "XFSZ", SIGXFSZ }, { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF }, { "WINCH", SIGWINCH }, { "IO", SIGIO },
  { "POLL", SIGPOLL }, { "PWR", SIGPWR },     { "SYS", SIGSYS },
};

int
nr_signal_parse (const char *s, int *sig, nr_error_t *err)
{
  if (s == NULL || *s == '\0')
    return nr_error (err, 0, "invalid signal \"\"");
  if (isdigit ((unsigned char) s[0]))
    {
      char *end = NULL;
      long n = strtol (s, &end, 10);
      if (*end || n < 0 || n > SIGRTMAX) /* 0: a liveness check, as runc allows */
        return nr_error (err, 0, "invalid signal \"%s\"", s);
      *sig = (int) n;
      return 0;
    }
  const char *name = strncasecmp (s, "SIG", 3) == 0 ? s + 3 : s;
  for (size_t i = 0; i < NR_ARRAY_SIZE (signals); i++)
    if (strcasecmp (name, signals[i].name) == 0)
      {
        *sig = signals[i].sig;
        return 0;
      }
  if (strncasecmp (name, "RTMIN", 5) == 0 || strncasecmp (name, "RTMAX", 5) == 0)
    {
      int base = strncasecmp (name, "RTMIN", 5) == 0 ? SIGRTMIN : SIGRTMAX;
      int off = 0;
      if (name[5] == '+' || name[5] == '-')
        off = atoi (name + 5);
      else if (name[5])
        return nr_error (err, 0, "invalid signal \"%s\"", s);
      if (base + off < SIGRTMIN || base + off > SIGRTMAX)
        return nr_error (err, 0, "invalid signal \"%s\"", s);
      *sig = base + off;
      return 0;
    }
  return nr_error (err, 0, "invalid signal \"%s\"", s);
}

int
nr_container_kill (const struct nr_runtime *rt, const char *id, int sig, bool all, nr_error_t *err)
{
  _cleanup_close_ int dirfd = -1;
  struct nr_state s = { 0 };
  struct nr_cgroup *cg = NULL;
  int ret = -1;

  if (nr_state_open (rt->root, id, false, &dirfd, err) < 0 || nr_state_read (dirfd, &s, err) < 0)
    goto out;
  enum nr_status st = nr_state_status (dirfd, &s);
  if (all && s.cgroup)
    {
      if (nr_cgroup_load (s.cgroup, &cg, err) < 0 || nr_cgroup_kill_all (cg, sig, err) < 0)
        goto out;
      ret = 0;
      goto out;
    }
  if (st == NR_STATUS_STOPPED)
    {
      nr_error (err, 0, "container not running");
      goto out;
    }
  if (kill (s.pid, sig) < 0)
    {
      nr_error (err, errno, "kill pid %d with signal %d", (int) s.pid, sig);
      goto out;
    }
  ret = 0;
out:
  if (ret < 0)
    nr_error_wrap (err, "kill container \"%s\"", id);
  nr_cgroup_free (cg);
  nr_state_clear (&s);
  return ret;
}
