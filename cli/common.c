/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"
#include "cli/common.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum
{
  OPT_CONSOLE_SOCKET = 2000,
  OPT_PID_FILE,
  OPT_NO_PIVOT,
  OPT_NO_NEW_KEYRING,
  OPT_PRESERVE_FDS,
  OPT_NO_SUBREAPER,
};

const struct option cli_create_long_options[] = {
  { "bundle", required_argument, NULL, 'b' },
  { "console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET },
  { "pid-file", required_argument, NULL, OPT_PID_FILE },
  { "no-pivot", no_argument, NULL, OPT_NO_PIVOT },
  { "no-new-keyring", no_argument, NULL, OPT_NO_NEW_KEYRING },
  { "preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS },
  { "no-subreaper", no_argument, NULL, OPT_NO_SUBREAPER },
  { "detach", no_argument, NULL, 'd' },
  { "keep", no_argument, NULL, 'k' },
  { NULL, 0, NULL, 0 },
};

int
cli_need_args (const char *cmd, int argc, char **argv, int n, const char *what, nr_error_t *err)
{
  int have = argc - optind;
  (void) argv;
  if (have != n)
    return nr_error (err, 0, "%s: %s %d argument%s (%s), got %d", cmd, have < n ? "requires" : "takes exactly", n,
                     n == 1 ? "" : "s", what, have);
  return 0;
}

int
cli_parse_i64 (const char *flag, const char *s, int64_t min, int64_t max, int64_t *out, nr_error_t *err)
{
  char *end = NULL;
  errno = 0;
  long long v = strtoll (s, &end, 10);
  if (errno || end == s || *end || v < min || v > max)
    return nr_error (err, errno == ERANGE ? ERANGE : EINVAL, "--%s: invalid value \"%s\"", flag, s);
  *out = v;
  return 0;
}

int
cli_parse_u64 (const char *flag, const char *s, uint64_t max, uint64_t *out, nr_error_t *err)
{
  char *end = NULL;
  errno = 0;
  /* strtoull takes "-1" as ULLONG_MAX: a sign is no number here */
  unsigned long long v = s[strspn (s, " \t")] == '-' ? 0 : strtoull (s, &end, 10);
  if (end == NULL || errno || end == s || *end || v > max)
    return nr_error (err, errno == ERANGE ? ERANGE : EINVAL, "--%s: invalid value \"%s\"", flag, s);
  *out = v;
  return 0;
}

int
cli_create_option (int c, const char *arg, struct nr_create_opts *o, nr_error_t *err)
{
  switch (c)
    {
    case 'b': o->bundle = arg; return 1;
    case OPT_CONSOLE_SOCKET: o->console_socket = arg; return 1;
    case OPT_PID_FILE: o->pid_file = arg; return 1;
    case OPT_NO_PIVOT: o->no_pivot = true; return 1;
    case OPT_NO_NEW_KEYRING: o->no_new_keyring = true; return 1;
    case OPT_NO_SUBREAPER: return 1;
    case OPT_PRESERVE_FDS:
      {
        uint64_t n = 0;
        if (cli_parse_u64 ("preserve-fds", arg, 65536, &n, err) < 0)
          return -1;
        o->preserve_fds = (int) n;
        return 1;
      }
    }
  return 0;
}

int
cli_finish_create_opts (struct nr_create_opts *o, char **bundle_buf, nr_error_t *err)
{
  char real[PATH_MAX];
  const char *b = o->bundle ? o->bundle : ".";
  if (realpath (b, real) == NULL)
    return nr_error (err, errno, "bundle \"%s\"", b);
  *bundle_buf = strdup (real);
  o->bundle = *bundle_buf;
  return 0;
}
