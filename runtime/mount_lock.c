/* SPDX-License-Identifier: Apache-2.0 */
/* Locked mounts: the "x-nestrun.locked" option.  A read-only bind is only read-only
   until a process with CAP_SYS_ADMIN over the mount namespace remounts it ("mount -o
   remount,rw,bind"), and a privileged container has exactly that.  The kernel locks
   a mount's flags (MNT_LOCK_READONLY, _NOSUID, _NODEV, _NOEXEC, _ATIME) and its child
   mounts (MNT_LOCKED: no umount, no move) when it copies them into a mount namespace
   owned by a less privileged user namespace, and a copy of a locked mount stays
   locked, whoever holds it.  So, after the config's mounts are made:

     init (container's mount ns)            helper (fork)
     ───────────────────────────            ─────────────
                                            chdir rootfs; unshare(USER|NS): every
                                            mount is copied, locked; map uid/gid 0
                     ◄────────────────────  per locked destination: open_tree(CLONE,
                                            RECURSIVE) of the copy → {errno, fd}
     umount the unlocked mount, move_mount
     the locked clone in its place

   No capability in any namespace can then make the mount writable or uncover what is
   below it (a nest can still unmount the whole locked tree, which reveals only the
   empty mount point).  Without user namespaces (disabled, or a chrooted runtime) the
   mounts stay read-only but unlocked, with a warning. */
#include "config.h"
#include "runtime/rootfs.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

/* helper → init, one per locked destination (the first may be a failed unshare) */
struct lock_reply
{
  int32_t err_no;
  char what[256]; /* the step that failed */
};

size_t
nr_mount_lock_roots (const struct oci_config *c, size_t *idx, size_t max)
{
  size_t n = 0;
  for (size_t i = 0; i < c->n_mounts && n < max; i++)
    {
      if (!c->mounts[i].locked)
        continue;
      bool below = false;
      /* a locked mount below another one is locked with it (the clone is recursive) */
      for (size_t j = 0; j < c->n_mounts && !below; j++)
        below = j != i && c->mounts[j].locked && nr_path_has_prefix (c->mounts[i].destination, c->mounts[j].destination)
                && !nr_path_has_prefix (c->mounts[j].destination, c->mounts[i].destination);
      if (!below)
        idx[n++] = i;
    }
  return n;
}

static int
send_reply (int sock, int fd, int e, const char *what)
{
  struct lock_reply r = { .err_no = e };
  struct iovec iov = { .iov_base = &r, .iov_len = sizeof r };
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } u;
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
  snprintf (r.what, sizeof r.what, "%s", what ? what : "");
  if (fd >= 0)
    {
      memset (u.buf, 0, sizeof u.buf);
      msg.msg_control = u.buf;
      msg.msg_controllen = sizeof u.buf;
      struct cmsghdr *c = CMSG_FIRSTHDR (&msg);
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_RIGHTS;
      c->cmsg_len = CMSG_LEN (sizeof (int));
      memcpy (CMSG_DATA (c), &fd, sizeof (int));
    }
  return sendmsg (sock, &msg, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

/* uid and gid 0 of the new user namespace are ours: enough to walk root's
   directories (0700 data-roots) to the destinations */
static int
map_self (uid_t uid, gid_t gid)
{
  char line[64];
  nr_error_t e = NULL;
  int n = snprintf (line, sizeof line, "0 %u 1\n", (unsigned) uid);
  int r = nr_write_file_at (AT_FDCWD, "/proc/self/uid_map", line, (size_t) n, &e);
  if (r == 0)
    r = nr_write_file_at (AT_FDCWD, "/proc/self/setgroups", "deny", 4, &e);
  n = snprintf (line, sizeof line, "0 %u 1\n", (unsigned) gid);
  if (r == 0)
    r = nr_write_file_at (AT_FDCWD, "/proc/self/gid_map", line, (size_t) n, &e);
  if (r < 0)
    errno = e->status;
  nr_error_free (&e);
  return r;
}

__attribute__ ((noreturn)) static void
helper (int sock, int root_fd, const struct oci_config *c, const size_t *idx, size_t n)
{
  uid_t uid = geteuid ();
  gid_t gid = getegid ();
  if (fchdir (root_fd) < 0)
    send_reply (sock, -1, errno, "chdir rootfs"), _exit (1);
  /* the working directory moves with us into the copy of the mount tree */
  if (unshare (CLONE_NEWUSER | CLONE_NEWNS) < 0)
    send_reply (sock, -1, errno, "unshare user and mount namespaces"), _exit (1);
  if (map_self (uid, gid) < 0)
    send_reply (sock, -1, errno, "map uid and gid 0"), _exit (1);
  send_reply (sock, -1, 0, NULL);
  for (size_t i = 0; i < n; i++)
    {
      nr_error_t e = NULL;
      _cleanup_close_ int at = nr_openat_in_root (AT_FDCWD, c->mounts[idx[i]].destination, O_PATH, 0, &e);
      if (at < 0)
        send_reply (sock, -1, e->status, "open the destination"), _exit (1);
      int tree
          = (int) syscall (SYS_open_tree, at, "", AT_EMPTY_PATH | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
      if (tree < 0)
        send_reply (sock, -1, errno, "open_tree"), _exit (1);
      if (send_reply (sock, tree, 0, NULL) < 0)
        _exit (1);
      close (tree);
    }
  _exit (0);
}

static int
recv_reply (int sock, struct lock_reply *r, int *fd)
{
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } u;
  struct iovec iov = { .iov_base = r, .iov_len = sizeof *r };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf };
  ssize_t k;
  *fd = -1;
  do
    k = recvmsg (sock, &msg, MSG_CMSG_CLOEXEC);
  while (k < 0 && errno == EINTR);
  if (k < (ssize_t) sizeof r->err_no)
    return -1;
  r->what[sizeof r->what - 1] = '\0';
  struct cmsghdr *c = CMSG_FIRSTHDR (&msg);
  if (c && c->cmsg_type == SCM_RIGHTS)
    memcpy (fd, CMSG_DATA (c), sizeof (int));
  return 0;
}

/* Put the locked clone where the unlocked mount is. */
static int
swap_in (int root_fd, const struct oci_mount *m, int tree, nr_error_t *err)
{
  char p[64];
  _cleanup_close_ int top = nr_openat_in_root (root_fd, m->destination, O_PATH, 0, err);
  if (top < 0)
    return -1;
  nr_fd_path (top, p);
  if (umount2 (p, MNT_DETACH) < 0)
    return nr_error (err, errno, "unmount \"%s\" to lock it", m->destination);
  _cleanup_close_ int under = nr_openat_in_root (root_fd, m->destination, O_PATH, 0, err);
  if (under < 0)
    return -1;
  if (syscall (SYS_move_mount, tree, "", under, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return nr_error (err, errno, "attach the locked \"%s\"", m->destination);
  if (m->propagation == 0)
    return 0;
  _cleanup_close_ int now = nr_openat_in_root (root_fd, m->destination, O_PATH, 0, err);
  if (now < 0)
    return -1;
  nr_fd_path (now, p);
  if (mount (NULL, p, NULL, m->propagation, NULL) < 0)
    return nr_error (err, errno, "set propagation of \"%s\"", m->destination);
  return 0;
}

/* errors of unshare(CLONE_NEWUSER) that mean "no user namespaces here" */
static bool
userns_unavailable (int e)
{
  return e == EPERM || e == EINVAL || e == ENOSPC || e == EUSERS || e == ENOSYS;
}

static int
receive_and_swap (int sock, int root_fd, const struct oci_config *c, const size_t *idx, size_t n, nr_error_t *err)
{
  struct lock_reply r;
  int fd;
  if (recv_reply (sock, &r, &fd) < 0)
    return nr_error (err, EPROTO, "lock mounts: the helper exited");
  if (r.err_no && userns_unavailable (r.err_no))
    {
      nr_warn ("lock mounts: %s: %s: the mounts to lock (%zu) stay as they are, unlocked (a process with "
               "CAP_SYS_ADMIN inside can make them writable)",
               r.what, strerror (r.err_no), n);
      return 0;
    }
  if (r.err_no)
    return nr_error (err, r.err_no, "lock mounts: %s", r.what);
  for (size_t i = 0; i < n; i++)
    {
      const struct oci_mount *m = &c->mounts[idx[i]];
      if (recv_reply (sock, &r, &fd) < 0)
        return nr_error (err, EPROTO, "lock mount \"%s\": the helper exited", m->destination);
      if (r.err_no || fd < 0)
        return nr_error (err, r.err_no ? r.err_no : EPROTO, "lock mount \"%s\": %s", m->destination, r.what);
      _cleanup_close_ int tree = fd;
      if (swap_in (root_fd, m, tree, err) < 0)
        return nr_error_wrap (err, "lock mount \"%s\"", m->destination);
    }
  return 0;
}

int
nr_mounts_lock (struct nr_init_ctx *ctx, int root_fd, nr_error_t *err)
{
  const struct oci_config *c = ctx->cfg;
  _cleanup_free_ size_t *idx = calloc (c->n_mounts + 1, sizeof *idx);
  if (idx == NULL)
    return nr_error (err, ENOMEM, "lock mounts");
  size_t n = nr_mount_lock_roots (c, idx, c->n_mounts);
  if (n == 0)
    return 0;
  if (nr_init_enter_cgroup (ctx, err) < 0) /* the helper is a process of the container */
    return -1;
  int sp[2];
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
    return nr_error (err, errno, "lock mounts: socketpair");
  pid_t pid = fork ();
  if (pid < 0)
    {
      int e = errno;
      close (sp[0]), close (sp[1]);
      return nr_error (err, e, "lock mounts: fork");
    }
  if (pid == 0)
    {
      close (sp[0]);
      helper (sp[1], root_fd, c, idx, n);
    }
  close (sp[1]);
  int r = receive_and_swap (sp[0], root_fd, c, idx, n, err);
  close (sp[0]);
  while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
    ;
  return r;
}
