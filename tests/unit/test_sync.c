/* SPDX-License-Identifier: Apache-2.0 */
/* runtime/sync: the create/init messages over a SOCK_SEQPACKET pair, an error's
   errno and text across it, and nr_sync_pending_error, which lets the parent show
   the init's reason when its own step failed because the init had already gone. */
#include <config.h>
#include "runtime/sync.h"
#include "common/cleanup.h"
#include "tests/unit/tap.h"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

static void
pair (int sp[2])
{
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
    {
      perror ("socketpair");
      exit (99);
    }
}

int
main (void)
{
  int sp[2];
  nr_error_t err = NULL;

  /* a message and its argument */
  pair (sp);
  int64_t arg = 0;
  ok (nr_sync_send (sp[0], SYNC_CHILD_PID, 4242, &err) == 0, "send child-pid");
  ok (nr_sync_wait (sp[1], SYNC_CHILD_PID, &arg, &err) == 0 && arg == 4242, "wait gets it with its argument");

  /* the wrong message names both */
  nr_sync_send (sp[0], SYNC_CREATED, 0, &err);
  ok (nr_sync_wait (sp[1], SYNC_PARENT_READY, NULL, &err) < 0, "an unexpected message fails the wait");
  like (err ? err->msg : "", "expected parent-ready, got created", "and says what was expected and what came");
  nr_error_free (&err);

  /* nothing queued: no pending error, and the error we had stays */
  nr_error (&err, ESRCH, "write cgroup.procs");
  is_int (nr_sync_pending_error (sp[1], &err), 0, "no pending error on an empty socket");
  like (err ? err->msg : "", "cgroup.procs", "our own error is kept");

  /* a queued message that is not an error is neither taken nor consumed */
  nr_sync_send (sp[0], SYNC_RUN_HOOKS, 0, NULL);
  is_int (nr_sync_pending_error (sp[1], &err), 0, "a queued run-hooks is not an error");
  like (err ? err->msg : "", "cgroup.procs", "our own error is still kept");
  enum nr_sync_msg got = 0;
  ok (nr_sync_wait2 (sp[1], SYNC_RUN_HOOKS, SYNC_CREATED, &got, NULL) == 0 && got == SYNC_RUN_HOOKS,
      "and the run-hooks is still there to be read");

  /* the peer failed, said why and is gone: its reason replaces ours */
  nr_error_t child = NULL;
  nr_error (&child, ENOENT, "bind mount source \"/no/such\"");
  nr_sync_send_error (sp[0], child);
  nr_error_free (&child);
  close (sp[0]);
  is_int (nr_sync_pending_error (sp[1], &err), 1, "a queued error is pending");
  like (err ? err->msg : "", "bind mount source \"/no/such\"", "it replaces our error");
  is_int (err ? err->status : 0, ENOENT, "with its errno");
  nr_error_free (&err);
  is_int (nr_sync_pending_error (sp[1], &err), 0, "taken once: nothing is pending after it");
  ok (err == NULL, "and *err is left alone");
  ok (nr_sync_wait (sp[1], SYNC_PARENT_READY, NULL, &err) < 0, "the closed peer is an error on wait");
  like (err ? err->msg : "", "exited before it was ready", "naming the init's exit");
  nr_error_free (&err);
  close (sp[1]);

  /* The init fails before it read SYNC_PARENT_READY: its exit with our message unread
     resets the socket, and the first recv reports ECONNRESET before the init's error. */
  pair (sp);
  nr_sync_send (sp[0], SYNC_PARENT_READY, 0, NULL);
  nr_error (&child, ENOENT, "bind mount source \"/no/such/early\"");
  nr_sync_send_error (sp[1], child);
  nr_error_free (&child);
  close (sp[1]);
  got = 0;
  ok (nr_sync_wait2 (sp[0], SYNC_RUN_HOOKS, SYNC_CREATED, &got, &err) < 0, "a reset peer: the wait fails");
  like (err ? err->msg : "", "/no/such/early", "with the error the peer sent, not the reset");
  nr_error_free (&err);
  close (sp[0]);

  pair (sp);
  nr_sync_send (sp[0], SYNC_PARENT_READY, 0, NULL);
  nr_sync_send_error (sp[1], NULL);
  close (sp[1]);
  nr_error (&err, EPIPE, "sync: send parent-ready");
  is_int (nr_sync_pending_error (sp[0], &err), 1, "a reset peer: its queued error is still pending");
  like (err ? err->msg : "", "unknown error", "and replaces ours");
  nr_error_free (&err);
  close (sp[0]);

  return done_testing ();
}
