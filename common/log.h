/* SPDX-License-Identifier: Apache-2.0 */
/* The --log sink, in runc's format: text (logfmt) or one JSON object per line with
   level, msg and an RFC 3339 time.  The library logs here; it never prints. */
#ifndef NR_LOG_H
#define NR_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include "common/error.h"

enum nr_log_level
{
  NR_LOG_ERROR = 0,
  NR_LOG_WARNING,
  NR_LOG_INFO,
  NR_LOG_DEBUG,
};

/* path NULL: stderr.  format "text" or "json".  The file is opened O_APPEND|O_CLOEXEC. */
int nr_log_open (const char *path, const char *format, bool debug, nr_error_t *err);
/* Use an already open fd (e.g. one inherited over a clone); keeps the format. */
void nr_log_set_fd (int fd);
int nr_log_get_fd (void);
bool nr_log_is_json (void);
void nr_log_close (void);
void nr_log (enum nr_log_level level, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
/* Append an error line to the file NR_DEBUG_ERROR_LOG_ENV names, if set (common/debug.h);
   nr_log does it for its error lines.  when NULL: now. */
void nr_log_copy_error (const char *msg, const char *when);
/* Render one line (no trailing newline handling needed by callers); exposed for tests. */
char *nr_log_format_line (enum nr_log_level level, const char *msg, bool json, const char *time_str);

/* Now, as RFC 3339 with nanoseconds in UTC ("2026-11-25T12:00:00.123456789Z"). */
void nr_rfc3339_now (char *buf, size_t len);

#define nr_warn(...) nr_log (NR_LOG_WARNING, __VA_ARGS__)
#define nr_info(...) nr_log (NR_LOG_INFO, __VA_ARGS__)
#define nr_debug(...) nr_log (NR_LOG_DEBUG, __VA_ARGS__)

#endif
