/* SPDX-License-Identifier: Apache-2.0 */
/* /dev: the default devices every container gets, linux.devices, and the usual
   symlinks.  In a user namespace mknod is not allowed: the host nodes are bound. */
#include "config.h"
#include "runtime/rootfs.h"
#include "common/cleanup.h"
#include "common/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

struct default_dev
{
  const char *path;
  unsigned major, minor;
};

static const struct default_dev default_devs[] = {
  { "/dev/null", 1, 3 },    { "/dev/zero", 1, 5 }, { "/dev/full", 1, 7 },
  { "/dev/random", 1, 8 },  { "/dev/urandom", 1, 9 }, { "/dev/tty", 5, 0 },
};

static const struct
{
  const char *target, *link;
} dev_links[] = {
  { "/proc/self/fd", "/dev/fd" },
  { "/proc/self/fd/0", "/dev/stdin" },
  { "/proc/self/fd/1", "/dev/stdout" },
  { "/proc/self/fd/2", "/dev/stderr" },
  { "pts/ptmx", "/dev/ptmx" },
};

/* Split an absolute path into a parent O_PATH fd (created if missing) and a base name. */
static int
parent_of (int root_fd, const char *path, const char **base, nr_error_t *err)
{
  _cleanup_free_ char *clean = nr_path_clean (path);
  char *slash = clean ? strrchr (clean, '/') : NULL;
  if (slash == NULL || slash[1] == '\0')
    return nr_error (err, EINVAL, "device path \"%s\"", path);
  *base = strrchr (path, '/') + 1;
  *slash = '\0';
  return nr_mkdir_in_root (root_fd, clean[0] ? clean : "/", 0755, err);
}

static int
bind_host_node (int root_fd, const char *path, nr_error_t *err)
{
  _cleanup_close_ int fd = nr_touch_in_root (root_fd, path, 0644, err);
  if (fd < 0)
    return nr_error_wrap (err, "device \"%s\"", path);
  char p[64];
  nr_fd_path (fd, p);
  if (mount (path, p, NULL, MS_BIND, NULL) < 0)
    return nr_error (err, errno, "bind device \"%s\"", path);
  return 0;
}

static int
make_node (struct nr_init_ctx *ctx, int root_fd, const char *path, mode_t type, unsigned major, unsigned minor,
           mode_t perm, uid_t uid, gid_t gid, nr_error_t *err)
{
  if (ctx->new_userns)
    return bind_host_node (root_fd, path, err);
  const char *base = NULL; /* set by parent_of() when it succeeds */
  _cleanup_close_ int dir = parent_of (root_fd, path, &base, err);
  if (dir < 0)
    return -1;
  /* a node may already be there (bind-mounted /dev, or an image's own): replace files */
  if (unlinkat (dir, base, 0) < 0 && errno != ENOENT && errno != EISDIR)
    return nr_error (err, errno, "remove \"%s\"", path);
  if (mknodat (dir, base, type | perm, makedev (major, minor)) < 0)
    return nr_error (err, errno, "mknod \"%s\"", path);
  if (fchmodat (dir, base, perm, 0) < 0)
    return nr_error (err, errno, "chmod \"%s\"", path);
  if (fchownat (dir, base, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
    return nr_error (err, errno, "chown \"%s\"", path);
  return 0;
}

static bool
configured (const struct oci_config *c, const char *path)
{
  for (size_t i = 0; i < c->n_devices; i++)
    if (strcmp (c->devices[i].path, path) == 0)
      return true;
  return false;
}

static int
config_device (struct nr_init_ctx *ctx, int root_fd, const struct oci_device *d, nr_error_t *err)
{
  mode_t type;
  switch (d->type)
    {
    case 'c':
    case 'u':
      type = S_IFCHR;
      break;
    case 'b':
      type = S_IFBLK;
      break;
    case 'p':
      type = S_IFIFO;
      break;
    default:
      return nr_error (err, EINVAL, "linux.devices: \"%s\": invalid type '%c'", d->path, d->type);
    }
  if (d->major < 0 || d->major > 0xfff || d->minor < 0 || d->minor > 0xfffff)
    return nr_error (err, EINVAL, "linux.devices: \"%s\": major/minor %lld:%lld out of range", d->path,
                     (long long) d->major, (long long) d->minor);
  mode_t perm = d->has_file_mode ? (d->file_mode & 07777) : 0666;
  return make_node (ctx, root_fd, d->path, type, (unsigned) d->major, (unsigned) d->minor, perm,
                    d->has_uid ? d->uid : 0, d->has_gid ? d->gid : 0, err);
}

int
nr_devices_setup (struct nr_init_ctx *ctx, int root_fd, nr_error_t *err)
{
  const struct oci_config *c = ctx->cfg;
  const struct oci_mount *dev = nr_config_mount_at (c, "/dev");
  /* a bind-mounted /dev is the host's (or the user's) business: leave it alone */
  bool own_dev = dev == NULL || !(dev->bind || dev->rbind || (dev->type && strcmp (dev->type, "bind") == 0));
  if (own_dev)
    {
      for (size_t i = 0; i < NR_ARRAY_SIZE (default_devs); i++)
        {
          if (configured (c, default_devs[i].path))
            continue;
          if (make_node (ctx, root_fd, default_devs[i].path, S_IFCHR, default_devs[i].major, default_devs[i].minor,
                         0666, 0, 0, err) < 0)
            return -1;
        }
    }
  for (size_t i = 0; i < c->n_devices; i++)
    if (config_device (ctx, root_fd, &c->devices[i], err) < 0)
      return -1;
  if (!own_dev)
    return 0;
  for (size_t i = 0; i < NR_ARRAY_SIZE (dev_links); i++)
    {
      const char *base;
      _cleanup_close_ int dir = parent_of (root_fd, dev_links[i].link, &base, err);
      if (dir < 0)
        return -1;
      if (symlinkat (dev_links[i].target, dir, base) < 0 && errno != EEXIST)
        return nr_error (err, errno, "symlink \"%s\"", dev_links[i].link);
    }
  if (access ("/proc/kcore", F_OK) == 0)
    {
      const char *base;
      _cleanup_close_ int dir = parent_of (root_fd, "/dev/core", &base, err);
      if (dir < 0)
        return -1;
      if (symlinkat ("/proc/kcore", dir, base) < 0 && errno != EEXIST)
        return nr_error (err, errno, "symlink /dev/core");
    }
  return 0;
}
