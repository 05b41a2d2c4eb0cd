/* SPDX-License-Identifier: Apache-2.0 */
/* cgroupfs file access: every write names the value and the file, and goes through
   the seam so unit tests can see the exact sequence. */
#include "config.h"
#include "runtime/cgroups/internal.h"
#include "common/cleanup.h"
#include "common/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct nr_cg_seam nr_cg_seam = {
  .mountinfo = "/proc/self/mountinfo",
  .self_cgroup = "/proc/self/cgroup",
  .systemd_dir = "/run/systemd/system",
  .poll_ms = 5000,
};

char *
nr_cg_join (const char *dir, const char *file)
{
  char *p = NULL;
  if (asprintf (&p, "%s/%s", dir, file) < 0)
    abort (); /* out of memory: nothing sane left */
  return p;
}

static int
write_raw (const char *path, const char *value, int *errno_out)
{
  _cleanup_close_ int fd = open (path, O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0 || nr_write_all (fd, value, strlen (value)) < 0)
    {
      *errno_out = errno;
      return -1;
    }
  if (nr_cg_seam.on_write)
    nr_cg_seam.on_write (path, value);
  return 0;
}

int
nr_cg_write (const char *dir, const char *file, const char *value, nr_error_t *err)
{
  _cleanup_free_ char *path = nr_cg_join (dir, file);
  int e = 0;
  if (write_raw (path, value, &e) < 0)
    return nr_error (err, e, "write \"%s\" to \"%s\"", value, path);
  return 0;
}

int
nr_cg_writef (const char *dir, const char *file, nr_error_t *err, const char *fmt, ...)
{
  _cleanup_free_ char *value = NULL;
  va_list ap;
  va_start (ap, fmt);
  int r = vasprintf (&value, fmt, ap);
  va_end (ap);
  if (r < 0)
    abort ();
  return nr_cg_write (dir, file, value, err);
}

int
nr_cg_write_opt (const char *dir, const char *file, const char *value, nr_error_t *err)
{
  _cleanup_free_ char *path = nr_cg_join (dir, file);
  int e = 0;
  if (write_raw (path, value, &e) == 0)
    return 1;
  if (e == ENOENT)
    return 0;
  return nr_error (err, e, "write \"%s\" to \"%s\"", value, path);
}

bool
nr_cg_exists (const char *dir, const char *file)
{
  _cleanup_free_ char *path = nr_cg_join (dir, file);
  return access (path, F_OK) == 0;
}

int
nr_cg_read (const char *dir, const char *file, char **out, nr_error_t *err)
{
  _cleanup_free_ char *path = nr_cg_join (dir, file);
  return nr_read_file (path, 16u << 20, out, NULL, err);
}

int
nr_cg_parse_u64 (const char *s, uint64_t *out)
{
  while (*s == ' ' || *s == '\t')
    s++;
  if (strncmp (s, "max", 3) == 0)
    {
      *out = UINT64_MAX;
      return 0;
    }
  if (*s < '0' || *s > '9')
    return -1;
  char *end;
  errno = 0;
  unsigned long long v = strtoull (s, &end, 10);
  if (errno != 0)
    return -1;
  *out = v;
  return 0;
}

int
nr_cg_read_u64 (const char *dir, const char *file, uint64_t *out, nr_error_t *err)
{
  _cleanup_free_ char *text = NULL;
  if (nr_cg_read (dir, file, &text, err) < 0)
    return -1;
  if (nr_cg_parse_u64 (text, out) < 0)
    return nr_error (err, EINVAL, "\"%s/%s\": not a number: \"%.32s\"", dir, file, text);
  return 0;
}

int
nr_cg_keyed (const char *text, const char *key, uint64_t *out)
{
  size_t klen = strlen (key);
  const char *line = text;
  while (line && *line)
    {
      if (strncmp (line, key, klen) == 0 && line[klen] == ' ')
        return nr_cg_parse_u64 (line + klen + 1, out);
      line = strchr (line, '\n');
      if (line)
        line++;
    }
  return -1;
}

const struct nr_cg_dir *
nr_cg_find (const struct nr_cgroup *cg, const char *ctrl)
{
  for (size_t i = 0; cg && i < cg->n; i++)
    {
      const struct nr_cg_dir *d = &cg->dirs[i];
      if (*ctrl == '\0' ? d->ctrls[0] == '\0' : nr_cg_ctrls_has (d->ctrls, ctrl))
        return d;
    }
  return NULL;
}

const struct nr_cg_dir *
nr_cg_unified (const struct nr_cgroup *cg)
{
  return nr_cg_find (cg, "");
}

int
nr_cg_attach (const char *dir, pid_t pid, nr_error_t *err)
{
  return nr_cg_writef (dir, "cgroup.procs", err, "%d", (int) pid);
}

bool
nr_cg_in_userns (void)
{
  _cleanup_free_ char *map = NULL;
  nr_error_t e = NULL;
  unsigned long a = 1, b = 1, c = 0;
  if (nr_read_file ("/proc/self/uid_map", 4096, &map, NULL, &e) < 0)
    {
      nr_error_free (&e);
      return false;
    }
  return sscanf (map, "%lu %lu %lu", &a, &b, &c) != 3 || a != 0 || b != 0 || c != 4294967295UL;
}
