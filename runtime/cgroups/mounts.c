/* SPDX-License-Identifier: Apache-2.0 */
/* Which cgroup filesystems are mounted under the root (mountinfo, not statfs, so a fake
   tree can stand in), and where the container's directory goes in each (runc's
   cgroupfs rules: libcontainer/cgroups/fs/paths.go and fs2/defaultpath.go). */
#include "config.h"
#include "runtime/cgroups/internal.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Super options of a cgroup v1 mount that are not controllers. */
static const char *const non_controllers[] = {
  "rw", "ro", "clone_children", "noprefix", "xattr", "cpuset_v2_mode", "favordynmods", "all", "none", NULL,
};

struct mi_line
{
  char *mroot, *mpoint, *fstype, *superopts;
};

/* mountinfo escapes space, tab, newline and backslash as \ooo */
static void
unescape (char *s)
{
  char *w = s;
  for (char *r = s; *r;)
    {
      if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0'
          && r[3] <= '7')
        {
          *w++ = (char) (((r[1] - '0') << 6) | ((r[2] - '0') << 3) | (r[3] - '0'));
          r += 4;
        }
      else
        *w++ = *r++;
    }
  *w = '\0';
}

static int
split_line (char *line, struct mi_line *l)
{
  char *save = NULL, *f[6], *t;
  for (int i = 0; i < 6; i++)
    if ((f[i] = strtok_r (i ? NULL : line, " ", &save)) == NULL)
      return -1;
  while ((t = strtok_r (NULL, " ", &save)) && strcmp (t, "-") != 0)
    ; /* optional fields */
  if (t == NULL)
    return -1;
  l->fstype = strtok_r (NULL, " ", &save);
  if (l->fstype == NULL || strtok_r (NULL, " ", &save) == NULL)
    return -1;
  l->superopts = strtok_r (NULL, " ", &save);
  if (l->superopts == NULL)
    return -1;
  l->mroot = f[3];
  l->mpoint = f[4];
  unescape (l->mroot);
  unescape (l->mpoint);
  return 0;
}

static bool
is_non_controller (const char *opt)
{
  if (strncmp (opt, "release_agent=", 14) == 0)
    return true;
  for (size_t i = 0; non_controllers[i]; i++)
    if (strcmp (opt, non_controllers[i]) == 0)
      return true;
  return false;
}

/* "rw,nosuid,cpu,cpuacct" → "cpu,cpuacct"; "" when none is left. */
static char *
v1_controllers (const char *superopts)
{
  _cleanup_free_ char *copy = strdup (superopts);
  char *out = calloc (1, strlen (superopts) + 1);
  char *save = NULL;
  if (copy == NULL || out == NULL)
    abort ();
  for (char *o = strtok_r (copy, ",", &save); o; o = strtok_r (NULL, ",", &save))
    {
      if (is_non_controller (o))
        continue;
      if (*out)
        strcat (out, ",");
      strcat (out, o);
    }
  return out;
}

bool
nr_cg_ctrls_has (const char *ctrls, const char *ctrl)
{
  size_t n = strlen (ctrl);
  for (const char *p = ctrls; p && *p;)
    {
      const char *e = strchr (p, ',');
      size_t len = e ? (size_t) (e - p) : strlen (p);
      if (len == n && strncmp (p, ctrl, n) == 0)
        return true;
      p = e ? e + 1 : NULL;
    }
  return false;
}

static void
mount_clear (struct nr_cg_mount *m)
{
  free (m->ctrls);
  free (m->mount);
  free (m->mroot);
}

void
nr_cg_mounts_free (struct nr_cg_mounts *m)
{
  for (size_t i = 0; i < m->n; i++)
    mount_clear (&m->v[i]);
  free (m->v);
  m->v = NULL;
  m->n = 0;
}

/* A later mount on the same point hides the earlier one; the first mount of a
   hierarchy wins over bind mounts of it elsewhere (runc takes the first too). */
static void
add_mount (struct nr_cg_mounts *ms, const char *ctrls, const struct mi_line *l)
{
  for (size_t i = 0; i < ms->n; i++)
    {
      if (strcmp (ms->v[i].mount, l->mpoint) == 0)
        {
          mount_clear (&ms->v[i]);
          memmove (&ms->v[i], &ms->v[i + 1], (ms->n - i - 1) * sizeof ms->v[0]);
          ms->n--;
          break;
        }
      if (strcmp (ms->v[i].ctrls, ctrls) == 0)
        return;
    }
  struct nr_cg_mount *v = realloc (ms->v, (ms->n + 1) * sizeof *v);
  if (v == NULL)
    abort ();
  ms->v = v;
  v[ms->n].ctrls = strdup (ctrls);
  v[ms->n].mount = strdup (l->mpoint);
  v[ms->n].mroot = strdup (l->mroot);
  if (!v[ms->n].ctrls || !v[ms->n].mount || !v[ms->n].mroot)
    abort ();
  ms->n++;
}

static void
keep_only (struct nr_cg_mounts *ms, size_t keep)
{
  struct nr_cg_mount m = ms->v[keep];
  for (size_t i = 0; i < ms->n; i++)
    if (i != keep)
      mount_clear (&ms->v[i]);
  ms->v[0] = m;
  ms->n = 1;
}

static void
decide_mode (struct nr_cg_mounts *ms, bool root_is_v2)
{
  size_t n_v1 = 0, v2 = SIZE_MAX;
  for (size_t i = 0; i < ms->n; i++)
    {
      if (ms->v[i].ctrls[0] != '\0')
        n_v1++;
      else if (v2 == SIZE_MAX || root_is_v2)
        v2 = i;
    }
  if (root_is_v2 || (n_v1 == 0 && v2 != SIZE_MAX))
    {
      keep_only (ms, v2);
      ms->mode = NR_CGROUP_V2;
    }
  else if (n_v1 > 0)
    ms->mode = v2 == SIZE_MAX ? NR_CGROUP_V1 : NR_CGROUP_HYBRID;
  else
    ms->mode = NR_CGROUP_NONE;
}

static void
scan_line (struct nr_cg_mounts *ms, const struct mi_line *l, const char *root, bool *root_is_v2)
{
  bool cg1 = strcmp (l->fstype, "cgroup") == 0, cg2 = strcmp (l->fstype, "cgroup2") == 0;
  if (strcmp (l->mpoint, root) == 0)
    {
      /* a new mount on the root hides everything mounted under it before */
      nr_cg_mounts_free (ms);
      *root_is_v2 = cg2;
      if (cg2)
        add_mount (ms, "", l);
      return;
    }
  if ((!cg1 && !cg2) || !nr_path_has_prefix (l->mpoint, root) || *root_is_v2)
    return;
  if (cg2)
    {
      add_mount (ms, "", l);
      return;
    }
  _cleanup_free_ char *ctrls = v1_controllers (l->superopts);
  if (*ctrls)
    add_mount (ms, ctrls, l);
}

int
nr_cg_parse_mountinfo (const char *text, const char *root, struct nr_cg_mounts *out, nr_error_t *err)
{
  _cleanup_free_ char *copy = strdup (text);
  _cleanup_free_ char *croot = nr_path_clean (root);
  struct nr_cg_mounts ms = { 0 };
  bool root_is_v2 = false;
  char *save = NULL;
  if (copy == NULL || croot == NULL)
    return nr_error (err, ENOMEM, "parse mountinfo");
  for (char *line = strtok_r (copy, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      struct mi_line l;
      if (split_line (line, &l) < 0)
        continue;
      scan_line (&ms, &l, croot, &root_is_v2);
    }
  decide_mode (&ms, root_is_v2);
  *out = ms;
  return 0;
}

int
nr_cg_read_mounts (const char *root, struct nr_cg_mounts *out, nr_error_t *err)
{
  _cleanup_free_ char *text = NULL;
  if (nr_read_file (nr_cg_seam.mountinfo, 16u << 20, &text, NULL, err) < 0)
    return -1;
  return nr_cg_parse_mountinfo (text, root ? root : NR_CGROUP_ROOT, out, err);
}

int
nr_cgroup_detect (const char *root, enum nr_cgroup_mode *mode, nr_error_t *err)
{
  struct nr_cg_mounts ms = { 0 };
  if (nr_cg_read_mounts (root, &ms, err) < 0)
    return nr_error_wrap (err, "detect cgroup mode");
  *mode = ms.mode;
  nr_cg_mounts_free (&ms);
  return 0;
}

int
nr_cgroup_hierarchies_read (const char *root, struct nr_cgroup_hierarchies *out, nr_error_t *err)
{
  struct nr_cg_mounts ms = { 0 };
  *out = (struct nr_cgroup_hierarchies){ 0 };
  if (nr_cg_read_mounts (root, &ms, err) < 0)
    return nr_error_wrap (err, "cgroup mounts");
  out->v = calloc (ms.n + 1, sizeof *out->v);
  if (out->v == NULL)
    {
      nr_cg_mounts_free (&ms);
      return nr_error (err, ENOMEM, "cgroup mounts");
    }
  for (size_t i = 0; i < ms.n; i++) /* the strings move over */
    out->v[i] = (struct nr_cgroup_hierarchy){ .controllers = ms.v[i].ctrls,
                                              .mount = ms.v[i].mount,
                                              .mount_root = ms.v[i].mroot };
  out->mode = ms.mode;
  out->n = ms.n;
  free (ms.v);
  return 0;
}

int
nr_cgroup_own_dirs (struct nr_cgroup_hierarchies *h, nr_error_t *err)
{
  _cleanup_free_ char *self = NULL;
  if (nr_read_file (nr_cg_seam.self_cgroup, 1u << 20, &self, NULL, err) < 0)
    return -1;
  for (size_t i = 0; i < h->n; i++)
    {
      struct nr_cgroup_hierarchy *x = &h->v[i];
      const struct nr_cg_mount m = { .ctrls = x->controllers, .mount = x->mount, .mroot = x->mount_root };
      free (x->own);
      x->own = nr_cg_own_dir (&m, self);
    }
  return 0;
}

void
nr_cgroup_hierarchies_free (struct nr_cgroup_hierarchies *h)
{
  for (size_t i = 0; i < h->n; i++)
    {
      free (h->v[i].controllers);
      free (h->v[i].mount);
      free (h->v[i].mount_root);
      free (h->v[i].own);
    }
  free (h->v);
  *h = (struct nr_cgroup_hierarchies){ 0 };
}

const char *
nr_cgroup_mode_name (enum nr_cgroup_mode mode)
{
  switch (mode)
    {
    case NR_CGROUP_V1:
      return "v1";
    case NR_CGROUP_V2:
      return "v2";
    case NR_CGROUP_HYBRID:
      return "hybrid";
    default:
      return "none";
    }
}

static int
refuse_systemd (const char *path, nr_error_t *err)
{
  size_t colons = 0;
  for (const char *p = path ? path : ""; *p; p++)
    colons += *p == ':';
  if (path && *path && colons != 2)
    return nr_error (err, EINVAL,
                     "expected cgroupsPath to be of format \"slice:prefix:name\" for systemd cgroups, "
                     "got \"%s\" instead",
                     path);
  if (access (nr_cg_seam.systemd_dir, F_OK) < 0)
    return nr_error (err, ENOTSUP, "systemd cgroup driver requested (--systemd-cgroup) but systemd is "
                                   "not running on this host");
  return nr_error (err, ENOTSUP, "the systemd cgroup driver (--systemd-cgroup) is not supported; "
                                 "run without it to use the cgroupfs driver");
}

int
nr_cg_inner_path (const char *cgroups_path, const char *id, bool systemd, char **out, nr_error_t *err)
{
  if (systemd)
    return refuse_systemd (cgroups_path, err);
  const char *p = cgroups_path && *cgroups_path ? cgroups_path : id;
  if (p == NULL || *p == '\0')
    return nr_error (err, EINVAL, "no cgroupsPath and no container id");
  bool absolute = p[0] == '/';
  _cleanup_free_ char *clean = nr_path_clean (p); /* a relative path is cleaned as if under "/" */
  if (clean == NULL)
    return nr_error (err, ENOMEM, "cgroupsPath \"%s\"", p);
  if (strcmp (clean, "/") == 0)
    return nr_error (err, EINVAL, "cgroupsPath \"%s\": refusing to use the root cgroup", p);
  *out = absolute ? TAKE_PTR (clean) : strdup (clean + 1);
  if (*out == NULL)
    abort ();
  return 0;
}

static bool
line_matches (const struct nr_cg_mount *m, const char *id, const char *ctrls)
{
  if (m->ctrls[0] == '\0')
    return strcmp (id, "0") == 0 && *ctrls == '\0';
  _cleanup_free_ char *first = strndup (m->ctrls, strcspn (m->ctrls, ","));
  return first && nr_cg_ctrls_has (ctrls, first);
}

char *
nr_cg_own_dir (const struct nr_cg_mount *m, const char *proc_cgroup)
{
  _cleanup_free_ char *copy = strdup (proc_cgroup ? proc_cgroup : "");
  const char *rel = "/";
  char *save = NULL;
  for (char *line = strtok_r (copy, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char *c1 = strchr (line, ':'), *c2 = c1 ? strchr (c1 + 1, ':') : NULL;
      if (c2 == NULL)
        continue;
      *c1 = *c2 = '\0';
      if (!line_matches (m, line, c1 + 1))
        continue;
      /* paths outside the mount's root (no cgroupns, a bind of a sub-tree) have no
         place under the mount: fall back to its root */
      if (nr_path_has_prefix (c2 + 1, m->mroot))
        rel = c2 + 1 + (strcmp (m->mroot, "/") == 0 ? 0 : strlen (m->mroot));
      break;
    }
  _cleanup_free_ char *joined = nr_cg_join (m->mount, rel);
  char *clean = nr_path_clean (joined);
  if (clean == NULL)
    abort ();
  return clean;
}

int
nr_cg_container_dir (const struct nr_cg_mount *m, enum nr_cgroup_mode mode, const char *inner,
                     const char *proc_cgroup, char **out, nr_error_t *err)
{
  _cleanup_free_ char *base = NULL;
  if (inner[0] == '/')
    base = strdup (m->mount);
  else
    {
      base = nr_cg_own_dir (m, proc_cgroup);
      /* pure v2: our own cgroup most likely holds processes, so no controllers can be
         enabled below it; runc uses its parent */
      if (mode == NR_CGROUP_V2 && strcmp (base, m->mount) != 0)
        *strrchr (base, '/') = '\0';
    }
  if (base == NULL)
    abort ();
  _cleanup_free_ char *joined = nr_cg_join (base, inner);
  char *clean = nr_path_clean (joined);
  if (clean == NULL)
    abort ();
  if (!nr_path_has_prefix (clean, m->mount) || strcmp (clean, m->mount) == 0)
    {
      free (clean);
      return nr_error (err, EINVAL, "cgroupsPath \"%s\": resolves outside \"%s\"", inner, m->mount);
    }
  *out = clean;
  return 0;
}
