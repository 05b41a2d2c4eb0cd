/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"
#include "common/fs.h"
#include "common/cleanup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

int
nr_read_all_fd (int fd, size_t max, char **out, size_t *len, nr_error_t *err)
{
  size_t cap = 4096, n = 0;
  _cleanup_free_ char *buf = malloc (cap + 1);
  if (buf == NULL)
    return nr_error (err, ENOMEM, "read");
  for (;;)
    {
      if (n == cap)
        {
          if (cap >= max)
            return nr_error (err, EFBIG, "input larger than %zu bytes", max);
          cap = cap * 2 > max ? max : cap * 2;
          char *nb = realloc (buf, cap + 1);
          if (nb == NULL)
            return nr_error (err, ENOMEM, "read");
          buf = nb;
        }
      ssize_t r = read (fd, buf + n, cap - n);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return nr_error (err, errno, "read");
      if (r == 0)
        break;
      n += r;
    }
  buf[n] = '\0';
  *out = TAKE_PTR (buf);
  if (len)
    *len = n;
  return 0;
}

int
nr_read_file_at (int dirfd, const char *name, size_t max, char **out, size_t *len, nr_error_t *err)
{
  _cleanup_close_ int fd = openat (dirfd, name, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return nr_error (err, errno, "open \"%s\"", name);
  if (nr_read_all_fd (fd, max, out, len, err) < 0)
    return nr_error_wrap (err, "read \"%s\"", name);
  return 0;
}

int
nr_read_file (const char *path, size_t max, char **out, size_t *len, nr_error_t *err)
{
  return nr_read_file_at (AT_FDCWD, path, max, out, len, err);
}

int
nr_write_all (int fd, const void *buf, size_t len)
{
  const char *p = buf;
  while (len > 0)
    {
      ssize_t w = write (fd, p, len);
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        return -1;
      p += w;
      len -= w;
    }
  return 0;
}

int
nr_write_file (const char *path, const void *data, size_t len, mode_t mode, nr_error_t *err)
{
  _cleanup_close_ int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0)
    return nr_error (err, errno, "open \"%s\"", path);
  if (nr_write_all (fd, data, len) < 0)
    return nr_error (err, errno, "write \"%s\"", path);
  return 0;
}

int
nr_write_file_at (int dirfd, const char *name, const void *data, size_t len, nr_error_t *err)
{
  _cleanup_close_ int fd = openat (dirfd, name, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return nr_error (err, errno, "open \"%s\"", name);
  if (nr_write_all (fd, data, len) < 0)
    return nr_error (err, errno, "write \"%s\"", name);
  return 0;
}

int
nr_write_file_replace_at (int dirfd, const char *name, const void *data, size_t len, mode_t mode, bool durable,
                          nr_error_t *err)
{
  char tmp[4096];
  snprintf (tmp, sizeof tmp, ".%s.tmp-%d", name, (int) getpid ());
  _cleanup_close_ int fd = openat (dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0)
    return nr_error (err, errno, "create \"%s\"", tmp);
  if (nr_write_all (fd, data, len) < 0 || (durable && fsync (fd) < 0))
    {
      int e = errno;
      unlinkat (dirfd, tmp, 0);
      return nr_error (err, e, "write \"%s\"", name);
    }
  if (renameat (dirfd, tmp, dirfd, name) < 0)
    {
      int e = errno;
      unlinkat (dirfd, tmp, 0);
      return nr_error (err, e, "rename \"%s\" to \"%s\"", tmp, name);
    }
  return 0;
}

int
nr_write_file_atomic_at (int dirfd, const char *name, const void *data, size_t len, mode_t mode, nr_error_t *err)
{
  return nr_write_file_replace_at (dirfd, name, data, len, mode, true, err);
}

int
nr_mkdir_p (const char *path, mode_t mode, nr_error_t *err)
{
  _cleanup_free_ char *p = strdup (path);
  if (p == NULL)
    return nr_error (err, ENOMEM, "mkdir \"%s\"", path);
  for (char *s = p + 1; *s; s++)
    {
      if (*s != '/')
        continue;
      *s = '\0';
      if (mkdir (p, mode) < 0 && errno != EEXIST)
        return nr_error (err, errno, "mkdir \"%s\"", p);
      *s = '/';
    }
  if (mkdir (p, mode) < 0 && errno != EEXIST)
    return nr_error (err, errno, "mkdir \"%s\"", p);
  return 0;
}

int
nr_rm_rf_at (int dir_fd, const char *name, nr_error_t *err)
{
  if (unlinkat (dir_fd, name, 0) == 0 || errno == ENOENT)
    return 0;
  if (errno != EISDIR && errno != EPERM)
    return nr_error (err, errno, "remove \"%s\"", name);
  int fd = openat (dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return nr_error (err, errno, "open \"%s\"", name);
  _cleanup_closedir_ DIR *d = fdopendir (fd);
  if (d == NULL)
    {
      close (fd);
      return nr_error (err, errno, "opendir \"%s\"", name);
    }
  struct dirent *de;
  while ((de = readdir (d)))
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (nr_rm_rf_at (dirfd (d), de->d_name, err) < 0)
        return -1;
    }
  if (unlinkat (dir_fd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
    return nr_error (err, errno, "rmdir \"%s\"", name);
  return 0;
}

int
nr_rm_rf (const char *path, nr_error_t *err)
{
  return nr_rm_rf_at (AT_FDCWD, path, err);
}

int
nr_openat_in_root (int root_fd, const char *path, int flags, mode_t mode, nr_error_t *err)
{
  struct open_how how = {
    .flags = (uint64_t) (flags | O_CLOEXEC),
    .mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
  };
  while (*path == '/')
    path++;
  if (*path == '\0')
    path = ".";
  int fd;
  do
    fd = (int) syscall (SYS_openat2, root_fd, path, &how, sizeof how);
  while (fd < 0 && errno == EAGAIN);
  if (fd < 0)
    return nr_error (err, errno, "openat2 \"%s\" in root", path);
  return fd;
}

/* Split "a/b/c" → parent "a/b", base "c" (in place). */
static const char *
split_parent (char *p)
{
  char *slash = strrchr (p, '/');
  if (slash == NULL)
    return NULL;
  *slash = '\0';
  return slash + 1;
}

int
nr_mkdir_in_root (int root_fd, const char *path, mode_t mode, nr_error_t *err)
{
  _cleanup_free_ char *clean = nr_path_clean (path);
  if (clean == NULL)
    return nr_error (err, ENOMEM, "mkdir \"%s\"", path);
  int fd = nr_openat_in_root (root_fd, clean, O_PATH | O_DIRECTORY, 0, err);
  if (fd >= 0)
    return fd;
  if ((*err)->status != ENOENT)
    return -1;
  nr_error_free (err);

  /* Walk down, creating each missing component relative to its parent's fd. */
  _cleanup_close_ int cur = nr_openat_in_root (root_fd, "/", O_PATH | O_DIRECTORY, 0, err);
  if (cur < 0)
    return -1;
  _cleanup_free_ char *walk = strdup (clean);
  char *save = NULL;
  char built[4096] = "";
  for (char *comp = strtok_r (walk, "/", &save); comp; comp = strtok_r (NULL, "/", &save))
    {
      strncat (built, "/", sizeof built - strlen (built) - 1);
      strncat (built, comp, sizeof built - strlen (built) - 1);
      int next = nr_openat_in_root (root_fd, built, O_PATH | O_DIRECTORY, 0, err);
      if (next < 0 && (*err)->status == ENOENT)
        {
          nr_error_free (err);
          /* mkdirat on the parent fd: comp has no '/', so nothing is followed */
          if (mkdirat (cur, comp, mode) < 0 && errno != EEXIST)
            {
              /* O_PATH fds can't be used by mkdirat on old kernels; retry via a real fd */
              _cleanup_close_ int real = openat (cur, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
              if (real < 0 || (mkdirat (real, comp, mode) < 0 && errno != EEXIST))
                return nr_error (err, errno, "mkdir \"%s\"", built);
            }
          next = nr_openat_in_root (root_fd, built, O_PATH | O_DIRECTORY, 0, err);
        }
      if (next < 0)
        return nr_error_wrap (err, "mkdir \"%s\"", clean);
      close (cur);
      cur = next;
    }
  return TAKE_FD (cur);
}

int
nr_touch_in_root (int root_fd, const char *path, mode_t mode, nr_error_t *err)
{
  _cleanup_free_ char *clean = nr_path_clean (path);
  if (clean == NULL)
    return nr_error (err, ENOMEM, "create \"%s\"", path);
  int fd = nr_openat_in_root (root_fd, clean, O_PATH, 0, err);
  if (fd >= 0)
    return fd;
  if ((*err)->status != ENOENT)
    return -1;
  nr_error_free (err);
  _cleanup_free_ char *parent = strdup (clean);
  const char *base = split_parent (parent);
  if (base == NULL || *base == '\0')
    return nr_error (err, EINVAL, "create \"%s\"", path);
  _cleanup_close_ int pfd = nr_mkdir_in_root (root_fd, parent[0] ? parent : "/", 0755, err);
  if (pfd < 0)
    return -1;
  _cleanup_close_ int real = openat (pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (real < 0)
    return nr_error (err, errno, "open parent of \"%s\"", clean);
  int f = openat (real, base, O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, mode);
  if (f < 0 && errno != EEXIST)
    return nr_error (err, errno, "create \"%s\"", clean);
  if (f >= 0)
    close (f);
  return nr_openat_in_root (root_fd, clean, O_PATH, 0, err);
}

void
nr_fd_path (int fd, char buf[static 64])
{
  snprintf (buf, 64, "/proc/self/fd/%d", fd);
}

char *
nr_path_clean (const char *path)
{
  size_t len = strlen (path);
  char *out = malloc (len + 2);
  if (out == NULL)
    return NULL;
  size_t o = 0;
  out[o++] = '/';
  const char *p = path;
  while (*p)
    {
      while (*p == '/')
        p++;
      if (*p == '\0')
        break;
      const char *e = strchr (p, '/');
      size_t n = e ? (size_t) (e - p) : strlen (p);
      if (n == 1 && p[0] == '.')
        ;
      else if (n == 2 && p[0] == '.' && p[1] == '.')
        {
          if (o > 1)
            {
              o--; /* drop trailing slash */
              while (o > 1 && out[o - 1] != '/')
                o--;
            }
        }
      else
        {
          if (o > 1 && out[o - 1] != '/')
            out[o++] = '/';
          memcpy (out + o, p, n);
          o += n;
        }
      p += n;
    }
  if (o > 1 && out[o - 1] == '/')
    o--;
  out[o] = '\0';
  return out;
}

bool
nr_path_has_prefix (const char *path, const char *prefix)
{
  _cleanup_free_ char *a = nr_path_clean (path);
  _cleanup_free_ char *b = nr_path_clean (prefix);
  if (a == NULL || b == NULL)
    return false;
  size_t n = strlen (b);
  if (strcmp (b, "/") == 0)
    return true;
  return strncmp (a, b, n) == 0 && (a[n] == '\0' || a[n] == '/');
}

static bool
is_executable_in_root (int root_fd, const char *path)
{
  nr_error_t err = NULL;
  _cleanup_close_ int fd = nr_openat_in_root (root_fd, path, O_PATH, 0, &err);
  nr_error_free (&err);
  if (fd < 0)
    return false;
  struct stat st;
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode))
    return false;
  return (st.st_mode & 0111) != 0;
}

/* Go's lowercase errno text, as runc prints it: docker maps an exec error containing
   "permission denied" to exit status 126 and "no such file or directory" to 127. */
static const char *
go_strerror (int e)
{
  switch (e)
    {
    case ENOENT: return "no such file or directory";
    case EACCES: return "permission denied";
    case EISDIR: return "is a directory";
    default: return strerror (e);
    }
}

int
nr_find_executable_in_root (int root_fd, const char *file, const char *path_env, const char *cwd,
                            char **out, nr_error_t *err)
{
  if (strchr (file, '/'))
    {
      char full[4096];
      if (file[0] == '/')
        snprintf (full, sizeof full, "%s", file);
      else
        snprintf (full, sizeof full, "%s/%s", cwd ? cwd : "/", file);
      if (!is_executable_in_root (root_fd, full))
        {
          struct stat st;
          nr_error_t e2 = NULL;
          _cleanup_close_ int fd = nr_openat_in_root (root_fd, full, O_PATH, 0, &e2);
          nr_error_free (&e2);
          int code = fd < 0 ? ENOENT : (fstat (fd, &st) == 0 && S_ISDIR (st.st_mode) ? EISDIR : EACCES);
          nr_error (err, 0, "exec: \"%s\": %s", file, go_strerror (code));
          (*err)->status = code;
          return -1;
        }
      *out = strdup (file);
      return 0;
    }
  const char *p = path_env ? path_env : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  while (p)
    {
      const char *e = strchr (p, ':');
      size_t n = e ? (size_t) (e - p) : strlen (p);
      char full[4096];
      snprintf (full, sizeof full, "%.*s/%s", (int) n, n ? p : ".", file);
      if (is_executable_in_root (root_fd, full))
        {
          *out = strdup (full);
          return 0;
        }
      p = e ? e + 1 : NULL;
    }
  return nr_error (err, 0, "exec: \"%s\": executable file not found in $PATH", file);
}

int
nr_write_pid_file (const char *path, pid_t pid, nr_error_t *err)
{
  char buf[32];
  char *tmp = NULL;
  int n = snprintf (buf, sizeof buf, "%d", (int) pid);
  /* written aside and renamed: a reader never sees a partial pid (runc does the same) */
  if (asprintf (&tmp, "%s.nestrun-%d", path, (int) getpid ()) < 0)
    return nr_error (err, ENOMEM, "pid file \"%s\"", path);
  int r = nr_write_file (tmp, buf, n, 0644, err);
  if (r == 0 && rename (tmp, path) < 0)
    {
      r = nr_error (err, errno, "write pid file \"%s\"", path);
      unlink (tmp);
    }
  else if (r < 0)
    nr_error_wrap (err, "pid file");
  free (tmp);
  return r;
}
