/* SPDX-License-Identifier: Apache-2.0 */
/* rm, leases and gc.  A layer or blob lives while a ref or a lease reaches it:
   ref → manifest → config → chain IDs.  gc holds the store lock exclusively, so no
   import is between committing its layers and writing its refs. */
#include "config.h"
#include "imagestore/internal.h"
#include "common/fs.h"
#include "common/json.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
nr_imagestore_rm (struct nr_imagestore *s, const char *ref, nr_error_t *err)
{
  _cleanup_free_ char *norm = nr_ref_normalize (ref);
  if (norm == NULL)
    return nr_error (err, EINVAL, "invalid reference \"%s\"", ref);
  if (nr_refs_set (s, norm, NULL, err) < 0)
    return -1;
  return 0;
}

int
nr_imagestore_tag (struct nr_imagestore *s, const char *what, const char *ref, nr_error_t *err)
{
  struct nr_refs refs;
  char manifest[NR_DIGEST_STR_LEN];
  _cleanup_free_ char *norm = nr_ref_normalize (ref);
  if (norm == NULL)
    return nr_error (err, EINVAL, "invalid reference \"%s\"", ref);
  if (nr_refs_load (s, &refs, err) < 0)
    return -1;
  int r = nr_image_resolve (s, &refs, what, manifest, err);
  nr_refs_free (&refs);
  if (r < 0)
    return -1;
  return nr_refs_set (s, norm, manifest, err);
}

static bool
lease_id_valid (const char *id)
{
  size_t n = strlen (id);
  return n > 0 && n <= 128 && id[0] != '.'
         && strspn (id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

int
nr_imagestore_lease_add (struct nr_imagestore *s, const char *id, char *const *images, nr_error_t *err)
{
  struct nr_refs refs;
  char name[160];

  if (!lease_id_valid (id))
    return nr_error (err, EINVAL, "invalid lease id \"%s\"", id);
  if (nr_store_require_write (s, "lease", err) < 0 || nr_refs_load (s, &refs, err) < 0)
    return -1;
  yajl_gen g = nr_jgen_new (true);
  yajl_gen_map_open (g);
  nr_jgen_kstr (g, "id", id);
  nr_jgen_key (g, "images");
  yajl_gen_array_open (g);
  for (char *const *i = images; i && *i; i++)
    {
      char m[NR_DIGEST_STR_LEN];
      if (nr_image_resolve (s, &refs, *i, m, err) < 0)
        {
          nr_refs_free (&refs);
          yajl_gen_free (g);
          return nr_error_wrap (err, "lease \"%s\"", id);
        }
      nr_jgen_str (g, m);
    }
  yajl_gen_array_close (g);
  yajl_gen_map_close (g);
  nr_refs_free (&refs);
  size_t len = 0;
  _cleanup_free_ char *buf = nr_jgen_finish (g, &len);
  _cleanup_close_ int dfd = openat (s->dirfd, "leases", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (buf == NULL || dfd < 0)
    return nr_error (err, buf ? errno : ENOMEM, "lease \"%s\"", id);
  snprintf (name, sizeof name, "%s.json", id);
  return nr_write_file_atomic_at (dfd, name, buf, len, 0644, err);
}

int
nr_imagestore_lease_remove (struct nr_imagestore *s, const char *id, nr_error_t *err)
{
  char name[160];
  if (!lease_id_valid (id))
    return nr_error (err, EINVAL, "invalid lease id \"%s\"", id);
  snprintf (name, sizeof name, "leases/%s.json", id);
  if (unlinkat (s->dirfd, name, 0) < 0 && errno != ENOENT)
    return nr_error (err, errno, "remove lease \"%s\"", id);
  return 0;
}

/* ---- marking ---- */

struct live
{
  char (*digests)[NR_DIGEST_STR_LEN]; /* blobs and chain IDs */
  size_t n, cap;
};

static bool
live_has (const struct live *l, const char *d)
{
  for (size_t i = 0; i < l->n; i++)
    if (strcmp (l->digests[i], d) == 0)
      return true;
  return false;
}

static int
live_add (struct live *l, const char *d, nr_error_t *err)
{
  if (live_has (l, d))
    return 0;
  if (l->n == l->cap)
    {
      size_t cap = l->cap ? 2 * l->cap : 64;
      void *n = realloc (l->digests, cap * sizeof *l->digests);
      if (n == NULL)
        return nr_error (err, ENOMEM, "gc");
      l->digests = n;
      l->cap = cap;
    }
  snprintf (l->digests[l->n++], NR_DIGEST_STR_LEN, "%s", d);
  return 0;
}

static int
mark_image (struct nr_imagestore *s, struct live *l, const char *manifest, nr_error_t *err)
{
  struct nr_image_def d;
  if (nr_image_load (s, manifest, &d, err) < 0)
    return -1;
  int r = live_add (l, d.manifest, err);
  if (r == 0)
    r = live_add (l, d.config, err);
  for (size_t i = 0; r == 0 && i < d.n_layers; i++)
    r = live_add (l, d.chain_ids[i], err);
  nr_image_def_free (&d);
  return r;
}

static int
mark_leases (struct nr_imagestore *s, struct live *l, nr_error_t *err)
{
  int fd = openat (s->dirfd, "leases", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return nr_error (err, errno, "open \"%s/leases\"", s->path);
  _cleanup_closedir_ DIR *d = fdopendir (fd);
  if (d == NULL)
    return close (fd), nr_error (err, errno, "read \"%s/leases\"", s->path);
  struct dirent *de;
  while ((de = readdir (d)))
    {
      _cleanup_json_ yajl_val root = NULL;
      _cleanup_strv_ char **imgs = NULL;
      struct nr_jctx c = { .what = de->d_name };
      size_t len = strlen (de->d_name);
      if (de->d_name[0] == '.' || len < 6 || strcmp (de->d_name + len - 5, ".json") != 0)
        continue;
      _cleanup_free_ char *buf = NULL;
      if (nr_read_file_at (dirfd (d), de->d_name, s->limits.max_json, &buf, &len, err) < 0
          || nr_json_parse (buf, len, de->d_name, &root, err) < 0
          || nr_json_strv (&c, root, "images", &imgs, err) < 0)
        return nr_error_wrap (err, "lease");
      for (char **i = imgs; i && *i; i++)
        if (nr_digest_valid (*i) && nr_blob_exists (s, *i) && mark_image (s, l, *i, err) < 0)
          return nr_error_wrap (err, "lease \"%s\"", de->d_name);
    }
  return 0;
}

/* ---- sweeping ---- */

static uint64_t
tree_bytes (int at, const char *name)
{
  struct stat st;
  if (fstatat (at, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return 0;
  uint64_t sum = (uint64_t) st.st_blocks * 512;
  if (!S_ISDIR (st.st_mode))
    return sum;
  int fd = openat (at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return sum;
  DIR *d = fdopendir (fd);
  if (d == NULL)
    return close (fd), sum;
  struct dirent *de;
  while ((de = readdir (d)))
    if (strcmp (de->d_name, ".") && strcmp (de->d_name, ".."))
      sum += tree_bytes (dirfd (d), de->d_name);
  closedir (d);
  return sum;
}

/* Move a dead entry into tmp/ first (atomic disappearance), then delete it. */
static int
sweep_dir (struct nr_imagestore *s, const char *sub, const struct live *l, bool dry_run,
           unsigned *count, uint64_t *bytes, nr_error_t *err)
{
  int fd = openat (s->dirfd, sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return nr_error (err, errno, "open \"%s/%s\"", s->path, sub);
  _cleanup_closedir_ DIR *d = fdopendir (fd);
  if (d == NULL)
    return close (fd), nr_error (err, errno, "read \"%s/%s\"", s->path, sub);
  _cleanup_close_ int tmp = nr_store_tmp_fd (s, err);
  if (tmp < 0)
    return -1;
  struct dirent *de;
  while ((de = readdir (d)))
    {
      char digest[300], dead[160];
      if (de->d_name[0] == '.')
        continue;
      snprintf (digest, sizeof digest, "sha256:%s", de->d_name);
      if (nr_digest_valid (digest) && live_has (l, digest))
        continue;
      *bytes += tree_bytes (dirfd (d), de->d_name);
      (*count)++;
      if (dry_run)
        continue;
      snprintf (dead, sizeof dead, "gc-%d-%.100s", (int) getpid (), de->d_name);
      if (renameat (dirfd (d), de->d_name, tmp, dead) < 0)
        return nr_error (err, errno, "remove \"%s/%s/%s\"", s->path, sub, de->d_name);
      if (nr_rm_rf_at (tmp, dead, err) < 0)
        return -1;
    }
  return 0;
}

int
nr_imagestore_gc (struct nr_imagestore *s, bool dry_run, struct nr_gc_result *out, nr_error_t *err)
{
  struct nr_refs refs;
  struct live l = { 0 };
  int r = -1;

  memset (out, 0, sizeof *out);
  if (!(s->flags & NR_STORE_EXCLUSIVE))
    return nr_error (err, EBUSY, "gc: the image store must be locked exclusively");
  if (nr_refs_load (s, &refs, err) < 0)
    return -1;
  for (size_t i = 0; i < refs.n; i++)
    if (mark_image (s, &l, refs.digests[i], err) < 0)
      goto out;
  if (mark_leases (s, &l, err) < 0)
    goto out;
  if (sweep_dir (s, "layers", &l, dry_run, &out->layers_removed, &out->bytes_freed, err) < 0
      || sweep_dir (s, "blobs/sha256", &l, dry_run, &out->blobs_removed, &out->bytes_freed, err) < 0)
    goto out;
  r = 0;
out:
  nr_refs_free (&refs);
  free (l.digests);
  return r < 0 ? nr_error_wrap (err, "gc") : 0;
}
