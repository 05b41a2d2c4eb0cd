/* SPDX-License-Identifier: Apache-2.0 */
/* OOM notifications for `events`, as runc's libcontainer/notify_linux.go (v1) and
   notify_v2_linux.go (v2) get them, behind one pollable fd:
     v1, hybrid  an eventfd registered on memory.oom_control through
                 cgroup.event_control: the kernel signals it when the memory cgroup
                 runs out of memory, and once more when the cgroup is removed, after
                 which cgroup.event_control is gone
     v2          inotify IN_MODIFY on memory.events (oom_kill counts the kills) and on
                 cgroup.events ("populated 0": no process is left)
   runc's v2 reports an OOM on every change of memory.events once oom_kill is above
   zero (the "oom" and "max" counters that move with a kill repeat it, and so does any
   later "high" event); here each rise of oom_kill is one OOM per kill. */
#include "config.h"
#include "runtime/cgroups/internal.h"
#include "common/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

struct nr_cgroup_oom
{
  bool v2;
  int fd;            /* eventfd (v1) or inotify (v2), non-blocking */
  char *dir;         /* the memory (v1) or cgroup2 (v2) directory */
  int wd_mem, wd_cg; /* v2: the watches on memory.events and cgroup.events */
  uint64_t oom_kill; /* v2: memory.events oom_kill last seen */
  bool gone;         /* v2: found empty when opened */
};

static int
open_v1 (struct nr_cgroup_oom *o, nr_error_t *err)
{
  _cleanup_free_ char *ctl = nr_cg_join (o->dir, "memory.oom_control");
  _cleanup_close_ int cfd = open (ctl, O_RDONLY | O_CLOEXEC);
  if (cfd < 0)
    return nr_error (err, errno, "open \"%s\"", ctl);
  o->fd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (o->fd < 0)
    return nr_error (err, errno, "eventfd");
  /* the kernel keeps its own reference to memory.oom_control: cfd may close */
  return nr_cg_writef (o->dir, "cgroup.event_control", err, "%d %d", o->fd, cfd);
}

static int
watch (struct nr_cgroup_oom *o, const char *file, int *wd, nr_error_t *err)
{
  _cleanup_free_ char *path = nr_cg_join (o->dir, file);
  *wd = inotify_add_watch (o->fd, path, IN_MODIFY);
  if (*wd < 0)
    return nr_error (err, errno, "inotify_add_watch \"%s\"", path);
  return 0;
}

/* A key of a "key value" file; a missing file or key is an error. */
static int
read_keyed (const char *dir, const char *file, const char *key, uint64_t *v, nr_error_t *err)
{
  _cleanup_free_ char *text = NULL;
  if (nr_cg_read (dir, file, &text, err) < 0)
    return -1;
  if (nr_cg_keyed (text, key, v) < 0)
    return nr_error (err, EINVAL, "\"%s/%s\": no \"%s\"", dir, file, key);
  return 0;
}

static int
open_v2 (struct nr_cgroup_oom *o, nr_error_t *err)
{
  uint64_t populated = 0;
  o->fd = inotify_init1 (IN_CLOEXEC | IN_NONBLOCK);
  if (o->fd < 0)
    return nr_error (err, errno, "inotify_init1");
  /* watches first, then the values: a change in between is seen twice, never missed */
  if (watch (o, "memory.events", &o->wd_mem, err) < 0 || watch (o, "cgroup.events", &o->wd_cg, err) < 0
      || read_keyed (o->dir, "memory.events", "oom_kill", &o->oom_kill, err) < 0
      || read_keyed (o->dir, "cgroup.events", "populated", &populated, err) < 0)
    return -1;
  o->gone = populated == 0;
  return 0;
}

int
nr_cgroup_oom_open (const struct nr_cgroup *cg, struct nr_cgroup_oom **out, nr_error_t *err)
{
  const struct nr_cg_dir *d = NULL;
  if (cg && cg->mode == NR_CGROUP_V2)
    d = nr_cg_unified (cg);
  else if (cg && cg->mode != NR_CGROUP_NONE)
    d = nr_cg_find (cg, "memory");
  if (d == NULL)
    return nr_error (err, ENOTSUP, "OOM notifications: the container has no memory cgroup");
  struct nr_cgroup_oom *o = calloc (1, sizeof *o);
  if (o == NULL || (o->dir = strdup (d->path)) == NULL)
    abort ();
  o->fd = -1;
  o->v2 = cg->mode == NR_CGROUP_V2;
  if ((o->v2 ? open_v2 (o, err) : open_v1 (o, err)) < 0)
    {
      nr_cgroup_oom_free (o);
      return nr_error_wrap (err, "OOM notifications for \"%s\"", d->path);
    }
  *out = o;
  return 0;
}

int
nr_cgroup_oom_fd (const struct nr_cgroup_oom *o)
{
  return o->fd;
}

static int
read_v1 (struct nr_cgroup_oom *o, uint64_t *ooms, bool *gone, nr_error_t *err)
{
  uint64_t n = 0;
  if (read (o->fd, &n, sizeof n) != sizeof n)
    return errno == EAGAIN ? 0 : nr_error (err, errno, "read the OOM eventfd of \"%s\"", o->dir);
  /* n counts the kernel's OOM invocations (dozens for one kill, as the dying task's
     faults retry): a wake-up is one OOM, as for runc.  A removed cgroup signals once
     more, after its files are gone. */
  *gone = !nr_cg_exists (o->dir, "cgroup.event_control");
  *ooms = *gone ? 0 : 1;
  return 0;
}

/* Which watches fired: *mem, *cg; a watch the kernel dropped (IN_IGNORED) means the
   file, hence the cgroup, is gone. */
static int
drain_inotify (struct nr_cgroup_oom *o, bool *mem, bool *cg, bool *gone, nr_error_t *err)
{
  char buf[sizeof (struct inotify_event) + NAME_MAX + 1] __attribute__ ((aligned (__alignof__(struct inotify_event))));
  for (;;)
    {
      ssize_t n = read (o->fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return errno == EAGAIN ? 0 : nr_error (err, errno, "read the inotify fd of \"%s\"", o->dir);
      for (ssize_t off = 0; off + (ssize_t) sizeof (struct inotify_event) <= n;)
        {
          const struct inotify_event *ev = (const struct inotify_event *) (buf + off);
          if (ev->mask & IN_IGNORED)
            *gone = true;
          else if (ev->wd == o->wd_mem)
            *mem = true;
          else if (ev->wd == o->wd_cg)
            *cg = true;
          off += (ssize_t) (sizeof (struct inotify_event) + ev->len);
        }
    }
}

static int
read_v2 (struct nr_cgroup_oom *o, uint64_t *ooms, bool *gone, nr_error_t *err)
{
  bool mem = false, cg = false;
  uint64_t v = 0;
  nr_error_t e = NULL;
  *gone = o->gone;
  if (drain_inotify (o, &mem, &cg, gone, err) < 0)
    return -1;
  /* the kill is counted before its process leaves: OOMs first, then the end */
  if (mem && read_keyed (o->dir, "memory.events", "oom_kill", &v, &e) == 0)
    {
      *ooms += v > o->oom_kill ? v - o->oom_kill : 0;
      o->oom_kill = v;
    }
  else if (mem)
    *gone = true;
  nr_error_free (&e);
  if (cg && (read_keyed (o->dir, "cgroup.events", "populated", &v, &e) < 0 || v == 0))
    *gone = true;
  nr_error_free (&e);
  o->gone = *gone;
  return 0;
}

int
nr_cgroup_oom_read (struct nr_cgroup_oom *o, uint64_t *ooms, bool *gone, nr_error_t *err)
{
  *ooms = 0;
  *gone = false;
  return o->v2 ? read_v2 (o, ooms, gone, err) : read_v1 (o, ooms, gone, err);
}

void
nr_cgroup_oom_free (struct nr_cgroup_oom *o)
{
  if (o == NULL)
    return;
  if (o->fd >= 0)
    close (o->fd);
  free (o->dir);
  free (o);
}
