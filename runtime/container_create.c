/* SPDX-License-Identifier: Apache-2.0 */
/* `create`: the parent side of the clone/sync protocol (see sync.h). */
#include "config.h"
#include "runtime/container.h"
#include "runtime/init.h"
#include "runtime/namespaces.h"
#include "runtime/hooks.h"
#include "runtime/state.h"
#include "runtime/sync.h"
#include "runtime/caps.h"
#include "runtime/cgroups/cgroups.h"
#include "runtime/seccomp.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/debug.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/* Everything create makes, so that a failure at any step undoes exactly what exists. */
struct create_job
{
  const struct nr_runtime *rt;
  const struct nr_create_opts *o;
  struct oci_config *cfg;
  const char *raw_config; /* config.json as read, saved in the state dir */
  size_t raw_len;
  int state_fd;
  bool state_made;
  int start_fd;
  int console_fd;
  int sync[2];
  pid_t pid;
  struct nr_cgroup *cgroup;
  char *rootfs;
  char created[64];
};

static void
job_undo (struct create_job *j)
{
  nr_error_t e = NULL;
  if (j->pid > 0)
    {
      /* cleanup_pid: a half-made container never survives */
      kill (j->pid, SIGKILL);
      while (waitpid (j->pid, NULL, 0) < 0 && errno == EINTR)
        ;
      j->pid = 0;
    }
  if (j->cgroup)
    {
      if (nr_cgroup_destroy (j->cgroup, &e) < 0)
        {
          nr_warn ("%s", e->msg);
          nr_error_free (&e);
        }
      nr_cgroup_free (j->cgroup); /* destroy removes the directories, not the handle */
      j->cgroup = NULL;
    }
  if (j->state_made)
    {
      if (nr_state_remove (j->rt->root, j->o->id, &e) < 0)
        {
          nr_warn ("%s", e->msg);
          nr_error_free (&e);
        }
      j->state_made = false;
    }
}

static void
job_close (struct create_job *j)
{
  nr_closep (&j->state_fd);
  nr_closep (&j->start_fd);
  nr_closep (&j->console_fd);
  nr_closep (&j->sync[0]);
  nr_closep (&j->sync[1]);
  nr_cgroup_free (j->cgroup);
  j->cgroup = NULL;
  free (j->rootfs);
}

static int
resolve_rootfs (struct create_job *j, nr_error_t *err)
{
  _cleanup_free_ char *joined = NULL;
  const char *p = j->cfg->root_path;
  if (p[0] != '/')
    {
      if (asprintf (&joined, "%s/%s", j->o->bundle, p) < 0)
        return nr_error (err, ENOMEM, "rootfs path");
      p = joined;
    }
  char real[PATH_MAX];
  if (realpath (p, real) == NULL)
    return nr_error (err, errno, "rootfs \"%s\"", p);
  struct stat st;
  if (stat (real, &st) < 0 || !S_ISDIR (st.st_mode))
    return nr_error (err, ENOTDIR, "rootfs \"%s\"", real);
  j->rootfs = strdup (real);
  return 0;
}

/* A listening socket bound in the state dir: `start` connects to it.  Bound by a
   relative name after fchdir, so long ids don't hit sun_path's 108 bytes. */
static int
make_start_socket (struct create_job *j, nr_error_t *err)
{
  struct sockaddr_un sun = { .sun_family = AF_UNIX };
  strcpy (sun.sun_path, NR_START_SOCK);
  int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return nr_error (err, errno, "create start socket");
  _cleanup_close_ int cwd = open (".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fchdir (j->state_fd) < 0)
    {
      close (fd);
      return nr_error (err, errno, "chdir to state directory");
    }
  int r = bind (fd, (struct sockaddr *) &sun, sizeof sun);
  int e = errno;
  if (cwd >= 0 && fchdir (cwd) < 0)
    (void) 0;
  if (r < 0 || listen (fd, 1) < 0)
    {
      close (fd);
      return nr_error (err, r < 0 ? e : errno, "bind start socket");
    }
  j->start_fd = fd;
  return 0;
}

static int
connect_console (struct create_job *j, nr_error_t *err)
{
  const char *path = j->o->console_socket;
  if (!j->cfg->process->terminal)
    {
      if (path)
        return nr_error (err, 0, "--console-socket given but process.terminal is false");
      return 0;
    }
  if (path == NULL && j->o->console_master_out == NULL)
    return nr_error (err, 0, "process.terminal is true: use --console-socket");
  if (path == NULL)
    {
      int sp[2];
      if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
        return nr_error (err, errno, "console socketpair");
      *j->o->console_master_out = sp[0]; /* the caller receives the master on it */
      j->console_fd = sp[1];
      return 0;
    }
  struct sockaddr_un sun = { .sun_family = AF_UNIX };
  if (strlen (path) >= sizeof sun.sun_path)
    return nr_error (err, ENAMETOOLONG, "console socket \"%s\"", path);
  strcpy (sun.sun_path, path);
  int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return nr_error (err, errno, "console socket");
  if (connect (fd, (struct sockaddr *) &sun, sizeof sun) < 0)
    {
      close (fd);
      return nr_error (err, errno, "connect console socket \"%s\"", path);
    }
  j->console_fd = fd;
  return 0;
}

static char *
hook_state (struct create_job *j, enum nr_status st)
{
  struct nr_container_info info = {
    .id = (char *) j->o->id,
    .pid = j->pid,
    .status = st,
    .bundle = (char *) j->o->bundle,
    .annotations = j->cfg->annotations,
  };
  return nr_container_info_json (&info, false);
}

static struct nr_state
job_state (const struct create_job *j, char *cgroup)
{
  return (struct nr_state){
    .id = (char *) j->o->id,
    .pid = j->pid,
    .pid_start = nr_proc_starttime (j->pid),
    .bundle = (char *) j->o->bundle,
    .rootfs = j->rootfs,
    .created = (char *) j->created,
    .owner = "",
    .cgroup = cgroup,
    .annotations = j->cfg->annotations,
    .systemd_cgroup = j->rt->systemd_cgroup,
    .has_userns = oci_config_ns (j->cfg, OCI_NS_USER) != NULL,
  };
}

/* nr_cgroup_config.planned: before the first mkdir, NR_CREATING_FILE names the init
   and the cgroup, so that the state dir of a create killed from here on still says
   what to kill and remove (nr_state_open's cleanup of an unfinished create). */
static int
save_creating (const struct nr_cgroup *cg, void *arg, nr_error_t *err)
{
  const struct create_job *j = arg;
  _cleanup_free_ char *cgs = nr_cgroup_serialize (cg);
  struct nr_state s = job_state (j, cgs);
  _cleanup_free_ char *buf = nr_state_serialize (&s);
  if (cgs == NULL || buf == NULL)
    return nr_error (err, ENOMEM, "serialize state");
  return nr_state_put_file (j->state_fd, NR_CREATING_FILE, buf, strlen (buf), err);
}

/* Between clone and "created": maps, cgroup, runtime hooks. */
static int
drive_child (struct create_job *j, nr_error_t *err)
{
  if (nr_ns_creates (j->cfg, OCI_NS_USER) && nr_ns_write_id_maps (j->pid, j->cfg, err) < 0)
    return -1;
  struct nr_cgroup_config cg = {
    .cgroups_path = j->cfg->cgroups_path,
    .id = j->o->id,
    .resources = j->cfg->resources,
    .devices = j->cfg->devices,
    .n_devices = j->cfg->n_devices,
    .systemd = j->rt->systemd_cgroup,
    .planned = save_creating,
    .planned_arg = j,
  };
  /* the init works on its rootfs meanwhile (sync.h); if it failed, and our step
     failed because it is gone (ESRCH from cgroup.procs, EPIPE), its reason wins */
  if (nr_cgroup_create (NR_CGROUP_ROOT, &cg, j->pid, &j->cgroup, err) < 0)
    {
      nr_sync_pending_error (j->sync[0], err);
      return -1;
    }
  nr_debug_point ("create:after-cgroup");
  if (nr_sync_send (j->sync[0], SYNC_PARENT_READY, 0, err) < 0)
    {
      nr_sync_pending_error (j->sync[0], err);
      return -1;
    }
  /* while the init finishes its rootfs */
  if (j->raw_config && nr_state_put_file (j->state_fd, NR_CONFIG_FILE, j->raw_config, j->raw_len, err) < 0)
    return -1;
  for (;;)
    {
      enum nr_sync_msg got;
      if (nr_sync_wait2 (j->sync[0], SYNC_RUN_HOOKS, SYNC_CREATED, &got, err) < 0)
        return -1;
      if (got == SYNC_CREATED)
        return 0;
      _cleanup_free_ char *st = hook_state (j, NR_STATUS_CREATING);
      if (nr_hooks_run (j->cfg, OCI_HOOK_PRESTART, st, err) < 0
          || nr_hooks_run (j->cfg, OCI_HOOK_CREATE_RUNTIME, st, err) < 0)
        return -1;
      if (nr_sync_send (j->sync[0], SYNC_HOOKS_DONE, 0, err) < 0)
        return -1;
    }
}

static int
save_state (struct create_job *j, nr_error_t *err)
{
  _cleanup_free_ char *cg = j->cgroup ? nr_cgroup_serialize (j->cgroup) : NULL;
  struct nr_state s = job_state (j, cg);
  if (nr_state_write (j->state_fd, &s, err) < 0)
    return -1;
  unlinkat (j->state_fd, NR_CREATING_FILE, 0); /* state.json names all of it now */
  if (j->o->pid_file && nr_write_pid_file (j->o->pid_file, j->pid, err) < 0)
    return -1;
  return 0;
}

static void
init_trampoline (void *arg)
{
  nr_init_main (arg);
}

int
nr_container_create (const struct nr_runtime *rt, const struct nr_create_opts *o, struct oci_config *cfg,
                     const char *raw_config, size_t raw_len, pid_t *pid_out, nr_error_t *err)
{
  struct create_job j = { .rt = rt, .o = o, .cfg = cfg, .raw_config = raw_config, .raw_len = raw_len,
                          .state_fd = -1, .start_fd = -1, .console_fd = -1, .sync = { -1, -1 } };
  struct nr_caps caps;
  struct nr_seccomp *seccomp = NULL;
  int ret = -1;

  if (cfg->process == NULL)
    return nr_error (err, 0, "config.json: \"process\" is required to create a container");
  if (oci_config_ns (cfg, OCI_NS_MOUNT) == NULL)
    return nr_error (err, 0, "config.json: a mount namespace is required (linux.namespaces has no \"mount\")");
  if (nr_state_create_dir (rt->root, o->id, &j.state_fd, err) < 0)
    return -1;
  j.state_made = true;
  nr_debug_point ("create:after-state-dir");
  nr_rfc3339_now (j.created, sizeof j.created);

  if (resolve_rootfs (&j, err) < 0 || make_start_socket (&j, err) < 0 || connect_console (&j, err) < 0)
    goto out;
  if (nr_caps_prepare (cfg->process->capabilities, &caps, err) < 0)
    goto out;
  if (cfg->seccomp && nr_seccomp_prepare (cfg->seccomp, &seccomp, err) < 0)
    goto out;
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, j.sync) < 0)
    {
      nr_error (err, errno, "sync socketpair");
      goto out;
    }

  struct nr_init_ctx ctx = {
    .rt = rt,
    .opts = o,
    .cfg = cfg,
    .id = o->id,
    .bundle = o->bundle,
    .rootfs = j.rootfs,
    .state_fd = j.state_fd,
    .sync_fd = j.sync[1],
    .start_fd = j.start_fd,
    .console_fd = j.console_fd,
    .seccomp = seccomp,
    .caps = &caps,
    .new_userns = nr_ns_creates (cfg, OCI_NS_USER),
    .new_netns = nr_ns_creates (cfg, OCI_NS_NETWORK),
    .new_cgroupns = nr_ns_creates (cfg, OCI_NS_CGROUP),
    .has_runtime_hooks = cfg->hooks.n[OCI_HOOK_PRESTART] + cfg->hooks.n[OCI_HOOK_CREATE_RUNTIME] > 0,
    .pty_slave = -1,
  };
  if (nr_ns_spawn (cfg, j.sync[0], j.sync[1], init_trampoline, &ctx, &j.pid, err) < 0)
    goto out;
  nr_debug_point ("create:after-clone");
  nr_closep (&j.sync[1]);
  nr_closep (&j.start_fd);
  nr_closep (&j.console_fd);

  if (drive_child (&j, err) < 0)
    goto out;
  nr_debug_point ("create:before-save-state");
  if (save_state (&j, err) < 0)
    goto out;
  nr_debug_point ("create:after-save-state");
  *pid_out = j.pid;
  j.pid = 0; /* handed over: from here the container outlives us */
  nr_cgroup_free (j.cgroup);
  j.cgroup = NULL;
  j.state_made = false;
  ret = 0;
out:
  if (ret < 0)
    {
      nr_error_wrap (err, "create container \"%s\"", o->id);
      job_undo (&j);
    }
  nr_seccomp_free (seccomp);
  job_close (&j);
  return ret;
}
