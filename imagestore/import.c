/* SPDX-License-Identifier: Apache-2.0 */
/* Importing images.

   Sources: a docker-save archive, an OCI layout (directory or tar), a root filesystem
   tarball, all possibly compressed.  The outer archive is streamed, never extracted:

   - seekable file: pass 1 lists entries and keeps only the small JSON ones (manifest.json,
     index.json, configs, OCI manifests) in memory; the plan then says which layers are
     missing from the store, and pass 2 streams just those entries into the unpacker.
     Re-importing a present image reads headers only and writes no layer bytes.
   - a pipe (stdin, `docker save`): one pass.  manifest.json comes last in docker-save
     archives, so each layer entry is unpacked into the staging directory as it passes
     (its diffID computed on the way), and matched to the plan at the end.  Nothing is
     spooled to disk as a tar; the cost is that layers already in the store are
     unpacked and dropped.

   Everything lands in tmp/import-<pid>-<n>/ first.  Only when every layer of every image
   is unpacked and verified is anything committed: layers by rename into layers/, then
   config and manifest blobs, then refs.  A failure removes the staging directory. */
#include "config.h"
#include "imagestore/import.h"
#include "common/fs.h"
#include "common/debug.h"
#include "common/json.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* libarchive reports -1 (ARCHIVE_ERRNO_MISC) for format errors: not an errno */
static int
la_errno (struct archive *a)
{
  return archive_errno (a) > 0 ? archive_errno (a) : 0;
}

DEFINE_CLEANUP_FUNC (struct archive *, archive_read_free)

#define CHUNK (128 * 1024)
#define MAX_FILES_BYTES (256u << 20)

void
nr_import_result_free (struct nr_import_result *r)
{
  for (size_t i = 0; i < r->n_images; i++)
    free (r->images[i].ref);
  free (r->images);
  memset (r, 0, sizeof *r);
}

/* ---- layer byte sources ---- */

struct fd_src
{
  int fd;
  char buf[CHUNK];
};

static ssize_t
fd_read (void *ctx, const void **buf, nr_error_t *err)
{
  struct fd_src *f = ctx;
  ssize_t n;
  do
    n = read (f->fd, f->buf, sizeof f->buf);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return nr_error (err, errno, "read");
  *buf = f->buf;
  return n;
}

/* An entry of the outer archive; pre holds bytes already read to sniff it. */
struct entry_src
{
  struct archive *a;
  const char *pre;
  size_t pre_len;
  char buf[CHUNK];
};

static ssize_t
entry_read (void *ctx, const void **buf, nr_error_t *err)
{
  struct entry_src *e = ctx;
  if (e->pre_len)
    {
      *buf = e->pre;
      size_t n = e->pre_len;
      e->pre_len = 0;
      return (ssize_t) n;
    }
  la_ssize_t n = archive_read_data (e->a, e->buf, sizeof e->buf);
  if (n < 0)
    return nr_error (err, la_errno (e->a), "read archive: %s", archive_error_string (e->a));
  *buf = e->buf;
  return n;
}

/* ---- outer archive ---- */

static struct archive *
outer_open (int fd)
{
  struct archive *a = archive_read_new ();
  if (a == NULL)
    return NULL;
  archive_read_support_filter_gzip (a);
  archive_read_support_filter_zstd (a);
  archive_read_support_filter_xz (a);
  archive_read_support_format_tar (a);
  archive_read_support_format_gnutar (a);
  if (archive_read_open_fd (a, fd, CHUNK) != ARCHIVE_OK)
    {
      archive_read_free (a);
      return NULL;
    }
  return a;
}

/* "./a//b" → "a/b" (names are only compared, never used as paths on disk) */
static char *
entry_name (struct archive_entry *e)
{
  const char *n = archive_entry_pathname (e);
  if (n == NULL)
    return NULL;
  while (n[0] == '.' && n[1] == '/')
    n += 2;
  return strdup (n);
}

/* The small files docker-save archives and OCI layouts are made of. */
static bool
is_meta_name (const char *n)
{
  size_t len = strlen (n);
  if (strcmp (n, "manifest.json") == 0 || strcmp (n, "index.json") == 0 || strcmp (n, "oci-layout") == 0
      || strcmp (n, "repositories") == 0)
    return true;
  if (strncmp (n, "blobs/sha256/", 13) == 0 && strchr (n + 13, '/') == NULL)
    return true;
  if (len == 64 + 5 && strcmp (n + 64, ".json") == 0 && strchr (n, '/') == NULL)
    return true; /* <config hex>.json */
  return false;
}

static bool
is_layer_name (const char *n)
{
  size_t len = strlen (n);
  return strncmp (n, "blobs/sha256/", 13) == 0 || (len >= 10 && strcmp (n + len - 10, "/layer.tar") == 0);
}

static int
add_entry (struct imp *im, const char *name, uint64_t size, nr_error_t *err)
{
  struct imp_entry *n = realloc (im->entries, (im->n_entries + 1) * sizeof *n);
  if (n == NULL)
    return nr_error (err, ENOMEM, "list entries");
  im->entries = n;
  n[im->n_entries].name = strdup (name);
  n[im->n_entries++].size = size;
  return n[im->n_entries - 1].name ? 0 : nr_error (err, ENOMEM, "list entries");
}

static int
keep_file (struct imp *im, const char *name, char *data, size_t len, nr_error_t *err)
{
  char got[NR_DIGEST_STR_LEN];
  if (strncmp (name, "blobs/sha256/", 13) == 0)
    {
      /* a blob's name is its digest: check it now, whatever it turns out to be */
      nr_sha256_digest (data, len, got);
      if (strcmp (got + 7, name + 13) != 0)
        {
          free (data);
          return nr_error (err, 0, "entry \"%s\": digest mismatch (content is %s)", name, got);
        }
    }
  im->files_bytes += len;
  struct imp_file *n = realloc (im->files, (im->n_files + 1) * sizeof *n);
  if (n == NULL || im->files_bytes > MAX_FILES_BYTES)
    {
      free (data);
      if (n)
        im->files = n;
      return nr_error (err, EFBIG, "entry \"%s\": more than %u MiB of metadata", name, MAX_FILES_BYTES >> 20);
    }
  im->files = n;
  n[im->n_files++] = (struct imp_file) { strdup (name), data, len };
  return 0;
}

/* Read an entry whole (it is small and its first bytes said JSON). */
static int
read_rest (struct archive *a, const char *pre, size_t pre_len, uint64_t size, uint64_t max, char **out,
           size_t *len, nr_error_t *err)
{
  if (size > max)
    return nr_error (err, EFBIG, "larger than %llu bytes", (unsigned long long) max);
  char *buf = malloc (size + 1);
  if (buf == NULL)
    return nr_error (err, ENOMEM, "read");
  memcpy (buf, pre, pre_len);
  size_t n = pre_len;
  while (n < size)
    {
      la_ssize_t r = archive_read_data (a, buf + n, size - n);
      if (r <= 0)
        {
          free (buf);
          return nr_error (err, r < 0 ? la_errno (a) : EIO, "read: %s",
                           r < 0 ? archive_error_string (a) : "truncated");
        }
      n += (size_t) r;
    }
  buf[n] = '\0';
  *out = buf;
  *len = n;
  return 0;
}

/* Stage an unpacked layer: <stage>/<name>/diff, and layer.json beside it. */
static int
stage_layer (struct imp *im, struct nr_layer_src *src, struct nr_layer_job *job, char name[32],
             nr_error_t *err)
{
  snprintf (name, 32, "L%u", im->staged_seq++);
  if (mkdirat (im->stage_fd, name, 0700) < 0)
    return nr_error (err, errno, "create staging directory");
  _cleanup_close_ int fd = openat (im->stage_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return nr_error (err, errno, "open staging directory");
  if (job->limits.max_entries == 0)
    job->limits = im->s->limits;
  im->progress_layer++;
  if (nr_layer_unpack (fd, "diff", src, job, err) < 0)
    return -1;
  nr_debug_point ("import:after-unpack");
  im->res->layer_bytes += job->tar_bytes;
  return 0;
}

/* One pass over a stream: keep metadata, unpack every layer as it passes. */
struct pending
{
  char *entry;
  char staged[32];
  struct nr_layer_job job;
};

struct pass
{
  struct pending *pend;
  size_t n_pend;
  bool unpack;                  /* one-pass mode */
  struct plan_layer **want;     /* pass 2: the layers to unpack, by source */
  size_t n_want;
};

static void
progress_bytes (void *data, uint64_t bytes)
{
  struct imp *im = data;
  if (im->o->progress)
    {
      struct nr_import_progress p = { .image = im->what, .bytes = bytes, .layer = im->progress_layer,
                                      .layers = im->progress_layers };
      im->o->progress (im->o->progress_data, &p);
    }
}

static int
pass_layer (struct imp *im, struct pass *ps, struct archive *a, const char *name, const char *pre,
            size_t pre_len, nr_error_t *err)
{
  struct entry_src es = { .a = a, .pre = pre, .pre_len = pre_len };
  struct nr_layer_src src = { entry_read, &es };
  char label[600];
  snprintf (label, sizeof label, "layer \"%s\"", name);
  if (ps->unpack)
    {
      struct pending *np = realloc (ps->pend, (ps->n_pend + 1) * sizeof *np);
      if (np == NULL)
        return nr_error (err, ENOMEM, "layer");
      ps->pend = np;
      struct pending *p = &np[ps->n_pend];
      memset (p, 0, sizeof *p);
      p->job.label = label;
      p->job.progress = progress_bytes;
      p->job.progress_data = im;
      if (stage_layer (im, &src, &p->job, p->staged, err) < 0)
        return -1;
      p->job.label = NULL;
      p->entry = strdup (name);
      ps->n_pend++;
      return 0;
    }
  for (size_t i = 0; i < ps->n_want; i++)
    {
      struct plan_layer *l = ps->want[i];
      if (l->state != LAYER_NEEDED || strcmp (l->source, name) != 0)
        continue;
      struct nr_layer_job job = { .label = l->label, .expect_diff_id = l->diff_id,
                                  .expect_digest = l->digest[0] ? l->digest : NULL,
                                  .progress = progress_bytes, .progress_data = im };
      if (stage_layer (im, &src, &job, l->staged, err) < 0)
        return -1;
      l->files_size = job.size;
      l->entries = job.entries;
      l->state = LAYER_STAGED;
      return 0; /* an entry is read once: other chains with it are caught in the check */
    }
  return 0;
}

static int
pass_entry (struct imp *im, struct pass *ps, struct archive *a, struct archive_entry *e, nr_error_t *err)
{
  _cleanup_free_ char *name = entry_name (e);
  char pre[4096];
  la_ssize_t pre_len = 0;
  bool first = ps->want == NULL;

  if (name == NULL)
    return nr_error (err, EINVAL, "entry without a name");
  if (archive_entry_filetype (e) != AE_IFREG)
    return 0;
  uint64_t size = (uint64_t) archive_entry_size (e);
  if (first && add_entry (im, name, size, err) < 0)
    return -1;
  bool meta = first && is_meta_name (name) && size <= im->s->limits.max_json;
  bool layer = is_layer_name (name) && (ps->unpack || ps->want);
  if (!meta && !layer)
    return 0;
  if (meta)
    {
      pre_len = archive_read_data (a, pre, size < sizeof pre ? size : sizeof pre);
      if (pre_len < 0)
        return nr_error (err, la_errno (a), "entry \"%s\": %s", name, archive_error_string (a));
      if (pre_len > 0 && (pre[0] == '{' || pre[0] == '['))
        {
          char *data = NULL;
          size_t len = 0;
          if (read_rest (a, pre, (size_t) pre_len, size, im->s->limits.max_json, &data, &len, err) < 0)
            return nr_error_wrap (err, "entry \"%s\"", name);
          return keep_file (im, name, data, len, err);
        }
    }
  if (layer)
    return pass_layer (im, ps, a, name, pre, (size_t) pre_len, err);
  return 0;
}

static int
run_pass (struct imp *im, int fd, struct pass *ps, nr_error_t *err)
{
  _cleanup_ (archive_read_freep) struct archive *a = outer_open (fd);
  struct archive_entry *e;
  if (a == NULL)
    return nr_error (err, EIO, "open archive");
  for (;;)
    {
      int r = archive_read_next_header (a, &e);
      if (r == ARCHIVE_EOF)
        return 0;
      if (r < ARCHIVE_WARN)
        return nr_error (err, la_errno (a), "read archive: %s",
                         archive_error_string (a));
      if (pass_entry (im, ps, a, e, err) < 0)
        return -1;
    }
}

/* ---- matching, committing ---- */

static void
layer_label (struct plan_image *p, size_t i, char *out, size_t n)
{
  snprintf (out, n, "layer %zu/%zu (%.19s)", i + 1, p->n_layers, p->layers[i].diff_id);
}

/* One-pass mode: give each planned layer its unpacked entry, verified. */
static int
match_pending (struct imp *im, struct pass *ps, nr_error_t *err)
{
  for (size_t i = 0; i < im->n_images; i++)
    for (size_t j = 0; j < im->images[i].n_layers; j++)
      {
        struct plan_layer *l = &im->images[i].layers[j];
        char label[128];
        if (l->state != LAYER_NEEDED || l->same)
          continue;
        layer_label (&im->images[i], j, label, sizeof label);
        struct pending *p = NULL;
        for (size_t k = 0; k < ps->n_pend && p == NULL; k++)
          if (ps->pend[k].entry && strcmp (ps->pend[k].entry, l->source) == 0)
            p = &ps->pend[k];
        if (p == NULL)
          return nr_error (err, ENOENT, "image \"%s\": %s: \"%s\" is missing from the source",
                           im->images[i].label, label, l->source);
        if (l->digest[0] && strcmp (l->digest, p->job.digest) != 0)
          return nr_error (err, 0, "image \"%s\": %s: blob digest mismatch: expected %s, got %s",
                           im->images[i].label, label, l->digest, p->job.digest);
        if (strcmp (l->diff_id, p->job.diff_id) != 0)
          return nr_error (err, 0, "image \"%s\": %s: diffID mismatch: expected %s, got %s",
                           im->images[i].label, label, l->diff_id, p->job.diff_id);
        memcpy (l->staged, p->staged, sizeof l->staged);
        l->files_size = p->job.size;
        l->entries = p->job.entries;
        l->state = LAYER_STAGED;
        free (p->entry); /* an entry is used once */
        p->entry = NULL;
      }
  return 0;
}

static int
write_meta (struct imp *im, struct plan_layer *l, const char *parent, nr_error_t *err)
{
  struct nr_layer_info li = { 0 };
  _cleanup_close_ int fd = openat (im->stage_fd, l->staged, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return nr_error (err, errno, "open staged layer");
  memcpy (li.chain_id, l->chain_id, sizeof li.chain_id);
  memcpy (li.diff_id, l->diff_id, sizeof li.diff_id);
  snprintf (li.parent, sizeof li.parent, "%s", parent ? parent : "");
  li.size = l->files_size;
  li.entries = l->entries;
  return nr_layer_write_meta (fd, &li, err);
}

static int
commit_image (struct imp *im, struct plan_image *p, nr_error_t *err)
{
  for (size_t j = 0; j < p->n_layers; j++)
    {
      struct plan_layer *l = p->layers[j].same ? p->layers[j].same : &p->layers[j];
      char tmpname[200];
      bool existed = false;
      if (l->state == LAYER_PRESENT)
        continue;
      snprintf (tmpname, sizeof tmpname, "%s/%s", im->stage, l->staged);
      nr_debug_point ("import:before-layer-commit");
      if (nr_layer_commit (im->s, tmpname, l->chain_id, &existed, err) < 0)
        return nr_error_wrap (err, "image \"%s\": layer %zu/%zu", p->label, j + 1, p->n_layers);
      nr_debug_point ("import:after-layer-commit");
      l->state = LAYER_PRESENT;
      existed ? im->res->layers_present++ : im->res->layers_new++;
    }
  if (nr_blob_put (im->s, p->def.config, p->config, p->config_len, err) < 0
      || nr_blob_put (im->s, p->def.manifest, p->manifest, p->manifest_len, err) < 0)
    return nr_error_wrap (err, "image \"%s\"", p->label);
  nr_debug_point ("import:before-ref");
  for (char **r = p->refs; r && *r; r++)
    if (nr_refs_set (im->s, *r, p->def.manifest, err) < 0)
      return nr_error_wrap (err, "image \"%s\"", p->label);
  return 0;
}

static int
add_result (struct imp *im, struct plan_image *p, nr_error_t *err)
{
  size_t n = 0;
  while (p->refs && p->refs[n])
    n++;
  n = n ? n : 1;
  struct nr_imported_image *v = realloc (im->res->images, (im->res->n_images + n) * sizeof *v);
  if (v == NULL)
    return nr_error (err, ENOMEM, "result");
  im->res->images = v;
  for (size_t i = 0; i < n; i++)
    {
      struct nr_imported_image *r = &v[im->res->n_images++];
      r->ref = p->refs && p->refs[i] ? strdup (p->refs[i]) : NULL;
      memcpy (r->manifest, p->def.manifest, sizeof r->manifest);
      memcpy (r->config, p->def.config, sizeof r->config);
      r->layers = p->n_layers;
    }
  return 0;
}

/* Every layer of every image is staged or already in the store: checked before
   anything is committed, so that a source missing a layer leaves no layer behind. */
static int
check_complete (struct imp *im, nr_error_t *err)
{
  for (size_t i = 0; i < im->n_images; i++)
    {
      struct plan_image *p = &im->images[i];
      for (size_t j = 0; j < p->n_layers; j++)
        {
          struct plan_layer *l = p->layers[j].same ? p->layers[j].same : &p->layers[j];
          if (l->state != LAYER_PRESENT && l->state != LAYER_STAGED)
            return nr_error (err, ENOENT, "image \"%s\": layer %zu/%zu \"%s\" is missing from the source", p->label,
                             j + 1, p->n_layers, l->source);
        }
    }
  return 0;
}

/* All layers staged: make them durable, then visible. */
static int
commit_all (struct imp *im, nr_error_t *err)
{
  if (check_complete (im, err) < 0)
    return -1;
  for (size_t i = 0; i < im->n_images; i++)
    {
      struct plan_image *p = &im->images[i];
      for (size_t j = 0; j < p->n_layers; j++)
        if (p->layers[j].state == LAYER_STAGED
            && write_meta (im, &p->layers[j], j ? p->layers[j - 1].chain_id : NULL, err) < 0)
          return nr_error_wrap (err, "image \"%s\": layer %zu/%zu", p->label, j + 1, p->n_layers);
    }
  if (syncfs (im->stage_fd) < 0)
    return nr_error (err, errno, "sync image store");
  for (size_t i = 0; i < im->n_images; i++)
    {
      for (size_t j = 0; j < im->images[i].n_layers; j++)
        if (im->images[i].layers[j].state == LAYER_PRESENT && !im->images[i].layers[j].same)
          im->res->layers_present++;
      if (commit_image (im, &im->images[i], err) < 0 || add_result (im, &im->images[i], err) < 0)
        return nr_error_wrap (err, "commit");
    }
  return 0;
}

/* ---- the sources ---- */

static void
free_pass (struct pass *ps)
{
  for (size_t i = 0; i < ps->n_pend; i++)
    free (ps->pend[i].entry);
  free (ps->pend);
  free (ps->want);
}

static int
want_needed (struct imp *im, struct pass *ps, nr_error_t *err)
{
  for (size_t i = 0; i < im->n_images; i++)
    for (size_t j = 0; j < im->images[i].n_layers; j++)
      {
        struct plan_layer *l = &im->images[i].layers[j];
        if (l->state != LAYER_NEEDED || l->same)
          continue;
        struct plan_layer **w = realloc (ps->want, (ps->n_want + 1) * sizeof *w);
        if (w == NULL)
          return nr_error (err, ENOMEM, "plan");
        ps->want = w;
        w[ps->n_want++] = l;
      }
  im->progress_layer = 0;
  im->progress_layers = (unsigned) ps->n_want;
  return 0;
}

static bool
has_metadata (struct imp *im)
{
  return imp_file_get (im, "manifest.json") || imp_file_get (im, "index.json");
}

static int import_rootfs (struct imp *im, int fd, nr_error_t *err);

static int
import_archive (struct imp *im, int fd, bool seekable, nr_error_t *err)
{
  struct pass p1 = { .unpack = !seekable }, p2 = { 0 };
  int r = -1;

  if (run_pass (im, fd, &p1, err) < 0)
    goto out;
  if (seekable && !has_metadata (im) && im->o->ref)
    {
      /* no manifest: a root filesystem tarball, like `docker import` */
      if (lseek (fd, 0, SEEK_SET) < 0)
        r = nr_error (err, errno, "rewind");
      else
        r = import_rootfs (im, fd, err);
      goto out;
    }
  if (imp_plan (im, err) < 0)
    goto out;
  if (!seekable && match_pending (im, &p1, err) < 0)
    goto out;
  if (seekable && want_needed (im, &p2, err) < 0)
    goto out;
  if (p2.n_want)
    {
      if (lseek (fd, 0, SEEK_SET) < 0)
        {
          r = nr_error (err, errno, "rewind");
          goto out;
        }
      if (run_pass (im, fd, &p2, err) < 0)
        goto out;
    }
  r = commit_all (im, err);
out:
  free_pass (&p1);
  free_pass (&p2);
  return r;
}

static char *
synth_config (const char *diff_id)
{
  char now[64];
  time_t t = time (NULL);
  struct tm tm;
  gmtime_r (&t, &tm);
  strftime (now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
  yajl_gen g = nr_jgen_new (false);
  if (g == NULL)
    return NULL;
  yajl_gen_map_open (g);
  nr_jgen_kstr (g, "architecture", imp_go_arch ());
  nr_jgen_kstr (g, "os", "linux");
  nr_jgen_kstr (g, "created", now);
  nr_jgen_key (g, "config");
  yajl_gen_map_open (g);
  yajl_gen_map_close (g);
  nr_jgen_key (g, "rootfs");
  yajl_gen_map_open (g);
  nr_jgen_kstr (g, "type", "layers");
  nr_jgen_key (g, "diff_ids");
  yajl_gen_array_open (g);
  nr_jgen_str (g, diff_id);
  yajl_gen_array_close (g);
  yajl_gen_map_close (g);
  nr_jgen_key (g, "history");
  yajl_gen_array_open (g);
  yajl_gen_map_open (g);
  nr_jgen_kstr (g, "created", now);
  nr_jgen_kstr (g, "created_by", "nestrun image import --rootfs");
  yajl_gen_map_close (g);
  yajl_gen_array_close (g);
  yajl_gen_map_close (g);
  return nr_jgen_finish (g, NULL);
}

/* The whole file is one layer; the image around it is made up. */
static int
import_rootfs (struct imp *im, int fd, nr_error_t *err)
{
  _cleanup_free_ struct fd_src *fs = calloc (1, sizeof *fs);
  struct nr_layer_src src = { fd_read, fs };
  struct nr_layer_job job = { .label = "root filesystem", .progress = progress_bytes, .progress_data = im };
  struct plan_image *p;

  if (im->o->ref == NULL)
    return nr_error (err, EINVAL, "a root filesystem tarball needs a name for the image");
  if (fs == NULL || (p = calloc (1, sizeof *p)) == NULL)
    return nr_error (err, ENOMEM, "import");
  fs->fd = fd;
  im->images = p;
  im->n_images = 1;
  im->progress_layers = 1;
  p->layers = calloc (1, sizeof *p->layers);
  p->refs = calloc (2, sizeof (char *));
  p->refs[0] = nr_ref_normalize (im->o->ref);
  if (p->refs[0] == NULL)
    return nr_error (err, EINVAL, "invalid reference \"%s\"", im->o->ref);
  p->label = strdup (p->refs[0]);
  p->n_layers = 1;
  struct plan_layer *l = &p->layers[0];
  if (stage_layer (im, &src, &job, l->staged, err) < 0)
    return nr_error_wrap (err, "image \"%s\"", p->label);
  l->state = LAYER_STAGED;
  l->files_size = job.size;
  l->entries = job.entries;
  l->size = job.tar_bytes;
  l->source = strdup (im->what);
  memcpy (l->diff_id, job.diff_id, sizeof l->diff_id);
  memcpy (l->chain_id, job.diff_id, sizeof l->chain_id);
  p->config = synth_config (job.diff_id);
  if (p->config == NULL)
    return nr_error (err, ENOMEM, "config");
  p->config_len = strlen (p->config);
  nr_sha256_digest (p->config, p->config_len, p->def.config);
  if (nr_image_parse_config (p->config, p->config_len, "config", &p->def, err) < 0
      || imp_synth_manifest (p, err) < 0)
    return -1;
  return commit_all (im, err);
}

/* An OCI layout directory (or an unpacked docker-save directory). */
static int
import_dir (struct imp *im, nr_error_t *err)
{
  if (imp_plan (im, err) < 0)
    return -1;
  struct pass ps = { 0 };
  if (want_needed (im, &ps, err) < 0)
    return -1;
  for (size_t i = 0; i < ps.n_want; i++)
    {
      struct plan_layer *l = ps.want[i];
      _cleanup_free_ struct fd_src *fs = calloc (1, sizeof *fs);
      struct nr_layer_src src = { fd_read, fs };
      struct nr_layer_job job = { .label = l->label, .expect_diff_id = l->diff_id,
                                  .expect_digest = l->digest[0] ? l->digest : NULL,
                                  .progress = progress_bytes, .progress_data = im };
      if (fs == NULL)
        return free (ps.want), nr_error (err, ENOMEM, "import");
      /* a source-given name: resolved inside the layout, never out of it */
      fs->fd = nr_openat_in_root (im->dirfd, l->source, O_RDONLY, 0, err);
      int r = fs->fd < 0 ? nr_error_wrap (err, "%s", l->label) : stage_layer (im, &src, &job, l->staged, err);
      if (fs->fd >= 0)
        close (fs->fd);
      if (r < 0)
        return free (ps.want), -1;
      l->files_size = job.size;
      l->entries = job.entries;
      l->state = LAYER_STAGED;
    }
  free (ps.want);
  return commit_all (im, err);
}

static void
imp_free (struct imp *im)
{
  imp_plan_free (im);
  for (size_t i = 0; i < im->n_files; i++)
    {
      free (im->files[i].name);
      free (im->files[i].data);
    }
  free (im->files);
  for (size_t i = 0; i < im->n_entries; i++)
    free (im->entries[i].name);
  free (im->entries);
  if (im->dirfd >= 0)
    close (im->dirfd);
  if (im->stage_fd >= 0)
    {
      close (im->stage_fd);
      nr_store_remove_tmp (im->s, im->stage);
    }
}

static int
imp_init (struct imp *im, struct nr_imagestore *s, const struct nr_import_opts *o, const char *what,
          struct nr_import_result *res, nr_error_t *err)
{
  static const struct nr_import_opts none = { 0 };
  memset (im, 0, sizeof *im);
  memset (res, 0, sizeof *res);
  im->s = s;
  im->o = o ? o : &none;
  im->what = what;
  im->res = res;
  im->dirfd = -1;
  im->stage_fd = nr_store_mktemp (s, "import", im->stage, err);
  return im->stage_fd < 0 ? -1 : 0;
}

static int
finish (struct imp *im, int r, nr_error_t *err)
{
  imp_free (im);
  if (r < 0)
    {
      nr_import_result_free (im->res);
      return nr_error_wrap (err, "import \"%s\"", im->what);
    }
  return 0;
}

int
nr_imagestore_import_fd (struct nr_imagestore *s, int fd, const char *what, const struct nr_import_opts *o,
                         struct nr_import_result *res, nr_error_t *err)
{
  struct imp im;
  struct stat st;
  if (imp_init (&im, s, o, what, res, err) < 0)
    return nr_error_wrap (err, "import \"%s\"", what);
  bool seekable = fstat (fd, &st) == 0 && S_ISREG (st.st_mode) && lseek (fd, 0, SEEK_CUR) == 0;
  int r;
  if (im.o->kind == NR_IMPORT_ROOTFS)
    r = import_rootfs (&im, fd, err);
  else
    r = import_archive (&im, fd, seekable, err);
  return finish (&im, r, err);
}

int
nr_imagestore_import (struct nr_imagestore *s, const char *path, const struct nr_import_opts *o,
                      struct nr_import_result *res, nr_error_t *err)
{
  struct stat st;
  struct imp im;

  if (strcmp (path, "-") == 0)
    return nr_imagestore_import_fd (s, STDIN_FILENO, "-", o, res, err);
  if (stat (path, &st) < 0)
    return nr_error (err, errno, "import \"%s\"", path);
  if (!S_ISDIR (st.st_mode))
    {
      _cleanup_close_ int fd = open (path, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        return nr_error (err, errno, "import \"%s\"", path);
      return nr_imagestore_import_fd (s, fd, path, o, res, err);
    }
  if (imp_init (&im, s, o, path, res, err) < 0)
    return nr_error_wrap (err, "import \"%s\"", path);
  im.dirfd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (im.dirfd < 0)
    return finish (&im, nr_error (err, errno, "open"), err);
  return finish (&im, import_dir (&im, err), err);
}
