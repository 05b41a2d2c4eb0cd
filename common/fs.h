/* SPDX-License-Identifier: Apache-2.0 */
/* File helpers.  Everything that takes a root fd resolves inside that root with
   openat2(RESOLVE_IN_ROOT): symlinks, ".." and absolute links never leave it. */
#ifndef NR_FS_H
#define NR_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "common/error.h"

int nr_read_all_fd (int fd, size_t max, char **out, size_t *len, nr_error_t *err);
int nr_read_file (const char *path, size_t max, char **out, size_t *len, nr_error_t *err);
int nr_read_file_at (int dirfd, const char *name, size_t max, char **out, size_t *len, nr_error_t *err);
int nr_write_all (int fd, const void *buf, size_t len);
int nr_write_file (const char *path, const void *data, size_t len, mode_t mode, nr_error_t *err);
int nr_write_file_at (int dirfd, const char *name, const void *data, size_t len, nr_error_t *err);
/* Write to .name.tmp-PID and rename it over name: a reader sees the old or the new
   content, never part of it.  durable: fsync before the rename, for what must survive
   a crash (the store); files that mean nothing after a reboot (a container's state, a
   nest's seeded data-root) skip it: each fsync costs milliseconds on a loaded disk. */
int nr_write_file_replace_at (int dirfd, const char *name, const void *data, size_t len, mode_t mode, bool durable,
                              nr_error_t *err);
/* nr_write_file_replace_at, durable. */
int nr_write_file_atomic_at (int dirfd, const char *name, const void *data, size_t len, mode_t mode,
                             nr_error_t *err);
/* The pid file of create/exec --pid-file: written aside, then renamed into place. */
int nr_write_pid_file (const char *path, pid_t pid, nr_error_t *err);
int nr_mkdir_p (const char *path, mode_t mode, nr_error_t *err);
int nr_rm_rf_at (int dirfd, const char *name, nr_error_t *err);
int nr_rm_rf (const char *path, nr_error_t *err);

/* openat2 with RESOLVE_IN_ROOT relative to root_fd.  path may be absolute (taken
   relative to the root).  Errors name "path". */
int nr_openat_in_root (int root_fd, const char *path, int flags, mode_t mode, nr_error_t *err);
/* mkdir -p inside root; returns an O_PATH|O_DIRECTORY fd of the result. */
int nr_mkdir_in_root (int root_fd, const char *path, mode_t mode, nr_error_t *err);
/* Create a regular file (if missing) inside root, and its parents; returns an O_PATH fd. */
int nr_touch_in_root (int root_fd, const char *path, mode_t mode, nr_error_t *err);
/* "/proc/self/fd/N" */
void nr_fd_path (int fd, char buf[static 64]);
/* Clean a path lexically: "/a//b/../c/." → "/a/c"; never above "/". */
char *nr_path_clean (const char *path);
/* Is path (lexically cleaned) under (or equal to) prefix? */
bool nr_path_has_prefix (const char *path, const char *prefix);
/* Look for an executable in PATH inside root (for exec's "not found" error). */
int nr_find_executable_in_root (int root_fd, const char *file, const char *path_env, const char *cwd,
                                char **out, nr_error_t *err);

#endif
