/* SPDX-License-Identifier: Apache-2.0 */
/* `nestrun setup docker|containerd|podman`: register nestrun in an engine's config
   file.  The file is merged, never clobbered: only nestrun's own entry is added or
   updated, every other byte is kept, and the old file is kept as a timestamped
   backup.  The library computes and writes; the caller prints the changes. */
#ifndef NR_ENGINES_SETUP_H
#define NR_ENGINES_SETUP_H

#include <stdbool.h>
#include "common/error.h"

struct nr_setup_opts
{
  const char *engine;       /* "docker", "containerd" or "podman" */
  const char *config;       /* the file to edit; NULL: the engine's default */
  const char *runtime_path; /* absolute path of the nestrun binary to register */
  const char *name;         /* runtime name, "nestrun" by default */
  int containerd_major;     /* 1 or 2; 0: from the file's version, else `containerd --version` */
  bool dry_run;             /* compute and report, write nothing */
};

struct nr_setup_result
{
  char *path;      /* the config file */
  char *backup;    /* where the old file was copied, NULL if none */
  char *content;   /* the new content */
  char **changes;  /* what changed, one human-readable line each, NULL-terminated */
  bool changed;    /* false: already registered, nothing to do */
  bool created;    /* the file did not exist */
  char *hint;      /* what to do next ("restart dockerd"), may be NULL */
};

int nr_setup (const struct nr_setup_opts *o, struct nr_setup_result *res, nr_error_t *err);
void nr_setup_result_free (struct nr_setup_result *r);

/* The merges themselves, on text (exposed for the unit tests).  *changes gets one line
   per change (appended).  Each returns 0 or < 0 with *err naming the file (what). */
int nr_setup_docker_json (const char *old, const char *what, const char *name, const char *path, char **out,
                          char ***changes, nr_error_t *err);
/* major: 1 or 2, used only when the file has no `version` (an empty file). */
int nr_setup_containerd_toml (char **text, const char *what, int major, const char *name, const char *path,
                              char ***changes, nr_error_t *err);
int nr_setup_podman_toml (char **text, const char *what, const char *name, const char *path, char ***changes,
                          nr_error_t *err);
/* The major version of the installed containerd, 0 when it cannot be run. */
int nr_setup_containerd_major (void);

#endif
