/* SPDX-License-Identifier: Apache-2.0 */
/* `exec`: a process that joins every namespace of the container's init, its cgroup,
   and gets the container's seccomp, with the process spec's user, caps, rlimits.
 *
 *   nestrun exec                      stage1                     exec child
 *   ────────────                      ──────                     ──────────
 *   fork ──────────────────────────►  setns(user, …, mnt)
 *                                     fork ────────────────────►  (waits)
 *              ◄────────────────────  SYNC_CHILD_PID, exit
 *   join cgroup
 *   SYNC_PARENT_READY ──────────────────────────────────────────►  tty, finalize, execve
 *              ◄──────────────────────────────────────────────────  SYNC_ERROR, or EOF
 *                                                                  (close-on-exec) = ran
 */
#include "config.h"
#include "runtime/container.h"
#include "runtime/namespaces.h"
#include "runtime/process.h"
#include "runtime/state.h"
#include "runtime/sync.h"
#include "runtime/caps.h"
#include "runtime/seccomp.h"
#include "runtime/cgroups/cgroups.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

int
nr_container_load_config (const struct nr_runtime *rt, const char *id, struct oci_config **out, nr_error_t *err)
{
  _cleanup_free_ char *path = NULL;
  _cleanup_close_ int dirfd = -1;
  /* an unknown or invalid id is `container "x" does not exist`, not a missing file */
  if (nr_state_open (rt->root, id, false, &dirfd, err) < 0)
    return -1;
  if (asprintf (&path, "%s/%s/%s", rt->root, id, NR_CONFIG_FILE) < 0)
    return nr_error (err, ENOMEM, "config path");
  return oci_config_parse_file (path, out, err);
}

struct exec_job
{
  const struct nr_exec_opts *o;
  struct oci_config *cfg;   /* the container's */
  struct oci_process *proc; /* what to run */
  struct nr_caps caps;
  struct nr_seccomp *seccomp;
  int sync_fd;
  int console_fd;
  bool userns;
};

/* The namespaces to join: every one the container has that differs from ours. */
static int
exec_namespaces (pid_t pid, struct oci_config *ns_cfg, char paths[OCI_NS_COUNT][64])
{
  size_t n = 0;
  for (int t = 0; t < OCI_NS_COUNT; t++)
    {
      char mine[64];
      struct stat a, b;
      snprintf (paths[t], 64, "/proc/%d/ns/%s", (int) pid, nr_ns_proc_name (t));
      snprintf (mine, sizeof mine, "/proc/self/ns/%s", nr_ns_proc_name (t));
      if (stat (paths[t], &a) < 0 || stat (mine, &b) < 0)
        continue;
      if (a.st_ino == b.st_ino && a.st_dev == b.st_dev)
        continue;
      ns_cfg->namespaces[n].type = t;
      ns_cfg->namespaces[n].path = paths[t];
      n++;
    }
  ns_cfg->n_namespaces = n;
  return 0;
}

static int
make_tty (struct exec_job *j, nr_error_t *err)
{
  _cleanup_close_ int master = open ("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0)
    return nr_error (err, errno, "open /dev/ptmx");
  if (unlockpt (master) < 0)
    return nr_error (err, errno, "unlockpt");
  int slave = ioctl (master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
  if (slave < 0)
    return nr_error (err, errno, "open pty peer");
  if (j->proc->has_console_size)
    {
      struct winsize ws = { .ws_row = (unsigned short) j->proc->console_height,
                            .ws_col = (unsigned short) j->proc->console_width };
      ioctl (slave, TIOCSWINSZ, &ws);
    }
  if (nr_send_fd (j->console_fd, master, "/dev/ptmx", err) < 0)
    return -1;
  if (setsid () < 0 || ioctl (slave, TIOCSCTTY, 0) < 0)
    return nr_error (err, errno, "set controlling terminal");
  for (int i = 0; i < 3; i++)
    dup2 (slave, i);
  if (slave > 2)
    close (slave);
  return 0;
}

static void
exec_child (void *arg)
{
  struct exec_job *j = arg;
  nr_error_t err = NULL;
  _cleanup_free_ char *path = NULL;
  if (nr_sync_wait (j->sync_fd, SYNC_PARENT_READY, NULL, &err) < 0)
    _exit (1);
  _cleanup_close_ int root = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0)
    nr_error (&err, errno, "open /");
  else if (nr_find_executable_in_root (root, j->proc->args[0], oci_process_getenv (j->proc, "PATH"), j->proc->cwd,
                                       &path, &err) == 0
           && (!j->proc->terminal || make_tty (j, &err) == 0)
           && nr_process_finalize (j->proc, &j->caps, j->seccomp, j->userns, &err) == 0)
    {
      syscall (SYS_close_range, 3U + (unsigned) j->o->preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC);
      sigset_t none;
      sigemptyset (&none);
      sigprocmask (SIG_SETMASK, &none, NULL);
      execve (path, j->proc->args, nr_process_env_with_home (j->proc));
      nr_error (&err, errno, "exec \"%s\"", j->proc->args[0]);
    }
  nr_sync_send_error (j->sync_fd, err);
  _exit (127);
}

static int
connect_console (struct exec_job *j, int *keep_local, nr_error_t *err)
{
  if (!j->proc->terminal)
    return 0;
  if (j->o->console_socket == NULL)
    {
      int sp[2];
      if (j->o->console_master_out == NULL)
        return nr_error (err, 0, "process.terminal is true: use --console-socket");
      if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
        return nr_error (err, errno, "console socketpair");
      *keep_local = sp[0];
      j->console_fd = sp[1];
      return 0;
    }
  struct sockaddr_un sun = { .sun_family = AF_UNIX };
  if (strlen (j->o->console_socket) >= sizeof sun.sun_path)
    return nr_error (err, ENAMETOOLONG, "console socket \"%s\"", j->o->console_socket);
  strcpy (sun.sun_path, j->o->console_socket);
  j->console_fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (j->console_fd < 0 || connect (j->console_fd, (struct sockaddr *) &sun, sizeof sun) < 0)
    return nr_error (err, errno, "connect console socket \"%s\"", j->o->console_socket);
  return 0;
}

static int
run_exec (struct exec_job *j, struct nr_state *s, int *status, nr_error_t *err)
{
  struct oci_namespace nss[OCI_NS_COUNT];
  char paths[OCI_NS_COUNT][64];
  struct oci_config ns_cfg = { .namespaces = nss };
  struct nr_cgroup *cg = NULL;
  int sync[2] = { -1, -1 };
  int local_console = -1;
  pid_t pid = 0;
  int ret = -1;

  exec_namespaces (s->pid, &ns_cfg, paths);
  j->userns = oci_config_ns (&ns_cfg, OCI_NS_USER) != NULL;
  if (connect_console (j, &local_console, err) < 0)
    goto out;
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sync) < 0)
    {
      nr_error (err, errno, "sync socketpair");
      goto out;
    }
  j->sync_fd = sync[1];
  if (!j->o->detach)
    prctl (PR_SET_CHILD_SUBREAPER, 1);
  if (nr_ns_spawn (&ns_cfg, sync[0], sync[1], exec_child, j, &pid, err) < 0)
    goto out;
  nr_closep (&sync[1]);
  nr_closep (&j->console_fd);
  if (s->cgroup
      && (nr_cgroup_load (s->cgroup, &cg, err) < 0
          || nr_cgroup_enter (cg, pid, (const char *const *) j->o->sub_cgroups, s->pid, err) < 0))
    goto kill_out;
  if (nr_sync_send (sync[0], SYNC_PARENT_READY, 0, err) < 0)
    goto kill_out;
  /* EOF without an error message: close-on-exec closed the child's end, it runs */
  if (nr_sync_wait_eof (sync[0], err) < 0)
    goto kill_out;
  if (j->o->pid_file && nr_write_pid_file (j->o->pid_file, pid, err) < 0)
    goto kill_out;
  if (j->o->detach)
    {
      *status = 0;
      ret = 0;
      goto out;
    }
  int master = -1;
  if (local_console >= 0 && nr_recv_fd (local_console, &master, err) < 0)
    goto kill_out;
  *status = nr_container_wait_foreground (pid, master, err);
  if (master >= 0)
    close (master);
  ret = *status < 0 ? -1 : 0;
  goto out;
kill_out:
  kill (pid, SIGKILL);
  waitpid (pid, NULL, 0);
out:
  nr_closep (&sync[0]);
  nr_closep (&sync[1]);
  nr_closep (&local_console);
  nr_cgroup_free (cg);
  return ret;
}

int
nr_container_exec (const struct nr_runtime *rt, const struct nr_exec_opts *o, nr_error_t *err)
{
  _cleanup_close_ int dirfd = -1;
  struct nr_state s = { 0 };
  struct exec_job j = { .o = o, .proc = o->process, .sync_fd = -1, .console_fd = -1 };
  int status = -1;
  int ret = -1;

  if (nr_state_open (rt->root, o->id, false, &dirfd, err) < 0 || nr_state_read (dirfd, &s, err) < 0)
    goto out;
  enum nr_status st = nr_state_status (dirfd, &s);
  if (st == NR_STATUS_STOPPED || (st == NR_STATUS_PAUSED && !o->ignore_paused))
    {
      nr_error (err, 0, "cannot exec in a %s container%s", nr_status_name (st),
                st == NR_STATUS_PAUSED ? " (use --ignore-paused to override)" : "");
      goto out;
    }
  /* the lock is for the container's lifecycle, not for the exec'd process' lifetime */
  nr_closep (&dirfd);
  if (o->process == NULL || o->process->args == NULL || o->process->args[0] == NULL)
    {
      nr_error (err, 0, "process.args must not be empty");
      goto out;
    }
  if (nr_container_load_config (rt, o->id, &j.cfg, err) < 0)
    goto out;
  /* a process without capabilities gets the container's, as in runc */
  const struct oci_capabilities *caps = o->process->capabilities;
  if (caps == NULL && j.cfg->process)
    caps = j.cfg->process->capabilities;
  if (nr_caps_prepare (caps, &j.caps, err) < 0)
    goto out;
  if (j.cfg->seccomp && nr_seccomp_prepare (j.cfg->seccomp, &j.seccomp, err) < 0)
    goto out;
  if (run_exec (&j, &s, &status, err) < 0)
    goto out;
  ret = status;
out:
  if (ret < 0)
    nr_error_wrap (err, "exec in container \"%s\"", o->id);
  nr_seccomp_free (j.seccomp);
  oci_config_free (j.cfg);
  nr_state_clear (&s);
  return ret;
}
