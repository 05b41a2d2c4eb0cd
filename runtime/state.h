/* SPDX-License-Identifier: Apache-2.0 */
/* The state directory of one container: <root>/<id>/{state.json,config.json,start}.
   The directory itself is the lock (flock) and its creation is the "exactly one
   create wins" point. */
#ifndef NR_STATE_H
#define NR_STATE_H

#include <stdbool.h>
#include <sys/types.h>
#include "common/error.h"
#include "runtime/container.h"
#include "common/log.h"
#include "common/json.h"

struct nr_state
{
  char *id;
  pid_t pid;
  unsigned long long pid_start; /* /proc/pid/stat starttime: guards against pid reuse */
  char *bundle;
  char *rootfs;
  char *created;
  char *owner;
  char **annotations;
  char *cgroup;     /* serialized cgroup handle */
  char **ns_paths;  /* "type", "/proc/<pid>/ns/…" pairs are derived; this keeps joined paths */
  bool started;
  bool systemd_cgroup;
  bool has_userns;
};

int nr_id_validate (const char *id, nr_error_t *err);
/* Open (and lock) an existing container's state dir. */
int nr_state_open (const char *root, const char *id, bool exclusive, int *dirfd, nr_error_t *err);
/* Create the state dir; EEXIST → "container with id exists". */
int nr_state_create_dir (const char *root, const char *id, int *dirfd, nr_error_t *err);
int nr_state_write (int dirfd, const struct nr_state *s, nr_error_t *err);
/* Replace a file of the state dir atomically (rename), without fsync. */
int nr_state_put_file (int dirfd, const char *name, const void *data, size_t len, nr_error_t *err);
int nr_state_read (int dirfd, struct nr_state *s, nr_error_t *err);
int nr_state_parse (const char *buf, size_t len, struct nr_state *s, nr_error_t *err);
char *nr_state_serialize (const struct nr_state *s);
void nr_state_clear (struct nr_state *s);
int nr_state_remove (const char *root, const char *id, nr_error_t *err);
/* created / running / paused / stopped from the live process and cgroup. */
enum nr_status nr_state_status (int dirfd, const struct nr_state *s);
/* Is s->pid still the process we started? */
bool nr_state_pid_alive (const struct nr_state *s);
unsigned long long nr_proc_starttime (pid_t pid);

/* Open the container, check its status is one of `allowed` (NR_STATUS_BIT (RUNNING) | …),
   load its cgroup ("cannot <what> a container that is <status>" otherwise).  With
   locked, *locked gets the state directory, still locked; else the lock is let go. */
#define NR_STATUS_BIT(x) (1u << NR_STATUS_##x)
struct nr_cgroup;
int nr_state_open_cgroup (const struct nr_runtime *rt, const char *id, unsigned allowed, const char *what,
                          struct nr_cgroup **cg, enum nr_status *status, int *locked, nr_error_t *err);

#define NR_START_SOCK "start.sock"
#define NR_STATE_FILE "state.json"
/* state.json carries the config's annotations: whatever a config.json may hold
   (NR_JSON_MAX_FILE) must be readable back, with room for the fixed fields. */
#define NR_STATE_MAX_FILE (NR_JSON_MAX_FILE + (1u << 20))
#define NR_CONFIG_FILE "config.json"
/* Written by create before it makes the cgroup, removed once state.json exists: an
   nr_state whose pid and cgroup a killed create's leftovers are cleaned up from. */
#define NR_CREATING_FILE "creating.json"

#endif
