/* SPDX-License-Identifier: Apache-2.0 */
/* Shared between the oci/ parsing and validation files; not part of the API. */
#ifndef NR_OCI_CONFIG_INTERNAL_H
#define NR_OCI_CONFIG_INTERNAL_H

#include <string.h>
#include "common/json.h"
#include "oci/config.h"

/* Name for validation messages (the parser uses the name it was given). */
#define OCI_CONFIG_WHAT "config.json"

/* Parse one array element (an object) into elem. */
typedef int (*oci_elem_fn) (struct nr_jctx *c, yajl_val o, void *elem, nr_error_t *err);

/* An optional array of objects at obj[key]: *out gets a zeroed array of
   the array's length (set before the elements are parsed, so a failure
   leaves something the owner's free function can release).  Returns 0 when
   absent, 1 when parsed, < 0 on error. */
int oci_parse_objv (struct nr_jctx *c, yajl_val obj, const char *key, size_t elem_size, void **out,
                    size_t *n, oci_elem_fn fn, nr_error_t *err);
/* Turn the result r of a nr_json_* lookup of a REQUIRED key into an error
   when it is absent (r == 0).  Returns r otherwise. */
int oci_required (struct nr_jctx *c, int r, const char *key, nr_error_t *err);
/* uint16 field (blkio weights). */
int oci_json_u16 (struct nr_jctx *c, yajl_val obj, const char *key, uint16_t *out, nr_error_t *err);
/* An object of string values, as oci_kv pairs. */
int oci_json_kv (struct nr_jctx *c, yajl_val obj, const char *key, struct oci_kv **out, size_t *n,
                 nr_error_t *err);
/* An array of uint32 values. */
int oci_json_u32v (struct nr_jctx *c, yajl_val obj, const char *key, uint32_t **out, size_t *n,
                   nr_error_t *err);
/* The object at obj[key] with the cursor pushed onto key: call fn on it. */
int oci_parse_sub (struct nr_jctx *c, yajl_val obj, const char *key,
                   int (*fn) (struct nr_jctx *c, yajl_val o, void *arg, nr_error_t *err), void *arg,
                   nr_error_t *err);

void oci_kv_free (struct oci_kv *kv, size_t n);
void oci_strv_free (char **v);

/* Section parsers: o is the section's object, the cursor already points at it. */
int oci_parse_process (struct nr_jctx *c, yajl_val o, struct oci_process *p, nr_error_t *err);
int oci_parse_resources (struct nr_jctx *c, yajl_val o, struct oci_resources *r, nr_error_t *err);
/* blockIO's keys for enum oci_blkio_throttle */
extern const char *const oci_throttle_keys[4];
int oci_parse_linux (struct nr_jctx *c, yajl_val o, struct oci_config *cfg, nr_error_t *err);
void oci_linux_free (struct oci_config *cfg);

/* Validation pieces; c->what and c->path give the message prefix. */
int oci_validate_process (struct nr_jctx *c, const struct oci_process *p, nr_error_t *err);
int oci_validate_resources (struct nr_jctx *c, const struct oci_resources *r, nr_error_t *err);
int oci_validate_linux (const struct oci_config *cfg, const char *bundle_dir, nr_error_t *err);
int oci_validate_seccomp (struct nr_jctx *c, const struct oci_seccomp *s, nr_error_t *err);
bool oci_path_is_abs (const char *p);

/* s is one of the NULL-terminated list. */
static inline bool
oci_in_list (const char *s, const char *const *list)
{
  for (; s && *list; list++)
    if (strcmp (s, *list) == 0)
      return true;
  return false;
}

#endif
