/* SPDX-License-Identifier: Apache-2.0 */
/* pause/resume (v1 freezer.state, v2 cgroup.freeze + cgroup.events), the pid list,
   and kill --all (cgroup.kill, else freeze → signal each → thaw). */
#include "config.h"
#include "runtime/cgroups/internal.h"
#include "common/cleanup.h"
#include "common/log.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void
sleep_us (long us)
{
  struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };
  nanosleep (&ts, NULL);
}

static int
read_word (const char *dir, const char *file, char *buf, size_t len, nr_error_t *err)
{
  _cleanup_free_ char *text = NULL;
  if (nr_cg_read (dir, file, &text, err) < 0)
    return -1;
  snprintf (buf, len, "%.*s", (int) strcspn (text, " \n"), text);
  return 0;
}

/* Where to freeze: the v1 freezer, else the cgroup2 directory (hybrid without a v1
   freezer has cgroup.freeze in the unified hierarchy). */
static const struct nr_cg_dir *
freezer (const struct nr_cgroup *cg, bool *v1)
{
  const struct nr_cg_dir *d = cg->mode == NR_CGROUP_V2 ? NULL : nr_cg_find (cg, "freezer");
  *v1 = d != NULL;
  return d ? d : nr_cg_unified (cg);
}

/* runc's loop: new tasks can keep a v1 cgroup in FREEZING, so write FROZEN again and
   again, with an occasional thaw and pause. */
static int
v1_freeze (const char *dir, nr_error_t *err)
{
  char state[32];
  long budget_us = (long) nr_cg_seam.poll_ms * 1000, spent = 0;
  for (int i = 0; i < 1000 && spent <= budget_us; i++)
    {
      if (i % 50 == 49)
        {
          nr_error_t e = NULL;
          nr_cg_write (dir, "freezer.state", "THAWED", &e);
          nr_error_free (&e);
          sleep_us (10000);
          spent += 10000;
        }
      if (nr_cg_write (dir, "freezer.state", "FROZEN", err) < 0)
        return -1;
      if (i % 25 == 24)
        {
          sleep_us (10);
          spent += 10;
        }
      if (read_word (dir, "freezer.state", state, sizeof state, err) < 0)
        return -1;
      if (strcmp (state, "FROZEN") == 0)
        return 0;
      if (strcmp (state, "FREEZING") != 0)
        return nr_error (err, EIO, "\"%s/freezer.state\": unexpected state %s while freezing", dir, state);
    }
  nr_error_t e = NULL;
  nr_cg_write (dir, "freezer.state", "THAWED", &e);
  nr_error_free (&e);
  return nr_error (err, EBUSY, "unable to freeze \"%s\": stuck in FREEZING", dir);
}

static int
v1_thaw (const char *dir, nr_error_t *err)
{
  char state[32];
  for (long spent = 0;; spent += 1000)
    {
      if (nr_cg_write (dir, "freezer.state", "THAWED", err) < 0
          || read_word (dir, "freezer.state", state, sizeof state, err) < 0)
        return -1;
      if (strcmp (state, "THAWED") == 0)
        return 0;
      if (spent > (long) nr_cg_seam.poll_ms * 1000)
        return nr_error (err, EBUSY, "unable to thaw \"%s\": still %s", dir, state);
      sleep_us (1000);
    }
}

static int
v2_freeze (const char *dir, bool freeze, nr_error_t *err)
{
  uint64_t frozen = 0;
  long step = 100, spent = 0;
  if (!nr_cg_exists (dir, "cgroup.freeze"))
    return nr_error (err, ENOTSUP, "cannot %s \"%s\": the kernel has no cgroup.freeze",
                     freeze ? "freeze" : "thaw", dir);
  if (nr_cg_write (dir, "cgroup.freeze", freeze ? "1" : "0", err) < 0)
    return -1;
  for (;;)
    {
      _cleanup_free_ char *events = NULL;
      if (nr_cg_read (dir, "cgroup.events", &events, err) < 0)
        return -1;
      if (nr_cg_keyed (events, "frozen", &frozen) == 0 && (frozen != 0) == freeze)
        return 0;
      if (spent > (long) nr_cg_seam.poll_ms * 1000)
        return nr_error (err, EBUSY, "\"%s\": not %s after %d ms", dir, freeze ? "frozen" : "thawed",
                         nr_cg_seam.poll_ms);
      sleep_us (step);
      spent += step;
      step = step < 20000 ? step * 2 : step;
    }
}

int
nr_cgroup_freeze (const struct nr_cgroup *cg, bool freeze, nr_error_t *err)
{
  bool v1 = false;
  const struct nr_cg_dir *d = cg ? freezer (cg, &v1) : NULL;
  int r;
  if (d == NULL)
    return nr_error (err, ENOTSUP, "cannot %s: the container has no freezer cgroup", freeze ? "pause" : "resume");
  if (v1)
    r = freeze ? v1_freeze (d->path, err) : v1_thaw (d->path, err);
  else
    r = v2_freeze (d->path, freeze, err);
  return r;
}

int
nr_cgroup_state_frozen (const struct nr_cgroup *cg, bool *frozen, nr_error_t *err)
{
  bool v1 = false;
  const struct nr_cg_dir *d = cg ? freezer (cg, &v1) : NULL;
  char state[32];
  *frozen = false;
  if (d == NULL)
    return 0;
  if (!v1)
    {
      uint64_t v = 0;
      if (!nr_cg_exists (d->path, "cgroup.freeze"))
        return 0;
      if (nr_cg_read_u64 (d->path, "cgroup.freeze", &v, err) < 0)
        return -1;
      *frozen = v != 0;
      return 0;
    }
  for (int i = 0; i < 1000; i++)
    {
      if (read_word (d->path, "freezer.state", state, sizeof state, err) < 0)
        return -1;
      if (strcmp (state, "FREEZING") != 0)
        break;
      sleep_us (1000);
    }
  if (strcmp (state, "FROZEN") != 0)
    return 0;
  /* frozen through an ancestor only is not "paused" */
  char self[8] = "1";
  nr_error_t e = NULL;
  if (read_word (d->path, "freezer.self_freezing", self, sizeof self, &e) < 0)
    nr_error_free (&e);
  *frozen = strcmp (self, "0") != 0;
  return 0;
}

/* ---- pids -------------------------------------------------------------------------- */

struct pidv
{
  pid_t *v;
  size_t n, cap;
};

static void
push (struct pidv *p, pid_t pid)
{
  if (p->n == p->cap)
    {
      p->cap = p->cap ? p->cap * 2 : 64;
      if ((p->v = realloc (p->v, p->cap * sizeof *p->v)) == NULL)
        abort ();
    }
  p->v[p->n++] = pid;
}

static int
collect (const char *dir, struct pidv *p, nr_error_t *err)
{
  _cleanup_free_ char *procs = NULL;
  if (nr_cg_read (dir, "cgroup.procs", &procs, err) < 0)
    return -1;
  for (char *s = procs, *end; *s; s = end)
    {
      long v = strtol (s, &end, 10);
      if (end == s)
        break;
      if (v > 0)
        push (p, (pid_t) v);
    }
  _cleanup_closedir_ DIR *d = opendir (dir);
  struct dirent *e;
  while (d && (e = readdir (d)))
    {
      if (e->d_type != DT_DIR || !strcmp (e->d_name, ".") || !strcmp (e->d_name, ".."))
        continue;
      _cleanup_free_ char *child = nr_cg_join (dir, e->d_name);
      if (collect (child, p, err) < 0)
        {
          if ((*err)->status != ENOENT) /* a sub-cgroup removed meanwhile */
            return -1;
          nr_error_free (err);
        }
    }
  return 0;
}

/* The hierarchy every container process is in and the freezer acts on. */
static const struct nr_cg_dir *
procs_dir (const struct nr_cgroup *cg)
{
  static const char *const order[] = { "freezer", "devices", "pids", "memory" };
  if (cg->mode == NR_CGROUP_V2)
    return nr_cg_unified (cg);
  for (size_t i = 0; i < NR_ARRAY_SIZE (order); i++)
    if (nr_cg_find (cg, order[i]))
      return nr_cg_find (cg, order[i]);
  return cg->n ? &cg->dirs[0] : NULL;
}

int
nr_cgroup_pids (const struct nr_cgroup *cg, pid_t **pids, size_t *n, nr_error_t *err)
{
  struct pidv p = { 0 };
  const struct nr_cg_dir *d = cg ? procs_dir (cg) : NULL;
  *pids = NULL;
  *n = 0;
  if (d == NULL)
    return nr_error (err, ENOTSUP, "list processes: the container has no cgroups");
  if (collect (d->path, &p, err) < 0)
    {
      free (p.v);
      return -1;
    }
  *pids = p.v;
  *n = p.n;
  return 0;
}

static int
signal_each (const struct nr_cgroup *cg, int sig, nr_error_t *err)
{
  _cleanup_free_ pid_t *pids = NULL;
  size_t n = 0;
  if (nr_cgroup_pids (cg, &pids, &n, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    if (kill (pids[i], sig) < 0 && errno != ESRCH)
      nr_warn ("kill pid %d with signal %d: %s", (int) pids[i], sig, strerror (errno));
  return 0;
}

int
nr_cgroup_kill_all (const struct nr_cgroup *cg, int sig, nr_error_t *err)
{
  const struct nr_cg_dir *u = cg ? nr_cg_unified (cg) : NULL;
  bool was_frozen = false;
  nr_error_t e = NULL;
  if (cg == NULL || cg->n == 0)
    return nr_error (err, ENOTSUP, "kill all processes: the container has no cgroups");
  if (nr_cgroup_state_frozen (cg, &was_frozen, &e) < 0)
    nr_error_free (&e);
  if (sig == SIGKILL && u && nr_cg_exists (u->path, "cgroup.kill"))
    {
      if (nr_cg_write (u->path, "cgroup.kill", "1", &e) == 0)
        {
          /* v2's freezer lets SIGKILL through; hybrid's v1 freezer holds the killed
             tasks until thawed, so a paused container would never die */
          if (was_frozen && cg->mode != NR_CGROUP_V2 && nr_cgroup_freeze (cg, false, &e) < 0)
            {
              nr_warn ("kill all processes: %s", e->msg);
              nr_error_free (&e);
            }
          return 0;
        }
      nr_debug ("%s; signalling each process instead", e->msg);
      nr_error_free (&e);
    }
  /* frozen, no task can fork past us between listing and signalling */
  if (!was_frozen && nr_cgroup_freeze (cg, true, &e) < 0)
    {
      nr_warn ("kill all processes: %s", e->msg);
      nr_error_free (&e);
    }
  int r = signal_each (cg, sig, err);
  /* a paused container stays paused, unless its processes are to die now */
  if ((!was_frozen || sig == SIGKILL) && nr_cgroup_freeze (cg, false, &e) < 0)
    {
      nr_warn ("kill all processes: %s", e->msg);
      nr_error_free (&e);
    }
  return r < 0 ? nr_error_wrap (err, "kill all processes") : 0;
}
