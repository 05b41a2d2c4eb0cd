/* SPDX-License-Identifier: Apache-2.0 */
/* ls, inspect, du: read-only views, no lock (every visible file is complete). */
#include "config.h"
#include "imagestore/internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void
nr_image_info_free (struct nr_image_info *i)
{
  free (i->ref);
  free (i->created);
  free (i->os);
  free (i->arch);
  free (i->layers);
  memset (i, 0, sizeof *i);
}

void
nr_image_list_free (struct nr_image_list *l)
{
  for (size_t i = 0; i < l->n; i++)
    nr_image_info_free (&l->images[i]);
  free (l->images);
  memset (l, 0, sizeof *l);
}

static int
fill_info (struct nr_imagestore *s, const char *ref, const char *manifest, struct nr_image_info *out,
           nr_error_t *err)
{
  struct nr_image_def d;
  memset (out, 0, sizeof *out);
  if (nr_image_load (s, manifest, &d, err) < 0)
    return -1;
  out->ref = ref ? strdup (ref) : NULL;
  memcpy (out->manifest, d.manifest, sizeof out->manifest);
  memcpy (out->config, d.config, sizeof out->config);
  out->created = TAKE_PTR (d.created);
  out->os = TAKE_PTR (d.os);
  out->arch = TAKE_PTR (d.arch);
  out->n_layers = d.n_layers;
  out->layers = calloc (d.n_layers + 1, sizeof *out->layers);
  if (out->layers == NULL)
    return nr_image_def_free (&d), nr_error (err, ENOMEM, "image");
  for (size_t i = 0; i < d.n_layers; i++)
    {
      if (nr_layer_read_meta (s, d.chain_ids[i], &out->layers[i], err) < 0)
        {
          nr_image_def_free (&d);
          return nr_error_wrap (err, "image \"%s\"", ref ? ref : manifest);
        }
      out->size += out->layers[i].size;
    }
  nr_image_def_free (&d);
  return 0;
}

/* users of each layer: distinct images (manifests) among the refs */
static void
count_users (struct nr_image_list *l)
{
  for (size_t i = 0; i < l->n; i++)
    for (size_t j = 0; j < l->images[i].n_layers; j++)
      {
        struct nr_layer_info *li = &l->images[i].layers[j];
        li->users = 0;
        for (size_t a = 0; a < l->n; a++)
          {
            bool dup = false;
            for (size_t b = 0; b < a && !dup; b++)
              dup = strcmp (l->images[a].manifest, l->images[b].manifest) == 0;
            if (dup)
              continue;
            for (size_t k = 0; k < l->images[a].n_layers; k++)
              if (strcmp (l->images[a].layers[k].chain_id, li->chain_id) == 0)
                {
                  li->users++;
                  break;
                }
          }
      }
  for (size_t i = 0; i < l->n; i++)
    for (size_t j = 0; j < l->images[i].n_layers; j++)
      if (l->images[i].layers[j].users <= 1)
        l->images[i].unique_size += l->images[i].layers[j].size;
}

int
nr_imagestore_list (struct nr_imagestore *s, struct nr_image_list *out, nr_error_t *err)
{
  struct nr_refs refs;
  memset (out, 0, sizeof *out);
  if (nr_refs_load (s, &refs, err) < 0)
    return -1;
  out->images = calloc (refs.n + 1, sizeof *out->images);
  if (out->images == NULL)
    return nr_refs_free (&refs), nr_error (err, ENOMEM, "list");
  for (size_t i = 0; i < refs.n; i++)
    {
      if (fill_info (s, refs.names[i], refs.digests[i], &out->images[out->n], err) < 0)
        {
          nr_refs_free (&refs);
          nr_image_list_free (out);
          return -1;
        }
      out->n++;
    }
  nr_refs_free (&refs);
  count_users (out);
  return 0;
}

int
nr_imagestore_inspect (struct nr_imagestore *s, const char *what, struct nr_image_info *out, nr_error_t *err)
{
  struct nr_image_list all;
  char manifest[NR_DIGEST_STR_LEN];
  struct nr_refs refs;

  if (nr_refs_load (s, &refs, err) < 0)
    return -1;
  int r = nr_image_resolve (s, &refs, what, manifest, err);
  nr_refs_free (&refs);
  if (r < 0 || nr_imagestore_list (s, &all, err) < 0)
    return -1;
  _cleanup_free_ char *norm = nr_ref_normalize (what);
  for (size_t i = 0; i < all.n; i++)
    if (strcmp (all.images[i].manifest, manifest) == 0
        && (norm == NULL || strcmp (all.images[i].ref, norm) == 0 || i + 1 == all.n
            || strcmp (all.images[i + 1].manifest, manifest) != 0))
      {
        *out = all.images[i];
        memset (&all.images[i], 0, sizeof all.images[i]);
        nr_image_list_free (&all);
        return 0;
      }
  nr_image_list_free (&all);
  /* leased or untagged: no ref */
  return fill_info (s, NULL, manifest, out, err);
}

static int
scan_dir (struct nr_imagestore *s, const char *sub, size_t *n, uint64_t *bytes)
{
  int fd = openat (s->dirfd, sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  DIR *d = fdopendir (fd);
  if (d == NULL)
    return close (fd), -1;
  struct dirent *de;
  struct stat st;
  while ((de = readdir (d)))
    {
      if (de->d_name[0] == '.')
        continue;
      (*n)++;
      if (bytes && fstatat (dirfd (d), de->d_name, &st, 0) == 0)
        *bytes += (uint64_t) st.st_size;
    }
  closedir (d);
  return 0;
}

int
nr_imagestore_du (struct nr_imagestore *s, struct nr_store_usage *out, nr_error_t *err)
{
  struct nr_image_list l;
  memset (out, 0, sizeof *out);
  if (nr_imagestore_list (s, &l, err) < 0)
    return -1;
  out->n_refs = l.n;
  scan_dir (s, "blobs/sha256", &out->n_blobs, &out->blob_bytes);
  scan_dir (s, "leases", &out->n_leases, NULL);
  int fd = openat (s->dirfd, "layers", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
  struct dirent *de;
  while (d && (de = readdir (d)))
    {
      char chain[300];
      struct nr_layer_info li;
      nr_error_t e = NULL;
      unsigned users = 0;
      if (de->d_name[0] == '.')
        continue;
      snprintf (chain, sizeof chain, "sha256:%s", de->d_name);
      if (!nr_digest_valid (chain) || nr_layer_read_meta (s, chain, &li, &e) < 0)
        {
          nr_error_free (&e);
          continue;
        }
      out->n_layers++;
      out->layer_bytes += li.size;
      for (size_t i = 0; i < l.n && users == 0; i++)
        for (size_t j = 0; j < l.images[i].n_layers; j++)
          if (strcmp (l.images[i].layers[j].chain_id, chain) == 0)
            {
              users = l.images[i].layers[j].users;
              break;
            }
      if (users > 1)
        out->shared_bytes += li.size;
      if (users == 0)
        out->unreferenced_bytes += li.size;
    }
  if (d)
    closedir (d);
  else if (fd >= 0)
    close (fd);
  for (size_t i = 0; i < l.n; i++)
    {
      bool dup = false;
      for (size_t j = 0; j < i && !dup; j++)
        dup = strcmp (l.images[i].manifest, l.images[j].manifest) == 0;
      if (!dup)
        out->logical_bytes += l.images[i].size;
    }
  nr_image_list_free (&l);
  return 0;
}
