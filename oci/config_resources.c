/* SPDX-License-Identifier: Apache-2.0 */
/* linux.resources (also a bare LinuxResources object: update --resources). */
#include <config.h> /* autoconf; "config.h" would find oci/config.h */
#include "oci/config_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* OCI_OPT fields: has_x is set when the key is present. */
#define OPT(call, r, field)                 \
  do                                        \
    {                                       \
      int _r = (call);                      \
      if (_r < 0)                           \
        return _r;                          \
      if (_r > 0)                           \
        (r)->has_##field = true;            \
    }                                       \
  while (0)

static int
parse_device_cgroup (struct nr_jctx *c, yajl_val o, void *elem, nr_error_t *err)
{
  struct oci_device_cgroup *d = elem;
  _cleanup_free_ char *type = NULL;
  d->major = d->minor = -1;
  if (oci_required (c, nr_json_bool (c, o, "allow", &d->allow, err), "allow", err) < 0
      || nr_json_str (c, o, "type", &type, err) < 0 || nr_json_i64 (c, o, "major", &d->major, err) < 0
      || nr_json_i64 (c, o, "minor", &d->minor, err) < 0 || nr_json_str (c, o, "access", &d->access, err) < 0)
    return -1;
  /* An absent type means all devices; a type other than one letter is kept as
     '?' for validate to refuse. */
  d->type = type == NULL || type[0] == '\0' ? 'a' : (type[1] == '\0' ? type[0] : '?');
  if (d->access == NULL && (d->access = strdup ("rwm")) == NULL)
    return nr_error (err, ENOMEM, "access");
  return 0;
}

static int
parse_memory (struct nr_jctx *c, yajl_val o, void *arg, nr_error_t *err)
{
  struct oci_resources *r = arg;
  OPT (nr_json_i64 (c, o, "limit", &r->mem_limit, err), r, mem_limit);
  OPT (nr_json_i64 (c, o, "reservation", &r->mem_reservation, err), r, mem_reservation);
  OPT (nr_json_i64 (c, o, "swap", &r->mem_swap, err), r, mem_swap);
  OPT (nr_json_i64 (c, o, "kernel", &r->mem_kernel, err), r, mem_kernel);
  OPT (nr_json_i64 (c, o, "kernelTCP", &r->mem_kernel_tcp, err), r, mem_kernel_tcp);
  OPT (nr_json_u64 (c, o, "swappiness", &r->mem_swappiness, err), r, mem_swappiness);
  OPT (nr_json_bool (c, o, "disableOOMKiller", &r->mem_disable_oom_killer, err), r, mem_disable_oom_killer);
  OPT (nr_json_bool (c, o, "useHierarchy", &r->mem_use_hierarchy, err), r, mem_use_hierarchy);
  OPT (nr_json_bool (c, o, "checkBeforeUpdate", &r->mem_check_before_update, err), r, mem_check_before_update);
  return 0;
}

static int
parse_cpu (struct nr_jctx *c, yajl_val o, void *arg, nr_error_t *err)
{
  struct oci_resources *r = arg;
  OPT (nr_json_u64 (c, o, "shares", &r->cpu_shares, err), r, cpu_shares);
  OPT (nr_json_i64 (c, o, "quota", &r->cpu_quota, err), r, cpu_quota);
  OPT (nr_json_u64 (c, o, "burst", &r->cpu_burst, err), r, cpu_burst);
  OPT (nr_json_u64 (c, o, "period", &r->cpu_period, err), r, cpu_period);
  OPT (nr_json_i64 (c, o, "realtimeRuntime", &r->cpu_realtime_runtime, err), r, cpu_realtime_runtime);
  OPT (nr_json_u64 (c, o, "realtimePeriod", &r->cpu_realtime_period, err), r, cpu_realtime_period);
  OPT (nr_json_i64 (c, o, "idle", &r->cpu_idle, err), r, cpu_idle);
  if (nr_json_str (c, o, "cpus", &r->cpu_cpus, err) < 0 || nr_json_str (c, o, "mems", &r->cpu_mems, err) < 0)
    return -1;
  return 0;
}

static int
parse_pids (struct nr_jctx *c, yajl_val o, void *arg, nr_error_t *err)
{
  struct oci_resources *r = arg;
  OPT (nr_json_i64 (c, o, "limit", &r->pids_limit, err), r, pids_limit);
  return 0;
}

static int
parse_blkio_dev (struct nr_jctx *c, yajl_val o, int64_t *major, int64_t *minor, nr_error_t *err)
{
  if (oci_required (c, nr_json_i64 (c, o, "major", major, err), "major", err) < 0
      || oci_required (c, nr_json_i64 (c, o, "minor", minor, err), "minor", err) < 0)
    return -1;
  return 0;
}

static int
parse_weight_device (struct nr_jctx *c, yajl_val o, void *elem, nr_error_t *err)
{
  struct oci_weight_device *w = elem;
  if (parse_blkio_dev (c, o, &w->major, &w->minor, err) < 0)
    return -1;
  OPT (oci_json_u16 (c, o, "weight", &w->weight, err), w, weight);
  OPT (oci_json_u16 (c, o, "leafWeight", &w->leaf_weight, err), w, leaf_weight);
  return 0;
}

static int
parse_throttle_device (struct nr_jctx *c, yajl_val o, void *elem, nr_error_t *err)
{
  struct oci_throttle_device *t = elem;
  if (parse_blkio_dev (c, o, &t->major, &t->minor, err) < 0
      || oci_required (c, nr_json_u64 (c, o, "rate", &t->rate, err), "rate", err) < 0)
    return -1;
  return 0;
}

const char *const oci_throttle_keys[4] = {
  [OCI_THROTTLE_READ_BPS] = "throttleReadBpsDevice",
  [OCI_THROTTLE_WRITE_BPS] = "throttleWriteBpsDevice",
  [OCI_THROTTLE_READ_IOPS] = "throttleReadIOPSDevice",
  [OCI_THROTTLE_WRITE_IOPS] = "throttleWriteIOPSDevice",
};

static int
parse_blkio (struct nr_jctx *c, yajl_val o, void *arg, nr_error_t *err)
{
  struct oci_resources *r = arg;
  OPT (oci_json_u16 (c, o, "weight", &r->blkio_weight, err), r, blkio_weight);
  OPT (oci_json_u16 (c, o, "leafWeight", &r->blkio_leaf_weight, err), r, blkio_leaf_weight);
  if (oci_parse_objv (c, o, "weightDevice", sizeof (struct oci_weight_device), (void **) &r->blkio_weight_devices,
                      &r->n_blkio_weight_devices, parse_weight_device, err)
      < 0)
    return -1;
  for (int i = 0; i < 4; i++)
    if (oci_parse_objv (c, o, oci_throttle_keys[i], sizeof (struct oci_throttle_device), (void **) &r->blkio_throttle[i],
                        &r->n_blkio_throttle[i], parse_throttle_device, err)
        < 0)
      return -1;
  return 0;
}

static int
parse_hugepage (struct nr_jctx *c, yajl_val o, void *elem, nr_error_t *err)
{
  struct oci_hugepage_limit *h = elem;
  if (oci_required (c, nr_json_str (c, o, "pageSize", &h->page_size, err), "pageSize", err) < 0
      || oci_required (c, nr_json_u64 (c, o, "limit", &h->limit, err), "limit", err) < 0)
    return -1;
  return 0;
}

static int
parse_net_priority (struct nr_jctx *c, yajl_val o, void *elem, nr_error_t *err)
{
  struct oci_kv *kv = elem;
  uint32_t prio = 0;
  char buf[16];
  if (oci_required (c, nr_json_str (c, o, "name", &kv->key, err), "name", err) < 0
      || oci_required (c, nr_json_u32 (c, o, "priority", &prio, err), "priority", err) < 0)
    return -1;
  snprintf (buf, sizeof buf, "%" PRIu32, prio);
  kv->value = strdup (buf);
  if (kv->value == NULL)
    return nr_error (err, ENOMEM, "priority");
  return 0;
}

static int
parse_network (struct nr_jctx *c, yajl_val o, void *arg, nr_error_t *err)
{
  struct oci_resources *r = arg;
  OPT (nr_json_u32 (c, o, "classID", &r->net_class_id, err), r, net_class_id);
  if (oci_parse_objv (c, o, "priorities", sizeof (struct oci_kv), (void **) &r->net_priorities,
                      &r->n_net_priorities, parse_net_priority, err)
      < 0)
    return -1;
  return 0;
}

/* rdma: each entry is type-checked; the controller itself is not supported. */
static int
parse_rdma (struct nr_jctx *c, yajl_val o, void *arg, nr_error_t *err)
{
  struct oci_resources *r = arg;
  for (size_t i = 0; i < o->u.object.len; i++)
    {
      uint32_t v = 0;
      yajl_val e = NULL;
      const char *dev = o->u.object.keys[i];
      if (nr_json_obj (c, o, dev, &e, err) < 0)
        return -1;
      if (e == NULL)
        continue;
      size_t old = nr_jctx_push (c, dev);
      int rc = nr_json_u32 (c, e, "hcaHandles", &v, err) < 0 || nr_json_u32 (c, e, "hcaObjects", &v, err) < 0;
      nr_jctx_pop (c, old);
      if (rc)
        return -1;
      r->has_rdma = true;
    }
  return 0;
}

int
oci_parse_resources (struct nr_jctx *c, yajl_val o, struct oci_resources *r, nr_error_t *err)
{
  if (oci_parse_objv (c, o, "devices", sizeof (struct oci_device_cgroup), (void **) &r->devices, &r->n_devices,
                      parse_device_cgroup, err)
          < 0
      || oci_parse_sub (c, o, "memory", parse_memory, r, err) < 0
      || oci_parse_sub (c, o, "cpu", parse_cpu, r, err) < 0
      || oci_parse_sub (c, o, "pids", parse_pids, r, err) < 0
      || oci_parse_sub (c, o, "blockIO", parse_blkio, r, err) < 0
      || oci_parse_objv (c, o, "hugepageLimits", sizeof (struct oci_hugepage_limit), (void **) &r->hugepage_limits,
                         &r->n_hugepage_limits, parse_hugepage, err)
             < 0
      || oci_parse_sub (c, o, "network", parse_network, r, err) < 0
      || oci_parse_sub (c, o, "rdma", parse_rdma, r, err) < 0
      || oci_json_kv (c, o, "unified", &r->unified, &r->n_unified, err) < 0)
    return -1;
  return 0;
}

int
oci_resources_parse_data (const char *buf, size_t len, const char *what, struct oci_resources **out,
                          nr_error_t *err)
{
  _cleanup_json_ yajl_val root = NULL;
  struct nr_jctx c = { .what = what ? what : "resources.json" };

  if (nr_json_parse (buf, len, c.what, &root, err) < 0)
    return -1;
  if (!YAJL_IS_OBJECT (root))
    return nr_error (err, 0, "%s: expected a JSON object, got %s", c.what, nr_json_type_name (root));
  struct oci_resources *r = calloc (1, sizeof *r);
  if (r == NULL)
    return nr_error (err, ENOMEM, "%s", c.what);
  if (oci_parse_resources (&c, root, r, err) < 0)
    {
      oci_resources_free (r);
      return -1;
    }
  *out = r;
  return 0;
}

void
oci_resources_free (struct oci_resources *r)
{
  if (r == NULL)
    return;
  for (size_t i = 0; i < r->n_devices; i++)
    free (r->devices[i].access);
  free (r->devices);
  free (r->cpu_cpus);
  free (r->cpu_mems);
  free (r->blkio_weight_devices);
  for (int i = 0; i < 4; i++)
    free (r->blkio_throttle[i]);
  for (size_t i = 0; i < r->n_hugepage_limits; i++)
    free (r->hugepage_limits[i].page_size);
  free (r->hugepage_limits);
  oci_kv_free (r->net_priorities, r->n_net_priorities);
  oci_kv_free (r->unified, r->n_unified);
  free (r);
}
