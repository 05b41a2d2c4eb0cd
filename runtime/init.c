/* SPDX-License-Identifier: Apache-2.0 */
/* The container's init: an ordered table of steps up to "created", then a wait
   for `start`, then the final steps and execve.  Runs in the child after clone;
   every failure goes back to the parent as (errno, message) over the sync socket. */
#include "config.h"
#include "runtime/init.h"
#include "runtime/rootfs.h"
#include "runtime/process.h"
#include "runtime/hooks.h"
#include "runtime/namespaces.h"
#include "runtime/state.h"
#include "runtime/sync.h"
#include "runtime/rlimits.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef KEYCTL_JOIN_SESSION_KEYRING
#define KEYCTL_JOIN_SESSION_KEYRING 1
#endif

static int
step_die_with_parent (struct nr_init_ctx *ctx, nr_error_t *err)
{
  (void) err;
  /* die with the parent until we are created: a killed `create` leaves nothing */
  if (!nr_ns_has_joins (ctx->cfg))
    prctl (PR_SET_PDEATHSIG, SIGKILL);
  return 0;
}

int
nr_init_enter_cgroup (struct nr_init_ctx *ctx, nr_error_t *err)
{
  if (ctx->in_cgroup)
    return 0;
  if (nr_sync_wait (ctx->sync_fd, SYNC_PARENT_READY, NULL, err) < 0)
    return -1;
  ctx->in_cgroup = true;
  /* the namespace's root is the cgroup we are in when we unshare */
  if (ctx->new_cgroupns && unshare (CLONE_NEWCGROUP) < 0)
    return nr_error (err, errno, "unshare cgroup namespace");
  return 0;
}

static int
step_userns_wait (struct nr_init_ctx *ctx, nr_error_t *err)
{
  /* nothing is permitted in a new user namespace before its id maps exist, and the
     parent writes them before the cgroup: wait for both here */
  return ctx->new_userns ? nr_init_enter_cgroup (ctx, err) : 0;
}

static int
step_userns_root (struct nr_init_ctx *ctx, nr_error_t *err)
{
  if (!ctx->new_userns)
    return 0;
  if (setresgid (0, 0, 0) < 0)
    return nr_error (err, errno, "setresgid(0) in the user namespace (is gid 0 mapped?)");
  if (setresuid (0, 0, 0) < 0)
    return nr_error (err, errno, "setresuid(0) in the user namespace (is uid 0 mapped?)");
  return 0;
}

static int
step_uts (struct nr_init_ctx *ctx, nr_error_t *err)
{
  const struct oci_config *c = ctx->cfg;
  if (c->hostname && sethostname (c->hostname, strlen (c->hostname)) < 0)
    return nr_error (err, errno, "sethostname \"%s\"", c->hostname);
  if (c->domainname && setdomainname (c->domainname, strlen (c->domainname)) < 0)
    return nr_error (err, errno, "setdomainname \"%s\"", c->domainname);
  return 0;
}

static int
step_loopback (struct nr_init_ctx *ctx, nr_error_t *err)
{
  if (!ctx->new_netns)
    return 0;
  return nr_netlink_loopback_up (err);
}

static int
step_keyring (struct nr_init_ctx *ctx, nr_error_t *err)
{
  if (ctx->opts->no_new_keyring)
    return 0;
  char name[300];
  snprintf (name, sizeof name, "_ses.%s", ctx->id);
  if (syscall (SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name) < 0 && errno != ENOSYS && errno != EPERM
      && errno != EACCES && errno != EDQUOT)
    return nr_error (err, errno, "join session keyring");
  return 0;
}

static int
step_oom_score (struct nr_init_ctx *ctx, nr_error_t *err)
{
  const struct oci_process *p = ctx->cfg->process;
  if (!p->has_oom_score_adj)
    return 0;
  return nr_oom_score_adj_apply (p->oom_score_adj, err);
}

static int root_fd = -1;

static int
step_rootfs (struct nr_init_ctx *ctx, nr_error_t *err)
{
  return nr_rootfs_prepare (ctx, &root_fd, err) < 0 ? -1 : nr_mounts_setup (ctx, root_fd, err);
}

static int
step_enter_cgroup (struct nr_init_ctx *ctx, nr_error_t *err)
{
  return nr_init_enter_cgroup (ctx, err);
}

static int
step_devices (struct nr_init_ctx *ctx, nr_error_t *err)
{
  return nr_devices_setup (ctx, root_fd, err);
}

static int
step_cwd (struct nr_init_ctx *ctx, nr_error_t *err)
{
  const char *cwd = ctx->cfg->process->cwd;
  if (cwd == NULL || *cwd == '\0')
    return 0;
  int fd = nr_mkdir_in_root (root_fd, cwd, 0755, err);
  if (fd < 0)
    return nr_error_wrap (err, "process.cwd");
  close (fd);
  return 0;
}

static int
step_hooks (struct nr_init_ctx *ctx, nr_error_t *err)
{
  if (ctx->has_runtime_hooks)
    {
      if (nr_sync_send (ctx->sync_fd, SYNC_RUN_HOOKS, 0, err) < 0
          || nr_sync_wait (ctx->sync_fd, SYNC_HOOKS_DONE, NULL, err) < 0)
        return -1;
    }
  if (ctx->cfg->hooks.n[OCI_HOOK_CREATE_CONTAINER] == 0)
    return 0;
  struct nr_container_info info = { .id = (char *) ctx->id, .pid = getpid (), .status = NR_STATUS_CREATING,
                                    .bundle = (char *) ctx->bundle, .annotations = ctx->cfg->annotations };
  _cleanup_free_ char *st = nr_container_info_json (&info, false);
  return nr_hooks_run (ctx->cfg, OCI_HOOK_CREATE_CONTAINER, st, err);
}

static int
step_pivot (struct nr_init_ctx *ctx, nr_error_t *err)
{
  nr_closep (&root_fd);
  return nr_rootfs_pivot (ctx, err);
}

static int
step_finish_rootfs (struct nr_init_ctx *ctx, nr_error_t *err)
{
  /* sysctl first: /proc/sys is usually one of the read-only paths (runc's order) */
  if (nr_sysctl_apply (ctx->cfg, err) < 0)
    return -1;
  return nr_rootfs_finish (ctx, err);
}

static int
step_terminal (struct nr_init_ctx *ctx, nr_error_t *err)
{
  return nr_terminal_setup (ctx, err);
}

static int
step_find_executable (struct nr_init_ctx *ctx, nr_error_t *err)
{
  return nr_process_find_executable (ctx, err);
}

static int
step_created (struct nr_init_ctx *ctx, nr_error_t *err)
{
  /* from now on the container outlives `create` */
  prctl (PR_SET_PDEATHSIG, 0);
  if (nr_sync_send (ctx->sync_fd, SYNC_CREATED, 0, err) < 0)
    return -1;
  nr_closep (&ctx->sync_fd);
  return 0;
}

struct init_step
{
  const char *name;
  int (*run) (struct nr_init_ctx *ctx, nr_error_t *err);
};

/* The order is the protocol: read it top to bottom. */
static const struct init_step create_steps[] = {
  { "die with the parent", step_die_with_parent },
  { "wait for the user namespace's id maps", step_userns_wait },
  { "become root in the user namespace", step_userns_root },
  { "hostname and domainname", step_uts },
  { "loopback", step_loopback },
  { "session keyring", step_keyring },
  { "oom_score_adj", step_oom_score },
  { "rootfs and mounts", step_rootfs },
  { "enter the cgroup and its namespace", step_enter_cgroup },
  { "devices", step_devices },
  { "working directory", step_cwd },
  { "hooks before pivot_root", step_hooks },
  { "pivot_root", step_pivot },
  { "sysctl, masked and read-only paths", step_finish_rootfs },
  { "terminal", step_terminal },
  { "executable lookup", step_find_executable },
  { "report created", step_created },
};

static __attribute__ ((noreturn)) void
fail (struct nr_init_ctx *ctx, nr_error_t e)
{
  if (ctx->sync_fd >= 0)
    nr_sync_send_error (ctx->sync_fd, e);
  _exit (1);
}

void
nr_init_main (struct nr_init_ctx *ctx)
{
  nr_error_t err = NULL;
  /* the flock belongs to `create`, not to the container */
  nr_closep (&ctx->state_fd);
  for (size_t i = 0; i < NR_ARRAY_SIZE (create_steps); i++)
    {
      nr_debug ("init: %s", create_steps[i].name);
      if (create_steps[i].run (ctx, &err) < 0)
        fail (ctx, err);
    }
  nr_process_wait_start_and_exec (ctx);
}
