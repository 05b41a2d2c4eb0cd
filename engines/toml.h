/* SPDX-License-Identifier: Apache-2.0 */
/* A careful, minimal, line-based TOML editor for engine configs (containerd's
   config.toml, podman's containers.conf): it sets one key of one table and leaves
   every other byte of the file as it was, comments and layout included.

   It understands tables ([a."b.c"]), arrays of tables, key = value lines whose value
   may run over several lines (arrays, inline tables, multi-line strings) and
   comments.  Anything it cannot follow is refused with the line number rather
   than guessed at: the file is the user's. */
#ifndef NR_ENGINES_TOML_H
#define NR_ENGINES_TOML_H

#include <stdbool.h>
#include "common/error.h"

enum nr_toml_change
{
  NR_TOML_UNCHANGED = 0, /* the key already had this value */
  NR_TOML_ADDED,         /* the key (and maybe its table) was added */
  NR_TOML_REPLACED,      /* the key had another value, now replaced */
};

/* Set key = value (value is TOML text: "\"/usr/sbin/x\"", "[\"a\"]") in table (a
   dotted header as written between the brackets, e.g.
   `plugins."io.containerd.grpc.v1.cri".containerd.runtimes.nestrun`).  A missing
   table is appended at the end.  *text is replaced by the new text (malloc'd);
   *old_value, if not NULL, receives the previous value text when REPLACED.
   what names the file in errors.  Returns the change (>= 0) or < 0. */
int nr_toml_set (char **text, const char *table, const char *key, const char *value, const char *what,
                 char **old_value, nr_error_t *err);

/* The value text of key in table, or NULL (*out) when absent.  0 or < 0 on a parse error. */
int nr_toml_get (const char *text, const char *table, const char *key, const char *what, char **out,
                 nr_error_t *err);

/* Read a value text (as nr_toml_get returns it) that is one string, basic ("a\"b") or
   literal ('a'), into *out; or an array of such strings, with comments, newlines and a
   trailing comma allowed, into a NULL-terminated *out.  Anything else (numbers, inline
   tables, multi-line strings, \u escapes) is refused with an error naming what. */
int nr_toml_string (const char *value, const char *what, char **out, nr_error_t *err);
int nr_toml_string_array (const char *value, const char *what, char ***out, nr_error_t *err);

/* A TOML basic string with quotes: "a\"b". */
char *nr_toml_quote (const char *s);

#endif
