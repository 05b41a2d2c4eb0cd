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
  char *exec_path;         /* resolved executable, set by init */
  int pty_slave;           /* set by init when process.terminal */
};

/* Child side: never returns. */
__attribute__ ((noreturn)) void nr_init_main (struct nr_init_ctx *ctx);

#endif
