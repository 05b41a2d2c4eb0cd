/* SPDX-License-Identifier: Apache-2.0 */
/* The container's cgroups behind one interface, whatever the host mounts:
     v2      /sys/fs/cgroup is cgroup2
     v1      one cgroup v1 hierarchy per controller under /sys/fs/cgroup
     hybrid  v1 as above plus an empty cgroup2 at /sys/fs/cgroup/unified: the v1
             controllers enforce, the container also gets (and joins) a directory in
             the unified hierarchy, and the v2 device program is attached there when
             the kernel allows (runc's fs driver does the same)
     none    no cgroup mounted: create succeeds, limits are ignored with a warning
   Paths follow runc's cgroupfs driver: an absolute cgroupsPath is taken from each
   hierarchy's root; a relative one (and the default, the container id) from the
   caller's own cgroup (on v2 from its parent, as runc).  "slice:prefix:name" is a
   plain relative name unless the systemd driver is asked for, which is refused.  */
#ifndef NR_CGROUPS_H
#define NR_CGROUPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "common/error.h"
#include "oci/config.h"

#define NR_CGROUP_ROOT "/sys/fs/cgroup"

enum nr_cgroup_mode
{
  NR_CGROUP_NONE = 0,
  NR_CGROUP_V1,
  NR_CGROUP_V2,
  NR_CGROUP_HYBRID,
};

/* Opaque: the container's directories, one per hierarchy. */
struct nr_cgroup;

struct nr_cgroup_config
{
  const char *cgroups_path;               /* linux.cgroupsPath; NULL or "" = relative "<id>" */
  const char *id;                         /* container id */
  const struct oci_resources *resources;  /* NULL = no limits */
  /* linux.devices: runc's default device rules (appended after resources->devices)
     whose path is one of these are dropped, as runc's specconv does. */
  const struct oci_device *devices;
  size_t n_devices;
  bool systemd; /* --systemd-cgroup: refused (not implemented) with a clear error */
  /* Called once the directories are known and before any is made, with a handle
     whose nr_cgroup_serialize names them and the levels that do not exist yet (those
     create will make): create saves it so that a kill -9 during or after the
     mkdirs leaves the cgroup named on disk.  Failing it fails create, nothing made. */
  int (*planned) (const struct nr_cgroup *cg, void *arg, nr_error_t *err);
  void *planned_arg;
};

/* root: NR_CGROUP_ROOT (NULL means that); tests pass a fake tree. */
int nr_cgroup_detect (const char *root, enum nr_cgroup_mode *mode, nr_error_t *err);
const char *nr_cgroup_mode_name (enum nr_cgroup_mode mode); /* "none" "v1" "v2" "hybrid" */

/* The hierarchies mounted under root, as detection and create see them (one entry per
   hierarchy: the first mount of it, hidden mounts left out): what a container's
   cgroup mount shows (runtime/mounts.c).  Read the mounts first; nr_cgroup_own_dirs
   then fills in, from /proc/self/cgroup, the caller's own directory in each, once the
   caller is in the cgroup it is to show. */
struct nr_cgroup_hierarchy
{
  char *controllers; /* "memory", "cpu,cpuacct", "name=systemd"; "" = cgroup2 */
  char *mount;       /* its mount point */
  char *mount_root;  /* the mount's root within its hierarchy (mountinfo field 4) */
  char *own;         /* the caller's directory under mount; NULL until nr_cgroup_own_dirs */
};
struct nr_cgroup_hierarchies
{
  enum nr_cgroup_mode mode;
  struct nr_cgroup_hierarchy *v;
  size_t n;
};
int nr_cgroup_hierarchies_read (const char *root, struct nr_cgroup_hierarchies *out, nr_error_t *err);
int nr_cgroup_own_dirs (struct nr_cgroup_hierarchies *h, nr_error_t *err);
void nr_cgroup_hierarchies_free (struct nr_cgroup_hierarchies *h);

/* Create the directories, apply resources and device rules, then move pid in (pid 0:
   don't; use nr_cgroup_enter).  On failure nothing created is left behind. */
int nr_cgroup_create (const char *root, const struct nr_cgroup_config *cfg, pid_t pid,
                      struct nr_cgroup **out, nr_error_t *err);

/* A JSON object for state.json, and back. */
char *nr_cgroup_serialize (const struct nr_cgroup *cg);
int nr_cgroup_load (const char *json, struct nr_cgroup **out, nr_error_t *err);

enum nr_cgroup_mode nr_cgroup_get_mode (const struct nr_cgroup *cg);
/* Hierarchies, for state.json's cgroup_paths and for cgroup mounts in the container:
   controllers is "memory", "cpu,cpuacct", "name=systemd", or "" for cgroup2. */
size_t nr_cgroup_count (const struct nr_cgroup *cg);
void nr_cgroup_at (const struct nr_cgroup *cg, size_t i, const char **controllers,
                   const char **mountpoint, const char **path);
/* The container's directory for one controller ("memory"; "" = the cgroup2 one), or NULL. */
const char *nr_cgroup_path (const struct nr_cgroup *cg, const char *controller);

/* Move pid into the container's cgroups (exec).  subs (exec --cgroup, NULL-terminated,
   may be NULL): one "path" for every hierarchy, or "ctrl[,ctrl]:path" entries, each
   naming an existing sub-cgroup; a bare path among others, an unknown or empty
   controller and a hierarchy named twice are errors, before pid moves anywhere.  On v2,
   when the container's cgroup has become a non-leaf (EBUSY), pid joins init_pid's cgroup
   instead, as runc does (init_pid 0: no fallback). */
int nr_cgroup_enter (const struct nr_cgroup *cg, pid_t pid, const char *const *subs, pid_t init_pid,
                     nr_error_t *err);

/* Apply resources to a live container (update).  Device rules are re-applied only
   when resources->n_devices > 0 (with the defaults appended, as at create); on v2 the
   new program replaces the one attached before. */
int nr_cgroup_update (const struct nr_cgroup *cg, const struct oci_resources *res, nr_error_t *err);

/* Freeze or thaw, and wait until the kernel reports FROZEN / THAWED. */
int nr_cgroup_freeze (const struct nr_cgroup *cg, bool freeze, nr_error_t *err);
int nr_cgroup_state_frozen (const struct nr_cgroup *cg, bool *frozen, nr_error_t *err);

/* Every pid in the container's cgroup and its descendants (malloc'd array). */
int nr_cgroup_pids (const struct nr_cgroup *cg, pid_t **pids, size_t *n, nr_error_t *err);

/* Signal every process: cgroup.kill for SIGKILL where the kernel has it, else
   freeze, signal each, thaw (a paused container stays frozen unless sig is SIGKILL). */
int nr_cgroup_kill_all (const struct nr_cgroup *cg, int sig, nr_error_t *err);

/* Remove the container's directories (sub-cgroups first), retrying briefly on EBUSY,
   then the parents create made, while they are empty.  Does not free cg. */
int nr_cgroup_destroy (struct nr_cgroup *cg, nr_error_t *err);
void nr_cgroup_free (struct nr_cgroup *cg);

/* OOM notifications (runc's NotifyOOM), for `events`: one non-blocking fd to poll.
   v1 and hybrid: an eventfd on the memory cgroup's memory.oom_control; v2: inotify on
   memory.events and cgroup.events.  No memory cgroup: ENOTSUP. */
struct nr_cgroup_oom;
int nr_cgroup_oom_open (const struct nr_cgroup *cg, struct nr_cgroup_oom **out, nr_error_t *err);
int nr_cgroup_oom_fd (const struct nr_cgroup_oom *o);
/* What happened since the last call (nothing, when the fd is not readable): *ooms OOM
   kills, and *gone when the stream ends, as runc's does: on v1 the memory cgroup was
   removed (delete), on v2 no process is left in the cgroup (the container stopped). */
int nr_cgroup_oom_read (struct nr_cgroup_oom *o, uint64_t *ooms, bool *gone, nr_error_t *err);
void nr_cgroup_oom_free (struct nr_cgroup_oom *o);

/* Statistics in the shape of runc's types.Stats (`runc events --stats`). */
struct nr_cgroup_mem_entry
{
  uint64_t limit, usage, max, failcnt;
};

struct nr_cgroup_blkio_entry
{
  uint64_t major, minor;
  char op[16]; /* "Read", "Write", "Sync", "Async", "Discard", "Total", "" */
  uint64_t value;
};

enum nr_cgroup_blkio_kind
{
  NR_BLKIO_SERVICE_BYTES = 0, /* ioServiceBytesRecursive */
  NR_BLKIO_SERVICED,          /* ioServicedRecursive */
  NR_BLKIO_QUEUED,            /* ioQueueRecursive */
  NR_BLKIO_SERVICE_TIME,      /* ioServiceTimeRecursive */
  NR_BLKIO_WAIT_TIME,         /* ioWaitTimeRecursive */
  NR_BLKIO_MERGED,            /* ioMergedRecursive */
  NR_BLKIO_TIME,              /* ioTimeRecursive */
  NR_BLKIO_SECTORS,           /* sectorsRecursive */
  NR_BLKIO_KINDS,
};

struct nr_cgroup_hugetlb
{
  char *page_size; /* "2MB" */
  uint64_t usage, max, failcnt;
};

struct nr_cgroup_stats
{
  struct
  {
    uint64_t total, kernel, user; /* nanoseconds */
    uint64_t *percpu, *percpu_kernel, *percpu_user;
    size_t n_percpu, n_percpu_kernel, n_percpu_user;
    uint64_t periods, throttled_periods, throttled_time;
  } cpu;
  struct
  {
    uint64_t cache;
    /* swap is memory+swap, as cgroup v1 reports it (runc converts v2 the same way) */
    struct nr_cgroup_mem_entry usage, swap, kernel, kernel_tcp;
    char **raw_keys; /* memory.stat */
    uint64_t *raw_values;
    size_t n_raw;
    uint64_t oom, oom_kill; /* v2 memory.events; v1 oom_kill of memory.oom_control */
  } memory;
  struct
  {
    uint64_t *cpus, *mems; /* cpuset.cpus, cpuset.mems expanded: "0-2,4" is 0 1 2 4 */
    size_t n_cpus, n_mems;
    uint64_t cpu_exclusive, mem_hardwall, mem_exclusive, memory_migrate, memory_spread_page,
        memory_spread_slab, memory_pressure, sched_load_balance;
    int64_t sched_relax_domain_level;
  } cpuset; /* v1 only, as runc */
  struct
  {
    uint64_t current, limit; /* limit 0 = unlimited */
  } pids;
  struct
  {
    struct nr_cgroup_blkio_entry *v;
    size_t n;
  } blkio[NR_BLKIO_KINDS];
  struct nr_cgroup_hugetlb *hugetlb;
  size_t n_hugetlb;
};

int nr_cgroup_stats (const struct nr_cgroup *cg, struct nr_cgroup_stats *out, nr_error_t *err);
void nr_cgroup_stats_free (struct nr_cgroup_stats *s);
/* runc's types.Stats JSON: {"cpu":…,"cpuset":…,"memory":…,"pids":…,"blkio":…,"hugetlb":…,…} */
char *nr_cgroup_stats_json (const struct nr_cgroup_stats *s);

#endif
