/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the cgroup backends; not part of the runtime's interface.  The seam at the
   bottom lets unit tests run every writer against a fake tree without root. */
#ifndef NR_CGROUPS_INTERNAL_H
#define NR_CGROUPS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>
#include "runtime/cgroups/cgroups.h"

/* One hierarchy the container lives in. */
struct nr_cg_dir
{
  char *ctrls; /* "memory", "cpu,cpuacct", "name=systemd"; "" = cgroup2 */
  char *mount; /* its mount point */
  char *mroot; /* the mount's root within its hierarchy (mountinfo field 4) */
  char *path;  /* the container's directory */
  char *top;   /* the highest directory create made; NULL when path existed */
};

struct nr_cgroup
{
  enum nr_cgroup_mode mode;
  struct nr_cg_dir *dirs;
  size_t n;
};

/* A cgroup mount under the root, from mountinfo. */
struct nr_cg_mount
{
  char *ctrls;  /* as nr_cg_dir.ctrls */
  char *mount;  /* mount point */
  char *mroot;  /* the mount's root within its hierarchy (mountinfo field 4) */
};

struct nr_cg_mounts
{
  enum nr_cgroup_mode mode;
  struct nr_cg_mount *v;
  size_t n;
};

/* mounts.c: detection and paths */
int nr_cg_parse_mountinfo (const char *text, const char *root, struct nr_cg_mounts *out, nr_error_t *err);
int nr_cg_read_mounts (const char *root, struct nr_cg_mounts *out, nr_error_t *err);
void nr_cg_mounts_free (struct nr_cg_mounts *m);
/* The cleaned cgroupsPath: "/a/b" (absolute) or "a/b" (relative); errors for the
   systemd form with systemd set, and for paths naming the root. */
int nr_cg_inner_path (const char *cgroups_path, const char *id, bool systemd, char **out, nr_error_t *err);
/* The calling process's cgroup in hierarchy m, as a path under m->mount, from the
   text of /proc/self/cgroup. */
char *nr_cg_own_dir (const struct nr_cg_mount *m, const char *proc_cgroup);
/* The container's directory in m for the cleaned inner path. */
int nr_cg_container_dir (const struct nr_cg_mount *m, enum nr_cgroup_mode mode, const char *inner,
                         const char *proc_cgroup, char **out, nr_error_t *err);
bool nr_cg_ctrls_has (const char *ctrls, const char *ctrl);

/* util.c: files */
char *nr_cg_join (const char *dir, const char *file); /* aborts on ENOMEM */
int nr_cg_write (const char *dir, const char *file, const char *value, nr_error_t *err);
int nr_cg_writef (const char *dir, const char *file, nr_error_t *err, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));
/* 1 written, 0 the file does not exist, < 0 error. */
int nr_cg_write_opt (const char *dir, const char *file, const char *value, nr_error_t *err);
bool nr_cg_exists (const char *dir, const char *file);
int nr_cg_read (const char *dir, const char *file, char **out, nr_error_t *err);
/* A single number; "max" reads as UINT64_MAX. */
int nr_cg_read_u64 (const char *dir, const char *file, uint64_t *out, nr_error_t *err);
/* "key value" lines: 0 found, -1 not. */
int nr_cg_keyed (const char *text, const char *key, uint64_t *out);
int nr_cg_parse_u64 (const char *s, uint64_t *out);
const struct nr_cg_dir *nr_cg_find (const struct nr_cgroup *cg, const char *ctrl);
/* The v2 directory (pure v2, or the unified one in hybrid), or NULL. */
const struct nr_cg_dir *nr_cg_unified (const struct nr_cgroup *cg);
/* Write pid to dir/cgroup.procs. */
int nr_cg_attach (const char *dir, pid_t pid, nr_error_t *err);
/* Not in the initial user namespace (devices rules cannot be applied there). */
bool nr_cg_in_userns (void);

/* devices.c: rules, the v1 emulator and the v2 program */
#define NR_DEV_R 1u
#define NR_DEV_W 2u
#define NR_DEV_M 4u
#define NR_DEV_RWM 7u

struct nr_cg_devrule
{
  char type; /* 'a', 'c', 'b' */
  int64_t major, minor; /* -1 = any */
  unsigned access;      /* NR_DEV_* */
  bool allow;
};

struct nr_cg_devemu
{
  bool default_allow;
  struct nr_cg_devrule *v; /* exceptions, action = !default_allow */
  size_t n;
};

/* resources->devices, then runc's defaults (minus those whose path is in devs). */
int nr_cg_devrules_build (const struct oci_resources *r, const struct oci_device *devs, size_t n_devs,
                          struct nr_cg_devrule **out, size_t *n, nr_error_t *err);
int nr_cg_devemu_apply (struct nr_cg_devemu *e, const struct nr_cg_devrule *rules, size_t n, nr_error_t *err);
/* From the text of devices.list. */
int nr_cg_devemu_from_list (struct nr_cg_devemu *e, const char *list, nr_error_t *err);
void nr_cg_devemu_free (struct nr_cg_devemu *e);
bool nr_cg_devemu_equal (const struct nr_cg_devemu *a, const struct nr_cg_devemu *b);
/* The least disruptive rules that take a v1 cgroup from src to dst. */
int nr_cg_devemu_transition (const struct nr_cg_devemu *src, const struct nr_cg_devemu *dst,
                             struct nr_cg_devrule **out, size_t *n);
/* "c 1:3 rwm", "a *:* rwm" */
void nr_cg_devrule_str (const struct nr_cg_devrule *r, char buf[static 64]);
/* v1: write the transition to devices.allow / devices.deny and check devices.list. */
int nr_cg_v1_devices (const char *dir, const struct nr_cg_devemu *target, nr_error_t *err);
/* The BPF_PROG_TYPE_CGROUP_DEVICE program for an emulated rule set. */
int nr_cg_bpf_program (const struct nr_cg_devemu *e, struct bpf_insn **out, size_t *n, nr_error_t *err);

/* bpf.c: load the program and attach it to dirfd, detaching what was attached before. */
int nr_cg_bpf_install (int dirfd, const struct bpf_insn *insns, size_t n, nr_error_t *err);
/* Apply device rules to a cgroup2 directory; warn_only for hybrid. */
int nr_cg_v2_devices (const char *dir, const struct nr_cg_devemu *e, bool warn_only, nr_error_t *err);

/* v1.c, v2.c: resources (devices apart) */
int nr_cg_v1_apply (const struct nr_cgroup *cg, const struct oci_resources *r, nr_error_t *err);
int nr_cg_v2_apply (const char *dir, const struct oci_resources *r, nr_error_t *err);
/* v1 cpuset: fill empty cpuset.cpus/mems from the parent, mount down to dir. */
int nr_cg_v1_cpuset_init (const char *mount, const char *dir, nr_error_t *err);
/* v2: enable in dir's cgroup.subtree_control what its cgroup.controllers offers (best effort). */
void nr_cg_v2_enable_controllers (const char *dir);
uint64_t nr_cg_shares_to_weight (uint64_t shares);
uint64_t nr_cg_blkio_to_io_weight (uint64_t weight);
/* runc's ConvertMemorySwapToCgroupV2Value: *out -1 = "max", 0 = leave alone. */
int nr_cg_swap_v2 (int64_t swap, int64_t limit, int64_t *out, nr_error_t *err);

/* stats.c */
int nr_cg_stats_v1 (const struct nr_cgroup *cg, struct nr_cgroup_stats *s, nr_error_t *err);
int nr_cg_stats_v2 (const char *dir, struct nr_cgroup_stats *s, nr_error_t *err);

/* The seam: production values by default; tests point them at a fake tree. */
struct nr_cg_seam
{
  const char *mountinfo;   /* "/proc/self/mountinfo" */
  const char *self_cgroup; /* "/proc/self/cgroup" */
  const char *systemd_dir; /* "/run/systemd/system": exists when systemd is PID 1 */
  /* A new directory was made (fake trees fill it with the kernel's files). */
  void (*on_mkdir) (const char *path);
  /* Every successful write, in order. */
  void (*on_write) (const char *path, const char *value);
  /* Replaces nr_cg_bpf_install when set. */
  int (*bpf_install) (int dirfd, const struct bpf_insn *insns, size_t n, nr_error_t *err);
  bool fake_fs; /* devices.list does not follow writes: skip the v1 re-read check */
  int poll_ms;  /* freeze wait and rmdir retries: total budget in milliseconds */
};
extern struct nr_cg_seam nr_cg_seam;

#endif
