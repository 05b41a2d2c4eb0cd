/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: state.json as `state`, `kill`, `delete`... read it back (the state
   directory is root's, but a crash mid-write or a hand edit must not crash us):
   parse, check the id as the CLI does, serialize, parse the result again (it must
   parse), clear.  See fuzz_config.c for how it is built and replayed. */
#include <config.h>
#include "tests/fuzz/fuzz.h"
#include "runtime/state.h"

#include <stdlib.h>
#include <string.h>

const char *fuzz_skip_reason;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct nr_state s = { 0 };
  nr_error_t err = NULL;

  if (nr_state_parse ((const char *) data, size, &s, &err) == 0)
    {
      (void) nr_id_validate (s.id, &err);
      nr_error_free (&err);
      char *out = nr_state_serialize (&s);
      if (out)
        {
          struct nr_state again = { 0 };
          /* what we wrote, we must read back */
          if (nr_state_parse (out, strlen (out), &again, &err) < 0)
            abort ();
          nr_state_clear (&again);
          free (out);
        }
    }
  nr_error_free (&err);
  nr_state_clear (&s);
  return 0;
}
