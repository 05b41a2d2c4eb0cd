/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"
#include "runtime/sync.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct sync_wire
{
  int32_t type;
  int32_t err_no;
  int64_t arg;
  char msg[4000];
};

static const char *
msg_name (enum nr_sync_msg m)
{
  switch (m)
    {
    case SYNC_PARENT_READY: return "parent-ready";
    case SYNC_RUN_HOOKS: return "run-hooks";
    case SYNC_HOOKS_DONE: return "hooks-done";
    case SYNC_CREATED: return "created";
    case SYNC_ERROR: return "error";
    case SYNC_CHILD_PID: return "child-pid";
    }
  return "unknown";
}

int
nr_sync_send (int fd, enum nr_sync_msg m, int64_t arg, nr_error_t *err)
{
  struct sync_wire w = { .type = m, .arg = arg };
  ssize_t r;
  do
    r = send (fd, &w, offsetof (struct sync_wire, msg), MSG_NOSIGNAL);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return nr_error (err, errno, "sync: send %s", msg_name (m));
  return 0;
}

void
nr_sync_send_error (int fd, const nr_error_t e)
{
  struct sync_wire w = { .type = SYNC_ERROR };
  if (e)
    {
      w.err_no = e->status;
      snprintf (w.msg, sizeof w.msg, "%s", e->msg ? e->msg : "");
    }
  else
    snprintf (w.msg, sizeof w.msg, "unknown error");
  size_t len = offsetof (struct sync_wire, msg) + strlen (w.msg) + 1;
  while (send (fd, &w, len, MSG_NOSIGNAL) < 0 && errno == EINTR)
    ;
}

/* recv, again after EINTR, and once more after ECONNRESET: a peer that exits with a
   message of ours unread (the init failing before it read SYNC_PARENT_READY) resets
   the socket, and the first recv reports that before what the peer sent (its
   SYNC_ERROR) and the end of the stream, which the following ones return. */
static ssize_t
sync_recv_raw (int fd, void *buf, size_t len, int flags)
{
  bool reset = false;
  for (;;)
    {
      ssize_t r = recv (fd, buf, len, flags);
      if (r >= 0 || (errno != EINTR && (errno != ECONNRESET || reset)))
        return r;
      reset = reset || errno == ECONNRESET;
    }
}

static int
sync_recv (int fd, struct sync_wire *w, int flags, nr_error_t *err)
{
  memset (w, 0, sizeof *w);
  ssize_t r = sync_recv_raw (fd, w, sizeof *w - 1, flags);
  if (r < 0)
    return nr_error (err, errno, "sync: receive");
  if (r == 0)
    return nr_error (err, 0, "container init exited before it was ready");
  if ((size_t) r < offsetof (struct sync_wire, msg))
    return nr_error (err, 0, "sync: short message (%zd bytes)", r);
  if (w->type == SYNC_ERROR)
    {
      w->msg[sizeof w->msg - 1] = '\0';
      return nr_error_from_wire (err, w->err_no, w->msg);
    }
  return 0;
}

int
nr_sync_wait (int fd, enum nr_sync_msg want, int64_t *arg, nr_error_t *err)
{
  struct sync_wire w;
  if (sync_recv (fd, &w, 0, err) < 0)
    return -1;
  if (w.type != (int32_t) want)
    return nr_error (err, 0, "sync: expected %s, got %s", msg_name (want), msg_name (w.type));
  if (arg)
    *arg = w.arg;
  return 0;
}

int
nr_sync_wait2 (int fd, enum nr_sync_msg a, enum nr_sync_msg b, enum nr_sync_msg *got, nr_error_t *err)
{
  struct sync_wire w;
  if (sync_recv (fd, &w, 0, err) < 0)
    return -1;
  if (w.type != (int32_t) a && w.type != (int32_t) b)
    return nr_error (err, 0, "sync: expected %s or %s, got %s", msg_name (a), msg_name (b), msg_name (w.type));
  *got = w.type;
  return 0;
}

int
nr_sync_pending_error (int fd, nr_error_t *err)
{
  int32_t type = 0; /* a message begins with its type: look at it, take nothing else */
  ssize_t r = sync_recv_raw (fd, &type, sizeof type, MSG_DONTWAIT | MSG_PEEK);
  if (r != (ssize_t) sizeof type || type != SYNC_ERROR)
    return 0;
  struct sync_wire w;
  nr_error_t peer = NULL;
  sync_recv (fd, &w, MSG_DONTWAIT, &peer); /* fails by design: *peer is the error it carried */
  nr_error_free (err);
  *err = peer;
  return 1;
}

int
nr_sync_wait_eof (int fd, nr_error_t *err)
{
  struct sync_wire w;
  ssize_t r = sync_recv_raw (fd, &w, sizeof w - 1, 0);
  if (r == 0)
    return 0;
  if (r < 0)
    return nr_error (err, errno, "sync: receive");
  if ((size_t) r >= offsetof (struct sync_wire, msg) && w.type == SYNC_ERROR)
    {
      ((char *) &w)[r] = '\0';
      return nr_error_from_wire (err, w.err_no, w.msg);
    }
  return nr_error (err, 0, "sync: unexpected %s", msg_name (w.type));
}

int
nr_send_fd (int sock, int fd, const char *name, nr_error_t *err)
{
  /* the data is the file's name, as runc's utils.SendFile: shims read it */
  char nul = 0;
  struct iovec iov = { .iov_base = name ? (char *) name : &nul, .iov_len = name ? strlen (name) : 1 };
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } u;
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf };
  memset (u.buf, 0, sizeof u.buf);
  struct cmsghdr *c = CMSG_FIRSTHDR (&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (c), &fd, sizeof (int));
  ssize_t r;
  do
    r = sendmsg (sock, &msg, MSG_NOSIGNAL);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return nr_error (err, errno, "send file descriptor");
  return 0;
}

int
nr_recv_fd (int sock, int *fd, nr_error_t *err)
{
  char data[256];
  struct iovec iov = { .iov_base = data, .iov_len = sizeof data };
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } u;
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf };
  ssize_t r;
  do
    r = recvmsg (sock, &msg, MSG_CMSG_CLOEXEC);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return nr_error (err, errno, "receive file descriptor");
  struct cmsghdr *c = CMSG_FIRSTHDR (&msg);
  if (c == NULL || c->cmsg_type != SCM_RIGHTS)
    return nr_error (err, 0, "receive file descriptor: none sent");
  memcpy (fd, CMSG_DATA (c), sizeof (int));
  return 0;
}
