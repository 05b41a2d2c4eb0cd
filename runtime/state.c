/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"
#include "runtime/state.h"
#include "runtime/cgroups/cgroups.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/json.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define NR_ID_MAX 1024

/* runc: ^[\w+-\.]+$, and not "." or ".." */
int
nr_id_validate (const char *id, nr_error_t *err)
{
  if (id == NULL || *id == '\0')
    return nr_error (err, 0, "container id cannot be empty");
  size_t n = strlen (id);
  if (n > NR_ID_MAX || n > 255)
    return nr_error (err, 0, "invalid container id: longer than 255 bytes");
  if (strcmp (id, ".") == 0 || strcmp (id, "..") == 0)
    return nr_error (err, 0, "invalid container id \"%s\"", id);
  for (const char *p = id; *p; p++)
    {
      unsigned char c = *p;
      if (!(isalnum (c) || c == '_' || c == '+' || c == '-' || c == '.'))
        {
          if (isprint (c))
            return nr_error (err, 0, "invalid container id \"%s\": character '%c' not allowed", id, c);
          return nr_error (err, 0, "invalid container id: non-printable byte 0x%02x", c);
        }
    }
  return 0;
}

static int
lock_dir (int fd, bool exclusive, const char *id, nr_error_t *err)
{
  while (flock (fd, exclusive ? LOCK_EX : LOCK_SH) < 0)
    {
      if (errno != EINTR)
        return nr_error (err, errno, "lock container \"%s\"", id);
    }
  return 0;
}

int
nr_state_create_dir (const char *root, const char *id, int *dirfd, nr_error_t *err)
{
  if (nr_id_validate (id, err) < 0)
    return -1;
  if (mkdir (root, 0711) < 0 && errno != EEXIST)
    {
      if (errno != ENOENT || nr_mkdir_p (root, 0711, err) < 0)
        return nr_error (err, errno, "create state root \"%s\"", root);
    }
  _cleanup_close_ int rfd = open (root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (rfd < 0)
    return nr_error (err, errno, "open state root \"%s\"", root);
  /* Made under a private name and locked before it takes the id (renameat2 with
     RENAME_NOREPLACE is atomic): a visible state dir is always locked by its creator
     until its state.json exists, so one without state.json whose lock is free is
     what a killed create left (nr_state_open removes it). */
  char tmp[64];
  snprintf (tmp, sizeof tmp, ".new-%d", (int) getpid ());
  unlinkat (rfd, tmp, AT_REMOVEDIR); /* a killed earlier create with our pid */
  if (mkdirat (rfd, tmp, 0700) < 0)
    return nr_error (err, errno, "create state directory \"%s/%s\"", root, tmp);
  int fd = openat (rfd, tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0 || lock_dir (fd, true, id, err) < 0)
    {
      int e = errno;
      if (fd >= 0)
        close (fd);
      unlinkat (rfd, tmp, AT_REMOVEDIR);
      return fd < 0 ? nr_error (err, e, "open state directory \"%s/%s\"", root, tmp) : -1;
    }
  if (renameat2 (rfd, tmp, rfd, id, RENAME_NOREPLACE) < 0)
    {
      int e = errno;
      close (fd);
      unlinkat (rfd, tmp, AT_REMOVEDIR);
      if (e == EEXIST)
        return nr_error (err, EEXIST, "container with id \"%s\" already exists", id);
      return nr_error (err, e, "create state directory \"%s/%s\"", root, id);
    }
  *dirfd = fd;
  return 0;
}

/* runc's wording, without ": No such file or directory"; the status stays ENOENT
   so `delete --force` can tell. */
static int
not_found (const char *id, nr_error_t *err)
{
  nr_error (err, 0, "container \"%s\" does not exist", id);
  (*err)->status = ENOENT;
  return -1;
}

/* What a create killed before it saved state.json left besides its state dir: the
   init (if it outlived the create: past PR_SET_PDEATHSIG) and the cgroup, both named
   in NR_CREATING_FILE.  Done as delete --force does it; best effort. */
static void
remove_unfinished (int dirfd)
{
  _cleanup_free_ char *buf = NULL;
  struct nr_state s = { 0 };
  struct nr_cgroup *cg = NULL;
  nr_error_t e = NULL;
  size_t len = 0;
  if (nr_read_file_at (dirfd, NR_CREATING_FILE, NR_STATE_MAX_FILE, &buf, &len, &e) < 0
      || nr_state_parse (buf, len, &s, &e) < 0)
    goto out;
  if (nr_state_pid_alive (&s))
    kill (s.pid, SIGKILL);
  if (s.cgroup && nr_cgroup_load (s.cgroup, &cg, &e) == 0)
    {
      if (nr_cgroup_kill_all (cg, SIGKILL, &e) < 0)
        nr_error_free (&e);
      if (nr_cgroup_destroy (cg, &e) < 0)
        nr_warn ("clean up after an interrupted create: %s", e->msg);
    }
out:
  if (e && e->status != ENOENT)
    nr_warn ("clean up after an interrupted create: %s", e->msg);
  nr_error_free (&e);
  nr_cgroup_free (cg);
  nr_state_clear (&s);
}

int
nr_state_open (const char *root, const char *id, bool exclusive, int *dirfd, nr_error_t *err)
{
  if (nr_id_validate (id, err) < 0)
    return -1;
  _cleanup_free_ char *path = NULL;
  if (asprintf (&path, "%s/%s", root, id) < 0)
    return nr_error (err, ENOMEM, "state path");
  _cleanup_close_ int fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    {
      if (errno == ENOENT)
        return not_found (id, err);
      return nr_error (err, errno, "open state directory \"%s\"", path);
    }
  if (lock_dir (fd, exclusive, id, err) < 0)
    return -1;
  /* a concurrent delete may have removed it while we waited */
  struct stat st;
  if (fstatat (fd, NR_STATE_FILE, &st, 0) < 0)
    {
      /* Still linked, locked by us, no state.json: a create killed before it saved
         the state (see nr_state_create_dir).  Nobody will finish it: remove it so
         that the id can be used again. */
      nr_error_t e = NULL;
      if (exclusive && fstat (fd, &st) == 0 && st.st_nlink > 0)
        {
          remove_unfinished (fd);
          if (nr_state_remove (root, id, &e) < 0)
            nr_error_free (&e);
        }
      return not_found (id, err);
    }
  *dirfd = TAKE_FD (fd);
  return 0;
}

char *
nr_state_serialize (const struct nr_state *s)
{
  yajl_gen g = nr_jgen_new (false);
  if (g == NULL)
    return NULL;
  yajl_gen_map_open (g);
  nr_jgen_kstr (g, "id", s->id);
  nr_jgen_kint (g, "pid", s->pid);
  nr_jgen_kint (g, "pid_start", (long long) s->pid_start);
  nr_jgen_kstr (g, "bundle", s->bundle);
  nr_jgen_kstr (g, "rootfs", s->rootfs);
  nr_jgen_kstr (g, "created", s->created);
  nr_jgen_kstr (g, "owner", s->owner ? s->owner : "");
  nr_jgen_kstr (g, "cgroup", s->cgroup);
  nr_jgen_kbool (g, "started", s->started);
  nr_jgen_kbool (g, "systemd_cgroup", s->systemd_cgroup);
  nr_jgen_kbool (g, "userns", s->has_userns);
  nr_jgen_key (g, "annotations");
  yajl_gen_map_open (g);
  for (char **a = s->annotations; a && a[0] && a[1]; a += 2)
    nr_jgen_kstr (g, a[0], a[1]);
  yajl_gen_map_close (g);
  yajl_gen_map_close (g);
  return nr_jgen_finish (g, NULL);
}

int
nr_state_parse (const char *buf, size_t len, struct nr_state *s, nr_error_t *err)
{
  _cleanup_json_ yajl_val root = NULL;
  struct nr_jctx c = { .what = NR_STATE_FILE };
  int64_t pid = 0, start = 0;
  if (nr_json_parse (buf, len, NR_STATE_FILE, &root, err) < 0)
    return -1;
  if (!YAJL_IS_OBJECT (root))
    return nr_error (err, 0, "%s: expected an object", NR_STATE_FILE);
  if (nr_json_str (&c, root, "id", &s->id, err) < 0 || nr_json_i64 (&c, root, "pid", &pid, err) < 0
      || nr_json_i64 (&c, root, "pid_start", &start, err) < 0
      || nr_json_str (&c, root, "bundle", &s->bundle, err) < 0
      || nr_json_str (&c, root, "rootfs", &s->rootfs, err) < 0
      || nr_json_str (&c, root, "created", &s->created, err) < 0
      || nr_json_str (&c, root, "owner", &s->owner, err) < 0
      || nr_json_str (&c, root, "cgroup", &s->cgroup, err) < 0
      || nr_json_bool (&c, root, "started", &s->started, err) < 0
      || nr_json_bool (&c, root, "systemd_cgroup", &s->systemd_cgroup, err) < 0
      || nr_json_bool (&c, root, "userns", &s->has_userns, err) < 0
      || nr_json_strmap (&c, root, "annotations", &s->annotations, err) < 0)
    return -1;
  if (s->id == NULL || pid < 0 || pid > INT32_MAX)
    return nr_error (err, 0, "%s: missing or invalid \"id\"/\"pid\"", NR_STATE_FILE);
  s->pid = (pid_t) pid;
  s->pid_start = (unsigned long long) start;
  return 0;
}

int
nr_state_read (int dirfd, struct nr_state *s, nr_error_t *err)
{
  _cleanup_free_ char *buf = NULL;
  size_t len = 0;
  if (nr_read_file_at (dirfd, NR_STATE_FILE, NR_STATE_MAX_FILE, &buf, &len, err) < 0)
    return -1;
  return nr_state_parse (buf, len, s, err);
}

/* Atomic (a temporary renamed over the file: readers see the old or the new one)
   but not fsynced: the state lives under /run and means nothing after a reboot,
   and runc and crun do not sync theirs either.  On a disk-backed /run each fsync
   cost 3-25 ms, three per container (bench/README.md). */
int
nr_state_put_file (int dirfd, const char *name, const void *data, size_t len, nr_error_t *err)
{
  return nr_write_file_replace_at (dirfd, name, data, len, 0600, false, err);
}

int
nr_state_write (int dirfd, const struct nr_state *s, nr_error_t *err)
{
  _cleanup_free_ char *buf = nr_state_serialize (s);
  if (buf == NULL)
    return nr_error (err, ENOMEM, "serialize state");
  return nr_state_put_file (dirfd, NR_STATE_FILE, buf, strlen (buf), err);
}

void
nr_state_clear (struct nr_state *s)
{
  free (s->id);
  free (s->bundle);
  free (s->rootfs);
  free (s->created);
  free (s->owner);
  free (s->cgroup);
  nr_strvfreep (&s->annotations);
  nr_strvfreep (&s->ns_paths);
  memset (s, 0, sizeof *s);
}

int
nr_state_remove (const char *root, const char *id, nr_error_t *err)
{
  _cleanup_close_ int rfd = open (root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (rfd < 0)
    return nr_error (err, errno, "open state root \"%s\"", root);
  return nr_rm_rf_at (rfd, id, err);
}

unsigned long long
nr_proc_starttime (pid_t pid)
{
  char path[64];
  _cleanup_free_ char *buf = NULL;
  nr_error_t err = NULL;
  snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
  if (nr_read_file (path, 8192, &buf, NULL, &err) < 0)
    {
      nr_error_free (&err);
      return 0;
    }
  /* comm may hold spaces and parens: fields start after the last ')' */
  char *p = strrchr (buf, ')');
  if (p == NULL)
    return 0;
  p++;
  /* after ')' come: state(3) ppid(4) … starttime is field 22 → 20th token after comm */
  char state = 0;
  unsigned long long start = 0;
  char *save = NULL;
  int field = 2;
  for (char *tok = strtok_r (p, " ", &save); tok; tok = strtok_r (NULL, " ", &save))
    {
      field++;
      if (field == 3)
        state = tok[0];
      if (field == 22)
        {
          start = strtoull (tok, NULL, 10);
          break;
        }
    }
  if (state == 'Z' || state == 'X')
    return 0; /* a zombie has exited */
  return start;
}

bool
nr_state_pid_alive (const struct nr_state *s)
{
  if (s->pid <= 0)
    return false;
  unsigned long long st = nr_proc_starttime (s->pid);
  return st != 0 && st == s->pid_start;
}

enum nr_status
nr_state_status (int dirfd, const struct nr_state *s)
{
  if (!nr_state_pid_alive (s))
    return NR_STATUS_STOPPED;
  /* frozen first: a created container can be paused too, and resumes to created (runc) */
  if (s->cgroup)
    {
      struct nr_cgroup *cg = NULL;
      nr_error_t err = NULL;
      bool frozen = false;
      if (nr_cgroup_load (s->cgroup, &cg, &err) == 0 && nr_cgroup_state_frozen (cg, &frozen, &err) == 0
          && frozen)
        {
          nr_cgroup_free (cg);
          return NR_STATUS_PAUSED;
        }
      nr_cgroup_free (cg);
      nr_error_free (&err);
    }
  if (!s->started)
    {
      struct stat st;
      if (fstatat (dirfd, NR_START_SOCK, &st, 0) == 0)
        return NR_STATUS_CREATED;
    }
  return NR_STATUS_RUNNING;
}

const char *
nr_status_name (enum nr_status s)
{
  static const char *const names[] = { "creating", "created", "running", "paused", "stopped" };
  return names[s];
}

int
nr_state_open_cgroup (const struct nr_runtime *rt, const char *id, unsigned allowed, const char *what,
                      struct nr_cgroup **cg, enum nr_status *status, int *locked, nr_error_t *err)
{
  _cleanup_close_ int dirfd = -1;
  struct nr_state s = { 0 };
  int ret = -1;
  if (nr_state_open (rt->root, id, true, &dirfd, err) < 0 || nr_state_read (dirfd, &s, err) < 0)
    goto out;
  if (locked)
    *locked = dup (dirfd);
  if (locked && *locked < 0)
    {
      nr_error (err, errno, "dup");
      goto out;
    }
  enum nr_status st = nr_state_status (dirfd, &s);
  if (status)
    *status = st;
  if (!(allowed & (1u << st)))
    {
      nr_error (err, 0, "cannot %s a container that is %s", what, nr_status_name (st));
      goto out;
    }
  if (s.cgroup == NULL)
    {
      nr_error (err, 0, "container has no cgroup");
      goto out;
    }
  ret = nr_cgroup_load (s.cgroup, cg, err);
out:
  nr_state_clear (&s);
  return ret;
}
