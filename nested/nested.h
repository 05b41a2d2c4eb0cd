/* SPDX-License-Identifier: Apache-2.0 */
/* nested/: the spec → spec rewrite for nested containers, and the entry points the
   CLI uses to create containers (every create passes through here, so the rewrite
   sees every spec; a non-nested spec comes out untouched). */
#ifndef NR_NESTED_H
#define NR_NESTED_H

#include "common/error.h"
#include "runtime/container.h"

/* Load bundle/config.json, validate, rewrite if nested, create. */
int nr_create_from_bundle (const struct nr_runtime *rt, const struct nr_create_opts *o, pid_t *pid,
                           nr_error_t *err);

#endif
