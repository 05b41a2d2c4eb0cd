/* SPDX-License-Identifier: Apache-2.0 */
/* Step "detect": is this container a nest, with which engine, at which depth, which
   images to share.  Recognition, first match wins:
     1. annotation run.nestrun.nested = true|false
     2. process.env NESTRUN_NESTED = 1|0 (true|false)
     3. the runtime was asked for nesting (--nested, argv[0] "nestrun-nested")
     4. the rootfs holds an engine (ENGINES below)
   Recognition never grants privileges: later steps only add shares. */
#include "config.h"
#include "nested/nest.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "imagestore/imagestore.h"
#include "oci/edit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const struct
{
  const char *path;
  enum nr_engine engine;
} ENGINES[] = {
  { "/usr/bin/dockerd", NR_ENGINE_DOCKER },       { "/usr/local/bin/dockerd", NR_ENGINE_DOCKER },
  { "/usr/sbin/dockerd", NR_ENGINE_DOCKER },      { "/usr/bin/podman", NR_ENGINE_PODMAN },
  { "/usr/local/bin/podman", NR_ENGINE_PODMAN },  { "/usr/bin/containerd", NR_ENGINE_CONTAINERD },
  { "/usr/local/bin/containerd", NR_ENGINE_CONTAINERD },
};

const char *
nr_engine_name (enum nr_engine e)
{
  switch (e)
    {
    case NR_ENGINE_DOCKER: return "docker";
    case NR_ENGINE_CONTAINERD: return "containerd";
    case NR_ENGINE_PODMAN: return "podman";
    default: return "none";
    }
}

/* An executable regular file at path, resolved inside the rootfs. */
static bool
is_exec_in_root (int rootfs_fd, const char *path)
{
  nr_error_t e = NULL;
  _cleanup_close_ int fd = nr_openat_in_root (rootfs_fd, path, O_PATH, 0, &e);
  struct stat st;
  nr_error_free (&e);
  return fd >= 0 && fstat (fd, &st) == 0 && S_ISREG (st.st_mode) && (st.st_mode & 0111);
}

enum nr_engine
nr_nest_find_engine (int rootfs_fd)
{
  for (size_t i = 0; rootfs_fd >= 0 && i < NR_ARRAY_SIZE (ENGINES); i++)
    if (is_exec_in_root (rootfs_fd, ENGINES[i].path))
      return ENGINES[i].engine;
  return NR_ENGINE_NONE;
}

/* 1 yes, 0 no, -1 unset; *bad on a value we don't know. */
static int
parse_bool (const char *v, bool *bad)
{
  if (v == NULL)
    return -1;
  if (strcmp (v, "1") == 0 || strcmp (v, "true") == 0)
    return 1;
  if (strcmp (v, "0") == 0 || strcmp (v, "false") == 0)
    return 0;
  *bad = true;
  return -1;
}

int
nr_nest_parse_preload (const char *s, char ***out, nr_error_t *err)
{
  *out = NULL;
  if (s == NULL || *s == '\0' || strcmp (s, "all") == 0)
    return 0;
  _cleanup_free_ char *dup = strdup (s);
  _cleanup_strv_ char **v = calloc (strlen (s) / 2 + 2, sizeof (char *));
  size_t n = 0;
  char *save = NULL;
  if (dup == NULL || v == NULL)
    return nr_error (err, ENOMEM, "preload");
  for (char *t = strtok_r (dup, ",", &save); t; t = strtok_r (NULL, ",", &save))
    {
      t += strspn (t, " \t");
      t[strcspn (t, " \t")] = '\0';
      if (*t == '\0')
        continue;
      if (strcmp (t, "all") == 0)
        return nr_error (err, EINVAL, "preload \"%s\": \"all\" cannot be combined with names", s);
      char *norm = nr_ref_normalize (t);
      if (norm == NULL)
        return nr_error (err, EINVAL, "preload: invalid image name \"%s\"", t);
      v[n++] = norm;
    }
  *out = TAKE_PTR (v);
  return 0;
}

/* Is the config privileged enough for an inner engine (mounts, cgroups, namespaces)? */
static bool
is_privileged (const struct oci_config *c)
{
  const struct oci_capabilities *caps = c->process ? c->process->capabilities : NULL;
  return caps && oci_caps_has (caps->bounding, "CAP_SYS_ADMIN") && oci_caps_has (caps->effective, "CAP_SYS_ADMIN");
}

static int
recognize (struct nr_nest_ctx *x, const struct oci_config *c, nr_error_t *err)
{
  bool bad = false;
  const char *a = oci_config_annotation (c, NR_ANN_NESTED);
  int v = parse_bool (a, &bad);
  if (bad)
    return nr_error (err, EINVAL, "annotation %s: invalid value \"%s\" (true or false)", NR_ANN_NESTED, a);
  if (v >= 0)
    return x->nested = v, x->reason = "annotation", 0;
  const char *e = oci_process_getenv (c->process, NR_ENV_NESTED);
  v = parse_bool (e, &bad);
  if (bad)
    return nr_error (err, EINVAL, "env %s: invalid value \"%s\" (1 or 0)", NR_ENV_NESTED, e);
  if (v >= 0)
    return x->nested = v, x->reason = "env", 0;
  if (x->env->forced)
    return x->nested = true, x->reason = "runtime", 0;
  x->nested = x->engine != NR_ENGINE_NONE;
  x->reason = "engine in rootfs";
  return 0;
}

static int
max_depth (struct nr_nest_ctx *x, const struct oci_config *c, nr_error_t *err)
{
  x->max_depth = x->env->self ? x->env->self->max_depth : x->env->max_depth;
  const char *a = oci_config_annotation (c, NR_ANN_MAX_DEPTH);
  if (a == NULL)
    return 0;
  char *end = NULL;
  unsigned long m = strtoul (a, &end, 10);
  if (*a == '\0' || *end || m == 0 || m > 64)
    return nr_error (err, EINVAL, "annotation %s: invalid value \"%s\"", NR_ANN_MAX_DEPTH, a);
  /* a nest can lower the limit for its children, never raise it */
  if (x->env->self == NULL || m < x->max_depth)
    x->max_depth = (unsigned) m;
  return 0;
}

int
nr_nest_step_detect (struct nr_nest_ctx *x, struct oci_config *c, nr_error_t *err)
{
  x->engine = nr_nest_find_engine (x->rootfs_fd);
  if (recognize (x, c, err) < 0)
    return -1;
  if (!x->nested)
    return 0;
  x->depth = (x->env->self ? x->env->self->depth : 0) + 1;
  if (max_depth (x, c, err) < 0)
    return -1;
  if (x->depth > x->max_depth)
    return nr_error (err, 0,
                     "nesting depth %u exceeds the maximum %u (NESTRUN_MAX_DEPTH on the host, "
                     "run.nestrun.max-depth on a nest)",
                     x->depth, x->max_depth);
  if (x->engine == NR_ENGINE_NONE)
    x->engine = NR_ENGINE_DOCKER; /* asked for, no engine found: prepare docker's layout */
  x->privileged = is_privileged (c);
  const char *p = oci_config_annotation (c, NR_ANN_PRELOAD);
  if (p == NULL)
    p = oci_process_getenv (c->process, NR_ENV_PRELOAD);
  return nr_nest_parse_preload (p, &x->preload, err);
}
