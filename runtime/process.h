/* SPDX-License-Identifier: Apache-2.0 */
#ifndef NR_PROCESS_H
#define NR_PROCESS_H

#include "runtime/init.h"

/* Resolve process.args[0] in the container's PATH: runc's
   `exec: "x": executable file not found in $PATH` comes from here, before created. */
int nr_process_find_executable (struct nr_init_ctx *ctx, nr_error_t *err);
/* Block until `start` connects; then startContainer hooks, user, caps, seccomp, execve. */
__attribute__ ((noreturn)) void nr_process_wait_start_and_exec (struct nr_init_ctx *ctx);

/* The final steps shared with exec: user and groups, umask, rlimits, caps, no_new_privs,
   seccomp, apparmor/selinux labels, cwd. */
struct nr_seccomp;
struct nr_caps;
int nr_process_finalize (const struct oci_process *p, struct nr_caps *caps, struct nr_seccomp *seccomp,
                         bool in_userns, nr_error_t *err);
/* process.env with HOME from the container's /etc/passwd (by uid, "/" if absent) when the
   spec doesn't set it, as runc does; the strings are p's but the HOME one. */
char **nr_process_env_with_home (const struct oci_process *p);

#endif
