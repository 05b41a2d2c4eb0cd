/* SPDX-License-Identifier: Apache-2.0 */
/* config.json "linux": namespaces, id mappings, time offsets, devices, resources
   (config_resources.c), seccomp, sysctl, paths, personality, and the sections we
   only check for type and presence (intelRdt, netDevices, memoryPolicy). */
#include <config.h> /* autoconf; "config.h" would find oci/config.h */
#include "oci/config_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int
parse_namespace (struct nr_jctx *c, yajl_val o, void *elem, nr_error_t *err)
{
  struct oci_namespace *ns = elem;
  _cleanup_free_ char *type = NULL;
  if (oci_required (c, nr_json_str (c, o, "type", &type, err), "type", err) < 0
      || nr_json_str (c, o, "path", &ns->path, err) < 0)
    return -1;
  int t = oci_ns_from_name (type);
  if (t < 0)
    return nr_jctx_error (c, "type", err, "unknown namespace type \"%s\"", type);
  ns->type = (enum oci_ns_type) t;
  return 0;
}

static int
parse_id_mapping (struct nr_jctx *c, yajl_val o, void *elem, nr_error_t *err)
{
  struct oci_id_mapping *m = elem;
  if (oci_required (c, nr_json_u32 (c, o, "containerID", &m->container_id, err), "containerID", err) < 0
      || oci_required (c, nr_json_u32 (c, o, "hostID", &m->host_id, err), "hostID", err) < 0
      || oci_required (c, nr_json_u32 (c, o, "size", &m->size, err), "size", err) < 0)
    return -1;
  return 0;
}

static int
parse_time_offset (struct nr_jctx *c, yajl_val o, void *arg, nr_error_t *err)
{
  struct oci_time_offset *t = arg;
  if (nr_json_i64 (c, o, "secs", &t->secs, err) < 0 || nr_json_u32 (c, o, "nanosecs", &t->nanosecs, err) < 0)
    return -1;
  t->set = true;
  return 0;
}

static int
parse_time_offsets (struct nr_jctx *c, yajl_val o, void *arg, nr_error_t *err)
{
  struct oci_config *cfg = arg;
  for (size_t i = 0; i < o->u.object.len; i++)
    {
      const char *clock = o->u.object.keys[i];
      struct oci_time_offset *t = NULL;
      if (strcmp (clock, "monotonic") == 0)
        t = &cfg->time_monotonic;
      else if (strcmp (clock, "boottime") == 0)
        t = &cfg->time_boottime;
      else
        return nr_jctx_error (c, clock, err, "unknown clock (want \"monotonic\" or \"boottime\")");
      if (oci_parse_sub (c, o, clock, parse_time_offset, t, err) < 0)
        return -1;
    }
  return 0;
}

static int
parse_device (struct nr_jctx *c, yajl_val o, void *elem, nr_error_t *err)
{
  struct oci_device *d = elem;
  _cleanup_free_ char *type = NULL;
  int r[5] = { 0 };
  if (oci_required (c, nr_json_str (c, o, "type", &type, err), "type", err) < 0
      || oci_required (c, nr_json_str (c, o, "path", &d->path, err), "path", err) < 0
      || (r[0] = nr_json_i64 (c, o, "major", &d->major, err)) < 0
      || (r[1] = nr_json_i64 (c, o, "minor", &d->minor, err)) < 0
      || (r[2] = nr_json_u32 (c, o, "fileMode", &d->file_mode, err)) < 0
      || (r[3] = nr_json_u32 (c, o, "uid", &d->uid, err)) < 0 || (r[4] = nr_json_u32 (c, o, "gid", &d->gid, err)) < 0)
    return -1;
  /* one letter; anything else is kept as '?' for validate to name */
  d->type = type[0] != '\0' && type[1] == '\0' ? type[0] : '?';
  d->has_major = r[0] > 0;
  d->has_minor = r[1] > 0;
  d->has_file_mode = r[2] > 0;
  d->has_uid = r[3] > 0;
  d->has_gid = r[4] > 0;
  return 0;
}

static int
parse_resources_sub (struct nr_jctx *c, yajl_val o, void *arg, nr_error_t *err)
{
  struct oci_config *cfg = arg;
  cfg->resources = calloc (1, sizeof *cfg->resources);
  if (cfg->resources == NULL)
    return nr_error (err, ENOMEM, "resources");
  return oci_parse_resources (c, o, cfg->resources, err);
}

/* ---- seccomp ------------------------------------------------------------ */

static int
parse_seccomp_arg (struct nr_jctx *c, yajl_val o, void *elem, nr_error_t *err)
{
  struct oci_seccomp_arg *a = elem;
  if (oci_required (c, nr_json_u32 (c, o, "index", &a->index, err), "index", err) < 0
      || oci_required (c, nr_json_u64 (c, o, "value", &a->value, err), "value", err) < 0
      || nr_json_u64 (c, o, "valueTwo", &a->value_two, err) < 0
      || oci_required (c, nr_json_str (c, o, "op", &a->op, err), "op", err) < 0)
    return -1;
  return 0;
}

static int
parse_syscall (struct nr_jctx *c, yajl_val o, void *elem, nr_error_t *err)
{
  struct oci_seccomp_syscall *s = elem;
  int r;
  if (oci_required (c, nr_json_strv (c, o, "names", &s->names, err), "names", err) < 0
      || oci_required (c, nr_json_str (c, o, "action", &s->action, err), "action", err) < 0)
    return -1;
  r = nr_json_u32 (c, o, "errnoRet", &s->errno_ret, err);
  if (r < 0)
    return r;
  s->has_errno_ret = r > 0;
  return oci_parse_objv (c, o, "args", sizeof (struct oci_seccomp_arg), (void **) &s->args, &s->n_args,
                         parse_seccomp_arg, err);
}

static int
parse_seccomp (struct nr_jctx *c, yajl_val o, void *arg, nr_error_t *err)
{
  struct oci_config *cfg = arg;
  struct oci_seccomp *s = cfg->seccomp = calloc (1, sizeof *cfg->seccomp);
  int r;
  if (s == NULL)
    return nr_error (err, ENOMEM, "seccomp");
  if (oci_required (c, nr_json_str (c, o, "defaultAction", &s->default_action, err), "defaultAction", err) < 0)
    return -1;
  r = nr_json_u32 (c, o, "defaultErrnoRet", &s->default_errno_ret, err);
  if (r < 0)
    return r;
  s->has_default_errno_ret = r > 0;
  if (nr_json_strv (c, o, "architectures", &s->architectures, err) < 0
      || nr_json_strv (c, o, "flags", &s->flags, err) < 0
      || nr_json_str (c, o, "listenerPath", &s->listener_path, err) < 0
      || nr_json_str (c, o, "listenerMetadata", &s->listener_metadata, err) < 0
      || oci_parse_objv (c, o, "syscalls", sizeof (struct oci_seccomp_syscall), (void **) &s->syscalls,
                         &s->n_syscalls, parse_syscall, err)
             < 0)
    return -1;
  return 0;
}

/* ---- the rest ----------------------------------------------------------- */

static int
parse_personality (struct nr_jctx *c, yajl_val o, void *arg, nr_error_t *err)
{
  struct oci_config *cfg = arg;
  if (oci_required (c, nr_json_str (c, o, "domain", &cfg->personality_domain, err), "domain", err) < 0
      || nr_json_strv (c, o, "flags", &cfg->personality_flags, err) < 0)
    return -1;
  return 0;
}

/* intelRdt: checked for type only, refused by validate. */
static int
parse_intel_rdt (struct nr_jctx *c, yajl_val o, void *arg, nr_error_t *err)
{
  _cleanup_free_ char *s = NULL;
  _cleanup_strv_ char **v = NULL;
  bool b = false;
  struct oci_config *cfg = arg;
  if (nr_json_str (c, o, "closID", &s, err) < 0 || nr_json_str (c, o, "l3CacheSchema", &s, err) < 0
      || nr_json_str (c, o, "memBwSchema", &s, err) < 0 || nr_json_strv (c, o, "schemata", &v, err) < 0
      || nr_json_bool (c, o, "enableMonitoring", &b, err) < 0)
    return -1;
  cfg->has_intel_rdt = true;
  return 0;
}

/* netDevices: { "eth0": { "name": "..." } }, checked for type only. */
static int
parse_net_devices (struct nr_jctx *c, yajl_val o, void *arg, nr_error_t *err)
{
  struct oci_config *cfg = arg;
  for (size_t i = 0; i < o->u.object.len; i++)
    {
      const char *dev = o->u.object.keys[i];
      _cleanup_free_ char *name = NULL;
      yajl_val e = NULL;
      int r = nr_json_obj (c, o, dev, &e, err);
      if (r < 0)
        return r;
      if (r == 0)
        continue;
      size_t old = nr_jctx_push (c, dev);
      r = nr_json_str (c, e, "name", &name, err);
      nr_jctx_pop (c, old);
      if (r < 0)
        return r;
      cfg->has_net_devices = true;
    }
  return 0;
}

static int
parse_memory_policy (struct nr_jctx *c, yajl_val o, void *arg, nr_error_t *err)
{
  _cleanup_free_ char *s = NULL;
  _cleanup_strv_ char **v = NULL;
  struct oci_config *cfg = arg;
  if (nr_json_str (c, o, "mode", &s, err) < 0 || nr_json_str (c, o, "nodes", &s, err) < 0
      || nr_json_strv (c, o, "flags", &v, err) < 0)
    return -1;
  cfg->has_memory_policy = true;
  return 0;
}

static unsigned long
propagation_flags (const char *name)
{
  for (size_t i = 0; name && i < oci_n_mount_options; i++)
    if (oci_mount_options[i].is_propagation && strcmp (oci_mount_options[i].name, name) == 0)
      return oci_mount_options[i].flag;
  return 0;
}

static int
parse_linux_paths (struct nr_jctx *c, yajl_val o, struct oci_config *cfg, nr_error_t *err)
{
  int r = nr_json_strv (c, o, "maskedPaths", &cfg->masked_paths, err);
  if (r < 0)
    return r;
  cfg->has_masked_paths = r > 0;
  r = nr_json_strv (c, o, "readonlyPaths", &cfg->readonly_paths, err);
  if (r < 0)
    return r;
  cfg->has_readonly_paths = r > 0;
  if (nr_json_str (c, o, "rootfsPropagation", &cfg->rootfs_propagation, err) < 0)
    return -1;
  /* 0 for an unknown name: validate refuses it */
  cfg->rootfs_propagation_flags = propagation_flags (cfg->rootfs_propagation);
  return 0;
}

int
oci_parse_linux (struct nr_jctx *c, yajl_val o, struct oci_config *cfg, nr_error_t *err)
{
  if (oci_parse_objv (c, o, "namespaces", sizeof (struct oci_namespace), (void **) &cfg->namespaces,
                      &cfg->n_namespaces, parse_namespace, err)
          < 0
      || oci_parse_objv (c, o, "uidMappings", sizeof (struct oci_id_mapping), (void **) &cfg->uid_mappings,
                         &cfg->n_uid_mappings, parse_id_mapping, err)
             < 0
      || oci_parse_objv (c, o, "gidMappings", sizeof (struct oci_id_mapping), (void **) &cfg->gid_mappings,
                         &cfg->n_gid_mappings, parse_id_mapping, err)
             < 0
      || oci_parse_sub (c, o, "timeOffsets", parse_time_offsets, cfg, err) < 0
      || oci_parse_objv (c, o, "devices", sizeof (struct oci_device), (void **) &cfg->devices, &cfg->n_devices,
                         parse_device, err)
             < 0
      || nr_json_str (c, o, "cgroupsPath", &cfg->cgroups_path, err) < 0
      || oci_parse_sub (c, o, "resources", parse_resources_sub, cfg, err) < 0
      || oci_parse_sub (c, o, "seccomp", parse_seccomp, cfg, err) < 0
      || oci_json_kv (c, o, "sysctl", &cfg->sysctl, &cfg->n_sysctl, err) < 0
      || parse_linux_paths (c, o, cfg, err) < 0
      || nr_json_str (c, o, "mountLabel", &cfg->mount_label, err) < 0
      || oci_parse_sub (c, o, "personality", parse_personality, cfg, err) < 0
      || oci_parse_sub (c, o, "intelRdt", parse_intel_rdt, cfg, err) < 0
      || oci_parse_sub (c, o, "netDevices", parse_net_devices, cfg, err) < 0
      || oci_parse_sub (c, o, "memoryPolicy", parse_memory_policy, cfg, err) < 0)
    return -1;
  return 0;
}

static void
seccomp_free (struct oci_seccomp *s)
{
  if (s == NULL)
    return;
  free (s->default_action);
  oci_strv_free (s->architectures);
  oci_strv_free (s->flags);
  free (s->listener_path);
  free (s->listener_metadata);
  for (size_t i = 0; i < s->n_syscalls; i++)
    {
      struct oci_seccomp_syscall *sc = &s->syscalls[i];
      oci_strv_free (sc->names);
      free (sc->action);
      for (size_t j = 0; j < sc->n_args; j++)
        free (sc->args[j].op);
      free (sc->args);
    }
  free (s->syscalls);
  free (s);
}

void
oci_linux_free (struct oci_config *cfg)
{
  for (size_t i = 0; i < cfg->n_namespaces; i++)
    free (cfg->namespaces[i].path);
  free (cfg->namespaces);
  free (cfg->uid_mappings);
  free (cfg->gid_mappings);
  for (size_t i = 0; i < cfg->n_devices; i++)
    free (cfg->devices[i].path);
  free (cfg->devices);
  free (cfg->cgroups_path);
  oci_resources_free (cfg->resources);
  free (cfg->rootfs_propagation);
  seccomp_free (cfg->seccomp);
  oci_kv_free (cfg->sysctl, cfg->n_sysctl);
  oci_strv_free (cfg->masked_paths);
  oci_strv_free (cfg->readonly_paths);
  free (cfg->mount_label);
  free (cfg->personality_domain);
  oci_strv_free (cfg->personality_flags);
}
