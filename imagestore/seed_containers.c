/* SPDX-License-Identifier: Apache-2.0 */
/* Engine view #2: a containers-storage (github.com/containers/storage, overlay driver)
   additional image store, read-only, made of metadata only, for podman, buildah and
   CRI-O (`additionalimagestores` in storage.conf, or `--storage-opt overlay.imagestore=`):

   VIEW/overlay-images/images.json         [{"id":<config hex>,"digest":<manifest>,"names":[…],
                                             "layer":<top layer id>,"big-data-…":…}]
   VIEW/overlay-images/<id>/<big data>      the manifest ("manifest", "manifest-<digest>") and
                                            the config ("sha256:<hex>"), byte for byte
   VIEW/overlay-layers/layers.json          [{"id","parent","diff-digest","diff-size",
                                             "compressed-diff-digest","compressed-size"}]
   VIEW/overlay/<layer id>/diff          -> LAYERS_AT/layers/<chain hex>/diff
   VIEW/overlay/<layer id>/{link,lower}     and empty/ for a base layer
   VIEW/overlay/l/<short>                -> ../<layer id>/diff
   VIEW/overlay-images/images.lock, VIEW/overlay-layers/layers.lock

   Layer ids are the ones containers/image gives a pulled or loaded layer (the diffID's
   hex for a base layer, else sha256("<parent id>+<diffID hex>")), so a later pull or
   load of the same image by the consumer finds these layers and copies nothing.  Image
   ids are config digests, as podman's.  Names are fully qualified the Docker way
   ("busybox:latest" → "docker.io/library/busybox:latest"); podman's short-name lookup
   finds them as "busybox".

   diff is a symbolic link to the store's layer, not a bind mount: containers-storage
   follows it (it mounts overlay with lowerdir=VIEW/overlay/l/<short>, which the kernel
   resolves), and the view needs no mounts, in any mount namespace, and leaves none to
   clean up.  The link is absolute, to the store as the consumer sees it
   (LAYERS_AT: the store's own path on the host, /run/nestrun-nest/store in a nest).

   The view is read-only for its consumers: the two lock files must exist (a read-only
   store opens them O_RDONLY and takes read locks; it cannot create them).  The view
   belongs to nestrun, not to an engine: a seed replaces its lists and removes what an
   earlier seed of the same directory left that is no longer listed.

   What the engine can do: list, inspect, run, build FROM, commit a container, tag and
   untag (the tag is a record in its own store).  rmi fails ("cannot remove read-only
   image"); save and push fail (no tar-split: the layer is re-read from the directory
   and its digest differs); `podman image mount` fails ("layer not known"). */
#include "config.h"
#include "imagestore/internal.h"
#include "common/fs.h"
#include "common/json.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CS_IMAGES "overlay-images"
#define CS_LAYERS "overlay-layers"
#define CS_DRIVER "overlay"
#define HEX_LEN NR_SHA256_HEX_LEN

struct cs_layer
{
  char id[HEX_LEN + 1];
  char parent[HEX_LEN + 1];
  char diff_id[NR_DIGEST_STR_LEN];
  char digest[NR_DIGEST_STR_LEN]; /* the blob's, as the manifest says */
  uint64_t size, usize;           /* compressed, uncompressed */
  char created[48];               /* of the first image using it; may be "" */
};

struct cs_image
{
  char id[HEX_LEN + 1];
  char manifest[NR_DIGEST_STR_LEN];
  char config[NR_DIGEST_STR_LEN];
  char top[HEX_LEN + 1];
  size_t manifest_len, config_len;
  char **names;
  char *created;
};

struct cs_view
{
  struct nr_imagestore *s;
  const char *root, *layers_at;
  bool sync;     /* fsync each file before its rename (NR_SEED_SYNC) */
  int drv, imgs; /* VIEW/overlay, VIEW/overlay-images */
  struct cs_layer *layers;
  size_t n_layers;
  struct cs_image *images;
  size_t n_images;
};

/* ---- pure helpers (unit-tested) ---- */

void
nr_cs_layer_id (const char *parent_id, const char *diff_id, char out[NR_SHA256_HEX_LEN + 1])
{
  const char *hex = strncmp (diff_id, "sha256:", 7) == 0 ? diff_id + 7 : diff_id;
  if (parent_id == NULL || *parent_id == '\0')
    {
      snprintf (out, HEX_LEN + 1, "%s", hex);
      return;
    }
  char d[NR_DIGEST_STR_LEN];
  nr_sha256_join (parent_id, "+", hex, d);
  snprintf (out, HEX_LEN + 1, "%s", d + 7);
}

char *
nr_cs_name (const char *ref)
{
  char *out = NULL;
  const char *slash = strchr (ref, '/');
  size_t first = slash ? (size_t) (slash - ref) : 0;
  bool domain
      = slash
        && (memchr (ref, '.', first) || memchr (ref, ':', first) || (first == 9 && strncmp (ref, "localhost", 9) == 0));
  if (asprintf (&out, "%s%s", domain ? "" : slash ? "docker.io/" : "docker.io/library/", ref) < 0)
    return NULL;
  return out;
}

char *
nr_cs_big_data_name (const char *key)
{
  static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t n = strlen (key);
  if (strspn (key, ".0123456789abcdefghijklmnopqrstuvwxyz") == n)
    return strdup (key);
  char *out = malloc (2 + 4 * ((n + 2) / 3)), *o = out;
  if (out == NULL)
    return NULL;
  *o++ = '=';
  for (size_t i = 0; i < n; i += 3)
    {
      unsigned v = (unsigned char) key[i] << 16;
      if (i + 1 < n)
        v |= (unsigned char) key[i + 1] << 8;
      if (i + 2 < n)
        v |= (unsigned char) key[i + 2];
      *o++ = b64[v >> 18 & 63];
      *o++ = b64[v >> 12 & 63];
      *o++ = i + 1 < n ? b64[v >> 6 & 63] : '=';
      *o++ = i + 2 < n ? b64[v & 63] : '=';
    }
  *o = '\0';
  return out;
}

/* Go's time.Time reads RFC 3339 only; anything else would make images.json unreadable. */
static bool
rfc3339 (const char *t)
{
  static const char pat[] = "dddd-dd-ddTdd:dd:dd";
  size_t i = 0;
  for (; pat[i]; i++)
    if (pat[i] == 'd' ? !isdigit ((unsigned char) t[i]) : t[i] != pat[i])
      return false;
  if (t[i] == '.')
    for (i++; isdigit ((unsigned char) t[i]); i++)
      ;
  if (t[i] == 'Z')
    return t[i + 1] == '\0';
  return (t[i] == '+' || t[i] == '-') && isdigit ((unsigned char) t[i + 1]) && isdigit ((unsigned char) t[i + 2])
         && t[i + 3] == ':' && isdigit ((unsigned char) t[i + 4]) && isdigit ((unsigned char) t[i + 5])
         && t[i + 6] == '\0';
}

/* ---- writing ---- */

static void
view_free (struct cs_view *v)
{
  for (size_t i = 0; i < v->n_images; i++)
    {
      nr_strvfreep (&v->images[i].names);
      free (v->images[i].created);
    }
  free (v->images);
  free (v->layers);
  if (v->drv >= 0)
    close (v->drv);
  if (v->imgs >= 0)
    close (v->imgs);
}

static struct cs_layer *
find_layer (struct cs_view *v, const char *id)
{
  for (size_t i = 0; i < v->n_layers; i++)
    if (strcmp (v->layers[i].id, id) == 0)
      return &v->layers[i];
  return NULL;
}

/* The manifest's layer i: its blob digest and size, and whether the blob is the
   uncompressed tar itself (its size is then the diff's). */
static void
manifest_layer (yajl_val man, size_t i, size_t n, struct cs_layer *l, bool *plain)
{
  yajl_val arr = nr_json_get (man, "layers");
  *plain = false;
  if (arr == NULL || !YAJL_IS_ARRAY (arr) || arr->u.array.len != n)
    return;
  yajl_val e = arr->u.array.values[i], d = nr_json_get (e, "digest"), sz = nr_json_get (e, "size");
  yajl_val mt = nr_json_get (e, "mediaType");
  if (d == NULL || !YAJL_IS_STRING (d) || !nr_digest_valid (d->u.string) || sz == NULL || !YAJL_IS_INTEGER (sz)
      || YAJL_GET_INTEGER (sz) < 0)
    return;
  snprintf (l->digest, sizeof l->digest, "%s", d->u.string);
  l->size = (uint64_t) YAJL_GET_INTEGER (sz);
  if (mt == NULL || !YAJL_IS_STRING (mt))
    return;
  size_t len = strlen (mt->u.string);
  *plain = len > 4 && strcmp (mt->u.string + len - 4, ".tar") == 0;
}

/* VIEW/overlay/<id>: link, lower, l/<short>, diff -> the store's layer, empty/ for a base. */
static int
write_layer (struct cs_view *v, const struct nr_image_def *d, char (*ids)[HEX_LEN + 1], size_t i, yajl_val man,
             nr_error_t *err)
{
  struct nr_layer_info li;
  struct cs_layer l = { 0 };
  _cleanup_free_ const char **idp = calloc (i + 1, sizeof (char *));
  _cleanup_free_ char *target = NULL;
  _cleanup_close_ int ov = -1;
  bool plain;

  if (idp == NULL)
    return nr_error (err, ENOMEM, "seed");
  if (nr_layer_read_meta (v->s, d->chain_ids[i], &li, err) < 0)
    return -1;
  snprintf (l.id, sizeof l.id, "%s", ids[i]);
  snprintf (l.parent, sizeof l.parent, "%s", i ? ids[i - 1] : "");
  snprintf (l.diff_id, sizeof l.diff_id, "%s", d->diff_ids[i]);
  snprintf (l.digest, sizeof l.digest, "%s", d->diff_ids[i]);
  l.size = li.size;
  manifest_layer (man, i, d->n_layers, &l, &plain);
  /* the tar's size when the blob is the tar, else the bytes of the layer's files */
  l.usize = plain ? l.size : li.size;
  if (d->created && rfc3339 (d->created) && strlen (d->created) < sizeof l.created)
    strcpy (l.created, d->created);
  for (size_t k = 0; k <= i; k++)
    idp[k] = ids[k];
  if ((ov = nr_seed_layer_links (v->drv, idp, i, 0755, v->sync, err)) < 0)
    return -1;
  if (asprintf (&target, "%s/layers/%s/diff", v->layers_at, d->chain_ids[i] + 7) < 0)
    return nr_error (err, ENOMEM, "seed");
  if (unlinkat (ov, "diff", 0) < 0 && errno != ENOENT)
    return nr_error (err, errno, "remove \"%s/diff\"", l.id);
  if (symlinkat (target, ov, "diff") < 0)
    return nr_error (err, errno, "symlink \"%s/diff\"", l.id);
  if (i == 0 && mkdirat (ov, "empty", 0700) < 0 && errno != EEXIST)
    return nr_error (err, errno, "mkdir \"%s/empty\"", l.id);
  struct cs_layer *nl = realloc (v->layers, (v->n_layers + 1) * sizeof *nl);
  if (nl == NULL)
    return nr_error (err, ENOMEM, "seed");
  v->layers = nl;
  v->layers[v->n_layers++] = l;
  return 0;
}

static int
put_big_data (const struct cs_view *v, int dirfd, const char *key, const char *data, size_t len, nr_error_t *err)
{
  _cleanup_free_ char *name = nr_cs_big_data_name (key);
  if (name == NULL)
    return nr_error (err, ENOMEM, "seed");
  return nr_write_file_replace_at (dirfd, name, data, len, 0644, v->sync, err);
}

/* VIEW/overlay-images/<id>/: the manifest under both keys podman reads, the config. */
static int
write_big_data (struct cs_view *v, const struct cs_image *im, const char *mbuf, size_t mlen, const char *cbuf,
                size_t clen, nr_error_t *err)
{
  char key[NR_DIGEST_STR_LEN + 16];
  _cleanup_close_ int fd = -1;
  if ((mkdirat (v->imgs, im->id, 0755) < 0 && errno != EEXIST)
      || (fd = openat (v->imgs, im->id, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
    return nr_error (err, errno, "create \"%s/%s\"", CS_IMAGES, im->id);
  snprintf (key, sizeof key, "manifest-%s", im->manifest);
  if (put_big_data (v, fd, "manifest", mbuf, mlen, err) < 0 || put_big_data (v, fd, key, mbuf, mlen, err) < 0
      || put_big_data (v, fd, im->config, cbuf, clen, err) < 0)
    return nr_error_wrap (err, "image %s", im->id);
  return 0;
}

static int
add_name (struct cs_image *im, const char *ref, nr_error_t *err)
{
  size_t n = 0;
  while (im->names && im->names[n])
    n++;
  char **v = realloc (im->names, (n + 2) * sizeof (char *));
  if (v == NULL)
    return nr_error (err, ENOMEM, "seed");
  im->names = v;
  v[n] = nr_cs_name (ref);
  v[n + 1] = NULL;
  return v[n] ? 0 : nr_error (err, ENOMEM, "seed");
}

/* One ref: its layers (once each), its image record (once per config), its names. */
static int
seed_ref (struct cs_view *v, const char *ref, const char *manifest, nr_error_t *err)
{
  struct nr_image_def d;
  _cleanup_free_ char *mbuf = NULL, *cbuf = NULL;
  _cleanup_free_ char (*ids)[HEX_LEN + 1] = NULL;
  _cleanup_json_ yajl_val man = NULL;
  size_t mlen = 0, clen = 0;
  int r = -1;

  if (nr_image_load (v->s, manifest, &d, err) < 0)
    return -1;
  for (size_t i = 0; i < v->n_images; i++)
    if (strcmp (v->images[i].id, d.config + 7) == 0)
      {
        nr_image_def_free (&d);
        return add_name (&v->images[i], ref, err);
      }
  if (nr_blob_get (v->s, manifest, &mbuf, &mlen, err) < 0 || nr_blob_get (v->s, d.config, &cbuf, &clen, err) < 0
      || nr_json_parse (mbuf, mlen, "manifest", &man, err) < 0)
    goto out;
  if (d.n_layers == 0 || (ids = calloc (d.n_layers, sizeof *ids)) == NULL)
    {
      nr_error (err, d.n_layers ? ENOMEM : EINVAL, "image %s: %s", manifest, d.n_layers ? "seed" : "no layers");
      goto out;
    }
  for (size_t i = 0; i < d.n_layers; i++)
    {
      nr_cs_layer_id (i ? ids[i - 1] : NULL, d.diff_ids[i], ids[i]);
      if (find_layer (v, ids[i]) == NULL && write_layer (v, &d, ids, i, man, err) < 0)
        {
          nr_error_wrap (err, "layer %s", d.chain_ids[i]);
          goto out;
        }
    }
  struct cs_image *ni = realloc (v->images, (v->n_images + 1) * sizeof *ni);
  if (ni == NULL)
    {
      nr_error (err, ENOMEM, "seed");
      goto out;
    }
  v->images = ni;
  struct cs_image *im = memset (&v->images[v->n_images++], 0, sizeof *im);
  memcpy (im->id, d.config + 7, HEX_LEN);
  snprintf (im->manifest, sizeof im->manifest, "%s", manifest);
  snprintf (im->config, sizeof im->config, "%s", d.config);
  snprintf (im->top, sizeof im->top, "%s", ids[d.n_layers - 1]);
  im->manifest_len = mlen;
  im->config_len = clen;
  im->created = d.created && rfc3339 (d.created) ? strdup (d.created) : NULL;
  if (add_name (im, ref, err) < 0 || write_big_data (v, im, mbuf, mlen, cbuf, clen, err) < 0)
    goto out;
  r = 0;
out:
  nr_image_def_free (&d);
  return r < 0 ? nr_error_wrap (err, "image \"%s\"", ref) : 0;
}

/* big-data-names (what 0), -sizes (1), -digests (2): the config, then the manifest under
   both keys.  The blobs are content-addressed: their digests are their names. */
static void
gen_big_data (yajl_gen g, const struct cs_image *im, int what)
{
  char key[NR_DIGEST_STR_LEN + 16];
  const char *keys[] = { im->config, key, "manifest" };
  const char *digests[] = { im->config, im->manifest, im->manifest };
  size_t sizes[] = { im->config_len, im->manifest_len, im->manifest_len };
  snprintf (key, sizeof key, "manifest-%s", im->manifest);
  if (what == 0)
    {
      yajl_gen_array_open (g);
      for (int i = 0; i < 3; i++)
        nr_jgen_str (g, keys[i]);
      yajl_gen_array_close (g);
      return;
    }
  yajl_gen_map_open (g);
  for (int i = 0; i < 3; i++)
    if (what == 1)
      nr_jgen_kint (g, keys[i], (long long) sizes[i]);
    else
      nr_jgen_kstr (g, keys[i], digests[i]);
  yajl_gen_map_close (g);
}

/* Close the list g holds and write it as dirfd/name. */
static int
write_list (const struct cs_view *v, yajl_gen g, int dirfd, const char *name, nr_error_t *err)
{
  size_t len = 0;
  yajl_gen_array_close (g);
  _cleanup_free_ char *buf = nr_jgen_finish (g, &len);
  if (buf == NULL)
    return nr_error (err, ENOMEM, "%s", name);
  return nr_write_file_replace_at (dirfd, name, buf, len, 0644, v->sync, err);
}

static int
write_images_json (struct cs_view *v, nr_error_t *err)
{
  static const char *const keys[] = { "big-data-names", "big-data-sizes", "big-data-digests" };
  yajl_gen g = nr_jgen_new (false);
  if (g == NULL)
    return nr_error (err, ENOMEM, "images.json");
  yajl_gen_array_open (g);
  for (size_t i = 0; i < v->n_images; i++)
    {
      const struct cs_image *im = &v->images[i];
      yajl_gen_map_open (g);
      nr_jgen_kstr (g, "id", im->id);
      nr_jgen_kstr (g, "digest", im->manifest);
      nr_jgen_key (g, "names");
      nr_jgen_strv (g, im->names);
      nr_jgen_kstr (g, "layer", im->top);
      for (int k = 0; k < 3; k++)
        {
          nr_jgen_key (g, keys[k]);
          gen_big_data (g, im, k);
        }
      nr_jgen_kstr (g, "created", im->created);
      yajl_gen_map_close (g);
    }
  return write_list (v, g, v->imgs, "images.json", err);
}

static int
write_layers_json (struct cs_view *v, nr_error_t *err)
{
  _cleanup_close_ int fd = -1;
  yajl_gen g = nr_jgen_new (false);
  if (g == NULL)
    return nr_error (err, ENOMEM, "layers.json");
  yajl_gen_array_open (g);
  for (size_t i = 0; i < v->n_layers; i++)
    {
      const struct cs_layer *l = &v->layers[i];
      yajl_gen_map_open (g);
      nr_jgen_kstr (g, "id", l->id);
      if (l->parent[0])
        nr_jgen_kstr (g, "parent", l->parent);
      if (l->created[0])
        nr_jgen_kstr (g, "created", l->created);
      nr_jgen_kstr (g, "compressed-diff-digest", l->digest);
      nr_jgen_kint (g, "compressed-size", (long long) l->size);
      nr_jgen_kstr (g, "diff-digest", l->diff_id);
      nr_jgen_kint (g, "diff-size", (long long) l->usize);
      yajl_gen_map_close (g);
    }
  if (nr_seed_open_dir (v->root, CS_LAYERS, 0755, &fd, err) < 0)
    return yajl_gen_free (g), -1;
  return write_list (v, g, fd, "layers.json", err);
}

/* The lock files a read-only consumer opens (O_RDONLY|O_CREAT: it cannot create them). */
static int
touch_lock (const char *root, const char *sub, const char *name, nr_error_t *err)
{
  _cleanup_close_ int dfd = -1, fd = -1;
  if (nr_seed_open_dir (root, sub, 0755, &dfd, err) < 0)
    return -1;
  fd = openat (dfd, name, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  return fd < 0 ? nr_error (err, errno, "create \"%s/%s/%s\"", root, sub, name) : 0;
}

/* Remove what an earlier seed listed and this one does not: overlay/<id>, the l/ links
   not naming a listed layer, overlay-images/<id>.  Only names of ours (64 hex, or a
   short link) are touched; removal never follows the diff links into the store. */
static bool
is_hex_id (const char *n)
{
  return strlen (n) == HEX_LEN && strspn (n, "0123456789abcdef") == HEX_LEN;
}

static bool
keep_layer (struct cs_view *v, const char *name)
{
  return !is_hex_id (name) || find_layer (v, name) != NULL;
}

static bool
keep_image (struct cs_view *v, const char *name)
{
  for (size_t i = 0; i < v->n_images; i++)
    if (strcmp (v->images[i].id, name) == 0)
      return true;
  return !is_hex_id (name);
}

static bool
keep_link (struct cs_view *v, const char *name)
{
  for (size_t i = 0; i < v->n_layers; i++)
    {
      char link[NR_SEED_LINK_LEN + 1];
      nr_seed_short_link (v->layers[i].id, link);
      if (strcmp (link, name) == 0)
        return true;
    }
  return name[0] == '.';
}

static int
prune (struct cs_view *v, int parent, const char *sub, bool (*keep) (struct cs_view *, const char *), nr_error_t *err)
{
  int fd = openat (parent, sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  _cleanup_closedir_ DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
  struct dirent *de;
  if (d == NULL)
    {
      int e = errno;
      if (fd >= 0)
        close (fd);
      return nr_error (err, e, "read \"%s\" of the view", sub);
    }
  while ((de = readdir (d)))
    if (!keep (v, de->d_name) && nr_rm_rf_at (dirfd (d), de->d_name, err) < 0)
      return nr_error_wrap (err, "prune \"%s\"", sub);
  return 0;
}

static int
open_view (struct cs_view *v, nr_error_t *err)
{
  if (v->layers_at[0] != '/')
    return nr_error (err, EINVAL, "layers at \"%s\": expected an absolute path", v->layers_at);
  if (nr_mkdir_p (v->root, 0755, err) < 0 || nr_seed_open_dir (v->root, CS_DRIVER, 0755, &v->drv, err) < 0
      || nr_seed_open_dir (v->root, CS_IMAGES, 0755, &v->imgs, err) < 0)
    return -1;
  if (mkdirat (v->drv, "l", 0755) < 0 && errno != EEXIST)
    return nr_error (err, errno, "create \"%s/%s/l\"", v->root, CS_DRIVER);
  return 0;
}

int
nr_imagestore_seed_containers (struct nr_imagestore *s, const char *view, const char *layers_at, char *const *images,
                               unsigned flags, struct nr_seed_result *out, nr_error_t *err)
{
  struct nr_refs all, sel = { 0 };
  _cleanup_free_ char *store = NULL;
  struct cs_view v = { .s = s, .root = view, .sync = (flags & NR_SEED_SYNC) != 0, .drv = -1, .imgs = -1 };
  bool fresh = access (view, F_OK) < 0 && errno == ENOENT;
  int r = -1;

  memset (out, 0, sizeof *out);
  if (layers_at == NULL)
    layers_at = store = realpath (nr_imagestore_path (s), NULL);
  if (layers_at == NULL)
    return nr_error (err, errno, "seed containers-storage view \"%s\": resolve the store's path", view);
  v.layers_at = layers_at;
  if (nr_refs_load (s, &all, err) < 0)
    return nr_error_wrap (err, "seed containers-storage view \"%s\"", view);
  if (nr_seed_select_refs (s, images, &all, &sel, err) < 0 || open_view (&v, err) < 0)
    goto out;
  for (size_t i = 0; i < sel.n; i++)
    if (seed_ref (&v, sel.names[i], sel.digests[i], err) < 0)
      goto out;
  /* layers before the images naming them; the lists, then what they no longer name */
  if (write_layers_json (&v, err) < 0 || write_images_json (&v, err) < 0
      || touch_lock (view, CS_LAYERS, "layers.lock", err) < 0 || touch_lock (view, CS_IMAGES, "images.lock", err) < 0
      || prune (&v, v.drv, ".", keep_layer, err) < 0 || prune (&v, v.drv, "l", keep_link, err) < 0
      || prune (&v, v.imgs, ".", keep_image, err) < 0)
    goto out;
  out->n_images = sel.n;
  r = 0;
out:
  nr_refs_free (&all);
  nr_refs_free (&sel);
  view_free (&v);
  if (r == 0)
    return 0;
  if (fresh)
    {
      /* nothing half-made: a view this seed created goes (its links are removed, never followed) */
      nr_error_t e = NULL;
      nr_rm_rf (view, &e);
      nr_error_free (&e);
    }
  return nr_error_wrap (err, "seed containers-storage view \"%s\"", view);
}
