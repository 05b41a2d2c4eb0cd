/* SPDX-License-Identifier: Apache-2.0 */
/* Editing a parsed config in memory: what a spec → spec rewrite (nested/) and update need.
   Every added string is owned by the config (oci_config_free releases it) and every
   added or changed mount has its computed fields (flags, data…) recomputed. */
#ifndef NR_OCI_EDIT_H
#define NR_OCI_EDIT_H

#include <stdbool.h>
#include "common/error.h"
#include "oci/config.h"

/* Append a mount; opts is NULL-terminated (or NULL).  Returns its index or < 0. */
int oci_mount_add (struct oci_config *c, const char *dest, const char *type, const char *src,
                   const char *const *opts, nr_error_t *err);
/* The last mount whose destination (lexically cleaned) is dest, or NULL. */
struct oci_mount *oci_mount_find (struct oci_config *c, const char *dest);
/* Remove every occurrence of opt from the mount's options (recomputing its flags). */
int oci_mount_drop_option (struct oci_mount *m, const char *opt, nr_error_t *err);
/* Set KEY=value in process.env (replacing an existing KEY). */
int oci_env_set (struct oci_process *p, const char *key, const char *value, nr_error_t *err);
/* Set an annotation (replacing an existing key). */
int oci_annotation_set (struct oci_config *c, const char *key, const char *value, nr_error_t *err);
/* Add a namespace to create (no-op when the config already has that type). */
int oci_namespace_add (struct oci_config *c, enum oci_ns_type t, nr_error_t *err);
/* Is cap ("CAP_SYS_ADMIN") in the set (NULL-terminated list, NULL = empty)? */
bool oci_caps_has (char *const *set, const char *cap);
/* `update`: the halves of pairs the cgroup writers set together (cpu quota and period,
   realtime runtime and period, memory and memory+swap) that u lacks, from the stored
   config (which holds every update so far), as runc 1.2 hands its drivers the merged
   config: a later --cpu-period keeps the quota set before, on v2 too (cpu.max). */
void oci_resources_complete_pairs (struct oci_resources *u, const struct oci_resources *stored);

#endif
