/* SPDX-License-Identifier: Apache-2.0 */
/* runtime/cgroups on the real cgroup filesystem of this host (root only, skipped
   otherwise): create a cgroup with memory, pids and device limits around a forked
   child, check the kernel enforces them (the v2 device program on its own too, on
   hybrid and v2 hosts), freeze and thaw, read stats, kill all, destroy — and leave
   nothing behind; then an OOM kill, as the OOM notifier reports it.  The cgroups are
   relative ("nestrun-cgtest-<pid>…"): they go under this process's own cgroups, so the
   children stay inside our memory accounting. */
#include "config.h"
#include "runtime/cgroups/internal.h"
#include "common/log.h"
#include "tests/unit/tap.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* A child that opens a device when asked and answers with the errno (0 = opened). */
struct child
{
  pid_t pid;
  int cmd, ans;
};

static void
child_loop (int cmd, int ans)
{
  char path[64];
  ssize_t n;
  while ((n = read (cmd, path, sizeof path - 1)) > 0)
    {
      path[n] = '\0';
      int fd = open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC), e = fd < 0 ? errno : 0;
      if (fd >= 0)
        close (fd);
      if (write (ans, &e, sizeof e) != sizeof e)
        break;
    }
  _exit (0);
}

static int
spawn (struct child *c)
{
  int a[2], b[2];
  if (pipe2 (a, O_CLOEXEC) < 0 || pipe2 (b, O_CLOEXEC) < 0)
    return -1;
  c->pid = fork ();
  if (c->pid == 0)
    child_loop (a[0], b[1]);
  close (a[0]);
  close (b[1]);
  c->cmd = a[1];
  c->ans = b[0];
  return c->pid > 0 ? 0 : -1;
}

static int
open_in (struct child *c, const char *path)
{
  int e = -1;
  if (write (c->cmd, path, strlen (path)) < 0 || read (c->ans, &e, sizeof e) != sizeof e)
    return -1;
  return e;
}

static void
reap (struct child *c, int *status)
{
  if (c->pid <= 0)
    return;
  close (c->cmd);
  close (c->ans);
  if (status == NULL)
    kill (c->pid, SIGKILL);
  waitpid (c->pid, status, 0);
  c->pid = 0;
}

static void
show (nr_error_t *err)
{
  diag ("%s", *err ? (*err)->msg : "(no message)");
  nr_error_free (err);
}

static bool
file_has (const char *dir, const char *file, const char *want)
{
  char *t = NULL;
  nr_error_t err = NULL;
  bool r = nr_cg_read (dir, file, &t, &err) == 0 && strstr (t, want) != NULL;
  nr_error_free (&err);
  free (t);
  return r;
}

static bool
all_gone (const struct nr_cgroup *cg)
{
  for (size_t i = 0; i < nr_cgroup_count (cg); i++)
    {
      const char *p;
      nr_cgroup_at (cg, i, NULL, NULL, &p);
      if (access (p, F_OK) == 0)
        {
          diag ("left behind: %s", p);
          return false;
        }
    }
  return true;
}

static uint32_t
attached_programs (const char *dir)
{
  union bpf_attr a;
  int fd = open (dir, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  memset (&a, 0, sizeof a);
  a.query.target_fd = fd;
  a.query.attach_type = BPF_CGROUP_DEVICE;
  long r = syscall (__NR_bpf, BPF_PROG_QUERY, &a, sizeof a);
  close (fd);
  return r < 0 ? UINT32_MAX : a.query.prog_cnt;
}

static struct oci_device_cgroup deny_all[] = { { false, 'a', -1, -1, (char *) "rwm" } };
static struct oci_device_cgroup allow_all[] = { { true, 'a', -1, -1, (char *) "rwm" } };
/* linux.devices naming /dev/zero drops runc's default /dev/zero rule */
static struct oci_device zero_dev[] = { { .type = 'c', .path = (char *) "/dev/zero", .major = 1, .minor = 5 } };

static void
check_limits (const struct nr_cgroup *cg, enum nr_cgroup_mode mode, pid_t pid)
{
  char spid[24];
  snprintf (spid, sizeof spid, "%d\n", (int) pid);
  if (mode == NR_CGROUP_V2)
    {
      const char *d = nr_cgroup_path (cg, "");
      ok (file_has (d, "memory.max", "67108864"), "memory.max is 64M");
      ok (file_has (d, "pids.max", "32"), "pids.max is 32");
      ok (file_has (d, "cgroup.procs", spid), "the child is in the cgroup");
      return;
    }
  ok (file_has (nr_cgroup_path (cg, "memory"), "memory.limit_in_bytes", "67108864"), "memory.limit_in_bytes is 64M");
  ok (file_has (nr_cgroup_path (cg, "pids"), "pids.max", "32"), "pids.max is 32");
  bool in_all = true;
  for (size_t i = 0; i < nr_cgroup_count (cg); i++)
    {
      const char *p;
      nr_cgroup_at (cg, i, NULL, NULL, &p);
      in_all &= file_has (p, "cgroup.procs", spid);
    }
  ok (in_all, "the child is in every hierarchy%s", mode == NR_CGROUP_HYBRID ? ", the unified one included" : "");
}

static void
check_devices (struct child *c)
{
  is_int (open_in (c, "/dev/null"), 0, "/dev/null opens (a default rule)");
  is_int (open_in (c, "/dev/zero"), EPERM, "/dev/zero is denied (its default rule dropped: linux.devices has it)");
  if (access ("/dev/kmsg", F_OK) == 0)
    is_int (open_in (c, "/dev/kmsg"), EPERM, "/dev/kmsg is denied");
  else
    skip (1, "no /dev/kmsg");
}

static void
check_freeze_stats (const struct nr_cgroup *cg, pid_t pid)
{
  nr_error_t err = NULL;
  bool frozen = false;
  if (!ok (nr_cgroup_freeze (cg, true, &err) == 0, "freeze"))
    show (&err);
  ok (nr_cgroup_state_frozen (cg, &frozen, &err) == 0 && frozen, "reported frozen");
  ok (nr_cgroup_freeze (cg, false, &err) == 0, "thaw");
  ok (nr_cgroup_state_frozen (cg, &frozen, &err) == 0 && !frozen, "reported thawed");

  struct nr_cgroup_stats s;
  if (!ok (nr_cgroup_stats (cg, &s, &err) == 0, "stats"))
    show (&err);
  ok (s.memory.usage.usage > 0 && s.memory.usage.limit == 67108864, "memory usage and limit");
  ok (s.pids.current >= 1 && s.pids.limit == 32, "pids current and limit");
  char *j = nr_cgroup_stats_json (&s);
  like (j, "\"pids\":{\"current\":", "stats JSON");
  free (j);
  nr_cgroup_stats_free (&s);

  pid_t *pids = NULL;
  size_t n = 0;
  ok (nr_cgroup_pids (cg, &pids, &n, &err) == 0 && n == 1 && pids[0] == pid, "pids lists the child");
  free (pids);
}

/* The device program alone: v1 devices allows everything, the program restricts. */
static void
check_program_alone (const char *name, enum nr_cgroup_mode mode)
{
  struct oci_resources r = { .devices = allow_all, .n_devices = 1 };
  struct nr_cgroup_config cfg = { .cgroups_path = name, .id = "bpf", .resources = &r };
  struct nr_cgroup *cg = NULL;
  struct child c = { 0 };
  nr_error_t err = NULL;
  if (mode == NR_CGROUP_V1 || spawn (&c) < 0)
    {
      skip (5, "no cgroup2 hierarchy for a device program");
      return;
    }
  if (!ok (nr_cgroup_create (NULL, &cfg, c.pid, &cg, &err) == 0, "create a privileged cgroup"))
    {
      diag ("%s", err->msg);
      nr_error_free (&err);
      reap (&c, NULL);
      skip (4, "create failed");
      return;
    }
  const char *u = nr_cgroup_path (cg, "");
  is_int (open_in (&c, "/dev/zero"), 0, "allow-all: /dev/zero opens");
  struct nr_cg_devrule rules[] = { { 'a', -1, -1, NR_DEV_RWM, false }, { 'c', 1, 3, NR_DEV_RWM, true } };
  struct nr_cg_devemu e = { 0 };
  nr_cg_devemu_apply (&e, rules, 2, &err);
  if (!ok (nr_cg_v2_devices (u, &e, false, &err) == 0, "replace the program on \"%s\"", u))
    show (&err);
  nr_cg_devemu_free (&e);
  ok (open_in (&c, "/dev/null") == 0 && open_in (&c, "/dev/zero") == EPERM,
      "the program alone allows /dev/null and denies /dev/zero");
  is_int (attached_programs (u), 1, "the old program was detached: one attached");
  reap (&c, NULL);
  if (nr_cgroup_destroy (cg, &err) < 0)
    show (&err);
  nr_cgroup_free (cg);
}

/* Wait up to 5 s for OOM notifications: *ooms adds up, until gone or one is seen and
   stop_at_oom. */
static void
oom_wait (struct nr_cgroup_oom *o, bool stop_at_oom, uint64_t *ooms, bool *gone)
{
  nr_error_t err = NULL;
  for (int i = 0; i < 50 && !*gone && !(stop_at_oom && *ooms > 0); i++)
    {
      struct pollfd p = { .fd = nr_cgroup_oom_fd (o), .events = POLLIN };
      uint64_t n = 0;
      poll (&p, 1, 100);
      if (nr_cgroup_oom_read (o, &n, gone, &err) < 0)
        {
          show (&err);
          return;
        }
      *ooms += n;
    }
}

/* A child that fills 64 MiB in a 16 MiB cgroup is OOM-killed: the notifier says so,
   and says when the stream ends (v2: no process left; v1: the cgroup removed). */
static void
check_oom (const char *name, enum nr_cgroup_mode mode)
{
  struct oci_resources r = { .devices = allow_all, .n_devices = 1, .has_mem_limit = true, .mem_limit = 16 << 20,
                             .has_mem_swap = true, .mem_swap = 16 << 20 };
  struct nr_cgroup_config cfg = { .cgroups_path = name, .id = "oom", .resources = &r };
  struct nr_cgroup *cg = NULL;
  struct nr_cgroup_oom *o = NULL;
  nr_error_t err = NULL;
  int go[2], status = 0;
  if (pipe2 (go, O_CLOEXEC) < 0)
    bail_out ("pipe: %s", strerror (errno));
  pid_t pid = fork ();
  if (pid == 0)
    {
      char c;
      if (read (go[0], &c, 1) == 1)
        for (size_t i = 0; i < 64; i++)
          memset (malloc (1 << 20), 1, 1 << 20);
      _exit (0);
    }
  close (go[0]);
  if (!ok (nr_cgroup_create (NULL, &cfg, pid, &cg, &err) == 0 && nr_cgroup_oom_open (cg, &o, &err) == 0,
           "a 16 MiB cgroup and its OOM notifications"))
    {
      show (&err);
      kill (pid, SIGKILL);
      waitpid (pid, NULL, 0);
      close (go[1]);
      if (cg && nr_cgroup_destroy (cg, &err) < 0)
        show (&err);
      nr_cgroup_free (cg);
      skip (4, "no cgroup");
      return;
    }
  if (write (go[1], "g", 1) != 1)
    bail_out ("write: %s", strerror (errno));
  close (go[1]);
  waitpid (pid, &status, 0);
  ok (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL, "the child was killed");
  uint64_t ooms = 0;
  bool gone = false;
  oom_wait (o, mode != NR_CGROUP_V2, &ooms, &gone);
  ok (ooms >= 1, "reported as an OOM (%llu)", (unsigned long long) ooms);
  if (mode == NR_CGROUP_V2)
    ok (gone, "v2: no process left, the stream ends");
  else
    ok (!gone, "v1: the cgroup is still there, the stream goes on");
  if (nr_cgroup_destroy (cg, &err) < 0)
    show (&err);
  if (mode != NR_CGROUP_V2)
    {
      ooms = 0;
      oom_wait (o, false, &ooms, &gone);
      ok (gone && ooms == 0, "v1: removed, the stream ends");
    }
  else
    skip (1, "v2: ended already");
  nr_cgroup_oom_free (o);
  nr_cgroup_free (cg);
}

int
main (void)
{
  enum nr_cgroup_mode mode = NR_CGROUP_NONE;
  nr_error_t err = NULL;
  char name[64], name2[64], name3[64];
  if (geteuid () != 0)
    return skip_all ("not root");
  if (nr_cgroup_detect (NULL, &mode, &err) < 0 || mode == NR_CGROUP_NONE)
    return skip_all ("no cgroup filesystem");
  diag ("cgroup mode: %s", nr_cgroup_mode_name (mode));
  snprintf (name, sizeof name, "nestrun-cgtest-%d", (int) getpid ());
  snprintf (name2, sizeof name2, "nestrun-cgtest-%d-bpf", (int) getpid ());
  snprintf (name3, sizeof name3, "nestrun-cgtest-%d-oom", (int) getpid ());

  struct oci_resources r = { .devices = deny_all, .n_devices = 1, .has_mem_limit = true, .mem_limit = 64 << 20,
                             .has_pids_limit = true, .pids_limit = 32 };
  struct nr_cgroup_config cfg = { .cgroups_path = name, .id = "t", .resources = &r, .devices = zero_dev,
                                  .n_devices = 1 };
  struct nr_cgroup *cg = NULL;
  struct child c = { 0 };
  if (spawn (&c) < 0)
    bail_out ("fork: %s", strerror (errno));
  if (!ok (nr_cgroup_create (NULL, &cfg, c.pid, &cg, &err) == 0, "create \"%s\" around a child", name))
    {
      diag ("%s", err->msg);
      reap (&c, NULL);
      return done_testing ();
    }
  check_limits (cg, mode, c.pid);
  check_devices (&c);
  check_freeze_stats (cg, c.pid);

  int status = 0;
  ok (nr_cgroup_kill_all (cg, SIGKILL, &err) == 0, "kill all");
  reap (&c, &status);
  ok (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL, "the child died of SIGKILL");
  if (!ok (nr_cgroup_destroy (cg, &err) == 0, "destroy"))
    show (&err);
  ok (all_gone (cg), "no directory left in any hierarchy");
  nr_cgroup_free (cg);

  check_program_alone (name2, mode);
  check_oom (name3, mode);
  return done_testing ();
}
