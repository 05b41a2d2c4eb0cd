/* SPDX-License-Identifier: Apache-2.0 */
/* Private to import*.c: what an import source holds and what it plans to store. */
#ifndef NR_IMAGESTORE_IMPORT_H
#define NR_IMAGESTORE_IMPORT_H

#include "imagestore/internal.h"

/* A small file of the source kept in memory (manifests, configs, index). */
struct imp_file
{
  char *name;
  char *data;
  size_t len;
};

/* Every regular file the source holds, with its size (layers are not read in pass 1). */
struct imp_entry
{
  char *name;
  uint64_t size;
};

enum plan_state
{
  LAYER_NEEDED = 0,
  LAYER_PRESENT, /* already in the store */
  LAYER_STAGED,  /* unpacked under the staging directory, to commit */
};

struct plan_layer
{
  char *source;       /* entry name in the archive, or path in the OCI layout */
  char *media_type;   /* NULL for docker-save layers (a tar) */
  char digest[NR_DIGEST_STR_LEN]; /* the blob's own digest (OCI), "" when not known */
  char diff_id[NR_DIGEST_STR_LEN];
  char chain_id[NR_DIGEST_STR_LEN];
  uint64_t size;      /* the blob's size in the source */
  uint64_t files_size, entries; /* once unpacked */
  enum plan_state state;
  char staged[32];    /* name under the staging directory */
  char label[200];    /* "image \"x:1\": layer 2/3 (sha256:…)" */
  struct plan_layer *same; /* an earlier layer of this import with the same chain */
};

struct plan_image
{
  char **refs;
  char *label;        /* for messages: first ref, or the config digest */
  char *config;
  size_t config_len;
  char *manifest;
  size_t manifest_len;
  struct nr_image_def def;
  struct plan_layer *layers;
  size_t n_layers;
};

struct imp
{
  struct nr_imagestore *s;
  const struct nr_import_opts *o;
  const char *what;
  int dirfd;                  /* an OCI layout directory, or -1 */
  struct imp_file *files;
  size_t n_files, files_bytes;
  struct imp_entry *entries;
  size_t n_entries;
  struct plan_image *images;
  size_t n_images;
  int stage_fd;               /* tmp/import-<pid>-<n> */
  char stage[128];
  unsigned staged_seq;
  unsigned progress_layer, progress_layers; /* k/n for the progress callback */
  struct nr_import_result *res;
};

/* import_plan.c */
const struct imp_file *imp_file_get (struct imp *im, const char *name);
int imp_plan (struct imp *im, nr_error_t *err);
void imp_plan_free (struct imp *im);
/* Find a blob of an OCI layout: "sha256:<hex>" → "blobs/sha256/<hex>". */
int imp_synth_manifest (struct plan_image *p, nr_error_t *err);
void imp_blob_path (const char *digest, char out[96]);
bool imp_media_type_ok (const char *mt);
/* GOARCH of this machine ("amd64", "arm64"...) */
const char *imp_go_arch (void);

#endif
