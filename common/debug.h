/* SPDX-License-Identifier: Apache-2.0 */
/* Named crash points for the crash-safety tests (tests/integration/crash.bats).
   nr_debug_point ("create:after-clone") does nothing unless the environment says
   NESTRUN_DEBUG_CRASH_AT=create:after-clone, in which case the process dies right
   there by SIGKILL — as if the machine's OOM killer or a `kill -9` hit it at that
   step.  Cheap enough to leave in release builds: one getenv per point. */
#ifndef NR_DEBUG_H
#define NR_DEBUG_H

#define NR_DEBUG_CRASH_ENV "NESTRUN_DEBUG_CRASH_AT"

void nr_debug_point (const char *name);

#endif
