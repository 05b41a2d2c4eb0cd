/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: the JSON of `update --resources` (a bare linux.resources object):
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
  struct oci_resources *r = NULL;
  nr_error_t err = NULL;

  if (oci_resources_parse_data ((const char *) data, size, "resources.json", &r, &err) == 0)
    {
      (void) oci_resources_validate (r, "resources.json", &err);
      oci_resources_free (r);
    }
  nr_error_free (&err);
  return 0;
}
