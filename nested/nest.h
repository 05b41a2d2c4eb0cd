/* SPDX-License-Identifier: Apache-2.0 */
/* nested/ internals: the nest record, the rewrite context and its table of steps.

   Inside a nested container (paths fixed, NR_NEST_IN):
     /run/nestrun-nest/               a small tmpfs, so the rootfs gets one mount point
       store/                         the host image store, read-only (its nests/ masked)
       bin/nestrun                    the static nestrun, read-only: the inner runtime
       nest.json                      the lineage record, read-only (struct nr_nest_record)
       containers-storage/            podman: the store's containers-storage view (metadata,
                                      layers linked into store/), read-only
       nests/                         writable, host-backed: where the nestrun running in
                                      this container keeps the nests of its own children
   On the host side of one nest (NEST = <nests root>/<id>, the nests root being
   <store>/nests on the host and /run/nestrun-nest/nests inside a nest):
     NEST/.nestrun-nest               marker: delete removes only directories that have it
     NEST/docker/, NEST/podman/       the inner engine's data-root (docker's seeded, metadata only)
     NEST/containers-storage/         podman: the view bound at NR_NEST_IN_CSTORE
     NEST/daemon.json                 the generated engine config, bound over the image's
                                      (podman: NEST/storage.conf and NEST/containers.conf)
     NEST/nest.json                   the record the container sees
     NEST/nests/                      bound at /run/nestrun-nest/nests */
#ifndef NR_NESTED_NEST_H
#define NR_NESTED_NEST_H

#include <stdbool.h>
#include <stddef.h>
#include "common/error.h"
#include "oci/config.h"

#define NR_NEST_IN "/run/nestrun-nest"
#define NR_NEST_IN_STORE NR_NEST_IN "/store"
#define NR_NEST_IN_BIN NR_NEST_IN "/bin/nestrun"
#define NR_NEST_IN_RECORD NR_NEST_IN "/nest.json"
#define NR_NEST_IN_NESTS NR_NEST_IN "/nests"
#define NR_NEST_IN_CSTORE NR_NEST_IN "/containers-storage"
#define NR_NEST_MARKER ".nestrun-nest"
#define NR_NEST_MAX_DEPTH 4

/* The options of every read-only bind a nest gets (store, layers, runtime, record,
   engine config): locked, so that even a privileged nest cannot make them writable
   or uncover what is below them (runtime/mount_lock.c) */
extern const char *const nr_nest_ro_bind[];

/* Recognition and the state the host needs later (delete, tree). */
#define NR_ANN_NESTED "run.nestrun.nested"
#define NR_ANN_PRELOAD "run.nestrun.preload"
#define NR_ANN_MAX_DEPTH "run.nestrun.max-depth"
#define NR_ANN_DEPTH "run.nestrun.depth"
#define NR_ANN_NEST_DIR "run.nestrun.nest-dir"
#define NR_ANN_ENGINE "run.nestrun.engine"
#define NR_ANN_LEASE "run.nestrun.lease-store"
#define NR_ENV_NESTED "NESTRUN_NESTED"
#define NR_ENV_PRELOAD "NESTRUN_PRELOAD"

enum nr_engine
{
  NR_ENGINE_NONE = 0,
  NR_ENGINE_DOCKER,
  NR_ENGINE_CONTAINERD,
  NR_ENGINE_PODMAN,
};
const char *nr_engine_name (enum nr_engine e);

/* /run/nestrun-nest/nest.json */
struct nr_nest_record
{
  unsigned depth;     /* of the container holding the record: 1 = a child of the host */
  unsigned max_depth;
  char *id;           /* that container */
  char *parent;       /* the container holding it ("" for the host) */
  char *store;        /* the store, as seen inside */
  char *nests;        /* writable dir for its children's nests, as seen inside */
  char *engine;
  char **images;      /* refs shared with it (leased on the host) */
};
void nr_nest_record_clear (struct nr_nest_record *r);
int nr_nest_record_read (const char *path, struct nr_nest_record *r, nr_error_t *err);
char *nr_nest_record_json (const struct nr_nest_record *r);

/* Who is rewriting: this nestrun process. */
struct nr_nest_env
{
  const char *store;       /* the store as we see it */
  const char *nests_root;  /* where nest dirs go */
  const char *self_exe;    /* the static nestrun to inject, NULL when there is none */
  bool forced;             /* --nested or invoked as nestrun-nested */
  unsigned max_depth;
  const struct nr_nest_record *self; /* our own record, NULL on the host */
  const char *cgroup_root; /* /sys/fs/cgroup; tests point elsewhere */
};

struct nr_nest_ctx
{
  const struct nr_nest_env *env;
  const char *id;
  const char *bundle;
  int rootfs_fd;
  /* detect */
  bool nested;
  const char *reason;
  enum nr_engine engine;
  unsigned depth;
  unsigned max_depth;
  char **preload; /* normalized refs to share */
  bool privileged;
  /* data-root */
  char *nest_dir;
  char *data_root;      /* inside the container */
  char *data_root_host; /* NULL when the user mounted one */
  /* share */
  size_t n_seeded;
  bool view_seeded;     /* podman: the containers-storage view is at NR_NEST_IN_CSTORE */
  bool leased;
  bool made_nest_dir;
};

typedef int (*nr_nest_step_fn) (struct nr_nest_ctx *x, struct oci_config *c, nr_error_t *err);
struct nr_nest_step
{
  const char *name;
  nr_nest_step_fn fn;
};
extern const struct nr_nest_step nr_nest_steps[];
extern const size_t nr_nest_n_steps;

/* detect.c */
int nr_nest_step_detect (struct nr_nest_ctx *x, struct oci_config *c, nr_error_t *err);
enum nr_engine nr_nest_find_engine (int rootfs_fd);
/* "a,b" / "all" / "" → NULL-terminated normalized list (NULL for all); errors name the bad one. */
int nr_nest_parse_preload (const char *s, char ***out, nr_error_t *err);
/* steps_store.c */
int nr_nest_step_data_root (struct nr_nest_ctx *x, struct oci_config *c, nr_error_t *err);
int nr_nest_step_share_store (struct nr_nest_ctx *x, struct oci_config *c, nr_error_t *err);
/* steps_engine.c */
int nr_nest_step_inject_runtime (struct nr_nest_ctx *x, struct oci_config *c, nr_error_t *err);
int nr_nest_step_engine_config (struct nr_nest_ctx *x, struct oci_config *c, nr_error_t *err);
int nr_nest_step_lineage (struct nr_nest_ctx *x, struct oci_config *c, nr_error_t *err);
/* The image's daemon.json (NULL/empty: none) merged with ours: malloc'd JSON. */
char *nr_nest_daemon_json (const char *image_json, size_t len, const char *runtime_path, nr_error_t *err);
/* A file of the rootfs (resolved inside it); *buf NULL when it does not exist. */
int nr_nest_read_in_root (int rootfs_fd, const char *path, char **buf, size_t *len, nr_error_t *err);
/* steps_podman.c */
/* podman's graphroot: the image's storage.conf's, else /var/lib/containers/storage. */
char *nr_nest_podman_data_root (int rootfs_fd);
/* The image's storage.conf (NULL: none) with view added to additionalimagestores and
   driver = "overlay" unless it names one; *out NULL and *why set when it names another
   driver.  The image's containers.conf (NULL: none) with nestrun the runtime.  what
   names the file in errors. */
int nr_nest_storage_conf (const char *image, const char *what, const char *view, char **out, char **why,
                          nr_error_t *err);
int nr_nest_containers_conf (const char *image, const char *what, const char *runtime_path, char **out,
                             nr_error_t *err);
/* engine-config for podman: both files bound read-only over the image's. */
int nr_nest_podman_config (struct nr_nest_ctx *x, struct oci_config *c, nr_error_t *err);
/* steps_host.c */
int nr_nest_step_cgroups (struct nr_nest_ctx *x, struct oci_config *c, nr_error_t *err);
int nr_nest_step_privileges (struct nr_nest_ctx *x, struct oci_config *c, nr_error_t *err);

/* rewrite.c: run the table; on failure what was made is undone. */
int nr_nest_rewrite (struct nr_nest_ctx *x, struct oci_config *c, nr_error_t *err);
/* Remove what a rewrite made on the host (lease, nest dir). */
void nr_nest_undo (struct nr_nest_ctx *x);
void nr_nest_ctx_clear (struct nr_nest_ctx *x);
/* The process's env (from main's flags and our own record), built once. */
const struct nr_nest_env *nr_nest_env_get (void);

/* cleanup.c: unmount what is below dir, then remove it without crossing mounts;
   only a directory holding NR_NEST_MARKER. */
int nr_nest_remove_dir (const char *dir, nr_error_t *err);
/* bytes of regular files below dir on dir's own mount */
unsigned long long nr_nest_du (const char *dir);

#endif
