/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The clone/sync protocol between `nestrun create` (parent) and the container's
 * init (child), over a SOCK_SEQPACKET socketpair.  Every step is a named
 * request/acknowledge pair; an error at any point travels as SYNC_ERROR
 * (errno + message) so the parent reports why, not "exit status 1".
 *
 *   parent (nestrun create)                 child (container init)
 *   ───────────────────────                 ──────────────────────
 *   clone(new namespaces) ───────────────►  with a new user namespace: blocked in
 *   write uid_map/gid_map                   sync_wait until SYNC_PARENT_READY;
 *   create cgroup, attach child             otherwise, meanwhile: hostname,
 *                                           loopback, keyring, rootfs, mounts
 *   SYNC_PARENT_READY ───────────────────►  (awaited before the first step the
 *   write config.json                       cgroup governs: unshare cgroupns, a
 *                                           cgroup mount, a forked helper, devices)
 *                                           userns: become root, hostname, ...,
 *                                           mounts; then devices
 *                     ◄───────────────────  SYNC_RUN_HOOKS   (only with prestart /
 *   run prestart + createRuntime hooks                        createRuntime hooks)
 *   SYNC_HOOKS_DONE ─────────────────────►  createContainer hooks, pivot_root,
 *                                           masked/readonly paths, sysctl, tty,
 *                                           cwd, look up the executable
 *                     ◄───────────────────  SYNC_CREATED
 *   write state.json, pid file; exit        accept() on start.sock, then
 *                                           `nestrun start` connects:
 *                                           startContainer hooks, setuid, caps,
 *                                           seccomp, execve
 *
 *   either side, any time:  SYNC_ERROR {errno, message} — the receiver fails.
 *   When a step of the parent's fails because the init has exited (ESRCH from
 *   cgroup.procs, EPIPE), the init's queued SYNC_ERROR is the reason shown
 *   (nr_sync_pending_error).
 */
#ifndef NR_SYNC_H
#define NR_SYNC_H

#include <stdint.h>
#include "common/error.h"

enum nr_sync_msg
{
  SYNC_PARENT_READY = 1,
  SYNC_RUN_HOOKS,
  SYNC_HOOKS_DONE,
  SYNC_CREATED,
  SYNC_ERROR,
  SYNC_CHILD_PID, /* stage1 → parent: the init's pid (after joining namespaces) */
};

int nr_sync_send (int fd, enum nr_sync_msg m, int64_t arg, nr_error_t *err);
/* Send an error (child side): never fails loudly, the child exits after it. */
void nr_sync_send_error (int fd, const nr_error_t e);
/* Wait for message `want`.  A SYNC_ERROR becomes *err; EOF is "init exited". */
int nr_sync_wait (int fd, enum nr_sync_msg want, int64_t *arg, nr_error_t *err);
/* Wait for any of two messages; *got tells which. */
int nr_sync_wait2 (int fd, enum nr_sync_msg a, enum nr_sync_msg b, enum nr_sync_msg *got, nr_error_t *err);

/* The peer failed and said why, and its SYNC_ERROR is already queued on fd: take it,
   replace *err with it and return 1; 0 (and *err untouched) when none is waiting.
   For a step of ours that failed because the peer was gone. */
int nr_sync_pending_error (int fd, nr_error_t *err);

/* Wait for the peer to close its end (a close-on-exec end: the exec happened).
   A SYNC_ERROR before that becomes *err. */
int nr_sync_wait_eof (int fd, nr_error_t *err);

/* SCM_RIGHTS */
int nr_send_fd (int sock, int fd, const char *name, nr_error_t *err);
int nr_recv_fd (int sock, int *fd, nr_error_t *err);

#endif
