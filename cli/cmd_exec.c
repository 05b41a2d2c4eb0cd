/* SPDX-License-Identifier: Apache-2.0 */
/* exec: --process FILE (the shim's form) or the inline form built on the
   container's own process settings, as runc does. */
#include "config.h"
#include "cli/common.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "runtime/caps.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum
{
  O_PROCESS = 3000, O_CONSOLE, O_PIDFILE, O_CWD, O_ENV, O_USER, O_GIDS, O_CAP, O_NNP, O_APPARMOR, O_LABEL,
  O_PRESERVE, O_CGROUP, O_TTY, O_DETACH, O_IGNORE_PAUSED,
};

static const struct option opts[] = {
  { "process", required_argument, NULL, 'p' },     { "console-socket", required_argument, NULL, O_CONSOLE },
  { "pid-file", required_argument, NULL, O_PIDFILE }, { "cwd", required_argument, NULL, O_CWD },
  { "env", required_argument, NULL, 'e' },         { "user", required_argument, NULL, 'u' },
  { "additional-gids", required_argument, NULL, 'g' }, { "cap", required_argument, NULL, 'c' },
  { "no-new-privs", no_argument, NULL, O_NNP },    { "apparmor", required_argument, NULL, O_APPARMOR },
  { "process-label", required_argument, NULL, O_LABEL }, { "preserve-fds", required_argument, NULL, O_PRESERVE },
  { "cgroup", required_argument, NULL, O_CGROUP }, { "tty", no_argument, NULL, 't' },
  { "detach", no_argument, NULL, 'd' },            { "ignore-paused", no_argument, NULL, O_IGNORE_PAUSED },
  { NULL, 0, NULL, 0 },
};

static int
strv_add (char ***v, const char *s)
{
  size_t n = 0;
  while (*v && (*v)[n])
    n++;
  char **nv = realloc (*v, (n + 2) * sizeof (char *));
  if (nv == NULL)
    return -1;
  nv[n] = strdup (s);
  nv[n + 1] = NULL;
  *v = nv;
  return nv[n] ? 0 : -1;
}

/* -e KEY=V replaces KEY in the inherited env */
static int
env_set (char ***env, const char *kv)
{
  size_t klen = strcspn (kv, "=");
  for (size_t i = 0; *env && (*env)[i]; i++)
    if (strncmp ((*env)[i], kv, klen) == 0 && (*env)[i][klen] == '=')
      {
        free ((*env)[i]);
        (*env)[i] = strdup (kv);
        return (*env)[i] ? 0 : -1;
      }
  return strv_add (env, kv);
}

struct inline_opts
{
  const char *cwd, *user, *apparmor, *label;
  char **env, **caps, **gids;
  bool nnp, tty;
};

static int
apply_inline (struct oci_process *p, const struct inline_opts *in, int argc, char **argv, nr_error_t *err)
{
  nr_strvfreep (&p->args);
  p->args = NULL; /* nr_strvfreep frees but does not reset */
  for (int i = optind + 1; i < argc; i++)
    if (strv_add (&p->args, argv[i]) < 0)
      return nr_error (err, ENOMEM, "exec");
  for (char **e = in->env; e && *e; e++)
    if (env_set (&p->env, *e) < 0)
      return nr_error (err, ENOMEM, "exec");
  if (in->cwd)
    {
      free (p->cwd);
      p->cwd = strdup (in->cwd);
    }
  if (in->user)
    {
      /* uid[:gid]; without a gid, the container's stays (runc) */
      _cleanup_free_ char *uid = strndup (in->user, strcspn (in->user, ":"));
      const char *gid = strchr (in->user, ':');
      uint64_t v = 0;
      if (uid == NULL)
        return nr_error (err, ENOMEM, "exec");
      if (cli_parse_u64 ("user", uid, UINT32_MAX, &v, err) < 0)
        return nr_error_wrap (err, "exec: want uid[:gid]");
      p->user.uid = (uint32_t) v;
      if (gid && cli_parse_u64 ("user", gid + 1, UINT32_MAX, &v, err) < 0)
        return nr_error_wrap (err, "exec: want uid[:gid]");
      if (gid)
        p->user.gid = (uint32_t) v;
    }
  for (char **g = in->gids; g && *g; g++)
    {
      uint64_t v = 0;
      if (cli_parse_u64 ("additional-gids", *g, UINT32_MAX, &v, err) < 0)
        return nr_error_wrap (err, "exec");
      uint32_t *ng = realloc (p->user.additional_gids, (p->user.n_additional_gids + 1) * sizeof (uint32_t));
      if (ng == NULL)
        return nr_error (err, ENOMEM, "exec");
      p->user.additional_gids = ng;
      ng[p->user.n_additional_gids++] = (uint32_t) v;
    }
  if (in->caps && p->capabilities)
    for (char **c = in->caps; *c; c++)
      if (strv_add (&p->capabilities->bounding, *c) < 0 || strv_add (&p->capabilities->effective, *c) < 0
          || strv_add (&p->capabilities->permitted, *c) < 0 || strv_add (&p->capabilities->ambient, *c) < 0)
        return nr_error (err, ENOMEM, "exec");
  if (in->nnp)
    p->no_new_privileges = true;
  if (in->apparmor)
    {
      free (p->apparmor_profile);
      p->apparmor_profile = strdup (in->apparmor);
    }
  if (in->label)
    {
      free (p->selinux_label);
      p->selinux_label = strdup (in->label);
    }
  p->terminal = in->tty;
  return 0;
}

int
cmd_exec (struct nr_cli *cli, int argc, char **argv, nr_error_t *err)
{
  struct nr_runtime rt = cli_runtime (cli);
  struct nr_exec_opts o = { 0 };
  struct inline_opts in = { 0 };
  const char *process_file = NULL;
  struct oci_config *cfg = NULL;
  struct oci_process *proc = NULL;
  int console_sock = -1;
  int c, ret = -1;

  /* runc's: a failure of exec itself is no status the process could have exited with */
  cli->fail_status = 255;
  while ((c = getopt_long_only (argc, argv, "+p:e:u:g:c:td", opts, NULL)) != -1)
    {
      switch (c)
        {
        case 'p': process_file = optarg; break;
        case O_CONSOLE: o.console_socket = optarg; break;
        case O_PIDFILE: o.pid_file = optarg; break;
        case O_CWD: in.cwd = optarg; break;
        case 'e': strv_add (&in.env, optarg); break;
        case 'u': in.user = optarg; break;
        case 'g': strv_add (&in.gids, optarg); break;
        case 'c': strv_add (&in.caps, optarg); break;
        case O_NNP: in.nnp = true; break;
        case O_APPARMOR: in.apparmor = optarg; break;
        case O_LABEL: in.label = optarg; break;
        case O_PRESERVE:
          {
            uint64_t n = 0;
            if (cli_parse_u64 ("preserve-fds", optarg, 65536, &n, err) < 0)
              goto out;
            o.preserve_fds = (int) n;
            break;
          }
        case O_CGROUP: strv_add (&o.sub_cgroups, optarg); break;
        case 't': in.tty = true; break;
        case 'd': o.detach = true; break;
        case O_IGNORE_PAUSED: o.ignore_paused = true; break;
        default: nr_error (err, 0, "exec: unknown option \"%s\"", argv[optind - 1]); goto out;
        }
    }
  if (argc - optind < 1 || (process_file == NULL && argc - optind < 2))
    {
      nr_error (err, 0, "exec: requires a container id and a command (or --process FILE)");
      goto out;
    }
  o.id = argv[optind];
  if (process_file)
    {
      _cleanup_free_ char *raw = NULL;
      size_t len = 0;
      if (nr_read_file (process_file, 16u << 20, &raw, &len, err) < 0
          || oci_process_parse_data (raw, len, process_file, &proc, err) < 0
          || oci_process_validate (proc, process_file, err) < 0)
        goto out;
      o.process = proc;
    }
  else
    {
      if (nr_container_load_config (&rt, o.id, &cfg, err) < 0 || apply_inline (cfg->process, &in, argc, argv, err) < 0)
        goto out;
      o.process = cfg->process;
    }
  if (o.process->terminal && o.console_socket == NULL && !o.detach)
    o.console_master_out = &console_sock;
  ret = nr_container_exec (&rt, &o, err);
out:
  nr_strvfreep (&in.env);
  nr_strvfreep (&in.gids);
  nr_strvfreep (&in.caps);
  nr_strvfreep (&o.sub_cgroups);
  oci_config_free (cfg);
  oci_process_free (proc);
  return ret;
}
