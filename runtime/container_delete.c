/* SPDX-License-Identifier: Apache-2.0 */
/* `delete`: refuse a running container unless forced; kill, reap, poststop hooks,
   cgroup and state removal. */
#include "config.h"
#include "runtime/container.h"
#include "runtime/hooks.h"
#include "runtime/state.h"
#include "runtime/cgroups/cgroups.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/debug.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Wait for a process that may not be our child (the shim reaps it). */
static void
wait_gone (const struct nr_state *s, int timeout_ms)
{
  int pidfd = (int) syscall (SYS_pidfd_open, s->pid, 0);
  if (pidfd >= 0)
    {
      struct pollfd p = { .fd = pidfd, .events = POLLIN };
      while (poll (&p, 1, timeout_ms) < 0 && errno == EINTR)
        ;
      close (pidfd);
    }
  /* reap it if it is ours (run --keep, tests) */
  while (waitpid (s->pid, NULL, WNOHANG) < 0 && errno == EINTR)
    ;
}

static void
kill_container (const struct nr_state *s, struct nr_cgroup *cg)
{
  nr_error_t e = NULL;
  if (cg)
    {
      bool frozen = false;
      if (nr_cgroup_state_frozen (cg, &frozen, &e) == 0 && frozen)
        nr_cgroup_freeze (cg, false, &e);
      nr_error_free (&e);
      if (nr_cgroup_kill_all (cg, SIGKILL, &e) < 0)
        nr_error_free (&e);
    }
  if (nr_state_pid_alive (s))
    kill (s->pid, SIGKILL);
  wait_gone (s, 10000);
}

static void
run_poststop (const struct nr_runtime *rt, const struct nr_state *s)
{
  _cleanup_free_ char *path = NULL;
  struct oci_config *cfg = NULL;
  nr_error_t e = NULL;
  if (asprintf (&path, "%s/%s/%s", rt->root, s->id, NR_CONFIG_FILE) < 0)
    return;
  if (oci_config_parse_file (path, &cfg, &e) < 0)
    {
      nr_error_free (&e);
      return;
    }
  if (cfg->hooks.n[OCI_HOOK_POSTSTOP])
    {
      struct nr_container_info info = { .id = s->id, .pid = 0, .status = NR_STATUS_STOPPED, .bundle = s->bundle,
                                        .annotations = s->annotations };
      _cleanup_free_ char *js = nr_container_info_json (&info, false);
      nr_hooks_run_warn (cfg, OCI_HOOK_POSTSTOP, js);
    }
  oci_config_free (cfg);
}

int
nr_container_delete (const struct nr_runtime *rt, const char *id, bool force, nr_error_t *err)
{
  _cleanup_close_ int dirfd = -1;
  struct nr_state s = { 0 };
  struct nr_cgroup *cg = NULL;
  int ret = -1;

  if (nr_state_open (rt->root, id, true, &dirfd, err) < 0)
    goto out;
  if (nr_state_read (dirfd, &s, err) < 0)
    {
      /* a state file we can't read: with --force, remove what is there */
      if (!force)
        goto out;
      nr_error_free (err);
      ret = nr_state_remove (rt->root, id, err);
      goto out;
    }
  enum nr_status st = nr_state_status (dirfd, &s);
  if ((st == NR_STATUS_RUNNING || st == NR_STATUS_PAUSED) && !force)
    {
      nr_error (err, 0, "cannot delete container \"%s\" that is not stopped: %s", id, nr_status_name (st));
      goto out;
    }
  if (s.cgroup)
    {
      nr_error_t e = NULL;
      if (nr_cgroup_load (s.cgroup, &cg, &e) < 0)
        {
          nr_warn ("%s", e->msg);
          nr_error_free (&e);
        }
    }
  if (st != NR_STATUS_STOPPED)
    kill_container (&s, cg);
  else if (cg)
    {
      /* init is gone; stragglers in the cgroup (exec'd processes) are not */
      nr_error_t e = NULL;
      if (nr_cgroup_kill_all (cg, SIGKILL, &e) < 0)
        nr_error_free (&e);
    }
  nr_debug_point ("delete:after-kill");
  run_poststop (rt, &s);
  if (cg && nr_cgroup_destroy (cg, err) < 0)
    goto out;
  nr_cgroup_free (cg); /* destroy removes the directories, not the handle */
  cg = NULL;
  nr_debug_point ("delete:before-state-remove");
  ret = nr_state_remove (rt->root, id, err);
out:
  if (ret < 0)
    nr_error_wrap (err, "delete container \"%s\"", id);
  nr_cgroup_free (cg);
  nr_state_clear (&s);
  return ret;
}
