/* SPDX-License-Identifier: Apache-2.0 */
/* config.json "process" (also a bare process object: exec --process). */
#include <config.h> /* autoconf; "config.h" would find oci/config.h */
#include "oci/config_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static const struct
{
  const char *name;
  int resource;
} rlimit_names[] = {
  { "RLIMIT_AS", RLIMIT_AS },
  { "RLIMIT_CORE", RLIMIT_CORE },
  { "RLIMIT_CPU", RLIMIT_CPU },
  { "RLIMIT_DATA", RLIMIT_DATA },
  { "RLIMIT_FSIZE", RLIMIT_FSIZE },
  { "RLIMIT_LOCKS", RLIMIT_LOCKS },
  { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },
  { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
  { "RLIMIT_NICE", RLIMIT_NICE },
  { "RLIMIT_NOFILE", RLIMIT_NOFILE },
  { "RLIMIT_NPROC", RLIMIT_NPROC },
  { "RLIMIT_RSS", RLIMIT_RSS },
  { "RLIMIT_RTPRIO", RLIMIT_RTPRIO },
  { "RLIMIT_RTTIME", RLIMIT_RTTIME },
  { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
  { "RLIMIT_STACK", RLIMIT_STACK },
};

static int
rlimit_from_name (const char *name)
{
  for (size_t i = 0; i < NR_ARRAY_SIZE (rlimit_names); i++)
    if (strcmp (rlimit_names[i].name, name) == 0)
      return rlimit_names[i].resource;
  return -1;
}

static int
parse_rlimit (struct nr_jctx *c, yajl_val o, void *elem, nr_error_t *err)
{
  struct oci_rlimit *rl = elem;
  if (oci_required (c, nr_json_str (c, o, "type", &rl->type, err), "type", err) < 0
      || oci_required (c, nr_json_u64 (c, o, "hard", &rl->hard, err), "hard", err) < 0
      || oci_required (c, nr_json_u64 (c, o, "soft", &rl->soft, err), "soft", err) < 0)
    return -1;
  rl->resource = rlimit_from_name (rl->type);
  if (rl->resource < 0)
    return nr_jctx_error (c, "type", err, "unknown rlimit \"%s\"", rl->type);
  return 0;
}

static int
parse_user (struct nr_jctx *c, yajl_val o, void *arg, nr_error_t *err)
{
  struct oci_user *u = arg;
  int r;
  if (nr_json_u32 (c, o, "uid", &u->uid, err) < 0 || nr_json_u32 (c, o, "gid", &u->gid, err) < 0)
    return -1;
  r = nr_json_u32 (c, o, "umask", &u->umask, err);
  if (r < 0)
    return r;
  u->has_umask = r > 0;
  if (oci_json_u32v (c, o, "additionalGids", &u->additional_gids, &u->n_additional_gids, err) < 0)
    return -1;
  return nr_json_str (c, o, "username", &u->username, err);
}

static int
parse_caps (struct nr_jctx *c, yajl_val o, void *arg, nr_error_t *err)
{
  struct oci_process *p = arg;
  p->capabilities = calloc (1, sizeof *p->capabilities);
  if (p->capabilities == NULL)
    return nr_error (err, ENOMEM, "capabilities");
  struct oci_capabilities *caps = p->capabilities;
  if (nr_json_strv (c, o, "bounding", &caps->bounding, err) < 0
      || nr_json_strv (c, o, "effective", &caps->effective, err) < 0
      || nr_json_strv (c, o, "inheritable", &caps->inheritable, err) < 0
      || nr_json_strv (c, o, "permitted", &caps->permitted, err) < 0
      || nr_json_strv (c, o, "ambient", &caps->ambient, err) < 0)
    return -1;
  return 0;
}

static int
parse_console_size (struct nr_jctx *c, yajl_val o, void *arg, nr_error_t *err)
{
  struct oci_process *p = arg;
  if (oci_required (c, nr_json_u32 (c, o, "height", &p->console_height, err), "height", err) < 0
      || oci_required (c, nr_json_u32 (c, o, "width", &p->console_width, err), "width", err) < 0)
    return -1;
  p->has_console_size = true;
  return 0;
}

static int
parse_io_priority (struct nr_jctx *c, yajl_val o, void *arg, nr_error_t *err)
{
  struct oci_io_priority *io = arg;
  if (oci_required (c, nr_json_str (c, o, "class", &io->class_, err), "class", err) < 0
      || nr_json_int (c, o, "priority", &io->priority, err) < 0)
    return -1;
  io->set = true;
  return 0;
}

static int
parse_scheduler (struct nr_jctx *c, yajl_val o, void *arg, nr_error_t *err)
{
  struct oci_scheduler *s = arg;
  if (oci_required (c, nr_json_str (c, o, "policy", &s->policy, err), "policy", err) < 0
      || nr_json_int (c, o, "nice", &s->nice, err) < 0 || nr_json_int (c, o, "priority", &s->priority, err) < 0
      || nr_json_strv (c, o, "flags", &s->flags, err) < 0 || nr_json_u64 (c, o, "runtime", &s->runtime, err) < 0
      || nr_json_u64 (c, o, "deadline", &s->deadline, err) < 0
      || nr_json_u64 (c, o, "period", &s->period, err) < 0)
    return -1;
  s->set = true;
  return 0;
}

static int
parse_cpu_affinity (struct nr_jctx *c, yajl_val o, void *arg, nr_error_t *err)
{
  struct oci_process *p = arg;
  if (nr_json_str (c, o, "initial", &p->exec_cpu_affinity_initial_s, err) < 0
      || nr_json_str (c, o, "final", &p->exec_cpu_affinity_final_s, err) < 0)
    return -1;
  return 0;
}

static int
parse_process_security (struct nr_jctx *c, yajl_val o, struct oci_process *p, nr_error_t *err)
{
  int r;
  if (oci_parse_sub (c, o, "capabilities", parse_caps, p, err) < 0
      || nr_json_bool (c, o, "noNewPrivileges", &p->no_new_privileges, err) < 0
      || nr_json_str (c, o, "apparmorProfile", &p->apparmor_profile, err) < 0
      || nr_json_str (c, o, "selinuxLabel", &p->selinux_label, err) < 0)
    return -1;
  r = nr_json_int (c, o, "oomScoreAdj", &p->oom_score_adj, err);
  if (r < 0)
    return r;
  p->has_oom_score_adj = r > 0;
  return 0;
}

int
oci_parse_process (struct nr_jctx *c, yajl_val o, struct oci_process *p, nr_error_t *err)
{
  if (nr_json_bool (c, o, "terminal", &p->terminal, err) < 0
      || oci_parse_sub (c, o, "consoleSize", parse_console_size, p, err) < 0
      || oci_parse_sub (c, o, "user", parse_user, &p->user, err) < 0
      || nr_json_strv (c, o, "args", &p->args, err) < 0
      || nr_json_str (c, o, "commandLine", &p->command_line, err) < 0
      || nr_json_strv (c, o, "env", &p->env, err) < 0 || nr_json_str (c, o, "cwd", &p->cwd, err) < 0
      || oci_parse_objv (c, o, "rlimits", sizeof (struct oci_rlimit), (void **) &p->rlimits, &p->n_rlimits,
                         parse_rlimit, err)
             < 0
      || parse_process_security (c, o, p, err) < 0
      || oci_parse_sub (c, o, "ioPriority", parse_io_priority, &p->io_priority, err) < 0
      || oci_parse_sub (c, o, "scheduler", parse_scheduler, &p->scheduler, err) < 0
      || oci_parse_sub (c, o, "execCPUAffinity", parse_cpu_affinity, p, err) < 0)
    return -1;
  return 0;
}

int
oci_process_parse_data (const char *buf, size_t len, const char *what, struct oci_process **out,
                        nr_error_t *err)
{
  _cleanup_json_ yajl_val root = NULL;
  struct nr_jctx c = { .what = what ? what : "process.json" };

  if (nr_json_parse (buf, len, c.what, &root, err) < 0)
    return -1;
  if (!YAJL_IS_OBJECT (root))
    return nr_error (err, 0, "%s: expected a JSON object, got %s", c.what, nr_json_type_name (root));
  struct oci_process *p = calloc (1, sizeof *p);
  if (p == NULL)
    return nr_error (err, ENOMEM, "%s", c.what);
  if (oci_parse_process (&c, root, p, err) < 0)
    {
      oci_process_free (p);
      return -1;
    }
  *out = p;
  return 0;
}

static void
caps_free (struct oci_capabilities *caps)
{
  if (caps == NULL)
    return;
  oci_strv_free (caps->bounding);
  oci_strv_free (caps->effective);
  oci_strv_free (caps->inheritable);
  oci_strv_free (caps->permitted);
  oci_strv_free (caps->ambient);
  free (caps);
}

void
oci_process_free (struct oci_process *p)
{
  if (p == NULL)
    return;
  free (p->user.additional_gids);
  free (p->user.username);
  oci_strv_free (p->args);
  free (p->command_line);
  oci_strv_free (p->env);
  free (p->cwd);
  caps_free (p->capabilities);
  for (size_t i = 0; i < p->n_rlimits; i++)
    free (p->rlimits[i].type);
  free (p->rlimits);
  free (p->apparmor_profile);
  free (p->selinux_label);
  free (p->io_priority.class_);
  free (p->scheduler.policy);
  oci_strv_free (p->scheduler.flags);
  oci_strv_free (p->exec_cpu_affinity_initial);
  free (p->exec_cpu_affinity_initial_s);
  free (p->exec_cpu_affinity_final_s);
  free (p);
}
