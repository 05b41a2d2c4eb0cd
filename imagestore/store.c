/* SPDX-License-Identifier: Apache-2.0 */
/* Opening the store: layout, the store lock, temporary directories and their debris. */
#include "config.h"
#include "imagestore/internal.h"
#include "common/debug.h"
#include "common/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define STORE_VERSION "1\n"

static const char *const layout[] = { "blobs", "blobs/sha256", "layers", "leases", "tmp" };

static const struct nr_store_limits default_limits = {
  .max_entries = 1000000,
  .max_path = 4096,
  .max_layer_bytes = 64ull << 30,
  .max_json = 16u << 20,
};

void
nr_imagestore_set_limits (struct nr_imagestore *s, const struct nr_store_limits *l)
{
  s->limits = default_limits;
  if (l == NULL)
    return;
  if (l->max_entries)
    s->limits.max_entries = l->max_entries;
  if (l->max_path)
    s->limits.max_path = l->max_path;
  if (l->max_layer_bytes)
    s->limits.max_layer_bytes = l->max_layer_bytes;
  if (l->max_json)
    s->limits.max_json = l->max_json;
}

static int
create_layout (int dirfd, const char *path, nr_error_t *err)
{
  for (size_t i = 0; i < NR_ARRAY_SIZE (layout); i++)
    if (mkdirat (dirfd, layout[i], 0700) < 0 && errno != EEXIST)
      return nr_error (err, errno, "create \"%s/%s\"", path, layout[i]);
  if (faccessat (dirfd, "VERSION", F_OK, 0) < 0)
    {
      nr_debug_point ("store:before-version");
      return nr_write_file_atomic_at (dirfd, "VERSION", STORE_VERSION, strlen (STORE_VERSION), 0644, err);
    }
  return 0;
}

/* No VERSION, and nothing but what the store's creation makes before it (the layout,
   the lock, a VERSION being written): a store whose creator was killed, or an empty
   directory.  It holds no image yet; the next writer completes it. */
static bool
creation_unfinished (int dirfd)
{
  int fd = openat (dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return false;
  _cleanup_closedir_ DIR *d = fdopendir (fd);
  if (d == NULL)
    {
      close (fd);
      return false;
    }
  struct dirent *de;
  while ((de = readdir (d)))
    {
      const char *n = de->d_name;
      bool made = strcmp (n, ".") == 0 || strcmp (n, "..") == 0 || strcmp (n, "lock") == 0
                  || strncmp (n, ".VERSION.tmp-", strlen (".VERSION.tmp-")) == 0;
      for (size_t i = 0; i < NR_ARRAY_SIZE (layout) && !made; i++)
        made = strcmp (n, layout[i]) == 0;
      if (!made)
        return false;
    }
  return true;
}

static int
check_version (int dirfd, const char *path, nr_error_t *err)
{
  _cleanup_free_ char *v = NULL;
  if (nr_read_file_at (dirfd, "VERSION", 64, &v, NULL, err) < 0)
    {
      if ((*err)->status == ENOENT)
        {
          nr_error_free (err);
          if (creation_unfinished (dirfd))
            return 0;
          return nr_error (err, ENOENT, "image store \"%s\" not initialized (no VERSION)", path);
        }
      return -1;
    }
  if (strcmp (v, STORE_VERSION) != 0)
    return nr_error (err, 0, "image store \"%s\": unsupported layout version %.8s", path, v);
  return 0;
}

/* The pid that text (the end of a temporary's name: "<base>.new-<pid>",
   ".NAME.tmp-<pid>") is, all of it; 0 when it is not one. */
static pid_t
parse_pid (const char *text)
{
  char *end = NULL;
  long pid = strtol (text, &end, 10);
  return pid > 0 && pid <= INT_MAX && *end == '\0' ? (pid_t) pid : 0;
}

static bool
pid_alive (pid_t pid)
{
  return kill (pid, 0) == 0 || errno != ESRCH;
}

/* "<base>.new-<pid>" beside the store: a creation killed before its rename.  Removed
   when its pid is gone and it is older than a minute (another pid namespace's creator
   would be invisible to kill(2), not to the clock). */
static void
clean_new_siblings (const char *path)
{
  _cleanup_free_ char *dir = strdup (path), *base = strdup (path);
  if (dir == NULL || base == NULL)
    return;
  char *slash = strrchr (dir, '/');
  const char *b = strrchr (path, '/') ? strrchr (path, '/') + 1 : path;
  snprintf (base, strlen (path) + 1, "%s", b);
  if (slash)
    slash[slash == dir ? 1 : 0] = '\0';
  _cleanup_closedir_ DIR *d = opendir (slash ? dir : ".");
  struct dirent *de;
  size_t n = strlen (base);
  while (d && (de = readdir (d)))
    {
      struct stat st;
      if (strncmp (de->d_name, base, n) != 0 || strncmp (de->d_name + n, ".new-", 5) != 0)
        continue;
      pid_t pid = parse_pid (de->d_name + n + 5);
      if (pid == 0 || pid_alive (pid) || fstatat (dirfd (d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0
          || !S_ISDIR (st.st_mode) || st.st_mtime > time (NULL) - 60)
        continue;
      nr_error_t e = NULL;
      nr_rm_rf_at (dirfd (d), de->d_name, &e);
      nr_error_free (&e);
    }
}

/* A store that does not exist yet appears whole: made beside it as "<path>.new-<pid>"
   (layout and VERSION), then renamed into place, so a kill -9 at any point leaves either
   no store or a complete one; the loser of a race drops its copy. */
static int
create_store (const char *given, nr_error_t *err)
{
  _cleanup_free_ char *tmp = NULL, *parent = strdup (given), *path = strdup (given);
  if (path == NULL || parent == NULL)
    return nr_error (err, ENOMEM, "create image store");
  for (size_t n = strlen (path); n > 1 && path[n - 1] == '/'; n--)
    path[n - 1] = parent[n - 1] = '\0';
  if (access (path, F_OK) == 0)
    return 0;
  if (errno != ENOENT)
    return nr_error (err, errno, "access \"%s\"", path);
  if (asprintf (&tmp, "%s.new-%d", path, (int) getpid ()) < 0)
    return nr_error (err, ENOMEM, "create image store");
  char *slash = strrchr (parent, '/');
  if (slash && slash != parent)
    {
      *slash = '\0';
      if (nr_mkdir_p (parent, 0700, err) < 0)
        return -1;
    }
  clean_new_siblings (path);
  if (nr_rm_rf (tmp, err) < 0 || mkdir (tmp, 0700) < 0)
    return *err ? -1 : nr_error (err, errno, "mkdir \"%s\"", tmp);
  _cleanup_close_ int fd = open (tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int r = fd < 0 ? nr_error (err, errno, "open \"%s\"", tmp) : create_layout (fd, tmp, err);
  if (r == 0 && rename (tmp, path) < 0 && errno != EEXIST && errno != ENOTEMPTY)
    r = nr_error (err, errno, "rename \"%s\" to \"%s\"", tmp, path);
  nr_error_t e = NULL;
  nr_rm_rf (tmp, &e); /* gone after the rename; ours to drop when another won */
  nr_error_free (&e);
  return r;
}

/* Take the store lock, then make the layout under it; with the exclusive lock held,
   nobody else is working, so everything under tmp/ (and a ".NAME.tmp-PID" in the root)
   is debris and goes.  Writers then keep it shared.  The layout is made under the lock:
   a concurrent first open cannot take its half-written VERSION for debris. */
static int
take_lock (struct nr_imagestore *s, int flags, nr_error_t *err)
{
  s->lock_fd = openat (s->dirfd, "lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (s->lock_fd < 0)
    return nr_error (err, errno, "open \"%s/lock\"", s->path);
  if (flags & NR_STORE_EXCLUSIVE)
    {
      if (flock (s->lock_fd, LOCK_EX) < 0)
        return nr_error (err, errno, "lock \"%s/lock\"", s->path);
      if (create_layout (s->dirfd, s->path, err) < 0)
        return -1;
      clean_new_siblings (s->path);
      return nr_store_clean_debris (s, NULL, err);
    }
  if (flock (s->lock_fd, LOCK_EX | LOCK_NB) == 0)
    {
      if (create_layout (s->dirfd, s->path, err) < 0 || nr_store_clean_debris (s, NULL, err) < 0)
        return -1;
      clean_new_siblings (s->path);
    }
  if (flock (s->lock_fd, LOCK_SH) < 0)
    return nr_error (err, errno, "lock \"%s/lock\"", s->path);
  return create_layout (s->dirfd, s->path, err);
}

int
nr_imagestore_open (const char *path, int flags, struct nr_imagestore **out, nr_error_t *err)
{
  _cleanup_store_ struct nr_imagestore *s = calloc (1, sizeof *s);
  if (s == NULL)
    return nr_error (err, ENOMEM, "open image store");
  s->dirfd = s->lock_fd = -1;
  s->flags = flags;
  nr_imagestore_set_limits (s, NULL);
  s->path = strdup (path ? path : NR_STORE_DEFAULT);
  if (s->path == NULL)
    return nr_error (err, ENOMEM, "open image store");
  if (flags & (NR_STORE_WRITE | NR_STORE_EXCLUSIVE))
    if (create_store (s->path, err) < 0)
      return nr_error_wrap (err, "create image store");
  s->dirfd = open (s->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (s->dirfd < 0)
    return nr_error (err, errno, "open image store \"%s\"", s->path);
  if (flags & (NR_STORE_WRITE | NR_STORE_EXCLUSIVE))
    {
      if (take_lock (s, flags, err) < 0)
        return -1;
    }
  if (check_version (s->dirfd, s->path, err) < 0)
    return -1;
  *out = TAKE_PTR (s);
  return 0;
}

void
nr_imagestore_close (struct nr_imagestore *s)
{
  if (s == NULL)
    return;
  if (s->lock_fd >= 0)
    close (s->lock_fd);
  if (s->dirfd >= 0)
    close (s->dirfd);
  free (s->path);
  free (s);
}

const char *
nr_imagestore_path (struct nr_imagestore *s)
{
  return s->path;
}

int
nr_store_require_write (struct nr_imagestore *s, const char *op, nr_error_t *err)
{
  if (s->lock_fd < 0)
    return nr_error (err, EBADF, "%s: image store \"%s\" opened read-only", op, s->path);
  return 0;
}

int
nr_store_tmp_fd (struct nr_imagestore *s, nr_error_t *err)
{
  int fd = openat (s->dirfd, "tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return nr_error (err, errno, "open \"%s/tmp\"", s->path);
  return fd;
}

int
nr_store_mktemp (struct nr_imagestore *s, const char *kind, char name[128], nr_error_t *err)
{
  if (nr_store_require_write (s, "create temporary directory", err) < 0)
    return -1;
  _cleanup_close_ int tmp = nr_store_tmp_fd (s, err);
  if (tmp < 0)
    return -1;
  for (;;)
    {
      snprintf (name, 128, "%s-%d-%u", kind, (int) getpid (), s->tmp_seq++);
      if (mkdirat (tmp, name, 0700) == 0)
        break;
      if (errno != EEXIST)
        return nr_error (err, errno, "create \"%s/tmp/%s\"", s->path, name);
    }
  int fd = openat (tmp, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return nr_error (err, errno, "open \"%s/tmp/%s\"", s->path, name);
  return fd;
}

int
nr_store_remove_tmp (struct nr_imagestore *s, const char *name)
{
  nr_error_t e = NULL;
  _cleanup_close_ int tmp = nr_store_tmp_fd (s, &e);
  if (tmp >= 0)
    nr_rm_rf_at (tmp, name, &e);
  int r = e ? -1 : 0;
  nr_error_free (&e);
  return r;
}

/* Is the writer of ".NAME.tmp-PID" alive?  Then it is not debris.  Writers in the
   store root hold the store lock, and a new store is made beside it and renamed into
   place (create_store), so an exclusive holder should never meet a live writer's
   temporary; this was the fix for two first imports at once before that, and stays
   as a guard ("rename \".VERSION.tmp-N\" to \"VERSION\": No such file or directory"). */
static bool
tmp_writer_alive (const char *name)
{
  const char *dash = strrchr (name, '-');
  pid_t pid = dash ? parse_pid (dash + 1) : 0;
  return pid != 0 && pid_alive (pid);
}

/* nr_write_file_atomic_at writes ".NAME.tmp-PID" beside NAME: a kill -9 between
   its write and its rename leaves one in the store root. */
static int
clean_atomic_leftovers (struct nr_imagestore *s, unsigned *removed, nr_error_t *err)
{
  int fd = openat (s->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return nr_error (err, errno, "open \"%s\"", s->path);
  _cleanup_closedir_ DIR *d = fdopendir (fd);
  if (d == NULL)
    {
      close (fd);
      return nr_error (err, errno, "read \"%s\"", s->path);
    }
  struct dirent *de;
  while ((de = readdir (d)))
    {
      if (de->d_name[0] != '.' || strstr (de->d_name, ".tmp-") == NULL || tmp_writer_alive (de->d_name))
        continue;
      if (unlinkat (s->dirfd, de->d_name, 0) < 0 && errno != ENOENT)
        return nr_error (err, errno, "remove \"%s/%s\"", s->path, de->d_name);
      if (removed)
        (*removed)++;
    }
  return 0;
}

int
nr_store_clean_debris (struct nr_imagestore *s, unsigned *removed, nr_error_t *err)
{
  _cleanup_close_ int tmp = nr_store_tmp_fd (s, err);
  if (tmp < 0)
    return -1;
  int fd = dup (tmp);
  if (fd < 0)
    return nr_error (err, errno, "open \"%s/tmp\"", s->path);
  _cleanup_closedir_ DIR *d = fdopendir (fd);
  if (d == NULL)
    {
      close (fd);
      return nr_error (err, errno, "read \"%s/tmp\"", s->path);
    }
  struct dirent *de;
  while ((de = readdir (d)))
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (nr_rm_rf_at (tmp, de->d_name, err) < 0)
        return nr_error_wrap (err, "remove debris in \"%s/tmp\"", s->path);
      if (removed)
        (*removed)++;
    }
  return clean_atomic_leftovers (s, removed, err);
}

int
nr_store_lock_refs (struct nr_imagestore *s, nr_error_t *err)
{
  if (nr_store_require_write (s, "update refs", err) < 0)
    return -1;
  _cleanup_close_ int fd = openat (s->dirfd, "refs.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return nr_error (err, errno, "open \"%s/refs.lock\"", s->path);
  if (flock (fd, LOCK_EX) < 0)
    return nr_error (err, errno, "lock \"%s/refs.lock\"", s->path);
  return TAKE_FD (fd);
}

void
nr_chain_id (const char *parent_chain, const char *diff_id, char out[NR_DIGEST_STR_LEN])
{
  if (parent_chain == NULL || parent_chain[0] == '\0')
    {
      snprintf (out, NR_DIGEST_STR_LEN, "%s", diff_id);
      return;
    }
  nr_sha256_join (parent_chain, " ", diff_id, out);
}
