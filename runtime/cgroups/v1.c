/* SPDX-License-Identifier: Apache-2.0 */
/* cgroup v1 resource writers, one per controller, in runc's order and with its
   semantics (libcontainer/cgroups/fs).  A value the spec leaves out, or sets to
   0 where runc treats 0 as "unset", is not written.  Devices live in devices.c. */
#include "config.h"
#include "runtime/cgroups/internal.h"
#include "common/cleanup.h"
#include "common/log.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *
need (const struct nr_cgroup *cg, const char *ctrl, const char *what, nr_error_t *err)
{
  const struct nr_cg_dir *d = nr_cg_find (cg, ctrl);
  if (d == NULL)
    nr_error (err, ENOENT, "cannot set %s: the \"%s\" cgroup controller is not mounted", what, ctrl);
  return d ? d->path : NULL;
}

/* ---- memory -------------------------------------------------------------------- */

static int
set_limit (const char *dir, int64_t v, nr_error_t *err)
{
  if (v == 0)
    return 0;
  if (nr_cg_writef (dir, "memory.limit_in_bytes", err, "%" PRId64, v) == 0)
    return 0;
  if ((*err)->status != EBUSY)
    return -1;
  /* EBUSY: below what the cgroup already uses */
  uint64_t usage = 0, peak = 0;
  nr_error_t e = NULL;
  nr_cg_read_u64 (dir, "memory.usage_in_bytes", &usage, &e);
  nr_error_free (&e);
  nr_cg_read_u64 (dir, "memory.max_usage_in_bytes", &peak, &e);
  nr_error_free (&e);
  nr_error_free (err);
  return nr_error (err, EBUSY, "unable to set memory limit to %" PRId64 " (current usage: %" PRIu64
                               ", peak usage: %" PRIu64 ")", v, usage, peak);
}

static int
set_swap (const char *dir, int64_t v, nr_error_t *err)
{
  if (v == 0)
    return 0;
  return nr_cg_writef (dir, "memory.memsw.limit_in_bytes", err, "%" PRId64, v);
}

/* memory.memsw.limit_in_bytes is memory+swap and must stay >= the memory limit:
   write in the order that keeps that true at every step (runc's setMemoryAndSwap). */
static int
memory_and_swap (const char *dir, const struct oci_resources *r, nr_error_t *err)
{
  int64_t limit = r->has_mem_limit ? r->mem_limit : 0, swap = r->has_mem_swap ? r->mem_swap : 0;
  if (limit == -1 && swap == 0 && nr_cg_exists (dir, "memory.memsw.limit_in_bytes"))
    swap = -1;
  if (limit != 0 && swap != 0)
    {
      uint64_t cur;
      if (nr_cg_read_u64 (dir, "memory.limit_in_bytes", &cur, err) < 0)
        return -1;
      if (swap == -1 || cur < (uint64_t) swap)
        return set_swap (dir, swap, err) < 0 ? -1 : set_limit (dir, limit, err);
    }
  if (set_limit (dir, limit, err) < 0)
    return -1;
  return set_swap (dir, swap, err);
}

/* Kernel memory limits are gone from recent kernels: missing or refused is a warning. */
static int
kmem (const char *dir, const char *file, int64_t v, nr_error_t *err)
{
  char val[32];
  snprintf (val, sizeof val, "%" PRId64, v);
  int r = nr_cg_write_opt (dir, file, val, err);
  if (r < 0 && ((*err)->status == EOPNOTSUPP || (*err)->status == EINVAL))
    {
      nr_error_free (err);
      r = 0;
    }
  if (r == 0)
    nr_warn ("%s: not supported by this kernel, ignored", file);
  return r < 0 ? -1 : 0;
}

static int
v1_memory (const struct nr_cgroup *cg, const struct oci_resources *r, nr_error_t *err)
{
  bool any = (r->has_mem_limit && r->mem_limit) || (r->has_mem_swap && r->mem_swap)
             || (r->has_mem_reservation && r->mem_reservation) || r->has_mem_kernel || r->has_mem_kernel_tcp
             || r->has_mem_swappiness || (r->has_mem_disable_oom_killer && r->mem_disable_oom_killer);
  if (!any)
    return 0;
  const char *dir = need (cg, "memory", "memory limits", err);
  if (dir == NULL || memory_and_swap (dir, r, err) < 0)
    return -1;
  if (r->has_mem_kernel && kmem (dir, "memory.kmem.limit_in_bytes", r->mem_kernel, err) < 0)
    return -1;
  if (r->has_mem_kernel_tcp && kmem (dir, "memory.kmem.tcp.limit_in_bytes", r->mem_kernel_tcp, err) < 0)
    return -1;
  if (r->has_mem_reservation && r->mem_reservation
      && nr_cg_writef (dir, "memory.soft_limit_in_bytes", err, "%" PRId64, r->mem_reservation) < 0)
    return -1;
  if (r->has_mem_disable_oom_killer && r->mem_disable_oom_killer
      && nr_cg_write (dir, "memory.oom_control", "1", err) < 0)
    return -1;
  if (!r->has_mem_swappiness || r->mem_swappiness == UINT64_MAX) /* -1: leave alone */
    return 0;
  if (r->mem_swappiness > 100)
    return nr_error (err, EINVAL, "invalid memory swappiness value: %" PRIu64 " (valid range is 0-100)",
                     r->mem_swappiness);
  return nr_cg_writef (dir, "memory.swappiness", err, "%" PRIu64, r->mem_swappiness);
}

/* ---- cpu ----------------------------------------------------------------------- */

static int
cpu_shares (const char *dir, uint64_t shares, nr_error_t *err)
{
  uint64_t got;
  if (nr_cg_writef (dir, "cpu.shares", err, "%" PRIu64, shares) < 0
      || nr_cg_read_u64 (dir, "cpu.shares", &got, err) < 0)
    return -1;
  if (shares > got)
    return nr_error (err, EINVAL, "the maximum allowed cpu-shares is %" PRIu64, got);
  if (shares < got)
    return nr_error (err, EINVAL, "the minimum allowed cpu-shares is %" PRIu64, got);
  return 0;
}

/* Period and burst may be refused (EINVAL) until the new quota is in: retry after it. */
static int
try_first (const char *dir, const char *file, const char *val, bool quota_follows, bool *retry, nr_error_t *err)
{
  *retry = false;
  int r = nr_cg_write_opt (dir, file, val, err);
  if (r >= 0)
    return 0; /* written, or the knob is missing (burst on old kernels) */
  if ((*err)->status == EINVAL && quota_follows)
    {
      nr_error_free (err);
      *retry = true;
      return 0;
    }
  return -1;
}

static int
cfs (const char *dir, const struct oci_resources *r, nr_error_t *err)
{
  char period[32], burst[32];
  bool quota = r->has_cpu_quota && r->cpu_quota != 0, retry_period = false, retry_burst = false;
  snprintf (period, sizeof period, "%" PRIu64, r->cpu_period);
  snprintf (burst, sizeof burst, "%" PRIu64, r->cpu_burst);
  if (r->has_cpu_period && r->cpu_period
      && try_first (dir, "cpu.cfs_period_us", period, quota, &retry_period, err) < 0)
    return -1;
  if (r->has_cpu_burst && try_first (dir, "cpu.cfs_burst_us", burst, quota, &retry_burst, err) < 0)
    return -1;
  if (!quota)
    return 0;
  if (nr_cg_writef (dir, "cpu.cfs_quota_us", err, "%" PRId64, r->cpu_quota) < 0)
    return -1;
  if (retry_period && nr_cg_write (dir, "cpu.cfs_period_us", period, err) < 0)
    return -1;
  if (retry_burst && nr_cg_write (dir, "cpu.cfs_burst_us", burst, err) < 0)
    return -1;
  return 0;
}

static int
v1_cpu (const struct nr_cgroup *cg, const struct oci_resources *r, nr_error_t *err)
{
  bool rt = (r->has_cpu_realtime_period && r->cpu_realtime_period)
            || (r->has_cpu_realtime_runtime && r->cpu_realtime_runtime);
  bool any = (r->has_cpu_shares && r->cpu_shares) || (r->has_cpu_quota && r->cpu_quota)
             || (r->has_cpu_period && r->cpu_period) || r->has_cpu_burst || r->has_cpu_idle || rt;
  if (!any)
    return 0;
  const char *dir = need (cg, "cpu", "cpu limits", err);
  if (dir == NULL)
    return -1;
  if (r->has_cpu_shares && r->cpu_shares && cpu_shares (dir, r->cpu_shares, err) < 0)
    return -1;
  if (cfs (dir, r, err) < 0)
    return -1;
  if (r->has_cpu_idle && nr_cg_writef (dir, "cpu.idle", err, "%" PRId64, r->cpu_idle) < 0)
    return -1;
  if (r->has_cpu_realtime_period && r->cpu_realtime_period
      && nr_cg_writef (dir, "cpu.rt_period_us", err, "%" PRIu64, r->cpu_realtime_period) < 0)
    return -1;
  if (r->has_cpu_realtime_runtime && r->cpu_realtime_runtime
      && nr_cg_writef (dir, "cpu.rt_runtime_us", err, "%" PRId64, r->cpu_realtime_runtime) < 0)
    return -1;
  return 0;
}

static int
v1_cpuset (const struct nr_cgroup *cg, const struct oci_resources *r, nr_error_t *err)
{
  bool cpus = r->cpu_cpus && *r->cpu_cpus, mems = r->cpu_mems && *r->cpu_mems;
  if (!cpus && !mems)
    return 0;
  const char *dir = need (cg, "cpuset", "cpuset", err);
  if (dir == NULL)
    return -1;
  if (cpus && nr_cg_write (dir, "cpuset.cpus", r->cpu_cpus, err) < 0)
    return -1;
  if (mems && nr_cg_write (dir, "cpuset.mems", r->cpu_mems, err) < 0)
    return -1;
  return 0;
}

/* A new cpuset cgroup starts with empty cpus and mems, and takes no task until
   they are set: copy them down from the nearest ancestor (runc's ensureParent). */
static int
cpuset_copy (const char *parent, const char *dir, const char *file, nr_error_t *err)
{
  _cleanup_free_ char *cur = NULL, *up = NULL;
  if (nr_cg_read (dir, file, &cur, err) < 0)
    return -1;
  if (strspn (cur, " \n") != strlen (cur))
    return 0;
  if (nr_cg_read (parent, file, &up, err) < 0)
    return -1;
  up[strcspn (up, "\n")] = '\0';
  return *up ? nr_cg_write (dir, file, up, err) : 0;
}

int
nr_cg_v1_cpuset_init (const char *mount, const char *dir, nr_error_t *err)
{
  size_t ml = strlen (mount);
  _cleanup_free_ char *walk = strdup (dir);
  if (walk == NULL)
    abort ();
  if (strlen (walk) <= ml + 1)
    return 0;
  /* each '/' below the mount ends an ancestor, the end of dir ends dir itself */
  for (size_t i = ml + 1;; i++)
    {
      char c = walk[i];
      if (c != '/' && c != '\0')
        continue;
      walk[i] = '\0';
      _cleanup_free_ char *parent = strndup (walk, strrchr (walk, '/') - walk);
      if (parent == NULL)
        abort ();
      if (cpuset_copy (parent, walk, "cpuset.cpus", err) < 0 || cpuset_copy (parent, walk, "cpuset.mems", err) < 0)
        return -1;
      walk[i] = c;
      if (c == '\0')
        return 0;
    }
}

/* ---- pids, blkio, hugetlb, net ---------------------------------------------------- */

static int
v1_pids (const struct nr_cgroup *cg, const struct oci_resources *r, nr_error_t *err)
{
  if (!r->has_pids_limit || r->pids_limit == 0)
    return 0;
  const char *dir = need (cg, "pids", "pids limit", err);
  if (dir == NULL)
    return -1;
  if (r->pids_limit < 0)
    return nr_cg_write (dir, "pids.max", "max", err);
  return nr_cg_writef (dir, "pids.max", err, "%" PRId64, r->pids_limit);
}

static const char *const throttle_files[4] = {
  "blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device",
  "blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device",
};

static int
blkio_weights (const char *dir, const struct oci_resources *r, nr_error_t *err)
{
  bool cfq = nr_cg_exists (dir, "blkio.weight");
  const char *wf = cfq ? "blkio.weight" : "blkio.bfq.weight";
  const char *wdf = cfq ? "blkio.weight_device" : "blkio.bfq.weight_device";
  if (r->has_blkio_weight && r->blkio_weight && nr_cg_writef (dir, wf, err, "%u", r->blkio_weight) < 0)
    return -1;
  if (r->has_blkio_leaf_weight && r->blkio_leaf_weight
      && nr_cg_writef (dir, "blkio.leaf_weight", err, "%u", r->blkio_leaf_weight) < 0)
    return -1;
  for (size_t i = 0; i < r->n_blkio_weight_devices; i++)
    {
      const struct oci_weight_device *w = &r->blkio_weight_devices[i];
      if (w->has_weight && w->weight
          && nr_cg_writef (dir, wdf, err, "%" PRId64 ":%" PRId64 " %u", w->major, w->minor, w->weight) < 0)
        return -1;
      if (w->has_leaf_weight && w->leaf_weight
          && nr_cg_writef (dir, "blkio.leaf_weight_device", err, "%" PRId64 ":%" PRId64 " %u", w->major,
                           w->minor, w->leaf_weight) < 0)
        return -1;
    }
  return 0;
}

static int
v1_blkio (const struct nr_cgroup *cg, const struct oci_resources *r, nr_error_t *err)
{
  size_t n_thr = r->n_blkio_throttle[0] + r->n_blkio_throttle[1] + r->n_blkio_throttle[2] + r->n_blkio_throttle[3];
  if (!(r->has_blkio_weight && r->blkio_weight) && !(r->has_blkio_leaf_weight && r->blkio_leaf_weight)
      && r->n_blkio_weight_devices == 0 && n_thr == 0)
    return 0;
  const char *dir = need (cg, "blkio", "blkio limits", err);
  if (dir == NULL || blkio_weights (dir, r, err) < 0)
    return -1;
  for (size_t k = 0; k < 4; k++)
    for (size_t i = 0; i < r->n_blkio_throttle[k]; i++)
      {
        const struct oci_throttle_device *t = &r->blkio_throttle[k][i];
        if (nr_cg_writef (dir, throttle_files[k], err, "%" PRId64 ":%" PRId64 " %" PRIu64, t->major, t->minor,
                          t->rate) < 0)
          return -1;
      }
  return 0;
}

static int
v1_hugetlb (const struct nr_cgroup *cg, const struct oci_resources *r, nr_error_t *err)
{
  if (r->n_hugepage_limits == 0)
    return 0;
  const char *dir = need (cg, "hugetlb", "hugepage limits", err);
  if (dir == NULL)
    return -1;
  for (size_t i = 0; i < r->n_hugepage_limits; i++)
    {
      const struct oci_hugepage_limit *h = &r->hugepage_limits[i];
      char file[128], val[32];
      if (h->page_size == NULL || strchr (h->page_size, '/') || strlen (h->page_size) > 64)
        return nr_error (err, EINVAL, "invalid hugepage size \"%s\"", h->page_size ? h->page_size : "");
      snprintf (val, sizeof val, "%" PRIu64, h->limit);
      snprintf (file, sizeof file, "hugetlb.%s.limit_in_bytes", h->page_size);
      if (nr_cg_write (dir, file, val, err) < 0)
        return -1;
      snprintf (file, sizeof file, "hugetlb.%s.rsvd.limit_in_bytes", h->page_size);
      if (nr_cg_write_opt (dir, file, val, err) < 0)
        return -1;
    }
  return 0;
}

static int
v1_net (const struct nr_cgroup *cg, const struct oci_resources *r, nr_error_t *err)
{
  if (r->has_net_class_id && r->net_class_id)
    {
      const char *dir = need (cg, "net_cls", "network class id", err);
      if (dir == NULL || nr_cg_writef (dir, "net_cls.classid", err, "%u", r->net_class_id) < 0)
        return -1;
    }
  if (r->n_net_priorities == 0)
    return 0;
  const char *dir = need (cg, "net_prio", "network priorities", err);
  if (dir == NULL)
    return -1;
  for (size_t i = 0; i < r->n_net_priorities; i++)
    if (nr_cg_writef (dir, "net_prio.ifpriomap", err, "%s %s", r->net_priorities[i].key,
                      r->net_priorities[i].value) < 0)
      return -1;
  return 0;
}

int
nr_cg_v1_apply (const struct nr_cgroup *cg, const struct oci_resources *r, nr_error_t *err)
{
  if (r->n_unified > 0)
    return nr_error (err, EINVAL, "unified resource \"%s\": cgroup v2 files cannot be set on a cgroup "
                                  "v1 host (%s mode)", r->unified[0].key, nr_cgroup_mode_name (cg->mode));
  if (r->has_rdma)
    return nr_error (err, ENOTSUP, "rdma resources are not supported");
  if (v1_cpuset (cg, r, err) < 0 || v1_memory (cg, r, err) < 0 || v1_cpu (cg, r, err) < 0
      || v1_pids (cg, r, err) < 0 || v1_blkio (cg, r, err) < 0 || v1_hugetlb (cg, r, err) < 0
      || v1_net (cg, r, err) < 0)
    return -1;
  return 0;
}
