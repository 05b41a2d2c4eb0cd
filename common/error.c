/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"
#include "common/error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
nr_error_setv (nr_error_t *err, int errno_, const char *fmt, va_list ap)
{
  char *msg = NULL;
  char *full = NULL;

  if (err == NULL || *err != NULL)
    return -1;
  if (vasprintf (&msg, fmt, ap) < 0)
    msg = NULL;
  if (msg && errno_ != 0 && asprintf (&full, "%s: %s", msg, strerror (errno_)) >= 0)
    {
      free (msg);
      msg = full;
    }
  *err = calloc (1, sizeof (**err));
  if (*err == NULL)
    {
      free (msg);
      abort (); /* out of memory while reporting an error: nothing sane left */
    }
  (*err)->status = errno_;
  (*err)->msg = msg ? msg : strdup ("out of memory");
  return -1;
}

int
nr_error_set (nr_error_t *err, int errno_, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  nr_error_setv (err, errno_, fmt, ap);
  va_end (ap);
  return -1;
}

int
nr_error_wrapf (nr_error_t *err, const char *fmt, ...)
{
  char *prefix = NULL;
  char *full = NULL;
  va_list ap;

  if (err == NULL || *err == NULL)
    return -1;
  va_start (ap, fmt);
  if (vasprintf (&prefix, fmt, ap) < 0)
    prefix = NULL;
  va_end (ap);
  if (prefix && asprintf (&full, "%s: %s", prefix, (*err)->msg) >= 0)
    {
      free ((*err)->msg);
      (*err)->msg = full;
    }
  free (prefix);
  return -1;
}

void
nr_error_free (nr_error_t *err)
{
  if (err == NULL || *err == NULL)
    return;
  free ((*err)->msg);
  free (*err);
  *err = NULL;
}

void
nr_error_move (nr_error_t *dst, nr_error_t *src)
{
  nr_error_free (dst);
  *dst = *src;
  *src = NULL;
}

int
nr_error_from_wire (nr_error_t *err, int errno_, const char *msg)
{
  if (err == NULL || *err != NULL)
    return -1;
  *err = calloc (1, sizeof (**err));
  if (*err == NULL)
    abort ();
  (*err)->status = errno_;
  (*err)->msg = strdup (msg ? msg : "unknown error");
  return -1;
}
