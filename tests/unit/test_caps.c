/* SPDX-License-Identifier: Apache-2.0 */
/* runtime/caps and runtime/rlimits: name tables, the host-bounding-set intersection
   and its warning, rlimit and oom_score_adj clamping through the seam, and (root
   only) the sets a child really ends up with. */
#include <config.h>
#include "runtime/caps.h"
#include "runtime/rlimits.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/log.h"
#include "tests/unit/tap.h"

#include <errno.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static int log_fd = -1;

static char *
take_log (void)
{
  char *buf = NULL;
  size_t len = 0;
  nr_error_t err = NULL;
  lseek (log_fd, 0, SEEK_SET);
  if (nr_read_all_fd (log_fd, 1 << 20, &buf, &len, &err) < 0)
    nr_error_free (&err);
  if (ftruncate (log_fd, 0) < 0 || lseek (log_fd, 0, SEEK_SET) < 0)
    bail_out ("reset log");
  return buf;
}

static void
drop_log (void)
{
  free (take_log ());
}

static int
count_lines (const char *s)
{
  int n = 0;
  for (; s && *s; s++)
    n += *s == '\n';
  return n;
}

/* "CapBnd" etc. from /proc/self/status */
static uint64_t
status_mask (const char *field)
{
  _cleanup_fclose_ FILE *f = fopen ("/proc/self/status", "re");
  char line[256];
  size_t n = strlen (field);
  uint64_t v = 0;
  while (f && fgets (line, sizeof line, f))
    if (strncmp (line, field, n) == 0 && line[n] == ':')
      sscanf (line + n + 1, "%" SCNx64, &v);
  return v;
}

/* ---- names ------------------------------------------------------------------ */

static void
test_names (void)
{
  _cleanup_fclose_ FILE *f = fopen ("/proc/sys/kernel/cap_last_cap", "re");
  int last = -1, n = 0;
  if (f == NULL || fscanf (f, "%d", &last) != 1)
    last = -1;
  is_int (nr_cap_last (), last, "cap_last_cap from /proc");
  is_str (nr_cap_name (CAP_CHOWN), "CAP_CHOWN", "name of 0");
  is_str (nr_cap_name (CAP_SYS_ADMIN), "CAP_SYS_ADMIN", "name of 21");
  is_str (nr_cap_name (last + 1), NULL, "no name above cap_last_cap");
  is_int (nr_cap_from_name ("CAP_SYS_RESOURCE"), CAP_SYS_RESOURCE, "CAP_SYS_RESOURCE → 24");
  is_int (nr_cap_from_name ("cap_sys_admin"), -1, "names are case-sensitive, as runc's");
  is_int (nr_cap_from_name ("12"), -1, "numbers are not names");
  is_int (nr_cap_from_name ("CAP_NOPE"), -1, "unknown name");
  for (const char *const *k = nr_caps_known (); *k; k++)
    n++;
  is_int (n, last + 1, "every capability up to cap_last_cap is listed");
  _cleanup_free_ char *names = nr_caps_mask_names (NR_CAP_BIT (CAP_CHOWN) | NR_CAP_BIT (CAP_SYS_RESOURCE));
  is_str (names, "CAP_CHOWN CAP_SYS_RESOURCE", "mask → names");
  is_int (nr_caps_host_bounding (), status_mask ("CapBnd"), "host bounding set = CapBnd");
  is_int (nr_caps_host_permitted (), status_mask ("CapPrm"), "host permitted set = CapPrm");
}

/* ---- prepare ------------------------------------------------------------------ */

static char *all_names[70];

static void
fill_all_names (void)
{
  int n = 0;
  for (const char *const *k = nr_caps_known (); *k && n < 69; k++)
    all_names[n++] = (char *) *k;
  all_names[n] = NULL;
}

static void
test_prepare_intersection (void)
{
  struct oci_capabilities c = { .bounding = all_names, .effective = all_names, .permitted = all_names,
                                .inheritable = all_names, .ambient = all_names };
  uint64_t all = 0, avail;
  struct nr_caps out;
  nr_error_t err = NULL;
  char *log;

  for (int i = 0; i <= nr_cap_last (); i++)
    all |= NR_CAP_BIT (i);
  avail = all & ~NR_CAP_BIT (CAP_SYS_RESOURCE);
  ok (nr_caps_prepare_with (&c, avail, &out, &err) == 0, "privileged caps prepared against a set without CAP_SYS_RESOURCE");
  log = take_log ();
  is_int (out.set[NR_CAP_BOUNDING], avail, "bounding: the intersection");
  is_int (out.set[NR_CAP_EFFECTIVE], avail, "effective: the intersection");
  is_int (out.set[NR_CAP_AMBIENT], avail, "ambient: the intersection");
  like (log, "level=warning msg=\"capabilities not in the runtime's bounding set were not granted: CAP_SYS_RESOURCE\"",
        "one warning names the dropped capability");
  is_int (count_lines (log), 1, "exactly one line");
  free (log);

  ok (nr_caps_prepare_with (&c, all, &out, &err) == 0 && out.set[NR_CAP_PERMITTED] == all, "all available");
  log = take_log ();
  is_str (log, "", "no warning when nothing is dropped");
  free (log);
}

static void
test_prepare_unknown (void)
{
  char *names[] = { "CAP_FOO", "CAP_CHOWN", "CAP_BAR", "CAP_FOO", "cap_kill", NULL };
  char *eff[] = { "CAP_CHOWN", NULL };
  struct oci_capabilities c = { .bounding = names, .effective = eff };
  struct nr_caps out;
  nr_error_t err = NULL;
  char *log;

  ok (nr_caps_prepare_with (&c, ~UINT64_C (0), &out, &err) == 0, "unknown names do not fail (runc warns)");
  log = take_log ();
  is_int (out.set[NR_CAP_BOUNDING], NR_CAP_BIT (CAP_CHOWN), "known names kept");
  is_int (out.set[NR_CAP_EFFECTIVE], NR_CAP_BIT (CAP_CHOWN), "effective");
  is_int (out.set[NR_CAP_PERMITTED], 0, "absent set is empty");
  like (log, "msg=\"ignoring unknown or unavailable capabilities: [CAP_BAR CAP_FOO cap_kill]\"",
        "runc's warning, sorted, each name once");
  free (log);

  ok (nr_caps_prepare_with (NULL, ~UINT64_C (0), &out, &err) == 0 && out.set[NR_CAP_BOUNDING] == 0
          && out.set[NR_CAP_EFFECTIVE] == 0,
      "no process.capabilities: every set empty");
  log = take_log ();
  is_str (log, "", "silently");
  free (log);
}

/* ---- apply, in a child (root) ----------------------------------------------------- */

struct sets
{
  int rc;
  uint64_t bnd, eff, prm, inh, amb;
};

static struct sets
apply_in_child (const struct nr_caps *caps, uid_t uid)
{
  struct sets s = { .rc = -1 };
  int p[2];
  pid_t pid;

  if (pipe (p) < 0)
    return s;
  pid = fork ();
  if (pid == 0)
    {
      nr_error_t err = NULL;
      s.rc = 1;
      if (nr_caps_before_setuid (caps, &err) == 0 && setresgid (uid, uid, uid) == 0
          && setresuid (uid, uid, uid) == 0 && nr_caps_after_setuid (caps, &err) == 0)
        s = (struct sets) { 0, status_mask ("CapBnd"), status_mask ("CapEff"), status_mask ("CapPrm"),
                            status_mask ("CapInh"), status_mask ("CapAmb") };
      else
        diag ("apply: %s", err ? err->msg : "setresuid");
      if (write (p[1], &s, sizeof s) < 0)
        _exit (2);
      _exit (0);
    }
  close (p[1]);
  if (read (p[0], &s, sizeof s) != sizeof s)
    s.rc = -1;
  close (p[0]);
  waitpid (pid, NULL, 0);
  return s;
}

static uint64_t
mask_of (char **names)
{
  uint64_t m = 0;
  for (; *names; names++)
    m |= NR_CAP_BIT (nr_cap_from_name (*names));
  return m;
}

static void
test_apply (void)
{
  char *docker[] = { "CAP_CHOWN",        "CAP_DAC_OVERRIDE", "CAP_FSETID",   "CAP_FOWNER",         "CAP_MKNOD",
                     "CAP_NET_RAW",      "CAP_SETGID",       "CAP_SETUID",   "CAP_SETFCAP",        "CAP_SETPCAP",
                     "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL",   "CAP_AUDIT_WRITE",    NULL };
  char *nbs[] = { "CAP_NET_BIND_SERVICE", NULL };
  uint64_t host = nr_caps_host_bounding () & nr_caps_host_permitted ();
  struct oci_capabilities d = { .bounding = docker, .effective = docker, .permitted = docker };
  struct oci_capabilities priv = { .bounding = all_names, .effective = all_names, .permitted = all_names };
  struct oci_capabilities amb = { .bounding = docker, .effective = nbs, .permitted = nbs, .inheritable = nbs,
                                  .ambient = nbs };
  struct nr_caps caps;
  nr_error_t err = NULL;
  struct sets s;
  char *log;

  if (geteuid () != 0 || !(host & NR_CAP_BIT (CAP_SETPCAP)))
    {
      skip (9, "needs root");
      return;
    }
  nr_caps_prepare (&d, &caps, &err);
  s = apply_in_child (&caps, 0);
  ok (s.rc == 0 && s.bnd == mask_of (docker) && s.eff == mask_of (docker) && s.prm == mask_of (docker)
          && s.inh == 0 && s.amb == 0,
      "Docker's default set as root");
  s = apply_in_child (&caps, 1000);
  ok (s.rc == 0 && s.bnd == mask_of (docker) && s.eff == mask_of (docker) && s.prm == mask_of (docker),
      "Docker's default set kept across setuid to 1000 (KEEPCAPS)");

  drop_log ();
  ok (nr_caps_prepare (&priv, &caps, &err) == 0, "--privileged caps prepared");
  log = take_log ();
  if (host & NR_CAP_BIT (CAP_SYS_RESOURCE))
    is_str (log, "", "host has every capability: no warning");
  else
    like (log, "were not granted: CAP_SYS_RESOURCE", "host lacks CAP_SYS_RESOURCE: warned");
  free (log);
  s = apply_in_child (&caps, 0);
  is_int (s.rc, 0, "--privileged applies where runc fails");
  is_int (s.eff, nr_caps_host_bounding (), "effective = the host's bounding set");
  is_int (s.bnd, nr_caps_host_bounding (), "bounding unchanged");

  nr_caps_prepare (&amb, &caps, &err);
  s = apply_in_child (&caps, 1000);
  ok (s.rc == 0 && s.amb == NR_CAP_BIT (CAP_NET_BIND_SERVICE) && s.eff == NR_CAP_BIT (CAP_NET_BIND_SERVICE),
      "ambient CAP_NET_BIND_SERVICE raised for uid 1000");
  is_int (s.bnd, mask_of (docker), "bounding set dropped to the config's");
  drop_log ();
}

/* ---- rlimits and oom_score_adj through the seam ------------------------------------ */

static struct
{
  struct rlimit cur;
  bool can_raise; /* CAP_SYS_RESOURCE */
  long long nr_open;
  int set_errno;
  int oom, oom_min, oom_errno;
} F;

static int
f_get (int r, struct rlimit *rl)
{
  (void) r;
  *rl = F.cur;
  return 0;
}

static int
f_set (int r, const struct rlimit *rl)
{
  errno = F.set_errno ? F.set_errno
          : rl->rlim_cur > rl->rlim_max ? EINVAL
          : r == RLIMIT_NOFILE && F.nr_open > 0 && rl->rlim_max > (rlim_t) F.nr_open ? EPERM
          : rl->rlim_max > F.cur.rlim_max && !F.can_raise ? EPERM
                                                          : 0;
  if (errno)
    return -1;
  F.cur = *rl;
  return 0;
}

static long long f_nr_open (void) { return F.nr_open; }

static int
f_oom_read (int *v)
{
  *v = F.oom;
  return 0;
}

static int
f_oom_write (int v)
{
  errno = F.oom_errno ? F.oom_errno : v < F.oom_min ? EACCES : 0;
  if (errno)
    return -1;
  F.oom = v;
  return 0;
}

static const struct nr_rlimit_ops fake = { f_get, f_set, f_nr_open, f_oom_read, f_oom_write };

static void
test_rlimits (void)
{
  struct oci_rlimit podman = { .type = "RLIMIT_NOFILE", .resource = RLIMIT_NOFILE, .hard = 1048576, .soft = 1048576 };
  struct oci_rlimit low_soft = { .type = "RLIMIT_NOFILE", .resource = RLIMIT_NOFILE, .hard = 1048576, .soft = 1024 };
  struct oci_rlimit bad = { .type = "RLIMIT_NPROC", .resource = RLIMIT_NPROC, .hard = 10, .soft = 20 };
  nr_error_t err = NULL;
  char *log;

  F = (typeof (F)) { .cur = { 20000, 20000 }, .nr_open = 1048576 };
  ok (nr_rlimits_apply_ops (&fake, &podman, 1, &err) == 0, "podman's RLIMIT_NOFILE without CAP_SYS_RESOURCE");
  log = take_log ();
  ok (F.cur.rlim_max == 20000 && F.cur.rlim_cur == 20000, "clamped to the current hard limit");
  like (log, "msg=\"rlimit RLIMIT_NOFILE: hard 1048576 above the allowed 20000, set to 20000 (soft 1048576 set to 20000)\"",
        "warning names asked and given");
  free (log);

  F = (typeof (F)) { .cur = { 20000, 20000 }, .nr_open = 1048576 };
  ok (nr_rlimits_apply_ops (&fake, &low_soft, 1, &err) == 0 && F.cur.rlim_cur == 1024 && F.cur.rlim_max == 20000,
      "a soft limit below the clamp is kept");
  log = take_log ();
  like (log, "msg=\"rlimit RLIMIT_NOFILE: hard 1048576 above the allowed 20000, set to 20000\"", "warning");
  free (log);

  F = (typeof (F)) { .cur = { 1024, 4096 }, .can_raise = true, .nr_open = 524288 };
  ok (nr_rlimits_apply_ops (&fake, &podman, 1, &err) == 0 && F.cur.rlim_max == 524288 && F.cur.rlim_cur == 524288,
      "with CAP_SYS_RESOURCE, NOFILE above fs.nr_open is clamped to fs.nr_open");
  log = take_log ();
  like (log, "above the allowed 524288, set to 524288", "warning names fs.nr_open");
  free (log);

  F = (typeof (F)) { .cur = { 20000, 20000 }, .can_raise = true };
  ok (nr_rlimits_apply_ops (&fake, &podman, 1, &err) == 0 && F.cur.rlim_max == 1048576, "allowed: set as asked");
  log = take_log ();
  is_str (log, "", "no warning");
  free (log);

  F = (typeof (F)) { .cur = { 20000, 20000 }, .set_errno = EINVAL };
  ok (nr_rlimits_apply_ops (&fake, &podman, 1, &err) < 0, "an error other than EPERM is an error");
  like (err ? err->msg : NULL, "setrlimit RLIMIT_NOFILE (soft 1048576, hard 1048576): Invalid argument", "message");
  nr_error_free (&err);

  F = (typeof (F)) { .cur = { 20000, 20000 } };
  ok (nr_rlimits_apply_ops (&fake, &bad, 1, &err) < 0, "soft above hard refused");
  like (err ? err->msg : NULL, "rlimit RLIMIT_NPROC: soft 20 above hard 10", "message");
  nr_error_free (&err);
  drop_log ();
}

static void
test_oom (void)
{
  nr_error_t err = NULL;
  char *log;

  F = (typeof (F)) { .oom = 0, .oom_min = -500 };
  ok (nr_oom_score_adj_apply_ops (&fake, -998, &err) == 0 && F.oom == -500, "-998 below the minimum -500: set to -500");
  log = take_log ();
  like (log, "msg=\"oom_score_adj -998 not permitted (no CAP_SYS_RESOURCE), set to -500, the lowest allowed\"",
        "warning names asked and given");
  free (log);

  F = (typeof (F)) { .oom = 0, .oom_min = 0 };
  ok (nr_oom_score_adj_apply_ops (&fake, -998, &err) == 0 && F.oom == 0, "minimum 0: kept at 0");
  log = take_log ();
  like (log, "msg=\"oom_score_adj -998 not permitted (no CAP_SYS_RESOURCE), kept at 0\"", "warning");
  free (log);

  F = (typeof (F)) { .oom = 100, .oom_min = 100 };
  ok (nr_oom_score_adj_apply_ops (&fake, 500, &err) == 0 && F.oom == 500, "raising is always allowed");
  F = (typeof (F)) { .oom = 0, .oom_min = -1000 };
  ok (nr_oom_score_adj_apply_ops (&fake, -998, &err) == 0 && F.oom == -998, "allowed: set as asked");
  log = take_log ();
  is_str (log, "", "no warning");
  free (log);

  F = (typeof (F)) { .oom_errno = EIO };
  ok (nr_oom_score_adj_apply_ops (&fake, -998, &err) < 0, "EIO is an error");
  like (err ? err->msg : NULL, "write oom_score_adj -998: Input/output error", "message");
  nr_error_free (&err);
  ok (nr_oom_score_adj_apply_ops (&fake, 1001, &err) < 0, "out of range");
  nr_error_free (&err);
}

/* The real syscalls, in a child: whatever this host allows, the result is consistent. */
static void
test_real (void)
{
  struct rlimit before;
  pid_t pid;
  int st = -1;

  getrlimit (RLIMIT_NOFILE, &before);
  pid = fork ();
  if (pid == 0)
    {
      struct oci_rlimit r = { .type = "RLIMIT_NOFILE", .resource = RLIMIT_NOFILE, .soft = 1024,
                              .hard = before.rlim_max == RLIM_INFINITY ? before.rlim_max : before.rlim_max + 4096 };
      struct rlimit after;
      nr_error_t err = NULL;
      int oom = 1;
      if (nr_rlimits_apply (&r, 1, &err) < 0 || getrlimit (RLIMIT_NOFILE, &after) < 0)
        _exit (1);
      if (after.rlim_max != r.hard && after.rlim_max != before.rlim_max)
        _exit (2);
      if (nr_oom_score_adj_apply (-998, &err) < 0 || nr_rlimit_sys_ops.oom_read (&oom) < 0 || oom > 0)
        _exit (3);
      if (nr_oom_score_adj_apply (oom + 10, &err) < 0 || nr_rlimit_sys_ops.oom_read (&oom) < 0)
        _exit (4);
      _exit (0);
    }
  waitpid (pid, &st, 0);
  is_int (WIFEXITED (st) ? WEXITSTATUS (st) : -1, 0, "real RLIMIT_NOFILE raise and oom_score_adj -998: applied or clamped");
  char *log = take_log ();
  for (char *line = strtok (log, "\n"); line; line = strtok (NULL, "\n"))
    diag ("host: %s", line);
  free (log);
}

int
main (void)
{
  nr_error_t err = NULL;

  log_fd = memfd_create ("log", MFD_CLOEXEC);
  if (log_fd < 0 || nr_log_open (NULL, "text", false, &err) < 0)
    bail_out ("log");
  nr_log_set_fd (log_fd);
  fill_all_names ();

  test_names ();
  test_prepare_intersection ();
  test_prepare_unknown ();
  test_apply ();
  test_rlimits ();
  test_oom ();
  test_real ();
  return done_testing ();
}
