/* SPDX-License-Identifier: Apache-2.0 */
/* config.json parsed into our own structs (runtime/ never sees JSON).
   Field names follow the OCI runtime spec v1.3.0.  All strings are owned. */
#ifndef NR_OCI_CONFIG_H
#define NR_OCI_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "common/error.h"

struct oci_rlimit
{
  char *type; /* "RLIMIT_NOFILE" */
  int resource;
  uint64_t hard, soft;
};

struct oci_capabilities
{
  /* NULL-terminated cap names ("CAP_CHOWN"); NULL = set absent (empty) */
  char **bounding, **effective, **inheritable, **permitted, **ambient;
};

struct oci_user
{
  uint32_t uid, gid;
  bool has_umask;
  uint32_t umask;
  uint32_t *additional_gids;
  size_t n_additional_gids;
  char *username; /* windows only; ignored */
};

struct oci_io_priority
{
  bool set;
  char *class_; /* IOPRIO_CLASS_RT|BE|IDLE */
  int priority;
};

struct oci_scheduler
{
  bool set;
  char *policy;
  int nice, priority;
  char **flags;
  uint64_t runtime, deadline, period;
};

struct oci_process
{
  bool terminal;
  bool has_console_size;
  uint32_t console_height, console_width;
  struct oci_user user;
  char **args;
  char *command_line; /* windows */
  char **env;
  char *cwd;
  struct oci_capabilities *capabilities; /* NULL = absent */
  struct oci_rlimit *rlimits;
  size_t n_rlimits;
  bool no_new_privileges;
  char *apparmor_profile;
  bool has_oom_score_adj;
  int oom_score_adj;
  char *selinux_label;
  struct oci_io_priority io_priority;
  struct oci_scheduler scheduler;
  char **exec_cpu_affinity_initial;
  char *exec_cpu_affinity_initial_s, *exec_cpu_affinity_final_s;
};

struct oci_mount
{
  char *destination;
  char *type;
  char *source;
  char **options;
  /* computed from options */
  unsigned long flags;       /* MS_* to set */
  unsigned long clear_flags; /* MS_* explicitly cleared (rw, suid, …) */
  unsigned long propagation; /* MS_SHARED|MS_SLAVE|MS_PRIVATE|MS_UNBINDABLE (+MS_REC) */
  uint64_t attr_set, attr_clr; /* MOUNT_ATTR_* for recursive options (rro, rnosuid…) */
  bool recursive_attrs;
  bool bind, rbind;
  bool idmap; /* "idmap"/"ridmap": refused unless supported */
  char *data; /* fs-specific options joined with ',' */
  char **uid_mappings_raw; /* unused; idmapped mounts not supported */
  bool tmpcopyup;       /* "tmpcopyup": copy the destination's contents into the new tmpfs */
  bool locked;          /* "x-nestrun.locked": flags and sub-mounts locked (runtime/mount_lock.c) */
  bool has_id_mappings; /* uidMappings/gidMappings given: refused (idmapped mounts) */
};

struct oci_id_mapping
{
  uint32_t container_id, host_id, size;
};

enum oci_ns_type
{
  OCI_NS_PID = 0,
  OCI_NS_NETWORK,
  OCI_NS_MOUNT,
  OCI_NS_IPC,
  OCI_NS_UTS,
  OCI_NS_USER,
  OCI_NS_CGROUP,
  OCI_NS_TIME,
  OCI_NS_COUNT,
};

struct oci_namespace
{
  enum oci_ns_type type;
  char *path; /* NULL: create */
};

struct oci_device
{
  char type; /* 'c', 'b', 'u', 'p' */
  char *path;
  int64_t major, minor;
  bool has_file_mode, has_uid, has_gid;
  uint32_t file_mode, uid, gid;
  bool has_major, has_minor; /* required unless type is 'p' */
};

struct oci_device_cgroup
{
  bool allow;
  char type;   /* 'a', 'c', 'b' */
  int64_t major, minor; /* -1 = wildcard */
  char *access; /* "rwm" */
};

struct oci_weight_device
{
  int64_t major, minor;
  bool has_weight, has_leaf_weight;
  uint16_t weight, leaf_weight;
};

struct oci_throttle_device
{
  int64_t major, minor;
  uint64_t rate;
};

struct oci_hugepage_limit
{
  char *page_size; /* "2MB" */
  uint64_t limit;
};

struct oci_kv
{
  char *key, *value;
};

/* Every numeric resource is "present?" + value, so absent fields are left alone. */
#define OCI_OPT(type, name) \
  bool has_##name;          \
  type name

struct oci_resources
{
  struct oci_device_cgroup *devices;
  size_t n_devices;
  /* memory */
  OCI_OPT (int64_t, mem_limit);
  OCI_OPT (int64_t, mem_reservation);
  OCI_OPT (int64_t, mem_swap);
  OCI_OPT (int64_t, mem_kernel);
  OCI_OPT (int64_t, mem_kernel_tcp);
  OCI_OPT (uint64_t, mem_swappiness);
  OCI_OPT (bool, mem_disable_oom_killer);
  OCI_OPT (bool, mem_use_hierarchy);
  OCI_OPT (bool, mem_check_before_update);
  /* cpu */
  OCI_OPT (uint64_t, cpu_shares);
  OCI_OPT (int64_t, cpu_quota);
  OCI_OPT (uint64_t, cpu_burst);
  OCI_OPT (uint64_t, cpu_period);
  OCI_OPT (int64_t, cpu_realtime_runtime);
  OCI_OPT (uint64_t, cpu_realtime_period);
  char *cpu_cpus;
  char *cpu_mems;
  OCI_OPT (int64_t, cpu_idle);
  /* pids */
  OCI_OPT (int64_t, pids_limit);
  /* blockio */
  OCI_OPT (uint16_t, blkio_weight);
  OCI_OPT (uint16_t, blkio_leaf_weight);
  struct oci_weight_device *blkio_weight_devices;
  size_t n_blkio_weight_devices;
  struct oci_throttle_device *blkio_throttle[4]; /* read bps, write bps, read iops, write iops */
  size_t n_blkio_throttle[4];
  /* hugetlb */
  struct oci_hugepage_limit *hugepage_limits;
  size_t n_hugepage_limits;
  /* network (v1 net_cls/net_prio) */
  OCI_OPT (uint32_t, net_class_id);
  struct oci_kv *net_priorities; /* key = interface, value = priority as string */
  size_t n_net_priorities;
  /* rdma: not supported, refused if present */
  bool has_rdma;
  /* unified (cgroup v2 files) */
  struct oci_kv *unified;
  size_t n_unified;
};

enum oci_blkio_throttle
{
  OCI_THROTTLE_READ_BPS = 0,
  OCI_THROTTLE_WRITE_BPS,
  OCI_THROTTLE_READ_IOPS,
  OCI_THROTTLE_WRITE_IOPS,
};

struct oci_seccomp_arg
{
  uint32_t index;
  uint64_t value, value_two;
  char *op; /* SCMP_CMP_* */
};

struct oci_seccomp_syscall
{
  char **names;
  char *action;
  bool has_errno_ret;
  uint32_t errno_ret;
  struct oci_seccomp_arg *args;
  size_t n_args;
};

struct oci_seccomp
{
  char *default_action;
  bool has_default_errno_ret;
  uint32_t default_errno_ret;
  char **architectures;
  char **flags;
  char *listener_path;
  char *listener_metadata;
  struct oci_seccomp_syscall *syscalls;
  size_t n_syscalls;
};

struct oci_hook
{
  char *path;
  char **args;
  char **env;
  bool has_timeout;
  int timeout;
};

enum oci_hook_kind
{
  OCI_HOOK_PRESTART = 0,
  OCI_HOOK_CREATE_RUNTIME,
  OCI_HOOK_CREATE_CONTAINER,
  OCI_HOOK_START_CONTAINER,
  OCI_HOOK_POSTSTART,
  OCI_HOOK_POSTSTOP,
  OCI_HOOK_KIND_COUNT,
};

struct oci_hooks
{
  struct oci_hook *hooks[OCI_HOOK_KIND_COUNT];
  size_t n[OCI_HOOK_KIND_COUNT];
};

struct oci_time_offset
{
  bool set;
  int64_t secs;
  uint32_t nanosecs;
};

struct oci_config
{
  char *oci_version;
  char *root_path;
  bool root_readonly;
  struct oci_process *process; /* NULL allowed for create? no: required on Linux for create */
  char *hostname;
  char *domainname;
  struct oci_mount *mounts;
  size_t n_mounts;
  struct oci_hooks hooks;
  char **annotations; /* key, value, key, value, …, NULL */

  /* linux */
  bool has_linux;
  struct oci_namespace *namespaces;
  size_t n_namespaces;
  struct oci_id_mapping *uid_mappings, *gid_mappings;
  size_t n_uid_mappings, n_gid_mappings;
  struct oci_time_offset time_monotonic, time_boottime;
  struct oci_device *devices;
  size_t n_devices;
  char *cgroups_path;
  struct oci_resources *resources; /* NULL = absent */
  char *rootfs_propagation;
  unsigned long rootfs_propagation_flags;
  struct oci_seccomp *seccomp;
  struct oci_kv *sysctl;
  size_t n_sysctl;
  char **masked_paths;
  char **readonly_paths;
  bool has_masked_paths, has_readonly_paths;
  char *mount_label;
  char *personality_domain;
  char **personality_flags;
  /* intelRdt, memoryPolicy, netDevices: refused with a clear error if present */
  bool has_intel_rdt;
  bool has_net_devices;
  bool has_memory_policy;
};

/* Parse: every type error names the file and the field. */
int oci_config_parse_file (const char *path, struct oci_config **out, nr_error_t *err);
int oci_config_parse_data (const char *buf, size_t len, const char *what, struct oci_config **out,
                           nr_error_t *err);
/* Semantic checks (runtime-spec MUSTs, Linux specifics). bundle_dir for rootfs existence
   checks, or NULL to skip filesystem checks. */
int oci_config_validate (const struct oci_config *c, const char *bundle_dir, nr_error_t *err);
void oci_config_free (struct oci_config *c);
/* The checks oci_config_validate applies to config.process and linux.resources, on their
   own (exec --process, update --resources).  what names the input in messages. */
int oci_process_validate (const struct oci_process *p, const char *what, nr_error_t *err);
int oci_resources_validate (const struct oci_resources *r, const char *what, nr_error_t *err);
void oci_process_free (struct oci_process *p);
void oci_resources_free (struct oci_resources *r);

/* Pieces that exec/update parse on their own. */
int oci_process_parse_data (const char *buf, size_t len, const char *what, struct oci_process **out,
                            nr_error_t *err);
int oci_resources_parse_data (const char *buf, size_t len, const char *what, struct oci_resources **out,
                              nr_error_t *err);

const char *oci_ns_name (enum oci_ns_type t);   /* "pid", "network", … (OCI names) */
int oci_ns_from_name (const char *name);        /* -1 if unknown */
const char *oci_config_annotation (const struct oci_config *c, const char *key);
/* Get env value "KEY" from process env, or NULL. */
const char *oci_process_getenv (const struct oci_process *p, const char *key);
const struct oci_namespace *oci_config_ns (const struct oci_config *c, enum oci_ns_type t);
/* The file under /proc/sys for a sysctl key, in either sysctl(8) form:
   "net.ipv4.conf.eno2/100.rp_filter" and "net/ipv4/conf/eno2.100/rp_filter" both give
   "net/ipv4/conf/eno2.100/rp_filter".  malloc'd; NULL on ENOMEM.  oci_config_validate
   has refused keys whose components are empty, "." or "..". */
char *oci_sysctl_file (const char *key);

/* Mount option table, shared with features. */
struct oci_mount_option
{
  const char *name;
  bool clear;           /* the option clears the flag (rw, suid…) */
  unsigned long flag;   /* MS_* */
  uint64_t attr;        /* MOUNT_ATTR_* for r* recursive options */
  bool is_propagation;
};
/* nestrun's own mount option: see runtime/mount_lock.c */
#define NR_MOUNT_OPT_LOCKED "x-nestrun.locked"
extern const struct oci_mount_option oci_mount_options[];
extern const size_t oci_n_mount_options;
int oci_mount_parse_options (struct oci_mount *m, nr_error_t *err);

#endif
