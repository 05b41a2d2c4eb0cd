/* SPDX-License-Identifier: Apache-2.0 */
/* update: --resources -|FILE (LinuxResources JSON, the shim's form) or runc's flags. */
#include "config.h"
#include "cli/common.h"
#include "common/cleanup.h"
#include "common/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum
{
  U_RES = 4000, U_MEM, U_MEMRES, U_SWAP, U_KMEM, U_KTCP, U_SHARES, U_QUOTA, U_PERIOD, U_RT_RUNTIME, U_RT_PERIOD,
  U_CPUS, U_MEMS, U_PIDS, U_BLKIO, U_L3, U_MEMBW,
};

static const struct option opts[] = {
  { "resources", required_argument, NULL, 'r' },   { "memory", required_argument, NULL, U_MEM },
  { "memory-reservation", required_argument, NULL, U_MEMRES }, { "memory-swap", required_argument, NULL, U_SWAP },
  { "kernel-memory", required_argument, NULL, U_KMEM }, { "kernel-memory-tcp", required_argument, NULL, U_KTCP },
  { "cpu-shares", required_argument, NULL, U_SHARES }, { "cpu-quota", required_argument, NULL, U_QUOTA },
  { "cpu-period", required_argument, NULL, U_PERIOD }, { "cpu-rt-runtime", required_argument, NULL, U_RT_RUNTIME },
  { "cpu-rt-period", required_argument, NULL, U_RT_PERIOD }, { "cpuset-cpus", required_argument, NULL, U_CPUS },
  { "cpuset-mems", required_argument, NULL, U_MEMS }, { "pids-limit", required_argument, NULL, U_PIDS },
  { "blkio-weight", required_argument, NULL, U_BLKIO }, { "l3-cache-schema", required_argument, NULL, U_L3 },
  { "mem-bw-schema", required_argument, NULL, U_MEMBW }, { NULL, 0, NULL, 0 },
};

/* "512m", "1g", "-1", "1024" → bytes */
static int
parse_size (const char *flag, const char *s, int64_t *out, nr_error_t *err)
{
  char *end = NULL;
  errno = 0;
  long long v = strtoll (s, &end, 10);
  if (errno || end == s)
    return nr_error (err, 0, "--%s: invalid value \"%s\"", flag, s);
  long long mul = 1;
  switch (*end)
    {
    case '\0': break;
    case 'k': case 'K': mul = 1LL << 10; break;
    case 'm': case 'M': mul = 1LL << 20; break;
    case 'g': case 'G': mul = 1LL << 30; break;
    case 't': case 'T': mul = 1LL << 40; break;
    default: return nr_error (err, 0, "--%s: invalid value \"%s\"", flag, s);
    }
  if (*end && end[1] && strcasecmp (end + 1, "b") != 0)
    return nr_error (err, 0, "--%s: invalid value \"%s\"", flag, s);
  *out = v < 0 ? -1 : v * mul;
  return 0;
}

static int
read_resources (const char *path, struct oci_resources **out, nr_error_t *err)
{
  _cleanup_free_ char *raw = NULL;
  size_t len = 0;
  const char *what = strcmp (path, "-") == 0 ? "resources (stdin)" : path;
  if (strcmp (path, "-") == 0 ? nr_read_all_fd (0, 16u << 20, &raw, &len, err) : nr_read_file (path, 16u << 20, &raw, &len, err))
    return nr_error_wrap (err, "update: read %s", what);
  if (oci_resources_parse_data (raw, len, what, out, err) < 0 || oci_resources_validate (*out, what, err) < 0)
    return -1;
  return 0;
}

/* Set a flag's field and its has_ companion. */
#define SET(field, value) (r->has_##field = true, r->field = (value), 0)

static int
set_flag (struct oci_resources *r, int c, const char *a, nr_error_t *err)
{
  int64_t v = 0;
  uint64_t u = 0;
  const char *name = NULL;
  for (const struct option *o = opts; o->name; o++)
    if (o->val == c)
      name = o->name;
  switch (c)
    {
    case U_MEM: return parse_size (name, a, &v, err) < 0 ? -1 : SET (mem_limit, v);
    case U_MEMRES: return parse_size (name, a, &v, err) < 0 ? -1 : SET (mem_reservation, v);
    case U_SWAP: return parse_size (name, a, &v, err) < 0 ? -1 : SET (mem_swap, v);
    case U_KMEM: return parse_size (name, a, &v, err) < 0 ? -1 : SET (mem_kernel, v);
    case U_KTCP: return parse_size (name, a, &v, err) < 0 ? -1 : SET (mem_kernel_tcp, v);
    case U_SHARES: return cli_parse_u64 (name, a, UINT64_MAX, &u, err) < 0 ? -1 : SET (cpu_shares, u);
    case U_QUOTA: return cli_parse_i64 (name, a, INT64_MIN, INT64_MAX, &v, err) < 0 ? -1 : SET (cpu_quota, v);
    case U_PERIOD: return cli_parse_u64 (name, a, UINT64_MAX, &u, err) < 0 ? -1 : SET (cpu_period, u);
    case U_RT_RUNTIME:
      return cli_parse_i64 (name, a, INT64_MIN, INT64_MAX, &v, err) < 0 ? -1 : SET (cpu_realtime_runtime, v);
    case U_RT_PERIOD: return cli_parse_u64 (name, a, UINT64_MAX, &u, err) < 0 ? -1 : SET (cpu_realtime_period, u);
    case U_CPUS: free (r->cpu_cpus); r->cpu_cpus = strdup (a); return 0;
    case U_MEMS: free (r->cpu_mems); r->cpu_mems = strdup (a); return 0;
    case U_PIDS: return cli_parse_i64 (name, a, INT64_MIN, INT64_MAX, &v, err) < 0 ? -1 : SET (pids_limit, v);
    case U_BLKIO: return cli_parse_u64 (name, a, UINT16_MAX, &u, err) < 0 ? -1 : SET (blkio_weight, (uint16_t) u);
    case U_L3: case U_MEMBW: return nr_error (err, 0, "--%s: Intel RDT is not supported", name);
    }
  return nr_error (err, 0, "unknown option");
}

int
cmd_update (struct nr_cli *cli, int argc, char **argv, nr_error_t *err)
{
  struct nr_runtime rt = cli_runtime (cli);
  struct oci_resources *res = NULL;
  struct oci_resources flags = { 0 };
  int c, ret = -1;
  while ((c = getopt_long_only (argc, argv, "+r:", opts, NULL)) != -1)
    {
      if (c == 'r')
        {
          if (read_resources (optarg, &res, err) < 0)
            goto out;
        }
      else if (c == '?')
        {
          nr_error (err, 0, "update: unknown option \"%s\"", argv[optind - 1]);
          goto out;
        }
      else if (set_flag (&flags, c, optarg, err) < 0)
        {
          nr_error_wrap (err, "update");
          goto out;
        }
    }
  if (cli_need_args ("update", argc, argv, 1, "container id", err) < 0)
    goto out;
  ret = nr_container_update (&rt, argv[optind], res ? res : &flags, err);
out:
  oci_resources_free (res);
  free (flags.cpu_cpus);
  free (flags.cpu_mems);
  return ret < 0 ? -1 : 0;
}
