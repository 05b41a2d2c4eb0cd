/* SPDX-License-Identifier: Apache-2.0 */
/* rlimits and oom_score_adj, clamped where only CAP_SYS_RESOURCE would allow them. */
#include <config.h> /* autoconf; "config.h" would find oci/config.h */
#include "runtime/rlimits.h"
#include "common/cleanup.h"
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* ---- the real syscalls ------------------------------------------------------ */

static int
sys_getrlimit (int resource, struct rlimit *rl)
{
  return prlimit (0, (__rlimit_resource_t) resource, NULL, rl);
}

static int
sys_setrlimit (int resource, const struct rlimit *rl)
{
  return prlimit (0, (__rlimit_resource_t) resource, rl, NULL);
}

static long long
sys_nr_open (void)
{
  _cleanup_fclose_ FILE *f = fopen ("/proc/sys/fs/nr_open", "re");
  long long v = -1;
  if (f == NULL || fscanf (f, "%lld", &v) != 1)
    return -1;
  return v;
}

static int
sys_oom_read (int *value)
{
  _cleanup_fclose_ FILE *f = fopen ("/proc/self/oom_score_adj", "re");
  if (f == NULL)
    return -1;
  if (fscanf (f, "%d", value) != 1)
    {
      errno = EINVAL;
      return -1;
    }
  return 0;
}

static int
sys_oom_write (int value)
{
  _cleanup_close_ int fd = open ("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
  char buf[16];
  int len = snprintf (buf, sizeof buf, "%d", value);

  if (fd < 0)
    return -1;
  return write (fd, buf, (size_t) len) == len ? 0 : -1;
}

const struct nr_rlimit_ops nr_rlimit_sys_ops = {
  .getrlimit = sys_getrlimit,
  .setrlimit = sys_setrlimit,
  .nr_open = sys_nr_open,
  .oom_read = sys_oom_read,
  .oom_write = sys_oom_write,
};

/* ---- rlimits ------------------------------------------------------------------ */

static const char *
fmt_lim (char buf[static 24], rlim_t v)
{
  if (v == RLIM_INFINITY)
    return "unlimited";
  snprintf (buf, 24, "%llu", (unsigned long long) v);
  return buf;
}

static int
set_error (const char *name, const struct rlimit *rl, int errno_, nr_error_t *err)
{
  char s[24], h[24];
  return nr_error (err, errno_, "setrlimit %s (soft %s, hard %s)", name, fmt_lim (s, rl->rlim_cur),
                   fmt_lim (h, rl->rlim_max));
}

static void
warn_clamped (const char *name, const struct rlimit *want, const struct rlimit *got)
{
  char a[24], b[24], c[24], d[24];
  if (want->rlim_cur != got->rlim_cur)
    nr_warn ("rlimit %s: hard %s above the allowed %s, set to %s (soft %s set to %s)", name,
             fmt_lim (a, want->rlim_max), fmt_lim (b, got->rlim_max), fmt_lim (b, got->rlim_max),
             fmt_lim (c, want->rlim_cur), fmt_lim (d, got->rlim_cur));
  else
    nr_warn ("rlimit %s: hard %s above the allowed %s, set to %s", name, fmt_lim (a, want->rlim_max),
             fmt_lim (b, got->rlim_max), fmt_lim (b, got->rlim_max));
}

/* Try hard = limit (soft no higher); 0, or -1 with errno. */
static int
try_clamped (const struct nr_rlimit_ops *ops, int resource, const struct rlimit *want, rlim_t limit,
             struct rlimit *got)
{
  got->rlim_max = limit;
  got->rlim_cur = want->rlim_cur < limit ? want->rlim_cur : limit;
  return ops->setrlimit (resource, got);
}

static int
apply_one (const struct nr_rlimit_ops *ops, const struct oci_rlimit *r, nr_error_t *err)
{
  const char *name = r->type ? r->type : "rlimit";
  struct rlimit want = { .rlim_cur = (rlim_t) r->soft, .rlim_max = (rlim_t) r->hard }, cur, got;
  long long nr_open;

  if (r->soft > r->hard)
    return nr_error (err, EINVAL, "rlimit %s: soft %llu above hard %llu", name, (unsigned long long) r->soft,
                     (unsigned long long) r->hard);
  if (ops->setrlimit (r->resource, &want) == 0)
    return 0;
  if (errno != EPERM)
    return set_error (name, &want, errno, err);
  if (ops->getrlimit (r->resource, &cur) < 0)
    return nr_error (err, errno, "getrlimit %s", name);
  if (want.rlim_max <= cur.rlim_max)
    return set_error (name, &want, EPERM, err); /* not a raise: nothing to clamp */
  /* RLIMIT_NOFILE's hard limit is also capped at fs.nr_open, even with CAP_SYS_RESOURCE:
     that is the nearest allowed value when it is above the current hard limit */
  nr_open = r->resource == RLIMIT_NOFILE ? ops->nr_open () : -1;
  if (nr_open > 0 && (rlim_t) nr_open > cur.rlim_max && (rlim_t) nr_open < want.rlim_max)
    {
      if (try_clamped (ops, r->resource, &want, (rlim_t) nr_open, &got) == 0)
        goto clamped;
      if (errno != EPERM)
        return set_error (name, &got, errno, err);
    }
  if (try_clamped (ops, r->resource, &want, cur.rlim_max, &got) < 0)
    return set_error (name, &got, errno, err);
clamped:
  warn_clamped (name, &want, &got);
  return 0;
}

int
nr_rlimits_apply_ops (const struct nr_rlimit_ops *ops, const struct oci_rlimit *r, size_t n, nr_error_t *err)
{
  for (size_t i = 0; i < n; i++)
    if (apply_one (ops, &r[i], err) < 0)
      return -1;
  return 0;
}

int
nr_rlimits_apply (const struct oci_rlimit *r, size_t n, nr_error_t *err)
{
  return nr_rlimits_apply_ops (&nr_rlimit_sys_ops, r, n, err);
}

/* ---- oom_score_adj ---------------------------------------------------------------- */

static bool
is_perm (int e)
{
  return e == EACCES || e == EPERM;
}

int
nr_oom_score_adj_apply_ops (const struct nr_rlimit_ops *ops, int wanted, nr_error_t *err)
{
  int cur, lo, hi;

  if (wanted < -1000 || wanted > 1000)
    return nr_error (err, EINVAL, "oom_score_adj %d out of range (-1000 to 1000)", wanted);
  if (ops->oom_write (wanted) == 0)
    return 0;
  if (!is_perm (errno))
    return nr_error (err, errno, "write oom_score_adj %d", wanted);
  if (ops->oom_read (&cur) < 0)
    return nr_error (err, errno, "read oom_score_adj");
  if (cur <= wanted)
    return nr_error (err, EACCES, "write oom_score_adj %d", wanted); /* raising never needs a cap */
  /* lo is refused, hi is allowed and is the value in place: every successful write
     lowers hi, so the kernel always holds hi */
  lo = wanted;
  hi = cur;
  while (hi - lo > 1)
    {
      int mid = lo + (hi - lo) / 2;
      if (ops->oom_write (mid) == 0)
        hi = mid;
      else if (is_perm (errno))
        lo = mid;
      else
        return nr_error (err, errno, "write oom_score_adj %d", mid);
    }
  if (hi == cur)
    nr_warn ("oom_score_adj %d not permitted (no CAP_SYS_RESOURCE), kept at %d", wanted, cur);
  else
    nr_warn ("oom_score_adj %d not permitted (no CAP_SYS_RESOURCE), set to %d, the lowest allowed", wanted, hi);
  return 0;
}

int
nr_oom_score_adj_apply (int wanted, nr_error_t *err)
{
  return nr_oom_score_adj_apply_ops (&nr_rlimit_sys_ops, wanted, err);
}
