/* SPDX-License-Identifier: Apache-2.0 */
/* Load the device program and attach it to a cgroup2 directory with
   BPF_F_ALLOW_MULTI; programs attached there before (by an earlier create or update)
   are detached only after the new one is in place, so access never widens midway. */
#include "config.h"
#include "runtime/cgroups/internal.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

static int
sys_bpf (int cmd, union bpf_attr *attr)
{
  return (int) syscall (__NR_bpf, cmd, attr, sizeof *attr);
}

static int
query_attached (int dirfd, uint32_t **ids, uint32_t *n, nr_error_t *err)
{
  union bpf_attr a;
  memset (&a, 0, sizeof a);
  a.query.target_fd = dirfd;
  a.query.attach_type = BPF_CGROUP_DEVICE;
  if (sys_bpf (BPF_PROG_QUERY, &a) < 0)
    return nr_error (err, errno, "bpf(BPF_PROG_QUERY)");
  *n = a.query.prog_cnt;
  *ids = NULL;
  if (*n == 0)
    return 0;
  *ids = calloc (*n, sizeof **ids);
  if (*ids == NULL)
    abort ();
  a.query.prog_ids = (uintptr_t) *ids;
  if (sys_bpf (BPF_PROG_QUERY, &a) < 0)
    {
      free (*ids);
      *ids = NULL;
      return nr_error (err, errno, "bpf(BPF_PROG_QUERY)");
    }
  *n = a.query.prog_cnt;
  return 0;
}

static int
prog_load (const struct bpf_insn *insns, size_t n, nr_error_t *err)
{
  static const char license[] = "Apache";
  union bpf_attr a;
  memset (&a, 0, sizeof a);
  a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  a.insns = (uintptr_t) insns;
  a.insn_cnt = (uint32_t) n;
  a.license = (uintptr_t) license;
  int fd = sys_bpf (BPF_PROG_LOAD, &a);
  if (fd < 0 && errno == EPERM)
    {
      /* kernels before 5.11 charge programs to RLIMIT_MEMLOCK; ours only, not the container's */
      struct rlimit inf = { RLIM_INFINITY, RLIM_INFINITY };
      if (setrlimit (RLIMIT_MEMLOCK, &inf) == 0)
        fd = sys_bpf (BPF_PROG_LOAD, &a);
    }
  if (fd < 0)
    return nr_error (err, errno, "bpf(BPF_PROG_LOAD) of the device program (%zu instructions)", n);
  return fd;
}

static void
detach_id (int dirfd, uint32_t id)
{
  union bpf_attr a;
  memset (&a, 0, sizeof a);
  a.prog_id = id;
  _cleanup_close_ int fd = sys_bpf (BPF_PROG_GET_FD_BY_ID, &a);
  if (fd < 0)
    {
      nr_warn ("device program %u: bpf(BPF_PROG_GET_FD_BY_ID): %s", id, strerror (errno));
      return;
    }
  memset (&a, 0, sizeof a);
  a.target_fd = dirfd;
  a.attach_bpf_fd = fd;
  a.attach_type = BPF_CGROUP_DEVICE;
  if (sys_bpf (BPF_PROG_DETACH, &a) < 0 && errno != ENOENT)
    nr_warn ("device program %u: bpf(BPF_PROG_DETACH): %s", id, strerror (errno));
}

int
nr_cg_bpf_install (int dirfd, const struct bpf_insn *insns, size_t n, nr_error_t *err)
{
  _cleanup_free_ uint32_t *old = NULL;
  uint32_t n_old = 0;
  if (query_attached (dirfd, &old, &n_old, err) < 0)
    return -1;
  _cleanup_close_ int prog = prog_load (insns, n, err);
  if (prog < 0)
    return -1;
  union bpf_attr a;
  memset (&a, 0, sizeof a);
  a.target_fd = dirfd;
  a.attach_bpf_fd = prog;
  a.attach_type = BPF_CGROUP_DEVICE;
  a.attach_flags = BPF_F_ALLOW_MULTI;
  if (sys_bpf (BPF_PROG_ATTACH, &a) < 0)
    return nr_error (err, errno, "bpf(BPF_PROG_ATTACH, BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI)");
  for (uint32_t i = 0; i < n_old; i++)
    detach_id (dirfd, old[i]);
  return 0; /* the attachment keeps the program alive once our fd is closed */
}

/* runc's canSkipEBPFError: in a user namespace, or when every rule only allows
   everything, a missing program takes nothing away. */
static bool
can_skip (const struct nr_cg_devemu *e)
{
  if (nr_cg_in_userns ())
    return true;
  return e->default_allow && e->n == 0;
}

int
nr_cg_v2_devices (const char *dir, const struct nr_cg_devemu *e, bool warn_only, nr_error_t *err)
{
  _cleanup_free_ struct bpf_insn *insns = NULL;
  size_t n = 0;
  if (nr_cg_bpf_program (e, &insns, &n, err) < 0)
    return -1;
  _cleanup_close_ int fd = open (dir, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return nr_error (err, errno, "open \"%s\"", dir);
  int r = nr_cg_seam.bpf_install ? nr_cg_seam.bpf_install (fd, insns, n, err)
                                 : nr_cg_bpf_install (fd, insns, n, err);
  if (r == 0)
    return 0;
  if (warn_only || can_skip (e))
    {
      nr_warn ("device program not attached to \"%s\" (%s)%s", dir, (*err)->msg,
               warn_only ? ": the v1 devices controller enforces the rules" : "");
      nr_error_free (err);
      return 0;
    }
  return nr_error_wrap (err, "device rules for \"%s\"", dir);
}
