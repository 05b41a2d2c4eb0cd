/* SPDX-License-Identifier: Apache-2.0 */
/* nestrun: global flags (runc's), then one subcommand. */
#include "config.h"
#include "cli/cli.h"
#include "common/log.h"
#include "nested/nested.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct nr_cmd commands[] = {
  { "create", cmd_create, "create a container" },
  { "start", cmd_start, "execute the user process of a created container" },
  { "run", cmd_run, "create and start a container" },
  { "state", cmd_state, "output the state of a container" },
  { "kill", cmd_kill, "send a signal to the container's init process" },
  { "delete", cmd_delete, "delete a container and its resources" },
  { "list", cmd_list, "list containers started by nestrun with the given root" },
  { "spec", cmd_spec, "create a new specification file" },
  { "features", cmd_features, "show the enabled features" },
  { "exec", cmd_exec, "execute new process inside the container" },
  { "ps", cmd_ps, "display the processes running inside a container" },
  { "pause", cmd_pause, "suspend all processes inside the container" },
  { "resume", cmd_resume, "resume all processes that have been previously paused" },
  { "update", cmd_update, "update container resource constraints" },
  { "events", cmd_events, "display container events such as OOM notifications, cpu, memory and IO stats" },
  { "image", cmd_image, "manage the shared image store (import, ls, inspect, rm, tag, gc, du)" },
  { "setup", cmd_setup, "register nestrun with docker, containerd or podman" },
  { "tree", cmd_tree, "show the tree of nested containers" },
};

static void
usage (FILE *f)
{
  fprintf (f, "usage: nestrun [global options] command [command options] [arguments...]\n\n"
              "global options:\n"
              "  --root DIR             root directory for container state (default /run/nestrun)\n"
              "  --log FILE             log file (default stderr)\n"
              "  --log-format text|json log format\n"
              "  --debug                debug logging\n"
              "  --systemd-cgroup       use the systemd cgroup driver (refused: not supported)\n"
              "  --rootless VALUE       accepted for compatibility\n"
              "  --store DIR            the image store (default /var/lib/nestrun, or $NESTRUN_STORE)\n"
              "  --nested               treat every container created as a nest (docs/nested.md)\n"
              "  --version, -v          print the version\n\ncommands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf (f, "  %-10s %s\n", commands[i].name, commands[i].summary);
}

static void
print_version (void)
{
  printf ("nestrun version %s\nspec: 1.3.0\n", PACKAGE_VERSION);
#ifdef NESTRUN_STATIC
  printf ("build: static\n");
#endif
}

static int
report (nr_error_t err)
{
  const char *msg = err && err->msg ? err->msg : "unknown error";
  /* the last "level":"error" line of --log is what containerd shows */
  if (nr_log_get_fd () != 2)
    nr_log (NR_LOG_ERROR, "%s", msg);
  else
    nr_log_copy_error (msg, NULL);
  fprintf (stderr, "%s\n", msg);
  return 1;
}

enum
{
  OPT_ROOT = 1000,
  OPT_LOG,
  OPT_LOG_FORMAT,
  OPT_DEBUG,
  OPT_SYSTEMD,
  OPT_ROOTLESS,
  OPT_CRIU,
  OPT_STORE,
  OPT_NESTED,
};

int
main (int argc, char **argv)
{
  static const struct option opts[] = {
    { "root", required_argument, NULL, OPT_ROOT },
    { "log", required_argument, NULL, OPT_LOG },
    { "log-format", required_argument, NULL, OPT_LOG_FORMAT },
    { "debug", no_argument, NULL, OPT_DEBUG },
    { "systemd-cgroup", no_argument, NULL, OPT_SYSTEMD },
    { "rootless", required_argument, NULL, OPT_ROOTLESS },
    { "criu", required_argument, NULL, OPT_CRIU },
    { "store", required_argument, NULL, OPT_STORE },
    { "nested", no_argument, NULL, OPT_NESTED },
    { "version", no_argument, NULL, 'v' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  struct nr_cli cli = { .root = "/run/nestrun", .log_format = "text", .argv0 = argv[0] };
  _cleanup_error_ nr_error_t err = NULL;
  int c;

  cli.store = getenv ("NESTRUN_STORE");
  cli.store_given = cli.store != NULL && *cli.store != '\0';
  if (!cli.store_given)
    cli.store = "/var/lib/nestrun";
  const char *base = strrchr (argv[0], '/');
  cli.nested_forced = strcmp (base ? base + 1 : argv[0], "nestrun-nested") == 0;
  while ((c = getopt_long_only (argc, argv, "+vh", opts, NULL)) != -1)
    {
      switch (c)
        {
        case OPT_ROOT: cli.root = optarg; break;
        case OPT_LOG: cli.log = optarg; break;
        case OPT_LOG_FORMAT: cli.log_format = optarg; break;
        case OPT_DEBUG: cli.debug = true; break;
        case OPT_SYSTEMD: cli.systemd_cgroup = true; break;
        case OPT_ROOTLESS: cli.rootless = strcmp (optarg, "true") == 0; break;
        case OPT_CRIU: break;
        case OPT_STORE: cli.store = optarg; cli.store_given = true; break;
        case OPT_NESTED: cli.nested_forced = true; break;
        case 'v': print_version (); return 0;
        case 'h': usage (stdout); return 0;
        default: usage (stderr); return 1;
        }
    }
  nr_nested_set_defaults (cli.store, cli.store_given, cli.nested_forced);
  if (nr_log_open (cli.log, cli.log_format, cli.debug, &err) < 0)
    return report (err);
  if (optind >= argc)
    {
      usage (stderr);
      return 1;
    }
  const char *name = argv[optind];
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    {
      if (strcmp (name, commands[i].name) != 0)
        continue;
      int sub_argc = argc - optind;
      char **sub_argv = argv + optind;
      optind = 0; /* reset getopt for the subcommand */
      int r = commands[i].fn (&cli, sub_argc, sub_argv, &err);
      if (r < 0)
        {
          r = report (err);
          if (cli.fail_status)
            r = cli.fail_status;
          nr_error_free (&err);
        }
      fflush (stdout);
      return r;
    }
  if (strcmp (name, "checkpoint") == 0 || strcmp (name, "restore") == 0)
    {
      nr_error (&err, 0, "%s: not supported by nestrun (no CRIU support)", name);
      return report (err);
    }
  nr_error (&err, 0, "no such command \"%s\"", name);
  return report (err);
}
