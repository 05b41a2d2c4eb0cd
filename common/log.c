/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"
#include "common/log.h"
#include "common/json.h"
#include "common/cleanup.h"
#include "common/debug.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static int log_fd = 2;
static bool log_json;
static bool log_debug;

static const char *const level_names[] = { "error", "warning", "info", "debug" };

int
nr_log_open (const char *path, const char *format, bool debug, nr_error_t *err)
{
  log_debug = debug;
  if (format && strcmp (format, "json") == 0)
    log_json = true;
  else if (format == NULL || strcmp (format, "text") == 0)
    log_json = false;
  else
    return nr_error (err, 0, "invalid log format \"%s\": want \"text\" or \"json\"", format);
  if (path == NULL || *path == '\0')
    {
      log_fd = 2;
      return 0;
    }
  int fd = open (path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0)
    return nr_error (err, errno, "open log file \"%s\"", path);
  log_fd = fd;
  return 0;
}

void nr_log_set_fd (int fd) { log_fd = fd; }
int nr_log_get_fd (void) { return log_fd; }
bool nr_log_is_json (void) { return log_json; }

void
nr_log_close (void)
{
  if (log_fd > 2)
    close (log_fd);
  log_fd = 2;
}

void
nr_rfc3339_now (char *buf, size_t len)
{
  struct timespec ts;
  struct tm tm;
  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  size_t n = strftime (buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf (buf + n, len - n, ".%09ldZ", ts.tv_nsec);
}

char *
nr_log_format_line (enum nr_log_level level, const char *msg, bool json, const char *time_str)
{
  _cleanup_free_ char *qmsg = nr_json_quote (msg);
  char *line = NULL;
  if (qmsg == NULL)
    return NULL;
  if (json)
    {
      if (asprintf (&line, "{\"level\":\"%s\",\"msg\":%s,\"time\":\"%s\"}\n", level_names[level], qmsg, time_str) < 0)
        return NULL;
    }
  else if (asprintf (&line, "time=\"%s\" level=%s msg=%s\n", time_str, level_names[level], qmsg) < 0)
    return NULL;
  return line;
}

void
nr_log_copy_error (const char *msg, const char *when)
{
  const char *path = getenv (NR_DEBUG_ERROR_LOG_ENV);
  char now[64];
  if (path == NULL || *path == '\0')
    return;
  if (when == NULL)
    {
      nr_rfc3339_now (now, sizeof now);
      when = now;
    }
  _cleanup_free_ char *line = nr_log_format_line (NR_LOG_ERROR, msg, true, when);
  _cleanup_close_ int fd = open (path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (line && fd >= 0 && write (fd, line, strlen (line)) < 0)
    (void) 0;
}

void
nr_log (enum nr_log_level level, const char *fmt, ...)
{
  _cleanup_free_ char *msg = NULL;
  _cleanup_free_ char *line = NULL;
  char when[64];
  va_list ap;
  int saved = errno;

  if (level == NR_LOG_DEBUG && !log_debug)
    return;
  if (level == NR_LOG_INFO && !log_debug && log_fd == 2)
    return;
  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) < 0)
    msg = NULL;
  va_end (ap);
  if (msg == NULL)
    return;
  nr_rfc3339_now (when, sizeof when);
  line = nr_log_format_line (level, msg, log_json, when);
  if (line)
    {
      size_t len = strlen (line);
      /* one write per line: O_APPEND keeps lines from concurrent writers whole */
      if (write (log_fd, line, len) < 0)
        (void) 0;
    }
  if (level == NR_LOG_ERROR)
    nr_log_copy_error (msg, when);
  errno = saved;
}
