/* SPDX-License-Identifier: Apache-2.0 */
/* Statistics from cgroup v1 and v2 files, and runc's `events --stats` JSON shape
   (runc types/events.go; omitempty fields are left out when zero, as Go does). */
#include "config.h"
#include "runtime/cgroups/internal.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Missing files are zeros: not every kernel has every counter. */
static uint64_t
u64_or_0 (const char *dir, const char *file)
{
  uint64_t v = 0;
  nr_error_t e = NULL;
  if (nr_cg_read_u64 (dir, file, &v, &e) < 0)
    nr_error_free (&e);
  return v;
}

static char *
text_or_empty (const char *dir, const char *file)
{
  char *t = NULL;
  nr_error_t e = NULL;
  if (nr_cg_read (dir, file, &t, &e) < 0)
    {
      nr_error_free (&e);
      t = strdup ("");
    }
  if (t == NULL)
    abort ();
  return t;
}

static uint64_t
keyed_or_0 (const char *text, const char *key)
{
  uint64_t v = 0;
  return nr_cg_keyed (text, key, &v) == 0 ? v : 0;
}

static void
push_u64 (uint64_t **v, size_t *n, uint64_t x)
{
  if ((*v = realloc (*v, (*n + 1) * sizeof **v)) == NULL)
    abort ();
  (*v)[(*n)++] = x;
}

static void
parse_list (const char *text, uint64_t **out, size_t *n)
{
  for (const char *s = text;;)
    {
      char *end;
      unsigned long long v = strtoull (s, &end, 10);
      if (end == s)
        return;
      push_u64 (out, n, v);
      s = end;
    }
}

/* "key value" lines into raw; every value must parse */
static void
parse_raw (const char *text, struct nr_cgroup_stats *s)
{
  _cleanup_free_ char *copy = strdup (text);
  char *save = NULL;
  if (copy == NULL)
    abort ();
  for (char *line = strtok_r (copy, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char *sp = strchr (line, ' ');
      uint64_t v;
      if (sp == NULL || nr_cg_parse_u64 (sp + 1, &v) < 0)
        continue;
      *sp = '\0';
      s->memory.raw_keys = realloc (s->memory.raw_keys, (s->memory.n_raw + 1) * sizeof (char *));
      s->memory.raw_values = realloc (s->memory.raw_values, (s->memory.n_raw + 1) * sizeof (uint64_t));
      if (!s->memory.raw_keys || !s->memory.raw_values || !(s->memory.raw_keys[s->memory.n_raw] = strdup (line)))
        abort ();
      s->memory.raw_values[s->memory.n_raw++] = v;
    }
}

static uint64_t
raw (const struct nr_cgroup_stats *s, const char *key)
{
  for (size_t i = 0; i < s->memory.n_raw; i++)
    if (strcmp (s->memory.raw_keys[i], key) == 0)
      return s->memory.raw_values[i];
  return 0;
}

static void
blkio_push (struct nr_cgroup_stats *s, int kind, uint64_t maj, uint64_t min, const char *op, uint64_t v)
{
  struct nr_cgroup_blkio_entry *e = realloc (s->blkio[kind].v, (s->blkio[kind].n + 1) * sizeof *e);
  if (e == NULL)
    abort ();
  s->blkio[kind].v = e;
  e = &e[s->blkio[kind].n++];
  *e = (struct nr_cgroup_blkio_entry){ .major = maj, .minor = min, .value = v };
  snprintf (e->op, sizeof e->op, "%s", op);
}

static void
hugetlb_push (struct nr_cgroup_stats *s, const char *size, uint64_t usage, uint64_t max, uint64_t failcnt)
{
  struct nr_cgroup_hugetlb *h = realloc (s->hugetlb, (s->n_hugetlb + 1) * sizeof *h);
  if (h == NULL)
    abort ();
  s->hugetlb = h;
  h[s->n_hugetlb++] = (struct nr_cgroup_hugetlb){ strdup (size), usage, max, failcnt };
}

/* Page sizes from the file names: hugetlb.<size>.<suffix> */
static void
hugetlb_scan (const char *dir, const char *suffix, void (*one) (struct nr_cgroup_stats *, const char *, const char *),
              struct nr_cgroup_stats *s)
{
  _cleanup_closedir_ DIR *d = opendir (dir);
  struct dirent *e;
  size_t sl = strlen (suffix);
  while (d && (e = readdir (d)))
    {
      size_t n = strlen (e->d_name);
      if (strncmp (e->d_name, "hugetlb.", 8) || n <= 8 + sl || strcmp (e->d_name + n - sl, suffix))
        continue;
      _cleanup_free_ char *size = strndup (e->d_name + 8, n - 8 - sl);
      if (size && !strchr (size, '.'))
        one (s, dir, size);
    }
}

/* ---- v1 ---------------------------------------------------------------------------- */

static void
v1_cpu (const struct nr_cgroup *cg, struct nr_cgroup_stats *s)
{
  const struct nr_cg_dir *acct = nr_cg_find (cg, "cpuacct"), *cpu = nr_cg_find (cg, "cpu");
  if (acct)
    {
      _cleanup_free_ char *percpu = text_or_empty (acct->path, "cpuacct.usage_percpu");
      _cleanup_free_ char *st = text_or_empty (acct->path, "cpuacct.stat");
      _cleanup_free_ char *all = text_or_empty (acct->path, "cpuacct.usage_all");
      long hz = sysconf (_SC_CLK_TCK);
      s->cpu.total = u64_or_0 (acct->path, "cpuacct.usage");
      parse_list (percpu, &s->cpu.percpu, &s->cpu.n_percpu);
      s->cpu.user = keyed_or_0 (st, "user") * 1000000000ull / (uint64_t) (hz > 0 ? hz : 100);
      s->cpu.kernel = keyed_or_0 (st, "system") * 1000000000ull / (uint64_t) (hz > 0 ? hz : 100);
      /* "cpu user system" then one line per cpu */
      for (char *save = NULL, *l = strtok_r (all, "\n", &save); l; l = strtok_r (NULL, "\n", &save))
        {
          unsigned long long c, u, k;
          if (sscanf (l, "%llu %llu %llu", &c, &u, &k) != 3)
            continue;
          push_u64 (&s->cpu.percpu_user, &s->cpu.n_percpu_user, u);
          push_u64 (&s->cpu.percpu_kernel, &s->cpu.n_percpu_kernel, k);
        }
    }
  if (cpu)
    {
      _cleanup_free_ char *st = text_or_empty (cpu->path, "cpu.stat");
      s->cpu.periods = keyed_or_0 (st, "nr_periods");
      s->cpu.throttled_periods = keyed_or_0 (st, "nr_throttled");
      s->cpu.throttled_time = keyed_or_0 (st, "throttled_time");
    }
}

/* "0-2,4\n" → 0 1 2 4; a malformed list stops where it breaks */
static void
parse_cpu_list (const char *text, uint64_t **out, size_t *n)
{
  for (const char *p = text; *p && *p != '\n';)
    {
      char *end;
      unsigned long lo = strtoul (p, &end, 10), hi = lo;
      if (end == p)
        return;
      if (*end == '-')
        {
          p = end + 1;
          hi = strtoul (p, &end, 10);
          if (end == p || hi < lo)
            return;
        }
      for (unsigned long v = lo; v <= hi && v <= UINT16_MAX; v++)
        push_u64 (out, n, v);
      p = *end == ',' ? end + 1 : end;
    }
}

static void
v1_cpuset (const char *dir, struct nr_cgroup_stats *s)
{
  _cleanup_free_ char *cpus = text_or_empty (dir, "cpuset.cpus");
  _cleanup_free_ char *mems = text_or_empty (dir, "cpuset.mems");
  _cleanup_free_ char *relax = text_or_empty (dir, "cpuset.sched_relax_domain_level");
  parse_cpu_list (cpus, &s->cpuset.cpus, &s->cpuset.n_cpus);
  parse_cpu_list (mems, &s->cpuset.mems, &s->cpuset.n_mems);
  s->cpuset.cpu_exclusive = u64_or_0 (dir, "cpuset.cpu_exclusive");
  s->cpuset.mem_hardwall = u64_or_0 (dir, "cpuset.mem_hardwall");
  s->cpuset.mem_exclusive = u64_or_0 (dir, "cpuset.mem_exclusive");
  s->cpuset.memory_migrate = u64_or_0 (dir, "cpuset.memory_migrate");
  s->cpuset.memory_spread_page = u64_or_0 (dir, "cpuset.memory_spread_page");
  s->cpuset.memory_spread_slab = u64_or_0 (dir, "cpuset.memory_spread_slab");
  s->cpuset.memory_pressure = u64_or_0 (dir, "cpuset.memory_pressure");
  s->cpuset.sched_load_balance = u64_or_0 (dir, "cpuset.sched_load_balance");
  s->cpuset.sched_relax_domain_level = strtoll (relax, NULL, 10);
}

static void
v1_mem_entry (const char *dir, const char *prefix, struct nr_cgroup_mem_entry *m)
{
  char f[96];
  snprintf (f, sizeof f, "%s.usage_in_bytes", prefix);
  m->usage = u64_or_0 (dir, f);
  snprintf (f, sizeof f, "%s.max_usage_in_bytes", prefix);
  m->max = u64_or_0 (dir, f);
  snprintf (f, sizeof f, "%s.failcnt", prefix);
  m->failcnt = u64_or_0 (dir, f);
  snprintf (f, sizeof f, "%s.limit_in_bytes", prefix);
  m->limit = u64_or_0 (dir, f);
}

static void
v1_memory (const char *dir, struct nr_cgroup_stats *s)
{
  _cleanup_free_ char *st = text_or_empty (dir, "memory.stat");
  _cleanup_free_ char *oom = text_or_empty (dir, "memory.oom_control");
  parse_raw (st, s);
  s->memory.cache = raw (s, "cache");
  v1_mem_entry (dir, "memory", &s->memory.usage);
  v1_mem_entry (dir, "memory.memsw", &s->memory.swap);
  v1_mem_entry (dir, "memory.kmem", &s->memory.kernel);
  v1_mem_entry (dir, "memory.kmem.tcp", &s->memory.kernel_tcp);
  s->memory.oom_kill = keyed_or_0 (oom, "oom_kill");
}

/* "8:0 Read 123", "8:0 123" (sectors, time); "Total 123" is skipped */
static size_t
v1_blkio_file (const char *dir, const char *file, int kind, struct nr_cgroup_stats *s)
{
  _cleanup_free_ char *t = text_or_empty (dir, file);
  size_t n = 0;
  for (char *save = NULL, *l = strtok_r (t, "\n", &save); l; l = strtok_r (NULL, "\n", &save))
    {
      unsigned long long maj, min, v;
      char op[16];
      if (sscanf (l, "%llu:%llu %15s %llu", &maj, &min, op, &v) != 4)
        {
          if (sscanf (l, "%llu:%llu %llu", &maj, &min, &v) != 3)
            continue;
          op[0] = '\0';
        }
      blkio_push (s, kind, maj, min, op, v);
      n++;
    }
  return n;
}

static void
v1_blkio (const char *dir, struct nr_cgroup_stats *s)
{
  static const char *const files[NR_BLKIO_KINDS] = {
    "io_service_bytes_recursive", "io_serviced_recursive", "io_queued_recursive", "io_service_time_recursive",
    "io_wait_time_recursive",     "io_merged_recursive",   "time_recursive",      "sectors_recursive",
  };
  /* CFQ's files if they say anything, else BFQ's, else the throttle counters (runc) */
  static const char *const prefixes[] = { "blkio.", "blkio.bfq." };
  for (size_t p = 0; p < NR_ARRAY_SIZE (prefixes); p++)
    {
      size_t found = 0;
      for (int k = 0; k < NR_BLKIO_KINDS; k++)
        {
          char f[96];
          snprintf (f, sizeof f, "%s%s", prefixes[p], files[k]);
          found += v1_blkio_file (dir, f, k, s);
        }
      if (found)
        return;
    }
  v1_blkio_file (dir, "blkio.throttle.io_service_bytes_recursive", NR_BLKIO_SERVICE_BYTES, s);
  v1_blkio_file (dir, "blkio.throttle.io_serviced_recursive", NR_BLKIO_SERVICED, s);
}

static void
v1_hugetlb_one (struct nr_cgroup_stats *s, const char *dir, const char *size)
{
  char f[3][128];
  snprintf (f[0], sizeof f[0], "hugetlb.%s.usage_in_bytes", size);
  snprintf (f[1], sizeof f[1], "hugetlb.%s.max_usage_in_bytes", size);
  snprintf (f[2], sizeof f[2], "hugetlb.%s.failcnt", size);
  hugetlb_push (s, size, u64_or_0 (dir, f[0]), u64_or_0 (dir, f[1]), u64_or_0 (dir, f[2]));
}

int
nr_cg_stats_v1 (const struct nr_cgroup *cg, struct nr_cgroup_stats *s, nr_error_t *err)
{
  const struct nr_cg_dir *d;
  v1_cpu (cg, s);
  if ((d = nr_cg_find (cg, "cpuset")))
    v1_cpuset (d->path, s);
  if ((d = nr_cg_find (cg, "memory")))
    v1_memory (d->path, s);
  if ((d = nr_cg_find (cg, "pids")))
    {
      s->pids.current = u64_or_0 (d->path, "pids.current");
      s->pids.limit = u64_or_0 (d->path, "pids.max");
    }
  if ((d = nr_cg_find (cg, "blkio")))
    v1_blkio (d->path, s);
  if ((d = nr_cg_find (cg, "hugetlb")))
    hugetlb_scan (d->path, ".usage_in_bytes", v1_hugetlb_one, s);
  if (s->pids.limit == UINT64_MAX)
    s->pids.limit = 0;
  return 0;
}

/* ---- v2 ---------------------------------------------------------------------------- */

static void
v2_io (const char *dir, struct nr_cgroup_stats *s)
{
  static const struct
  {
    const char *key, *op;
    int kind;
  } keys[] = {
    { "rbytes", "Read", NR_BLKIO_SERVICE_BYTES }, { "wbytes", "Write", NR_BLKIO_SERVICE_BYTES },
    { "rios", "Read", NR_BLKIO_SERVICED },        { "wios", "Write", NR_BLKIO_SERVICED },
    { "dbytes", "Discard", NR_BLKIO_SERVICE_BYTES }, { "dios", "Discard", NR_BLKIO_SERVICED },
  };
  _cleanup_free_ char *t = text_or_empty (dir, "io.stat");
  for (char *save = NULL, *l = strtok_r (t, "\n", &save); l; l = strtok_r (NULL, "\n", &save))
    {
      unsigned long long maj, min;
      int off = 0;
      if (sscanf (l, "%llu:%llu%n", &maj, &min, &off) != 2)
        continue;
      for (char *s2 = NULL, *kv = strtok_r (l + off, " ", &s2); kv; kv = strtok_r (NULL, " ", &s2))
        for (size_t i = 0; i < NR_ARRAY_SIZE (keys); i++)
          {
            size_t kl = strlen (keys[i].key);
            uint64_t v;
            if (strncmp (kv, keys[i].key, kl) == 0 && kv[kl] == '=' && nr_cg_parse_u64 (kv + kl + 1, &v) == 0)
              blkio_push (s, keys[i].kind, maj, min, keys[i].op, v);
          }
    }
}

static void
v2_hugetlb_one (struct nr_cgroup_stats *s, const char *dir, const char *size)
{
  char f[128];
  snprintf (f, sizeof f, "hugetlb.%s.events", size);
  _cleanup_free_ char *ev = text_or_empty (dir, f);
  snprintf (f, sizeof f, "hugetlb.%s.current", size);
  hugetlb_push (s, size, u64_or_0 (dir, f), 0, keyed_or_0 (ev, "max"));
}

static void
v2_memory (const char *dir, struct nr_cgroup_stats *s)
{
  _cleanup_free_ char *st = text_or_empty (dir, "memory.stat");
  _cleanup_free_ char *ev = text_or_empty (dir, "memory.events");
  parse_raw (st, s);
  s->memory.cache = raw (s, "file");
  s->memory.usage.usage = u64_or_0 (dir, "memory.current");
  s->memory.usage.limit = nr_cg_exists (dir, "memory.max") ? u64_or_0 (dir, "memory.max") : UINT64_MAX;
  s->memory.usage.max = u64_or_0 (dir, "memory.peak");
  s->memory.swap.usage = u64_or_0 (dir, "memory.swap.current") + s->memory.usage.usage;
  s->memory.swap.limit = nr_cg_exists (dir, "memory.swap.max") ? u64_or_0 (dir, "memory.swap.max") : UINT64_MAX;
  /* v1 reports memory+swap: so does runc for v2 */
  if (s->memory.swap.limit != UINT64_MAX && s->memory.usage.limit != UINT64_MAX)
    s->memory.swap.limit += s->memory.usage.limit;
  else
    s->memory.swap.limit = UINT64_MAX;
  s->memory.oom = keyed_or_0 (ev, "oom");
  s->memory.oom_kill = keyed_or_0 (ev, "oom_kill");
}

int
nr_cg_stats_v2 (const char *dir, struct nr_cgroup_stats *s, nr_error_t *err)
{
  _cleanup_free_ char *cpu = text_or_empty (dir, "cpu.stat");
  if (access (dir, F_OK) < 0)
    return nr_error (err, errno, "stat cgroup \"%s\"", dir);
  s->cpu.total = keyed_or_0 (cpu, "usage_usec") * 1000;
  s->cpu.user = keyed_or_0 (cpu, "user_usec") * 1000;
  s->cpu.kernel = keyed_or_0 (cpu, "system_usec") * 1000;
  s->cpu.periods = keyed_or_0 (cpu, "nr_periods");
  s->cpu.throttled_periods = keyed_or_0 (cpu, "nr_throttled");
  s->cpu.throttled_time = keyed_or_0 (cpu, "throttled_usec") * 1000;
  v2_memory (dir, s);
  s->pids.current = u64_or_0 (dir, "pids.current");
  s->pids.limit = u64_or_0 (dir, "pids.max");
  if (s->pids.limit == UINT64_MAX)
    s->pids.limit = 0;
  v2_io (dir, s);
  hugetlb_scan (dir, ".current", v2_hugetlb_one, s);
  return 0;
}

int
nr_cgroup_stats (const struct nr_cgroup *cg, struct nr_cgroup_stats *out, nr_error_t *err)
{
  memset (out, 0, sizeof *out);
  if (cg == NULL || cg->mode == NR_CGROUP_NONE)
    return nr_error (err, ENOTSUP, "statistics: the container has no cgroups");
  const struct nr_cg_dir *u = nr_cg_unified (cg);
  if (cg->mode == NR_CGROUP_V2 && u == NULL)
    return nr_error (err, ENOENT, "statistics: the container has no cgroup2 directory");
  int r = cg->mode == NR_CGROUP_V2 ? nr_cg_stats_v2 (u->path, out, err) : nr_cg_stats_v1 (cg, out, err);
  if (r < 0)
    nr_cgroup_stats_free (out);
  return r;
}

void
nr_cgroup_stats_free (struct nr_cgroup_stats *s)
{
  free (s->cpu.percpu);
  free (s->cpu.percpu_kernel);
  free (s->cpu.percpu_user);
  free (s->cpuset.cpus);
  free (s->cpuset.mems);
  for (size_t i = 0; i < s->memory.n_raw; i++)
    free (s->memory.raw_keys[i]);
  free (s->memory.raw_keys);
  free (s->memory.raw_values);
  for (int k = 0; k < NR_BLKIO_KINDS; k++)
    free (s->blkio[k].v);
  for (size_t i = 0; i < s->n_hugetlb; i++)
    free (s->hugetlb[i].page_size);
  free (s->hugetlb);
  memset (s, 0, sizeof *s);
}

/* ---- JSON ---------------------------------------------------------------------------- */

static void
ku64 (yajl_gen g, const char *key, uint64_t v, bool omitempty)
{
  char buf[24];
  if (omitempty && v == 0)
    return;
  nr_jgen_key (g, key);
  int n = snprintf (buf, sizeof buf, "%" PRIu64, v);
  yajl_gen_number (g, buf, n);
}

static void
u64_array (yajl_gen g, const char *key, const uint64_t *v, size_t n)
{
  char buf[24];
  if (n == 0)
    return;
  nr_jgen_key (g, key);
  yajl_gen_array_open (g);
  for (size_t i = 0; i < n; i++)
    yajl_gen_number (g, buf, snprintf (buf, sizeof buf, "%" PRIu64, v[i]));
  yajl_gen_array_close (g);
}

static void
json_cpu (yajl_gen g, const struct nr_cgroup_stats *s)
{
  nr_jgen_key (g, "cpu");
  yajl_gen_map_open (g);
  nr_jgen_key (g, "usage");
  yajl_gen_map_open (g);
  ku64 (g, "total", s->cpu.total, true);
  u64_array (g, "percpu", s->cpu.percpu, s->cpu.n_percpu);
  u64_array (g, "percpu_kernel", s->cpu.percpu_kernel, s->cpu.n_percpu_kernel);
  u64_array (g, "percpu_user", s->cpu.percpu_user, s->cpu.n_percpu_user);
  ku64 (g, "kernel", s->cpu.kernel, false);
  ku64 (g, "user", s->cpu.user, false);
  yajl_gen_map_close (g);
  nr_jgen_key (g, "throttling");
  yajl_gen_map_open (g);
  ku64 (g, "periods", s->cpu.periods, true);
  ku64 (g, "throttledPeriods", s->cpu.throttled_periods, true);
  ku64 (g, "throttledTime", s->cpu.throttled_time, true);
  yajl_gen_map_close (g);
  yajl_gen_map_close (g);
}

static void
json_cpuset (yajl_gen g, const struct nr_cgroup_stats *s)
{
  char buf[24];
  nr_jgen_key (g, "cpuset");
  yajl_gen_map_open (g);
  u64_array (g, "cpus", s->cpuset.cpus, s->cpuset.n_cpus);
  ku64 (g, "cpu_exclusive", s->cpuset.cpu_exclusive, false);
  u64_array (g, "mems", s->cpuset.mems, s->cpuset.n_mems);
  ku64 (g, "mem_hardwall", s->cpuset.mem_hardwall, false);
  ku64 (g, "mem_exclusive", s->cpuset.mem_exclusive, false);
  ku64 (g, "memory_migrate", s->cpuset.memory_migrate, false);
  ku64 (g, "memory_spread_page", s->cpuset.memory_spread_page, false);
  ku64 (g, "memory_spread_slab", s->cpuset.memory_spread_slab, false);
  ku64 (g, "memory_pressure", s->cpuset.memory_pressure, false);
  ku64 (g, "sched_load_balance", s->cpuset.sched_load_balance, false);
  nr_jgen_key (g, "sched_relax_domain_level");
  yajl_gen_number (g, buf, snprintf (buf, sizeof buf, "%" PRId64, s->cpuset.sched_relax_domain_level));
  yajl_gen_map_close (g);
}

static void
json_mem_entry (yajl_gen g, const char *key, const struct nr_cgroup_mem_entry *m)
{
  nr_jgen_key (g, key);
  yajl_gen_map_open (g);
  ku64 (g, "limit", m->limit, false);
  ku64 (g, "usage", m->usage, true);
  ku64 (g, "max", m->max, true);
  ku64 (g, "failcnt", m->failcnt, false);
  yajl_gen_map_close (g);
}

static void
json_memory (yajl_gen g, const struct nr_cgroup_stats *s)
{
  nr_jgen_key (g, "memory");
  yajl_gen_map_open (g);
  ku64 (g, "cache", s->memory.cache, true);
  json_mem_entry (g, "usage", &s->memory.usage);
  json_mem_entry (g, "swap", &s->memory.swap);
  json_mem_entry (g, "kernel", &s->memory.kernel);
  json_mem_entry (g, "kernelTCP", &s->memory.kernel_tcp);
  if (s->memory.n_raw)
    {
      nr_jgen_key (g, "raw");
      yajl_gen_map_open (g);
      for (size_t i = 0; i < s->memory.n_raw; i++)
        ku64 (g, s->memory.raw_keys[i], s->memory.raw_values[i], false);
      yajl_gen_map_close (g);
    }
  yajl_gen_map_close (g);
}

static void
json_blkio (yajl_gen g, const struct nr_cgroup_stats *s)
{
  static const char *const names[NR_BLKIO_KINDS] = {
    "ioServiceBytesRecursive", "ioServicedRecursive", "ioQueueRecursive", "ioServiceTimeRecursive",
    "ioWaitTimeRecursive",     "ioMergedRecursive",   "ioTimeRecursive",  "sectorsRecursive",
  };
  nr_jgen_key (g, "blkio");
  yajl_gen_map_open (g);
  for (int k = 0; k < NR_BLKIO_KINDS; k++)
    {
      if (s->blkio[k].n == 0)
        continue;
      nr_jgen_key (g, names[k]);
      yajl_gen_array_open (g);
      for (size_t i = 0; i < s->blkio[k].n; i++)
        {
          const struct nr_cgroup_blkio_entry *e = &s->blkio[k].v[i];
          yajl_gen_map_open (g);
          ku64 (g, "major", e->major, true);
          ku64 (g, "minor", e->minor, true);
          if (e->op[0])
            nr_jgen_kstr (g, "op", e->op);
          ku64 (g, "value", e->value, true);
          yajl_gen_map_close (g);
        }
      yajl_gen_array_close (g);
    }
  yajl_gen_map_close (g);
}

static void
json_hugetlb (yajl_gen g, const struct nr_cgroup_stats *s)
{
  nr_jgen_key (g, "hugetlb");
  yajl_gen_map_open (g);
  for (size_t i = 0; i < s->n_hugetlb; i++)
    {
      nr_jgen_key (g, s->hugetlb[i].page_size ? s->hugetlb[i].page_size : "");
      yajl_gen_map_open (g);
      ku64 (g, "usage", s->hugetlb[i].usage, true);
      ku64 (g, "max", s->hugetlb[i].max, true);
      ku64 (g, "failcnt", s->hugetlb[i].failcnt, false);
      yajl_gen_map_close (g);
    }
  yajl_gen_map_close (g);
}

char *
nr_cgroup_stats_json (const struct nr_cgroup_stats *s)
{
  yajl_gen g = nr_jgen_new (false);
  if (g == NULL)
    return NULL;
  yajl_gen_map_open (g);
  json_cpu (g, s);
  json_cpuset (g, s);
  json_memory (g, s);
  nr_jgen_key (g, "pids");
  yajl_gen_map_open (g);
  ku64 (g, "current", s->pids.current, true);
  ku64 (g, "limit", s->pids.limit, true);
  yajl_gen_map_close (g);
  json_blkio (g, s);
  json_hugetlb (g, s);
  nr_jgen_key (g, "intel_rdt");
  yajl_gen_map_open (g);
  yajl_gen_map_close (g);
  nr_jgen_key (g, "network_interfaces");
  yajl_gen_null (g);
  yajl_gen_map_close (g);
  return nr_jgen_finish (g, NULL);
}
