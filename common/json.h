/* SPDX-License-Identifier: Apache-2.0 */
/* The only yajl user: parse with limits, typed lookups whose errors name the
   file and the field, and a small generator. */
#ifndef NR_JSON_H
#define NR_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_tree.h>
#include <yajl/yajl_gen.h>
#include "common/error.h"
#include "common/cleanup.h"

#define NR_JSON_MAX_DEPTH 128
#define NR_JSON_MAX_FILE (64u << 20)

DEFINE_CLEANUP_FUNC (yajl_val, yajl_tree_free)
DEFINE_CLEANUP_FUNC (yajl_gen, yajl_gen_free)
#define _cleanup_json_ _cleanup_ (yajl_tree_freep)

/* what: a name for messages ("config.json"). */
int nr_json_parse (const char *buf, size_t len, const char *what, yajl_val *out, nr_error_t *err);
int nr_json_parse_file (const char *path, const char *what, yajl_val *out, nr_error_t *err);
int nr_json_parse_fd (int fd, const char *what, yajl_val *out, nr_error_t *err);

/* A cursor for typed lookups: messages read
   `config.json: "process.user.uid": expected unsigned integer, got string`. */
struct nr_jctx
{
  const char *what;  /* file name */
  char path[512];    /* dotted field path of the current object */
};

yajl_val nr_json_get (yajl_val obj, const char *key);
const char *nr_json_type_name (yajl_val v);
/* Push/pop a key onto ctx->path; returns the previous length for pop. */
size_t nr_jctx_push (struct nr_jctx *c, const char *key);
size_t nr_jctx_push_index (struct nr_jctx *c, size_t i);
void nr_jctx_pop (struct nr_jctx *c, size_t old);
int nr_jctx_error (struct nr_jctx *c, const char *key, nr_error_t *err, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));

/* Each returns 0 when absent (leaving *out alone), 1 when present, < 0 on a type error. */
int nr_json_str (struct nr_jctx *c, yajl_val obj, const char *key, char **out, nr_error_t *err);
int nr_json_bool (struct nr_jctx *c, yajl_val obj, const char *key, bool *out, nr_error_t *err);
int nr_json_i64 (struct nr_jctx *c, yajl_val obj, const char *key, int64_t *out, nr_error_t *err);
int nr_json_u64 (struct nr_jctx *c, yajl_val obj, const char *key, uint64_t *out, nr_error_t *err);
int nr_json_u32 (struct nr_jctx *c, yajl_val obj, const char *key, uint32_t *out, nr_error_t *err);
int nr_json_int (struct nr_jctx *c, yajl_val obj, const char *key, int *out, nr_error_t *err);
/* An array of strings, NULL-terminated. */
int nr_json_strv (struct nr_jctx *c, yajl_val obj, const char *key, char ***out, nr_error_t *err);
/* An object of string values: keys and values, NULL-terminated, alternating. */
int nr_json_strmap (struct nr_jctx *c, yajl_val obj, const char *key, char ***out, nr_error_t *err);
/* Look up a key that must be an object / array if present. */
int nr_json_obj (struct nr_jctx *c, yajl_val obj, const char *key, yajl_val *out, nr_error_t *err);
int nr_json_arr (struct nr_jctx *c, yajl_val obj, const char *key, yajl_val *out, nr_error_t *err);

/* A quoted, escaped JSON string (with the quotes). */
char *nr_json_quote (const char *s);

/* Generator. */
yajl_gen nr_jgen_new (bool pretty);
void nr_jgen_str (yajl_gen g, const char *s);
void nr_jgen_kstr (yajl_gen g, const char *key, const char *val);   /* skips NULL val */
void nr_jgen_kint (yajl_gen g, const char *key, long long val);
void nr_jgen_kbool (yajl_gen g, const char *key, bool val);
void nr_jgen_key (yajl_gen g, const char *key);
void nr_jgen_strv (yajl_gen g, char *const *v);
/* Copy a parsed tree into the generator. */
void nr_jgen_value (yajl_gen g, yajl_val v);
/* Take the generated text (malloc'd, NUL-terminated). */
char *nr_jgen_finish (yajl_gen g, size_t *len);

#endif
