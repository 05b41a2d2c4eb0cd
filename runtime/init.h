/* SPDX-License-Identifier: Apache-2.0 */
/* What the container's init needs, prepared by the parent before clone. */
#ifndef NR_INIT_H
#define NR_INIT_H

#include <stdbool.h>
#include <sys/types.h>
#include "oci/config.h"
#include "runtime/container.h"

struct nr_seccomp;
struct nr_caps;

struct nr_init_ctx
{
  const struct nr_runtime *rt;
  const struct nr_create_opts *opts;
  struct oci_config *cfg;
  const char *id;
  const char *bundle;
  const char *rootfs;      /* absolute host path */
  int state_fd;            /* the locked state dir: the init must not keep the lock */
  int sync_fd;             /* child's end of the sync socketpair */
  int start_fd;            /* listening start socket */
  int console_fd;          /* connected console socket, or -1 */
  struct nr_seccomp *seccomp;
  struct nr_caps *caps;
  bool new_userns;
  bool new_netns;
  bool new_cgroupns;
  bool has_runtime_hooks;  /* prestart or createRuntime: the parent runs them */
  bool in_cgroup;          /* set by init once the parent said it is in its cgroup */
  char *exec_path;         /* resolved executable, set by init */
  int pty_slave;           /* set by init when process.terminal */
};

/* Child side: never returns. */
__attribute__ ((noreturn)) void nr_init_main (struct nr_init_ctx *ctx);

/* Child side: wait, once, until the parent has put the init in the container's cgroup
   (SYNC_PARENT_READY), then unshare the cgroup namespace.  Called before the first
   step the cgroup governs or shows: a cgroup or cgroup2 mount, device nodes (mknod
   is a devices-cgroup check), hooks, anything that forks.  The steps before it
   (hostname, loopback, keyring, the rootfs and the other mounts) overlap with the
   parent's cgroup setup. */
int nr_init_enter_cgroup (struct nr_init_ctx *ctx, nr_error_t *err);

#endif
