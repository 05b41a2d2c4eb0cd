/* SPDX-License-Identifier: Apache-2.0 */
/* Where a config.json mount may not go: inside the container's /proc (runc's
   checkProcMount, libcontainer/rootfs_linux.go).  A mount over /proc/self, /proc/1
   or /proc/sys/kernel would hide what the kernel shows the container, or stand in
   for files that the runtime and the LSMs write (/proc/self/attr, /proc/sys); so
   on /proc itself only procfs may go (a fresh one, or a bind of one), and below it
   only binds over the files lxcfs emulates.  The destination is checked where it
   resolves in the rootfs, so a symlink (/myproc -> /proc) or ".." (/sys/../proc)
   does not get around it. */
#include "config.h"
#include "runtime/rootfs.h"
#include "common/cleanup.h"
#include "common/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

/* runc's validProcMounts, relative to /proc */
static const char *const lxcfs_files[] = {
  "cpuinfo",
  "diskstats",
  "meminfo",
  "stat",
  "swaps",
  "uptime",
  "loadavg",
  "slabinfo",
  "net/dev",
  "sys/kernel/ns_last_pid",
  "sys/crypto/fips_enabled",
};

/* The host path that path names in the rootfs: its deepest existing component as
   openat2(RESOLVE_IN_ROOT) resolves it (symlinks, ".."), then the rest as given
   (components that do not exist yet cannot be symlinks). */
static int
resolve_in_root (int root_fd, const char *path, char **out, nr_error_t *err)
{
  _cleanup_free_ char *clean = nr_path_clean (path);
  if (clean == NULL)
    return nr_error (err, ENOMEM, "resolve \"%s\"", path);
  size_t cut = strlen (clean);
  for (;;)
    {
      char saved = clean[cut];
      clean[cut] = '\0';
      int fd = nr_openat_in_root (root_fd, clean, O_PATH, 0, err);
      clean[cut] = saved;
      if (fd >= 0)
        {
          char link[64], real[PATH_MAX];
          nr_fd_path (fd, link);
          ssize_t n = readlink (link, real, sizeof real - 1);
          int e = errno;
          close (fd);
          if (n < 0)
            return nr_error (err, e, "resolve \"%s\"", path);
          real[n] = '\0';
          const char *rest = clean + cut;
          while (*rest == '/')
            rest++;
          if (asprintf (out, "%s%s%s", real, *rest && strcmp (real, "/") ? "/" : "", rest) < 0)
            return nr_error (err, ENOMEM, "resolve \"%s\"", path);
          return 0;
        }
      if ((*err)->status != ENOENT || cut == 0)
        return -1;
      nr_error_free (err);
      while (cut > 0 && clean[--cut] != '/')
        ;
    }
}

/* path relative to dir when it is dir or below it ("" for dir itself), else NULL */
static const char *
below (const char *path, const char *dir)
{
  size_t n = strlen (dir);
  if (strncmp (path, dir, n) != 0 || (path[n] != '\0' && path[n] != '/'))
    return NULL;
  return path[n] == '/' ? path + n + 1 : path + n;
}

static int
check_on_proc (const struct oci_mount *m, const char *bind_src, nr_error_t *err)
{
  struct statfs sf;
  if (bind_src == NULL && m->type && strcmp (m->type, "proc") == 0)
    return 0;
  if (bind_src && statfs (bind_src, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC)
    return 0;
  return nr_error (err, EPERM, "mount destination \"%s\" is /proc: only procfs may be mounted there", m->destination);
}

int
nr_mount_check_dest (int root_fd, const struct oci_mount *m, const char *bind_src, nr_error_t *err)
{
  _cleanup_free_ char *dest = NULL, *proc = NULL;
  if (resolve_in_root (root_fd, m->destination, &dest, err) < 0 || resolve_in_root (root_fd, "/proc", &proc, err) < 0)
    return nr_error_wrap (err, "mount destination \"%s\"", m->destination);
  if (dest == NULL || proc == NULL) /* set on success; said for the analyzer */
    return nr_error (err, ENOMEM, "mount destination \"%s\"", m->destination);
  const char *rel = below (dest, proc);
  if (rel == NULL)
    return 0;
  if (*rel == '\0')
    return check_on_proc (m, bind_src, err);
  for (size_t i = 0; i < NR_ARRAY_SIZE (lxcfs_files); i++)
    if (strcmp (rel, lxcfs_files[i]) == 0)
      return 0;
  return nr_error (err, EPERM,
                   "mount destination \"%s\" is inside /proc (\"/proc/%s\"): only the files lxcfs emulates "
                   "(/proc/cpuinfo, /proc/meminfo, /proc/uptime, ...) may be mounted over",
                   m->destination, rel);
}
