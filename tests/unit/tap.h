/* SPDX-License-Identifier: Apache-2.0 */
/* A tiny TAP producer for unit tests run through automake's tap-driver.sh.

     #include "tests/unit/tap.h"
     int main (void)
     {
       ok (1 + 1 == 2, "arithmetic");
       is_int (getpid () > 0, 1, "have a pid");
       is_str (name, "pid", "namespace name");
       like (msg, "process.cwd", "message names the field");
       skip (2, "needs root");
       diag ("some context");
       return done_testing ();
     }

   The plan ("1..N") is printed at the end by done_testing(), or up front with
   plan (N).  Failed checks print "# file:line" and got/expected diagnostics.
   Everything is static: include it in one translation unit per test program. */
#ifndef NR_TESTS_TAP_H
#define NR_TESTS_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_count;
static int tap_failures;
static int tap_planned = -1;

static inline void
tap_vline (bool pass, const char *directive, const char *fmt, va_list ap)
{
  printf ("%s %d - ", pass ? "ok" : "not ok", ++tap_count);
  vprintf (fmt, ap);
  if (directive)
    printf (" # %s", directive);
  putchar ('\n');
  fflush (stdout);
}

static inline void __attribute__ ((format (printf, 1, 2)))
diag (const char *fmt, ...)
{
  va_list ap;
  fputs ("# ", stdout);
  va_start (ap, fmt);
  vprintf (fmt, ap);
  va_end (ap);
  putchar ('\n');
  fflush (stdout);
}

static inline void
plan (int n)
{
  tap_planned = n;
  printf ("1..%d\n", n);
  fflush (stdout);
}

static inline bool __attribute__ ((format (printf, 4, 5)))
tap_ok (bool pass, const char *file, int line, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  tap_vline (pass, NULL, fmt, ap);
  va_end (ap);
  if (!pass)
    {
      tap_failures++;
      diag ("  failed at %s:%d", file, line);
    }
  return pass;
}

#define ok(cond, ...) tap_ok ((cond) ? true : false, __FILE__, __LINE__, __VA_ARGS__)

#define is_int(got, want, ...)                                                        \
  ({                                                                                  \
    long long _g = (long long) (got), _w = (long long) (want);                        \
    bool _p = tap_ok (_g == _w, __FILE__, __LINE__, __VA_ARGS__);                     \
    if (!_p)                                                                          \
      diag ("         got: %lld\n#     expected: %lld", _g, _w);                     \
    _p;                                                                               \
  })

#define is_str(got, want, ...)                                                        \
  ({                                                                                  \
    const char *_g = (got), *_w = (want);                                             \
    bool _p = tap_ok ((_g == NULL && _w == NULL) || (_g && _w && strcmp (_g, _w) == 0), \
                      __FILE__, __LINE__, __VA_ARGS__);                               \
    if (!_p)                                                                          \
      diag ("         got: %s%s%s\n#     expected: %s%s%s", _g ? "\"" : "",          \
            _g ? _g : "NULL", _g ? "\"" : "", _w ? "\"" : "", _w ? _w : "NULL",        \
            _w ? "\"" : "");                                                          \
    _p;                                                                               \
  })

/* got contains the substring want. */
#define like(got, want, ...)                                                          \
  ({                                                                                  \
    const char *_g = (got), *_w = (want);                                             \
    bool _p = tap_ok (_g && _w && strstr (_g, _w) != NULL, __FILE__, __LINE__,         \
                      __VA_ARGS__);                                                   \
    if (!_p)                                                                          \
      diag ("         got: %s\n#     expected to contain: %s", _g ? _g : "NULL",      \
            _w ? _w : "NULL");                                                        \
    _p;                                                                               \
  })

/* n "ok ... # SKIP reason" lines. */
static inline void
skip (int n, const char *reason)
{
  for (int i = 0; i < n; i++)
    printf ("ok %d - skipped # SKIP %s\n", ++tap_count, reason);
  fflush (stdout);
}

/* Skip the whole program: "1..0 # SKIP reason"; use as return skip_all (…). */
static inline int
skip_all (const char *reason)
{
  printf ("1..0 # SKIP %s\n", reason);
  return 0;
}

static inline void __attribute__ ((noreturn, format (printf, 1, 2)))
bail_out (const char *fmt, ...)
{
  va_list ap;
  fputs ("Bail out! ", stdout);
  va_start (ap, fmt);
  vprintf (fmt, ap);
  va_end (ap);
  putchar ('\n');
  exit (1);
}

/* Print the plan if none was given; exit status for main(). */
static inline int
done_testing (void)
{
  if (tap_planned < 0)
    printf ("1..%d\n", tap_count);
  else if (tap_planned != tap_count)
    diag ("planned %d tests but ran %d", tap_planned, tap_count);
  fflush (stdout);
  return tap_failures > 0 || (tap_planned >= 0 && tap_planned != tap_count) ? 1 : 0;
}

#endif
