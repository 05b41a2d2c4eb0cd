/* SPDX-License-Identifier: Apache-2.0 */
/* Errors, crun's convention: a function that can fail takes nr_error_t *err last,
   returns < 0 and fills *err; callers add context with nr_error_wrap; only main prints. */
#ifndef NR_ERROR_H
#define NR_ERROR_H

#include <stdarg.h>

struct nr_error_s
{
  int status; /* errno, 0 when the failure is not a syscall's */
  char *msg;  /* "mount \"proc\" on \"/proc\": Operation not permitted" */
};
typedef struct nr_error_s *nr_error_t;

/* Fill *err (if it is still empty) and return -1.  With errno_ != 0 the message
   gets ": strerror(errno_)" appended. */
int nr_error_set (nr_error_t *err, int errno_, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));
int nr_error_setv (nr_error_t *err, int errno_, const char *fmt, va_list ap);
/* Prefix context: "create container \"x\": " + old message.  Returns -1; called
   as nr_error_wrap (below). */
int nr_error_wrapf (nr_error_t *err, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
void nr_error_free (nr_error_t *err);
/* Move an error: *dst takes *src. */
void nr_error_move (nr_error_t *dst, nr_error_t *src);
/* Errors travel as (errno, message) across the sync socket and processes. */
int nr_error_from_wire (nr_error_t *err, int errno_, const char *msg);

#ifdef __clang_analyzer__
/* For clang's analyzer, which does not look across translation units: the value is
   always -1, so a caller that returns it never goes on with an output left unset.
   (Not for the compilers: a statement expression whose value a comma operator drops
   is -Wunused-value, and `return nr_error (...), NULL;` is house style.) */
#define nr_error(err, errno_, ...) __extension__ ({ nr_error_set ((err), (errno_), __VA_ARGS__), -1; })
#define nr_error_wrap(err, ...) __extension__ ({ nr_error_wrapf ((err), __VA_ARGS__), -1; })
#else
#define nr_error(err, errno_, ...) nr_error_set ((err), (errno_), __VA_ARGS__)
#define nr_error_wrap(err, ...) nr_error_wrapf ((err), __VA_ARGS__)
#endif

static inline void nr_error_freep (nr_error_t *e) { nr_error_free (e); }
#define _cleanup_error_ __attribute__ ((cleanup (nr_error_freep)))

#endif
