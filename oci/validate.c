/* SPDX-License-Identifier: Apache-2.0 */
/* Semantic checks of a parsed config: the runtime-spec MUSTs and runc's
   validator (libcontainer/configs/validate).  This file: version, root,
   process, mounts, hooks; validate_linux.c has the "linux" section.
   Every message names the field: config.json: "process.cwd": … */
#include <config.h> /* autoconf; "config.h" would find oci/config.h */
#include "oci/config_internal.h"
#include "common/log.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- ociVersion --------------------------------------------------------- */

/* "MAJOR.MINOR.PATCH" with an optional -pre-release and +build part (SemVer 2). */
static bool
parse_semver (const char *v, unsigned long *major)
{
  const char *p = v;
  for (int part = 0; part < 3; part++)
    {
      if (!isdigit ((unsigned char) *p))
        return false;
      char *end = NULL;
      errno = 0;
      unsigned long n = strtoul (p, &end, 10);
      if (errno != 0 || (p[0] == '0' && end - p > 1))
        return false;
      if (part == 0)
        *major = n;
      p = end;
      if (part < 2 && *p++ != '.')
        return false;
    }
  if (*p != '\0' && *p != '-' && *p != '+')
    return false;
  for (const char *q = p; *q; q++)
    if (!isalnum ((unsigned char) *q) && strchr ("-+.", *q) == NULL)
      return false;
  return *p == '\0' || p[1] != '\0';
}

static int
validate_version (struct nr_jctx *c, const char *v, nr_error_t *err)
{
  unsigned long major = 0;
  if (v == NULL || v[0] == '\0')
    return nr_jctx_error (c, "ociVersion", err, "required field is missing");
  if (!parse_semver (v, &major))
    return nr_jctx_error (c, "ociVersion", err, "\"%s\" is not a SemVer version", v);
  /* 0.x are the pre-1.0 drafts the spec's own examples still carry */
  if (major > 1)
    return nr_jctx_error (c, "ociVersion", err, "version %s is not supported (want 1.x)", v);
  return 0;
}

/* ---- root --------------------------------------------------------------- */

static int
validate_root (struct nr_jctx *c, const struct oci_config *cfg, const char *bundle_dir, nr_error_t *err)
{
  struct stat st;
  _cleanup_free_ char *full = NULL;

  if (cfg->root_path == NULL || cfg->root_path[0] == '\0')
    return nr_jctx_error (c, "root.path", err, "required field is missing");
  if (bundle_dir == NULL)
    return 0;
  if (oci_path_is_abs (cfg->root_path))
    full = strdup (cfg->root_path);
  else if (asprintf (&full, "%s/%s", bundle_dir, cfg->root_path) < 0)
    full = NULL;
  if (full == NULL)
    return nr_error (err, ENOMEM, "root.path");
  if (stat (full, &st) < 0)
    return nr_error (err, errno, "%s: \"root.path\": rootfs \"%s\"", c->what, full);
  if (!S_ISDIR (st.st_mode))
    return nr_error (err, ENOTDIR, "%s: \"root.path\": rootfs \"%s\"", c->what, full);
  return 0;
}

/* ---- process ------------------------------------------------------------ */

static int
validate_env (struct nr_jctx *c, char **env, nr_error_t *err)
{
  for (size_t i = 0; env && env[i]; i++)
    {
      const char *eq = strchr (env[i], '=');
      char key[32];
      snprintf (key, sizeof key, "env[%zu]", i);
      if (eq == NULL)
        return nr_jctx_error (c, key, err, "invalid environment variable \"%s\": missing '='", env[i]);
      if (eq == env[i])
        return nr_jctx_error (c, key, err, "invalid environment variable \"%s\": empty name", env[i]);
    }
  return 0;
}

static int
validate_rlimits (struct nr_jctx *c, const struct oci_process *p, nr_error_t *err)
{
  for (size_t i = 0; i < p->n_rlimits; i++)
    {
      const struct oci_rlimit *rl = &p->rlimits[i];
      char key[32];
      snprintf (key, sizeof key, "rlimits[%zu]", i);
      if (rl->soft > rl->hard)
        return nr_jctx_error (c, key, err, "%s: soft limit %" PRIu64 " is greater than hard limit %" PRIu64,
                              rl->type, rl->soft, rl->hard);
      for (size_t j = 0; j < i; j++)
        if (p->rlimits[j].resource == rl->resource)
          return nr_jctx_error (c, key, err, "duplicate rlimit %s", rl->type);
    }
  return 0;
}

static const char *const sched_policies[] = {
  "SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH", "SCHED_ISO", "SCHED_IDLE", "SCHED_DEADLINE", NULL,
};
static const char *const sched_flags[] = {
  "SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM",        "SCHED_FLAG_DL_OVERRUN",     "SCHED_FLAG_KEEP_POLICY",
  "SCHED_FLAG_KEEP_PARAMS",   "SCHED_FLAG_UTIL_CLAMP_MIN", "SCHED_FLAG_UTIL_CLAMP_MAX", NULL,
};

/* runc's rules (validator.go scheduler()), after sched_setattr(2). */
static int
validate_scheduler (struct nr_jctx *c, const struct oci_scheduler *s, nr_error_t *err)
{
  if (!s->set)
    return 0;
  if (!oci_in_list (s->policy, sched_policies))
    return nr_jctx_error (c, "scheduler.policy", err, "unknown policy \"%s\"", s->policy);
  if (s->nice < -20 || s->nice > 19)
    return nr_jctx_error (c, "scheduler.nice", err, "%d is out of range (-20 to 19)", s->nice);
  if (s->priority != 0 && strcmp (s->policy, "SCHED_FIFO") != 0 && strcmp (s->policy, "SCHED_RR") != 0)
    return nr_jctx_error (c, "scheduler.priority", err, "only valid with SCHED_FIFO or SCHED_RR");
  if ((s->runtime || s->deadline || s->period) && strcmp (s->policy, "SCHED_DEADLINE") != 0)
    return nr_jctx_error (c, "scheduler", err, "runtime, deadline and period are only valid with SCHED_DEADLINE");
  for (size_t i = 0; s->flags && s->flags[i]; i++)
    if (!oci_in_list (s->flags[i], sched_flags))
      return nr_jctx_error (c, "scheduler.flags", err, "unknown flag \"%s\"", s->flags[i]);
  return 0;
}

static int
validate_io_priority (struct nr_jctx *c, const struct oci_io_priority *io, nr_error_t *err)
{
  static const char *const classes[] = { "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE", NULL };
  if (!io->set)
    return 0;
  if (!oci_in_list (io->class_, classes))
    return nr_jctx_error (c, "ioPriority.class", err, "unknown class \"%s\"", io->class_);
  if (io->priority < 0 || io->priority > 7)
    return nr_jctx_error (c, "ioPriority.priority", err, "%d is out of range (0 to 7)", io->priority);
  return 0;
}

static int
validate_cpu_list (struct nr_jctx *c, const char *key, const char *s, nr_error_t *err)
{
  if (s && s[strspn (s, "0123456789, -")] != '\0')
    return nr_jctx_error (c, key, err, "invalid CPU list \"%s\"", s);
  return 0;
}

int
oci_validate_process (struct nr_jctx *c, const struct oci_process *p, nr_error_t *err)
{
  if (p->args == NULL || p->args[0] == NULL)
    return nr_jctx_error (c, "args", err, "must not be empty");
  if (p->cwd == NULL || p->cwd[0] == '\0')
    return nr_jctx_error (c, "cwd", err, "required field is missing");
  if (!oci_path_is_abs (p->cwd))
    return nr_jctx_error (c, "cwd", err, "\"%s\" is not an absolute path", p->cwd);
  if (p->has_oom_score_adj && (p->oom_score_adj < -1000 || p->oom_score_adj > 1000))
    return nr_jctx_error (c, "oomScoreAdj", err, "%d is out of range (-1000 to 1000)", p->oom_score_adj);
  if (validate_env (c, p->env, err) < 0 || validate_rlimits (c, p, err) < 0
      || validate_scheduler (c, &p->scheduler, err) < 0 || validate_io_priority (c, &p->io_priority, err) < 0
      || validate_cpu_list (c, "execCPUAffinity.initial", p->exec_cpu_affinity_initial_s, err) < 0
      || validate_cpu_list (c, "execCPUAffinity.final", p->exec_cpu_affinity_final_s, err) < 0)
    return -1;
  return 0;
}

int
oci_process_validate (const struct oci_process *p, const char *what, nr_error_t *err)
{
  struct nr_jctx c = { .what = what ? what : "process.json" };
  return oci_validate_process (&c, p, err);
}

/* ---- mounts, hooks ------------------------------------------------------ */

static int
validate_mount (struct nr_jctx *c, const struct oci_mount *m, nr_error_t *err)
{
  if (m->destination == NULL || m->destination[0] == '\0')
    return nr_jctx_error (c, "destination", err, "required field is missing");
  if (m->idmap)
    return nr_jctx_error (c, "options", err, "idmapped mounts (\"idmap\", \"ridmap\") are not supported");
  if (m->has_id_mappings)
    return nr_jctx_error (c, NULL, err, "uidMappings/gidMappings (idmapped mounts) are not supported");
  /* runc 1.1 and later: a warning, the path is taken relative to "/" */
  if (!oci_path_is_abs (m->destination))
    nr_warn ("%s: \"%s.destination\": relative mount destination \"%s\" is deprecated, using it as relative to /",
             c->what, c->path, m->destination);
  return 0;
}

static int
validate_mounts (struct nr_jctx *c, const struct oci_config *cfg, nr_error_t *err)
{
  size_t old = nr_jctx_push (c, "mounts");
  int r = 0;
  for (size_t i = 0; r == 0 && i < cfg->n_mounts; i++)
    {
      size_t old_i = nr_jctx_push_index (c, i);
      r = validate_mount (c, &cfg->mounts[i], err);
      nr_jctx_pop (c, old_i);
    }
  nr_jctx_pop (c, old);
  return r;
}

static const char *const hook_names[OCI_HOOK_KIND_COUNT] = {
  "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
};

static int
validate_hooks (struct nr_jctx *c, const struct oci_hooks *h, nr_error_t *err)
{
  for (int k = 0; k < OCI_HOOK_KIND_COUNT; k++)
    for (size_t i = 0; i < h->n[k]; i++)
      {
        const struct oci_hook *hook = &h->hooks[k][i];
        char key[64];
        snprintf (key, sizeof key, "hooks.%s[%zu]", hook_names[k], i);
        size_t old = nr_jctx_push (c, key);
        int r = 0;
        if (!oci_path_is_abs (hook->path))
          r = nr_jctx_error (c, "path", err, "\"%s\" is not an absolute path", hook->path ? hook->path : "");
        else if (hook->has_timeout && hook->timeout <= 0)
          r = nr_jctx_error (c, "timeout", err, "must be greater than zero, got %d", hook->timeout);
        nr_jctx_pop (c, old);
        if (r < 0)
          return r;
      }
  return 0;
}

/* runc's uts() check: without a UTS namespace these would change the host's names. */
static int
validate_uts (struct nr_jctx *c, const struct oci_config *cfg, nr_error_t *err)
{
  if (oci_config_ns (cfg, OCI_NS_UTS) != NULL)
    return 0;
  if (cfg->hostname && cfg->hostname[0])
    return nr_jctx_error (c, "hostname", err, "cannot set the hostname without a private UTS namespace");
  if (cfg->domainname && cfg->domainname[0])
    return nr_jctx_error (c, "domainname", err, "cannot set the domainname without a private UTS namespace");
  return 0;
}

int
oci_config_validate (const struct oci_config *cfg, const char *bundle_dir, nr_error_t *err)
{
  struct nr_jctx c = { .what = OCI_CONFIG_WHAT };

  if (validate_version (&c, cfg->oci_version, err) < 0 || validate_root (&c, cfg, bundle_dir, err) < 0)
    return -1;
  if (cfg->process)
    {
      size_t old = nr_jctx_push (&c, "process");
      int r = oci_validate_process (&c, cfg->process, err);
      nr_jctx_pop (&c, old);
      if (r < 0)
        return r;
    }
  if (validate_uts (&c, cfg, err) < 0 || validate_mounts (&c, cfg, err) < 0
      || validate_hooks (&c, &cfg->hooks, err) < 0)
    return -1;
  return oci_validate_linux (cfg, bundle_dir, err);
}
