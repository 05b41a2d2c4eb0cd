/* SPDX-License-Identifier: Apache-2.0 */
/* What every fuzz target defines: libFuzzer's two entry points.  replay.c is the
   main() of the plain (make check) build; libFuzzer brings its own. */
#ifndef NR_FUZZ_H
#define NR_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
/* Once per process; non-zero: the target cannot run here (fuzz_skip_reason says why). */
int LLVMFuzzerInitialize (int *argc, char ***argv);
extern const char *fuzz_skip_reason;

#endif
