/* SPDX-License-Identifier: Apache-2.0 */
/* The plain main() of every fuzz target: without libFuzzer (no -DNR_LIBFUZZER),
   replay the files and directories given as arguments (default: the target's seed
   corpus, FUZZ_CORPUS_DIR) through LLVMFuzzerTestOneInput and print one TAP line
   per input, so make check replays the corpus under whatever sanitizers the build
   has; a crash or sanitizer report fails the run. */
#include <config.h>
#include "tests/fuzz/fuzz.h"
#include "common/cleanup.h"
#include "common/fs.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int n_tests;

static int
replay_file (const char *path)
{
  _cleanup_free_ char *buf = NULL;
  size_t len = 0;
  nr_error_t err = NULL;
  if (nr_read_file (path, 64u << 20, &buf, &len, &err) < 0)
    {
      printf ("not ok %d - %s: %s\n", ++n_tests, path, err->msg);
      nr_error_free (&err);
      return -1;
    }
  LLVMFuzzerTestOneInput ((const uint8_t *) buf, len);
  printf ("ok %d - %s\n", ++n_tests, path);
  fflush (stdout);
  return 0;
}

static int
skip_dots (const struct dirent *d)
{
  return d->d_name[0] != '.';
}

static int
replay (const char *path)
{
  struct stat st;
  struct dirent **list = NULL;
  int failed = 0;

  if (stat (path, &st) < 0 || !S_ISDIR (st.st_mode))
    return replay_file (path);
  int n = scandir (path, &list, skip_dots, alphasort);
  if (n < 0)
    {
      printf ("not ok %d - %s: cannot read directory\n", ++n_tests, path);
      return -1;
    }
  for (int i = 0; i < n; i++)
    {
      _cleanup_free_ char *child = NULL;
      if (asprintf (&child, "%s/%s", path, list[i]->d_name) < 0 || replay (child) < 0)
        failed = -1;
      free (list[i]);
    }
  free (list);
  return failed;
}

int
main (int argc, char **argv)
{
  int failed = 0;
  if (LLVMFuzzerInitialize (&argc, &argv) != 0)
    {
      printf ("1..0 # SKIP %s\n", fuzz_skip_reason ? fuzz_skip_reason : "target cannot run here");
      return 0;
    }
#ifdef FUZZ_CORPUS_DIR
  if (argc < 2)
    failed |= replay (FUZZ_CORPUS_DIR);
#endif
  for (int i = 1; i < argc; i++)
    failed |= replay (argv[i]);
  printf ("1..%d\n", n_tests);
  return failed ? 1 : 0;
}
