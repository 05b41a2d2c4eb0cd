/* SPDX-License-Identifier: Apache-2.0 */
/* `state` and `list`: the OCI state plus runc's extra fields. */
#include "config.h"
#include "runtime/container.h"
#include "runtime/state.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OCI_VERSION "1.0.2-dev"

static int
info_from_state (int dirfd, struct nr_state *s, struct nr_container_info *out)
{
  out->status = nr_state_status (dirfd, s);
  out->id = TAKE_PTR (s->id);
  out->pid = out->status == NR_STATUS_STOPPED ? 0 : s->pid;
  out->bundle = TAKE_PTR (s->bundle);
  out->rootfs = TAKE_PTR (s->rootfs);
  out->created = TAKE_PTR (s->created);
  out->owner = TAKE_PTR (s->owner);
  out->annotations = TAKE_PTR (s->annotations);
  return 0;
}

int
nr_container_info (const struct nr_runtime *rt, const char *id, struct nr_container_info *out, nr_error_t *err)
{
  _cleanup_close_ int dirfd = -1;
  struct nr_state s = { 0 };
  int ret = -1;
  if (nr_state_open (rt->root, id, false, &dirfd, err) < 0 || nr_state_read (dirfd, &s, err) < 0)
    goto out;
  ret = info_from_state (dirfd, &s, out);
out:
  nr_state_clear (&s);
  return ret;
}

static int
cmp_info (const void *a, const void *b)
{
  return strcmp (((const struct nr_container_info *) a)->id, ((const struct nr_container_info *) b)->id);
}

int
nr_container_list (const struct nr_runtime *rt, struct nr_container_info **out, size_t *n, nr_error_t *err)
{
  *out = NULL;
  *n = 0;
  _cleanup_closedir_ DIR *d = opendir (rt->root);
  if (d == NULL)
    {
      if (errno == ENOENT)
        return 0;
      return nr_error (err, errno, "open state root \"%s\"", rt->root);
    }
  struct dirent *de;
  size_t cap = 0;
  while ((de = readdir (d)))
    {
      if (de->d_name[0] == '.')
        continue;
      struct nr_container_info info = { 0 };
      nr_error_t e = NULL;
      if (nr_container_info (rt, de->d_name, &info, &e) < 0)
        {
          /* a container being created or deleted right now: skip it, as runc does */
          nr_error_free (&e);
          continue;
        }
      if (*n == cap)
        {
          cap = cap ? cap * 2 : 16;
          struct nr_container_info *nv = realloc (*out, cap * sizeof **out);
          if (nv == NULL)
            {
              nr_container_info_clear (&info);
              return nr_error (err, ENOMEM, "list");
            }
          *out = nv;
        }
      (*out)[(*n)++] = info;
    }
  if (*n > 1)
    qsort (*out, *n, sizeof **out, cmp_info);
  return 0;
}

void
nr_container_info_clear (struct nr_container_info *i)
{
  free (i->id);
  free (i->bundle);
  free (i->rootfs);
  free (i->created);
  free (i->owner);
  nr_strvfreep (&i->annotations);
  memset (i, 0, sizeof *i);
}

char *
nr_container_info_json (const struct nr_container_info *i, bool pretty)
{
  yajl_gen g = nr_jgen_new (pretty);
  if (g == NULL)
    return NULL;
  yajl_gen_map_open (g);
  nr_jgen_kstr (g, "ociVersion", OCI_VERSION);
  nr_jgen_kstr (g, "id", i->id);
  nr_jgen_kint (g, "pid", i->pid);
  nr_jgen_kstr (g, "status", nr_status_name (i->status));
  nr_jgen_kstr (g, "bundle", i->bundle);
  nr_jgen_kstr (g, "rootfs", i->rootfs);
  nr_jgen_kstr (g, "created", i->created);
  if (i->owner)
    nr_jgen_kstr (g, "owner", i->owner);
  if (i->annotations && i->annotations[0])
    {
      nr_jgen_key (g, "annotations");
      yajl_gen_map_open (g);
      for (char **a = i->annotations; a[0] && a[1]; a += 2)
        nr_jgen_kstr (g, a[0], a[1]);
      yajl_gen_map_close (g);
    }
  yajl_gen_map_close (g);
  return nr_jgen_finish (g, NULL);
}
