/* SPDX-License-Identifier: Apache-2.0 */
/* Shared between imagestore/ files only. */
#ifndef NR_IMAGESTORE_INTERNAL_H
#define NR_IMAGESTORE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "common/cleanup.h"
#include "common/error.h"
#include "imagestore/imagestore.h"

struct nr_imagestore
{
  char *path;
  int dirfd;   /* the store directory */
  int lock_fd; /* STORE/lock, -1 when opened read-only */
  int flags;
  unsigned tmp_seq;
  struct nr_store_limits limits;
};

DEFINE_CLEANUP_FUNC (struct nr_imagestore *, nr_imagestore_close)
#define _cleanup_store_ _cleanup_ (nr_imagestore_closep)

/* store.c */
int nr_store_require_write (struct nr_imagestore *s, const char *op, nr_error_t *err);
/* mkdir STORE/tmp/<kind>-<pid>-<seq>; returns an fd of it and its name under tmp/. */
int nr_store_mktemp (struct nr_imagestore *s, const char *kind, char name[128], nr_error_t *err);
int nr_store_tmp_fd (struct nr_imagestore *s, nr_error_t *err);
int nr_store_remove_tmp (struct nr_imagestore *s, const char *name);
/* Exclusive lock on STORE/refs.lock (read-modify-write of refs.json). */
int nr_store_lock_refs (struct nr_imagestore *s, nr_error_t *err);
int nr_store_clean_debris (struct nr_imagestore *s, unsigned *removed, nr_error_t *err);

/* blobs.c */
bool nr_digest_valid (const char *d);
int nr_blob_put (struct nr_imagestore *s, const char *digest, const void *data, size_t len,
                 nr_error_t *err);
int nr_blob_get (struct nr_imagestore *s, const char *digest, char **data, size_t *len,
                 nr_error_t *err);
bool nr_blob_exists (struct nr_imagestore *s, const char *digest);

/* refs.c */
struct nr_refs
{
  char **names;
  char **digests;
  size_t n;
};
void nr_refs_free (struct nr_refs *r);
int nr_refs_load (struct nr_imagestore *s, struct nr_refs *r, nr_error_t *err);
const char *nr_refs_get (const struct nr_refs *r, const char *name);
/* digest NULL removes the ref; fails with ENOENT if removing a missing one. */
int nr_refs_set (struct nr_imagestore *s, const char *name, const char *digest, nr_error_t *err);
bool nr_ref_valid (const char *ref);

/* image.c: what the store knows about one image, from its manifest and config blobs. */
struct nr_image_def
{
  char manifest[NR_DIGEST_STR_LEN];
  char config[NR_DIGEST_STR_LEN];
  char (*diff_ids)[NR_DIGEST_STR_LEN];
  char (*chain_ids)[NR_DIGEST_STR_LEN];
  size_t n_layers;
  char *created, *os, *arch;
};
void nr_image_def_free (struct nr_image_def *d);
int nr_image_load (struct nr_imagestore *s, const char *manifest, struct nr_image_def *d,
                   nr_error_t *err);
/* Parse rootfs.diff_ids (and created/os/architecture) from config bytes. */
int nr_image_parse_config (const char *buf, size_t len, const char *what, struct nr_image_def *d,
                           nr_error_t *err);
/* Resolve a ref, a digest or a hex prefix to a manifest digest. */
int nr_image_resolve (struct nr_imagestore *s, const struct nr_refs *refs, const char *what,
                      char out[NR_DIGEST_STR_LEN], nr_error_t *err);
void nr_chain_ids (struct nr_image_def *d);

/* layers.c: the only libarchive user. */
struct nr_layer_src
{
  /* Next chunk of the raw (maybe compressed) layer: > 0 bytes, 0 at the end, < 0 error. */
  ssize_t (*read) (void *ctx, const void **buf, nr_error_t *err);
  void *ctx;
};

struct nr_layer_job
{
  const char *label;          /* "layer 2/3 sha256:abcd…" for messages */
  const char *expect_diff_id; /* NULL: not checked here */
  const char *expect_digest;  /* the compressed blob's digest, NULL: not checked */
  struct nr_store_limits limits;
  bool user_xattr;            /* opaque dirs as user.overlay.opaque (rootless overlay) */
  void (*progress) (void *data, uint64_t bytes);
  void *progress_data;
  /* results */
  char diff_id[NR_DIGEST_STR_LEN];
  char digest[NR_DIGEST_STR_LEN];
  uint64_t size, entries, tar_bytes;
};

/* Unpack into dirfd/name (created, must not exist). */
int nr_layer_unpack (int dirfd, const char *name, struct nr_layer_src *src, struct nr_layer_job *job,
                     nr_error_t *err);
int nr_layer_write_meta (int dirfd, const struct nr_layer_info *li, nr_error_t *err);
int nr_layer_read_meta (struct nr_imagestore *s, const char *chain_id, struct nr_layer_info *li,
                        nr_error_t *err);
bool nr_layer_exists (struct nr_imagestore *s, const char *chain_id);
/* rename tmp/<tmpname> to layers/<hex>; *existed when another import won the race. */
int nr_layer_commit (struct nr_imagestore *s, const char *tmpname, const char *chain_id,
                     bool *existed, nr_error_t *err);

/* Pure checks, exposed for unit tests. */
/* Clean a tar entry name into *out ("" is the layer root); refuses absolute paths,
   ".." and over-long names. */
int nr_layer_clean_path (const char *name, uint64_t max_path, char **out, nr_error_t *err);
enum nr_whiteout
{
  NR_WH_NONE = 0,
  NR_WH_FILE,   /* .wh.NAME: *target is NAME */
  NR_WH_OPAQUE, /* .wh..wh..opq */
  NR_WH_META,   /* other .wh..wh.* (aufs metadata): ignored */
  NR_WH_BAD,    /* .wh. followed by nothing, "." or ".." */
};
enum nr_whiteout nr_layer_whiteout_kind (const char *clean, const char **target);
/* Is this xattr dropped from tar entries (overlay's own namespace)? */
bool nr_layer_xattr_forbidden (const char *name);

/* seed.c: shared by the engine views (seed_docker.c, seed_containers.c). */
#define NR_SEED_LINK_LEN 26
/* The overlay short link name of a layer id: base32 of its sha256, stable across seeds. */
void nr_seed_short_link (const char *id, char out[NR_SEED_LINK_LEN + 1]);
/* "l/<short of ids[i-1]>:…:l/<short of ids[0]>": the lower file of layer i (malloc'd). */
char *nr_seed_lower (const char *const *ids, size_t i);
/* In the driver directory drv: ids[i]/ (mode), its link and lower files and the
   l/<short> -> ../<id>/diff symlink.  Returns an fd of ids[i]/, or -1. */
int nr_seed_layer_links (int drv, const char *const *ids, size_t i, mode_t mode, bool sync, nr_error_t *err);
int nr_seed_put (int dirfd, const char *name, const char *data, bool sync, nr_error_t *err);
/* mkdir -p root/sub (mode) and open it. */
int nr_seed_open_dir (const char *root, const char *sub, mode_t mode, int *fd, nr_error_t *err);
/* The refs to seed: all (images NULL: *all is moved into *sel), or those named, each
   resolved; an unknown name or a digest is an error. */
int nr_seed_select_refs (struct nr_imagestore *s, char *const *images, struct nr_refs *all, struct nr_refs *sel,
                         nr_error_t *err);

/* seed_containers.c, pure parts (unit tests) */
/* containers/image's id of a layer: the diffID's hex for a base layer, else
   sha256("<parent id>+<diffID hex>") in hex. */
void nr_cs_layer_id (const char *parent_id, const char *diff_id, char out[NR_SHA256_HEX_LEN + 1]);
/* "busybox:latest" → "docker.io/library/busybox:latest" (malloc'd). */
char *nr_cs_name (const char *ref);
/* containers-storage's file name of a big-data key: the key when it is made of
   [.0-9a-z] only, else "=" + base64 of it (malloc'd). */
char *nr_cs_big_data_name (const char *key);

#endif
