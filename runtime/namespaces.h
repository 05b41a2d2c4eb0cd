/* SPDX-License-Identifier: Apache-2.0 */
#ifndef NR_NAMESPACES_H
#define NR_NAMESPACES_H

#include <stdbool.h>
#include <sys/types.h>
#include "common/error.h"
#include "oci/config.h"

/* CLONE_NEW* flags of namespaces the config creates (no path).  Cgroup and time are
   not clone flags here: init unshares cgroupns after joining its cgroup, and time
   namespaces need offsets written between unshare and the first child. */
int nr_ns_clone_flags (const struct oci_config *c);
int nr_ns_flag (enum oci_ns_type t);
bool nr_ns_has_joins (const struct oci_config *c);
bool nr_ns_creates (const struct oci_config *c, enum oci_ns_type t);

/* Start the container's init with fn(arg) as its body.  Without joins this is one
   clone() from the caller; with joins (or a new time namespace) an intermediate
   process enters them first and reports the init's pid over sync_fd. */
int nr_ns_spawn (const struct oci_config *c, int sync_fd_parent, int sync_fd_child,
                 void (*fn) (void *), void *arg, pid_t *pid, nr_error_t *err);

/* Parent: uid_map / gid_map for a new user namespace. */
int nr_ns_write_id_maps (pid_t pid, const struct oci_config *c, nr_error_t *err);
/* Open /proc/<pid>/ns/<name>. */
const char *nr_ns_proc_name (enum oci_ns_type t);

#endif
