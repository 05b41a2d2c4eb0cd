/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"
#include "common/json.h"
#include "common/fs.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* yajl_tree_free recurses: refuse nesting deeper than NR_JSON_MAX_DEPTH before parsing.
   buf is NUL-terminated; strpbrk keeps the per-byte work in libc (a 64 MiB document
   costs milliseconds, and fuzz campaigns do not spend their time here). */
static int
check_depth (const char *buf, const char *what, nr_error_t *err)
{
  int depth = 0;
  for (const char *p = strpbrk (buf, "\"{}[]"); p; p = strpbrk (p + 1, "\"{}[]"))
    {
      if (*p == '"')
        {
          /* to the closing quote, skipping escaped characters */
          for (p = strpbrk (p + 1, "\"\\"); p && *p == '\\'; p = strpbrk (p + 2, "\"\\"))
            if (p[1] == '\0')
              return 0;
          if (p == NULL)
            return 0; /* unterminated: yajl says so */
        }
      else if (*p == '{' || *p == '[')
        {
          if (++depth > NR_JSON_MAX_DEPTH)
            return nr_error (err, 0, "%s: JSON nested deeper than %d levels", what, NR_JSON_MAX_DEPTH);
        }
      else
        depth--;
    }
  return 0;
}

int
nr_json_parse (const char *buf, size_t len, const char *what, yajl_val *out, nr_error_t *err)
{
  char ebuf[512];
  _cleanup_free_ char *copy = NULL;

  copy = malloc (len + 1);
  if (copy == NULL)
    return nr_error (err, ENOMEM, "%s", what);
  memcpy (copy, buf, len);
  copy[len] = '\0';
  if (strlen (copy) != len)
    return nr_error (err, 0, "%s: invalid JSON: NUL byte in input", what);
  if (check_depth (copy, what, err) < 0)
    return -1;
  ebuf[0] = '\0';
  *out = yajl_tree_parse (copy, ebuf, sizeof ebuf);
  if (*out == NULL)
    {
      /* yajl's message spans lines; keep the first line */
      char *nl = strchr (ebuf, '\n');
      if (nl)
        *nl = '\0';
      return nr_error (err, 0, "%s: invalid JSON: %s", what, ebuf[0] ? ebuf : "parse error");
    }
  return 0;
}

int
nr_json_parse_fd (int fd, const char *what, yajl_val *out, nr_error_t *err)
{
  _cleanup_free_ char *buf = NULL;
  size_t len = 0;
  if (nr_read_all_fd (fd, NR_JSON_MAX_FILE, &buf, &len, err) < 0)
    return nr_error_wrap (err, "read %s", what);
  return nr_json_parse (buf, len, what, out, err);
}

int
nr_json_parse_file (const char *path, const char *what, yajl_val *out, nr_error_t *err)
{
  _cleanup_free_ char *buf = NULL;
  size_t len = 0;
  if (nr_read_file (path, NR_JSON_MAX_FILE, &buf, &len, err) < 0)
    return -1;
  return nr_json_parse (buf, len, what ? what : path, out, err);
}

yajl_val
nr_json_get (yajl_val obj, const char *key)
{
  if (obj == NULL || !YAJL_IS_OBJECT (obj))
    return NULL;
  for (size_t i = 0; i < obj->u.object.len; i++)
    if (strcmp (obj->u.object.keys[i], key) == 0)
      return obj->u.object.values[i];
  return NULL;
}

const char *
nr_json_type_name (yajl_val v)
{
  if (v == NULL || YAJL_IS_NULL (v))
    return "null";
  if (YAJL_IS_STRING (v))
    return "string";
  if (YAJL_IS_NUMBER (v))
    return "number";
  if (YAJL_IS_OBJECT (v))
    return "object";
  if (YAJL_IS_ARRAY (v))
    return "array";
  return "boolean";
}

size_t
nr_jctx_push (struct nr_jctx *c, const char *key)
{
  size_t old = strlen (c->path);
  snprintf (c->path + old, sizeof c->path - old, "%s%s", old ? "." : "", key);
  return old;
}

size_t
nr_jctx_push_index (struct nr_jctx *c, size_t i)
{
  size_t old = strlen (c->path);
  snprintf (c->path + old, sizeof c->path - old, "[%zu]", i);
  return old;
}

void
nr_jctx_pop (struct nr_jctx *c, size_t old)
{
  if (old < sizeof c->path)
    c->path[old] = '\0';
}

int
nr_jctx_error (struct nr_jctx *c, const char *key, nr_error_t *err, const char *fmt, ...)
{
  char msg[512];
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (msg, sizeof msg, fmt, ap);
  va_end (ap);
  if (key)
    return nr_error (err, 0, "%s: \"%s%s%s\": %s", c->what, c->path, c->path[0] ? "." : "", key, msg);
  return nr_error (err, 0, "%s: \"%s\": %s", c->what, c->path, msg);
}

static int
type_error (struct nr_jctx *c, const char *key, const char *want, yajl_val v, nr_error_t *err)
{
  return nr_jctx_error (c, key, err, "expected %s, got %s", want, nr_json_type_name (v));
}

/* null counts as absent, as Go's encoding/json (runc) treats it. */
static yajl_val
lookup (yajl_val obj, const char *key)
{
  yajl_val v = nr_json_get (obj, key);
  if (v && YAJL_IS_NULL (v))
    return NULL;
  return v;
}

int
nr_json_str (struct nr_jctx *c, yajl_val obj, const char *key, char **out, nr_error_t *err)
{
  yajl_val v = lookup (obj, key);
  if (v == NULL)
    return 0;
  if (!YAJL_IS_STRING (v))
    return type_error (c, key, "string", v, err);
  char *s = strdup (v->u.string);
  if (s == NULL)
    return nr_error (err, ENOMEM, "%s", key);
  free (*out);
  *out = s;
  return 1;
}

int
nr_json_bool (struct nr_jctx *c, yajl_val obj, const char *key, bool *out, nr_error_t *err)
{
  yajl_val v = lookup (obj, key);
  if (v == NULL)
    return 0;
  if (YAJL_IS_TRUE (v))
    *out = true;
  else if (YAJL_IS_FALSE (v))
    *out = false;
  else
    return type_error (c, key, "boolean", v, err);
  return 1;
}

int
nr_json_i64 (struct nr_jctx *c, yajl_val obj, const char *key, int64_t *out, nr_error_t *err)
{
  yajl_val v = lookup (obj, key);
  if (v == NULL)
    return 0;
  if (!YAJL_IS_NUMBER (v))
    return type_error (c, key, "integer", v, err);
  if (!YAJL_IS_INTEGER (v))
    return nr_jctx_error (c, key, err, "expected integer, got \"%s\"", v->u.number.r);
  *out = v->u.number.i;
  return 1;
}

int
nr_json_u64 (struct nr_jctx *c, yajl_val obj, const char *key, uint64_t *out, nr_error_t *err)
{
  yajl_val v = lookup (obj, key);
  if (v == NULL)
    return 0;
  if (!YAJL_IS_NUMBER (v))
    return type_error (c, key, "unsigned integer", v, err);
  const char *r = v->u.number.r;
  char *end = NULL;
  if (r[0] == '-')
    return nr_jctx_error (c, key, err, "expected unsigned integer, got %s", r);
  errno = 0;
  unsigned long long n = strtoull (r, &end, 10);
  if (errno != 0 || end == r || *end != '\0')
    return nr_jctx_error (c, key, err, "expected unsigned integer, got %s", r);
  *out = n;
  return 1;
}

int
nr_json_u32 (struct nr_jctx *c, yajl_val obj, const char *key, uint32_t *out, nr_error_t *err)
{
  uint64_t n = 0;
  int r = nr_json_u64 (c, obj, key, &n, err);
  if (r <= 0)
    return r;
  if (n > UINT32_MAX)
    return nr_jctx_error (c, key, err, "value %" PRIu64 " out of range for uint32", n);
  *out = (uint32_t) n;
  return 1;
}

int
nr_json_int (struct nr_jctx *c, yajl_val obj, const char *key, int *out, nr_error_t *err)
{
  int64_t n = 0;
  int r = nr_json_i64 (c, obj, key, &n, err);
  if (r <= 0)
    return r;
  if (n < INT32_MIN || n > INT32_MAX)
    return nr_jctx_error (c, key, err, "value %" PRId64 " out of range for int32", n);
  *out = (int) n;
  return 1;
}

int
nr_json_obj (struct nr_jctx *c, yajl_val obj, const char *key, yajl_val *out, nr_error_t *err)
{
  yajl_val v = lookup (obj, key);
  if (v == NULL)
    return 0;
  if (!YAJL_IS_OBJECT (v))
    return type_error (c, key, "object", v, err);
  *out = v;
  return 1;
}

int
nr_json_arr (struct nr_jctx *c, yajl_val obj, const char *key, yajl_val *out, nr_error_t *err)
{
  yajl_val v = lookup (obj, key);
  if (v == NULL)
    return 0;
  if (!YAJL_IS_ARRAY (v))
    return type_error (c, key, "array", v, err);
  *out = v;
  return 1;
}

int
nr_json_strv (struct nr_jctx *c, yajl_val obj, const char *key, char ***out, nr_error_t *err)
{
  yajl_val a = NULL;
  int r = nr_json_arr (c, obj, key, &a, err);
  if (r <= 0 || a == NULL) /* a is set when r > 0; said for the analyzer */
    return r;
  size_t n = a->u.array.len;
  _cleanup_strv_ char **v = calloc (n + 1, sizeof (char *));
  if (v == NULL)
    return nr_error (err, ENOMEM, "%s", key);
  for (size_t i = 0; i < n; i++)
    {
      yajl_val e = a->u.array.values[i];
      if (!YAJL_IS_STRING (e))
        {
          char k[256];
          snprintf (k, sizeof k, "%s[%zu]", key, i);
          return type_error (c, k, "string", e, err);
        }
      v[i] = strdup (e->u.string);
      if (v[i] == NULL)
        return nr_error (err, ENOMEM, "%s", key);
    }
  nr_strvfreep (out);
  *out = TAKE_PTR (v);
  return 1;
}

int
nr_json_strmap (struct nr_jctx *c, yajl_val obj, const char *key, char ***out, nr_error_t *err)
{
  yajl_val o = NULL;
  int r = nr_json_obj (c, obj, key, &o, err);
  if (r <= 0 || o == NULL) /* o is set when r > 0; said for the analyzer */
    return r;
  size_t n = o->u.object.len;
  _cleanup_strv_ char **v = calloc (2 * n + 1, sizeof (char *));
  if (v == NULL)
    return nr_error (err, ENOMEM, "%s", key);
  for (size_t i = 0; i < n; i++)
    {
      yajl_val e = o->u.object.values[i];
      if (!YAJL_IS_STRING (e))
        {
          char k[512];
          snprintf (k, sizeof k, "%s.%s", key, o->u.object.keys[i]);
          return type_error (c, k, "string", e, err);
        }
      v[2 * i] = strdup (o->u.object.keys[i]);
      v[2 * i + 1] = strdup (e->u.string);
      if (v[2 * i] == NULL || v[2 * i + 1] == NULL)
        return nr_error (err, ENOMEM, "%s", key);
    }
  nr_strvfreep (out);
  *out = TAKE_PTR (v);
  return 1;
}

char *
nr_json_quote (const char *s)
{
  yajl_gen g = nr_jgen_new (false);
  if (g == NULL)
    return NULL;
  nr_jgen_str (g, s ? s : "");
  return nr_jgen_finish (g, NULL);
}

yajl_gen
nr_jgen_new (bool pretty)
{
  yajl_gen g = yajl_gen_alloc (NULL);
  if (g == NULL)
    return NULL;
  yajl_gen_config (g, yajl_gen_beautify, pretty ? 1 : 0);
  yajl_gen_config (g, yajl_gen_validate_utf8, 0);
  if (pretty)
    yajl_gen_config (g, yajl_gen_indent_string, "\t");
  return g;
}

void
nr_jgen_str (yajl_gen g, const char *s)
{
  yajl_gen_string (g, (const unsigned char *) s, strlen (s));
}

void
nr_jgen_key (yajl_gen g, const char *key)
{
  nr_jgen_str (g, key);
}

void
nr_jgen_kstr (yajl_gen g, const char *key, const char *val)
{
  if (val == NULL)
    return;
  nr_jgen_str (g, key);
  nr_jgen_str (g, val);
}

void
nr_jgen_kint (yajl_gen g, const char *key, long long val)
{
  nr_jgen_str (g, key);
  yajl_gen_integer (g, val);
}

void
nr_jgen_kbool (yajl_gen g, const char *key, bool val)
{
  nr_jgen_str (g, key);
  yajl_gen_bool (g, val);
}

void
nr_jgen_strv (yajl_gen g, char *const *v)
{
  yajl_gen_array_open (g);
  for (; v && *v; v++)
    nr_jgen_str (g, *v);
  yajl_gen_array_close (g);
}

void
nr_jgen_value (yajl_gen g, yajl_val v)
{
  if (v == NULL || YAJL_IS_NULL (v))
    yajl_gen_null (g);
  else if (YAJL_IS_STRING (v))
    nr_jgen_str (g, v->u.string);
  else if (YAJL_IS_NUMBER (v))
    yajl_gen_number (g, v->u.number.r, strlen (v->u.number.r));
  else if (YAJL_IS_TRUE (v))
    yajl_gen_bool (g, 1);
  else if (YAJL_IS_FALSE (v))
    yajl_gen_bool (g, 0);
  else if (YAJL_IS_OBJECT (v))
    {
      yajl_gen_map_open (g);
      for (size_t i = 0; i < v->u.object.len; i++)
        {
          nr_jgen_str (g, v->u.object.keys[i]);
          nr_jgen_value (g, v->u.object.values[i]);
        }
      yajl_gen_map_close (g);
    }
  else if (YAJL_IS_ARRAY (v))
    {
      yajl_gen_array_open (g);
      for (size_t i = 0; i < v->u.array.len; i++)
        nr_jgen_value (g, v->u.array.values[i]);
      yajl_gen_array_close (g);
    }
}

char *
nr_jgen_finish (yajl_gen g, size_t *len)
{
  const unsigned char *buf = NULL;
  size_t n = 0;
  char *out = NULL;
  if (yajl_gen_get_buf (g, &buf, &n) == yajl_gen_status_ok)
    {
      out = malloc (n + 1);
      if (out)
        {
          memcpy (out, buf, n);
          out[n] = '\0';
        }
    }
  if (len)
    *len = n;
  yajl_gen_free (g);
  return out;
}
