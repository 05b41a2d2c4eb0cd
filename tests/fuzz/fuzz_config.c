/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: config.json (parse, validate, sysctl names, mount options, free).
   The bare `exec --process` and `update --resources` documents have their own
   targets (fuzz_process.c, fuzz_resources.c).

   Built with -DNR_LIBFUZZER and -fsanitize=fuzzer it is a libFuzzer target;
   without, replay.c's main() replays the seed corpus in make check. */
#include <config.h>
#include "tests/fuzz/fuzz.h"
#include "oci/config.h"
#include "common/cleanup.h"
#include "common/log.h"

#include <stdlib.h>

const char *fuzz_skip_reason;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  nr_error_t err = NULL;
  /* the validator warns on stderr for every deprecated field: 10x slower campaigns */
  if (nr_log_open ("/dev/null", "text", false, &err) < 0)
    nr_error_free (&err);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct oci_config *c = NULL;
  nr_error_t err = NULL;

  if (oci_config_parse_data ((const char *) data, size, "config.json", &c, &err) == 0)
    {
      nr_error_free (&err);
      (void) oci_config_validate (c, NULL, &err);
      nr_error_free (&err);
      for (size_t i = 0; i < c->n_sysctl; i++)
        free (oci_sysctl_file (c->sysctl[i].key));
      for (size_t i = 0; i < c->n_mounts; i++)
        {
          (void) oci_mount_parse_options (&c->mounts[i], &err);
          nr_error_free (&err);
        }
      oci_config_free (c);
    }
  nr_error_free (&err);
  return 0;
}
