/* SPDX-License-Identifier: Apache-2.0 */
/* The engine views of the store: the containers-storage view's ids, names and files,
   on a store made by hand (metadata only: no unpacking, no root needed). */
#include "config.h"
#include "tests/unit/tap.h"
#include "imagestore/internal.h"
#include "common/fs.h"
#include "common/json.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

/* A real pair from podman 4.3 (`podman load` of a docker-save archive): its layer
   table had base 6e2c… and on it, for diffID f076…, the layer 9f0f…. */
#define BASE "6e2cf00542fd4d442225db95f349819d22bdec0d2f8675e063710f4b31578826"
#define DIFF2 "sha256:f076714216793cb6c5f8e6fcb7a5ca453f885b72cb57474348aeda4c8a615de5"
#define ID2 "9f0fcd608bfbfe89877296d9c2c16872db3795b4ff9867394e6ad6c14a6297b3"

static void
test_ids_and_names (void)
{
  char id[NR_SHA256_HEX_LEN + 1], *s;
  nr_cs_layer_id (NULL, "sha256:" BASE, id);
  is_str (id, BASE, "base layer id: the diffID's hex");
  nr_cs_layer_id (BASE, DIFF2, id);
  is_str (id, ID2, "layer id on a parent: containers/image's sha256(\"<parent>+<diff hex>\")");

  is_str (s = nr_cs_name ("busybox:latest"), "docker.io/library/busybox:latest", "official image name"), free (s);
  is_str (s = nr_cs_name ("nrtest/multi:1"), "docker.io/nrtest/multi:1", "user image name"), free (s);
  is_str (s = nr_cs_name ("quay.io/a/b:2"), "quay.io/a/b:2", "a registry is kept"), free (s);
  is_str (s = nr_cs_name ("localhost:5000/a:1"), "localhost:5000/a:1", "a registry with a port is kept"), free (s);
  is_str (s = nr_cs_name ("localhost/a:1"), "localhost/a:1", "localhost is a registry"), free (s);

  is_str (s = nr_cs_big_data_name ("manifest"), "manifest", "a plain big-data key is its own file name"), free (s);
  /* as podman wrote it for this key */
  is_str (
      s = nr_cs_big_data_name ("manifest-sha256:86b67fb70f64c2530641be8f0ab9b57f1006cd91f54dd2a1d5205caedf743e5f"),
      "=bWFuaWZlc3Qtc2hhMjU2Ojg2YjY3ZmI3MGY2NGMyNTMwNjQxYmU4ZjBhYjliNTdmMTAwNmNkOTFmNTRkZDJhMWQ1MjA1Y2FlZGY3NDNlNWY=",
      "other keys: \"=\" + base64"),
      free (s);
  is_str (s = nr_cs_big_data_name ("A"), "=QQ==", "base64 padding (1 byte)"), free (s);
  is_str (s = nr_cs_big_data_name ("AB"), "=QUI=", "base64 padding (2 bytes)"), free (s);
}

/* ---- a store made by hand ---- */

static char *workdir;

static void
put_blob (struct nr_imagestore *s, const char *data, char out[NR_DIGEST_STR_LEN])
{
  nr_error_t err = NULL;
  nr_sha256_digest (data, strlen (data), out);
  if (nr_blob_put (s, out, data, strlen (data), &err) < 0)
    bail_out ("blob: %s", err->msg);
}

static void
put_layer (struct nr_imagestore *s, const char *chain, const char *diff, const char *parent, uint64_t size)
{
  char p[PATH_MAX];
  nr_error_t err = NULL;
  struct nr_layer_info li = { .size = size, .entries = 3 };
  snprintf (li.chain_id, sizeof li.chain_id, "%s", chain);
  snprintf (li.diff_id, sizeof li.diff_id, "%s", diff);
  snprintf (li.parent, sizeof li.parent, "%s", parent);
  snprintf (p, sizeof p, "%s/layers/%s/diff", nr_imagestore_path (s), chain + 7);
  if (nr_mkdir_p (p, 0755, &err) < 0)
    bail_out ("%s", err->msg);
  *strrchr (p, '/') = '\0';
  int fd = open (p, O_RDONLY | O_DIRECTORY);
  if (fd < 0 || nr_layer_write_meta (fd, &li, &err) < 0)
    bail_out ("layer.json");
  close (fd);
}

/* two images: "two:1", two layers (a plain tar then a gzip blob), and "one:1" on the same
   base; "also:1" names the same image as "one:1". */
static void
make_store (const char *path)
{
  struct nr_imagestore *s = NULL;
  nr_error_t err = NULL;
  char d1[NR_DIGEST_STR_LEN] = "sha256:" BASE, c2[NR_DIGEST_STR_LEN], cfg[NR_DIGEST_STR_LEN], man[NR_DIGEST_STR_LEN];
  char buf[2048];
  if (nr_imagestore_open (path, NR_STORE_WRITE, &s, &err) < 0)
    bail_out ("store: %s", err->msg);
  nr_chain_id (d1, DIFF2, c2);
  put_layer (s, d1, d1, "", 1000);
  put_layer (s, c2, DIFF2, d1, 20);
  snprintf (buf, sizeof buf,
            "{\"created\":\"2024-01-02T03:04:05.5Z\",\"os\":\"linux\",\"architecture\":\"amd64\","
            "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"%s\",\"%s\"]}}",
            d1, DIFF2);
  put_blob (s, buf, cfg);
  snprintf (buf, sizeof buf,
            "{\"schemaVersion\":2,\"config\":{\"digest\":\"%s\",\"size\":1},\"layers\":["
            "{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"%s\",\"size\":4096},"
            "{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:%064d\",\"size\":77}]}",
            cfg, d1, 7);
  put_blob (s, buf, man);
  if (nr_refs_set (s, "two:1", man, &err) < 0)
    bail_out ("ref: %s", err->msg);
  snprintf (buf, sizeof buf, "{\"created\":\"yesterday\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"%s\"]}}", d1);
  put_blob (s, buf, cfg);
  snprintf (buf, sizeof buf, "{\"schemaVersion\":2,\"config\":{\"digest\":\"%s\",\"size\":1},\"layers\":[]}", cfg);
  put_blob (s, buf, man);
  if (nr_refs_set (s, "one:1", man, &err) < 0 || nr_refs_set (s, "also:1", man, &err) < 0)
    bail_out ("ref: %s", err->msg);
  nr_imagestore_close (s);
}

static yajl_val
load_json (const char *view, const char *file)
{
  char p[PATH_MAX];
  yajl_val v = NULL;
  nr_error_t err = NULL;
  snprintf (p, sizeof p, "%s/%s", view, file);
  if (nr_json_parse_file (p, file, &v, &err) < 0)
    {
      diag ("%s", err->msg);
      nr_error_free (&err);
    }
  return v;
}

static const char *
jstr (yajl_val v, const char *k)
{
  yajl_val s = nr_json_get (v, k);
  return s && YAJL_IS_STRING (s) ? s->u.string : "";
}

static long long
jint (yajl_val v, const char *k)
{
  yajl_val s = nr_json_get (v, k);
  return s && YAJL_IS_INTEGER (s) ? YAJL_GET_INTEGER (s) : -1;
}

static yajl_val
by_id (yajl_val arr, const char *id)
{
  for (size_t i = 0; arr && YAJL_IS_ARRAY (arr) && i < arr->u.array.len; i++)
    if (strcmp (jstr (arr->u.array.values[i], "id"), id) == 0)
      return arr->u.array.values[i];
  return NULL;
}

static char *
read_link (const char *view, const char *rel)
{
  static char buf[PATH_MAX];
  char p[PATH_MAX + 300];
  snprintf (p, sizeof p, "%s/%s", view, rel);
  ssize_t n = readlink (p, buf, sizeof buf - 1);
  buf[n > 0 ? n : 0] = '\0';
  return buf;
}

static bool
exists (const char *view, const char *rel)
{
  char p[PATH_MAX + 300];
  struct stat st;
  snprintf (p, sizeof p, "%s/%s", view, rel);
  return lstat (p, &st) == 0;
}

static void
test_view (void)
{
  char store[PATH_MAX], view[PATH_MAX], chain2[NR_DIGEST_STR_LEN], link[NR_SEED_LINK_LEN + 1], rel[256], want[256];
  struct nr_imagestore *s = NULL;
  struct nr_seed_result r;
  nr_error_t err = NULL;

  snprintf (store, sizeof store, "%s/store", workdir);
  snprintf (view, sizeof view, "%s/view", workdir);
  make_store (store);
  nr_chain_id ("sha256:" BASE, DIFF2, chain2);
  if (nr_imagestore_open (store, NR_STORE_READ, &s, &err) < 0)
    bail_out ("open: %s", err->msg);
  ok (nr_imagestore_seed_containers (s, view, "/run/nestrun-nest/store", NULL, NR_SEED_SYNC, &r, &err) == 0,
      "seed all images");
  if (err)
    diag ("%s", err->msg), nr_error_free (&err);
  is_int (r.n_images, 3, "  three refs");
  is_int (r.n_binds, 0, "  no binds: the layers are links");

  yajl_val layers = load_json (view, "overlay-layers/layers.json");
  yajl_val images = load_json (view, "overlay-images/images.json");
  ok (layers && YAJL_IS_ARRAY (layers) && layers->u.array.len == 2, "layers.json: each layer once");
  yajl_val l1 = by_id (layers, BASE), l2 = by_id (layers, ID2);
  ok (l1 && l2, "  ids as containers/image gives them");
  is_str (jstr (l2, "parent"), BASE, "  parent");
  ok (nr_json_get (l1, "parent") == NULL, "  no parent for the base");
  is_str (jstr (l2, "diff-digest"), DIFF2, "  diff-digest: the diffID");
  is_int (jint (l1, "diff-size"), 4096, "  diff-size of a plain tar blob: the blob's size");
  is_int (jint (l2, "diff-size"), 20, "  diff-size of a compressed blob: the layer's file bytes");
  is_str (jstr (l2, "compressed-diff-digest"),
          "sha256:0000000000000000000000000000000000000000000000000000000000000007",
          "  compressed-diff-digest: the manifest's blob");
  is_int (jint (l2, "compressed-size"), 77, "  compressed-size: the manifest's");
  is_str (jstr (l1, "created"), "2024-01-02T03:04:05.5Z", "  created: the first image's, RFC 3339");

  ok (images && YAJL_IS_ARRAY (images) && images->u.array.len == 2, "images.json: one record per image id");
  yajl_val two = NULL, one = NULL;
  for (size_t i = 0; images && i < images->u.array.len; i++)
    {
      yajl_val n = nr_json_get (images->u.array.values[i], "names");
      if (n && YAJL_IS_ARRAY (n) && n->u.array.len == 1)
        two = images->u.array.values[i];
      else if (n && YAJL_IS_ARRAY (n) && n->u.array.len == 2)
        one = images->u.array.values[i];
    }
  ok (two && one, "  two names on the image two refs share");
  is_str (two ? nr_json_get (two, "names")->u.array.values[0]->u.string : "", "docker.io/library/two:1",
          "  names fully qualified");
  is_str (jstr (two, "layer"), ID2, "  layer: the top layer id");
  is_str (jstr (one, "layer"), BASE, "  a one-layer image on the shared base");
  ok (nr_json_get (one, "created") == NULL, "  a created that is not RFC 3339 is left out");
  yajl_val sizes = nr_json_get (two, "big-data-sizes"), digests = nr_json_get (two, "big-data-digests");
  ok (sizes && YAJL_IS_OBJECT (sizes) && sizes->u.object.len == 3, "  big data: config, manifest twice");
  is_str (jstr (digests, "manifest"), jstr (two, "digest"), "  the manifest's digest is the image digest");

  /* the files */
  snprintf (rel, sizeof rel, "overlay-images/%s/manifest", jstr (two, "id"));
  ok (exists (view, rel), "big data file \"manifest\"");
  snprintf (want, sizeof want, "/run/nestrun-nest/store/layers/%s/diff", chain2 + 7);
  snprintf (rel, sizeof rel, "overlay/%s/diff", ID2);
  is_str (read_link (view, rel), want, "diff: a link to the store's layer, as the consumer sees it");
  snprintf (rel, sizeof rel, "overlay/%s/lower", ID2);
  nr_seed_short_link (BASE, link);
  char *lower = NULL;
  char p[PATH_MAX + 300];
  snprintf (p, sizeof p, "%s/%s", view, rel);
  nr_read_file (p, 4096, &lower, NULL, &err);
  snprintf (want, sizeof want, "l/%s", link);
  is_str (lower ? lower : "", want, "lower: the parent's short link");
  free (lower);
  snprintf (rel, sizeof rel, "overlay/l/%s", link);
  snprintf (want, sizeof want, "../%s/diff", BASE);
  is_str (read_link (view, rel), want, "l/<short> -> ../<id>/diff");
  snprintf (rel, sizeof rel, "overlay/%s/empty", BASE);
  ok (exists (view, rel), "empty/ for a base layer");
  ok (exists (view, "overlay-images/images.lock") && exists (view, "overlay-layers/layers.lock"),
      "the lock files a read-only consumer needs");
  yajl_tree_free (layers);

  /* a second seed replaces the first */
  char *const only[] = { "one:1", NULL };
  ok (nr_imagestore_seed_containers (s, view, "/x", only, NR_SEED_SYNC, &r, &err) == 0, "seed again, one image");
  snprintf (rel, sizeof rel, "overlay/%s", ID2);
  ok (!exists (view, rel), "  the layer no longer listed is removed");
  snprintf (rel, sizeof rel, "overlay-images/%s", jstr (two, "id"));
  ok (!exists (view, rel), "  the image no longer listed is removed");
  layers = load_json (view, "overlay-layers/layers.json");
  ok (layers && layers->u.array.len == 1, "  layers.json lists one layer");
  yajl_tree_free (layers);
  snprintf (rel, sizeof rel, "layers/%s/diff", chain2 + 7);
  ok (exists (store, rel), "  the store is untouched");
  yajl_tree_free (images);

  char *const bad[] = { "nosuch:1", NULL };
  ok (nr_imagestore_seed_containers (s, view, NULL, bad, NR_SEED_SYNC, &r, &err) < 0, "an unknown image is an error");
  like (err ? err->msg : "", "no image \"nosuch:1\"", "  naming it");
  nr_error_free (&err);
  ok (nr_imagestore_seed_containers (s, view, "relative", NULL, NR_SEED_SYNC, &r, &err) < 0,
      "a relative --layers-at is an error");
  nr_error_free (&err);
  /* a store missing a layer: the seed fails half-way, and a view it created is removed */
  char meta[PATH_MAX + 300], fresh[PATH_MAX + 16];
  snprintf (meta, sizeof meta, "%s/layers/%s/layer.json", store, chain2 + 7);
  snprintf (fresh, sizeof fresh, "%s/fresh", workdir);
  unlink (meta);
  char *const two_only[] = { "two:1", NULL };
  ok (nr_imagestore_seed_containers (s, fresh, NULL, two_only, NR_SEED_SYNC, &r, &err) < 0,
      "a layer missing from the store is an error");
  like (err ? err->msg : "", "layer.json", "  naming the file");
  nr_error_free (&err);
  ok (access (fresh, F_OK) < 0, "  and the view it was making is gone");
  ok (exists (store, "refs.json"), "  the store is still there");
  nr_imagestore_close (s);
}

int
main (void)
{
  char tmpl[] = "/tmp/nr-test-seed-XXXXXX";
  nr_error_t err = NULL;

  test_ids_and_names ();
  workdir = mkdtemp (tmpl);
  if (workdir == NULL)
    bail_out ("mkdtemp");
  test_view ();
  nr_rm_rf (workdir, &err);
  nr_error_free (&err);
  return done_testing ();
}
