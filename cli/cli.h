/* SPDX-License-Identifier: Apache-2.0 */
/* The thin CLI: main.c parses global flags and dispatches to one cmd_<name>.c per
   subcommand.  A command parses its own arguments, calls one library function and
   prints; on failure it returns < 0 with *err filled and main prints/logs it. */
#ifndef NR_CLI_H
#define NR_CLI_H

#include <stdbool.h>
#include "common/error.h"

struct nr_cli
{
  const char *root;        /* --root, default /run/nestrun */
  const char *log;         /* --log */
  const char *log_format;  /* --log-format text|json */
  bool debug;              /* --debug */
  bool systemd_cgroup;     /* --systemd-cgroup */
  bool rootless;           /* --rootless (accepted) */
  const char *store;       /* --store / NESTRUN_STORE, default /var/lib/nestrun */
  const char *argv0;       /* how we were invoked (a runtime alias may imply options) */
  bool store_given;        /* --store or NESTRUN_STORE was set */
  bool nested_forced;      /* --nested, or invoked as "nestrun-nested" (docs/nested.md) */
  int fail_status;         /* set by a command: its exit status on failure, else 1 */
};

/* Each returns the process exit status (>= 0) or < 0 with *err set. */
typedef int (*nr_cmd_fn) (struct nr_cli *cli, int argc, char **argv, nr_error_t *err);

struct nr_cmd
{
  const char *name;
  nr_cmd_fn fn;
  const char *summary;
};

int cmd_create (struct nr_cli *, int, char **, nr_error_t *);
int cmd_start (struct nr_cli *, int, char **, nr_error_t *);
int cmd_run (struct nr_cli *, int, char **, nr_error_t *);
int cmd_state (struct nr_cli *, int, char **, nr_error_t *);
int cmd_kill (struct nr_cli *, int, char **, nr_error_t *);
int cmd_delete (struct nr_cli *, int, char **, nr_error_t *);
int cmd_list (struct nr_cli *, int, char **, nr_error_t *);
int cmd_spec (struct nr_cli *, int, char **, nr_error_t *);
int cmd_features (struct nr_cli *, int, char **, nr_error_t *);
int cmd_exec (struct nr_cli *, int, char **, nr_error_t *);
int cmd_ps (struct nr_cli *, int, char **, nr_error_t *);
int cmd_pause (struct nr_cli *, int, char **, nr_error_t *);
int cmd_resume (struct nr_cli *, int, char **, nr_error_t *);
int cmd_update (struct nr_cli *, int, char **, nr_error_t *);
int cmd_events (struct nr_cli *, int, char **, nr_error_t *);
int cmd_image (struct nr_cli *, int, char **, nr_error_t *);
int cmd_setup (struct nr_cli *, int, char **, nr_error_t *);
int cmd_tree (struct nr_cli *, int, char **, nr_error_t *);

#endif
