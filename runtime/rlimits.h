/* SPDX-License-Identifier: Apache-2.0 */
/* process.rlimits and process.oomScoreAdj.  What only CAP_SYS_RESOURCE allows (an
   rlimit above the current hard limit, an oom_score_adj below the process's minimum)
   is clamped to the nearest allowed value with a warning naming what was asked and
   what was given, where runc fails (podman's RLIMIT_NOFILE, the CRI pause sandbox's
   oom_score_adj -998 on a host whose bounding set lacks CAP_SYS_RESOURCE).  Only a
   permission error is clamped; any other error is an error. */
#ifndef NR_RLIMITS_H
#define NR_RLIMITS_H

#include <stddef.h>
#include <sys/resource.h>
#include "common/error.h"
#include "oci/config.h"

/* The seam: each returns 0, or -1 with errno, like the syscalls they stand for. */
struct nr_rlimit_ops
{
  int (*getrlimit) (int resource, struct rlimit *rl);
  int (*setrlimit) (int resource, const struct rlimit *rl);
  long long (*nr_open) (void); /* fs.nr_open, or -1 when unknown */
  int (*oom_read) (int *value);
  int (*oom_write) (int value);
};

/* prlimit(2) on the calling process, /proc/sys/fs/nr_open, /proc/self/oom_score_adj */
extern const struct nr_rlimit_ops nr_rlimit_sys_ops;

int nr_rlimits_apply (const struct oci_rlimit *r, size_t n, nr_error_t *err);
int nr_rlimits_apply_ops (const struct nr_rlimit_ops *ops, const struct oci_rlimit *r, size_t n, nr_error_t *err);

/* The kernel refuses (EACCES) a value below the process's oom_score_adj_min, which only
   a CAP_SYS_RESOURCE writer sets; the lowest allowed value is found by bisection
   between the wanted and the current value (failed writes change nothing). */
int nr_oom_score_adj_apply (int wanted, nr_error_t *err);
int nr_oom_score_adj_apply_ops (const struct nr_rlimit_ops *ops, int wanted, nr_error_t *err);

#endif
