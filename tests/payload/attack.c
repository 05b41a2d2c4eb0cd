/* SPDX-License-Identifier: Apache-2.0 */
/*
 * nr-payload's attack commands (tests/integration/nested_attacks.bats): try to change
 * a path the test expects to be read-only, by every means a root process with all
 * capabilities has, and print one "OPERATION RESULT" line per attempt, RESULT being
 * the errno name or OK.  Exit 0 whatever the results: the test reads the lines.
 *
 *   mutate PATH          file or directory: write, truncate, chmod, chown, utimes,
 *                        set/remove xattrs, chattr, hardlink, rename, unlink; and in
 *                        a directory: create, mkdir, symlink, mknod
 *   unlock PATH          the mount at PATH: remount read-write (mount(2)), clear
 *                        MOUNT_ATTR_RDONLY (mount_setattr), same on a detached clone
 *                        (open_tree), unmount a mount below it (PATH/SUB, if given)
 *   handle-open PATH DIR open PATH read-write by file handle through DIR's mount
 *                        (open_by_handle_at: any file of a filesystem, through any
 *                        writable mount of it, for CAP_DAC_READ_SEARCH)
 */
#define _GNU_SOURCE
#include "attack.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/mount.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

static void
report (const char *op, long r)
{
  const char *n = r < 0 ? strerrorname_np (errno) : "OK";
  printf ("%s %s\n", op, n ? n : "EUNKNOWN");
}

static long
write_one (const char *path, int flags)
{
  int fd = open (path, flags | O_CLOEXEC);
  if (fd < 0)
    return -1;
  long r = write (fd, "X", 1);
  close (fd);
  return r;
}

static long
chattr (const char *path)
{
  int fd = open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
  int flags = 0;
  if (fd < 0)
    return -1;
  long r = ioctl (fd, FS_IOC_GETFLAGS, &flags);
  if (r == 0)
    {
      flags ^= FS_NODUMP_FL;
      r = ioctl (fd, FS_IOC_SETFLAGS, &flags);
    }
  int e = errno;
  close (fd);
  errno = e;
  return r;
}

static void
mutate_entry (const char *path, const struct stat *st)
{
  char other[4200];
  struct timespec t[2] = { { 0, 0 }, { 0, 0 } };
  bool reg = S_ISREG (st->st_mode);
  if (reg)
    {
      report ("write", write_one (path, O_WRONLY | O_APPEND));
      report ("open-trunc", write_one (path, O_WRONLY | O_TRUNC));
      report ("truncate", truncate (path, st->st_size + 1));
    }
  if (!S_ISLNK (st->st_mode))
    report ("chmod", chmod (path, (st->st_mode ^ 0001) & 07777));
  report ("chown", lchown (path, st->st_uid + 1, st->st_gid + 1));
  report ("utimes", utimensat (AT_FDCWD, path, t, AT_SYMLINK_NOFOLLOW));
  report ("setxattr-user", lsetxattr (path, "user.nestrun-attack", "1", 1, 0));
  report ("setxattr-trusted", lsetxattr (path, "trusted.nestrun-attack", "1", 1, 0));
  report ("setxattr-security", lsetxattr (path, "security.nestrun-attack", "1", 1, 0));
  report ("removexattr", lremovexattr (path, "security.capability"));
  if (reg || S_ISDIR (st->st_mode))
    report ("chattr", chattr (path));
  if (!S_ISDIR (st->st_mode))
    {
      snprintf (other, sizeof other, "%s.nr-link", path);
      report ("link", link (path, other));
      report ("link-to-tmp", link (path, "/tmp/nr-attack-link"));
      unlink ("/tmp/nr-attack-link");
    }
  snprintf (other, sizeof other, "%s.nr-renamed", path);
  report ("rename", rename (path, other));
  report ("unlink", S_ISDIR (st->st_mode) ? rmdir (path) : unlink (path));
}

static void
mutate_dir (const char *dir)
{
  char p[4200];
  snprintf (p, sizeof p, "%s/nr-attack", dir);
  int fd = open (p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  report ("create", fd);
  if (fd >= 0)
    close (fd);
  snprintf (p, sizeof p, "%s/nr-attack-dir", dir);
  report ("mkdir", mkdir (p, 0755));
  snprintf (p, sizeof p, "%s/nr-attack-sym", dir);
  report ("symlink", symlink ("/", p));
  snprintf (p, sizeof p, "%s/nr-attack-fifo", dir);
  report ("mknod", mknod (p, S_IFIFO | 0644, 0));
  fd = open (dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
  report ("tmpfile", fd);
  if (fd >= 0)
    close (fd);
}

int
nr_attack_mutate (char **a)
{
  struct stat st;
  if (lstat (a[0], &st) < 0)
    {
      fprintf (stderr, "nr-payload: %s: %s\n", a[0], strerrorname_np (errno));
      return 1;
    }
  if (S_ISDIR (st.st_mode))
    mutate_dir (a[0]);
  mutate_entry (a[0], &st);
  return 0;
}

int
nr_attack_unlock (char **a)
{
  struct mount_attr rw = { .attr_clr = MOUNT_ATTR_RDONLY };
  report ("remount-rw", mount (NULL, a[0], NULL, MS_REMOUNT | MS_BIND, NULL));
  report ("setattr-rw", syscall (SYS_mount_setattr, AT_FDCWD, a[0], 0, &rw, sizeof rw));
  report ("setattr-rw-recursive", syscall (SYS_mount_setattr, AT_FDCWD, a[0], AT_RECURSIVE, &rw, sizeof rw));
  int tree = (int) syscall (SYS_open_tree, AT_FDCWD, a[0], OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
  report ("clone", tree);
  if (tree >= 0)
    {
      report ("clone-setattr-rw", syscall (SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &rw, sizeof rw));
      close (tree);
    }
  if (a[1])
    {
      char sub[4200];
      snprintf (sub, sizeof sub, "%s/%s", a[0], a[1]);
      report ("umount-below", umount2 (sub, MNT_DETACH));
      report ("move-below", mount (sub, "/tmp", NULL, MS_MOVE, NULL));
    }
  return 0;
}

int
nr_attack_handle_open (char **a)
{
  struct file_handle *h = calloc (1, sizeof *h + MAX_HANDLE_SZ);
  int mnt_id = 0;
  if (h == NULL)
    return 1;
  h->handle_bytes = MAX_HANDLE_SZ;
  if (name_to_handle_at (AT_FDCWD, a[0], h, &mnt_id, 0) < 0)
    {
      report ("name-to-handle", -1);
      free (h);
      return 0;
    }
  int dir = open (a[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int fd = dir < 0 ? -1 : open_by_handle_at (dir, h, O_RDWR | O_CLOEXEC);
  report ("open-by-handle-rw", fd);
  if (fd >= 0)
    close (fd);
  if (dir >= 0)
    close (dir);
  free (h);
  return 0;
}
