/* SPDX-License-Identifier: Apache-2.0 */
/* events: --stats prints one stats event; otherwise one every --interval. */
#include "config.h"
#include "cli/common.h"
#include "common/cleanup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int
parse_interval (const char *s, struct timespec *ts, nr_error_t *err)
{
  char *end = NULL;
  double v = strtod (s, &end);
  double mul = 1;
  if (end == s || v <= 0)
    return nr_error (err, 0, "events: invalid --interval \"%s\"", s);
  if (strcmp (end, "ms") == 0)
    mul = 0.001;
  else if (strcmp (end, "m") == 0)
    mul = 60;
  else if (*end && strcmp (end, "s") != 0)
    return nr_error (err, 0, "events: invalid --interval \"%s\"", s);
  v *= mul;
  ts->tv_sec = (time_t) v;
  ts->tv_nsec = (long) ((v - (double) ts->tv_sec) * 1e9);
  return 0;
}

int
cmd_events (struct nr_cli *cli, int argc, char **argv, nr_error_t *err)
{
  struct nr_runtime rt = cli_runtime (cli);
  static const struct option opts[] = { { "stats", no_argument, NULL, 's' },
                                        { "interval", required_argument, NULL, 'i' },
                                        { NULL, 0, NULL, 0 } };
  bool once = false;
  struct timespec every = { 5, 0 };
  int c;
  while ((c = getopt_long_only (argc, argv, "+", opts, NULL)) != -1)
    {
      if (c == 's')
        once = true;
      else if (c == 'i')
        {
          if (parse_interval (optarg, &every, err) < 0)
            return -1;
        }
      else
        return nr_error (err, 0, "events: unknown option \"%s\"", argv[optind - 1]);
    }
  if (cli_need_args ("events", argc, argv, 1, "container id", err) < 0)
    return -1;
  for (;;)
    {
      _cleanup_free_ char *js = nr_container_stats_json (&rt, argv[optind], err);
      if (js == NULL)
        return -1;
      printf ("%s\n", js);
      fflush (stdout);
      if (once)
        return 0;
      nanosleep (&every, NULL);
    }
}
