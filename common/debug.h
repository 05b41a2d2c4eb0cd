/* SPDX-License-Identifier: Apache-2.0 */
/* Named crash points for the crash-safety tests (tests/integration/crash.bats).
   nr_debug_point ("create:after-clone") does nothing unless the environment says
   NESTRUN_DEBUG_CRASH_AT=create:after-clone, in which case the process dies right
   there by SIGKILL — as if the machine's OOM killer or a `kill -9` hit it at that
   step.  Cheap enough to leave in release builds: one getenv per point. */
#ifndef NR_DEBUG_H
#define NR_DEBUG_H

#define NR_DEBUG_CRASH_ENV "NESTRUN_DEBUG_CRASH_AT"
/* NESTRUN_DEBUG_ERROR_LOG=FILE: every error line nestrun logs is also appended to
   FILE, as JSON.  Engines give the runtime a --log file in a bundle they delete with
   the container; the engine suites' health check (tests/integration/helpers.bash)
   reads this one instead.  One getenv per error line. */
#define NR_DEBUG_ERROR_LOG_ENV "NESTRUN_DEBUG_ERROR_LOG"

void nr_debug_point (const char *name);

#endif
