/* SPDX-License-Identifier: Apache-2.0 */
/* Steps "data-root" and "share-store": the inner engine's data-root on a real host
   filesystem (overlay cannot be an overlay's upper layer), and the store shared
   read-only with the images pre-loaded (metadata only): into docker's data-root, or
   as a containers-storage view for podman. */
#include "config.h"
#include "nested/nest.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/json.h"
#include "common/log.h"
#include "imagestore/imagestore.h"
#include "oci/edit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

DEFINE_CLEANUP_FUNC (struct nr_imagestore *, nr_imagestore_close)

/* "data-root" (or the old "graph") of the image's /etc/docker/daemon.json. */
static char *
docker_data_root (int rootfs_fd)
{
  nr_error_t e = NULL;
  _cleanup_close_ int fd = nr_openat_in_root (rootfs_fd, "/etc/docker/daemon.json", O_RDONLY, 0, &e);
  _cleanup_free_ char *buf = NULL;
  _cleanup_json_ yajl_val v = NULL;
  size_t len = 0;
  char *out = NULL;
  if (fd >= 0 && nr_read_all_fd (fd, 1u << 20, &buf, &len, &e) == 0
      && nr_json_parse (buf, len, "daemon.json", &v, &e) == 0)
    {
      yajl_val d = nr_json_get (v, "data-root");
      if (d == NULL)
        d = nr_json_get (v, "graph");
      if (d && YAJL_IS_STRING (d) && d->u.string[0] == '/')
        out = nr_path_clean (d->u.string);
    }
  nr_error_free (&e);
  return out;
}

static char *
engine_data_root (struct nr_nest_ctx *x)
{
  switch (x->engine)
    {
    case NR_ENGINE_DOCKER:
      {
        char *d = docker_data_root (x->rootfs_fd);
        return d ? d : strdup ("/var/lib/docker");
      }
    case NR_ENGINE_PODMAN: return nr_nest_podman_data_root (x->rootfs_fd);
    case NR_ENGINE_CONTAINERD: return strdup ("/var/lib/containerd");
    default: return NULL;
    }
}

/* NESTS/<id>, fresh, with its marker; a stale one (a container that died without
   delete: its state dir is gone, we checked) is removed first. */
static int
make_nest_dir (struct nr_nest_ctx *x, nr_error_t *err)
{
  char marker[4096];
  if (asprintf (&x->nest_dir, "%s/%s", x->env->nests_root, x->id) < 0)
    return x->nest_dir = NULL, nr_error (err, ENOMEM, "nest dir");
  if (nr_mkdir_p (x->env->nests_root, 0711, err) < 0)
    return -1;
  if (access (x->nest_dir, F_OK) == 0 && nr_nest_remove_dir (x->nest_dir, err) < 0)
    return nr_error_wrap (err, "stale nest");
  if (mkdir (x->nest_dir, 0711) < 0)
    return nr_error (err, errno, "mkdir \"%s\"", x->nest_dir);
  x->made_nest_dir = true;
  snprintf (marker, sizeof marker, "%s/%s", x->nest_dir, NR_NEST_MARKER);
  return nr_write_file (marker, x->id, strlen (x->id), 0644, err);
}

int
nr_nest_step_data_root (struct nr_nest_ctx *x, struct oci_config *c, nr_error_t *err)
{
  static const char *const opts[] = { "bind", "rw", NULL };
  if (make_nest_dir (x, err) < 0)
    return -1;
  x->data_root = engine_data_root (x);
  if (x->data_root == NULL)
    return nr_error (err, ENOMEM, "data-root");
  if (oci_mount_find (c, x->data_root))
    {
      /* podman's images come from the view, whatever its data-root */
      nr_warn ("nest \"%s\": \"%s\" is mounted by the config: kept%s", x->id, x->data_root,
               x->engine == NR_ENGINE_PODMAN ? "" : ", images not pre-loaded");
      return 0;
    }
  if (asprintf (&x->data_root_host, "%s/%s", x->nest_dir, nr_engine_name (x->engine)) < 0)
    return x->data_root_host = NULL, nr_error (err, ENOMEM, "data-root");
  if (mkdir (x->data_root_host, 0710) < 0)
    return nr_error (err, errno, "mkdir \"%s\"", x->data_root_host);
  /* binds[0] of the docker seed: the data-root is a mount point of its own, so dockerd
     does not bind it over itself and hide the layer binds below */
  return oci_mount_add (c, x->data_root, "bind", x->data_root_host, opts, err) < 0 ? -1 : 0;
}

static bool
in_list (char *const *v, const char *s)
{
  for (; v && *v; v++)
    if (strcmp (*v, s) == 0)
      return true;
  return false;
}

/* The refs to share: asked for (each must exist, and inside a nest be shared with us),
   or all the store has (inside a nest: all that was shared with us). */
static int
resolve_preload (struct nr_nest_ctx *x, struct nr_imagestore *s, nr_error_t *err)
{
  struct nr_image_list l = { 0 };
  char *const *parent = x->env->self ? x->env->self->images : NULL;
  if (nr_imagestore_list (s, &l, err) < 0)
    return -1;
  int r = 0;
  if (x->preload == NULL)
    {
      size_t n = 0;
      x->preload = calloc (l.n + 1, sizeof (char *));
      for (size_t i = 0; x->preload && i < l.n; i++)
        if (l.images[i].ref && (x->env->self == NULL || in_list (parent, l.images[i].ref)))
          x->preload[n++] = strdup (l.images[i].ref);
      if (x->preload == NULL)
        r = nr_error (err, ENOMEM, "preload");
    }
  for (char **p = x->preload; r == 0 && p && *p; p++)
    {
      bool found = false;
      for (size_t i = 0; i < l.n && !found; i++)
        found = l.images[i].ref && strcmp (l.images[i].ref, *p) == 0;
      if (!found)
        r = nr_error (err, 0, "preload: image \"%s\" is not in the store \"%s\"", *p, x->env->store);
      else if (x->env->self && !in_list (parent, *p))
        r = nr_error (err, 0, "preload: image \"%s\" is not shared with container \"%s\"", *p, x->env->self->id);
    }
  nr_image_list_free (&l);
  return r;
}

/* <data_root_host>/overlay2/X/diff → <data_root>/overlay2/X/diff */
static char *
inside_path (struct nr_nest_ctx *x, const char *host)
{
  size_t n = strlen (x->data_root_host);
  char *out = NULL;
  if (strncmp (host, x->data_root_host, n) != 0 || (host[n] != '/' && host[n] != '\0'))
    return NULL;
  if (asprintf (&out, "%s%s", x->data_root, host + n) < 0)
    return NULL;
  return out;
}

static int
seed_docker (struct nr_nest_ctx *x, struct oci_config *c, struct nr_imagestore *s, nr_error_t *err)
{
  struct nr_seed_result seed;
  int r = 0;
  /* no fsync: the data-root goes with the container (and a stale one is removed) */
  if (nr_imagestore_seed_docker (s, x->data_root_host, x->preload, 0, &seed, err) < 0)
    return -1;
  /* binds[0], the data-root onto itself, is the data-root step's mount */
  for (size_t i = 1; r == 0 && i < seed.n_binds; i++)
    {
      _cleanup_free_ char *dst = inside_path (x, seed.binds[i].dst);
      if (dst == NULL)
        r = nr_error (err, EINVAL, "seed bind \"%s\" outside the data-root", seed.binds[i].dst);
      else if (oci_mount_add (c, dst, "bind", seed.binds[i].src, nr_nest_ro_bind, err) < 0)
        r = -1;
    }
  x->n_seeded = seed.n_images;
  nr_seed_result_free (&seed);
  return r;
}

/* podman: NEST/containers-storage, a containers-storage view of the shared images whose
   layers link into the store as mounted inside, bound read-only at NR_NEST_IN_CSTORE;
   engine-config lists it in storage.conf.  Independent of the data-root: podman keeps
   its own data wherever it is. */
static int
seed_podman (struct nr_nest_ctx *x, struct oci_config *c, struct nr_imagestore *s, nr_error_t *err)
{
  struct nr_seed_result seed;
  _cleanup_free_ char *view = NULL;
  if (asprintf (&view, "%s/containers-storage", x->nest_dir) < 0)
    return nr_error (err, ENOMEM, "containers-storage view");
  if (nr_imagestore_seed_containers (s, view, NR_NEST_IN_STORE, x->preload, 0, &seed, err) < 0)
    return -1;
  x->n_seeded = seed.n_images;
  nr_seed_result_free (&seed);
  if (oci_mount_add (c, NR_NEST_IN_CSTORE, "bind", view, nr_nest_ro_bind, err) < 0)
    return -1;
  x->view_seeded = true;
  return 0;
}

static int
lease (struct nr_nest_ctx *x, struct oci_config *c, struct nr_imagestore *s, nr_error_t *err)
{
  if (x->env->self)
    return 0; /* the store is read-only here: the host's lease on our ancestor covers us */
  if (nr_imagestore_lease_add (s, x->id, x->preload, err) < 0)
    return -1;
  x->leased = true;
  return oci_annotation_set (c, NR_ANN_LEASE, x->env->store, err);
}

static int
share_mounts (struct nr_nest_ctx *x, struct oci_config *c, nr_error_t *err)
{
  static const char *const tmpfs[] = { "nosuid", "nodev", "mode=755", "size=1m", NULL };
  static const char *const mask[] = { "ro", "nosuid", "nodev", "noexec", "mode=000", "size=4k", NULL };
  /* recursive: inside a nest the store carries its locked nests/ mask, which a plain
     bind may not leave behind (EINVAL) */
  static const char *const store_ro[] = { "rbind", "ro", NR_MOUNT_OPT_LOCKED, NULL };
  char nests[4096];
  struct stat st;
  if (oci_mount_add (c, NR_NEST_IN, "tmpfs", "tmpfs", tmpfs, err) < 0
      || oci_mount_add (c, NR_NEST_IN_STORE, "bind", x->env->store, store_ro, err) < 0)
    return -1;
  /* the store's nests/ holds other containers' data-roots: not for this one's eyes */
  snprintf (nests, sizeof nests, "%s/nests", x->env->store);
  if (stat (nests, &st) == 0 && S_ISDIR (st.st_mode)
      && oci_mount_add (c, NR_NEST_IN_STORE "/nests", "tmpfs", "tmpfs", mask, err) < 0)
    return -1;
  return 0;
}

int
nr_nest_step_share_store (struct nr_nest_ctx *x, struct oci_config *c, nr_error_t *err)
{
  _cleanup_ (nr_imagestore_closep) struct nr_imagestore *s = NULL;
  int mode = x->env->self ? NR_STORE_READ : NR_STORE_WRITE;
  if (nr_imagestore_open (x->env->store, mode, &s, err) < 0 || resolve_preload (x, s, err) < 0)
    return -1;
  if (share_mounts (x, c, err) < 0)
    return -1;
  if (x->data_root_host && x->engine == NR_ENGINE_DOCKER && seed_docker (x, c, s, err) < 0)
    return -1;
  if (x->engine == NR_ENGINE_PODMAN && seed_podman (x, c, s, err) < 0)
    return -1;
  if (x->engine != NR_ENGINE_DOCKER && x->engine != NR_ENGINE_PODMAN)
    nr_warn ("nest \"%s\": images are pre-loaded for docker and podman only; %s gets the store at %s", x->id,
             nr_engine_name (x->engine), NR_NEST_IN_STORE);
  return lease (x, c, s, err);
}
