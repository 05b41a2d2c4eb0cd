/* SPDX-License-Identifier: Apache-2.0 */
/* Unpacking one layer: the only libarchive user.

   source ──raw bytes──▶ archive "raw" (gzip/zstd/xz/none) ──tar stream──▶ archive "tar"
      │ sha256 = blob digest               │ sha256 = diffID, byte limit       │
                                                                             ▼
                              our checks (path, links, whiteouts, xattrs) ─▶ archive_write_disk

   Two libarchive readers in a row, so that the uncompressed stream passes through our
   hands: its digest is the diffID, verified while extracting, and nothing is stored if
   it does not match.  archive_write_disk works relative to the working directory, so
   we fchdir into the layer for the duration (nestrun is single-threaded).  Whiteouts
   never reach libarchive: .wh.NAME becomes a 0/0 character device, .wh..wh..opq the
   opaque xattr on its directory, as overlayfs reads them. */
#include "config.h"
#include "imagestore/internal.h"
#include "common/fs.h"
#include "common/json.h"
#include "common/log.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

/* libarchive reports -1 (ARCHIVE_ERRNO_MISC) for format errors: not an errno */
static int
la_errno (struct archive *a)
{
  return archive_errno (a) > 0 ? archive_errno (a) : 0;
}

DEFINE_CLEANUP_FUNC (struct archive *, archive_read_free)
DEFINE_CLEANUP_FUNC (struct archive *, archive_write_free)
#define _cleanup_archive_read_ _cleanup_ (archive_read_freep)
#define _cleanup_archive_write_ _cleanup_ (archive_write_freep)

#define WH_PREFIX ".wh."
#define WH_META_PREFIX ".wh..wh."
#define WH_OPAQUE ".wh..wh..opq"

/* ---- pure checks ---- */

int
nr_layer_clean_path (const char *name, uint64_t max_path, char **out, nr_error_t *err)
{
  size_t len = strlen (name);
  if (len == 0)
    return nr_error (err, EINVAL, "empty path");
  if (len > max_path)
    return nr_error (err, ENAMETOOLONG, "path longer than %" PRIu64 " bytes", max_path);
  if (name[0] == '/')
    return nr_error (err, EINVAL, "absolute path");
  _cleanup_free_ char *o = malloc (len + 1);
  if (o == NULL)
    return nr_error (err, ENOMEM, "path");
  size_t n = 0;
  for (const char *p = name; *p;)
    {
      size_t c = strcspn (p, "/");
      if (c == 2 && p[0] == '.' && p[1] == '.')
        return nr_error (err, EINVAL, "path contains \"..\"");
      if (c > 0 && !(c == 1 && p[0] == '.'))
        {
          if (n)
            o[n++] = '/';
          memcpy (o + n, p, c);
          n += c;
        }
      p += c;
      while (*p == '/')
        p++;
    }
  o[n] = '\0';
  *out = TAKE_PTR (o);
  return 0;
}

enum nr_whiteout
nr_layer_whiteout_kind (const char *clean, const char **target)
{
  const char *base = strrchr (clean, '/');
  base = base ? base + 1 : clean;
  if (strncmp (base, WH_PREFIX, strlen (WH_PREFIX)) != 0)
    return NR_WH_NONE;
  if (strcmp (base, WH_OPAQUE) == 0)
    return NR_WH_OPAQUE;
  if (strncmp (base, WH_META_PREFIX, strlen (WH_META_PREFIX)) == 0)
    return NR_WH_META;
  const char *t = base + strlen (WH_PREFIX);
  if (*t == '\0' || strcmp (t, ".") == 0 || strcmp (t, "..") == 0)
    return NR_WH_BAD;
  if (target)
    *target = t;
  return NR_WH_FILE;
}

bool
nr_layer_xattr_forbidden (const char *name)
{
  /* overlay's own: a layer could otherwise redirect lookups or fake metacopy files */
  return strncmp (name, "trusted.overlay.", 16) == 0 || strncmp (name, "user.overlay.", 13) == 0;
}

/* ---- the stream ---- */

struct unpack
{
  struct nr_layer_src *src;
  struct nr_layer_job *job;
  struct archive *raw;
  struct nr_sha256 raw_hash, tar_hash;
  uint64_t raw_bytes, next_progress;
  nr_error_t src_err;
  bool too_big;
  char buf[128 * 1024];
};

static la_ssize_t
raw_read_cb (struct archive *a, void *data, const void **buf)
{
  struct unpack *u = data;
  ssize_t n = u->src->read (u->src->ctx, buf, &u->src_err);
  if (n < 0)
    {
      archive_set_error (a, u->src_err ? u->src_err->status : EIO, "%s",
                         u->src_err ? u->src_err->msg : "read error");
      return -1;
    }
  nr_sha256_update (&u->raw_hash, *buf, (size_t) n);
  u->raw_bytes += (uint64_t) n;
  if (u->job->progress && u->raw_bytes >= u->next_progress)
    {
      u->job->progress (u->job->progress_data, u->raw_bytes);
      u->next_progress = u->raw_bytes + (1u << 20);
    }
  return n;
}

static la_ssize_t
tar_read_cb (struct archive *a, void *data, const void **buf)
{
  struct unpack *u = data;
  la_ssize_t n = archive_read_data (u->raw, u->buf, sizeof u->buf);
  if (n < 0)
    {
      archive_set_error (a, archive_errno (u->raw), "%s", archive_error_string (u->raw));
      return -1;
    }
  u->job->tar_bytes += (uint64_t) n;
  if (u->job->tar_bytes > u->job->limits.max_layer_bytes)
    {
      u->too_big = true;
      archive_set_error (a, EFBIG, "layer larger than %" PRIu64 " bytes", u->job->limits.max_layer_bytes);
      return -1;
    }
  nr_sha256_update (&u->tar_hash, u->buf, (size_t) n);
  *buf = u->buf;
  return n;
}

/* Read what the tar reader left (end-of-archive padding) and what the
   decompressor left, so that both digests cover the whole streams. */
static int
drain (struct unpack *u, nr_error_t *err)
{
  for (;;)
    {
      la_ssize_t n = archive_read_data (u->raw, u->buf, sizeof u->buf);
      if (n < 0)
        return nr_error (err, la_errno (u->raw), "decompress: %s", archive_error_string (u->raw));
      if (n == 0)
        break;
      u->job->tar_bytes += (uint64_t) n;
      if (u->job->tar_bytes > u->job->limits.max_layer_bytes)
        return nr_error (err, EFBIG, "layer larger than %" PRIu64 " bytes", u->job->limits.max_layer_bytes);
      nr_sha256_update (&u->tar_hash, u->buf, (size_t) n);
    }
  for (;;)
    {
      const void *b;
      ssize_t n = u->src->read (u->src->ctx, &b, err);
      if (n < 0)
        return -1;
      if (n == 0)
        return 0;
      nr_sha256_update (&u->raw_hash, b, (size_t) n);
      u->raw_bytes += (uint64_t) n;
    }
}

/* ---- in the layer directory ---- */

/* Open the directory at rel (cleaned) under root, component by component, never
   following a symlink; create missing ones when asked.  *fd = -1 when missing. */
static int
open_dir_beneath (int root, const char *rel, bool create, int *fd, nr_error_t *err)
{
  _cleanup_free_ char *p = strdup (rel);
  _cleanup_close_ int cur = openat (root, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  char *save = NULL;
  if (p == NULL || cur < 0)
    return nr_error (err, errno ? errno : ENOMEM, "open layer directory");
  for (char *c = strtok_r (p, "/", &save); c; c = strtok_r (NULL, "/", &save))
    {
      int next = openat (cur, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (next < 0 && errno == ENOENT && create)
        {
          if (mkdirat (cur, c, 0755) < 0 && errno != EEXIST)
            return nr_error (err, errno, "mkdir \"%s\"", c);
          next = openat (cur, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        }
      if (next < 0 && errno == ENOENT)
        {
          *fd = -1;
          return 0;
        }
      if (next < 0 && (errno == ELOOP || errno == ENOTDIR))
        {
          struct stat st;
          if (fstatat (cur, c, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK (st.st_mode))
            return nr_error (err, ELOOP, "path goes through the symbolic link \"%s\"", c);
          return nr_error (err, ENOTDIR, "\"%s\" is not a directory", c);
        }
      if (next < 0)
        return nr_error (err, errno, "open \"%s\"", c);
      close (cur);
      cur = next;
    }
  *fd = TAKE_FD (cur);
  return 0;
}

static int
split (const char *clean, char **parent, const char **base)
{
  const char *slash = strrchr (clean, '/');
  *parent = slash ? strndup (clean, (size_t) (slash - clean)) : strdup ("");
  *base = slash ? slash + 1 : clean;
  return *parent ? 0 : -1;
}

static int
apply_whiteout (int root, const char *clean, enum nr_whiteout kind, const char *target,
                bool user_xattr, nr_error_t *err)
{
  _cleanup_free_ char *parent = NULL;
  _cleanup_close_ int dfd = -1;
  const char *base;

  if (split (clean, &parent, &base) < 0)
    return nr_error (err, ENOMEM, "whiteout");
  if (open_dir_beneath (root, parent, true, &dfd, err) < 0)
    return -1;
  if (kind == NR_WH_OPAQUE)
    {
      const char *x = user_xattr ? "user.overlay.opaque" : "trusted.overlay.opaque";
      if (fsetxattr (dfd, x, "y", 1, 0) < 0)
        return nr_error (err, errno, "set %s on \"%s\"", x, parent[0] ? parent : "/");
      return 0;
    }
  if (nr_rm_rf_at (dfd, target, err) < 0)
    return -1;
  if (mknodat (dfd, target, S_IFCHR | 0, makedev (0, 0)) < 0)
    return nr_error (err, errno, "create whiteout \"%s\"", target);
  return 0;
}

/* A hardlink must name a non-directory already unpacked in this same layer,
   reached without symlinks: links into earlier layers or out of the tree fail. */
static int
check_hardlink (int root, struct archive_entry *e, uint64_t max_path, nr_error_t *err)
{
  _cleanup_free_ char *clean = NULL, *parent = NULL;
  _cleanup_close_ int dfd = -1;
  const char *base;
  struct stat st;

  if (nr_layer_clean_path (archive_entry_hardlink (e), max_path, &clean, err) < 0)
    return nr_error_wrap (err, "hard link target \"%s\"", archive_entry_hardlink (e));
  if (clean[0] == '\0' || split (clean, &parent, &base) < 0)
    return nr_error (err, EINVAL, "hard link to the layer root");
  if (open_dir_beneath (root, parent, false, &dfd, err) < 0)
    return nr_error_wrap (err, "hard link target \"%s\"", clean);
  if (dfd < 0 || fstatat (dfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return nr_error (err, ENOENT, "hard link target \"%s\" is not in this layer", clean);
  if (S_ISDIR (st.st_mode))
    return nr_error (err, EISDIR, "hard link target \"%s\" is a directory", clean);
  archive_entry_copy_hardlink (e, clean);
  return 0;
}

static int
filter_xattrs (struct archive_entry *e, nr_error_t *err)
{
  const char *name;
  const void *val;
  size_t size, n = 0, keep = 0;

  if (archive_entry_xattr_reset (e) == 0)
    return 0;
  while (archive_entry_xattr_next (e, &name, &val, &size) == ARCHIVE_OK)
    {
      n++;
      keep += !nr_layer_xattr_forbidden (name);
    }
  if (keep == n)
    return 0;
  struct kept { char *name; void *val; size_t size; } *k = calloc (keep + 1, sizeof *k);
  if (k == NULL)
    return nr_error (err, ENOMEM, "xattrs");
  size_t i = 0;
  archive_entry_xattr_reset (e);
  while (archive_entry_xattr_next (e, &name, &val, &size) == ARCHIVE_OK)
    if (!nr_layer_xattr_forbidden (name))
      {
        k[i].name = strdup (name);
        k[i].val = malloc (size ? size : 1);
        if (k[i].val)
          memcpy (k[i].val, val, size);
        k[i++].size = size;
      }
  archive_entry_xattr_clear (e);
  for (i = 0; i < keep; i++)
    {
      if (k[i].name && k[i].val)
        archive_entry_xattr_add_entry (e, k[i].name, k[i].val, k[i].size);
      free (k[i].name);
      free (k[i].val);
    }
  free (k);
  return 0;
}

static int
copy_data (struct archive *tar, struct archive *disk, nr_error_t *err)
{
  for (;;)
    {
      const void *buf;
      size_t size;
      la_int64_t off;
      int r = archive_read_data_block (tar, &buf, &size, &off);
      if (r == ARCHIVE_EOF)
        break;
      if (r < ARCHIVE_WARN)
        return nr_error (err, la_errno (tar), "read: %s", archive_error_string (tar));
      /* libarchive reports a failed write(2) (ENOSPC, EIO, EFBIG) as ARCHIVE_WARN and
         goes on: the file would be committed short */
      if (archive_write_data_block (disk, buf, size, off) < ARCHIVE_OK)
        return nr_error (err, la_errno (disk), "write: %s", archive_error_string (disk));
    }
  if (archive_write_finish_entry (disk) < ARCHIVE_WARN)
    return nr_error (err, la_errno (disk), "write: %s", archive_error_string (disk));
  return 0;
}

/* One tar entry: checks, then either a whiteout of ours or libarchive's write. */
static int
extract_entry (int root, struct archive *tar, struct archive *disk, struct archive_entry *e,
               struct nr_layer_job *job, const char *clean, nr_error_t *err)
{
  _cleanup_free_ char *parent = NULL;
  _cleanup_close_ int dfd = -1;
  const char *base, *target = NULL;
  enum nr_whiteout wh = nr_layer_whiteout_kind (clean, &target);

  if (wh == NR_WH_BAD)
    return nr_error (err, EINVAL, "invalid whiteout");
  if (wh == NR_WH_META)
    return 0;
  if (wh != NR_WH_NONE)
    return apply_whiteout (root, clean, wh, target, job->user_xattr, err);
  if (split (clean, &parent, &base) < 0)
    return nr_error (err, ENOMEM, "entry");
  if (open_dir_beneath (root, parent, false, &dfd, err) < 0)
    return -1;
  if (archive_entry_hardlink (e) && check_hardlink (root, e, job->limits.max_path, err) < 0)
    return -1;
  if (filter_xattrs (e, err) < 0)
    return -1;
  archive_entry_copy_pathname (e, clean);
  if (archive_entry_filetype (e) == AE_IFREG && archive_entry_hardlink (e) == NULL)
    job->size += (uint64_t) archive_entry_size (e);
  int r = archive_write_header (disk, e);
  if (r < ARCHIVE_WARN)
    return nr_error (err, la_errno (disk), "%s", archive_error_string (disk));
  if (r == ARCHIVE_WARN)
    nr_warn ("%s: entry \"%s\": %s", job->label, clean, archive_error_string (disk));
  return copy_data (tar, disk, err);
}

static struct archive *
new_disk_writer (void)
{
  struct archive *w = archive_write_disk_new ();
  if (w == NULL)
    return NULL;
  /* numeric owners: the host's passwd has nothing to do with the image's */
  archive_write_disk_set_options (
      w, ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_XATTR
             | ARCHIVE_EXTRACT_UNLINK | ARCHIVE_EXTRACT_SECURE_SYMLINKS
             | ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS);
  return w;
}

static int
tar_error (struct unpack *u, struct archive *tar, nr_error_t *err)
{
  if (u->src_err)
    {
      nr_error_move (err, &u->src_err);
      return -1;
    }
  if (u->too_big)
    return nr_error (err, EFBIG, "layer larger than %" PRIu64 " bytes (limit)", u->job->limits.max_layer_bytes);
  return nr_error (err, la_errno (tar), "%s",
                   archive_error_string (tar) ? archive_error_string (tar) : "invalid tar stream");
}

static int
extract_all (int root, struct unpack *u, struct archive *tar, nr_error_t *err)
{
  _cleanup_archive_write_ struct archive *disk = new_disk_writer ();
  struct archive_entry *e;
  if (disk == NULL)
    return nr_error (err, ENOMEM, "libarchive");
  for (;;)
    {
      _cleanup_free_ char *clean = NULL;
      int r = archive_read_next_header (tar, &e);
      if (r == ARCHIVE_EOF)
        break;
      if (r < ARCHIVE_WARN)
        return tar_error (u, tar, err) , nr_error_wrap (err, "read tar after %" PRIu64 " entries", u->job->entries);
      const char *name = archive_entry_pathname (e);
      if (++u->job->entries > u->job->limits.max_entries)
        return nr_error (err, EFBIG, "more than %" PRIu64 " entries (limit)", u->job->limits.max_entries);
      if (name == NULL)
        {
          /* a damaged header, e.g. from a corrupt compressed stream (its checksum
             comes only at the end): say what libarchive saw */
          const char *why = archive_error_string (tar);
          return nr_error (err, EINVAL, "entry %" PRIu64 ": damaged header (no path)%s%s", u->job->entries,
                           why ? ": " : "", why ? why : "");
        }
      if (nr_layer_clean_path (name, u->job->limits.max_path, &clean, err) < 0
          || (clean && clean[0] && extract_entry (root, tar, disk, e, u->job, clean, err) < 0))
        return nr_error_wrap (err, "entry \"%s\"", name);
    }
  if (archive_write_close (disk) < ARCHIVE_WARN)
    return nr_error (err, la_errno (disk), "finish: %s", archive_error_string (disk));
  return 0;
}

static void
restore_cwd (int *fd)
{
  if (*fd >= 0)
    {
      if (fchdir (*fd) < 0)
        nr_warn ("restore working directory: %s", strerror (errno));
      close (*fd);
    }
}

static int
unpack_stream (int root, struct unpack *u, nr_error_t *err)
{
  _cleanup_archive_read_ struct archive *raw = archive_read_new ();
  _cleanup_archive_read_ struct archive *tar = archive_read_new ();
  _cleanup_ (restore_cwd) int cwd = open (".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  struct archive_entry *e;

  if (raw == NULL || tar == NULL)
    return nr_error (err, ENOMEM, "libarchive");
  if (cwd < 0)
    return nr_error (err, errno, "open working directory");
  archive_read_support_filter_gzip (raw);
  archive_read_support_filter_zstd (raw);
  archive_read_support_filter_xz (raw);
  archive_read_support_format_raw (raw);
  u->raw = raw;
  if (archive_read_open (raw, u, NULL, raw_read_cb, NULL) < ARCHIVE_OK
      || archive_read_next_header (raw, &e) < ARCHIVE_OK)
    return tar_error (u, raw, err), nr_error_wrap (err, "open layer stream");
  archive_read_support_format_tar (tar);
  archive_read_support_format_gnutar (tar);
  if (archive_read_open (tar, u, NULL, tar_read_cb, NULL) < ARCHIVE_OK)
    return tar_error (u, tar, err), nr_error_wrap (err, "open tar");
  if (fchdir (root) < 0)
    return nr_error (err, errno, "enter layer directory");
  if (extract_all (root, u, tar, err) < 0)
    return -1;
  return drain (u, err);
}

static int
verify (struct unpack *u, nr_error_t *err)
{
  struct nr_layer_job *j = u->job;
  nr_sha256_final_digest (&u->tar_hash, j->diff_id);
  nr_sha256_final_digest (&u->raw_hash, j->digest);
  if (j->expect_digest && strcmp (j->expect_digest, j->digest) != 0)
    return nr_error (err, 0, "blob digest mismatch: expected %s, got %s", j->expect_digest, j->digest);
  if (j->expect_diff_id && strcmp (j->expect_diff_id, j->diff_id) != 0)
    return nr_error (err, 0, "diffID mismatch: expected %s, got %s", j->expect_diff_id, j->diff_id);
  return 0;
}

int
nr_layer_unpack (int dirfd, const char *name, struct nr_layer_src *src, struct nr_layer_job *job,
                 nr_error_t *err)
{
  /* the 128 KiB buffer is not zeroed: it is only read where it was filled */
  _cleanup_free_ struct unpack *u = malloc (sizeof *u);
  if (u == NULL)
    return nr_error (err, ENOMEM, "%s", job->label);
  memset (u, 0, offsetof (struct unpack, buf));
  u->src = src;
  u->job = job;
  nr_sha256_init (&u->raw_hash);
  nr_sha256_init (&u->tar_hash);
  job->size = job->entries = job->tar_bytes = 0;
  if (mkdirat (dirfd, name, 0755) < 0)
    return nr_error (err, errno, "%s: create \"%s\"", job->label, name);
  _cleanup_close_ int root = openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (root < 0)
    return nr_error (err, errno, "%s: open \"%s\"", job->label, name);
  int r = unpack_stream (root, u, err);
  nr_error_free (&u->src_err);
  if (r < 0 || verify (u, err) < 0)
    return nr_error_wrap (err, "%s", job->label);
  if (job->progress)
    job->progress (job->progress_data, u->raw_bytes);
  return 0;
}

/* ---- metadata and commit ---- */

int
nr_layer_write_meta (int dirfd, const struct nr_layer_info *li, nr_error_t *err)
{
  yajl_gen g = nr_jgen_new (true);
  if (g == NULL)
    return nr_error (err, ENOMEM, "layer.json");
  yajl_gen_map_open (g);
  nr_jgen_kstr (g, "chain_id", li->chain_id);
  nr_jgen_kstr (g, "diff_id", li->diff_id);
  nr_jgen_kstr (g, "parent", li->parent);
  nr_jgen_kint (g, "size", (long long) li->size);
  nr_jgen_kint (g, "entries", (long long) li->entries);
  yajl_gen_map_close (g);
  size_t len = 0;
  _cleanup_free_ char *buf = nr_jgen_finish (g, &len);
  if (buf == NULL)
    return nr_error (err, ENOMEM, "layer.json");
  return nr_write_file_atomic_at (dirfd, "layer.json", buf, len, 0444, err);
}

int
nr_layer_read_meta (struct nr_imagestore *s, const char *chain_id, struct nr_layer_info *li,
                    nr_error_t *err)
{
  char path[128];
  _cleanup_free_ char *buf = NULL, *diff = NULL, *parent = NULL;
  _cleanup_json_ yajl_val root = NULL;
  struct nr_jctx c = { .what = "layer.json" };
  size_t len;
  uint64_t size = 0, entries = 0;

  memset (li, 0, sizeof *li);
  snprintf (path, sizeof path, "layers/%s/layer.json", chain_id + 7);
  if (nr_read_file_at (s->dirfd, path, 1 << 16, &buf, &len, err) < 0
      || nr_json_parse (buf, len, "layer.json", &root, err) < 0
      || nr_json_str (&c, root, "diff_id", &diff, err) < 0
      || nr_json_str (&c, root, "parent", &parent, err) < 0
      || nr_json_u64 (&c, root, "size", &size, err) < 0
      || nr_json_u64 (&c, root, "entries", &entries, err) < 0)
    return nr_error_wrap (err, "layer %s", chain_id);
  snprintf (li->chain_id, sizeof li->chain_id, "%s", chain_id);
  snprintf (li->diff_id, sizeof li->diff_id, "%s", diff ? diff : "");
  snprintf (li->parent, sizeof li->parent, "%s", parent ? parent : "");
  li->size = size;
  li->entries = entries;
  return 0;
}

bool
nr_layer_exists (struct nr_imagestore *s, const char *chain_id)
{
  char path[128];
  snprintf (path, sizeof path, "layers/%s/layer.json", chain_id + 7);
  return faccessat (s->dirfd, path, F_OK, 0) == 0;
}

char *
nr_imagestore_layer_dir (struct nr_imagestore *s, const char *chain_id)
{
  char *p = NULL;
  if (!nr_digest_valid (chain_id) || asprintf (&p, "%s/layers/%s/diff", s->path, chain_id + 7) < 0)
    return NULL;
  return p;
}

int
nr_layer_commit (struct nr_imagestore *s, const char *tmpname, const char *chain_id, bool *existed,
                 nr_error_t *err)
{
  char dst[128];
  _cleanup_close_ int tmp = nr_store_tmp_fd (s, err);
  if (tmp < 0)
    return -1;
  snprintf (dst, sizeof dst, "layers/%s", chain_id + 7);
  *existed = false;
  if (renameat (tmp, tmpname, s->dirfd, dst) == 0)
    return 0;
  if (errno != EEXIST && errno != ENOTEMPTY)
    return nr_error (err, errno, "commit layer %s", chain_id);
  /* another import committed the same layer first: same content, keep theirs */
  *existed = true;
  return nr_rm_rf_at (tmp, tmpname, err);
}
