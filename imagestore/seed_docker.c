/* SPDX-License-Identifier: Apache-2.0 */
/* Engine view #1: a Docker (20.10+) overlay2 data-root made of metadata only.

   DATA/image/overlay2/repositories.json            {"Repositories":{name:{name:tag:"sha256:<id>"}}}
   DATA/image/overlay2/imagedb/content/sha256/<id>  the config, byte for byte (id = its digest)
   DATA/image/overlay2/layerdb/sha256/<chain>/      diff, size, cache-id, parent
   DATA/overlay2/<cache-id>/                        diff/ (a mount point), link, lower, work/,
                                                    committed
   DATA/overlay2/l/<short> -> ../<cache-id>/diff

   The cache-id is the chain ID's hex (stable across seeds) and the short link name a
   base32 digest of it, 26 characters like docker's.  Each diff/ is left empty: the
   caller bind-mounts the store's layer over it read-only (out->binds).

   What the engine can do with such images: list, inspect, run, commit, build FROM
   them, tag and untag.  `docker rmi` removes the metadata here and tries to remove
   diff/, which fails on the read-only bind (the store is untouched either way).
   `docker save` and `docker push` need layerdb/<chain>/tar-split.json.gz, the record of
   the original tar stream, which the store does not keep: they fail for these images. */
#include "config.h"
#include "imagestore/internal.h"
#include "common/fs.h"
#include "common/json.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define IMG "image/overlay2"

/* One seeding: where, and whether each file is fsynced before its rename. */
struct seed
{
  struct nr_imagestore *s;
  const char *root;
  bool sync;
  struct nr_seed_result *out;
};

static int
put_mode (const struct seed *sd, int dirfd, const char *name, const char *data, size_t len, mode_t mode,
          nr_error_t *err)
{
  return nr_write_file_replace_at (dirfd, name, data, len, mode, sd->sync, err);
}

static int
put (const struct seed *sd, int dirfd, const char *name, const char *data, nr_error_t *err)
{
  return nr_seed_put (dirfd, name, data, sd->sync, err);
}

static int
open_dir (const char *root, const char *sub, int *fd, nr_error_t *err)
{
  return nr_seed_open_dir (root, sub, 0710, fd, err);
}

static int
add_bind (struct nr_seed_result *out, char *src, char *dst, bool ro, nr_error_t *err)
{
  if (src == NULL || dst == NULL)
    return free (src), free (dst), nr_error (err, ENOMEM, "seed");
  for (size_t i = 0; i < out->n_binds; i++)
    if (strcmp (out->binds[i].dst, dst) == 0)
      return free (src), free (dst), 0;
  struct nr_bind *b = realloc (out->binds, (out->n_binds + 1) * sizeof *b);
  if (b == NULL)
    return free (src), free (dst), nr_error (err, ENOMEM, "seed");
  out->binds = b;
  b[out->n_binds++] = (struct nr_bind) { src, dst, ro };
  return 0;
}

/* layerdb/sha256/<chain> and overlay2/<cache-id> for layer i of d */
static int
seed_layer (const struct seed *sd, const struct nr_image_def *d, size_t i, nr_error_t *err)
{
  struct nr_imagestore *s = sd->s;
  const char *root = sd->root;
  const char *chain = d->chain_ids[i] + 7;
  _cleanup_free_ const char **ids = calloc (i + 1, sizeof (char *));
  struct nr_layer_info li;
  char sub[512], buf[64];
  _cleanup_close_ int ldb = -1, drv = -1, ov = -1;

  if (ids == NULL)
    return nr_error (err, ENOMEM, "seed");
  if (nr_layer_read_meta (s, d->chain_ids[i], &li, err) < 0)
    return -1;
  snprintf (sub, sizeof sub, IMG "/layerdb/sha256/%s", chain);
  if (open_dir (root, sub, &ldb, err) < 0 || put (sd, ldb, "diff", d->diff_ids[i], err) < 0
      || put (sd, ldb, "cache-id", chain, err) < 0)
    return -1;
  snprintf (buf, sizeof buf, "%llu", (unsigned long long) li.size);
  if (put (sd, ldb, "size", buf, err) < 0 || (i && put (sd, ldb, "parent", d->chain_ids[i - 1], err) < 0))
    return -1;
  for (size_t k = 0; k <= i; k++)
    ids[k] = d->chain_ids[k] + 7;
  if (open_dir (root, "overlay2", &drv, err) < 0 || (ov = nr_seed_layer_links (drv, ids, i, 0710, sd->sync, err)) < 0)
    return nr_error_wrap (err, "seed \"%s/overlay2\"", root);
  if (mkdirat (ov, "diff", 0755) < 0 && errno != EEXIST)
    return nr_error (err, errno, "mkdir \"%s/overlay2/%s/diff\"", root, chain);
  if (put (sd, ov, "committed", "", err) < 0)
    return -1;
  if (i && mkdirat (ov, "work", 0700) < 0 && errno != EEXIST)
    return nr_error (err, errno, "mkdir \"%s/overlay2/%s/work\"", root, chain);
  char *dst = NULL;
  if (asprintf (&dst, "%s/overlay2/%s/diff", root, chain) < 0)
    dst = NULL;
  return add_bind (sd->out, nr_imagestore_layer_dir (s, d->chain_ids[i]), dst, true, err);
}

static int
seed_image (const struct seed *sd, const char *manifest, nr_error_t *err)
{
  struct nr_image_def d;
  _cleanup_free_ char *cfg = NULL;
  _cleanup_close_ int content = -1;
  size_t len = 0;
  int r = -1;

  if (nr_image_load (sd->s, manifest, &d, err) < 0)
    return -1;
  if (nr_blob_get (sd->s, d.config, &cfg, &len, err) < 0
      || open_dir (sd->root, IMG "/imagedb/content/sha256", &content, err) < 0
      || put_mode (sd, content, d.config + 7, cfg, len, 0600, err) < 0)
    goto out;
  for (size_t i = 0; i < d.n_layers; i++)
    if (seed_layer (sd, &d, i, err) < 0)
      goto out;
  r = 0;
out:
  nr_image_def_free (&d);
  return r;
}

/* repositories.json, keeping what is there: {"Repositories":{"busybox":{"busybox:latest":id}}} */
static int
write_repositories (const struct seed *sd, const struct nr_refs *sel, nr_error_t *err)
{
  struct nr_imagestore *s = sd->s;
  const char *root = sd->root;
  _cleanup_free_ char *old = NULL;
  _cleanup_json_ yajl_val oldv = NULL;
  _cleanup_close_ int dfd = -1;
  size_t len = 0;

  if (open_dir (root, IMG, &dfd, err) < 0)
    return -1;
  if (nr_read_file_at (dfd, "repositories.json", s->limits.max_json, &old, &len, err) == 0)
    {
      if (nr_json_parse (old, len, "repositories.json", &oldv, err) < 0)
        return nr_error_wrap (err, "seed \"%s\"", root);
    }
  nr_error_free (err);
  yajl_val repos = nr_json_get (oldv, "Repositories");
  yajl_gen g = nr_jgen_new (false);
  yajl_gen_map_open (g);
  nr_jgen_key (g, "Repositories");
  yajl_gen_map_open (g);
  /* names: ours, then the old ones we do not override */
  for (size_t i = 0; i < sel->n; i++)
    {
      size_t nlen = (size_t) (strrchr (sel->names[i], ':') - sel->names[i]);
      bool seen = false;
      for (size_t j = 0; j < i && !seen; j++)
        seen = strncmp (sel->names[j], sel->names[i], nlen) == 0 && sel->names[j][nlen] == ':';
      if (seen)
        continue;
      yajl_gen_string (g, (const unsigned char *) sel->names[i], nlen);
      yajl_gen_map_open (g);
      for (size_t j = i; j < sel->n; j++)
        if (strncmp (sel->names[j], sel->names[i], nlen) == 0 && sel->names[j][nlen] == ':')
          {
            struct nr_image_def d;
            if (nr_image_load (s, sel->digests[j], &d, err) < 0)
              return yajl_gen_free (g), -1;
            nr_jgen_kstr (g, sel->names[j], d.config);
            nr_image_def_free (&d);
          }
      yajl_gen_map_close (g);
    }
  for (size_t i = 0; repos && YAJL_IS_OBJECT (repos) && i < repos->u.object.len; i++)
    {
      const char *k = repos->u.object.keys[i];
      bool ours = false;
      for (size_t j = 0; j < sel->n && !ours; j++)
        ours = strncmp (sel->names[j], k, strlen (k)) == 0 && sel->names[j][strlen (k)] == ':';
      if (ours)
        continue;
      nr_jgen_key (g, k);
      nr_jgen_value (g, repos->u.object.values[i]);
    }
  yajl_gen_map_close (g);
  yajl_gen_map_close (g);
  _cleanup_free_ char *buf = nr_jgen_finish (g, &len);
  if (buf == NULL)
    return nr_error (err, ENOMEM, "repositories.json");
  return put_mode (sd, dfd, "repositories.json", buf, len, 0600, err);
}

int
nr_imagestore_seed_docker (struct nr_imagestore *s, const char *data_root, char *const *images, unsigned flags,
                           struct nr_seed_result *out, nr_error_t *err)
{
  const struct seed sd = { s, data_root, (flags & NR_SEED_SYNC) != 0, out };
  struct nr_refs all, sel;
  int r = -1;

  memset (out, 0, sizeof *out);
  if (nr_refs_load (s, &all, err) < 0)
    return nr_error_wrap (err, "seed docker data-root \"%s\"", data_root);
  if (nr_seed_select_refs (s, images, &all, &sel, err) < 0 || nr_mkdir_p (data_root, 0710, err) < 0
      || add_bind (out, strdup (data_root), strdup (data_root), false, err) < 0)
    goto out;
  for (size_t i = 0; i < sel.n; i++)
    if (seed_image (&sd, sel.digests[i], err) < 0)
      goto out;
  if (write_repositories (&sd, &sel, err) < 0)
    goto out;
  out->n_images = sel.n;
  r = 0;
out:
  nr_refs_free (&all);
  nr_refs_free (&sel);
  if (r < 0)
    {
      nr_seed_result_free (out);
      return nr_error_wrap (err, "seed docker data-root \"%s\"", data_root);
    }
  return 0;
}
