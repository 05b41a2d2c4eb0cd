/* SPDX-License-Identifier: Apache-2.0 */
/* The rewrite: one ordered table.  Each step edits the in-memory config (mounts, env,
   annotations, namespaces) and may prepare host files under the nest dir; "detect"
   decides whether the others run at all.  A failing step undoes the whole nest. */
#include "config.h"
#include "nested/nest.h"
#include "nested/nested.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/log.h"
#include "imagestore/imagestore.h"
#include "runtime/state.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const struct nr_nest_step nr_nest_steps[] = {
  { "detect", nr_nest_step_detect },                 /* nest? engine, depth, preload */
  { "data-root", nr_nest_step_data_root },           /* host-backed inner data-root */
  { "share-store", nr_nest_step_share_store },       /* store ro, seed, lease */
  { "inject-runtime", nr_nest_step_inject_runtime }, /* static nestrun, ro */
  { "engine-config", nr_nest_step_engine_config },   /* nestrun the default runtime; podman:
                                                        storage.conf lists the view */
  { "lineage", nr_nest_step_lineage },               /* nest.json, nests/ for depth+1 */
  { "cgroups", nr_nest_step_cgroups },               /* cgroupns, writable cgroup mounts */
  { "privileges", nr_nest_step_privileges },         /* never added; warn */
};
const size_t nr_nest_n_steps = NR_ARRAY_SIZE (nr_nest_steps);

const char *const nr_nest_ro_bind[] = { "bind", "ro", NR_MOUNT_OPT_LOCKED, NULL };

int
nr_nest_rewrite (struct nr_nest_ctx *x, struct oci_config *c, nr_error_t *err)
{
  for (size_t i = 0; i < nr_nest_n_steps; i++)
    {
      if (nr_nest_steps[i].fn (x, c, err) < 0)
        {
          nr_nest_undo (x);
          return nr_error_wrap (err, "nest \"%s\": %s", x->id, nr_nest_steps[i].name);
        }
      if (i == 0 && !x->nested)
        return 0;
    }
  nr_debug ("nest \"%s\": depth %u, engine %s (%s), %zu images seeded", x->id, x->depth, nr_engine_name (x->engine),
            x->reason, x->n_seeded);
  return 1;
}

void
nr_nest_undo (struct nr_nest_ctx *x)
{
  nr_error_t e = NULL;
  if (x->leased)
    {
      struct nr_imagestore *s = NULL;
      if (nr_imagestore_open (x->env->store, NR_STORE_WRITE, &s, &e) == 0)
        nr_imagestore_lease_remove (s, x->id, &e);
      nr_imagestore_close (s);
      nr_error_free (&e);
      x->leased = false;
    }
  if (x->made_nest_dir && nr_nest_remove_dir (x->nest_dir, &e) < 0)
    {
      nr_warn ("%s", e->msg);
      nr_error_free (&e);
    }
  x->made_nest_dir = false;
}

void
nr_nest_ctx_clear (struct nr_nest_ctx *x)
{
  nr_strvfreep (&x->preload);
  free (x->nest_dir);
  free (x->data_root);
  free (x->data_root_host);
  if (x->rootfs_fd >= 0)
    close (x->rootfs_fd);
  x->rootfs_fd = -1;
}

/* ---- the process's view: flags from main, our own record ---- */
static struct
{
  const char *store;
  bool store_given, forced;
} defaults = { NR_STORE_DEFAULT, false, false };

void
nr_nested_set_defaults (const char *store, bool store_given, bool forced)
{
  defaults.store = store ? store : NR_STORE_DEFAULT;
  defaults.store_given = store_given;
  defaults.forced = forced;
}

/* The static nestrun: $NESTRUN_INNER_BINARY, this binary when it is static, else a
   "nestrun.static" next to it. */
static char *
find_self_exe (void)
{
  char self[PATH_MAX];
  const char *e = getenv ("NESTRUN_INNER_BINARY");
  if (e && *e)
    return realpath (e, NULL);
  ssize_t n = readlink ("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0)
    return NULL;
  self[n] = '\0';
#ifdef NESTRUN_STATIC
  return strdup (self);
#else
  char *slash = strrchr (self, '/');
  if (slash == NULL)
    return NULL;
  *slash = '\0';
  char sib[PATH_MAX + 16];
  snprintf (sib, sizeof sib, "%s/nestrun.static", self);
  return access (sib, X_OK) == 0 ? strdup (sib) : NULL;
#endif
}

const struct nr_nest_env *
nr_nest_env_get (void)
{
  static struct nr_nest_env env;
  static struct nr_nest_record self;
  static char *store, *nests, *exe;
  static bool done;
  if (done)
    return &env;
  done = true;
  nr_error_t e = NULL;
  if (nr_nest_record_read (NR_NEST_IN_RECORD, &self, &e) == 0)
    env.self = &self;
  else if (e->status != ENOENT)
    nr_warn ("%s: ignored", e->msg);
  nr_error_free (&e);
  const char *st = defaults.store;
  if (env.self && !defaults.store_given)
    st = self.store;
  store = realpath (st, NULL);
  env.store = store ? store : st;
  if (env.self)
    env.nests_root = self.nests;
  else if (asprintf (&nests, "%s/nests", env.store) >= 0)
    env.nests_root = nests;
  env.self_exe = exe = find_self_exe ();
  env.forced = defaults.forced;
  const char *md = getenv ("NESTRUN_MAX_DEPTH");
  env.max_depth = md && atoi (md) > 0 ? (unsigned) atoi (md) : NR_NEST_MAX_DEPTH;
  env.cgroup_root = "/sys/fs/cgroup";
  return &env;
}

static int
open_rootfs (const struct nr_create_opts *o, const struct oci_config *c, nr_error_t *err)
{
  _cleanup_free_ char *p = NULL;
  if (c->root_path == NULL)
    return nr_error (err, EINVAL, "no root.path");
  if (c->root_path[0] == '/')
    p = strdup (c->root_path);
  else if (asprintf (&p, "%s/%s", o->bundle, c->root_path) < 0)
    p = NULL;
  if (p == NULL)
    return nr_error (err, ENOMEM, "rootfs");
  int fd = open (p, O_PATH | O_DIRECTORY | O_CLOEXEC);
  return fd < 0 ? nr_error (err, errno, "open rootfs \"%s\"", p) : fd;
}

int
nr_nested_rewrite (const struct nr_runtime *rt, const struct nr_create_opts *o, struct oci_config *cfg,
                   struct nr_nest_ctx *x, nr_error_t *err)
{
  char state[PATH_MAX];
  memset (x, 0, sizeof *x);
  x->rootfs_fd = -1;
  x->env = nr_nest_env_get ();
  x->id = o->id;
  x->bundle = o->bundle;
  if (nr_id_validate (o->id, err) < 0)
    return -1;
  /* an existing container: create fails on its own, its nest must not be touched */
  snprintf (state, sizeof state, "%s/%s", rt->root, o->id);
  if (access (state, F_OK) == 0 || cfg->process == NULL)
    return 0;
  x->rootfs_fd = open_rootfs (o, cfg, err);
  if (x->rootfs_fd < 0)
    return -1;
  return nr_nest_rewrite (x, cfg, err);
}
