/* SPDX-License-Identifier: Apache-2.0 */
/* What the engine views (seed_docker.c, seed_containers.c) share: choosing the refs,
   writing small files, and the overlay "l/" short links both engines use, docker's
   overlay2 and containers-storage's overlay having the same layout for them:

     <driver>/<id>/link     the layer's short name (26 base32 characters)
     <driver>/<id>/lower    "l/<parent's short>:l/<grandparent's short>:…" (not for a base)
     <driver>/l/<short>  -> ../<id>/diff */
#include "config.h"
#include "imagestore/internal.h"
#include "common/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void
nr_seed_result_free (struct nr_seed_result *r)
{
  for (size_t i = 0; i < r->n_binds; i++)
    {
      free (r->binds[i].src);
      free (r->binds[i].dst);
    }
  free (r->binds);
  memset (r, 0, sizeof *r);
}

void
nr_seed_short_link (const char *id, char out[NR_SEED_LINK_LEN + 1])
{
  static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  uint8_t md[NR_SHA256_LEN];
  struct nr_sha256 h;
  nr_sha256_init (&h);
  nr_sha256_update (&h, id, strlen (id));
  nr_sha256_final (&h, md);
  for (int i = 0; i < NR_SEED_LINK_LEN; i++)
    {
      int bit = i * 5, byte = bit / 8, off = bit % 8;
      unsigned v = ((unsigned) md[byte] << 8 | md[byte + 1]) >> (11 - off);
      out[i] = b32[v & 31];
    }
  out[NR_SEED_LINK_LEN] = '\0';
}

char *
nr_seed_lower (const char *const *ids, size_t i)
{
  char *out = calloc (i * (NR_SEED_LINK_LEN + 3) + 1, 1), *p = out;
  for (size_t k = i; out && k-- > 0;)
    {
      char link[NR_SEED_LINK_LEN + 1];
      nr_seed_short_link (ids[k], link);
      p += sprintf (p, "%sl/%s", k + 1 == i ? "" : ":", link);
    }
  return out;
}

int
nr_seed_layer_links (int drv, const char *const *ids, size_t i, mode_t mode, bool sync, nr_error_t *err)
{
  char link[NR_SEED_LINK_LEN + 1], target[128], name[NR_SEED_LINK_LEN + 3];
  _cleanup_close_ int ov = -1;
  _cleanup_free_ char *lower = NULL;
  const char *id = ids[i];

  if ((mkdirat (drv, id, mode) < 0 && errno != EEXIST)
      || (ov = openat (drv, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
    return nr_error (err, errno, "create layer directory \"%s\"", id);
  nr_seed_short_link (id, link);
  if (nr_seed_put (ov, "link", link, sync, err) < 0)
    return -1;
  if (i > 0 && (lower = nr_seed_lower (ids, i)) == NULL)
    return nr_error (err, ENOMEM, "lower");
  if (i > 0 && nr_seed_put (ov, "lower", lower, sync, err) < 0)
    return -1;
  if (mkdirat (drv, "l", mode) < 0 && errno != EEXIST)
    return nr_error (err, errno, "create \"l\"");
  snprintf (target, sizeof target, "../%s/diff", id);
  snprintf (name, sizeof name, "l/%s", link);
  if (unlinkat (drv, name, 0) < 0 && errno != ENOENT)
    return nr_error (err, errno, "remove \"%s\"", name);
  if (symlinkat (target, drv, name) < 0)
    return nr_error (err, errno, "symlink \"%s\"", name);
  return TAKE_FD (ov);
}

int
nr_seed_put (int dirfd, const char *name, const char *data, bool sync, nr_error_t *err)
{
  return nr_write_file_replace_at (dirfd, name, data, strlen (data), 0644, sync, err);
}

int
nr_seed_open_dir (const char *root, const char *sub, mode_t mode, int *fd, nr_error_t *err)
{
  char p[4096];
  if (snprintf (p, sizeof p, "%s/%s", root, sub) >= (int) sizeof p)
    return nr_error (err, ENAMETOOLONG, "\"%s/%s\"", root, sub);
  if (nr_mkdir_p (p, mode, err) < 0)
    return -1;
  *fd = open (p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  return *fd < 0 ? nr_error (err, errno, "open \"%s\"", p) : 0;
}

int
nr_seed_select_refs (struct nr_imagestore *s, char *const *images, struct nr_refs *all, struct nr_refs *sel,
                     nr_error_t *err)
{
  memset (sel, 0, sizeof *sel);
  if (images == NULL)
    {
      *sel = *all;
      memset (all, 0, sizeof *all);
      return 0;
    }
  size_t n = 0;
  while (images[n])
    n++;
  sel->names = calloc (n + 1, sizeof (char *));
  sel->digests = calloc (n + 1, sizeof (char *));
  if (sel->names == NULL || sel->digests == NULL)
    return nr_error (err, ENOMEM, "seed");
  for (size_t i = 0; i < n; i++)
    {
      char m[NR_DIGEST_STR_LEN];
      char *norm = nr_ref_normalize (images[i]);
      if (norm == NULL || nr_refs_get (all, norm) == NULL)
        {
          free (norm);
          return nr_image_resolve (s, all, images[i], m, err) < 0
                     ? -1
                     : nr_error (err, EINVAL, "\"%s\": seed needs a name:tag, not a digest", images[i]);
        }
      sel->names[sel->n] = norm;
      sel->digests[sel->n++] = strdup (nr_refs_get (all, norm));
    }
  return 0;
}
