/* SPDX-License-Identifier: Apache-2.0 */
/* config.json → struct oci_config: the top level, root, mounts, hooks, annotations,
   plus the shared parse helpers and the small lookups.  process is in
   config_process.c, linux in config_linux.c, linux.resources in config_resources.c. */
#include <config.h> /* autoconf; "config.h" would find oci/config.h */
#include "oci/config_internal.h"
#include "common/fs.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- shared helpers ---------------------------------------------------- */

int
oci_required (struct nr_jctx *c, int r, const char *key, nr_error_t *err)
{
  if (r == 0)
    return nr_jctx_error (c, key, err, "required field is missing");
  return r;
}

int
oci_parse_objv (struct nr_jctx *c, yajl_val obj, const char *key, size_t elem_size, void **out,
                size_t *n, oci_elem_fn fn, nr_error_t *err)
{
  yajl_val a = NULL;
  int r = nr_json_arr (c, obj, key, &a, err);
  if (r <= 0)
    return r;
  size_t len = a->u.array.len;
  char *v = calloc (len ? len : 1, elem_size);
  if (v == NULL)
    return nr_error (err, ENOMEM, "%s", key);
  *out = v;
  *n = len;
  size_t old = nr_jctx_push (c, key);
  for (size_t i = 0; i < len; i++)
    {
      yajl_val e = a->u.array.values[i];
      size_t old_i = nr_jctx_push_index (c, i);
      if (e == NULL || !YAJL_IS_OBJECT (e))
        r = nr_jctx_error (c, NULL, err, "expected object, got %s", nr_json_type_name (e));
      else
        r = fn (c, e, v + i * elem_size, err);
      nr_jctx_pop (c, old_i);
      if (r < 0)
        break;
    }
  nr_jctx_pop (c, old);
  return r < 0 ? r : 1;
}

int
oci_parse_sub (struct nr_jctx *c, yajl_val obj, const char *key,
               int (*fn) (struct nr_jctx *c, yajl_val o, void *arg, nr_error_t *err), void *arg,
               nr_error_t *err)
{
  yajl_val o = NULL;
  int r = nr_json_obj (c, obj, key, &o, err);
  if (r <= 0)
    return r;
  size_t old = nr_jctx_push (c, key);
  r = fn (c, o, arg, err);
  nr_jctx_pop (c, old);
  return r < 0 ? r : 1;
}

int
oci_json_u16 (struct nr_jctx *c, yajl_val obj, const char *key, uint16_t *out, nr_error_t *err)
{
  uint64_t v = 0;
  int r = nr_json_u64 (c, obj, key, &v, err);
  if (r <= 0)
    return r;
  if (v > UINT16_MAX)
    return nr_jctx_error (c, key, err, "value %" PRIu64 " out of range for uint16", v);
  *out = (uint16_t) v;
  return 1;
}

int
oci_json_kv (struct nr_jctx *c, yajl_val obj, const char *key, struct oci_kv **out, size_t *n,
             nr_error_t *err)
{
  _cleanup_strv_ char **map = NULL;
  int r = nr_json_strmap (c, obj, key, &map, err);
  if (r <= 0)
    return r;
  size_t len = 0;
  while (map[2 * len])
    len++;
  struct oci_kv *kv = calloc (len ? len : 1, sizeof *kv);
  if (kv == NULL)
    return nr_error (err, ENOMEM, "%s", key);
  for (size_t i = 0; i < len; i++)
    {
      kv[i].key = TAKE_PTR (map[2 * i]);
      kv[i].value = TAKE_PTR (map[2 * i + 1]);
    }
  oci_kv_free (*out, *n);
  *out = kv;
  *n = len;
  return 1;
}

/* One array element as a uint32, with the message nr_json_u32 would give. */
static int
u32_elem (struct nr_jctx *c, const char *key, size_t i, yajl_val e, uint32_t *out, nr_error_t *err)
{
  char k[256];
  snprintf (k, sizeof k, "%s[%zu]", key, i);
  if (e == NULL || !YAJL_IS_NUMBER (e))
    return nr_jctx_error (c, k, err, "expected unsigned integer, got %s", nr_json_type_name (e));
  const char *raw = e->u.number.r;
  char *end = NULL;
  errno = 0;
  unsigned long long v = raw[0] == '-' ? 0 : strtoull (raw, &end, 10);
  if (raw[0] == '-' || errno != 0 || end == raw || *end != '\0')
    return nr_jctx_error (c, k, err, "expected unsigned integer, got %s", raw);
  if (v > UINT32_MAX)
    return nr_jctx_error (c, k, err, "value %llu out of range for uint32", v);
  *out = (uint32_t) v;
  return 0;
}

int
oci_json_u32v (struct nr_jctx *c, yajl_val obj, const char *key, uint32_t **out, size_t *n,
               nr_error_t *err)
{
  yajl_val a = NULL;
  int r = nr_json_arr (c, obj, key, &a, err);
  if (r <= 0)
    return r;
  size_t len = a->u.array.len;
  _cleanup_free_ uint32_t *v = calloc (len ? len : 1, sizeof *v);
  if (v == NULL)
    return nr_error (err, ENOMEM, "%s", key);
  for (size_t i = 0; i < len; i++)
    if (u32_elem (c, key, i, a->u.array.values[i], &v[i], err) < 0)
      return -1;
  free (*out);
  *out = TAKE_PTR (v);
  *n = len;
  return 1;
}

void
oci_strv_free (char **v)
{
  nr_strvfreep (&v);
}

void
oci_kv_free (struct oci_kv *kv, size_t n)
{
  for (size_t i = 0; kv && i < n; i++)
    {
      free (kv[i].key);
      free (kv[i].value);
    }
  free (kv);
}

bool
oci_path_is_abs (const char *p)
{
  return p != NULL && p[0] == '/';
}

/* ---- root, mounts, hooks ----------------------------------------------- */

static int
parse_root (struct nr_jctx *c, yajl_val o, void *arg, nr_error_t *err)
{
  struct oci_config *cfg = arg;
  if (oci_required (c, nr_json_str (c, o, "path", &cfg->root_path, err), "path", err) < 0)
    return -1;
  return nr_json_bool (c, o, "readonly", &cfg->root_readonly, err);
}

/* uidMappings/gidMappings on a mount: type-checked, then refused by validate. */
static int
parse_idmap_entry (struct nr_jctx *c, yajl_val o, void *elem, nr_error_t *err)
{
  struct oci_id_mapping *m = elem;
  if (oci_required (c, nr_json_u32 (c, o, "containerID", &m->container_id, err), "containerID", err) < 0
      || oci_required (c, nr_json_u32 (c, o, "hostID", &m->host_id, err), "hostID", err) < 0
      || oci_required (c, nr_json_u32 (c, o, "size", &m->size, err), "size", err) < 0)
    return -1;
  return 0;
}

static int
parse_mount_idmaps (struct nr_jctx *c, yajl_val o, struct oci_mount *m, nr_error_t *err)
{
  static const char *const keys[] = { "uidMappings", "gidMappings" };
  for (size_t i = 0; i < NR_ARRAY_SIZE (keys); i++)
    {
      _cleanup_free_ struct oci_id_mapping *maps = NULL;
      size_t n = 0;
      int r = oci_parse_objv (c, o, keys[i], sizeof *maps, (void **) &maps, &n, parse_idmap_entry, err);
      if (r < 0)
        return r;
      if (r > 0)
        m->has_id_mappings = true;
    }
  return 0;
}

static int
parse_mount (struct nr_jctx *c, yajl_val o, void *elem, nr_error_t *err)
{
  struct oci_mount *m = elem;
  if (oci_required (c, nr_json_str (c, o, "destination", &m->destination, err), "destination", err) < 0
      || nr_json_str (c, o, "type", &m->type, err) < 0
      || nr_json_str (c, o, "source", &m->source, err) < 0
      || nr_json_strv (c, o, "options", &m->options, err) < 0
      || parse_mount_idmaps (c, o, m, err) < 0)
    return -1;
  return oci_mount_parse_options (m, err);
}

static int
parse_hook (struct nr_jctx *c, yajl_val o, void *elem, nr_error_t *err)
{
  struct oci_hook *h = elem;
  int r;
  if (oci_required (c, nr_json_str (c, o, "path", &h->path, err), "path", err) < 0
      || nr_json_strv (c, o, "args", &h->args, err) < 0 || nr_json_strv (c, o, "env", &h->env, err) < 0)
    return -1;
  r = nr_json_int (c, o, "timeout", &h->timeout, err);
  if (r < 0)
    return r;
  h->has_timeout = r > 0;
  return 0;
}

static const char *const hook_keys[OCI_HOOK_KIND_COUNT] = {
  [OCI_HOOK_PRESTART] = "prestart",
  [OCI_HOOK_CREATE_RUNTIME] = "createRuntime",
  [OCI_HOOK_CREATE_CONTAINER] = "createContainer",
  [OCI_HOOK_START_CONTAINER] = "startContainer",
  [OCI_HOOK_POSTSTART] = "poststart",
  [OCI_HOOK_POSTSTOP] = "poststop",
};

static int
parse_hooks (struct nr_jctx *c, yajl_val o, void *arg, nr_error_t *err)
{
  struct oci_hooks *h = arg;
  for (int k = 0; k < OCI_HOOK_KIND_COUNT; k++)
    if (oci_parse_objv (c, o, hook_keys[k], sizeof (struct oci_hook), (void **) &h->hooks[k], &h->n[k],
                        parse_hook, err)
        < 0)
      return -1;
  return 0;
}

static int
parse_process_sub (struct nr_jctx *c, yajl_val o, void *arg, nr_error_t *err)
{
  struct oci_process **pp = arg;
  *pp = calloc (1, sizeof **pp);
  if (*pp == NULL)
    return nr_error (err, ENOMEM, "process");
  return oci_parse_process (c, o, *pp, err);
}

static int
parse_linux_sub (struct nr_jctx *c, yajl_val o, void *arg, nr_error_t *err)
{
  struct oci_config *cfg = arg;
  cfg->has_linux = true;
  return oci_parse_linux (c, o, cfg, err);
}

static int
parse_config (struct nr_jctx *c, yajl_val root, struct oci_config *cfg, nr_error_t *err)
{
  if (!YAJL_IS_OBJECT (root))
    return nr_error (err, 0, "%s: expected a JSON object, got %s", c->what, nr_json_type_name (root));
  if (oci_required (c, nr_json_str (c, root, "ociVersion", &cfg->oci_version, err), "ociVersion", err) < 0
      || oci_parse_sub (c, root, "root", parse_root, cfg, err) < 0
      || oci_parse_sub (c, root, "process", parse_process_sub, &cfg->process, err) < 0
      || nr_json_str (c, root, "hostname", &cfg->hostname, err) < 0
      || nr_json_str (c, root, "domainname", &cfg->domainname, err) < 0
      || oci_parse_objv (c, root, "mounts", sizeof (struct oci_mount), (void **) &cfg->mounts,
                         &cfg->n_mounts, parse_mount, err)
             < 0
      || oci_parse_sub (c, root, "hooks", parse_hooks, &cfg->hooks, err) < 0
      || nr_json_strmap (c, root, "annotations", &cfg->annotations, err) < 0
      || oci_parse_sub (c, root, "linux", parse_linux_sub, cfg, err) < 0)
    return -1;
  return 0;
}

int
oci_config_parse_data (const char *buf, size_t len, const char *what, struct oci_config **out,
                       nr_error_t *err)
{
  _cleanup_json_ yajl_val root = NULL;
  struct nr_jctx c = { .what = what ? what : OCI_CONFIG_WHAT };

  if (nr_json_parse (buf, len, c.what, &root, err) < 0)
    return -1;
  struct oci_config *cfg = calloc (1, sizeof *cfg);
  if (cfg == NULL)
    return nr_error (err, ENOMEM, "%s", c.what);
  if (parse_config (&c, root, cfg, err) < 0)
    {
      oci_config_free (cfg);
      return -1;
    }
  *out = cfg;
  return 0;
}

int
oci_config_parse_file (const char *path, struct oci_config **out, nr_error_t *err)
{
  _cleanup_free_ char *buf = NULL;
  size_t len = 0;
  if (nr_read_file (path, NR_JSON_MAX_FILE, &buf, &len, err) < 0)
    return -1;
  return oci_config_parse_data (buf, len, path, out, err);
}

/* ---- free --------------------------------------------------------------- */

static void
mount_free (struct oci_mount *m)
{
  free (m->destination);
  free (m->type);
  free (m->source);
  oci_strv_free (m->options);
  free (m->data);
  oci_strv_free (m->uid_mappings_raw);
}

static void
hooks_free (struct oci_hooks *h)
{
  for (int k = 0; k < OCI_HOOK_KIND_COUNT; k++)
    {
      for (size_t i = 0; i < h->n[k]; i++)
        {
          free (h->hooks[k][i].path);
          oci_strv_free (h->hooks[k][i].args);
          oci_strv_free (h->hooks[k][i].env);
        }
      free (h->hooks[k]);
    }
}

void
oci_config_free (struct oci_config *c)
{
  if (c == NULL)
    return;
  free (c->oci_version);
  free (c->root_path);
  oci_process_free (c->process);
  free (c->hostname);
  free (c->domainname);
  for (size_t i = 0; i < c->n_mounts; i++)
    mount_free (&c->mounts[i]);
  free (c->mounts);
  hooks_free (&c->hooks);
  oci_strv_free (c->annotations);
  oci_linux_free (c);
  free (c);
}

/* ---- lookups ------------------------------------------------------------ */

static const char *const ns_names[OCI_NS_COUNT] = {
  [OCI_NS_PID] = "pid",       [OCI_NS_NETWORK] = "network", [OCI_NS_MOUNT] = "mount",
  [OCI_NS_IPC] = "ipc",       [OCI_NS_UTS] = "uts",         [OCI_NS_USER] = "user",
  [OCI_NS_CGROUP] = "cgroup", [OCI_NS_TIME] = "time",
};

const char *
oci_ns_name (enum oci_ns_type t)
{
  if ((unsigned) t >= OCI_NS_COUNT)
    return "unknown";
  return ns_names[t];
}

int
oci_ns_from_name (const char *name)
{
  for (int i = 0; name && i < OCI_NS_COUNT; i++)
    if (strcmp (ns_names[i], name) == 0)
      return i;
  return -1;
}

const char *
oci_config_annotation (const struct oci_config *c, const char *key)
{
  for (char **a = c ? c->annotations : NULL; a && a[0]; a += 2)
    if (strcmp (a[0], key) == 0)
      return a[1];
  return NULL;
}

/* The last assignment wins, as when the list is applied in order. */
const char *
oci_process_getenv (const struct oci_process *p, const char *key)
{
  const char *found = NULL;
  size_t klen = strlen (key);
  for (char **e = p ? p->env : NULL; e && *e; e++)
    if (strncmp (*e, key, klen) == 0 && (*e)[klen] == '=')
      found = *e + klen + 1;
  return found;
}

const struct oci_namespace *
oci_config_ns (const struct oci_config *c, enum oci_ns_type t)
{
  for (size_t i = 0; c && i < c->n_namespaces; i++)
    if (c->namespaces[i].type == t)
      return &c->namespaces[i];
  return NULL;
}
