/* SPDX-License-Identifier: Apache-2.0 */
/* Line-based TOML editing (see toml.h).  The file is split into lines, each
   classified as blank, comment, table header, key line or continuation of a
   multi-line value; keys and tables are compared in a canonical dotted form
   (each part unquoted, re-quoted only when it is not a bare key). */
#include "config.h"
#include "engines/toml.h"
#include "common/cleanup.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum line_kind
{
  L_BLANK,
  L_COMMENT,
  L_TABLE,
  L_ARRAY_TABLE,
  L_KEY,
  L_CONT,
};

struct line
{
  size_t off, end;    /* [off, end) without the newline */
  enum line_kind kind;
  char *name;         /* canonical table (L_TABLE) or key (L_KEY) */
  size_t table;       /* L_KEY: index of its table header line, or (size_t) -1 at top level */
  size_t val_off;     /* L_KEY: value text [val_off, val_end) over all its lines */
  size_t val_end;
  size_t last;        /* L_KEY: index of its last line */
};

struct doc
{
  const char *text;
  const char *what;
  struct line *v;
  size_t n;
};

static void
doc_free (struct doc *d)
{
  for (size_t i = 0; i < d->n; i++)
    free (d->v[i].name);
  free (d->v);
  d->v = NULL;
  d->n = 0;
}

static int
parse_error (const struct doc *d, size_t lineno, const char *why, nr_error_t *err)
{
  return nr_error (err, 0, "%s line %zu: %s: not editing a file this tool cannot follow, edit it by hand", d->what,
                   lineno + 1, why);
}

/* An error on the line being parsed: it is not counted in d->n yet, so free its name here. */
static int
line_error (const struct doc *d, struct line *l, const char *why, nr_error_t *err)
{
  free (l->name);
  l->name = NULL;
  return parse_error (d, d->n, why, err);
}

static bool
is_bare (char c)
{
  return isalnum ((unsigned char) c) || c == '_' || c == '-';
}

static void
append_part (char **canon, size_t *len, const char *p, size_t n)
{
  bool bare = n > 0;
  for (size_t i = 0; i < n; i++)
    bare = bare && is_bare (p[i]);
  char *c = realloc (*canon, *len + n + 4);
  if (c == NULL)
    abort ();
  *canon = c;
  if (*len)
    c[(*len)++] = '.';
  if (!bare)
    c[(*len)++] = '"';
  memcpy (c + *len, p, n);
  *len += n;
  if (!bare)
    c[(*len)++] = '"';
  c[*len] = '\0';
}

/* Parse a dotted key at s[*i..n) up to the byte term (or the end when term is 0);
   *i ends on term.  Returns 0, or -1 with *why set. */
static int
parse_path (const char *s, size_t n, size_t *i, char term, char **canon, const char **why)
{
  size_t len = 0;
  *canon = NULL;
  for (;;)
    {
      while (*i < n && (s[*i] == ' ' || s[*i] == '\t'))
        (*i)++;
      if (*i >= n)
        break;
      size_t start, stop;
      if (s[*i] == '"' || s[*i] == '\'')
        {
          char q = s[(*i)++];
          start = *i;
          while (*i < n && s[*i] != q)
            *i += (q == '"' && s[*i] == '\\' && *i + 1 < n) ? 2 : 1;
          if (*i >= n)
            return free (*canon), *canon = NULL, *why = "unterminated quoted key", -1;
          stop = (*i)++;
        }
      else
        {
          start = *i;
          while (*i < n && is_bare (s[*i]))
            (*i)++;
          stop = *i;
          if (stop == start)
            return free (*canon), *canon = NULL, *why = "expected a key", -1;
        }
      append_part (canon, &len, s + start, stop - start);
      while (*i < n && (s[*i] == ' ' || s[*i] == '\t'))
        (*i)++;
      if (*i < n && s[*i] == '.')
        {
          (*i)++;
          continue;
        }
      break;
    }
  if (*canon == NULL)
    return *why = "expected a key", -1;
  if (term ? (*i >= n || s[*i] != term) : *i != n)
    return free (*canon), *canon = NULL, *why = "unexpected character in a key", -1;
  return 0;
}

/* Only blanks or a comment may follow. */
static bool
rest_is_empty (const char *s, size_t i, size_t n)
{
  while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
    i++;
  return i == n || s[i] == '#';
}

struct scan
{
  int depth;       /* open [ and { */
  int ml;          /* inside a multi-line string: '"' or '\'' */
};

/* Scan value text s[i..n) of one line; returns the end of the value text on this
   line (before a comment and trailing blanks), or (size_t) -1 with *why. */
static size_t
scan_value (struct scan *sc, const char *s, size_t i, size_t n, const char **why)
{
  size_t last = i;
  while (i < n)
    {
      char c = s[i];
      if (sc->ml)
        {
          if (sc->ml == '"' && c == '\\')
            {
              i += 2;
              last = i;
              continue;
            }
          if (c == sc->ml && i + 2 < n && s[i + 1] == c && s[i + 2] == c)
            {
              sc->ml = 0;
              i += 3;
              last = i;
              continue;
            }
          i++;
          last = i;
          continue;
        }
      if (c == '#')
        break;
      if ((c == '"' || c == '\'') && i + 2 < n && s[i + 1] == c && s[i + 2] == c)
        {
          sc->ml = c;
          i += 3;
          last = i;
          continue;
        }
      if (c == '"' || c == '\'')
        {
          i++;
          while (i < n && s[i] != c)
            i += (c == '"' && s[i] == '\\' && i + 1 < n) ? 2 : 1;
          if (i >= n)
            return *why = "unterminated string", (size_t) -1;
          i++;
          last = i;
          continue;
        }
      if (c == '[' || c == '{')
        sc->depth++;
      else if (c == ']' || c == '}')
        {
          if (--sc->depth < 0)
            return *why = "unbalanced brackets", (size_t) -1;
        }
      if (c != ' ' && c != '\t' && c != '\r')
        last = i + 1;
      i++;
    }
  if (sc->ml)
    last = n;
  return last;
}

static int
doc_parse (struct doc *d, const char *text, const char *what, nr_error_t *err)
{
  const char *why = NULL;
  size_t cap = 0, cur_table = (size_t) -1;
  struct scan sc = { 0, 0 };
  size_t open_key = (size_t) -1; /* key line whose value is still open */
  d->text = text;
  d->what = what;
  d->v = NULL;
  d->n = 0;
  for (size_t off = 0; text[off] != '\0';)
    {
      const char *nl = strchr (text + off, '\n');
      size_t end = nl ? (size_t) (nl - text) : strlen (text);
      if (d->n == cap)
        {
          cap = cap ? cap * 2 : 64;
          struct line *v = realloc (d->v, cap * sizeof *v);
          if (v == NULL)
            return nr_error (err, ENOMEM, "%s", what);
          d->v = v;
        }
      struct line *l = &d->v[d->n];
      memset (l, 0, sizeof *l);
      l->off = off;
      l->end = end;
      l->table = cur_table;
      size_t i = off;
      if (open_key != (size_t) -1)
        {
          l->kind = L_CONT;
          size_t ve = scan_value (&sc, text, i, end, &why);
          if (ve == (size_t) -1)
            return line_error (d, l, why, err);
          struct line *k = &d->v[open_key];
          if (ve > i)
            k->val_end = ve;
          k->last = d->n;
          if (sc.depth == 0 && sc.ml == 0)
            open_key = (size_t) -1;
        }
      else
        {
          while (i < end && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r'))
            i++;
          if (i == end)
            l->kind = L_BLANK;
          else if (text[i] == '#')
            l->kind = L_COMMENT;
          else if (text[i] == '[')
            {
              bool array = i + 1 < end && text[i + 1] == '[';
              i += array ? 2 : 1;
              if (parse_path (text, end, &i, ']', &l->name, &why) < 0)
                return line_error (d, l, why, err);
              i++;
              if (array && (i >= end || text[i++] != ']'))
                return line_error (d, l, "expected ]] after an array-of-tables header", err);
              if (!rest_is_empty (text, i, end))
                return line_error (d, l, "text after a table header", err);
              l->kind = array ? L_ARRAY_TABLE : L_TABLE;
              cur_table = d->n;
            }
          else
            {
              if (parse_path (text, end, &i, '=', &l->name, &why) < 0)
                return line_error (d, l, why, err);
              i++;
              while (i < end && (text[i] == ' ' || text[i] == '\t'))
                i++;
              if (i >= end || text[i] == '#')
                return line_error (d, l, "a key without a value", err);
              l->kind = L_KEY;
              l->last = d->n;
              l->val_off = i;
              sc = (struct scan){ 0, 0 };
              l->val_end = scan_value (&sc, text, i, end, &why);
              if (l->val_end == (size_t) -1)
                return line_error (d, l, why, err);
              if (sc.depth || sc.ml)
                open_key = d->n;
            }
        }
      d->n++;
      off = nl ? end + 1 : end;
    }
  if (open_key != (size_t) -1)
    return parse_error (d, open_key, "a value that never ends", err);
  return 0;
}

static const char *
table_name (const struct doc *d, size_t idx)
{
  return idx == (size_t) -1 ? "" : d->v[idx].name;
}

/* A key's full canonical path: table + "." + key. */
static char *
full_path (const struct doc *d, const struct line *l)
{
  const char *t = table_name (d, l->table);
  char *s = NULL;
  if (asprintf (&s, "%s%s%s", t, *t ? "." : "", l->name) < 0)
    abort ();
  return s;
}

static bool
is_prefix_path (const char *prefix, const char *path)
{
  size_t n = strlen (prefix);
  return strncmp (prefix, path, n) == 0 && (path[n] == '\0' || path[n] == '.');
}

/* Find table's header (index, or -1 when absent) and key's line in it (or -1);
   refuse files where the table or key is also defined another way. */
static int
doc_find (const struct doc *d, const char *table, const char *key, size_t *hdr, size_t *kl, nr_error_t *err)
{
  *hdr = *kl = (size_t) -1;
  for (size_t i = 0; i < d->n; i++)
    {
      const struct line *l = &d->v[i];
      if (l->kind == L_TABLE && strcmp (l->name, table) == 0)
        {
          if (*hdr != (size_t) -1)
            return parse_error (d, i, "the table is defined twice", err);
          *hdr = i;
        }
      else if (l->kind == L_ARRAY_TABLE && (is_prefix_path (l->name, table) || is_prefix_path (table, l->name)))
        return parse_error (d, i, "the table is also an array of tables", err);
      else if (l->kind == L_KEY)
        {
          _cleanup_free_ char *full = full_path (d, l);
          bool ours = strcmp (table_name (d, l->table), table) == 0;
          if (ours && strcmp (l->name, key) == 0)
            {
              if (*kl != (size_t) -1)
                return parse_error (d, i, "the key is set twice", err);
              *kl = i;
            }
          else if (!ours
                   && (is_prefix_path (full, table)
                       || (is_prefix_path (table_name (d, l->table), table) && is_prefix_path (table, full))))
            return parse_error (d, i, "the table is (partly) set by a dotted key or an inline table here", err);
        }
    }
  return 0;
}

static int
canon_table (const char *table, const char *what, char **out, nr_error_t *err)
{
  const char *why = NULL;
  size_t i = 0;
  if (*table == '\0')
    {
      *out = strdup ("");
      return 0;
    }
  if (parse_path (table, strlen (table), &i, 0, out, &why) < 0)
    return nr_error (err, EINVAL, "%s: invalid table name \"%s\": %s", what, table, why);
  return 0;
}

int
nr_toml_get (const char *text, const char *table, const char *key, const char *what, char **out, nr_error_t *err)
{
  struct doc d;
  _cleanup_free_ char *t = NULL;
  size_t hdr, kl;
  *out = NULL;
  if (canon_table (table, what, &t, err) < 0)
    return -1;
  int r = doc_parse (&d, text, what, err);
  if (r == 0)
    r = doc_find (&d, t, key, &hdr, &kl, err);
  if (r == 0 && kl != (size_t) -1)
    *out = strndup (text + d.v[kl].val_off, d.v[kl].val_end - d.v[kl].val_off);
  doc_free (&d);
  return r;
}

static char *
splice (const char *text, size_t from, size_t to, const char *insert)
{
  char *s = NULL;
  if (asprintf (&s, "%.*s%s%s", (int) from, text, insert, text + to) < 0)
    abort ();
  return s;
}

static size_t
indent_of (const struct doc *d, size_t i)
{
  size_t n = 0;
  while (d->v[i].off + n < d->v[i].end && (d->text[d->v[i].off + n] == ' ' || d->text[d->v[i].off + n] == '\t'))
    n++;
  return n;
}

int
nr_toml_set (char **text, const char *table, const char *key, const char *value, const char *what,
             char **old_value, nr_error_t *err)
{
  struct doc d;
  _cleanup_free_ char *t = NULL;
  _cleanup_free_ char *line = NULL;
  char *out = NULL;
  size_t hdr, kl;
  int r;

  if (canon_table (table, what, &t, err) < 0)
    return -1;
  if (doc_parse (&d, *text, what, err) < 0 || doc_find (&d, t, key, &hdr, &kl, err) < 0)
    {
      doc_free (&d);
      return -1;
    }
  if (kl != (size_t) -1)
    {
      const struct line *l = &d.v[kl];
      size_t vlen = l->val_end - l->val_off;
      if (strlen (value) == vlen && memcmp (*text + l->val_off, value, vlen) == 0)
        r = NR_TOML_UNCHANGED;
      else
        {
          if (old_value)
            *old_value = strndup (*text + l->val_off, vlen);
          if (asprintf (&line, "%.*s%s = %s", (int) indent_of (&d, kl), *text + l->off, key, value) < 0)
            abort ();
          out = splice (*text, l->off, d.v[l->last].end, line);
          r = NR_TOML_REPLACED;
        }
    }
  else if (hdr != (size_t) -1 || *t == '\0')
    {
      /* after the section's last key (and its continuation lines), else after the header */
      size_t after = hdr, last_key = (size_t) -1, ind;
      for (size_t i = hdr == (size_t) -1 ? 0 : hdr + 1; i < d.n && d.v[i].kind != L_TABLE && d.v[i].kind != L_ARRAY_TABLE;
           i++)
        if (d.v[i].kind == L_KEY)
          after = d.v[last_key = i].last;
      /* the indentation of the section's keys, else two more than its header's */
      ind = last_key != (size_t) -1 ? indent_of (&d, last_key) : hdr != (size_t) -1 ? indent_of (&d, hdr) + 2 : 0;
      size_t at = after == (size_t) -1 ? 0 : d.v[after].end;
      const char *nl = after == (size_t) -1 ? "" : "\n";
      if (asprintf (&line, "%s%*s%s = %s%s", nl, (int) ind, "", key, value, after == (size_t) -1 ? "\n" : "")
          < 0)
        abort ();
      out = splice (*text, at, at, line);
      r = NR_TOML_ADDED;
    }
  else
    {
      size_t len = strlen (*text);
      const char *sep = len == 0 ? "" : (*text)[len - 1] == '\n' ? "\n" : "\n\n";
      if (asprintf (&line, "%s[%s]\n  %s = %s\n", sep, table, key, value) < 0)
        abort ();
      out = splice (*text, len, len, line);
      r = NR_TOML_ADDED;
    }
  doc_free (&d);
  if (out)
    {
      free (*text);
      *text = out;
    }
  return r;
}

char *
nr_toml_quote (const char *s)
{
  size_t n = 2;
  for (const char *p = s; *p; p++)
    n += (*p == '"' || *p == '\\') ? 2 : 1;
  char *q = malloc (n + 1), *o = q;
  if (q == NULL)
    return NULL;
  *o++ = '"';
  for (const char *p = s; *p; p++)
    {
      if (*p == '"' || *p == '\\')
        *o++ = '\\';
      *o++ = *p;
    }
  *o++ = '"';
  *o = '\0';
  return q;
}

/* One string at v[*i] (after blanks); *i ends after its closing quote. */
static int
read_string (const char *v, size_t *i, char **out, const char **why)
{
  char q = v[*i];
  size_t n = 0, cap = strlen (v + *i) + 1;
  char *o = malloc (cap);
  if (o == NULL)
    return *why = "out of memory", -1;
  if (q != '"' && q != '\'')
    return free (o), *why = "expected a string", -1;
  if (v[*i + 1] == q && v[*i + 2] == q)
    return free (o), *why = "multi-line strings are not supported", -1;
  for ((*i)++; v[*i] != q; (*i)++)
    {
      char c = v[*i];
      if (c == '\0' || c == '\n')
        return free (o), *why = "unterminated string", -1;
      if (c == '\\' && q == '"')
        {
          static const char from[] = "\"\\/btnfr", to[] = "\"\\/\b\t\n\f\r";
          const char *k = v[*i + 1] ? strchr (from, v[*i + 1]) : NULL;
          if (k == NULL)
            return free (o), *why = "unsupported escape in a string", -1;
          c = to[k - from];
          (*i)++;
        }
      o[n++] = c;
    }
  (*i)++;
  o[n] = '\0';
  *out = o;
  return 0;
}

/* blanks, newlines and comments */
static void
skip_space (const char *v, size_t *i)
{
  for (;;)
    {
      while (v[*i] == ' ' || v[*i] == '\t' || v[*i] == '\r' || v[*i] == '\n')
        (*i)++;
      if (v[*i] != '#')
        return;
      while (v[*i] && v[*i] != '\n')
        (*i)++;
    }
}

int
nr_toml_string (const char *value, const char *what, char **out, nr_error_t *err)
{
  const char *why = NULL;
  size_t i = 0;
  skip_space (value, &i);
  if (read_string (value, &i, out, &why) < 0)
    return nr_error (err, EINVAL, "%s: %s", what, why);
  skip_space (value, &i);
  if (value[i] != '\0')
    {
      free (*out);
      *out = NULL;
      return nr_error (err, EINVAL, "%s: expected one string", what);
    }
  return 0;
}

int
nr_toml_string_array (const char *value, const char *what, char ***out, nr_error_t *err)
{
  const char *why = "expected an array of strings";
  size_t i = 0, n = 0;
  _cleanup_strv_ char **v = calloc (strlen (value) / 2 + 2, sizeof (char *));
  if (v == NULL)
    return nr_error (err, ENOMEM, "%s", what);
  skip_space (value, &i);
  if (value[i++] != '[')
    return nr_error (err, EINVAL, "%s: %s", what, why);
  for (;;)
    {
      skip_space (value, &i);
      if (value[i] == ']')
        break;
      if (read_string (value, &i, &v[n], &why) < 0)
        return nr_error (err, EINVAL, "%s: %s", what, why);
      n++;
      skip_space (value, &i);
      if (value[i] == ',')
        i++;
      else if (value[i] != ']')
        return nr_error (err, EINVAL, "%s: expected , or ] in an array", what);
    }
  i++;
  skip_space (value, &i);
  if (value[i] != '\0')
    return nr_error (err, EINVAL, "%s: text after the array", what);
  *out = TAKE_PTR (v);
  return 0;
}
