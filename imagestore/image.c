/* SPDX-License-Identifier: Apache-2.0 */
/* An image in the store: its manifest blob names its config blob, whose
   rootfs.diff_ids give the layers' chain IDs. */
#include "config.h"
#include "imagestore/internal.h"
#include "common/json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
nr_image_def_free (struct nr_image_def *d)
{
  free (d->diff_ids);
  free (d->chain_ids);
  free (d->created);
  free (d->os);
  free (d->arch);
  memset (d, 0, sizeof *d);
}

void
nr_chain_ids (struct nr_image_def *d)
{
  for (size_t i = 0; i < d->n_layers; i++)
    nr_chain_id (i ? d->chain_ids[i - 1] : NULL, d->diff_ids[i], d->chain_ids[i]);
}

int
nr_image_parse_config (const char *buf, size_t len, const char *what, struct nr_image_def *d,
                       nr_error_t *err)
{
  _cleanup_json_ yajl_val root = NULL;
  struct nr_jctx c = { .what = what };
  yajl_val rootfs = NULL, ids = NULL;

  if (nr_json_parse (buf, len, what, &root, err) < 0)
    return -1;
  if (nr_json_str (&c, root, "created", &d->created, err) < 0
      || nr_json_str (&c, root, "os", &d->os, err) < 0
      || nr_json_str (&c, root, "architecture", &d->arch, err) < 0
      || nr_json_obj (&c, root, "rootfs", &rootfs, err) < 0)
    return -1;
  if (rootfs == NULL)
    return nr_jctx_error (&c, "rootfs", err, "missing");
  size_t old = nr_jctx_push (&c, "rootfs");
  if (nr_json_arr (&c, rootfs, "diff_ids", &ids, err) < 0)
    return -1;
  if (ids == NULL)
    return nr_jctx_error (&c, "diff_ids", err, "missing");
  d->n_layers = ids->u.array.len;
  d->diff_ids = calloc (d->n_layers + 1, sizeof *d->diff_ids);
  d->chain_ids = calloc (d->n_layers + 1, sizeof *d->chain_ids);
  if (d->diff_ids == NULL || d->chain_ids == NULL)
    return nr_error (err, ENOMEM, "%s", what);
  for (size_t i = 0; i < d->n_layers; i++)
    {
      yajl_val v = ids->u.array.values[i];
      if (!YAJL_IS_STRING (v) || !nr_digest_valid (v->u.string))
        {
          char k[32];
          snprintf (k, sizeof k, "diff_ids[%zu]", i);
          return nr_jctx_error (&c, k, err, "expected a sha256 digest");
        }
      snprintf (d->diff_ids[i], NR_DIGEST_STR_LEN, "%s", v->u.string);
    }
  nr_jctx_pop (&c, old);
  nr_chain_ids (d);
  return 0;
}

int
nr_image_load (struct nr_imagestore *s, const char *manifest, struct nr_image_def *d, nr_error_t *err)
{
  _cleanup_free_ char *mbuf = NULL, *cbuf = NULL, *cdigest = NULL;
  _cleanup_json_ yajl_val root = NULL;
  size_t mlen = 0, clen = 0;
  yajl_val config = NULL;
  struct nr_jctx c = { .what = "manifest" };

  memset (d, 0, sizeof *d);
  if (nr_blob_get (s, manifest, &mbuf, &mlen, err) < 0
      || nr_json_parse (mbuf, mlen, "manifest", &root, err) < 0
      || nr_json_obj (&c, root, "config", &config, err) < 0)
    return nr_error_wrap (err, "image %s", manifest);
  c.path[0] = '\0';
  nr_jctx_push (&c, "config");
  if (config == NULL || nr_json_str (&c, config, "digest", &cdigest, err) <= 0)
    {
      if (*err == NULL)
        nr_error (err, 0, "manifest has no config digest");
      return nr_error_wrap (err, "image %s", manifest);
    }
  snprintf (d->manifest, sizeof d->manifest, "%s", manifest);
  if (!nr_digest_valid (cdigest))
    return nr_error (err, 0, "image %s: invalid config digest \"%s\"", manifest, cdigest);
  snprintf (d->config, sizeof d->config, "%s", cdigest);
  if (nr_blob_get (s, cdigest, &cbuf, &clen, err) < 0
      || nr_image_parse_config (cbuf, clen, "config", d, err) < 0)
    {
      nr_image_def_free (d);
      return nr_error_wrap (err, "image %s", manifest);
    }
  return 0;
}

static bool
hex_prefix (const char *s)
{
  size_t n = strlen (s);
  if (n < 4 || n > NR_SHA256_HEX_LEN)
    return false;
  return strspn (s, "0123456789abcdef") == n;
}

int
nr_image_resolve (struct nr_imagestore *s, const struct nr_refs *refs, const char *what,
                  char out[NR_DIGEST_STR_LEN], nr_error_t *err)
{
  _cleanup_free_ char *norm = nr_ref_normalize (what);
  const char *hit = NULL;
  const char *hex = strncmp (what, "sha256:", 7) == 0 ? what + 7 : what;

  if (norm && (hit = nr_refs_get (refs, norm)))
    {
      snprintf (out, NR_DIGEST_STR_LEN, "%s", hit);
      return 0;
    }
  if (!hex_prefix (hex))
    return nr_error (err, ENOENT, "no image \"%s\" in the store", what);
  /* a prefix of a manifest digest or of a config digest (docker's image id) */
  for (size_t i = 0; i < refs->n; i++)
    {
      struct nr_image_def d;
      bool match = strncmp (refs->digests[i] + 7, hex, strlen (hex)) == 0;
      if (!match)
        {
          nr_error_t e = NULL;
          if (nr_image_load (s, refs->digests[i], &d, &e) == 0)
            {
              match = strncmp (d.config + 7, hex, strlen (hex)) == 0;
              nr_image_def_free (&d);
            }
          nr_error_free (&e);
        }
      if (!match)
        continue;
      if (hit && strcmp (hit, refs->digests[i]) != 0)
        return nr_error (err, EINVAL, "\"%s\" is ambiguous", what);
      hit = refs->digests[i];
    }
  if (hit == NULL && strlen (hex) == NR_SHA256_HEX_LEN)
    {
      char full[NR_DIGEST_STR_LEN];
      snprintf (full, sizeof full, "sha256:%s", hex);
      if (nr_blob_exists (s, full))
        hit = full, snprintf (out, NR_DIGEST_STR_LEN, "%s", full);
      if (hit)
        return 0;
    }
  if (hit == NULL)
    return nr_error (err, ENOENT, "no image \"%s\" in the store", what);
  snprintf (out, NR_DIGEST_STR_LEN, "%s", hit);
  return 0;
}
