/* SPDX-License-Identifier: Apache-2.0 */
/* refs.json: name:tag → image manifest digest.  Replaced whole by rename under
   refs.lock, so readers need no lock and never see half a file. */
#include "config.h"
#include "imagestore/internal.h"
#include "common/fs.h"
#include "common/json.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define REFS_FILE "refs.json"

void
nr_refs_free (struct nr_refs *r)
{
  for (size_t i = 0; i < r->n; i++)
    {
      free (r->names[i]);
      free (r->digests[i]);
    }
  free (r->names);
  free (r->digests);
  memset (r, 0, sizeof *r);
}

/* Docker's reference grammar, loosely: lowercase path components of [a-z0-9._-]
   (a registry host may have uppercase, digits and a :port), a tag of [A-Za-z0-9_.-]. */
bool
nr_ref_valid (const char *ref)
{
  size_t len = strlen (ref);
  if (len == 0 || len > 255)
    return false;
  const char *colon = strrchr (ref, ':');
  const char *slash = strrchr (ref, '/');
  if (colon == NULL || (slash && colon < slash))
    return false;
  if (colon[1] == '\0' || strlen (colon + 1) > 128 || colon[1] == '.' || colon[1] == '-')
    return false;
  for (const char *p = colon + 1; *p; p++)
    if (!isalnum ((unsigned char) *p) && *p != '_' && *p != '.' && *p != '-')
      return false;
  char prev = '/';
  const char *first_slash = strchr (ref, '/');
  for (const char *p = ref; p < colon; p++)
    {
      /* a ':' only for a registry's port, in the first of several components */
      if (*p == ':' && (first_slash == NULL || p > first_slash
                        || strspn (p + 1, "0123456789") != (size_t) (first_slash - p - 1)))
        return false;
      bool sep = *p == '/' || *p == '.' || *p == '_' || *p == '-' || *p == ':';
      if (!isalnum ((unsigned char) *p) && !sep)
        return false;
      if (*p == '/' && (prev == '/' || prev == '.'))
        return false;
      if (*p == '.' && prev == '.')
        return false;
      prev = *p;
    }
  return prev != '/' && ref[0] != '/' && ref[0] != '.';
}

char *
nr_ref_normalize (const char *ref)
{
  static const char *const prefixes[] = { "docker.io/library/", "docker.io/",
                                          "index.docker.io/library/", "index.docker.io/" };
  char *out = NULL;
  for (size_t i = 0; i < NR_ARRAY_SIZE (prefixes); i++)
    if (strncmp (ref, prefixes[i], strlen (prefixes[i])) == 0)
      {
        ref += strlen (prefixes[i]);
        break;
      }
  const char *slash = strrchr (ref, '/');
  const char *colon = strrchr (ref, ':');
  if (strchr (ref, '@'))
    return NULL;
  if (colon == NULL || (slash && colon < slash))
    {
      if (asprintf (&out, "%s:latest", ref) < 0)
        return NULL;
    }
  else
    out = strdup (ref);
  if (out && !nr_ref_valid (out))
    {
      free (out);
      return NULL;
    }
  return out;
}

int
nr_refs_load (struct nr_imagestore *s, struct nr_refs *r, nr_error_t *err)
{
  _cleanup_free_ char *buf = NULL;
  _cleanup_json_ yajl_val root = NULL;
  size_t len = 0;
  yajl_val map = NULL;
  struct nr_jctx c = { .what = REFS_FILE };

  memset (r, 0, sizeof *r);
  if (nr_read_file_at (s->dirfd, REFS_FILE, s->limits.max_json, &buf, &len, err) < 0)
    {
      if ((*err)->status != ENOENT)
        return nr_error_wrap (err, "image store \"%s\"", s->path);
      nr_error_free (err);
      return 0;
    }
  if (nr_json_parse (buf, len, REFS_FILE, &root, err) < 0 || nr_json_obj (&c, root, "refs", &map, err) < 0)
    return nr_error_wrap (err, "image store \"%s\"", s->path);
  if (map == NULL)
    return 0;
  size_t n = map->u.object.len;
  r->names = calloc (n + 1, sizeof (char *));
  r->digests = calloc (n + 1, sizeof (char *));
  if (r->names == NULL || r->digests == NULL)
    return nr_error (err, ENOMEM, "load refs");
  for (size_t i = 0; i < n; i++)
    {
      yajl_val v = map->u.object.values[i];
      if (!YAJL_IS_STRING (v) || !nr_digest_valid (v->u.string))
        {
          nr_refs_free (r);
          return nr_error (err, 0, "image store \"%s\": %s: ref \"%s\": invalid digest", s->path,
                           REFS_FILE, map->u.object.keys[i]);
        }
      r->names[r->n] = strdup (map->u.object.keys[i]);
      r->digests[r->n] = strdup (v->u.string);
      r->n++;
      if (r->names[r->n - 1] == NULL || r->digests[r->n - 1] == NULL)
        return nr_error (err, ENOMEM, "load refs");
    }
  return 0;
}

const char *
nr_refs_get (const struct nr_refs *r, const char *name)
{
  for (size_t i = 0; i < r->n; i++)
    if (strcmp (r->names[i], name) == 0)
      return r->digests[i];
  return NULL;
}

static int
refs_save (struct nr_imagestore *s, const struct nr_refs *r, nr_error_t *err)
{
  yajl_gen g = nr_jgen_new (true);
  if (g == NULL)
    return nr_error (err, ENOMEM, "save refs");
  yajl_gen_map_open (g);
  nr_jgen_key (g, "refs");
  yajl_gen_map_open (g);
  for (size_t i = 0; i < r->n; i++)
    if (r->names[i])
      nr_jgen_kstr (g, r->names[i], r->digests[i]);
  yajl_gen_map_close (g);
  yajl_gen_map_close (g);
  size_t len = 0;
  _cleanup_free_ char *buf = nr_jgen_finish (g, &len);
  if (buf == NULL)
    return nr_error (err, ENOMEM, "save refs");
  if (nr_write_file_atomic_at (s->dirfd, REFS_FILE, buf, len, 0644, err) < 0)
    return nr_error_wrap (err, "image store \"%s\"", s->path);
  return 0;
}

static int
refs_apply (struct nr_refs *r, const char *name, const char *digest, nr_error_t *err)
{
  for (size_t i = 0; i < r->n; i++)
    if (strcmp (r->names[i], name) == 0)
      {
        free (r->digests[i]);
        r->digests[i] = NULL;
        if (digest == NULL)
          {
            free (r->names[i]);
            r->names[i] = NULL;
            return 0;
          }
        return (r->digests[i] = strdup (digest)) ? 0 : nr_error (err, ENOMEM, "set ref");
      }
  if (digest == NULL)
    return nr_error (err, ENOENT, "no image \"%s\" in the store", name);
  char **nn = realloc (r->names, (r->n + 2) * sizeof (char *));
  if (nn)
    r->names = nn;
  char **nd = realloc (r->digests, (r->n + 2) * sizeof (char *));
  if (nd)
    r->digests = nd;
  if (nn == NULL || nd == NULL)
    return nr_error (err, ENOMEM, "set ref");
  r->names[r->n] = strdup (name);
  r->digests[r->n] = strdup (digest);
  r->n++;
  if (r->names[r->n - 1] == NULL || r->digests[r->n - 1] == NULL)
    return nr_error (err, ENOMEM, "set ref");
  return 0;
}

int
nr_refs_set (struct nr_imagestore *s, const char *name, const char *digest, nr_error_t *err)
{
  struct nr_refs r;
  int ret = -1;

  if (!nr_ref_valid (name))
    return nr_error (err, EINVAL, "invalid reference \"%s\"", name);
  if (digest && !nr_digest_valid (digest))
    return nr_error (err, EINVAL, "ref \"%s\": invalid digest \"%s\"", name, digest);
  _cleanup_close_ int lock = nr_store_lock_refs (s, err);
  if (lock < 0)
    return -1;
  if (nr_refs_load (s, &r, err) < 0)
    return -1;
  if (refs_apply (&r, name, digest, err) == 0)
    ret = refs_save (s, &r, err);
  nr_refs_free (&r);
  return ret;
}
