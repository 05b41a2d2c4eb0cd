/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"
#include "common/debug.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

void
nr_debug_point (const char *name)
{
  const char *at = getenv (NR_DEBUG_CRASH_ENV);
  if (at != NULL && strcmp (at, name) == 0)
    raise (SIGKILL);
}
