/* SPDX-License-Identifier: Apache-2.0 */
#include <config.h> /* autoconf; "config.h" would find oci/config.h */
#include "oci/edit.h"
#include "common/cleanup.h"
#include "common/fs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t
strv_len (char *const *v)
{
  size_t n = 0;
  while (v && v[n])
    n++;
  return n;
}

/* Append s (taken) to the NULL-terminated *v. */
static int
strv_push (char ***v, char *s)
{
  size_t n = strv_len (*v);
  char **nv = s ? realloc (*v, (n + 2) * sizeof *nv) : NULL;
  if (nv == NULL)
    {
      free (s);
      return -1;
    }
  nv[n] = s;
  nv[n + 1] = NULL;
  *v = nv;
  return 0;
}

int
oci_mount_add (struct oci_config *c, const char *dest, const char *type, const char *src,
               const char *const *opts, nr_error_t *err)
{
  struct oci_mount *mv = realloc (c->mounts, (c->n_mounts + 1) * sizeof *mv);
  if (mv == NULL)
    return nr_error (err, ENOMEM, "add mount \"%s\"", dest);
  c->mounts = mv;
  struct oci_mount *m = &mv[c->n_mounts];
  memset (m, 0, sizeof *m);
  c->n_mounts++; /* from here oci_config_free releases what m holds */
  m->destination = strdup (dest);
  m->type = type ? strdup (type) : NULL;
  m->source = src ? strdup (src) : NULL;
  if (m->destination == NULL || (type && m->type == NULL) || (src && m->source == NULL))
    return nr_error (err, ENOMEM, "add mount \"%s\"", dest);
  for (const char *const *o = opts; o && *o; o++)
    if (strv_push (&m->options, strdup (*o)) < 0)
      return nr_error (err, ENOMEM, "add mount \"%s\"", dest);
  if (oci_mount_parse_options (m, err) < 0)
    return -1;
  return (int) (c->n_mounts - 1);
}

struct oci_mount *
oci_mount_find (struct oci_config *c, const char *dest)
{
  _cleanup_free_ char *want = nr_path_clean (dest);
  for (size_t i = c->n_mounts; want && i-- > 0;)
    {
      _cleanup_free_ char *have = nr_path_clean (c->mounts[i].destination);
      if (have && strcmp (have, want) == 0)
        return &c->mounts[i];
    }
  return NULL;
}

int
oci_mount_drop_option (struct oci_mount *m, const char *opt, nr_error_t *err)
{
  size_t out = 0;
  for (size_t i = 0; m->options && m->options[i]; i++)
    {
      if (strcmp (m->options[i], opt) == 0)
        free (m->options[i]);
      else
        m->options[out++] = m->options[i];
    }
  if (m->options)
    m->options[out] = NULL;
  return oci_mount_parse_options (m, err);
}

int
oci_env_set (struct oci_process *p, const char *key, const char *value, nr_error_t *err)
{
  char *kv = NULL;
  size_t klen = strlen (key);
  if (asprintf (&kv, "%s=%s", key, value) < 0)
    return nr_error (err, ENOMEM, "set env \"%s\"", key);
  for (char **e = p->env; e && *e; e++)
    if (strncmp (*e, key, klen) == 0 && (*e)[klen] == '=')
      {
        free (*e);
        *e = kv;
        return 0;
      }
  if (strv_push (&p->env, kv) < 0)
    return nr_error (err, ENOMEM, "set env \"%s\"", key);
  return 0;
}

int
oci_annotation_set (struct oci_config *c, const char *key, const char *value, nr_error_t *err)
{
  char *v = strdup (value);
  if (v == NULL)
    return nr_error (err, ENOMEM, "set annotation \"%s\"", key);
  for (char **a = c->annotations; a && a[0]; a += 2)
    if (strcmp (a[0], key) == 0)
      {
        free (a[1]);
        a[1] = v;
        return 0;
      }
  if (strv_push (&c->annotations, strdup (key)) < 0)
    return free (v), nr_error (err, ENOMEM, "set annotation \"%s\"", key);
  if (strv_push (&c->annotations, v) < 0)
    return nr_error (err, ENOMEM, "set annotation \"%s\"", key);
  return 0;
}

int
oci_namespace_add (struct oci_config *c, enum oci_ns_type t, nr_error_t *err)
{
  if (oci_config_ns (c, t) != NULL)
    return 0;
  struct oci_namespace *nv = realloc (c->namespaces, (c->n_namespaces + 1) * sizeof *nv);
  if (nv == NULL)
    return nr_error (err, ENOMEM, "add %s namespace", oci_ns_name (t));
  nv[c->n_namespaces++] = (struct oci_namespace) { .type = t, .path = NULL };
  c->namespaces = nv;
  c->has_linux = true;
  return 0;
}

bool
oci_caps_has (char *const *set, const char *cap)
{
  for (; set && *set; set++)
    if (strcmp (*set, cap) == 0)
      return true;
  return false;
}

/* FILL (a, b): u has a but not b, stored has b: take it */
#define FILL(a, b)                                    \
  do                                                  \
    if (u->has_##a && !u->has_##b && stored->has_##b) \
      {                                               \
        u->has_##b = true;                            \
        u->b = stored->b;                             \
      }                                               \
  while (0)

void
oci_resources_complete_pairs (struct oci_resources *u, const struct oci_resources *stored)
{
  if (stored == NULL)
    return;
  FILL (cpu_quota, cpu_period);
  FILL (cpu_period, cpu_quota);
  FILL (cpu_realtime_runtime, cpu_realtime_period);
  FILL (cpu_realtime_period, cpu_realtime_runtime);
  /* memory -1 alone means memory and swap unlimited: the cgroup writers know */
  if (!(u->has_mem_limit && u->mem_limit == -1))
    FILL (mem_limit, mem_swap);
  FILL (mem_swap, mem_limit);
}
