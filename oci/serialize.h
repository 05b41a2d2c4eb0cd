/* SPDX-License-Identifier: Apache-2.0 */
/* A config back to JSON, for the config.json kept in the state dir after a rewrite.
   The original document is the base: every field passes through as it was, and the
   sections a rewrite may edit (mounts, process.env, annotations, linux.namespaces) are
   generated from the struct.  So unknown or newer fields survive, and a config the
   rewrite left alone serializes to the same text whether it went through it or not. */
#ifndef NR_OCI_SERIALIZE_H
#define NR_OCI_SERIALIZE_H

#include <stddef.h>
#include "common/error.h"
#include "oci/config.h"

/* raw: the original config.json text.  Returns malloc'd JSON (compact), *out_len set. */
char *oci_config_serialize (const struct oci_config *c, const char *raw, size_t raw_len, size_t *out_len,
                            nr_error_t *err);

/* raw with linux.resources as `update` keeps it (runc 1.2's merge): each field r sets
   replaces the stored one, objects merge key by key, lists are replaced whole, and the
   rest of the document stays as it was.  r's devices are not kept (runc neither). */
char *oci_config_update_resources (const char *raw, size_t raw_len, const struct oci_resources *r, size_t *out_len,
                                   nr_error_t *err);

#endif
