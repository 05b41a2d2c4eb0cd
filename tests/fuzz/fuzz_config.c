/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target for the oci/ parsers: the same bytes as config.json (parse,
   validate, free), as a bare process (exec --process) and as bare resources
   (update --resources).

   Built with -DNR_LIBFUZZER and -fsanitize=fuzzer it is a libFuzzer target.
   Without, main() replays files and directories given as arguments (default:
   the seed corpus) and prints one TAP line per input, so make check replays
   the corpus; a crash or sanitizer report fails the run. */
#include <config.h>
#include "oci/config.h"
#include "common/cleanup.h"
#include "common/fs.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *buf = (const char *) data;
  struct oci_config *c = NULL;
  struct oci_process *p = NULL;
  struct oci_resources *r = NULL;
  nr_error_t err = NULL;

  if (oci_config_parse_data (buf, size, "config.json", &c, &err) == 0)
    {
      nr_error_free (&err);
      (void) oci_config_validate (c, NULL, &err);
      for (size_t i = 0; i < c->n_sysctl; i++)
        free (oci_sysctl_file (c->sysctl[i].key));
      for (size_t i = 0; i < c->n_mounts; i++)
        (void) oci_mount_parse_options (&c->mounts[i], &err);
      oci_config_free (c);
    }
  nr_error_free (&err);

  if (oci_process_parse_data (buf, size, "process.json", &p, &err) == 0)
    {
      (void) oci_process_validate (p, "process.json", &err);
      oci_process_free (p);
    }
  nr_error_free (&err);

  if (oci_resources_parse_data (buf, size, "resources.json", &r, &err) == 0)
    {
      (void) oci_resources_validate (r, "resources.json", &err);
      oci_resources_free (r);
    }
  nr_error_free (&err);
  return 0;
}

#ifndef NR_LIBFUZZER
#include <dirent.h>
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
#ifdef FUZZ_CORPUS_DIR
  if (argc < 2)
    failed |= replay (FUZZ_CORPUS_DIR);
#endif
  for (int i = 1; i < argc; i++)
    failed |= replay (argv[i]);
  printf ("1..%d\n", n_tests);
  return failed ? 1 : 0;
}
#endif
