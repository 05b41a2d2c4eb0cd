/* SPDX-License-Identifier: Apache-2.0 */
/* Removing a nest dir, carefully: it may hold mount points (binds of the store's
   layers, should one have leaked here) and removing through one would delete the
   store.  So: only a directory with the marker; unmount what is below it; and never
   descend into a directory on another mount (statx mount id). */
#include "config.h"
#include "nested/nest.h"
#include "common/cleanup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static int
mnt_id (int dirfd, const char *name, uint64_t *id)
{
  struct statx sx;
  if (statx (dirfd, name, AT_SYMLINK_NOFOLLOW | (*name ? 0 : AT_EMPTY_PATH), STATX_MNT_ID, &sx) < 0)
    return -1;
  *id = sx.stx_mnt_id;
  return 0;
}

/* Mount points strictly below dir, deepest (last mounted) first. */
static void
unmount_below (const char *dir)
{
  _cleanup_fclose_ FILE *f = fopen ("/proc/self/mountinfo", "re");
  char line[8192], **v = NULL;
  size_t n = 0, dlen = strlen (dir);
  while (f && fgets (line, sizeof line, f))
    {
      char *save = NULL, *tok = strtok_r (line, " ", &save);
      for (int i = 1; tok && i < 5; i++)
        tok = strtok_r (NULL, " ", &save);
      if (tok == NULL || strncmp (tok, dir, dlen) != 0 || tok[dlen] != '/')
        continue;
      char **nv = realloc (v, (n + 1) * sizeof *v);
      if (nv == NULL)
        break;
      v = nv;
      v[n++] = strdup (tok);
    }
  while (n-- > 0)
    {
      if (v[n])
        umount2 (v[n], MNT_DETACH);
      free (v[n]);
    }
  free (v);
}

static int
rm_tree_at (int dfd, uint64_t mnt, unsigned *skipped)
{
  _cleanup_closedir_ DIR *d = fdopendir (dfd);
  if (d == NULL)
    return close (dfd), -1;
  struct dirent *de;
  while ((de = readdir (d)))
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      struct stat st;
      if (fstatat (dirfd (d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        continue;
      if (S_ISDIR (st.st_mode))
        {
          uint64_t m = 0;
          if (mnt_id (dirfd (d), de->d_name, &m) < 0 || m != mnt)
            {
              (*skipped)++;
              continue;
            }
          int sub = openat (dirfd (d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          if (sub >= 0)
            rm_tree_at (sub, mnt, skipped);
          if (unlinkat (dirfd (d), de->d_name, AT_REMOVEDIR) < 0)
            (*skipped)++;
        }
      else if (unlinkat (dirfd (d), de->d_name, 0) < 0)
        (*skipped)++;
    }
  return 0;
}

int
nr_nest_remove_dir (const char *dir, nr_error_t *err)
{
  char marker[4096];
  snprintf (marker, sizeof marker, "%s/%s", dir, NR_NEST_MARKER);
  if (access (dir, F_OK) < 0)
    return errno == ENOENT ? 0 : nr_error (err, errno, "nest dir \"%s\"", dir);
  if (access (marker, F_OK) < 0)
    return nr_error (err, errno, "refusing to remove \"%s\": not a nest dir (no %s)", dir, NR_NEST_MARKER);
  unmount_below (dir);
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  uint64_t mnt = 0;
  unsigned skipped = 0;
  if (fd < 0 || mnt_id (fd, "", &mnt) < 0)
    {
      int e = errno;
      if (fd >= 0)
        close (fd);
      return nr_error (err, e, "open nest dir \"%s\"", dir);
    }
  rm_tree_at (fd, mnt, &skipped);
  if (rmdir (dir) < 0)
    return nr_error (err, errno, "remove nest dir \"%s\" (%u entries left, mount points are never crossed)", dir,
                     skipped);
  return 0;
}

static unsigned long long
du_at (int dfd, uint64_t mnt)
{
  _cleanup_closedir_ DIR *d = fdopendir (dfd);
  unsigned long long sum = 0;
  struct dirent *de;
  if (d == NULL)
    return close (dfd), 0;
  while ((de = readdir (d)))
    {
      struct stat st;
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0
          || fstatat (dirfd (d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        continue;
      sum += (unsigned long long) st.st_blocks * 512;
      uint64_t m = 0;
      if (S_ISDIR (st.st_mode) && mnt_id (dirfd (d), de->d_name, &m) == 0 && m == mnt)
        {
          int sub = openat (dirfd (d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          if (sub >= 0)
            sum += du_at (sub, mnt);
        }
    }
  return sum;
}

unsigned long long
nr_nest_du (const char *dir)
{
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  uint64_t mnt = 0;
  if (fd < 0)
    return 0;
  if (mnt_id (fd, "", &mnt) < 0)
    return close (fd), 0;
  return du_at (fd, mnt);
}
