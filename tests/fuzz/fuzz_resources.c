/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: the JSON of `update --resources` (a bare linux.resources object):
   parse, validate, merge into a stored config and read that back, free.  See fuzz_config.c for how it is built and replayed. */
#include <config.h>
#include "tests/fuzz/fuzz.h"
#include "oci/config.h"
#include "oci/serialize.h"

#include <stdlib.h>

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
      nr_error_free (&err);
      /* what update keeps in the stored config reads back */
      static const char base[] = "{\"ociVersion\":\"1.0.2\",\"linux\":{}}";
      struct oci_config *c = NULL;
      size_t n = 0;
      char *stored = oci_config_update_resources (base, sizeof base - 1, r, &n, &err);
      if (stored == NULL || oci_config_parse_data (stored, n, "config.json", &c, &err) < 0)
        abort ();
      oci_config_free (c);
      free (stored);
      oci_resources_free (r);
    }
  nr_error_free (&err);
  return 0;
}
