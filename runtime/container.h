/* SPDX-License-Identifier: Apache-2.0 */
/* The OCI lifecycle, one file per operation.  runtime/ knows nothing of nesting:
   nested/ rewrites the spec before these run. */
#ifndef NR_CONTAINER_H
#define NR_CONTAINER_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>
#include "common/error.h"
#include "oci/config.h"

struct nr_runtime
{
  const char *root;      /* state root, /run/nestrun */
  bool systemd_cgroup;
  bool rootless;
};

struct nr_create_opts
{
  const char *id;
  const char *bundle;          /* absolute */
  const char *config_path;     /* bundle/config.json unless overridden */
  const char *console_socket;
  const char *pid_file;
  bool no_pivot;
  bool no_new_keyring;
  int preserve_fds;
  /* run: the caller will wait for the container (we stay its parent/subreaper) */
  bool foreground;
  /* run with a terminal and no console socket: receive the pty master here */
  int *console_master_out;
};

enum nr_status
{
  NR_STATUS_CREATING = 0,
  NR_STATUS_CREATED,
  NR_STATUS_RUNNING,
  NR_STATUS_PAUSED,
  NR_STATUS_STOPPED,
};
const char *nr_status_name (enum nr_status s);

/* Create: on return the container is "created", its init waiting for start.
   cfg is the (possibly rewritten) config; raw_config is the JSON kept in the state dir
   for later exec/update.  *pid_out gets the init pid. */
int nr_container_create (const struct nr_runtime *rt, const struct nr_create_opts *o, struct oci_config *cfg,
                         const char *raw_config, size_t raw_len, pid_t *pid_out, nr_error_t *err);
int nr_container_start (const struct nr_runtime *rt, const char *id, nr_error_t *err);
int nr_container_kill (const struct nr_runtime *rt, const char *id, int sig, bool all, nr_error_t *err);
int nr_container_delete (const struct nr_runtime *rt, const char *id, bool force, nr_error_t *err);
/* Wait for init (caller is its parent or subreaper), forwarding signals; returns exit status
   in shell form (128+signal for a signal). */
int nr_container_wait_foreground (pid_t pid, int console_master, nr_error_t *err);
int nr_signal_parse (const char *s, int *sig, nr_error_t *err);

/* exec: a new process in a running container. */
struct nr_exec_opts
{
  const char *id;
  struct oci_process *process; /* borrowed */
  const char *console_socket;
  const char *pid_file;
  char **sub_cgroups;          /* --cgroup, NULL-terminated (nr_cgroup_enter) */
  int preserve_fds;
  bool detach;
  bool ignore_paused;          /* a paused container: the process waits for resume */
  int *console_master_out;     /* foreground with a terminal and no console socket */
};
/* With detach, returns 0 once the process runs; else its exit status (shell form). */
int nr_container_exec (const struct nr_runtime *rt, const struct nr_exec_opts *o, nr_error_t *err);
/* The container's config as created (for exec defaults, update). */
int nr_container_load_config (const struct nr_runtime *rt, const char *id, struct oci_config **out, nr_error_t *err);

/* pause / resume / ps / update / events */
int nr_container_pause (const struct nr_runtime *rt, const char *id, bool pause, nr_error_t *err);
int nr_container_pids (const struct nr_runtime *rt, const char *id, pid_t **pids, size_t *n, nr_error_t *err);
/* ps(1) output (default "-ef") restricted to these pids, header kept. */
char *nr_ps_table (const pid_t *pids, size_t n, int argc, char **argv, nr_error_t *err);
int nr_container_update (const struct nr_runtime *rt, const char *id, const struct oci_resources *res,
                         nr_error_t *err);

/* events: runc's stream, one JSON object per event: {"type":"stats","id":…,"data":{…}}
   (data: runc's types.Stats) and {"type":"oom","id":…}. */
struct nr_event
{
  const char *type; /* "stats", "oom" */
  const char *json; /* the whole event, one line without its newline */
};
/* Called for each event; < 0 (with *err set) stops the stream. */
typedef int (*nr_event_fn) (const struct nr_event *ev, void *data, nr_error_t *err);
/* every NULL (--stats): one stats event now.  Else a stats event every interval, the
   first after one interval, and an oom event for each OOM kill in the container's
   cgroup, until the stream ends as runc's does: on cgroup v1 (and hybrid) when the
   cgroup is removed (delete), on v2 when the container has no process left.  Returns 0
   then.  A stopped container is refused. */
int nr_container_events (const struct nr_runtime *rt, const char *id, const struct timespec *every, nr_event_fn fn,
                         void *data, nr_error_t *err);

/* State, as `state` and `list` show it. */
struct nr_container_info
{
  char *id;
  pid_t pid;
  enum nr_status status;
  char *bundle;
  char *rootfs;
  char *created;
  char *owner;
  char **annotations; /* k, v, …, NULL */
};
int nr_container_info (const struct nr_runtime *rt, const char *id, struct nr_container_info *out, nr_error_t *err);
int nr_container_list (const struct nr_runtime *rt, struct nr_container_info **out, size_t *n, nr_error_t *err);
void nr_container_info_clear (struct nr_container_info *i);
/* The OCI state JSON (hooks' stdin, `state` output). */
char *nr_container_info_json (const struct nr_container_info *i, bool pretty);

/* The features.md document for `features`. */
char *nr_features_json (void);

/* Default config for `spec`. */
char *nr_spec_default (bool rootless);

#endif
