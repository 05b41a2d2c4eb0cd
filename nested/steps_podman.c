/* SPDX-License-Identifier: Apache-2.0 */
/* podman as the inner engine: its data-root (graphroot) and its two config files.

   storage.conf    the image's /etc/containers/storage.conf (else its vendor default in
                   /usr/share/containers, which podman reads only when the /etc one is
                   missing), every setting kept, plus the nest's containers-storage view
                   (share-store) appended to [storage.options] additionalimagestores, and
                   driver = "overlay" when the image names none (the view is an overlay
                   store).  An image that asks for another driver keeps it, without the view.
   containers.conf the image's /etc/containers/containers.conf plus [engine] runtime =
                   "nestrun" and [engine.runtimes] nestrun = [<the injected nestrun>]
                   (podman layers it over /usr/share/containers/containers.conf).
   Both are written in the nest dir and bound read-only over the image's paths: the
   image is never modified.  TOML is edited by engines/toml.c, which keeps every other
   byte of the file and refuses what it cannot follow. */
#include "config.h"
#include "nested/nest.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/log.h"
#include "engines/setup.h"
#include "engines/toml.h"
#include "oci/edit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STORAGE_CONF "/etc/containers/storage.conf"
#define STORAGE_CONF_VENDOR "/usr/share/containers/storage.conf"
#define CONTAINERS_CONF "/etc/containers/containers.conf"
#define GRAPHROOT "/var/lib/containers/storage"

/* The storage.conf podman would read in this rootfs (NULL *text: none), and its path. */
static int
image_storage_conf (int rootfs_fd, char **text, const char **path, nr_error_t *err)
{
  size_t len = 0;
  *text = NULL;
  *path = STORAGE_CONF;
  if (nr_nest_read_in_root (rootfs_fd, STORAGE_CONF, text, &len, err) < 0)
    return nr_error_wrap (err, "image's %s", STORAGE_CONF);
  if (*text)
    return 0;
  *path = STORAGE_CONF_VENDOR;
  if (nr_nest_read_in_root (rootfs_fd, STORAGE_CONF_VENDOR, text, &len, err) < 0)
    return nr_error_wrap (err, "image's %s", STORAGE_CONF_VENDOR);
  return 0;
}

/* A string key of a table, NULL when absent. */
static int
get_string (const char *text, const char *what, const char *table, const char *key, char **out, nr_error_t *err)
{
  _cleanup_free_ char *v = NULL;
  *out = NULL;
  if (nr_toml_get (text, table, key, what, &v, err) < 0)
    return -1;
  return v ? nr_toml_string (v, what, out, err) : 0;
}

char *
nr_nest_podman_data_root (int rootfs_fd)
{
  _cleanup_free_ char *text = NULL, *root = NULL;
  const char *path;
  nr_error_t e = NULL;
  char *out = NULL;
  if (image_storage_conf (rootfs_fd, &text, &path, &e) == 0 && text
      && get_string (text, path, "storage", "graphroot", &root, &e) == 0 && root && root[0] == '/')
    out = nr_path_clean (root);
  nr_error_free (&e); /* a file we cannot read fails the engine-config step, with its reason */
  return out ? out : strdup (GRAPHROOT);
}

int
nr_nest_storage_conf (const char *image, const char *what, const char *view, char **out, char **why, nr_error_t *err)
{
  _cleanup_free_ char *text = strdup (image ? image : ""), *driver = NULL, *old = NULL, *value = NULL;
  _cleanup_strv_ char **stores = NULL;
  size_t len = 3;
  *out = *why = NULL;
  if (text == NULL)
    return nr_error (err, ENOMEM, "storage.conf");
  if (get_string (text, what, "storage", "driver", &driver, err) < 0)
    return -1;
  if (driver && *driver && strcmp (driver, "overlay") != 0 && strcmp (driver, "overlay2") != 0)
    {
      if (asprintf (why, "its storage.conf sets driver = \"%s\"; the pre-loaded images need \"overlay\"", driver) < 0)
        *why = NULL;
      return 0;
    }
  if ((driver == NULL || *driver == '\0')
      && nr_toml_set (&text, "storage", "driver", "\"overlay\"", what, NULL, err) < 0)
    return -1;
  if (nr_toml_get (text, "storage.options", "additionalimagestores", what, &old, err) < 0)
    return -1;
  if (old && nr_toml_string_array (old, "additionalimagestores", &stores, err) < 0)
    return nr_error_wrap (err, "%s", what);
  for (char **s = stores; s && *s; s++)
    len += strlen (*s) * 2 + 4;
  if ((value = calloc (len + strlen (view) * 2 + 4, 1)) == NULL)
    return nr_error (err, ENOMEM, "storage.conf");
  strcat (value, "[");
  for (char **s = stores; s && *s; s++)
    if (strcmp (*s, view) != 0)
      {
        _cleanup_free_ char *q = nr_toml_quote (*s);
        strcat (strcat (value, q), ", ");
      }
  _cleanup_free_ char *q = nr_toml_quote (view);
  strcat (strcat (value, q), "]");
  if (nr_toml_set (&text, "storage.options", "additionalimagestores", value, what, NULL, err) < 0)
    return -1;
  *out = TAKE_PTR (text);
  return 0;
}

int
nr_nest_containers_conf (const char *image, const char *what, const char *runtime_path, char **out, nr_error_t *err)
{
  _cleanup_free_ char *text = strdup (image ? image : "");
  char **changes = NULL;
  *out = NULL;
  if (text == NULL)
    return nr_error (err, ENOMEM, "containers.conf");
  int r = nr_setup_podman_toml (&text, what, "nestrun", runtime_path, &changes, err);
  nr_strvfreep (&changes);
  if (r < 0 || nr_toml_set (&text, "engine", "runtime", "\"nestrun\"", what, NULL, err) < 0)
    return -1;
  *out = TAKE_PTR (text);
  return 0;
}

/* NEST/<name> = text, bound read-only at dest; a dest the config mounts is kept. */
static int
bind_generated (struct nr_nest_ctx *x, struct oci_config *c, const char *dest, const char *name, const char *text,
                nr_error_t *err)
{
  _cleanup_free_ char *host = NULL;
  if (asprintf (&host, "%s/%s", x->nest_dir, name) < 0)
    return nr_error (err, ENOMEM, "%s", name);
  if (nr_write_file (host, text, strlen (text), 0644, err) < 0)
    return -1;
  return oci_mount_add (c, dest, "bind", host, nr_nest_ro_bind, err) < 0 ? -1 : 0;
}

static bool
config_mounts (struct nr_nest_ctx *x, struct oci_config *c, const char *path, const char *what)
{
  if (oci_mount_find (c, path) == NULL && oci_mount_find (c, "/etc/containers") == NULL)
    return false;
  nr_warn ("nest \"%s\": %s is mounted by the config: kept, %s", x->id, path, what);
  return true;
}

int
nr_nest_podman_config (struct nr_nest_ctx *x, struct oci_config *c, nr_error_t *err)
{
  _cleanup_free_ char *img = NULL, *merged = NULL, *why = NULL, *cc = NULL, *cc_merged = NULL;
  const char *path;
  size_t len = 0;
  if (x->view_seeded && !config_mounts (x, c, STORAGE_CONF, "images not pre-loaded"))
    {
      if (image_storage_conf (x->rootfs_fd, &img, &path, err) < 0
          || nr_nest_storage_conf (img, path, NR_NEST_IN_CSTORE, &merged, &why, err) < 0)
        return -1;
      if (merged == NULL)
        nr_warn ("nest \"%s\": %s: images not pre-loaded", x->id, why ? why : "storage.conf");
      else if (bind_generated (x, c, STORAGE_CONF, "storage.conf", merged, err) < 0)
        return -1;
    }
  if (x->env->self_exe == NULL || config_mounts (x, c, CONTAINERS_CONF, "nestrun not made the runtime"))
    return 0;
  if (nr_nest_read_in_root (x->rootfs_fd, CONTAINERS_CONF, &cc, &len, err) < 0)
    return nr_error_wrap (err, "image's %s", CONTAINERS_CONF);
  if (nr_nest_containers_conf (cc, CONTAINERS_CONF, NR_NEST_IN_BIN, &cc_merged, err) < 0)
    return -1;
  return bind_generated (x, c, CONTAINERS_CONF, "containers.conf", cc_merged, err);
}
