/* SPDX-License-Identifier: Apache-2.0 */
/* The manager: create (mkdir, resources, devices, join), enter, update, destroy,
   and the state.json form.  The per-version writers are in v1.c, v2.c, devices.c. */
#include "config.h"
#include "runtime/cgroups/internal.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/json.h"
#include "common/log.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void
dir_clear (struct nr_cg_dir *d)
{
  free (d->ctrls);
  free (d->mount);
  free (d->mroot);
  free (d->path);
  free (d->top);
}

void
nr_cgroup_free (struct nr_cgroup *cg)
{
  if (cg == NULL)
    return;
  for (size_t i = 0; i < cg->n; i++)
    dir_clear (&cg->dirs[i]);
  free (cg->dirs);
  free (cg);
}

DEFINE_CLEANUP_FUNC (struct nr_cgroup *, nr_cgroup_free)

static struct nr_cg_dir *
add_dir (struct nr_cgroup *cg, const char *ctrls, const char *mount, const char *mroot, const char *path)
{
  struct nr_cg_dir *v = realloc (cg->dirs, (cg->n + 1) * sizeof *v);
  if (v == NULL)
    abort ();
  cg->dirs = v;
  struct nr_cg_dir *d = &v[cg->n++];
  *d = (struct nr_cg_dir){ strdup (ctrls), strdup (mount), strdup (mroot ? mroot : "/"), strdup (path), NULL };
  if (!d->ctrls || !d->mount || !d->mroot || !d->path)
    abort ();
  return d;
}

enum nr_cgroup_mode
nr_cgroup_get_mode (const struct nr_cgroup *cg)
{
  return cg ? cg->mode : NR_CGROUP_NONE;
}

size_t
nr_cgroup_count (const struct nr_cgroup *cg)
{
  return cg ? cg->n : 0;
}

void
nr_cgroup_at (const struct nr_cgroup *cg, size_t i, const char **controllers, const char **mountpoint,
              const char **path)
{
  const struct nr_cg_dir *d = &cg->dirs[i];
  if (controllers)
    *controllers = d->ctrls;
  if (mountpoint)
    *mountpoint = d->mount;
  if (path)
    *path = d->path;
}

const char *
nr_cgroup_path (const struct nr_cgroup *cg, const char *controller)
{
  const struct nr_cg_dir *d = nr_cg_find (cg, controller ? controller : "");
  return d ? d->path : NULL;
}

/* ---- directories ------------------------------------------------------------- */

/* mkdir each missing level below the mount, remembering the highest one made; on v2
   each parent first offers its controllers to its children. */
static int
make_dirs (struct nr_cg_dir *d, bool v2, nr_error_t *err)
{
  size_t ml = strlen (d->mount);
  _cleanup_free_ char *walk = strdup (d->path);
  if (walk == NULL)
    abort ();
  for (size_t i = ml + 1;; i++)
    {
      char c = walk[i];
      if (c != '/' && c != '\0')
        continue;
      walk[i] = '\0';
      if (v2)
        {
          *strrchr (walk, '/') = '\0';
          nr_cg_v2_enable_controllers (walk);
          walk[strlen (walk)] = '/';
        }
      if (mkdir (walk, 0755) == 0)
        {
          if (d->top == NULL || strlen (walk) < strlen (d->top))
            {
              free (d->top);
              if ((d->top = strdup (walk)) == NULL)
                abort ();
            }
          if (nr_cg_seam.on_mkdir)
            nr_cg_seam.on_mkdir (walk);
        }
      else if (errno != EEXIST)
        return nr_error (err, errno, "mkdir \"%s\"", walk);
      walk[i] = c;
      if (c == '\0')
        return 0;
    }
}

static void
pause_ms (int ms)
{
  struct timespec ts = { ms / 1000, (long) (ms % 1000) * 1000000L };
  nanosleep (&ts, NULL);
}

/* Fake trees hold regular files where cgroupfs has none: a directory with no
   sub-directory loses them, one with sub-directories reports ENOTEMPTY. */
static int
fake_clear (const char *path)
{
  _cleanup_closedir_ DIR *dir = opendir (path);
  struct dirent *e;
  if (dir == NULL)
    return -1;
  while ((e = readdir (dir)))
    if (e->d_type == DT_DIR && strcmp (e->d_name, ".") && strcmp (e->d_name, ".."))
      {
        errno = ENOTEMPTY;
        return -1;
      }
  rewinddir (dir);
  while ((e = readdir (dir)))
    if (e->d_type != DT_DIR)
      unlinkat (dirfd (dir), e->d_name, 0);
  return 0;
}

static int
rmdir_cg (const char *path)
{
  if (nr_cg_seam.fake_fs && fake_clear (path) < 0)
    return errno == ENOENT ? 0 : -1;
  return rmdir (path) < 0 && errno != ENOENT ? -1 : 0;
}

/* Sub-cgroups the container made go first (a nested runtime's, for instance).  The
   usual cgroup has none: one rmdir, and the walk only when the kernel refuses it. */
static int
rm_tree (const char *path)
{
  if (rmdir_cg (path) == 0)
    return 0;
  if (errno != EBUSY && errno != ENOTEMPTY)
    return -1;
  _cleanup_closedir_ DIR *dir = opendir (path);
  struct dirent *e;
  if (dir == NULL)
    return errno == ENOENT ? 0 : -1;
  while ((e = readdir (dir)))
    {
      if (e->d_type != DT_DIR || !strcmp (e->d_name, ".") || !strcmp (e->d_name, ".."))
        continue;
      _cleanup_free_ char *child = nr_cg_join (path, e->d_name);
      if (rm_tree (child) < 0)
        return -1;
    }
  return rmdir_cg (path);
}

/* A cgroup whose last task just exited is busy for a moment: retry with backoff. */
static int
rm_retry (const char *path, nr_error_t *err)
{
  int waited = 0, step = 10;
  while (rm_tree (path) < 0)
    {
      /* a quarter of the budget: enough for exiting tasks, not for live ones */
      if (errno != EBUSY || waited >= nr_cg_seam.poll_ms / 4)
        return nr_error (err, errno, "remove cgroup \"%s\"", path);
      pause_ms (step);
      waited += step;
      step = step < 160 ? step * 2 : step;
    }
  return 0;
}

static int
destroy_dir (const struct nr_cg_dir *d, nr_error_t *err)
{
  if (rm_retry (d->path, err) < 0)
    return -1;
  if (d->top == NULL)
    return 0;
  /* the parents we made, while nobody else uses them */
  _cleanup_free_ char *p = strdup (d->path);
  if (p == NULL)
    abort ();
  for (char *slash = strrchr (p, '/'); slash && slash > p; slash = strrchr (p, '/'))
    {
      *slash = '\0';
      if (!nr_path_has_prefix (p, d->top) || rmdir_cg (p) < 0)
        break;
    }
  return 0;
}

int
nr_cgroup_destroy (struct nr_cgroup *cg, nr_error_t *err)
{
  int ret = 0;
  for (size_t i = 0; cg && i < cg->n; i++)
    {
      nr_error_t e = NULL;
      if (destroy_dir (&cg->dirs[i], &e) < 0)
        {
          if (ret == 0)
            nr_error_move (err, &e);
          else
            nr_error_free (&e);
          ret = -1;
        }
    }
  return ret;
}

/* ---- resources ------------------------------------------------------------------ */

static int
apply (const struct nr_cgroup *cg, const struct oci_resources *r, const struct nr_cg_devrule *rules, size_t n_rules,
       bool devices, nr_error_t *err)
{
  static const struct oci_resources none;
  const struct nr_cg_dir *u = nr_cg_unified (cg), *dev = nr_cg_find (cg, "devices");
  struct nr_cg_devemu emu = { 0 };
  int ret = -1;
  if (r == NULL)
    r = &none;
  if (cg->mode == NR_CGROUP_V2 ? u == NULL : dev == NULL)
    return nr_error (err, ENOENT, "the container has no %s cgroup",
                     cg->mode == NR_CGROUP_V2 ? "cgroup2" : "devices");
  if (devices && nr_cg_devemu_apply (&emu, rules, n_rules, err) < 0)
    goto free_emu;
  if (cg->mode == NR_CGROUP_V2)
    {
      if (nr_cg_v2_apply (u->path, r, err) < 0 || (devices && nr_cg_v2_devices (u->path, &emu, false, err) < 0))
        goto free_emu;
    }
  else
    {
      if (nr_cg_v1_apply (cg, r, err) < 0)
        goto free_emu;
      if (devices && !nr_cg_in_userns () && nr_cg_v1_devices (dev->path, &emu, err) < 0)
        goto free_emu;
      if (devices && u && nr_cg_v2_devices (u->path, &emu, true, err) < 0)
        goto free_emu;
    }
  ret = 0;
free_emu:
  nr_cg_devemu_free (&emu);
  return ret;
}

int
nr_cgroup_update (const struct nr_cgroup *cg, const struct oci_resources *res, nr_error_t *err)
{
  _cleanup_free_ struct nr_cg_devrule *rules = NULL;
  size_t n = 0;
  bool devices = res && res->n_devices > 0;
  if (cg == NULL || cg->mode == NR_CGROUP_NONE)
    return nr_error (err, ENOTSUP, "update resources: the container has no cgroups");
  if (devices && nr_cg_devrules_build (res, NULL, 0, &rules, &n, err) < 0)
    return nr_error_wrap (err, "update resources");
  if (apply (cg, res, rules, n, devices, err) < 0)
    return nr_error_wrap (err, "update resources");
  return 0;
}

/* ---- create ---------------------------------------------------------------------- */

/* The highest level of d->path that does not exist yet, as d->top: what make_dirs
   is about to create (a level someone else makes meanwhile is not removed by a
   destroy from this plan while it holds anything: rmdir refuses). */
static void
plan_top (struct nr_cg_dir *d)
{
  _cleanup_free_ char *walk = strdup (d->path);
  if (walk == NULL)
    abort ();
  free (d->top);
  d->top = NULL;
  for (;;)
    {
      struct stat st;
      if (stat (walk, &st) == 0 || errno != ENOENT)
        return;
      free (d->top);
      if ((d->top = strdup (walk)) == NULL)
        abort ();
      char *slash = strrchr (walk, '/');
      if (slash == NULL || (size_t) (slash - walk) <= strlen (d->mount))
        return;
      *slash = '\0';
    }
}

static int
build_dirs (struct nr_cgroup *cg, const struct nr_cg_mounts *ms, const struct nr_cgroup_config *cfg, const char *inner,
            const char *self, nr_error_t *err)
{
  for (size_t i = 0; i < ms->n; i++)
    {
      _cleanup_free_ char *path = NULL;
      if (nr_cg_container_dir (&ms->v[i], ms->mode, inner, self, &path, err) < 0)
        return -1;
      add_dir (cg, ms->v[i].ctrls, ms->v[i].mount, ms->v[i].mroot, path);
    }
  /* no devices controller is no device policy: fatal, as runc */
  if (cg->mode != NR_CGROUP_V2 && nr_cg_find (cg, "devices") == NULL)
    return nr_error (err, ENOENT, "the \"devices\" cgroup controller is not mounted");
  if (cfg->planned)
    {
      for (size_t i = 0; i < cg->n; i++)
        plan_top (&cg->dirs[i]);
      int r = cfg->planned (cg, cfg->planned_arg, err);
      for (size_t i = 0; i < cg->n; i++)
        {
          free (cg->dirs[i].top); /* make_dirs records what it really makes */
          cg->dirs[i].top = NULL;
        }
      if (r < 0)
        return -1;
    }
  for (size_t i = 0; i < cg->n; i++)
    {
      struct nr_cg_dir *d = &cg->dirs[i];
      /* ENOENT: another container's destroy removed a shared parent under us; again */
      int r, tries = 0;
      while ((r = make_dirs (d, cg->mode == NR_CGROUP_V2, err)) < 0 && (*err)->status == ENOENT && ++tries < 5)
        nr_error_free (err);
      if (r < 0)
        return -1;
      if (nr_cg_ctrls_has (d->ctrls, "cpuset") && nr_cg_v1_cpuset_init (d->mount, d->path, err) < 0)
        return -1;
    }
  return 0;
}

static struct nr_cg_mount
as_mount (const struct nr_cg_dir *d)
{
  return (struct nr_cg_mount){ d->ctrls, d->mount, d->mroot };
}

/* If pid cannot join every hierarchy, put it back where it came from (our own
   cgroups: it was forked from us) so the new directories can be removed. */
static int
join (const struct nr_cgroup *cg, pid_t pid, const char *self, nr_error_t *err)
{
  for (size_t i = 0; i < cg->n; i++)
    {
      if (nr_cg_attach (cg->dirs[i].path, pid, err) == 0)
        continue;
      for (size_t j = 0; j < i; j++)
        {
          struct nr_cg_mount m = as_mount (&cg->dirs[j]);
          _cleanup_free_ char *own = nr_cg_own_dir (&m, self);
          nr_error_t e = NULL;
          if (nr_cg_attach (own, pid, &e) < 0)
            {
              nr_warn ("move pid %d back to \"%s\": %s", (int) pid, own, e->msg);
              nr_error_free (&e);
            }
        }
      return -1;
    }
  return 0;
}

/* Remove only what create made: a directory that was there before (even the leaf,
   if cgroupsPath named an existing cgroup) is not ours to remove. */
static void
undo_create (struct nr_cgroup *cg)
{
  for (size_t i = 0; i < cg->n; i++)
    {
      nr_error_t e = NULL;
      if (cg->dirs[i].top && destroy_dir (&cg->dirs[i], &e) < 0)
        {
          nr_warn ("clean up after failed cgroup creation: %s", e->msg);
          nr_error_free (&e);
        }
    }
}

static int
create_in (struct nr_cgroup *cg, const struct nr_cg_mounts *ms, const struct nr_cgroup_config *cfg,
           const char *inner, pid_t pid, nr_error_t *err)
{
  _cleanup_free_ char *self = NULL;
  _cleanup_free_ struct nr_cg_devrule *rules = NULL;
  size_t n = 0;
  if (nr_read_file (nr_cg_seam.self_cgroup, 1u << 20, &self, NULL, err) < 0)
    return -1;
  if (nr_cg_devrules_build (cfg->resources, cfg->devices, cfg->n_devices, &rules, &n, err) < 0)
    return -1;
  if (build_dirs (cg, ms, cfg, inner, self, err) < 0 || apply (cg, cfg->resources, rules, n, true, err) < 0)
    return -1;
  return pid > 0 ? join (cg, pid, self, err) : 0;
}

int
nr_cgroup_create (const char *root, const struct nr_cgroup_config *cfg, pid_t pid, struct nr_cgroup **out,
                  nr_error_t *err)
{
  _cleanup_free_ char *inner = NULL;
  _cleanup_ (nr_cgroup_freep) struct nr_cgroup *cg = calloc (1, sizeof *cg);
  struct nr_cg_mounts ms = { 0 };
  if (cg == NULL)
    abort ();
  if (nr_cg_inner_path (cfg->cgroups_path, cfg->id, cfg->systemd, &inner, err) < 0)
    return -1;
  if (nr_cg_read_mounts (root, &ms, err) < 0)
    return nr_error_wrap (err, "create cgroup \"%s\"", inner);
  cg->mode = ms.mode;
  if (ms.mode == NR_CGROUP_NONE)
    {
      if (cfg->resources)
        nr_warn ("no cgroup filesystem is mounted: resource limits and device rules are not applied");
    }
  else if (create_in (cg, &ms, cfg, inner, pid, err) < 0)
    {
      undo_create (cg);
      nr_cg_mounts_free (&ms);
      return nr_error_wrap (err, "create cgroup \"%s\"", inner);
    }
  nr_cg_mounts_free (&ms);
  *out = TAKE_PTR (cg);
  return 0;
}

/* ---- enter ------------------------------------------------------------------------ */

/* runc: a v2 cgroup that gained children with controllers cannot take processes;
   exec then joins the cgroup of the container's init. */
static int
enter_init_cgroup (const struct nr_cg_dir *d, pid_t pid, pid_t init_pid, nr_error_t *err)
{
  char proc[64];
  _cleanup_free_ char *text = NULL;
  nr_error_t e = NULL;
  snprintf (proc, sizeof proc, "/proc/%d/cgroup", (int) init_pid);
  if (nr_read_file (proc, 1u << 20, &text, NULL, &e) < 0)
    {
      nr_error_free (&e);
      return -1;
    }
  struct nr_cg_mount m = as_mount (d);
  _cleanup_free_ char *dir = nr_cg_own_dir (&m, text);
  if (!nr_path_has_prefix (dir, d->path))
    return -1;
  nr_error_free (err);
  return nr_cg_attach (dir, pid, err);
}

/* exec --cgroup, runc's rules: one bare "path" for every hierarchy, or any number of
   "ctrl[,ctrl]:path" whose controllers exist, each hierarchy named once. */
static int
check_sub (const struct nr_cgroup *cg, const char *sub, size_t n_subs, nr_error_t *err)
{
  const char *colon = strchr (sub, ':');
  if (colon == NULL)
    return n_subs == 1 ? 0
                       : nr_error (err, EINVAL, "invalid --cgroup argument \"%s\": missing <controller>: prefix", sub);
  if (cg->mode == NR_CGROUP_V2)
    return nr_error (err, EINVAL, "invalid --cgroup argument \"%s\": cgroup v2 has one hierarchy, give the path alone",
                     sub);
  _cleanup_free_ char *list = strndup (sub, colon - sub);
  char *p = list, *ctrl;
  if (list == NULL)
    abort ();
  while ((ctrl = strsep (&p, ",")))
    {
      if (*ctrl == '\0')
        return nr_error (err, EINVAL, "invalid --cgroup argument \"%s\": empty controller", sub);
      if (nr_cg_find (cg, ctrl) == NULL)
        return nr_error (err, EINVAL, "invalid --cgroup argument \"%s\": unknown controller \"%s\"", sub, ctrl);
    }
  return 0;
}

static bool
sub_names (const struct nr_cg_dir *d, const char *sub)
{
  const char *colon = strchr (sub, ':');
  if (colon == NULL)
    return true;
  _cleanup_free_ char *list = strndup (sub, colon - sub);
  char *p = list, *ctrl;
  if (list == NULL)
    abort ();
  while ((ctrl = strsep (&p, ",")))
    if (nr_cg_ctrls_has (d->ctrls, ctrl))
      return true;
  return false;
}

/* Where pid goes in hierarchy d: the sub-cgroup an entry names for it, else the container's. */
static int
sub_dir (const struct nr_cg_dir *d, const char *const *subs, char **out, nr_error_t *err)
{
  const char *hit = NULL;
  for (size_t i = 0; subs && subs[i]; i++)
    {
      if (!sub_names (d, subs[i]))
        continue;
      if (hit)
        return nr_error (err, EINVAL, "invalid --cgroup arguments \"%s\" and \"%s\": both name the %s hierarchy", hit,
                         subs[i], d->ctrls);
      hit = subs[i];
    }
  if (hit == NULL)
    *out = strdup (d->path);
  else
    {
      const char *colon = strchr (hit, ':');
      _cleanup_free_ char *clean = nr_path_clean (colon ? colon + 1 : hit);
      *out = clean ? nr_cg_join (d->path, clean + 1) : NULL;
    }
  if (*out == NULL)
    abort ();
  return 0;
}

int
nr_cgroup_enter (const struct nr_cgroup *cg, pid_t pid, const char *const *subs, pid_t init_pid, nr_error_t *err)
{
  size_t n_subs = 0;
  int ret = -1;
  while (subs && subs[n_subs])
    n_subs++;
  for (size_t i = 0; i < n_subs; i++)
    if (check_sub (cg, subs[i], n_subs, err) < 0)
      return -1;
  char **dirs = calloc (cg ? cg->n + 1 : 1, sizeof (char *));
  if (dirs == NULL)
    abort ();
  for (size_t i = 0; cg && i < cg->n; i++)
    if (sub_dir (&cg->dirs[i], subs, &dirs[i], err) < 0)
      goto out;
  for (size_t i = 0; cg && i < cg->n; i++)
    {
      const struct nr_cg_dir *d = &cg->dirs[i];
      if (nr_cg_attach (dirs[i], pid, err) == 0)
        continue;
      bool busy = (*err)->status == EBUSY && cg->mode == NR_CGROUP_V2 && strcmp (dirs[i], d->path) == 0;
      if (busy && init_pid > 0 && enter_init_cgroup (d, pid, init_pid, err) == 0)
        continue;
      nr_error_wrap (err, "join the container's cgroup");
      goto out;
    }
  ret = 0;
out:
  nr_strvfreep (&dirs);
  return ret;
}

/* ---- state.json ------------------------------------------------------------------- */

char *
nr_cgroup_serialize (const struct nr_cgroup *cg)
{
  yajl_gen g = nr_jgen_new (false);
  if (g == NULL)
    return NULL;
  yajl_gen_map_open (g);
  nr_jgen_kstr (g, "mode", nr_cgroup_mode_name (nr_cgroup_get_mode (cg)));
  nr_jgen_key (g, "dirs");
  yajl_gen_array_open (g);
  for (size_t i = 0; cg && i < cg->n; i++)
    {
      const struct nr_cg_dir *d = &cg->dirs[i];
      yajl_gen_map_open (g);
      nr_jgen_kstr (g, "controllers", d->ctrls);
      nr_jgen_kstr (g, "mount", d->mount);
      nr_jgen_kstr (g, "mount_root", d->mroot);
      nr_jgen_kstr (g, "path", d->path);
      nr_jgen_kstr (g, "created", d->top);
      yajl_gen_map_close (g);
    }
  yajl_gen_array_close (g);
  yajl_gen_map_close (g);
  return nr_jgen_finish (g, NULL);
}

static int
parse_mode (const char *s, enum nr_cgroup_mode *m)
{
  for (int i = NR_CGROUP_NONE; i <= NR_CGROUP_HYBRID; i++)
    if (s && strcmp (s, nr_cgroup_mode_name (i)) == 0)
      {
        *m = i;
        return 0;
      }
  return -1;
}

static int
load_dir (struct nr_jctx *c, yajl_val o, struct nr_cgroup *cg, nr_error_t *err)
{
  _cleanup_free_ char *ctrls = NULL, *mount = NULL, *mroot = NULL, *path = NULL, *top = NULL;
  if (nr_json_str (c, o, "controllers", &ctrls, err) < 0 || nr_json_str (c, o, "mount", &mount, err) < 0
      || nr_json_str (c, o, "mount_root", &mroot, err) < 0 || nr_json_str (c, o, "path", &path, err) < 0
      || nr_json_str (c, o, "created", &top, err) < 0)
    return -1;
  if (ctrls == NULL || mount == NULL || path == NULL || !nr_path_has_prefix (path, mount))
    return nr_jctx_error (c, NULL, err, "incomplete cgroup directory");
  add_dir (cg, ctrls, mount, mroot, path)->top = TAKE_PTR (top);
  return 0;
}

int
nr_cgroup_load (const char *json, struct nr_cgroup **out, nr_error_t *err)
{
  _cleanup_json_ yajl_val root = NULL;
  _cleanup_ (nr_cgroup_freep) struct nr_cgroup *cg = calloc (1, sizeof *cg);
  _cleanup_free_ char *mode = NULL;
  struct nr_jctx c = { .what = "cgroup state" };
  yajl_val dirs = NULL;
  if (cg == NULL)
    abort ();
  if (nr_json_parse (json, strlen (json), "cgroup state", &root, err) < 0)
    return -1;
  if (nr_json_str (&c, root, "mode", &mode, err) < 0 || nr_json_arr (&c, root, "dirs", &dirs, err) < 0)
    return -1;
  if (parse_mode (mode, &cg->mode) < 0)
    return nr_jctx_error (&c, "mode", err, "unknown cgroup mode \"%s\"", mode ? mode : "");
  for (size_t i = 0; dirs && i < dirs->u.array.len; i++)
    {
      size_t old = nr_jctx_push (&c, "dirs");
      nr_jctx_push_index (&c, i);
      int r = load_dir (&c, dirs->u.array.values[i], cg, err);
      nr_jctx_pop (&c, old);
      if (r < 0)
        return -1;
    }
  *out = TAKE_PTR (cg);
  return 0;
}
