/* SPDX-License-Identifier: Apache-2.0 */
#ifndef NR_HOOKS_H
#define NR_HOOKS_H

#include "common/error.h"
#include "oci/config.h"

/* Run hooks of one kind in order, each with the state JSON on stdin, its args and
   env, killed after its timeout.  The first failure stops the rest and is returned
   with the hook's path, exit status and (the tail of) its output. */
int nr_hooks_run (const struct oci_config *c, enum oci_hook_kind kind, const char *state_json, nr_error_t *err);
/* Like nr_hooks_run, but failures are logged as warnings and the rest still run
   (poststart, poststop). */
void nr_hooks_run_warn (const struct oci_config *c, enum oci_hook_kind kind, const char *state_json);
const char *nr_hook_kind_name (enum oci_hook_kind kind);

#endif
