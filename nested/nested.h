/* SPDX-License-Identifier: Apache-2.0 */
/* nested/: the spec → spec rewrite for nested containers, and the entry points the
   CLI uses to create and delete containers (every create passes through here, so the
   rewrite sees every spec; a non-nested spec comes out untouched).  docs/nested.md
   says what a nest is made of. */
#ifndef NR_NESTED_H
#define NR_NESTED_H

#include <stdbool.h>
#include "common/error.h"
#include "runtime/container.h"

struct nr_nest_ctx;

/* The global flags that concern nesting (main calls this once): the store (given:
   --store or NESTRUN_STORE was set, else inside a nest the record's store wins) and
   forced (--nested, or invoked as "nestrun-nested"). */
void nr_nested_set_defaults (const char *store, bool store_given, bool forced);

/* Load bundle/config.json, validate, rewrite if nested, create. */
int nr_create_from_bundle (const struct nr_runtime *rt, const struct nr_create_opts *o, pid_t *pid,
                           nr_error_t *err);
/* The rewrite on its own: cfg is edited in place when it is a nest.  Returns 1 when
   it was, 0 when cfg is untouched, < 0 on error (nothing left behind). */
int nr_nested_rewrite (const struct nr_runtime *rt, const struct nr_create_opts *o, struct oci_config *cfg,
                       struct nr_nest_ctx *ctx, nr_error_t *err);
/* nr_container_delete, then the nest's data-root, lease and generated files. */
int nr_delete_container (const struct nr_runtime *rt, const char *id, bool force, nr_error_t *err);
/* `tree`: the nesting tree as this host sees it, text or JSON (malloc'd). */
char *nr_nested_tree (const struct nr_runtime *rt, bool json, nr_error_t *err);

#endif
