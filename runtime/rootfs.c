/* SPDX-License-Identifier: Apache-2.0 */
/* Root filesystem: propagation, the self bind, pivot_root (or MS_MOVE + chroot),
   masked and read-only paths, the read-only root, sysctl. */
#include "config.h"
#include "runtime/rootfs.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

int
nr_rootfs_prepare (struct nr_init_ctx *ctx, int *root_fd, nr_error_t *err)
{
  unsigned long prop = MS_SLAVE | MS_REC;
  if (ctx->cfg->rootfs_propagation_flags)
    prop = ctx->cfg->rootfs_propagation_flags;
  /* shared is applied after pivot; keep the host safe from our mounts meanwhile */
  if (prop & MS_SHARED)
    prop = MS_SLAVE | MS_REC;
  /* In a chroot "/" is not a mount point (EINVAL): the nestrun injected into a
     libc-less rootfs may run like that; the rootfs mount below still gets the flag. */
  bool root_done = mount (NULL, "/", NULL, prop, NULL) == 0;
  if (!root_done && errno != EINVAL)
    return nr_error (err, errno, "make / %s", (prop & MS_PRIVATE) ? "rprivate" : "rslave");
  /* the parent mount of the rootfs must not be shared, or pivot_root fails */
  if (mount (ctx->rootfs, ctx->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
    return nr_error (err, errno, "bind mount rootfs \"%s\" on itself", ctx->rootfs);
  if (!root_done && mount (NULL, ctx->rootfs, NULL, prop, NULL) < 0)
    return nr_error (err, errno, "set propagation of rootfs \"%s\"", ctx->rootfs);
  int fd = open (ctx->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return nr_error (err, errno, "open rootfs \"%s\"", ctx->rootfs);
  *root_fd = fd;
  return 0;
}

static int
move_and_chroot (struct nr_init_ctx *ctx, nr_error_t *err)
{
  if (chdir (ctx->rootfs) < 0)
    return nr_error (err, errno, "chdir \"%s\"", ctx->rootfs);
  if (mount (ctx->rootfs, "/", NULL, MS_MOVE, NULL) < 0)
    return nr_error (err, errno, "move rootfs to / (no pivot_root)");
  if (chroot (".") < 0)
    return nr_error (err, errno, "chroot (no pivot_root)");
  if (chdir ("/") < 0)
    return nr_error (err, errno, "chdir /");
  return 0;
}

int
nr_rootfs_pivot (struct nr_init_ctx *ctx, nr_error_t *err)
{
  if (ctx->opts->no_pivot)
    return move_and_chroot (ctx, err);
  _cleanup_close_ int oldroot = open ("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  _cleanup_close_ int newroot = open (ctx->rootfs, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (oldroot < 0 || newroot < 0)
    return nr_error (err, errno, "open rootfs \"%s\"", ctx->rootfs);
  if (fchdir (newroot) < 0)
    return nr_error (err, errno, "chdir rootfs");
  /* pivot_root(".", "."): the old root ends up stacked under the new one */
  if (syscall (SYS_pivot_root, ".", ".") < 0)
    {
      /* EINVAL: our own root is not a mount point (nestrun itself runs in a chroot,
         as an injected runtime may): do what --no-pivot does, and say so */
      if (errno != EINVAL)
        return nr_error (err, errno, "pivot_root \"%s\"", ctx->rootfs);
      nr_warn ("pivot_root \"%s\": %s: the runtime's root is not a mount point, using MS_MOVE and chroot",
               ctx->rootfs, strerror (EINVAL));
      return move_and_chroot (ctx, err);
    }
  if (fchdir (oldroot) < 0)
    return nr_error (err, errno, "chdir old root");
  if (mount (NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
    return nr_error (err, errno, "make old root rslave");
  if (umount2 (".", MNT_DETACH) < 0)
    return nr_error (err, errno, "unmount old root");
  if (chdir ("/") < 0)
    return nr_error (err, errno, "chdir /");
  return 0;
}

/* Mount over a path we resolved safely: the magic link names exactly that inode.
   After pivot_root, resolved in the container's / (RESOLVE_IN_ROOT): a masked or
   read-only path that is a symlink in the image applies to its target in the
   container, as with runc (which mounts on the path and lets the kernel follow it
   there); ".." and absolute targets cannot leave the rootfs.  Masking or binding the
   link itself would leave the target readable or writable through it. */
static int
open_in_container (const char *path, nr_error_t *err)
{
  _cleanup_close_ int root = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0)
    return nr_error (err, errno, "open /");
  return nr_openat_in_root (root, path, O_PATH, 0, err);
}

static int
mask_path (const char *path, nr_error_t *err)
{
  int fd = open_in_container (path, err);
  if (fd < 0)
    {
      if ((*err)->status == ENOENT)
        {
          nr_error_free (err);
          return 0;
        }
      return nr_error_wrap (err, "masked path");
    }
  _cleanup_close_ int f = fd;
  char p[64];
  struct stat st;
  nr_fd_path (f, p);
  if (fstat (f, &st) < 0)
    return nr_error (err, errno, "stat masked path \"%s\"", path);
  if (S_ISDIR (st.st_mode))
    {
      if (mount ("tmpfs", p, "tmpfs", MS_RDONLY, "size=0k,nr_inodes=1") < 0)
        return nr_error (err, errno, "mask \"%s\" with a read-only tmpfs", path);
    }
  else if (mount ("/dev/null", p, NULL, MS_BIND, NULL) < 0)
    return nr_error (err, errno, "mask \"%s\" with /dev/null", path);
  return 0;
}

/* Flags a bind remount must keep: the kernel refuses to drop locked ones in a userns. */
static unsigned long
locked_flags (const char *p)
{
  struct statvfs sv;
  unsigned long f = 0;
  if (statvfs (p, &sv) < 0)
    return 0;
  if (sv.f_flag & ST_NOSUID)
    f |= MS_NOSUID;
  if (sv.f_flag & ST_NODEV)
    f |= MS_NODEV;
  if (sv.f_flag & ST_NOEXEC)
    f |= MS_NOEXEC;
  if (sv.f_flag & ST_NOATIME)
    f |= MS_NOATIME;
  if (sv.f_flag & ST_NODIRATIME)
    f |= MS_NODIRATIME;
  if (sv.f_flag & ST_RELATIME)
    f |= MS_RELATIME;
  return f;
}

int
nr_remount_ro (const char *what, const char *p, nr_error_t *err);

int
nr_remount_ro (const char *what, const char *p, nr_error_t *err)
{
  if (mount (NULL, p, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | locked_flags (p), NULL) < 0)
    return nr_error (err, errno, "remount \"%s\" read-only", what);
  return 0;
}

static int
readonly_path (const char *path, nr_error_t *err)
{
  int fd = open_in_container (path, err);
  if (fd < 0)
    {
      if ((*err)->status == ENOENT)
        {
          nr_error_free (err);
          return 0;
        }
      return nr_error_wrap (err, "read-only path");
    }
  _cleanup_close_ int f = fd;
  char p[64];
  nr_fd_path (f, p);
  if (mount (p, p, NULL, MS_BIND | MS_REC, NULL) < 0)
    return nr_error (err, errno, "bind \"%s\" on itself", path);
  /* reopen: the fd still names the inode under the new mount */
  _cleanup_close_ int top = open_in_container (path, err);
  if (top < 0)
    return -1;
  nr_fd_path (top, p);
  return nr_remount_ro (path, p, err);
}

int
nr_rootfs_finish (struct nr_init_ctx *ctx, nr_error_t *err)
{
  const struct oci_config *c = ctx->cfg;
  for (char **m = c->masked_paths; m && *m; m++)
    if (mask_path (*m, err) < 0)
      return -1;
  for (char **r = c->readonly_paths; r && *r; r++)
    if (readonly_path (*r, err) < 0)
      return -1;
  if (c->root_readonly && nr_remount_ro ("/", "/", err) < 0)
    return -1;
  if (c->rootfs_propagation_flags & MS_SHARED)
    {
      if (mount (NULL, "/", NULL, c->rootfs_propagation_flags, NULL) < 0)
        return nr_error (err, errno, "set rootfs propagation \"%s\"", c->rootfs_propagation);
    }
  return 0;
}

int
nr_sysctl_apply (const struct oci_config *c, nr_error_t *err)
{
  for (size_t i = 0; i < c->n_sysctl; i++)
    {
      const char *k = c->sysctl[i].key;
      const char *v = c->sysctl[i].value;
      _cleanup_free_ char *file = oci_sysctl_file (k);
      _cleanup_free_ char *path = NULL;
      if (file == NULL || asprintf (&path, "/proc/sys/%s", file) < 0)
        return nr_error (err, ENOMEM, "sysctl \"%s\"", k);
      _cleanup_close_ int fd = open (path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
      if (fd < 0)
        return nr_error (err, errno, "sysctl \"%s\": open \"%s\"", k, path);
      if (write (fd, v, strlen (v)) < 0)
        return nr_error (err, errno, "sysctl \"%s\" = \"%s\"", k, v);
    }
  return 0;
}

const struct oci_mount *
nr_config_mount_at (const struct oci_config *c, const char *dest)
{
  for (size_t i = 0; i < c->n_mounts; i++)
    {
      _cleanup_free_ char *a = nr_path_clean (c->mounts[i].destination);
      _cleanup_free_ char *b = nr_path_clean (dest);
      if (a && b && strcmp (a, b) == 0)
        return &c->mounts[i];
    }
  return NULL;
}
