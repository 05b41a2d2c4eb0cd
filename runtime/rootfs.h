/* SPDX-License-Identifier: Apache-2.0 */
/* In-child rootfs setup.  Everything below runs in the container's init, in its
   mount namespace, before (mounts, devices) or after (masks, sysctl) pivot_root. */
#ifndef NR_ROOTFS_H
#define NR_ROOTFS_H

#include "runtime/init.h"

int nr_rootfs_prepare (struct nr_init_ctx *ctx, int *root_fd, nr_error_t *err);
int nr_mounts_setup (struct nr_init_ctx *ctx, int root_fd, nr_error_t *err);
int nr_mount_one (struct nr_init_ctx *ctx, int root_fd, const struct oci_mount *m, nr_error_t *err);
/* mount_lock.c: lock the "x-nestrun.locked" mounts (after all the config's mounts);
   nr_mount_lock_roots: the indexes of those to lock (not those below another one) */
int nr_mounts_lock (struct nr_init_ctx *ctx, int root_fd, nr_error_t *err);
size_t nr_mount_lock_roots (const struct oci_config *c, size_t *idx, size_t max);
int nr_devices_setup (struct nr_init_ctx *ctx, int root_fd, nr_error_t *err);
int nr_rootfs_pivot (struct nr_init_ctx *ctx, nr_error_t *err);
int nr_rootfs_finish (struct nr_init_ctx *ctx, nr_error_t *err);
int nr_sysctl_apply (const struct oci_config *c, nr_error_t *err);
/* mount_check.c: refuse a destination inside the container's /proc (runc's
   checkProcMount); bind_src is the bind mount's host source, NULL for other types. */
int nr_mount_check_dest (int root_fd, const struct oci_mount *m, const char *bind_src, nr_error_t *err);
/* Is there a mount whose destination is exactly dest? */
const struct oci_mount *nr_config_mount_at (const struct oci_config *c, const char *dest);

/* terminal.c */
int nr_terminal_setup (struct nr_init_ctx *ctx, nr_error_t *err);
int nr_terminal_make_controlling (struct nr_init_ctx *ctx, nr_error_t *err);

/* netlink.c */
int nr_netlink_loopback_up (nr_error_t *err);

#endif
