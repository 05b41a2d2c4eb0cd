/* SPDX-License-Identifier: Apache-2.0 */
/* The host-wide, content-addressed image store.

   STORE/                      (default /var/lib/nestrun)
     VERSION                   "1"
     lock                      flock: shared while importing, tagging, leasing;
                               exclusive for gc and for clearing tmp/ debris
     refs.json, refs.lock      {"refs":{"name:tag":"sha256:<manifest>"}}, replaced by rename
                               under an exclusive refs.lock
     blobs/sha256/<hex>        image manifests and configs, verified, read-only
     layers/<chain-id hex>/    one unpacked layer, committed by rename:
       diff/                     the tree, with overlay whiteouts (0/0 char devices and
                                 trusted.overlay.opaque=y); bound read-only as a lower dir
       layer.json                {"chain_id","diff_id","parent","size","entries"}
     leases/<id>.json          images a container holds; gc keeps them
     tmp/                      work in progress (import-<pid>-<n>/...); removed by the next
                               operation that gets the store lock exclusively

   Everything visible outside tmp/ is complete: a layer, blob or ref appears only by
   rename, so kill -9 at any point leaves no partial state, only tmp/ debris.  The store
   itself too: a new store is made as STORE.new-<pid> beside it and renamed into place
   (a killed creation's copy is removed by a later writer once its pid is gone). */
#ifndef NR_IMAGESTORE_H
#define NR_IMAGESTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common/error.h"
#include "imagestore/sha256.h"

#define NR_STORE_DEFAULT "/var/lib/nestrun"

struct nr_imagestore;

enum
{
  NR_STORE_READ = 0,          /* no lock, nothing written (the store may be read-only) */
  NR_STORE_WRITE = 1 << 0,    /* create the layout if missing, hold the lock shared */
  NR_STORE_EXCLUSIVE = 1 << 1 /* hold the lock exclusively (gc) */
};

/* Limits applied to every layer; 0 means the default. */
struct nr_store_limits
{
  uint64_t max_entries;     /* tar entries per layer, default 1,000,000 */
  uint64_t max_path;        /* bytes of one entry's path, default 4096 */
  uint64_t max_layer_bytes; /* uncompressed tar bytes per layer, default 64 GiB */
  uint64_t max_json;        /* one manifest, index or config, default 16 MiB */
};

int nr_imagestore_open (const char *path, int flags, struct nr_imagestore **out, nr_error_t *err);
void nr_imagestore_close (struct nr_imagestore *s);
const char *nr_imagestore_path (struct nr_imagestore *s);
void nr_imagestore_set_limits (struct nr_imagestore *s, const struct nr_store_limits *l);
/* Chain IDs: chain[0] = diff[0]; chain[i] = sha256(chain[i-1] + " " + diff[i]). */
void nr_chain_id (const char *parent_chain, const char *diff_id, char out[NR_DIGEST_STR_LEN]);
/* "busybox" → "busybox:latest"; "docker.io/library/x:1" → "x:1".  NULL when invalid. */
char *nr_ref_normalize (const char *ref);

/* ---- import ---- */
enum nr_import_kind
{
  NR_IMPORT_AUTO = 0,   /* docker-save archive, OCI layout (dir or tar); a rootfs tar needs a ref */
  NR_IMPORT_ROOTFS,     /* a single filesystem tarball, like docker import */
};

struct nr_import_progress
{
  const char *image;    /* ref or config digest */
  unsigned layer, layers; /* 1-based layer being unpacked, of layers */
  uint64_t bytes;       /* bytes of the source read so far for this layer */
  bool done;            /* the layer is complete */
};

struct nr_import_opts
{
  enum nr_import_kind kind;
  const char *ref; /* tag the (single) imported image; required for NR_IMPORT_ROOTFS */
  void (*progress) (void *data, const struct nr_import_progress *p);
  void *progress_data;
};

struct nr_imported_image
{
  char *ref;                           /* NULL when the archive names none */
  char manifest[NR_DIGEST_STR_LEN];
  char config[NR_DIGEST_STR_LEN];
  size_t layers;
};

struct nr_import_result
{
  struct nr_imported_image *images;
  size_t n_images;
  unsigned layers_new, layers_present;
  uint64_t layer_bytes; /* uncompressed tar bytes unpacked into the store */
};
void nr_import_result_free (struct nr_import_result *r);

/* path: a file (tar, possibly compressed), an OCI layout directory, or "-" for stdin. */
int nr_imagestore_import (struct nr_imagestore *s, const char *path, const struct nr_import_opts *o,
                          struct nr_import_result *res, nr_error_t *err);
/* A stream: read once, nothing spooled to disk but the unpacked layers. */
int nr_imagestore_import_fd (struct nr_imagestore *s, int fd, const char *what,
                             const struct nr_import_opts *o, struct nr_import_result *res,
                             nr_error_t *err);
/* `docker save NAME...` through a pipe ($NESTRUN_DOCKER or "docker" from PATH). */
int nr_imagestore_import_docker (struct nr_imagestore *s, char *const *names,
                                 const struct nr_import_opts *o, struct nr_import_result *res,
                                 nr_error_t *err);

/* ---- listing ---- */
struct nr_layer_info
{
  char chain_id[NR_DIGEST_STR_LEN];
  char diff_id[NR_DIGEST_STR_LEN];
  char parent[NR_DIGEST_STR_LEN]; /* "" for a base layer */
  uint64_t size;                  /* bytes of regular files */
  uint64_t entries;
  unsigned users;                 /* images (refs) using it */
};

struct nr_image_info
{
  char *ref; /* NULL for a leased, untagged image */
  char manifest[NR_DIGEST_STR_LEN];
  char config[NR_DIGEST_STR_LEN];
  char *created, *os, *arch;
  struct nr_layer_info *layers;
  size_t n_layers;
  uint64_t size;        /* all its layers */
  uint64_t unique_size; /* layers no other ref uses */
};

struct nr_image_list
{
  struct nr_image_info *images;
  size_t n;
};

struct nr_store_usage
{
  size_t n_refs, n_layers, n_blobs, n_leases;
  uint64_t layer_bytes;      /* all stored layers, once each */
  uint64_t shared_bytes;     /* layers used by more than one ref */
  uint64_t unreferenced_bytes; /* layers no ref uses: what gc frees, leases aside */
  uint64_t blob_bytes;
  uint64_t logical_bytes;    /* what one copy per image would take */
};

int nr_imagestore_list (struct nr_imagestore *s, struct nr_image_list *out, nr_error_t *err);
/* what: a ref, a manifest or config digest, or an unambiguous hex prefix of one (≥ 4). */
int nr_imagestore_inspect (struct nr_imagestore *s, const char *what, struct nr_image_info *out,
                           nr_error_t *err);
int nr_imagestore_du (struct nr_imagestore *s, struct nr_store_usage *out, nr_error_t *err);
void nr_image_info_free (struct nr_image_info *i);
void nr_image_list_free (struct nr_image_list *l);
/* The directory of a layer's tree: STORE/layers/<hex>/diff (malloc'd). */
char *nr_imagestore_layer_dir (struct nr_imagestore *s, const char *chain_id);

/* ---- lifecycle ---- */
int nr_imagestore_tag (struct nr_imagestore *s, const char *what, const char *ref, nr_error_t *err);
int nr_imagestore_rm (struct nr_imagestore *s, const char *ref, nr_error_t *err);

struct nr_gc_result
{
  unsigned layers_removed, blobs_removed, debris_removed;
  uint64_t bytes_freed;
};
/* Needs NR_STORE_EXCLUSIVE. */
int nr_imagestore_gc (struct nr_imagestore *s, bool dry_run, struct nr_gc_result *out, nr_error_t *err);
/* A lease keeps images (refs or digests, resolved to manifests now) from gc until
   removed; one per container id.  Re-adding replaces it. */
int nr_imagestore_lease_add (struct nr_imagestore *s, const char *id, char *const *images,
                             nr_error_t *err);
int nr_imagestore_lease_remove (struct nr_imagestore *s, const char *id, nr_error_t *err);

/* ---- --format json (malloc'd text) ---- */
char *nr_image_list_json (struct nr_imagestore *s, const struct nr_image_list *l);
char *nr_image_info_json (struct nr_imagestore *s, const struct nr_image_info *i);
char *nr_store_usage_json (const struct nr_store_usage *u);
char *nr_import_result_json (const struct nr_import_result *r);
char *nr_gc_result_json (const struct nr_gc_result *r);

/* ---- engine views ---- */
struct nr_bind
{
  char *src; /* the store's layer directory */
  char *dst; /* where the engine expects it */
  bool ro;   /* false only for the first: DATA onto itself (see below) */
};

struct nr_seed_result
{
  struct nr_bind *binds;
  size_t n_binds;
  size_t n_images;
};
void nr_seed_result_free (struct nr_seed_result *r);

/* Write the metadata of a Docker 20.10+ overlay2 data-root (image/overlay2/... and
   overlay2/<id>/{link,lower,work,committed} with l/ short links) for the given refs
   (NULL = all) into data_root, copying no layer data: *out lists the bind mounts the
   caller performs, in order.  The first binds data_root onto itself: dockerd makes its
   root a mount point by binding it over itself (non-recursively) unless it is one
   already, which would hide the layer binds below it.  The others are read-only binds
   of the store's layer dirs on data_root/overlay2/<id>/diff.
   Each file is written to a temporary renamed over it; with NR_SEED_SYNC it is also
   fsynced first, for a data-root kept across reboots.  A nest's data-root is deleted with
   its container and never needs it (some 14 fsyncs, 10-30 ms on a loaded disk, at every
   nesting level's create). */
#define NR_SEED_SYNC 1u
int nr_imagestore_seed_docker (struct nr_imagestore *s, const char *data_root, char *const *images, unsigned flags,
                               struct nr_seed_result *out, nr_error_t *err);

/* Write a containers-storage additional image store (overlay driver; podman, buildah,
   CRI-O: `additionalimagestores`) for the given refs (NULL = all) into view, read-only
   for its consumers and made of metadata only: each layer's diff is a symbolic link to
   <layers_at>/layers/<chain hex>/diff, layers_at being the store as the consumer sees
   it (NULL: the store's own path).  No binds: out->n_binds is 0.  A seed replaces what
   an earlier seed wrote in view.  flags: NR_SEED_SYNC, as for the Docker view.  See
   seed_containers.c for the layout. */
int nr_imagestore_seed_containers (struct nr_imagestore *s, const char *view, const char *layers_at,
                                   char *const *images, unsigned flags, struct nr_seed_result *out,
                                   nr_error_t *err);

#endif
