/* SPDX-License-Identifier: Apache-2.0 */
/* config.json mounts, inside the container's rootfs.  Every destination is resolved
   with openat2(RESOLVE_IN_ROOT) and mounted on through /proc/self/fd/N, so a symlink
   or ".." in the rootfs can never redirect a mount onto the host. */
#include "config.h"
#include "runtime/rootfs.h"
#include "runtime/cgroups/cgroups.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/log.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sys/syscall.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

int nr_remount_ro (const char *what, const char *p, nr_error_t *err);

static bool
is_bind (const struct oci_mount *m)
{
  return m->bind || m->rbind || (m->type && strcmp (m->type, "bind") == 0);
}

/* The host path of a bind source: absolute, or relative to the bundle. */
static char *
bind_source (struct nr_init_ctx *ctx, const struct oci_mount *m)
{
  char *s = NULL;
  if (m->source == NULL)
    return NULL;
  if (m->source[0] == '/')
    return strdup (m->source);
  if (asprintf (&s, "%s/%s", ctx->bundle, m->source) < 0)
    return NULL;
  return s;
}

/* Make the destination (dir, or file for a file bind) and return an O_PATH fd to it. */
static int
make_dest (int root_fd, const struct oci_mount *m, bool as_file, nr_error_t *err)
{
  int fd = as_file ? nr_touch_in_root (root_fd, m->destination, 0644, err)
                   : nr_mkdir_in_root (root_fd, m->destination, 0755, err);
  if (fd < 0)
    return nr_error_wrap (err, "mount destination \"%s\"", m->destination);
  return fd;
}

static int
reopen_dest (int root_fd, const struct oci_mount *m, nr_error_t *err)
{
  int fd = nr_openat_in_root (root_fd, m->destination, O_PATH, 0, err);
  if (fd < 0)
    return nr_error_wrap (err, "mount destination \"%s\"", m->destination);
  return fd;
}

static int
apply_recursive_attrs (int fd, const struct oci_mount *m, nr_error_t *err)
{
  if (!m->recursive_attrs)
    return 0;
  struct mount_attr attr = { .attr_set = m->attr_set, .attr_clr = m->attr_clr };
  if (syscall (SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0)
    return nr_error (err, errno, "mount_setattr recursive options on \"%s\"", m->destination);
  return 0;
}

static int
apply_propagation (const char *p, const struct oci_mount *m, nr_error_t *err)
{
  if (m->propagation == 0)
    return 0;
  if (mount (NULL, p, NULL, m->propagation, NULL) < 0)
    return nr_error (err, errno, "set propagation of \"%s\"", m->destination);
  return 0;
}

/* Bind src onto the target (an fd path), read-only if asked, with the new mount API:
   the clone is made read-only before it is attached, so there is no window and no
   need to find the new mount again for a remount. */
static int
bind_tree (const char *src, int target_fd, bool recursive, bool ro, nr_error_t *err)
{
  int tree = (int) syscall (SYS_open_tree, AT_FDCWD, src,
                            OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0));
  if (tree < 0)
    return nr_error (err, errno, "open_tree \"%s\"", src);
  int r = 0;
  if (ro)
    {
      struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
      if (syscall (SYS_mount_setattr, tree, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr, sizeof attr) < 0)
        r = nr_error (err, errno, "make \"%s\" read-only", src);
    }
  if (r == 0 && syscall (SYS_move_mount, tree, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    r = nr_error (err, errno, "attach \"%s\"", src);
  close (tree);
  return r;
}

/* After the mount is in place: remount flags, r* attributes, propagation. */
static int
finish_mount (int root_fd, const struct oci_mount *m, bool bind, nr_error_t *err)
{
  _cleanup_close_ int top = reopen_dest (root_fd, m, err);
  if (top < 0)
    return -1;
  char p[64];
  nr_fd_path (top, p);
  unsigned long extra = m->flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
  if (bind && extra)
    {
      unsigned long keep = 0;
      struct statvfs sv;
      /* locked flags of the source (userns, a locked mount) must be kept, unless
         explicitly cleared; the kernel keeps the access-time setting of a remount
         that names none */
      if (statvfs (p, &sv) == 0)
        {
          if (sv.f_flag & ST_NOSUID)
            keep |= MS_NOSUID;
          if (sv.f_flag & ST_NODEV)
            keep |= MS_NODEV;
          if (sv.f_flag & ST_NOEXEC)
            keep |= MS_NOEXEC;
          keep &= ~m->clear_flags;
        }
      if (mount (NULL, p, NULL, MS_REMOUNT | MS_BIND | extra | keep, NULL) < 0)
        return nr_error (err, errno, "remount bind \"%s\" with its options", m->destination);
    }
  if (apply_recursive_attrs (top, m, err) < 0)
    return -1;
  return apply_propagation (p, m, err);
}

static int
mount_bind (struct nr_init_ctx *ctx, int root_fd, const struct oci_mount *m, nr_error_t *err)
{
  _cleanup_free_ char *src = bind_source (ctx, m);
  struct stat st;
  if (src == NULL)
    return nr_error (err, EINVAL, "bind mount on \"%s\": no source", m->destination);
  if (stat (src, &st) < 0)
    return nr_error (err, errno, "bind mount source \"%s\"", src);
  _cleanup_close_ int dest = make_dest (root_fd, m, !S_ISDIR (st.st_mode), err);
  if (dest < 0)
    return -1;
  char p[64];
  nr_fd_path (dest, p);
  unsigned long flags = MS_BIND | (m->rbind ? MS_REC : 0);
  if (mount (src, p, NULL, flags, NULL) < 0)
    return nr_error (err, errno, "bind mount \"%s\" on \"%s\"", src, m->destination);
  return finish_mount (root_fd, m, true, err);
}

/* tmpcopyup: copy what the image had at the destination into the new tmpfs.
   from is the directory under the mount (an fd opened before mounting). */
static int
copy_tree (int from, int to, const char *dest, nr_error_t *err)
{
  int dup_from = openat (from, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dup_from < 0)
    return nr_error (err, errno, "tmpcopyup \"%s\"", dest);
  _cleanup_closedir_ DIR *d = fdopendir (dup_from);
  if (d == NULL)
    {
      close (dup_from);
      return nr_error (err, errno, "tmpcopyup \"%s\"", dest);
    }
  struct dirent *de;
  while ((de = readdir (d)))
    {
      struct stat st;
      const char *n = de->d_name;
      if (strcmp (n, ".") == 0 || strcmp (n, "..") == 0)
        continue;
      if (fstatat (from, n, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return nr_error (err, errno, "tmpcopyup \"%s/%s\"", dest, n);
      int r = 0;
      if (S_ISDIR (st.st_mode))
        {
          if (mkdirat (to, n, st.st_mode & 07777) < 0 && errno != EEXIST)
            return nr_error (err, errno, "tmpcopyup mkdir \"%s/%s\"", dest, n);
          _cleanup_close_ int sf = openat (from, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          _cleanup_close_ int tf = openat (to, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          if (sf < 0 || tf < 0)
            return nr_error (err, errno, "tmpcopyup \"%s/%s\"", dest, n);
          r = copy_tree (sf, tf, dest, err);
        }
      else if (S_ISLNK (st.st_mode))
        {
          char target[PATH_MAX];
          ssize_t l = readlinkat (from, n, target, sizeof target - 1);
          if (l < 0)
            return nr_error (err, errno, "tmpcopyup readlink \"%s/%s\"", dest, n);
          target[l] = '\0';
          if (symlinkat (target, to, n) < 0)
            return nr_error (err, errno, "tmpcopyup symlink \"%s/%s\"", dest, n);
        }
      else if (S_ISREG (st.st_mode))
        {
          _cleanup_close_ int sf = openat (from, n, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
          _cleanup_close_ int tf = openat (to, n, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st.st_mode & 07777);
          if (sf < 0 || tf < 0)
            return nr_error (err, errno, "tmpcopyup \"%s/%s\"", dest, n);
          char buf[65536];
          ssize_t k;
          while ((k = read (sf, buf, sizeof buf)) > 0)
            if (nr_write_all (tf, buf, k) < 0)
              return nr_error (err, errno, "tmpcopyup write \"%s/%s\"", dest, n);
          if (k < 0)
            return nr_error (err, errno, "tmpcopyup read \"%s/%s\"", dest, n);
        }
      else
        continue; /* devices, fifos, sockets: not copied (runc copies them too; rare) */
      if (r < 0)
        return -1;
      if (fchownat (to, n, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
        return nr_error (err, errno, "tmpcopyup chown \"%s/%s\"", dest, n);
      if (!S_ISLNK (st.st_mode) && fchmodat (to, n, st.st_mode & 07777, 0) < 0)
        return nr_error (err, errno, "tmpcopyup chmod \"%s/%s\"", dest, n);
    }
  return 0;
}

static int
mount_fs (struct nr_init_ctx *ctx, int root_fd, const struct oci_mount *m, nr_error_t *err)
{
  _cleanup_close_ int dest = make_dest (root_fd, m, false, err);
  if (dest < 0)
    return -1;
  char p[64];
  nr_fd_path (dest, p);
  const char *type = m->type ? m->type : "none";
  unsigned long flags = m->flags & ~(MS_BIND | MS_REC);
  if (mount (m->source ? m->source : type, p, type, flags, m->data) < 0)
    {
      int e = errno;
      /* sysfs can't be mounted in a user namespace without its own netns: bind the host's */
      if (strcmp (type, "sysfs") == 0 && (e == EPERM || e == EBUSY) && ctx->new_userns)
        {
          if (mount ("/sys", p, NULL, MS_BIND | MS_REC, NULL) < 0)
            return nr_error (err, errno, "bind /sys on \"%s\"", m->destination);
          _cleanup_close_ int top = reopen_dest (root_fd, m, err);
          if (top < 0)
            return -1;
          char tp[64];
          nr_fd_path (top, tp);
          if ((m->flags & MS_RDONLY) && nr_remount_ro (m->destination, tp, err) < 0)
            return -1;
          return 0;
        }
      return nr_error (err, e, "mount \"%s\" on \"%s\"", type, m->destination);
    }
  if (m->tmpcopyup)
    {
      _cleanup_close_ int under = openat (dest, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      _cleanup_close_ int top = reopen_dest (root_fd, m, err);
      if (top < 0)
        return -1;
      _cleanup_close_ int topdir = openat (top, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (under < 0 || topdir < 0)
        return nr_error (err, errno, "tmpcopyup \"%s\"", m->destination);
      if (copy_tree (under, topdir, m->destination, err) < 0)
        return -1;
    }
  return finish_mount (root_fd, m, false, err);
}

/* One v1 hierarchy in the tmpfs at dest: a directory named after its controllers (as
   the host names its mount points), holding the container's own cgroup bound from the
   host, or with a cgroup namespace a fresh mount of the hierarchy. */
static int
cgroup_v1_hierarchy (struct nr_init_ctx *ctx, int dir_fd, const char *dest, const struct nr_cgroup_hierarchy *h,
                     unsigned long flags, nr_error_t *err)
{
  bool named = strncmp (h->controllers, "name=", 5) == 0;
  const char *dirname = named ? h->controllers + 5 : h->controllers;
  if (mkdirat (dir_fd, dirname, 0755) < 0 && errno != EEXIST)
    return nr_error (err, errno, "mkdir \"%s/%s\"", dest, dirname);
  _cleanup_close_ int sub = openat (dir_fd, dirname, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (sub < 0)
    return nr_error (err, errno, "open \"%s/%s\"", dest, dirname);
  char p[64];
  nr_fd_path (sub, p);
  if (ctx->new_cgroupns)
    {
      _cleanup_free_ char *opts = NULL;
      if (asprintf (&opts, "%s%s", named ? "none," : "", h->controllers) < 0)
        return nr_error (err, ENOMEM, "cgroup options");
      if (mount ("cgroup", p, "cgroup", flags, opts) < 0)
        return nr_error (err, errno, "mount cgroup \"%s\" on \"%s/%s\"", h->controllers, dest, dirname);
      return 0;
    }
  if (bind_tree (h->own, sub, true, (flags & MS_RDONLY) != 0, err) < 0)
    return nr_error_wrap (err, "cgroup on \"%s/%s\"", dest, dirname);
  return 0;
}

/* The cgroup2 hierarchy on fd: a fresh mount with a cgroup namespace, else the
   container's own cgroup bound from the host. */
static int
cgroup_v2_at (struct nr_init_ctx *ctx, int fd, const char *dest, const struct nr_cgroup_hierarchy *h,
              unsigned long flags, nr_error_t *err)
{
  char p[64];
  nr_fd_path (fd, p);
  if (ctx->new_cgroupns)
    {
      if (mount ("cgroup2", p, "cgroup2", flags, NULL) < 0)
        return nr_error (err, errno, "mount cgroup2 on \"%s\"", dest);
      return 0;
    }
  if (bind_tree (h->own, fd, true, (flags & MS_RDONLY) != 0, err) < 0)
    return nr_error_wrap (err, "cgroup2 on \"%s\"", dest);
  return 0;
}

/* v1 and hybrid: the hierarchies in the tmpfs dir, with the host's symlinks. */
static int
cgroup_v1_tree (struct nr_init_ctx *ctx, int dir, const char *dest, const struct nr_cgroup_hierarchies *hs,
                unsigned long flags, nr_error_t *err)
{
  for (size_t i = 0; i < hs->n; i++)
    {
      const struct nr_cgroup_hierarchy *h = &hs->v[i];
      if (h->controllers[0] == '\0')
        {
          if (mkdirat (dir, "unified", 0755) < 0 && errno != EEXIST)
            return nr_error (err, errno, "mkdir \"%s/unified\"", dest);
          _cleanup_close_ int u = openat (dir, "unified", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          if (u < 0)
            return nr_error (err, errno, "open \"%s/unified\"", dest);
          if (cgroup_v2_at (ctx, u, dest, h, flags, err) < 0)
            return -1;
          continue;
        }
      if (cgroup_v1_hierarchy (ctx, dir, dest, h, flags, err) < 0)
        return -1;
      /* co-mounted controllers get a symlink per controller, as on the host */
      if (strchr (h->controllers, ',') && strncmp (h->controllers, "name=", 5) != 0)
        {
          _cleanup_free_ char *cs = strdup (h->controllers);
          char *save = NULL;
          if (cs == NULL)
            return nr_error (err, ENOMEM, "cgroup symlinks");
          for (char *c = strtok_r (cs, ",", &save); c; c = strtok_r (NULL, ",", &save))
            if (symlinkat (h->controllers, dir, c) < 0 && errno != EEXIST)
              return nr_error (err, errno, "symlink cgroup \"%s\"", c);
        }
    }
  return 0;
}

/* A "cgroup" mount shows the hierarchies mounted under the host's /sys/fs/cgroup (those
   create placed the container in, runtime/cgroups): on v2 the one cgroup2 mount, on v1
   and hybrid a tmpfs with a directory per hierarchy (hybrid: "unified" for cgroup2)
   and a symlink per co-mounted controller, as the host has them.  The host's mounts
   are read while the parent may still be making the cgroup; the directories shown are
   the container's own, known once the init is in it. */
static int
show_cgroups (struct nr_init_ctx *ctx, int root_fd, const struct oci_mount *m, const struct nr_cgroup_hierarchies *hs,
              nr_error_t *err)
{
  _cleanup_close_ int dest = make_dest (root_fd, m, false, err);
  if (dest < 0)
    return -1;
  unsigned long flags = (m->flags & ~(MS_BIND | MS_REC)) | MS_NOSUID | MS_NODEV | MS_NOEXEC;
  if (hs->mode == NR_CGROUP_V2)
    {
      if (hs->n == 1 && cgroup_v2_at (ctx, dest, m->destination, &hs->v[0], flags, err) < 0)
        return -1;
      return finish_mount (root_fd, m, false, err);
    }
  /* v1, hybrid, and none (an empty tmpfs) */
  char p[64];
  nr_fd_path (dest, p);
  if (mount ("tmpfs", p, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755") < 0)
    return nr_error (err, errno, "mount tmpfs for cgroups on \"%s\"", m->destination);
  _cleanup_close_ int top = reopen_dest (root_fd, m, err);
  if (top < 0)
    return -1;
  _cleanup_close_ int dir = openat (top, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0)
    return nr_error (err, errno, "open \"%s\"", m->destination);
  if (cgroup_v1_tree (ctx, dir, m->destination, hs, flags, err) < 0)
    return -1;
  if (!(m->flags & MS_RDONLY))
    return 0;
  nr_fd_path (top, p);
  return nr_remount_ro (m->destination, p, err);
}

static int
mount_cgroup (struct nr_init_ctx *ctx, int root_fd, const struct oci_mount *m, nr_error_t *err)
{
  struct nr_cgroup_hierarchies hs;
  if (nr_cgroup_hierarchies_read (NR_CGROUP_ROOT, &hs, err) < 0)
    return -1;
  int ret = nr_init_enter_cgroup (ctx, err);
  if (ret == 0 && !ctx->new_cgroupns)
    ret = nr_cgroup_own_dirs (&hs, err);
  if (ret == 0)
    ret = show_cgroups (ctx, root_fd, m, &hs, err);
  nr_cgroup_hierarchies_free (&hs);
  return ret;
}

int
nr_mount_one (struct nr_init_ctx *ctx, int root_fd, const struct oci_mount *m, nr_error_t *err)
{
  if (m->idmap)
    return nr_error (err, ENOTSUP, "mount \"%s\": idmapped mounts are not supported", m->destination);
  _cleanup_free_ char *src = is_bind (m) ? bind_source (ctx, m) : NULL;
  if (nr_mount_check_dest (root_fd, m, src, err) < 0)
    return -1;
  if (m->type && strcmp (m->type, "cgroup") == 0)
    return mount_cgroup (ctx, root_fd, m, err);
  /* a cgroup2 filesystem shows the root of the mounting process's cgroup namespace */
  if (m->type && strcmp (m->type, "cgroup2") == 0 && nr_init_enter_cgroup (ctx, err) < 0)
    return -1;
  if (is_bind (m))
    return mount_bind (ctx, root_fd, m, err);
  return mount_fs (ctx, root_fd, m, err);
}

int
nr_mounts_setup (struct nr_init_ctx *ctx, int root_fd, nr_error_t *err)
{
  for (size_t i = 0; i < ctx->cfg->n_mounts; i++)
    if (nr_mount_one (ctx, root_fd, &ctx->cfg->mounts[i], err) < 0)
      return -1;
  return nr_mounts_lock (ctx, root_fd, err);
}
