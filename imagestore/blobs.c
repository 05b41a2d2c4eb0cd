/* SPDX-License-Identifier: Apache-2.0 */
/* blobs/sha256/<hex>: manifests and configs, written once, verified on every read. */
#include "config.h"
#include "imagestore/internal.h"
#include "common/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool
nr_digest_valid (const char *d)
{
  if (d == NULL || strncmp (d, "sha256:", 7) != 0 || strlen (d) != 7 + NR_SHA256_HEX_LEN)
    return false;
  for (const char *p = d + 7; *p; p++)
    if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
      return false;
  return true;
}

static void
blob_name (const char *digest, char out[96])
{
  snprintf (out, 96, "blobs/sha256/%s", digest + 7);
}

bool
nr_blob_exists (struct nr_imagestore *s, const char *digest)
{
  char name[96];
  if (!nr_digest_valid (digest))
    return false;
  blob_name (digest, name);
  return faccessat (s->dirfd, name, F_OK, 0) == 0;
}

int
nr_blob_put (struct nr_imagestore *s, const char *digest, const void *data, size_t len,
             nr_error_t *err)
{
  char got[NR_DIGEST_STR_LEN];

  nr_sha256_digest (data, len, got);
  if (digest && strcmp (digest, got) != 0)
    return nr_error (err, 0, "blob %s: digest mismatch (content is %s)", digest, got);
  if (nr_blob_exists (s, got))
    return 0;
  if (nr_store_require_write (s, "write blob", err) < 0)
    return -1;
  _cleanup_close_ int dfd = openat (s->dirfd, "blobs/sha256", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return nr_error (err, errno, "store blob %s: open \"%s/blobs/sha256\"", got, s->path);
  /* written beside its final name and renamed: a reader sees all of it or nothing */
  if (nr_write_file_atomic_at (dfd, got + 7, data, len, 0444, err) < 0)
    return nr_error_wrap (err, "store blob %s", got);
  return 0;
}

int
nr_blob_get (struct nr_imagestore *s, const char *digest, char **data, size_t *len, nr_error_t *err)
{
  char name[96], got[NR_DIGEST_STR_LEN];
  _cleanup_free_ char *buf = NULL;
  size_t n = 0;

  if (!nr_digest_valid (digest))
    return nr_error (err, EINVAL, "invalid digest \"%s\"", digest);
  blob_name (digest, name);
  if (nr_read_file_at (s->dirfd, name, s->limits.max_json, &buf, &n, err) < 0)
    return nr_error_wrap (err, "blob %s", digest);
  nr_sha256_digest (buf, n, got);
  if (strcmp (got, digest) != 0)
    return nr_error (err, EIO, "blob %s is corrupt (content is %s)", digest, got);
  *data = TAKE_PTR (buf);
  if (len)
    *len = n;
  return 0;
}
