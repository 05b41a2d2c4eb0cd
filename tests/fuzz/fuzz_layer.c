/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: one layer (gzip, zstd, xz or plain tar) unpacked by the store's
   extractor (imagestore/layers.c, nr_layer_unpack) into a temporary root, with
   whiteout handling, then removed.  Beside the sanitizers, the target checks the
   property that matters: nothing appears outside the layer directory.  The
   directory tree is

     $TMPDIR/nr-fuzz-layer.XXXXXX/{canary/, a/b/work/<layer>}

   and after every input canary/ must be empty and the tree must hold nothing else,
   else abort() — so "../x" or a link escape of a few levels lands somewhere seen.
   Small limits bound each input's work (256 entries, 1 KiB paths, 512 KiB of tar:
   hashing and inflating 4 MiB bombs was most of the campaign's time).
   Run as root to reach whiteouts (mknod), owners and trusted xattrs; as another
   user those fail cleanly, which is tested too.

   See fuzz_config.c for how it is built and replayed. */
#include <config.h>
#include "tests/fuzz/fuzz.h"
#include "imagestore/internal.h"
#include "common/cleanup.h"
#include "common/fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *fuzz_skip_reason;
static char *base;
static int base_fd = -1, work_fd = -1;

struct src
{
  const uint8_t *data;
  size_t size;
  size_t pos;
};

static ssize_t
src_read (void *ctx, const void **buf, nr_error_t *err)
{
  struct src *s = ctx;
  /* in uneven chunks, as a pipe would give them */
  size_t n = s->size - s->pos < 4096 ? s->size - s->pos : 4096 + (s->pos % 7);
  if (n > s->size - s->pos)
    n = s->size - s->pos;
  *buf = s->data + s->pos;
  s->pos += n;
  return (ssize_t) n;
}

static void
cleanup (void)
{
  nr_error_t err = NULL;
  if (base && nr_rm_rf (base, &err) < 0)
    nr_error_free (&err);
}

/* Names in dirfd other than allowed (NULL-terminated); aborts when found. */
static void
expect_only (int dirfd, const char *where, const char *const *allowed)
{
  int fd = openat (dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
  struct dirent *e;
  if (d == NULL)
    abort ();
  while ((e = readdir (d)))
    {
      bool ok = strcmp (e->d_name, ".") == 0 || strcmp (e->d_name, "..") == 0;
      for (const char *const *a = allowed; *a && !ok; a++)
        ok = strcmp (e->d_name, *a) == 0;
      if (!ok)
        {
          fprintf (stderr, "fuzz_layer: \"%s\" appeared in %s, outside the layer\n", e->d_name, where);
          abort ();
        }
    }
  closedir (d);
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  const char *tmp = getenv ("TMPDIR");
  nr_error_t err = NULL;

  if (geteuid () != 0)
    {
      fuzz_skip_reason = "needs root (whiteouts are device nodes, entries are chowned)";
      return 1;
    }
  if (asprintf (&base, "%s/nr-fuzz-layer.XXXXXX", tmp ? tmp : "/tmp") < 0 || mkdtemp (base) == NULL)
    {
      fuzz_skip_reason = "cannot create a temporary directory";
      return 1;
    }
  atexit (cleanup);
  base_fd = open (base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (base_fd < 0 || mkdirat (base_fd, "canary", 0755) < 0 || mkdirat (base_fd, "a", 0755) < 0
      || mkdirat (base_fd, "a/b", 0755) < 0 || mkdirat (base_fd, "a/b/work", 0755) < 0
      || (work_fd = openat (base_fd, "a/b/work", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
    {
      fuzz_skip_reason = "cannot create the fuzz tree";
      return 1;
    }
  nr_error_free (&err);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static const char *const base_names[] = { "canary", "a", NULL };
  static const char *const a_names[] = { "b", NULL };
  static const char *const b_names[] = { "work", NULL };
  static const char *const work_names[] = { "layer", NULL };
  static const char *const none[] = { NULL };
  struct src s = { data, size, 0 };
  struct nr_layer_src src = { src_read, &s };
  struct nr_layer_job job = { .label = "fuzz layer" };
  nr_error_t err = NULL;

  job.limits.max_entries = 256;
  job.limits.max_path = 1024;
  job.limits.max_layer_bytes = 512u << 10; /* twice -max_len: a plain tar input always fits */
  job.limits.max_json = 1 << 20;
  if (nr_layer_unpack (work_fd, "layer", &src, &job, &err) < 0 && getenv ("FUZZ_VERBOSE"))
    printf ("# %s\n", err->msg);
  nr_error_free (&err);

  int canary = openat (base_fd, "canary", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (canary < 0)
    abort ();
  expect_only (canary, "canary/", none);
  close (canary);
  expect_only (base_fd, "the fuzz root", base_names);
  int a = openat (base_fd, "a", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  int b = openat (base_fd, "a/b", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (a < 0 || b < 0)
    abort ();
  expect_only (a, "a/", a_names);
  expect_only (b, "a/b/", b_names);
  expect_only (work_fd, "a/b/work/", work_names);
  close (a);
  close (b);
  if (nr_rm_rf_at (work_fd, "layer", &err) < 0)
    {
      fprintf (stderr, "fuzz_layer: remove the layer: %s\n", err->msg);
      abort ();
    }
  return 0;
}
