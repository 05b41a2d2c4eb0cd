/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"
#include "runtime/namespaces.h"
#include "runtime/sync.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const int ns_flags[OCI_NS_COUNT] = {
  [OCI_NS_PID] = CLONE_NEWPID,       [OCI_NS_NETWORK] = CLONE_NEWNET, [OCI_NS_MOUNT] = CLONE_NEWNS,
  [OCI_NS_IPC] = CLONE_NEWIPC,       [OCI_NS_UTS] = CLONE_NEWUTS,     [OCI_NS_USER] = CLONE_NEWUSER,
  [OCI_NS_CGROUP] = CLONE_NEWCGROUP, [OCI_NS_TIME] = CLONE_NEWTIME,
};

static const char *const ns_proc[OCI_NS_COUNT] = {
  [OCI_NS_PID] = "pid", [OCI_NS_NETWORK] = "net",   [OCI_NS_MOUNT] = "mnt", [OCI_NS_IPC] = "ipc",
  [OCI_NS_UTS] = "uts", [OCI_NS_USER] = "user",     [OCI_NS_CGROUP] = "cgroup", [OCI_NS_TIME] = "time",
};

/* Join order: the user namespace first (it grants the rights to join the others),
   the mount namespace last (paths stop resolving on the host once we are in it). */
static const enum oci_ns_type join_order[] = {
  OCI_NS_USER, OCI_NS_IPC, OCI_NS_UTS, OCI_NS_NETWORK, OCI_NS_PID, OCI_NS_CGROUP, OCI_NS_TIME, OCI_NS_MOUNT,
};

int nr_ns_flag (enum oci_ns_type t) { return ns_flags[t]; }
const char *nr_ns_proc_name (enum oci_ns_type t) { return ns_proc[t]; }

bool
nr_ns_creates (const struct oci_config *c, enum oci_ns_type t)
{
  const struct oci_namespace *ns = oci_config_ns (c, t);
  return ns && ns->path == NULL;
}

int
nr_ns_clone_flags (const struct oci_config *c)
{
  int flags = 0;
  for (size_t i = 0; i < c->n_namespaces; i++)
    {
      enum oci_ns_type t = c->namespaces[i].type;
      if (c->namespaces[i].path == NULL && t != OCI_NS_CGROUP && t != OCI_NS_TIME)
        flags |= ns_flags[t];
    }
  return flags;
}

bool
nr_ns_has_joins (const struct oci_config *c)
{
  for (size_t i = 0; i < c->n_namespaces; i++)
    if (c->namespaces[i].path)
      return true;
  return nr_ns_creates (c, OCI_NS_TIME);
}

static int
write_time_offsets (const struct oci_config *c, nr_error_t *err)
{
  char buf[256];
  int n = 0;
  if (c->time_monotonic.set)
    n += snprintf (buf + n, sizeof buf - n, "monotonic %lld %u\n", (long long) c->time_monotonic.secs,
                   c->time_monotonic.nanosecs);
  if (c->time_boottime.set)
    n += snprintf (buf + n, sizeof buf - n, "boottime %lld %u\n", (long long) c->time_boottime.secs,
                   c->time_boottime.nanosecs);
  if (n == 0)
    return 0;
  /* the kernel takes one offset per write */
  for (char *line = buf, *nl; *line; line = nl + 1)
    {
      nl = strchr (line, '\n');
      if (nr_write_file ("/proc/self/timens_offsets", line, nl - line + 1, 0, err) < 0)
        return nr_error_wrap (err, "set time namespace offsets");
    }
  return 0;
}

/* Enter every namespace given by path, then create a new time namespace if asked. */
static int
join_namespaces (const struct oci_config *c, nr_error_t *err)
{
  int fds[OCI_NS_COUNT];
  for (int i = 0; i < OCI_NS_COUNT; i++)
    fds[i] = -1;
  int ret = 0;
  for (size_t i = 0; i < c->n_namespaces; i++)
    {
      const struct oci_namespace *ns = &c->namespaces[i];
      if (ns->path == NULL)
        continue;
      fds[ns->type] = open (ns->path, O_RDONLY | O_CLOEXEC);
      if (fds[ns->type] < 0)
        {
          ret = nr_error (err, errno, "open %s namespace \"%s\"", oci_ns_name (ns->type), ns->path);
          goto close_fds;
        }
    }
  for (size_t i = 0; i < NR_ARRAY_SIZE (join_order); i++)
    {
      enum oci_ns_type t = join_order[i];
      if (fds[t] < 0)
        continue;
      if (setns (fds[t], ns_flags[t]) < 0)
        {
          ret = nr_error (err, errno, "setns %s namespace \"%s\"", oci_ns_name (t), oci_config_ns (c, t)->path);
          goto close_fds;
        }
    }
  if (nr_ns_creates (c, OCI_NS_TIME))
    {
      if (unshare (CLONE_NEWTIME) < 0)
        {
          ret = nr_error (err, errno, "unshare time namespace");
          goto close_fds;
        }
      ret = write_time_offsets (c, err);
    }
close_fds:
  for (int i = 0; i < OCI_NS_COUNT; i++)
    if (fds[i] >= 0)
      close (fds[i]);
  return ret;
}

static pid_t
clone_child (int flags)
{
  return (pid_t) syscall (SYS_clone, (unsigned long) (flags | SIGCHLD), NULL, NULL, NULL, NULL);
}

int
nr_ns_spawn (const struct oci_config *c, int sync_fd_parent, int sync_fd_child, void (*fn) (void *), void *arg,
             pid_t *pid, nr_error_t *err)
{
  int flags = nr_ns_clone_flags (c);

  if (!nr_ns_has_joins (c))
    {
      pid_t p = clone_child (flags);
      if (p < 0)
        return nr_error (err, errno, "clone container init");
      if (p == 0)
        {
          close (sync_fd_parent);
          fn (arg);
          _exit (1);
        }
      *pid = p;
      return 0;
    }

  /* stage1: join, then clone the init, report its pid, exit. */
  pid_t stage1 = fork ();
  if (stage1 < 0)
    return nr_error (err, errno, "fork");
  if (stage1 == 0)
    {
      nr_error_t e = NULL;
      close (sync_fd_parent);
      if (join_namespaces (c, &e) < 0)
        {
          nr_sync_send_error (sync_fd_child, e);
          _exit (1);
        }
      pid_t p = clone_child (flags);
      if (p < 0)
        {
          nr_error (&e, errno, "clone container init");
          nr_sync_send_error (sync_fd_child, e);
          _exit (1);
        }
      if (p == 0)
        {
          fn (arg);
          _exit (1);
        }
      /* clone returns the pid in our own pid namespace, the runtime's: setns(pid)
         moves only children, never the caller. */
      if (nr_sync_send (sync_fd_child, SYNC_CHILD_PID, p, &e) < 0)
        _exit (1);
      _exit (0);
    }
  int64_t child = 0;
  int status = 0;
  int r = nr_sync_wait (sync_fd_parent, SYNC_CHILD_PID, &child, err);
  while (waitpid (stage1, &status, 0) < 0 && errno == EINTR)
    ;
  if (r < 0)
    return -1;
  *pid = (pid_t) child;
  return 0;
}

static int
write_map (pid_t pid, const char *file, const struct oci_id_mapping *m, size_t n, nr_error_t *err)
{
  char path[64];
  _cleanup_free_ char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&buf, &len);
  if (f == NULL)
    return nr_error (err, errno, "%s", file);
  for (size_t i = 0; i < n; i++)
    fprintf (f, "%u %u %u\n", m[i].container_id, m[i].host_id, m[i].size);
  fclose (f);
  snprintf (path, sizeof path, "/proc/%d/%s", (int) pid, file);
  _cleanup_close_ int fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return nr_error (err, errno, "open \"%s\"", path);
  if (write (fd, buf, len) != (ssize_t) len)
    return nr_error (err, errno, "write %s \"%.*s\"", file, (int) (len ? len - 1 : 0), buf);
  return 0;
}

int
nr_ns_write_id_maps (pid_t pid, const struct oci_config *c, nr_error_t *err)
{
  if (write_map (pid, "uid_map", c->uid_mappings, c->n_uid_mappings, err) < 0)
    return -1;
  return write_map (pid, "gid_map", c->gid_mappings, c->n_gid_mappings, err);
}
