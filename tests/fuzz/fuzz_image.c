/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: what an image source says about itself — docker-save manifest.json,
   OCI index.json, nested indexes, manifests and image configs — through the import
   planner (imagestore/import_plan.c, imp_plan) and the config parser
   (nr_image_parse_config), with an in-memory source and no store writes.

   Input: documents separated by "\n##\n".  The first is manifest.json when it starts
   with '[' (docker save writes an array), else index.json.  Document i >= 1 is also
   the blob blobs/sha256/<its sha256> and the file "c<i>.json"; "@<i>" (i = 1..9) in
   an earlier document is replaced by document i's sha256 hex before hashing, so the
   fuzzer can build digest references that verify and reach past the digest checks.

   See fuzz_config.c for how it is built and replayed. */
#include <config.h>
#include "tests/fuzz/fuzz.h"
#include "imagestore/import.h"
#include "imagestore/sha256.h"
#include "common/cleanup.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SEP "\n##\n"
#define MAX_DOCS 10

const char *fuzz_skip_reason;
static struct nr_imagestore store;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  char tmpl[] = "/tmp/nr-fuzz-image.XXXXXX";
  const char *tmp = getenv ("TMPDIR");
  _cleanup_free_ char *dir = NULL;

  if (asprintf (&dir, "%s/nr-fuzz-image.XXXXXX", tmp ? tmp : "/tmp") < 0)
    dir = strdup (tmpl);
  if (dir == NULL || mkdtemp (dir) == NULL)
    {
      fuzz_skip_reason = "cannot create a temporary directory";
      return 1;
    }
  /* an empty store: every layer is "needed"; the directory is gone already, so
     nothing is left behind however the run ends */
  store.dirfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  store.lock_fd = -1;
  rmdir (dir);
  nr_imagestore_set_limits (&store, NULL);
  store.limits.max_json = 1 << 20;
  return store.dirfd < 0;
}

static const char *
memmem_sep (const char *p, const char *end)
{
  return memmem (p, (size_t) (end - p), SEP, strlen (SEP));
}

/* Replace "@<i>" (i > self) by document i's hex digest. */
static char *
substitute (const char *p, size_t len, size_t self, char hex[][65], size_t n, size_t *out_len)
{
  size_t ats = 0; /* each "@N" (2 bytes) becomes 64: size the output for them, not 32x */
  for (const char *a = p; (a = memchr (a, '@', (size_t) (p + len - a))) != NULL; a++)
    ats++;
  char *o = malloc (len + 62 * ats + 1), *w = o;
  if (o == NULL)
    return NULL;
  for (size_t i = 0; i < len; i++)
    {
      size_t k = i + 1 < len ? (size_t) (p[i + 1] - '0') : 0;
      if (p[i] == '@' && i + 1 < len && p[i + 1] >= '1' && p[i + 1] <= '9' && k > self && k < n)
        {
          memcpy (w, hex[k], 64);
          w += 64;
          i++;
        }
      else
        *w++ = p[i];
    }
  *w = '\0';
  *out_len = (size_t) (w - o);
  return o;
}

static void
add_file (struct imp *im, const char *name, const char *data, size_t len)
{
  char *d = malloc (len + 1);
  char *n = strdup (name);
  if (d == NULL || n == NULL)
    abort ();
  memcpy (d, data, len);
  d[len] = '\0';
  im->files[im->n_files++] = (struct imp_file){ n, d, len };
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *p = (const char *) data, *end = p + size;
  const char *start[MAX_DOCS];
  size_t len[MAX_DOCS], n = 0;
  char *doc[MAX_DOCS] = { 0 };
  size_t dlen[MAX_DOCS];
  char hex[MAX_DOCS][65];
  struct nr_import_opts opts = { 0 };
  struct imp im = { .s = &store, .o = &opts, .what = "fuzz", .dirfd = -1, .stage_fd = -1 };
  nr_error_t err = NULL;

  while (n < MAX_DOCS)
    {
      const char *s = n + 1 < MAX_DOCS ? memmem_sep (p, end) : NULL;
      start[n] = p;
      len[n] = (size_t) ((s ? s : end) - p);
      n++;
      if (s == NULL)
        break;
      p = s + strlen (SEP);
    }

  /* last document first: references point forward only, so there is no cycle */
  for (size_t i = n; i-- > 0;)
    {
      char digest[NR_DIGEST_STR_LEN];
      doc[i] = substitute (start[i], len[i], i, hex, n, &dlen[i]);
      if (doc[i] == NULL)
        goto out;
      nr_sha256_digest (doc[i], dlen[i], digest);
      memcpy (hex[i], digest + 7, 65);
    }

  /* every document as an image config on its own */
  for (size_t i = 0; i < n; i++)
    {
      struct nr_image_def def = { 0 };
      (void) nr_image_parse_config (doc[i], dlen[i], "config", &def, &err);
      nr_error_free (&err);
      nr_image_def_free (&def);
    }

  im.files = calloc (2 * n, sizeof *im.files);
  if (im.files == NULL)
    goto out;
  size_t skip = strspn (doc[0], " \t\r\n");
  add_file (&im, doc[0][skip] == '[' ? "manifest.json" : "index.json", doc[0], dlen[0]);
  for (size_t i = 1; i < n; i++)
    {
      char name[96];
      snprintf (name, sizeof name, "blobs/sha256/%s", hex[i]);
      add_file (&im, name, doc[i], dlen[i]);
      snprintf (name, sizeof name, "c%zu.json", i);
      add_file (&im, name, doc[i], dlen[i]);
    }
  if (imp_plan (&im, &err) < 0 && getenv ("FUZZ_VERBOSE"))
    printf ("# %s\n", err->msg);
  nr_error_free (&err);
  imp_plan_free (&im);
  for (size_t i = 0; i < im.n_files; i++)
    {
      free (im.files[i].name);
      free (im.files[i].data);
    }
  free (im.files);
out:
  for (size_t i = 0; i < n; i++)
    free (doc[i]);
  return 0;
}
