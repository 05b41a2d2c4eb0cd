/* SPDX-License-Identifier: Apache-2.0 */
/* From a source's small files to a plan: which images, their configs and manifests,
   and for each layer where its bytes are and which diffID / chain ID they must give.
   Docker-save archives (manifest.json; also written by Docker 25+ beside its OCI
   layout) and OCI image layouts (index.json) are both read here. */
#include "config.h"
#include "imagestore/import.h"
#include "common/fs.h"
#include "common/json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

static const char *const layer_types[] = {
  "application/vnd.oci.image.layer.v1.tar",
  "application/vnd.oci.image.layer.v1.tar+gzip",
  "application/vnd.oci.image.layer.v1.tar+zstd",
  "application/vnd.oci.image.layer.nondistributable.v1.tar",
  "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
  "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
  "application/vnd.docker.image.rootfs.diff.tar",
  "application/vnd.docker.image.rootfs.diff.tar.gzip",
  "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
};

#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"

bool
imp_media_type_ok (const char *mt)
{
  for (size_t i = 0; i < NR_ARRAY_SIZE (layer_types); i++)
    if (strcmp (mt, layer_types[i]) == 0)
      return true;
  return false;
}

void
imp_blob_path (const char *digest, char out[96])
{
  snprintf (out, 96, "blobs/sha256/%s", digest + 7);
}

const struct imp_file *
imp_file_get (struct imp *im, const char *name)
{
  for (size_t i = 0; i < im->n_files; i++)
    if (strcmp (im->files[i].name, name) == 0)
      return &im->files[i];
  if (im->dirfd < 0)
    return NULL;
  /* an OCI layout directory: read on demand (names come from our own checked digests
     or fixed names, never from the source) */
  nr_error_t e = NULL;
  char *data = NULL;
  size_t len = 0;
  if (nr_read_file_at (im->dirfd, name, im->s->limits.max_json, &data, &len, &e) < 0)
    {
      nr_error_free (&e);
      return NULL;
    }
  struct imp_file *nf = realloc (im->files, (im->n_files + 1) * sizeof *nf);
  if (nf == NULL)
    {
      free (data);
      return NULL;
    }
  im->files = nf;
  im->files[im->n_files] = (struct imp_file) { strdup (name), data, len };
  return &im->files[im->n_files++];
}

static int
get_json (struct imp *im, const char *name, const char *digest, yajl_val *out, nr_error_t *err)
{
  const struct imp_file *f = imp_file_get (im, name);
  char got[NR_DIGEST_STR_LEN];
  if (f == NULL)
    return nr_error (err, ENOENT, "missing \"%s\"", name);
  if (digest)
    {
      nr_sha256_digest (f->data, f->len, got);
      if (strcmp (got, digest) != 0)
        return nr_error (err, 0, "\"%s\": digest mismatch: expected %s, got %s", name, digest, got);
    }
  return nr_json_parse (f->data, f->len, name, out, err);
}

void
imp_plan_free (struct imp *im)
{
  for (size_t i = 0; i < im->n_images; i++)
    {
      struct plan_image *p = &im->images[i];
      nr_strvfreep (&p->refs);
      free (p->label);
      free (p->config);
      free (p->manifest);
      nr_image_def_free (&p->def);
      for (size_t j = 0; j < p->n_layers; j++)
        {
          free (p->layers[j].source);
          free (p->layers[j].media_type);
        }
      free (p->layers);
    }
  free (im->images);
  im->images = NULL;
  im->n_images = 0;
}

static struct plan_image *
new_image (struct imp *im)
{
  struct plan_image *n = realloc (im->images, (im->n_images + 1) * sizeof *n);
  if (n == NULL)
    return NULL;
  im->images = n;
  memset (&n[im->n_images], 0, sizeof *n);
  return &n[im->n_images++];
}

static int
add_ref (struct plan_image *p, const char *ref, nr_error_t *err)
{
  _cleanup_free_ char *norm = nr_ref_normalize (ref);
  size_t n = 0;
  if (norm == NULL)
    return nr_error (err, EINVAL, "invalid reference \"%s\"", ref);
  while (p->refs && p->refs[n])
    if (strcmp (p->refs[n++], norm) == 0)
      return 0;
  char **v = realloc (p->refs, (n + 2) * sizeof (char *));
  if (v == NULL)
    return nr_error (err, ENOMEM, "ref");
  p->refs = v;
  v[n] = TAKE_PTR (norm);
  v[n + 1] = NULL;
  return 0;
}

static uint64_t
entry_size (struct imp *im, const char *name)
{
  for (size_t i = 0; i < im->n_entries; i++)
    if (strcmp (im->entries[i].name, name) == 0)
      return im->entries[i].size;
  return 0;
}

/* Config bytes → def (diff_ids, chain IDs), checked against the layer count. */
static int
take_config (struct imp *im, struct plan_image *p, const char *name, const char *digest,
             size_t n_layers, nr_error_t *err)
{
  const struct imp_file *f = imp_file_get (im, name);
  if (f == NULL)
    return nr_error (err, ENOENT, "config \"%s\" is missing from the source", name);
  p->config = malloc (f->len ? f->len : 1);
  if (p->config == NULL)
    return nr_error (err, ENOMEM, "config");
  memcpy (p->config, f->data, f->len);
  p->config_len = f->len;
  nr_sha256_digest (p->config, p->config_len, p->def.config);
  if (digest && strcmp (digest, p->def.config) != 0)
    return nr_error (err, 0, "config \"%s\": digest mismatch: expected %s, got %s", name, digest,
                     p->def.config);
  if (nr_image_parse_config (p->config, p->config_len, name, &p->def, err) < 0)
    return -1;
  if (p->def.n_layers != n_layers)
    return nr_error (err, 0, "config \"%s\" lists %zu diff_ids for %zu layers", name, p->def.n_layers,
                     n_layers);
  p->label = strdup (p->refs && p->refs[0] ? p->refs[0] : p->def.config);
  p->layers = calloc (n_layers + 1, sizeof *p->layers);
  p->n_layers = n_layers;
  if (p->label == NULL || p->layers == NULL)
    return nr_error (err, ENOMEM, "plan");
  for (size_t i = 0; i < n_layers; i++)
    {
      memcpy (p->layers[i].diff_id, p->def.diff_ids[i], NR_DIGEST_STR_LEN);
      memcpy (p->layers[i].chain_id, p->def.chain_ids[i], NR_DIGEST_STR_LEN);
    }
  return 0;
}

/* The manifest docker-save archives lack: an OCI manifest naming the config and
   the layers by diffID (they are uncompressed tars). */
int
imp_synth_manifest (struct plan_image *p, nr_error_t *err)
{
  yajl_gen g = nr_jgen_new (false);
  if (g == NULL)
    return nr_error (err, ENOMEM, "manifest");
  yajl_gen_map_open (g);
  nr_jgen_kint (g, "schemaVersion", 2);
  nr_jgen_kstr (g, "mediaType", MT_OCI_MANIFEST);
  nr_jgen_key (g, "config");
  yajl_gen_map_open (g);
  nr_jgen_kstr (g, "mediaType", "application/vnd.oci.image.config.v1+json");
  nr_jgen_kstr (g, "digest", p->def.config);
  nr_jgen_kint (g, "size", (long long) p->config_len);
  yajl_gen_map_close (g);
  nr_jgen_key (g, "layers");
  yajl_gen_array_open (g);
  for (size_t i = 0; i < p->n_layers; i++)
    {
      yajl_gen_map_open (g);
      nr_jgen_kstr (g, "mediaType", "application/vnd.oci.image.layer.v1.tar");
      nr_jgen_kstr (g, "digest", p->layers[i].diff_id);
      nr_jgen_kint (g, "size", (long long) p->layers[i].size);
      yajl_gen_map_close (g);
    }
  yajl_gen_array_close (g);
  yajl_gen_map_close (g);
  p->manifest = nr_jgen_finish (g, &p->manifest_len);
  if (p->manifest == NULL)
    return nr_error (err, ENOMEM, "manifest");
  nr_sha256_digest (p->manifest, p->manifest_len, p->def.manifest);
  return 0;
}

/* manifest.json: [{"Config": "x.json", "RepoTags": [...], "Layers": ["a/layer.tar", ...]}] */
static int
plan_docker_one (struct imp *im, yajl_val m, struct nr_jctx *c, nr_error_t *err)
{
  _cleanup_free_ char *config = NULL;
  _cleanup_strv_ char **tags = NULL, **layers = NULL;
  struct plan_image *p = new_image (im);
  size_t n = 0;

  if (p == NULL)
    return nr_error (err, ENOMEM, "plan");
  if (nr_json_str (c, m, "Config", &config, err) < 0 || nr_json_strv (c, m, "RepoTags", &tags, err) < 0
      || nr_json_strv (c, m, "Layers", &layers, err) < 0)
    return -1;
  if (config == NULL || layers == NULL)
    return nr_jctx_error (c, config ? "Layers" : "Config", err, "missing");
  for (char **t = tags; t && *t; t++)
    if (add_ref (p, *t, err) < 0)
      return -1;
  while (layers[n])
    n++;
  if (take_config (im, p, config, NULL, n, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    {
      p->layers[i].source = strdup (layers[i]);
      if (p->layers[i].source == NULL)
        return nr_error (err, ENOMEM, "plan");
      p->layers[i].size = entry_size (im, layers[i]);
    }
  return imp_synth_manifest (p, err);
}

static int
plan_docker (struct imp *im, nr_error_t *err)
{
  _cleanup_json_ yajl_val root = NULL;
  struct nr_jctx c = { .what = "manifest.json" };

  if (get_json (im, "manifest.json", NULL, &root, err) < 0)
    return -1;
  if (!YAJL_IS_ARRAY (root))
    return nr_error (err, 0, "manifest.json: expected an array");
  for (size_t i = 0; i < root->u.array.len; i++)
    {
      size_t old = nr_jctx_push_index (&c, i);
      if (plan_docker_one (im, root->u.array.values[i], &c, err) < 0)
        return -1;
      nr_jctx_pop (&c, old);
    }
  return 0;
}

/* A descriptor's digest, checked; the blob path in the layout. */
static int
desc_digest (struct nr_jctx *c, yajl_val d, char out[NR_DIGEST_STR_LEN], nr_error_t *err)
{
  _cleanup_free_ char *dg = NULL;
  if (nr_json_str (c, d, "digest", &dg, err) < 0)
    return -1;
  if (dg == NULL || !nr_digest_valid (dg))
    return nr_jctx_error (c, "digest", err, dg ? "unsupported digest \"%s\"" : "missing%s", dg ? dg : "");
  snprintf (out, NR_DIGEST_STR_LEN, "%s", dg);
  return 0;
}

static int
plan_oci_manifest (struct imp *im, const char *digest, const char *ref, nr_error_t *err)
{
  _cleanup_json_ yajl_val root = NULL;
  char path[96], cdigest[NR_DIGEST_STR_LEN];
  yajl_val config = NULL, layers = NULL;
  struct nr_jctx c = { .what = "manifest" };
  struct plan_image *p;

  imp_blob_path (digest, path);
  if (get_json (im, path, digest, &root, err) < 0 || nr_json_obj (&c, root, "config", &config, err) < 0
      || nr_json_arr (&c, root, "layers", &layers, err) < 0)
    return nr_error_wrap (err, "manifest %s", digest);
  if (config == NULL || layers == NULL)
    return nr_error (err, 0, "manifest %s: no %s", digest, config ? "layers" : "config");
  if ((p = new_image (im)) == NULL)
    return nr_error (err, ENOMEM, "plan");
  if ((ref && add_ref (p, ref, err) < 0) || desc_digest (&c, config, cdigest, err) < 0)
    return nr_error_wrap (err, "manifest %s", digest);
  imp_blob_path (cdigest, path);
  if (take_config (im, p, path, cdigest, layers->u.array.len, err) < 0)
    return nr_error_wrap (err, "manifest %s", digest);
  imp_blob_path (digest, path);
  const struct imp_file *mf = imp_file_get (im, path);
  p->manifest = malloc (mf->len ? mf->len : 1);
  if (p->manifest == NULL)
    return nr_error (err, ENOMEM, "manifest");
  memcpy (p->manifest, mf->data, mf->len);
  p->manifest_len = mf->len;
  snprintf (p->def.manifest, sizeof p->def.manifest, "%s", digest);
  for (size_t i = 0; i < p->n_layers; i++)
    {
      yajl_val d = layers->u.array.values[i];
      struct plan_layer *l = &p->layers[i];
      size_t old = nr_jctx_push (&c, "layers");
      nr_jctx_push_index (&c, i);
      if (desc_digest (&c, d, l->digest, err) < 0 || nr_json_str (&c, d, "mediaType", &l->media_type, err) < 0
          || nr_json_u64 (&c, d, "size", &l->size, err) < 0)
        return nr_error_wrap (err, "manifest %s", digest);
      if (l->media_type == NULL || !imp_media_type_ok (l->media_type))
        return nr_error (err, ENOTSUP, "manifest %s: layer %zu/%zu: unsupported media type \"%s\"", digest, i + 1,
                         p->n_layers, l->media_type ? l->media_type : "(none)");
      imp_blob_path (l->digest, path);
      if ((l->source = strdup (path)) == NULL)
        return nr_error (err, ENOMEM, "plan");
      nr_jctx_pop (&c, old);
    }
  return 0;
}

const char *
imp_go_arch (void)
{
  static struct utsname u;
  if (uname (&u) < 0)
    return "amd64";
  if (strcmp (u.machine, "x86_64") == 0)
    return "amd64";
  if (strcmp (u.machine, "aarch64") == 0)
    return "arm64";
  return u.machine;
}

/* A nested index (multi-platform): take the manifest for our platform. */
static int
pick_platform (struct imp *im, const char *digest, char out[NR_DIGEST_STR_LEN], nr_error_t *err)
{
  _cleanup_json_ yajl_val root = NULL;
  yajl_val ms = NULL;
  char path[96];
  struct nr_jctx c = { .what = "index" };

  imp_blob_path (digest, path);
  if (get_json (im, path, digest, &root, err) < 0 || nr_json_arr (&c, root, "manifests", &ms, err) < 0)
    return nr_error_wrap (err, "index %s", digest);
  for (size_t i = 0; ms && i < ms->u.array.len; i++)
    {
      yajl_val d = ms->u.array.values[i], plat = nr_json_get (d, "platform");
      yajl_val os = nr_json_get (plat, "os"), arch = nr_json_get (plat, "architecture");
      if (os && YAJL_IS_STRING (os) && strcmp (os->u.string, "linux") == 0 && arch
          && YAJL_IS_STRING (arch) && strcmp (arch->u.string, imp_go_arch ()) == 0)
        return desc_digest (&c, d, out, err);
    }
  return nr_error (err, ENOENT, "index %s: no manifest for linux/%s", digest, imp_go_arch ());
}

static int
plan_oci (struct imp *im, nr_error_t *err)
{
  _cleanup_json_ yajl_val root = NULL;
  yajl_val ms = NULL;
  struct nr_jctx c = { .what = "index.json" };

  if (get_json (im, "index.json", NULL, &root, err) < 0 || nr_json_arr (&c, root, "manifests", &ms, err) < 0)
    return -1;
  for (size_t i = 0; ms && i < ms->u.array.len; i++)
    {
      yajl_val d = ms->u.array.values[i], ann = nr_json_get (d, "annotations");
      yajl_val mt = nr_json_get (d, "mediaType");
      yajl_val name = nr_json_get (ann, "io.containerd.image.name");
      char digest[NR_DIGEST_STR_LEN];
      const char *ref = NULL;
      size_t old = nr_jctx_push (&c, "manifests");
      nr_jctx_push_index (&c, i);
      if (desc_digest (&c, d, digest, err) < 0)
        return -1;
      if (name == NULL || !YAJL_IS_STRING (name))
        name = nr_json_get (ann, "org.opencontainers.image.ref.name");
      if (name && YAJL_IS_STRING (name) && strpbrk (name->u.string, ":/"))
        ref = name->u.string; /* a bare tag names no repository: use --name */
      if ((mt && YAJL_IS_STRING (mt)
           && (strcmp (mt->u.string, MT_OCI_INDEX) == 0 || strcmp (mt->u.string, MT_DOCKER_LIST) == 0)
           && pick_platform (im, digest, digest, err) < 0)
          || plan_oci_manifest (im, digest, ref, err) < 0)
        return ref ? nr_error_wrap (err, "image \"%s\"", ref) : -1;
      nr_jctx_pop (&c, old);
    }
  if (im->n_images == 0)
    return nr_error (err, ENOENT, "index.json lists no image");
  return 0;
}

/* Same layer twice in one import (two images sharing a base): unpack it once. */
static void
link_duplicates (struct imp *im)
{
  for (size_t i = 0; i < im->n_images; i++)
    for (size_t j = 0; j < im->images[i].n_layers; j++)
      {
        struct plan_layer *l = &im->images[i].layers[j];
        for (size_t a = 0; a <= i && l->same == NULL; a++)
          for (size_t b = 0; b < im->images[a].n_layers && l->same == NULL; b++)
            {
              struct plan_layer *o = &im->images[a].layers[b];
              if (o == l)
                break;
              if (o->same == NULL && strcmp (o->chain_id, l->chain_id) == 0)
                l->same = o;
            }
      }
}

int
imp_plan (struct imp *im, nr_error_t *err)
{
  int r;
  /* Docker 25+ writes both; manifest.json carries the tags, so it wins */
  if (imp_file_get (im, "manifest.json"))
    r = plan_docker (im, err);
  else if (imp_file_get (im, "index.json"))
    r = plan_oci (im, err);
  else
    return nr_error (err, ENOENT, "neither manifest.json nor index.json: not a docker-save archive or OCI "
                                  "layout (for a root filesystem tarball, use --rootfs)");
  if (r < 0)
    return -1;
  if (im->o->ref)
    {
      if (im->n_images != 1)
        return nr_error (err, EINVAL, "a name was given, but the source holds %zu images", im->n_images);
      if (add_ref (&im->images[0], im->o->ref, err) < 0)
        return -1;
      if (im->images[0].refs[1] == NULL)
        {
          free (im->images[0].label);
          im->images[0].label = strdup (im->images[0].refs[0]);
        }
    }
  for (size_t i = 0; i < im->n_images; i++)
    for (size_t j = 0; j < im->images[i].n_layers; j++)
      if (nr_layer_exists (im->s, im->images[i].layers[j].chain_id))
        im->images[i].layers[j].state = LAYER_PRESENT;
  link_duplicates (im);
  for (size_t i = 0; i < im->n_images; i++)
    for (size_t j = 0; j < im->images[i].n_layers; j++)
      snprintf (im->images[i].layers[j].label, sizeof im->images[i].layers[j].label,
                "image \"%.100s\": layer %zu/%zu (%.19s)", im->images[i].label, j + 1,
                im->images[i].n_layers, im->images[i].layers[j].diff_id);
  return 0;
}
