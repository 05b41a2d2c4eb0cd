/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: the file of `exec --process` (a bare OCI process object):
   parse, validate, free.  See fuzz_config.c for how it is built and replayed. */
#include <config.h>
#include "tests/fuzz/fuzz.h"
#include "oci/config.h"

const char *fuzz_skip_reason;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct oci_process *p = NULL;
  nr_error_t err = NULL;

  if (oci_process_parse_data ((const char *) data, size, "process.json", &p, &err) == 0)
    {
      (void) oci_process_validate (p, "process.json", &err);
      oci_process_free (p);
    }
  nr_error_free (&err);
  return 0;
}
