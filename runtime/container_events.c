/* SPDX-License-Identifier: Apache-2.0 */
/* events: runc's event stream (runc events.go).  One loop polls two fds:
     timerfd   every interval, the first after one interval (Go's time.Tick): a stats
               event, read from the cgroup loaded at the start, so a stopped
               container's counters keep coming while its cgroup lives, as runc's do
     OOM fd    nr_cgroup_oom_*: an oom event per OOM kill; the stream ends when it
               says the cgroup is gone (v1: removed by delete; v2: no process left)
   A stats read that fails is logged and the stream goes on (runc logs it too). */
#include "config.h"
#include "runtime/container.h"
#include "runtime/state.h"
#include "runtime/cgroups/cgroups.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/log.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

/* {"type":…,"id":…} with ,"data":… when data is not NULL (Go's omitempty). */
static char *
event_json (const char *type, const char *id, const char *data)
{
  _cleanup_free_ char *qid = nr_json_quote (id);
  char *out = NULL;
  if (qid == NULL
      || asprintf (&out, "{\"type\":\"%s\",\"id\":%s%s%s}", type, qid, data ? ",\"data\":" : "", data ? data : "") < 0)
    abort ();
  return out;
}

static int
emit (nr_event_fn fn, void *data, const char *type, const char *id, const char *payload, nr_error_t *err)
{
  _cleanup_free_ char *json = event_json (type, id, payload);
  struct nr_event ev = { .type = type, .json = json };
  return fn (&ev, data, err);
}

static int
emit_stats (const struct nr_cgroup *cg, const char *id, nr_event_fn fn, void *data, bool fatal, nr_error_t *err)
{
  struct nr_cgroup_stats st;
  _cleanup_error_ nr_error_t e = NULL;
  if (nr_cgroup_stats (cg, &st, &e) < 0)
    {
      if (fatal)
        {
          nr_error_move (err, &e);
          return -1;
        }
      nr_log (NR_LOG_ERROR, "events for container \"%s\": %s", id, e->msg);
      return 0;
    }
  _cleanup_free_ char *stats = nr_cgroup_stats_json (&st);
  nr_cgroup_stats_free (&st);
  if (stats == NULL)
    return nr_error (err, ENOMEM, "stats JSON");
  return emit (fn, data, "stats", id, stats, err);
}

/* 1: the stream is over; 0: go on. */
static int
emit_ooms (struct nr_cgroup_oom *oom, const char *id, nr_event_fn fn, void *data, nr_error_t *err)
{
  uint64_t n = 0;
  bool gone = false;
  if (nr_cgroup_oom_read (oom, &n, &gone, err) < 0)
    return -1;
  for (; n > 0; n--)
    if (emit (fn, data, "oom", id, NULL, err) < 0)
      return -1;
  return gone ? 1 : 0;
}

static int
stream (const struct nr_cgroup *cg, struct nr_cgroup_oom *oom, const char *id, const struct timespec *every,
        nr_event_fn fn, void *data, nr_error_t *err)
{
  _cleanup_close_ int tfd = timerfd_create (CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
  struct itimerspec its = { .it_interval = *every, .it_value = *every };
  if (tfd < 0 || timerfd_settime (tfd, 0, &its, NULL) < 0)
    return nr_error (err, errno, "timerfd");
  int r = emit_ooms (oom, id, fn, data, err);
  while (r == 0)
    {
      struct pollfd p[2] = { { .fd = nr_cgroup_oom_fd (oom), .events = POLLIN }, { .fd = tfd, .events = POLLIN } };
      uint64_t ticks;
      if (poll (p, 2, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          return nr_error (err, errno, "poll");
        }
      if (p[0].revents && (r = emit_ooms (oom, id, fn, data, err)) != 0)
        break;
      /* ticks missed while busy are dropped, as Go's ticker drops them */
      if (p[1].revents && read (tfd, &ticks, sizeof ticks) == sizeof ticks)
        r = emit_stats (cg, id, fn, data, false, err);
    }
  return r < 0 ? -1 : 0;
}

int
nr_container_events (const struct nr_runtime *rt, const char *id, const struct timespec *every, nr_event_fn fn,
                     void *data, nr_error_t *err)
{
  struct nr_cgroup *cg = NULL;
  struct nr_cgroup_oom *oom = NULL;
  unsigned live = NR_STATUS_BIT (CREATED) | NR_STATUS_BIT (RUNNING) | NR_STATUS_BIT (PAUSED);
  int ret = nr_state_open_cgroup (rt, id, live, "get stats of", &cg, NULL, NULL, err);
  if (ret == 0 && every == NULL)
    ret = emit_stats (cg, id, fn, data, true, err);
  else if (ret == 0 && (every->tv_sec < 0 || (every->tv_sec == 0 && every->tv_nsec <= 0)))
    ret = nr_error (err, EINVAL, "interval must be greater than 0");
  else if (ret == 0 && (ret = nr_cgroup_oom_open (cg, &oom, err)) == 0)
    ret = stream (cg, oom, id, every, fn, data, err);
  nr_cgroup_oom_free (oom);
  nr_cgroup_free (cg);
  if (ret < 0)
    nr_error_wrap (err, "events for container \"%s\"", id);
  return ret;
}
