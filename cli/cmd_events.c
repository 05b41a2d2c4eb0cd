/* SPDX-License-Identifier: Apache-2.0 */
/* events: --stats prints one stats event; otherwise the stream of stats (every
   --interval, the first after one interval) and oom events, one JSON line each. */
#include "config.h"
#include "cli/common.h"
#include "common/cleanup.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A Go duration (time.ParseDuration, runc's --interval): "500ms", "1m30s", "1.5h";
   units ns, us (µs, μs), ms, s, m, h; a bare number only when it is 0. */
static int
parse_duration (const char *s, int64_t *ns)
{
  static const struct
  {
    const char *unit;
    double ns;
  } units[] = { { "ns", 1 },   { "us", 1e3 }, { "\u00b5s", 1e3 }, { "\u03bcs", 1e3 },
                { "ms", 1e6 }, { "s", 1e9 },  { "m", 60e9 },      { "h", 3600e9 } };
  const char *p = s;
  double total = 0, sign = 1;
  if (*p == '+' || *p == '-')
    sign = *p++ == '-' ? -1 : 1;
  if (strcmp (p, "0") == 0)
    return *ns = 0, 0;
  if (*p == '\0')
    return -1;
  while (*p)
    {
      size_t digits = strspn (p, "0123456789"), frac = 0;
      if (p[digits] == '.')
        frac = strspn (p + digits + 1, "0123456789") + 1;
      if (digits == 0 && frac <= 1) /* "." or nothing */
        return -1;
      double v = strtod (p, NULL);
      p += digits + frac;
      size_t ul = strcspn (p, "0123456789.");
      size_t i = 0;
      while (i < NR_ARRAY_SIZE (units) && (strlen (units[i].unit) != ul || strncmp (p, units[i].unit, ul) != 0))
        i++;
      if (i == NR_ARRAY_SIZE (units))
        return -1;
      total += v * units[i].ns;
      p += ul;
    }
  if (total > 9.2e18) /* Go's limit: about 292 years */
    return -1;
  *ns = (int64_t) (sign * total);
  return 0;
}

static int
print_event (const struct nr_event *ev, void *data, nr_error_t *err)
{
  (void) data;
  if (printf ("%s\n", ev->json) < 0 || fflush (stdout) != 0)
    return nr_error (err, errno, "write the %s event", ev->type);
  return 0;
}

int
cmd_events (struct nr_cli *cli, int argc, char **argv, nr_error_t *err)
{
  struct nr_runtime rt = cli_runtime (cli);
  static const struct option opts[]
      = { { "stats", no_argument, NULL, 's' }, { "interval", required_argument, NULL, 'i' }, { NULL, 0, NULL, 0 } };
  bool once = false;
  int64_t ns = 5000000000; /* runc's default: 5s */
  int c;
  while ((c = getopt_long_only (argc, argv, "+", opts, NULL)) != -1)
    {
      if (c == 's')
        once = true;
      else if (c == 'i' && parse_duration (optarg, &ns) < 0)
        return nr_error (err, 0, "events: invalid --interval \"%s\": not a duration (such as 500ms, 5s, 1m30s)",
                         optarg);
      else if (c != 'i')
        return nr_error (err, 0, "events: unknown option \"%s\"", argv[optind - 1]);
    }
  if (ns <= 0)
    return nr_error (err, 0, "events: --interval must be greater than 0");
  if (cli_need_args ("events", argc, argv, 1, "container id", err) < 0)
    return -1;
  struct timespec every = { .tv_sec = ns / 1000000000, .tv_nsec = ns % 1000000000 };
  return nr_container_events (&rt, argv[optind], once ? NULL : &every, print_event, NULL, err);
}
