/* SPDX-License-Identifier: Apache-2.0 */
/* delete: the ordinary delete, then what the nest added on the host: its lease on the
   store and its nest dir (data-root, generated files).  Mounts went with the
   container's mount namespace. */
#include "config.h"
#include "nested/nested.h"
#include "nested/nest.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "imagestore/imagestore.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *
ann (char **a, const char *key)
{
  for (; a && a[0]; a += 2)
    if (strcmp (a[0], key) == 0)
      return a[1];
  return NULL;
}

static int
drop_lease (const char *store, const char *id, nr_error_t *err)
{
  struct nr_imagestore *s = NULL;
  int r = nr_imagestore_open (store, NR_STORE_WRITE, &s, err);
  if (r == 0)
    r = nr_imagestore_lease_remove (s, id, err);
  nr_imagestore_close (s);
  if (r < 0 && (*err)->status == ENOENT)
    {
      nr_error_free (err);
      r = 0;
    }
  return r;
}

int
nr_delete_container (const struct nr_runtime *rt, const char *id, bool force, nr_error_t *err)
{
  struct nr_container_info info = { 0 };
  nr_error_t e = NULL;
  _cleanup_free_ char *dir = NULL, *store = NULL;
  if (nr_container_info (rt, id, &info, &e) == 0)
    {
      const char *d = ann (info.annotations, NR_ANN_NEST_DIR);
      const char *s = ann (info.annotations, NR_ANN_LEASE);
      dir = d ? strdup (d) : NULL;
      store = s ? strdup (s) : NULL;
    }
  nr_error_free (&e);
  nr_container_info_clear (&info);
  if (nr_container_delete (rt, id, force, err) < 0)
    return -1;
  int r = 0;
  if (store && drop_lease (store, id, err) < 0)
    r = nr_error_wrap (err, "delete container \"%s\": release lease", id);
  if (dir && nr_nest_remove_dir (dir, r < 0 ? &e : err) < 0)
    {
      if (r < 0)
        nr_warn ("%s", e->msg), nr_error_free (&e);
      else
        r = nr_error_wrap (err, "delete container \"%s\"", id);
    }
  return r;
}
