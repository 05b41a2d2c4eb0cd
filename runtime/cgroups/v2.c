/* SPDX-License-Identifier: Apache-2.0 */
/* cgroup v2 resource writers (runc's libcontainer/cgroups/fs2 semantics and
   conversions), all into the container's one directory.  Devices live in devices.c. */
#include "config.h"
#include "runtime/cgroups/internal.h"
#include "common/cleanup.h"
#include "common/log.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t
nr_cg_shares_to_weight (uint64_t shares)
{
  if (shares == 0)
    return 0;
  if (shares < 2)
    shares = 2;
  return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t
nr_cg_blkio_to_io_weight (uint64_t weight)
{
  if (weight == 0)
    return 0;
  if (weight < 10)
    weight = 10;
  return 1 + (weight - 10) * 9999 / 990;
}

int
nr_cg_swap_v2 (int64_t swap, int64_t limit, int64_t *out, nr_error_t *err)
{
  /* memory unlimited and swap unset: both unlimited, as on v1 */
  if (limit == -1 && swap == 0)
    *out = -1;
  else if (swap == -1 || swap == 0)
    *out = swap;
  else if (limit == 0 || limit == -1)
    return nr_error (err, EINVAL, "unable to set swap limit without memory limit");
  else if (limit < 0)
    return nr_error (err, EINVAL, "invalid memory value: %" PRId64, limit);
  else if (swap < limit)
    return nr_error (err, EINVAL, "memory+swap limit (%" PRId64 ") should be >= memory limit (%" PRId64 ")",
                     swap, limit);
  else
    *out = swap - limit;
  return 0;
}

static bool
available (const char *dir, const char *ctrl)
{
  _cleanup_free_ char *text = NULL;
  nr_error_t e = NULL;
  if (nr_cg_read (dir, "cgroup.controllers", &text, &e) < 0)
    {
      nr_error_free (&e);
      return false;
    }
  for (char *save = NULL, *t = strtok_r (text, " \n", &save); t; t = strtok_r (NULL, " \n", &save))
    if (strcmp (t, ctrl) == 0)
      return true;
  return false;
}

/* A missing file usually means the controller is not enabled here: say so. */
static int
put (const char *dir, const char *file, const char *val, nr_error_t *err)
{
  if (nr_cg_write (dir, file, val, err) == 0)
    return 0;
  if ((*err)->status != ENOENT)
    return -1;
  _cleanup_free_ char *ctrl = strndup (file, strcspn (file, "."));
  if (ctrl && strcmp (ctrl, "cgroup") != 0 && !available (dir, ctrl))
    return nr_error_wrap (err, "the \"%s\" controller is not available in \"%s\"", ctrl, dir);
  return -1;
}

static int
putf (const char *dir, const char *file, nr_error_t *err, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));

static int
putf (const char *dir, const char *file, nr_error_t *err, const char *fmt, ...)
{
  _cleanup_free_ char *val = NULL;
  va_list ap;
  va_start (ap, fmt);
  int r = vasprintf (&val, fmt, ap);
  va_end (ap);
  if (r < 0)
    abort ();
  return put (dir, file, val, err);
}

void
nr_cg_v2_enable_controllers (const char *dir)
{
  _cleanup_free_ char *avail = NULL, *on = NULL, *all = NULL;
  nr_error_t e = NULL;
  if (nr_cg_read (dir, "cgroup.controllers", &avail, &e) < 0 || nr_cg_read (dir, "cgroup.subtree_control", &on, &e) < 0)
    {
      nr_error_free (&e);
      return;
    }
  all = calloc (1, 2 * strlen (avail) + 2);
  if (all == NULL)
    abort ();
  for (char *p = on; *p; p++) /* "cpu memory" (fake trees: "+cpu +memory") → ",cpu,memory" */
    if (*p == ' ' || *p == '\n' || *p == '+')
      *p = ',';
  for (char *save = NULL, *t = strtok_r (avail, " \n", &save); t; t = strtok_r (NULL, " \n", &save))
    {
      if (nr_cg_ctrls_has (on, t))
        continue;
      strcat (all, *all ? " +" : "+");
      strcat (all, t);
    }
  if (*all == '\0' || nr_cg_write (dir, "cgroup.subtree_control", all, &e) == 0)
    return;
  nr_error_free (&e);
  /* one by one: some may be refused (threaded, or delegated away) */
  for (char *save = NULL, *t = strtok_r (all, " ", &save); t; t = strtok_r (NULL, " ", &save))
    if (nr_cg_write (dir, "cgroup.subtree_control", t, &e) < 0)
      {
        nr_debug ("enable controller %s in \"%s\": %s", t + 1, dir, e->msg);
        nr_error_free (&e);
      }
}

static const char *
num_or_max (int64_t v, char buf[static 32])
{
  if (v == -1)
    return "max";
  snprintf (buf, 32, "%" PRId64, v);
  return buf;
}

static int
check_usage (const char *dir, const struct oci_resources *r, nr_error_t *err)
{
  uint64_t cur;
  if (!r->has_mem_check_before_update || !r->mem_check_before_update || !r->has_mem_limit || r->mem_limit <= 0)
    return 0;
  if (nr_cg_read_u64 (dir, "memory.current", &cur, err) < 0)
    return -1;
  if (cur >= (uint64_t) r->mem_limit)
    return nr_error (err, EBUSY, "rejecting memory limit %" PRId64 " below current usage %" PRIu64,
                     r->mem_limit, cur);
  return 0;
}

static int
v2_memory (const char *dir, const struct oci_resources *r, nr_error_t *err)
{
  int64_t limit = r->has_mem_limit ? r->mem_limit : 0, swap = r->has_mem_swap ? r->mem_swap : 0, sw;
  int64_t low = r->has_mem_reservation ? r->mem_reservation : 0;
  char buf[32];
  if (r->has_mem_kernel || r->has_mem_kernel_tcp)
    nr_warn ("kernel memory limits are not supported on cgroup v2, ignored");
  if (limit == 0 && swap == 0 && low == 0)
    return 0;
  if (check_usage (dir, r, err) < 0 || nr_cg_swap_v2 (swap, limit, &sw, err) < 0)
    return -1;
  const char *s = sw == 0 ? (swap > 0 ? "0" : NULL) : num_or_max (sw, buf);
  if (s)
    {
      /* no swap accounting: "max" and "0" are what we have anyway */
      int w = nr_cg_write_opt (dir, "memory.swap.max", s, err);
      if (w < 0)
        return -1;
      if (w == 0 && strcmp (s, "max") != 0 && strcmp (s, "0") != 0)
        return put (dir, "memory.swap.max", s, err);
    }
  if (limit && put (dir, "memory.max", num_or_max (limit, buf), err) < 0)
    return -1;
  if (low && put (dir, "memory.low", num_or_max (low, buf), err) < 0)
    return -1;
  return 0;
}

static int
v2_cpu_max (const char *dir, const struct oci_resources *r, nr_error_t *err)
{
  bool quota = r->has_cpu_quota && r->cpu_quota != 0, period = r->has_cpu_period && r->cpu_period != 0;
  bool retry_burst = false;
  char v[64];
  if (r->has_cpu_burst)
    {
      snprintf (v, sizeof v, "%" PRIu64, r->cpu_burst);
      int w = nr_cg_write_opt (dir, "cpu.max.burst", v, err);
      if (w < 0 && (*err)->status == EINVAL && quota)
        {
          nr_error_free (err); /* retried once the quota is in */
          retry_burst = true;
        }
      else if (w < 0)
        return -1;
    }
  if (!quota && !period)
    return 0;
  int n = quota && r->cpu_quota > 0 ? snprintf (v, sizeof v, "%" PRId64, r->cpu_quota) : snprintf (v, sizeof v, "max");
  if (period)
    snprintf (v + n, sizeof v - n, " %" PRIu64, r->cpu_period);
  if (put (dir, "cpu.max", v, err) < 0)
    return -1;
  return retry_burst ? putf (dir, "cpu.max.burst", err, "%" PRIu64, r->cpu_burst) : 0;
}

static int
v2_cpu (const char *dir, const struct oci_resources *r, nr_error_t *err)
{
  if ((r->has_cpu_realtime_period && r->cpu_realtime_period)
      || (r->has_cpu_realtime_runtime && r->cpu_realtime_runtime))
    nr_warn ("realtime cpu limits are not supported on cgroup v2, ignored");
  if (r->has_cpu_shares && r->cpu_shares
      && putf (dir, "cpu.weight", err, "%" PRIu64, nr_cg_shares_to_weight (r->cpu_shares)) < 0)
    return -1;
  if (v2_cpu_max (dir, r, err) < 0)
    return -1;
  if (r->has_cpu_idle && putf (dir, "cpu.idle", err, "%" PRId64, r->cpu_idle) < 0)
    return -1;
  if (r->cpu_cpus && *r->cpu_cpus && put (dir, "cpuset.cpus", r->cpu_cpus, err) < 0)
    return -1;
  if (r->cpu_mems && *r->cpu_mems && put (dir, "cpuset.mems", r->cpu_mems, err) < 0)
    return -1;
  return 0;
}

static const char *const io_keys[4] = { "rbps", "wbps", "riops", "wiops" };

static int
v2_io (const char *dir, const struct oci_resources *r, nr_error_t *err)
{
  bool weight = r->has_blkio_weight && r->blkio_weight;
  bool bfq = (weight || r->n_blkio_weight_devices) && nr_cg_exists (dir, "io.bfq.weight");
  if (weight && bfq && putf (dir, "io.bfq.weight", err, "%u", r->blkio_weight) < 0)
    return -1;
  if (weight && !bfq && putf (dir, "io.weight", err, "%" PRIu64, nr_cg_blkio_to_io_weight (r->blkio_weight)) < 0)
    return -1;
  for (size_t i = 0; i < r->n_blkio_weight_devices; i++)
    {
      const struct oci_weight_device *w = &r->blkio_weight_devices[i];
      if (!w->has_weight || !w->weight)
        continue;
      if (!bfq) /* only BFQ has per-device weights; runc skips them too */
        {
          nr_warn ("blkio weight for device %" PRId64 ":%" PRId64 " ignored: no BFQ scheduler (\"%s/io.bfq.weight\")",
                   w->major, w->minor, dir);
          continue;
        }
      if (putf (dir, "io.bfq.weight", err, "%" PRId64 ":%" PRId64 " %u", w->major, w->minor, w->weight) < 0)
        return -1;
    }
  for (size_t k = 0; k < 4; k++)
    for (size_t i = 0; i < r->n_blkio_throttle[k]; i++)
      {
        const struct oci_throttle_device *t = &r->blkio_throttle[k][i];
        if (putf (dir, "io.max", err, "%" PRId64 ":%" PRId64 " %s=%" PRIu64, t->major, t->minor, io_keys[k],
                  t->rate) < 0)
          return -1;
      }
  return 0;
}

static int
v2_hugetlb (const char *dir, const struct oci_resources *r, nr_error_t *err)
{
  for (size_t i = 0; i < r->n_hugepage_limits; i++)
    {
      const struct oci_hugepage_limit *h = &r->hugepage_limits[i];
      char file[128], val[32];
      if (h->page_size == NULL || strchr (h->page_size, '/') || strlen (h->page_size) > 64)
        return nr_error (err, EINVAL, "invalid hugepage size \"%s\"", h->page_size ? h->page_size : "");
      snprintf (val, sizeof val, "%" PRIu64, h->limit);
      snprintf (file, sizeof file, "hugetlb.%s.max", h->page_size);
      if (put (dir, file, val, err) < 0)
        return -1;
      snprintf (file, sizeof file, "hugetlb.%s.rsvd.max", h->page_size);
      if (nr_cg_write_opt (dir, file, val, err) < 0)
        return -1;
    }
  return 0;
}

/* Each line is its own write, as runc's WriteFileByLine. */
static int
unified_one (const char *dir, const struct oci_kv *kv, nr_error_t *err)
{
  if (kv->key == NULL || *kv->key == '\0' || strchr (kv->key, '/'))
    return nr_error (err, EINVAL, "unified resource \"%s\" must be a file name (no slashes)", kv->key ? kv->key : "");
  const char *dot = strchr (kv->key, '.');
  if (dot == NULL)
    return nr_error (err, EINVAL, "unified resource \"%s\" must be in the form CONTROLLER.PARAMETER", kv->key);
  _cleanup_free_ char *ctrl = strndup (kv->key, dot - kv->key), *val = strdup (kv->value ? kv->value : "");
  if (ctrl == NULL || val == NULL)
    abort ();
  for (char *save = NULL, *line = strtok_r (val, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      if (nr_cg_write (dir, kv->key, line, err) == 0)
        continue;
      int e = (*err)->status;
      if ((e == ENOENT || e == EPERM) && strcmp (ctrl, "cgroup") != 0 && !available (dir, ctrl))
        {
          nr_error_free (err);
          return nr_error (err, e, "unified resource \"%s\" can't be set: controller \"%s\" not available",
                           kv->key, ctrl);
        }
      return -1;
    }
  return 0;
}

int
nr_cg_v2_apply (const char *dir, const struct oci_resources *r, nr_error_t *err)
{
  if (r->has_rdma)
    return nr_error (err, ENOTSUP, "rdma resources are not supported");
  if ((r->has_net_class_id && r->net_class_id) || r->n_net_priorities)
    nr_warn ("network class id and priorities need cgroup v1 (net_cls, net_prio), ignored");
  if (r->has_mem_swappiness && r->mem_swappiness != UINT64_MAX)
    nr_debug ("memory swappiness is not supported on cgroup v2, ignored");
  if (r->has_pids_limit && r->pids_limit < 0 && put (dir, "pids.max", "max", err) < 0)
    return -1;
  if (r->has_pids_limit && r->pids_limit > 0 && putf (dir, "pids.max", err, "%" PRId64, r->pids_limit) < 0)
    return -1;
  if (v2_memory (dir, r, err) < 0 || v2_io (dir, r, err) < 0 || v2_cpu (dir, r, err) < 0
      || v2_hugetlb (dir, r, err) < 0)
    return -1;
  for (size_t i = 0; i < r->n_unified; i++)
    if (unified_one (dir, &r->unified[i], err) < 0)
      return -1;
  return 0;
}
