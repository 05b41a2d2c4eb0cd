/* SPDX-License-Identifier: Apache-2.0 */
/* `nestrun setup docker|containerd|podman [--dry-run] [--config PATH] [--path BIN]
   [--name NAME] [--containerd-version 1|2]`: register nestrun in the engine's config. */
#include "config.h"
#include "cli/common.h"
#include "engines/setup.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum
{
  OPT_DRY_RUN = 3000,
  OPT_CONFIG,
  OPT_PATH,
  OPT_NAME,
  OPT_CONTAINERD_VERSION,
};

static void
print_result (const struct nr_setup_opts *o, const struct nr_setup_result *r)
{
  const char *verb = o->dry_run ? "would change" : r->created ? "created" : "changed";
  if (!r->changed)
    {
      printf ("%s: %s: runtime \"%s\" already registered, nothing to do\n", o->engine, r->path,
              o->name ? o->name : "nestrun");
      return;
    }
  printf ("%s: %s %s:\n", o->engine, verb, r->path);
  for (size_t i = 0; r->changes[i]; i++)
    printf ("  %s\n", r->changes[i]);
  if (r->backup)
    printf ("backup: %s\n", r->backup);
  if (o->dry_run)
    printf ("--- new %s (dry run, nothing written) ---\n%s%s", r->path, r->content,
            r->content[0] && r->content[strlen (r->content) - 1] == '\n' ? "" : "\n");
  else if (r->hint)
    printf ("%s\n", r->hint);
}

int
cmd_setup (struct nr_cli *cli, int argc, char **argv, nr_error_t *err)
{
  static const struct option opts[] = {
    { "dry-run", no_argument, NULL, OPT_DRY_RUN },
    { "config", required_argument, NULL, OPT_CONFIG },
    { "path", required_argument, NULL, OPT_PATH },
    { "name", required_argument, NULL, OPT_NAME },
    { "containerd-version", required_argument, NULL, OPT_CONTAINERD_VERSION },
    { NULL, 0, NULL, 0 },
  };
  struct nr_setup_opts o = { 0 };
  struct nr_setup_result res;
  char self[PATH_MAX];
  int c;

  (void) cli;
  while ((c = getopt_long (argc, argv, "", opts, NULL)) != -1)
    {
      switch (c)
        {
        case OPT_DRY_RUN: o.dry_run = true; break;
        case OPT_CONFIG: o.config = optarg; break;
        case OPT_PATH: o.runtime_path = optarg; break;
        case OPT_NAME: o.name = optarg; break;
        case OPT_CONTAINERD_VERSION:
          if (strcmp (optarg, "1") != 0 && strcmp (optarg, "2") != 0)
            return nr_error (err, 0, "setup: --containerd-version: expected 1 or 2, got \"%s\"", optarg);
          o.containerd_major = optarg[0] - '0';
          break;
        default:
          return nr_error (err, 0, "usage: nestrun setup docker|containerd|podman [--dry-run] [--config PATH] "
                                   "[--path BIN] [--name NAME] [--containerd-version 1|2]");
        }
    }
  if (cli_need_args ("setup", argc, argv, 1, "docker, containerd or podman", err) < 0)
    return -1;
  o.engine = argv[optind];
  if (o.runtime_path == NULL)
    {
      if (realpath ("/proc/self/exe", self) == NULL)
        return nr_error (err, errno, "setup: resolve /proc/self/exe");
      o.runtime_path = self;
    }
  if (nr_setup (&o, &res, err) < 0)
    {
      nr_setup_result_free (&res);
      return -1;
    }
  print_result (&o, &res);
  nr_setup_result_free (&res);
  return 0;
}
