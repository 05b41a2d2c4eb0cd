/* SPDX-License-Identifier: Apache-2.0 */
/* Steps "inject-runtime", "engine-config" and "lineage": the static nestrun bound
   read-only into the nest, the inner engine told to use it (a generated config bound
   over the image's own, merging its settings; the image is never modified: docker's
   daemon.json here, podman's storage.conf and containers.conf in steps_podman.c), and
   the record that tells the nestrun inside where it stands. */
#include "config.h"
#include "nested/nest.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/json.h"
#include "common/log.h"
#include "oci/edit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DOCKER_CONFIG "/etc/docker/daemon.json"

int
nr_nest_step_inject_runtime (struct nr_nest_ctx *x, struct oci_config *c, nr_error_t *err)
{
  if (x->env->self_exe == NULL)
    {
      nr_warn ("nest \"%s\": no static nestrun to inject (set NESTRUN_INNER_BINARY): the inner engine keeps "
               "its own runtime",
               x->id);
      return 0;
    }
  return oci_mount_add (c, NR_NEST_IN_BIN, "bind", x->env->self_exe, nr_nest_ro_bind, err) < 0 ? -1 : 0;
}

/* Copy the image's keys but runtimes.nestrun and default-runtime, then ours. */
char *
nr_nest_daemon_json (const char *image_json, size_t len, const char *runtime_path, nr_error_t *err)
{
  _cleanup_json_ yajl_val img = NULL;
  if (image_json && len && nr_json_parse (image_json, len, "daemon.json", &img, err) < 0)
    return NULL;
  if (img && !YAJL_IS_OBJECT (img))
    {
      nr_error (err, EINVAL, "daemon.json: expected an object, got %s", nr_json_type_name (img));
      return NULL;
    }
  yajl_val runtimes = nr_json_get (img, "runtimes");
  yajl_gen g = nr_jgen_new (true);
  yajl_gen_map_open (g);
  for (size_t i = 0; img && i < img->u.object.len; i++)
    {
      const char *k = img->u.object.keys[i];
      if (strcmp (k, "runtimes") == 0 || strcmp (k, "default-runtime") == 0)
        continue;
      nr_jgen_key (g, k);
      nr_jgen_value (g, img->u.object.values[i]);
    }
  nr_jgen_key (g, "runtimes");
  yajl_gen_map_open (g);
  for (size_t i = 0; runtimes && YAJL_IS_OBJECT (runtimes) && i < runtimes->u.object.len; i++)
    if (strcmp (runtimes->u.object.keys[i], "nestrun") != 0)
      {
        nr_jgen_key (g, runtimes->u.object.keys[i]);
        nr_jgen_value (g, runtimes->u.object.values[i]);
      }
  nr_jgen_key (g, "nestrun");
  yajl_gen_map_open (g);
  nr_jgen_kstr (g, "path", runtime_path);
  yajl_gen_map_close (g);
  yajl_gen_map_close (g);
  nr_jgen_kstr (g, "default-runtime", "nestrun");
  yajl_gen_map_close (g);
  char *out = nr_jgen_finish (g, NULL);
  if (out == NULL)
    nr_error (err, ENOMEM, "daemon.json");
  return out;
}

int
nr_nest_read_in_root (int rootfs_fd, const char *path, char **buf, size_t *len, nr_error_t *err)
{
  _cleanup_close_ int fd = nr_openat_in_root (rootfs_fd, path, O_RDONLY, 0, err);
  if (fd < 0)
    {
      if ((*err)->status != ENOENT)
        return -1;
      nr_error_free (err);
      return 0;
    }
  return nr_read_all_fd (fd, 1u << 20, buf, len, err);
}

/* docker: daemon.json, runtimes.nestrun the default */
static int
docker_config (struct nr_nest_ctx *x, struct oci_config *c, nr_error_t *err)
{
  _cleanup_free_ char *img = NULL, *merged = NULL, *host = NULL;
  size_t len = 0;
  if (x->env->self_exe == NULL)
    return 0;
  if (oci_mount_find (c, DOCKER_CONFIG) || oci_mount_find (c, "/etc/docker"))
    {
      nr_warn ("nest \"%s\": %s is mounted by the config: kept, nestrun not made the default runtime", x->id,
               DOCKER_CONFIG);
      return 0;
    }
  if (nr_nest_read_in_root (x->rootfs_fd, DOCKER_CONFIG, &img, &len, err) < 0)
    return nr_error_wrap (err, "image's %s", DOCKER_CONFIG);
  merged = nr_nest_daemon_json (img, len, NR_NEST_IN_BIN, err);
  if (merged == NULL)
    return nr_error_wrap (err, "image's %s", DOCKER_CONFIG);
  if (asprintf (&host, "%s/daemon.json", x->nest_dir) < 0)
    return nr_error (err, ENOMEM, "daemon.json");
  if (nr_write_file (host, merged, strlen (merged), 0644, err) < 0)
    return -1;
  return oci_mount_add (c, DOCKER_CONFIG, "bind", host, nr_nest_ro_bind, err) < 0 ? -1 : 0;
}

int
nr_nest_step_engine_config (struct nr_nest_ctx *x, struct oci_config *c, nr_error_t *err)
{
  switch (x->engine)
    {
    case NR_ENGINE_DOCKER: return docker_config (x, c, err);
    case NR_ENGINE_PODMAN: return nr_nest_podman_config (x, c, err); /* steps_podman.c */
    default: return 0;
    }
}

int
nr_nest_step_lineage (struct nr_nest_ctx *x, struct oci_config *c, nr_error_t *err)
{
  static const char *const rw[] = { "bind", "rw", NULL };
  _cleanup_free_ char *json = NULL, *rec = NULL, *nests = NULL;
  char depth[16];
  struct nr_nest_record r = {
    .depth = x->depth,
    .max_depth = x->max_depth,
    .id = (char *) x->id,
    .parent = x->env->self ? x->env->self->id : "",
    .store = NR_NEST_IN_STORE,
    .nests = NR_NEST_IN_NESTS,
    .engine = (char *) nr_engine_name (x->engine),
    .images = x->preload,
  };
  json = nr_nest_record_json (&r);
  if (json == NULL || asprintf (&rec, "%s/nest.json", x->nest_dir) < 0 || asprintf (&nests, "%s/nests", x->nest_dir) < 0)
    return nr_error (err, ENOMEM, "nest record");
  if (nr_write_file (rec, json, strlen (json), 0644, err) < 0)
    return -1;
  if (mkdir (nests, 0711) < 0 && errno != EEXIST)
    return nr_error (err, errno, "mkdir \"%s\"", nests);
  snprintf (depth, sizeof depth, "%u", x->depth);
  if (oci_mount_add (c, NR_NEST_IN_RECORD, "bind", rec, nr_nest_ro_bind, err) < 0
      || oci_mount_add (c, NR_NEST_IN_NESTS, "bind", nests, rw, err) < 0
      || oci_annotation_set (c, NR_ANN_DEPTH, depth, err) < 0
      || oci_annotation_set (c, NR_ANN_NEST_DIR, x->nest_dir, err) < 0
      || oci_annotation_set (c, NR_ANN_ENGINE, nr_engine_name (x->engine), err) < 0)
    return -1;
  return 0;
}
