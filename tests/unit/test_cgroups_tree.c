/* SPDX-License-Identifier: Apache-2.0 */
/* The cgroup backends against fake trees (no root needed): a cgroup2 root, a v1
   layout and this machine's hybrid one are built in a temporary directory, the seam
   fills every new directory with the files the kernel would show, and records each
   write so the tests can check exactly which file got which value, in which order. */
#include "config.h"
#include "runtime/cgroups/internal.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/log.h"
#include "tests/unit/tap.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

enum layout { V2, V1, HYBRID, NONE };

static char tmp[64], root[128];
static char trace[1 << 16];
static enum layout layout;
static bool no_memory;    /* v2: the memory controller is not offered */
static bool no_pids_procs; /* v1: pids directories lack cgroup.procs (join fails) */
static int bpf_calls, bpf_errno;
static size_t bpf_len;

static const char *const v1_hier[][2] = {
  { "cpu", "cpu" },         { "cpuacct", "cpuacct" }, { "cpuset", "cpuset" },   { "memory", "memory" },
  { "devices", "devices" }, { "freezer", "freezer" }, { "blkio", "blkio" },     { "pids", "pids" },
  { "hugetlb", "hugetlb" }, { "net_cls", "net_cls" }, { "systemd", "name=systemd" },
};

static void
put (const char *dir, const char *file, const char *content)
{
  char *p = nr_cg_join (dir, file);
  FILE *f = fopen (p, "w");
  if (f == NULL)
    bail_out ("create %s: %s", p, strerror (errno));
  fputs (content, f);
  fclose (f);
  free (p);
}

static char *
get (const char *rel)
{
  char *p = nr_cg_join (root, rel), *out = NULL;
  nr_error_t err = NULL;
  if (nr_read_file (p, 1 << 20, &out, NULL, &err) < 0)
    nr_error_free (&err);
  free (p);
  return out;
}

static bool
exists (const char *rel)
{
  char *p = nr_cg_join (root, rel);
  bool r = access (p, F_OK) == 0;
  free (p);
  return r;
}

static void
on_write (const char *path, const char *value)
{
  size_t rl = strlen (root);
  const char *rel = strncmp (path, root, rl) == 0 ? path + rl + 1 : path;
  snprintf (trace + strlen (trace), sizeof trace - strlen (trace), "%s=%s\n", rel, value);
}

static int
fake_bpf (int dirfd, const struct bpf_insn *insns, size_t n, nr_error_t *err)
{
  bpf_calls++;
  bpf_len = n;
  if (bpf_errno)
    return nr_error (err, bpf_errno, "bpf(BPF_PROG_ATTACH)");
  return 0;
}

static void
fill_v2 (const char *d, bool is_root)
{
  put (d, "cgroup.controllers", no_memory ? "cpuset cpu io hugetlb pids\n" : "cpuset cpu io memory hugetlb pids\n");
  put (d, "cgroup.subtree_control", "");
  put (d, "cgroup.procs", "");
  if (is_root)
    return;
  put (d, "cgroup.events", "populated 0\nfrozen 0\n");
  put (d, "cgroup.freeze", "0\n");
  put (d, "cgroup.kill", "");
  if (!no_memory)
    {
      put (d, "memory.max", "max\n");
      put (d, "memory.swap.max", "max\n");
      put (d, "memory.low", "0\n");
      put (d, "memory.high", "max\n");
      put (d, "memory.current", "0\n");
    }
  static const char *const files[] = { "cpu.weight", "cpu.max", "cpu.max.burst", "cpuset.cpus", "cpuset.mems",
                                       "pids.max", "io.weight", "io.max", "hugetlb.2MB.max", "hugetlb.2MB.rsvd.max" };
  for (size_t i = 0; i < NR_ARRAY_SIZE (files); i++)
    put (d, files[i], "");
}

static void
fill_v1 (const char *d, const char *h, bool is_root)
{
  if (!(no_pids_procs && strcmp (h, "pids") == 0 && !is_root))
    put (d, "cgroup.procs", "");
  if (strcmp (h, "cpuset") == 0)
    {
      put (d, "cpuset.cpus", is_root ? "0-3\n" : "\n");
      put (d, "cpuset.mems", is_root ? "0\n" : "\n");
    }
  if (strcmp (h, "devices") == 0)
    {
      put (d, "devices.list", "a *:* rwm\n");
      put (d, "devices.allow", "");
      put (d, "devices.deny", "");
    }
  if (is_root)
    return;
  static const char *const files[][2] = {
    { "memory", "memory.limit_in_bytes" },     { "memory", "memory.memsw.limit_in_bytes" },
    { "memory", "memory.soft_limit_in_bytes" }, { "memory", "memory.oom_control" },
    { "memory", "memory.swappiness" },          { "cpu", "cpu.shares" },
    { "cpu", "cpu.cfs_period_us" },             { "cpu", "cpu.cfs_quota_us" },
    { "cpu", "cpu.rt_period_us" },              { "cpu", "cpu.rt_runtime_us" },
    { "freezer", "freezer.state" },             { "blkio", "blkio.bfq.weight" },
    { "blkio", "blkio.bfq.weight_device" },     { "blkio", "blkio.throttle.read_bps_device" },
    { "blkio", "blkio.throttle.write_iops_device" }, { "pids", "pids.max" },
    { "hugetlb", "hugetlb.2MB.limit_in_bytes" }, { "net_cls", "net_cls.classid" },
  };
  for (size_t i = 0; i < NR_ARRAY_SIZE (files); i++)
    if (strcmp (h, files[i][0]) == 0)
      put (d, files[i][1], "");
  if (strcmp (h, "memory") == 0)
    put (d, "memory.limit_in_bytes", "9223372036854771712\n");
  if (strcmp (h, "freezer") == 0)
    put (d, "freezer.state", "THAWED\n");
}

/* the seam's on_mkdir: what the kernel would put in a new cgroup */
static void
populate (const char *path)
{
  const char *rel = path + strlen (root) + 1;
  if (layout == V2)
    {
      fill_v2 (path, false);
      return;
    }
  size_t n = strcspn (rel, "/");
  if (strncmp (rel, "unified", n) == 0 && n == 7)
    fill_v2 (path, false);
  for (size_t i = 0; i < NR_ARRAY_SIZE (v1_hier); i++)
    if (strlen (v1_hier[i][0]) == n && strncmp (rel, v1_hier[i][0], n) == 0)
      fill_v1 (path, v1_hier[i][0], false);
}

static void
write_text (const char *name, const char *text)
{
  put (tmp, name, text);
}

static void
setup (enum layout l, const char *self_cgroup)
{
  nr_error_t err = NULL;
  char mi[8192] = "";
  if (tmp[0])
    nr_rm_rf (tmp, &err);
  nr_error_free (&err);
  snprintf (tmp, sizeof tmp, "/tmp/nr-cgt-XXXXXX");
  if (mkdtemp (tmp) == NULL)
    bail_out ("mkdtemp: %s", strerror (errno));
  snprintf (root, sizeof root, "%s/cg", tmp);
  mkdir (root, 0755);
  layout = l;
  trace[0] = '\0';
  bpf_calls = 0;
  bpf_errno = 0;
  if (l == V2)
    {
      snprintf (mi, sizeof mi, "1 0 0:1 / %s rw - cgroup2 cgroup2 rw\n", root);
      fill_v2 (root, true);
    }
  else if (l != NONE)
    {
      snprintf (mi, sizeof mi, "1 0 0:1 / %s rw - tmpfs tmpfs rw\n", root);
      for (size_t i = 0; i < NR_ARRAY_SIZE (v1_hier); i++)
        {
          char *d = nr_cg_join (root, v1_hier[i][0]);
          mkdir (d, 0755);
          fill_v1 (d, v1_hier[i][0], true);
          snprintf (mi + strlen (mi), sizeof mi - strlen (mi), "%zu 1 0:%zu / %s rw - cgroup cgroup rw,%s\n", i + 2,
                    i + 2, d, v1_hier[i][1]);
          free (d);
        }
      if (l == HYBRID)
        {
          char *d = nr_cg_join (root, "unified");
          mkdir (d, 0755);
          fill_v2 (d, true);
          put (d, "cgroup.controllers", "");
          snprintf (mi + strlen (mi), sizeof mi - strlen (mi), "99 1 0:99 / %s rw - cgroup2 cgroup2 rw\n", d);
          free (d);
        }
    }
  write_text ("mountinfo", mi);
  write_text ("self_cgroup", self_cgroup ? self_cgroup : "0::/\n");
  static char mi_path[128], self_path[128];
  snprintf (mi_path, sizeof mi_path, "%s/mountinfo", tmp);
  snprintf (self_path, sizeof self_path, "%s/self_cgroup", tmp);
  nr_cg_seam.mountinfo = mi_path;
  nr_cg_seam.self_cgroup = self_path;
  nr_cg_seam.on_mkdir = populate;
  nr_cg_seam.on_write = on_write;
  nr_cg_seam.bpf_install = fake_bpf;
  nr_cg_seam.fake_fs = true;
  nr_cg_seam.poll_ms = 100;
}

/* A full set of resources, as a docker run with many flags would give. */
static struct oci_throttle_device rbps[] = { { 8, 0, 1048576 } }, wiops[] = { { 8, 0, 100 } };
static struct oci_weight_device wdev[] = { { 8, 0, true, false, 300, 0 } };
static struct oci_hugepage_limit huge[] = { { (char *) "2MB", 4194304 } };
static struct oci_kv unified_kv[] = { { (char *) "memory.high", (char *) "max" } };
static struct oci_device_cgroup devs[] = { { false, 'a', -1, -1, (char *) "rwm" } };

static void
full_resources (struct oci_resources *r, bool v2)
{
  memset (r, 0, sizeof *r);
  r->devices = devs;
  r->n_devices = 1;
  r->has_mem_limit = true, r->mem_limit = 104857600;
  r->has_mem_swap = true, r->mem_swap = 209715200;
  r->has_mem_reservation = true, r->mem_reservation = 52428800;
  r->has_cpu_shares = true, r->cpu_shares = 1024;
  r->has_cpu_quota = true, r->cpu_quota = 50000;
  r->has_cpu_period = true, r->cpu_period = 100000;
  r->cpu_cpus = (char *) "0-1";
  r->cpu_mems = (char *) "0";
  r->has_pids_limit = true, r->pids_limit = -1;
  r->has_blkio_weight = true, r->blkio_weight = 500;
  r->blkio_throttle[OCI_THROTTLE_READ_BPS] = rbps;
  r->n_blkio_throttle[OCI_THROTTLE_READ_BPS] = 1;
  r->blkio_throttle[OCI_THROTTLE_WRITE_IOPS] = wiops;
  r->n_blkio_throttle[OCI_THROTTLE_WRITE_IOPS] = 1;
  r->hugepage_limits = huge;
  r->n_hugepage_limits = 1;
  if (v2)
    {
      r->unified = unified_kv;
      r->n_unified = 1;
      return;
    }
  r->blkio_weight_devices = wdev;
  r->n_blkio_weight_devices = 1;
  r->has_mem_swappiness = true, r->mem_swappiness = 10;
  r->has_mem_disable_oom_killer = true, r->mem_disable_oom_killer = true;
  r->has_mem_kernel = true, r->mem_kernel = 1 << 20;
  r->has_net_class_id = true, r->net_class_id = 0x100001;
}

static const char v2_expected[]
    = "cgroup.subtree_control=+cpuset +cpu +io +memory +hugetlb +pids\n"
      "nestrun/cgroup.subtree_control=+cpuset +cpu +io +memory +hugetlb +pids\n"
      "nestrun/t1/pids.max=max\n"
      "nestrun/t1/memory.swap.max=104857600\n"
      "nestrun/t1/memory.max=104857600\n"
      "nestrun/t1/memory.low=52428800\n"
      "nestrun/t1/io.weight=4950\n"
      "nestrun/t1/io.max=8:0 rbps=1048576\n"
      "nestrun/t1/io.max=8:0 wiops=100\n"
      "nestrun/t1/cpu.weight=39\n"
      "nestrun/t1/cpu.max=50000 100000\n"
      "nestrun/t1/cpuset.cpus=0-1\n"
      "nestrun/t1/cpuset.mems=0\n"
      "nestrun/t1/hugetlb.2MB.max=4194304\n"
      "nestrun/t1/hugetlb.2MB.rsvd.max=4194304\n"
      "nestrun/t1/memory.high=max\n"
      "nestrun/t1/cgroup.procs=4242\n";

static void
test_v2 (void)
{
  struct oci_resources r;
  struct nr_cgroup_config cfg = { .cgroups_path = "/nestrun/t1", .id = "t1", .resources = &r };
  struct nr_cgroup *cg = NULL;
  nr_error_t err = NULL;
  enum nr_cgroup_mode mode;

  setup (V2, NULL);
  full_resources (&r, true);
  ok (nr_cgroup_detect (root, &mode, &err) == 0 && mode == NR_CGROUP_V2, "fake v2 tree detected as v2");
  if (!ok (nr_cgroup_create (root, &cfg, 4242, &cg, &err) == 0, "create on v2"))
    diag ("%s", err->msg);
  is_str (trace, v2_expected, "v2: controllers enabled down the path, then every file and value, then the pid");
  is_int (bpf_calls, 1, "v2: one device program installed");
  ok (bpf_len > 6, "with rule blocks");
  is_int (nr_cgroup_count (cg), 1, "one directory");
  char *p = nr_cg_join (root, "nestrun/t1");
  is_str (nr_cgroup_path (cg, ""), p, "the unified path");
  free (p);

  /* update: period alone, quota alone, devices replaced */
  struct oci_resources u = { .has_cpu_period = true, .cpu_period = 100000 };
  trace[0] = '\0';
  ok (nr_cgroup_update (cg, &u, &err) == 0, "update the period alone");
  is_str (trace, "nestrun/t1/cpu.max=max 100000\n", "cpu.max \"max 100000\"");
  u = (struct oci_resources){ .has_cpu_quota = true, .cpu_quota = 50000, .devices = devs, .n_devices = 1 };
  trace[0] = '\0';
  ok (nr_cgroup_update (cg, &u, &err) == 0, "update the quota alone, with device rules");
  is_str (trace, "nestrun/t1/cpu.max=50000\n", "cpu.max \"50000\" (the period stays)");
  is_int (bpf_calls, 2, "device rules in an update install a new program");
  u = (struct oci_resources){ .has_mem_limit = true, .mem_limit = 100, .has_mem_swap = true, .mem_swap = 50 };
  ok (nr_cgroup_update (cg, &u, &err) < 0, "swap below memory refused");
  like (err ? err->msg : NULL, "update resources: memory+swap limit", "error names the problem");
  nr_error_free (&err);

  /* freeze: the fake kernel reports frozen at once */
  bool frozen = true;
  put (nr_cgroup_path (cg, ""), "cgroup.events", "populated 1\nfrozen 1\n");
  ok (nr_cgroup_freeze (cg, true, &err) == 0, "freeze waits for cgroup.events frozen 1");
  ok (nr_cgroup_state_frozen (cg, &frozen, &err) == 0 && frozen, "cgroup.freeze 1: frozen");
  ok (nr_cgroup_freeze (cg, false, &err) < 0, "thaw times out while cgroup.events says frozen");
  like (err ? err->msg : NULL, "not thawed", "and says so");
  nr_error_free (&err);
  put (nr_cgroup_path (cg, ""), "cgroup.events", "populated 1\nfrozen 0\n");
  ok (nr_cgroup_freeze (cg, false, &err) == 0, "thaw");
  ok (nr_cgroup_state_frozen (cg, &frozen, &err) == 0 && !frozen, "not frozen");

  /* pids, recursively; kill by cgroup.kill */
  char *sub = nr_cg_join (nr_cgroup_path (cg, ""), "sub");
  mkdir (sub, 0755);
  put (sub, "cgroup.procs", "30\n");
  put (nr_cgroup_path (cg, ""), "cgroup.procs", "10\n20\n");
  pid_t *pids = NULL;
  size_t n = 0;
  ok (nr_cgroup_pids (cg, &pids, &n, &err) == 0 && n == 3 && pids[0] == 10 && pids[1] == 20 && pids[2] == 30,
      "pids from the cgroup and its sub-cgroups");
  free (pids);
  trace[0] = '\0';
  ok (nr_cgroup_kill_all (cg, SIGKILL, &err) == 0, "kill all with SIGKILL");
  is_str (trace, "nestrun/t1/cgroup.kill=1\n", "by cgroup.kill");

  /* exec into a sub-cgroup */
  trace[0] = '\0';
  ok (nr_cgroup_enter (cg, 77, (const char *[]){ "sub", NULL }, 0, &err) == 0, "enter a sub-cgroup");
  is_str (trace, "nestrun/t1/sub/cgroup.procs=77\n", "pid written to the sub-cgroup");
  ok (nr_cgroup_enter (cg, 77, (const char *[]){ "nope", NULL }, 0, &err) < 0, "a missing sub-cgroup is an error");
  like (err ? err->msg : NULL, "nope/cgroup.procs", "naming it");
  nr_error_free (&err);
  trace[0] = '\0';
  ok (nr_cgroup_enter (cg, 77, (const char *[]){ "pids:sub", NULL }, 0, &err) < 0, "v2: controller:path is refused");
  like (err ? err->msg : NULL, "\"pids:sub\": cgroup v2 has one hierarchy", "saying why");
  is_str (trace, "", "before the pid moves");
  nr_error_free (&err);

  /* destroy: the sub-cgroup, the leaf, and the parent create made; the root stays */
  ok (nr_cgroup_destroy (cg, &err) == 0, "destroy");
  ok (!exists ("nestrun") && exists ("cgroup.procs"), "nestrun/t1, its sub-cgroup and nestrun are gone");
  ok (nr_cgroup_destroy (cg, &err) == 0, "destroy twice is fine");
  nr_cgroup_free (cg);
  free (sub);
}

static void
test_v2_errors (void)
{
  struct oci_resources r = { .has_mem_limit = true, .mem_limit = 1 << 20 };
  struct nr_cgroup_config cfg = { .cgroups_path = "/nestrun/t2", .id = "t2", .resources = &r };
  struct nr_cgroup *cg = NULL;
  nr_error_t err = NULL;

  no_memory = true;
  setup (V2, NULL);
  ok (nr_cgroup_create (root, &cfg, 0, &cg, &err) < 0, "v2 memory limit without the memory controller fails");
  like (err ? err->msg : NULL, "the \"memory\" controller is not available", "and says why");
  like (err ? err->msg : NULL, "create cgroup \"/nestrun/t2\"", "naming the cgroup");
  ok (!exists ("nestrun"), "nothing is left behind");
  nr_error_free (&err);
  no_memory = false;

  setup (V2, NULL);
  bpf_errno = EPERM;
  r = (struct oci_resources){ .devices = devs, .n_devices = 1 };
  ok (nr_cgroup_create (root, &cfg, 0, &cg, &err) < 0, "v2: a device program that cannot load is fatal");
  like (err ? err->msg : NULL, "device rules for", "and named");
  nr_error_free (&err);
  ok (!exists ("nestrun"), "nothing is left behind");

  /* a failed create leaves an existing cgroup (and what is in it) alone */
  setup (V2, NULL);
  char *pre = nr_cg_join (root, "existing");
  mkdir (pre, 0755);
  fill_v2 (pre, false);
  free (pre);
  struct oci_kv bad_kv[] = { { (char *) "../memory.max", (char *) "1" } };
  r = (struct oci_resources){ .unified = bad_kv, .n_unified = 1 };
  cfg.cgroups_path = "/existing";
  ok (nr_cgroup_create (root, &cfg, 0, &cg, &err) < 0, "a unified key with a slash is refused");
  like (err ? err->msg : NULL, "must be a file name", "with runc's reason");
  nr_error_free (&err);
  ok (exists ("existing/cgroup.procs"), "the cgroup that was there before is still there");

  /* relative path on v2: under our cgroup's parent */
  setup (V2, "0::/user.slice/session-1.scope\n");
  char *d = nr_cg_join (root, "user.slice");
  mkdir (d, 0755);
  fill_v2 (d, false);
  free (d);
  cfg = (struct nr_cgroup_config){ .id = "ctr" };
  ok (nr_cgroup_create (root, &cfg, 0, &cg, &err) == 0, "no cgroupsPath on v2");
  ok (exists ("user.slice/ctr/cgroup.procs"), "the id, under the parent of our cgroup");
  ok (nr_cgroup_destroy (cg, &err) == 0 && !exists ("user.slice/ctr") && exists ("user.slice"),
      "destroy keeps the parent it did not make");
  nr_cgroup_free (cg);
}

static const char v1_res_expected[]
    = "cpuset/nestrun/cpuset.cpus=0-3\n"
      "cpuset/nestrun/cpuset.mems=0\n"
      "cpuset/nestrun/t1/cpuset.cpus=0-3\n"
      "cpuset/nestrun/t1/cpuset.mems=0\n"
      "cpuset/nestrun/t1/cpuset.cpus=0-1\n"
      "cpuset/nestrun/t1/cpuset.mems=0\n"
      "memory/nestrun/t1/memory.limit_in_bytes=104857600\n"
      "memory/nestrun/t1/memory.memsw.limit_in_bytes=209715200\n"
      "memory/nestrun/t1/memory.soft_limit_in_bytes=52428800\n"
      "memory/nestrun/t1/memory.oom_control=1\n"
      "memory/nestrun/t1/memory.swappiness=10\n"
      "cpu/nestrun/t1/cpu.shares=1024\n"
      "cpu/nestrun/t1/cpu.cfs_period_us=100000\n"
      "cpu/nestrun/t1/cpu.cfs_quota_us=50000\n"
      "pids/nestrun/t1/pids.max=max\n"
      "blkio/nestrun/t1/blkio.bfq.weight=500\n"
      "blkio/nestrun/t1/blkio.bfq.weight_device=8:0 300\n"
      "blkio/nestrun/t1/blkio.throttle.read_bps_device=8:0 1048576\n"
      "blkio/nestrun/t1/blkio.throttle.write_iops_device=8:0 100\n"
      "hugetlb/nestrun/t1/hugetlb.2MB.limit_in_bytes=4194304\n"
      "net_cls/nestrun/t1/net_cls.classid=1048577\n"
      "devices/nestrun/t1/devices.deny=a *:* rwm\n"
      "devices/nestrun/t1/devices.allow=b *:* m\n"
      "devices/nestrun/t1/devices.allow=c *:* m\n"
      "devices/nestrun/t1/devices.allow=c 1:3 rwm\n"
      "devices/nestrun/t1/devices.allow=c 1:5 rwm\n"
      "devices/nestrun/t1/devices.allow=c 1:7 rwm\n"
      "devices/nestrun/t1/devices.allow=c 1:8 rwm\n"
      "devices/nestrun/t1/devices.allow=c 1:9 rwm\n"
      "devices/nestrun/t1/devices.allow=c 5:0 rwm\n"
      "devices/nestrun/t1/devices.allow=c 5:2 rwm\n"
      "devices/nestrun/t1/devices.allow=c 10:200 rwm\n"
      "devices/nestrun/t1/devices.allow=c 136:* rwm\n";

static char *
joins (const char *prefix, const char *suffix)
{
  static char buf[4096];
  buf[0] = '\0';
  for (size_t i = 0; i < NR_ARRAY_SIZE (v1_hier); i++)
    snprintf (buf + strlen (buf), sizeof buf - strlen (buf), "%s/%s%s\n", v1_hier[i][0], prefix, suffix);
  return buf;
}

static void
test_v1 (void)
{
  struct oci_resources r;
  struct nr_cgroup_config cfg = { .cgroups_path = "/nestrun/t1", .id = "t1", .resources = &r };
  struct nr_cgroup *cg = NULL;
  nr_error_t err = NULL;
  char want[8192];

  setup (V1, NULL);
  full_resources (&r, false);
  if (!ok (nr_cgroup_create (root, &cfg, 4242, &cg, &err) == 0, "create on v1"))
    diag ("%s", err->msg);
  snprintf (want, sizeof want, "%s%s", v1_res_expected, joins ("nestrun/t1/cgroup.procs", "=4242"));
  is_str (trace, want, "v1: cpuset seeded from the root, every limit, deny-all then the allow list, then the pid");
  is_int (bpf_calls, 0, "v1: no device program");
  is_int (nr_cgroup_count (cg), NR_ARRAY_SIZE (v1_hier), "a directory per hierarchy");
  is_str (nr_cgroup_path (cg, "name=systemd") + strlen (root), "/systemd/nestrun/t1", "name=systemd joined too");

  /* update memory below what is set: swap first when it grows past the current limit */
  put (nr_cgroup_path (cg, "memory"), "memory.limit_in_bytes", "104857600\n");
  struct oci_resources u
      = { .has_mem_limit = true, .mem_limit = 209715200, .has_mem_swap = true, .mem_swap = 419430400 };
  trace[0] = '\0';
  ok (nr_cgroup_update (cg, &u, &err) == 0, "update memory and swap upwards");
  is_str (trace,
          "memory/nestrun/t1/memory.memsw.limit_in_bytes=419430400\n"
          "memory/nestrun/t1/memory.limit_in_bytes=209715200\n",
          "memsw first, so memory+swap never drops below memory");
  u = (struct oci_resources){ .has_mem_limit = true, .mem_limit = -1 };
  trace[0] = '\0';
  ok (nr_cgroup_update (cg, &u, &err) == 0, "update memory to unlimited");
  is_str (trace,
          "memory/nestrun/t1/memory.memsw.limit_in_bytes=-1\n"
          "memory/nestrun/t1/memory.limit_in_bytes=-1\n",
          "swap follows to unlimited");

  /* freezer */
  bool frozen = false;
  trace[0] = '\0';
  ok (nr_cgroup_freeze (cg, true, &err) == 0 && nr_cgroup_state_frozen (cg, &frozen, &err) == 0 && frozen,
      "freeze through freezer.state");
  ok (nr_cgroup_freeze (cg, false, &err) == 0 && nr_cgroup_state_frozen (cg, &frozen, &err) == 0 && !frozen, "thaw");
  is_str (trace, "freezer/nestrun/t1/freezer.state=FROZEN\nfreezer/nestrun/t1/freezer.state=THAWED\n",
          "FROZEN then THAWED");

  /* kill all: real children, listed in the fake freezer cgroup */
  pid_t kids[2];
  for (int i = 0; i < 2; i++)
    if ((kids[i] = fork ()) == 0)
      {
        pause ();
        _exit (0);
      }
  char procs[64];
  snprintf (procs, sizeof procs, "%d\n%d\n", (int) kids[0], (int) kids[1]);
  put (nr_cgroup_path (cg, "freezer"), "cgroup.procs", procs);
  trace[0] = '\0';
  ok (nr_cgroup_kill_all (cg, SIGKILL, &err) == 0, "kill all on v1");
  is_str (trace, "freezer/nestrun/t1/freezer.state=FROZEN\nfreezer/nestrun/t1/freezer.state=THAWED\n",
          "freeze, signal, thaw");
  int st0 = 0, st1 = 0;
  waitpid (kids[0], &st0, 0);
  waitpid (kids[1], &st1, 0);
  ok (WIFSIGNALED (st0) && WTERMSIG (st0) == SIGKILL && WIFSIGNALED (st1) && WTERMSIG (st1) == SIGKILL,
      "every listed process got SIGKILL");

  /* a paused container stays paused for other signals */
  if ((kids[0] = fork ()) == 0)
    {
      pause ();
      _exit (0);
    }
  snprintf (procs, sizeof procs, "%d\n", (int) kids[0]);
  put (nr_cgroup_path (cg, "freezer"), "cgroup.procs", procs);
  put (nr_cgroup_path (cg, "freezer"), "freezer.state", "FROZEN\n");
  trace[0] = '\0';
  ok (nr_cgroup_kill_all (cg, SIGTERM, &err) == 0, "SIGTERM to a paused container");
  is_str (trace, "", "no freeze or thaw");
  waitpid (kids[0], &st0, 0);
  ok (WIFSIGNALED (st0) && WTERMSIG (st0) == SIGTERM, "the process got SIGTERM");

  /* exec with "memory:sub": only the memory hierarchy goes to the sub-cgroup */
  char *sub = nr_cg_join (nr_cgroup_path (cg, "memory"), "sub");
  mkdir (sub, 0755);
  put (sub, "cgroup.procs", "");
  free (sub);
  trace[0] = '\0';
  ok (nr_cgroup_enter (cg, 99, (const char *[]){ "memory:sub", NULL }, 0, &err) == 0, "enter with memory:sub");
  like (trace, "memory/nestrun/t1/sub/cgroup.procs=99\n", "memory: the sub-cgroup");
  like (trace, "cpu/nestrun/t1/cgroup.procs=99\n", "others: the container's cgroup");
  sub = nr_cg_join (nr_cgroup_path (cg, "pids"), "other");
  mkdir (sub, 0755);
  put (sub, "cgroup.procs", "");
  free (sub);
  trace[0] = '\0';
  if (!ok (nr_cgroup_enter (cg, 99, (const char *[]){ "memory:sub", "pids:other", NULL }, 0, &err) == 0,
           "one --cgroup per controller"))
    nr_error_free (&err);
  like (trace, "memory/nestrun/t1/sub/cgroup.procs=99\n", "memory: its sub-cgroup");
  like (trace, "pids/nestrun/t1/other/cgroup.procs=99\n", "pids: its own");
  like (trace, "cpu/nestrun/t1/cgroup.procs=99\n", "others: the container's cgroup");
  static const struct
  {
    const char *subs[3], *msg;
  } bad[] = {
    { { "memory:sub", "sub", NULL }, "\"sub\": missing <controller>: prefix" },
    { { "nosuch:sub", NULL }, "\"nosuch:sub\": unknown controller \"nosuch\"" },
    { { "memory,:sub", NULL }, "\"memory,:sub\": empty controller" },
    { { ":sub", NULL }, "\":sub\": empty controller" },
    { { "memory:sub", "pids,memory:other", NULL }, "\"memory:sub\" and \"pids,memory:other\": both name the memory hierarchy" },
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      trace[0] = '\0';
      ok (nr_cgroup_enter (cg, 99, bad[i].subs, 0, &err) < 0, "--cgroup %s ... is refused", bad[i].subs[0]);
      like (err ? err->msg : NULL, bad[i].msg, "  naming what is wrong");
      is_str (trace, "", "  before the pid moves");
      nr_error_free (&err);
    }

  char *s = nr_cgroup_serialize (cg);
  struct nr_cgroup *back = NULL;
  ok (nr_cgroup_load (s, &back, &err) == 0 && nr_cgroup_count (back) == nr_cgroup_count (cg), "state round trip");
  free (s);
  ok (nr_cgroup_destroy (back, &err) == 0, "destroy from the loaded state");
  bool gone = true;
  for (size_t i = 0; i < NR_ARRAY_SIZE (v1_hier); i++)
    {
      char rel[64];
      snprintf (rel, sizeof rel, "%s/nestrun", v1_hier[i][0]);
      gone &= !exists (rel);
    }
  ok (gone, "nestrun removed from every hierarchy");
  nr_cgroup_free (back);
  nr_cgroup_free (cg);
}

static void
test_v1_errors (void)
{
  struct oci_resources r = { .unified = unified_kv, .n_unified = 1 };
  struct nr_cgroup_config cfg = { .cgroups_path = "/nestrun/t3", .id = "t3", .resources = &r };
  struct nr_cgroup *cg = NULL;
  nr_error_t err = NULL;

  setup (V1, NULL);
  ok (nr_cgroup_create (root, &cfg, 0, &cg, &err) < 0, "unified on v1 fails");
  like (err ? err->msg : NULL, "unified resource \"memory.high\"", "naming the key");
  nr_error_free (&err);
  ok (!exists ("memory/nestrun") && !exists ("cpu/nestrun"), "nothing is left behind");

  /* joining fails in one hierarchy: the pid goes back to our own cgroups */
  no_pids_procs = true;
  setup (V1, NULL);
  r = (struct oci_resources){ 0 };
  ok (nr_cgroup_create (root, &cfg, 4242, &cg, &err) < 0, "a failing join fails create");
  like (err ? err->msg : NULL, "pids/nestrun/t3/cgroup.procs", "naming the file");
  nr_error_free (&err);
  like (trace, "cpu/cgroup.procs=4242\n", "the pid is moved back where it came from");
  ok (!exists ("memory/nestrun") && !exists ("pids/nestrun"), "and nothing is left behind");
  no_pids_procs = false;

  /* hugetlb asked for, hugetlb not mounted */
  setup (V1, NULL);
  char *mi = get ("../mountinfo");
  char *line = strstr (mi, "hugetlb");
  ok (line != NULL, "fake mountinfo has hugetlb");
  put (tmp, "mountinfo", "");
  for (char *l = strtok (mi, "\n"); l; l = strtok (NULL, "\n"))
    if (!strstr (l, "rw,hugetlb"))
      {
        char *p = nr_cg_join (tmp, "mountinfo");
        FILE *f = fopen (p, "a");
        fprintf (f, "%s\n", l);
        fclose (f);
        free (p);
      }
  free (mi);
  r = (struct oci_resources){ .hugepage_limits = huge, .n_hugepage_limits = 1 };
  ok (nr_cgroup_create (root, &cfg, 0, &cg, &err) < 0, "hugepage limits without the hugetlb hierarchy fail");
  like (err ? err->msg : NULL, "\"hugetlb\" cgroup controller is not mounted", "and say so");
  nr_error_free (&err);
}

static void
test_hybrid (void)
{
  struct oci_resources r = { .has_pids_limit = true, .pids_limit = 100, .devices = devs, .n_devices = 1 };
  struct nr_cgroup_config cfg = { .id = "c1", .resources = &r };
  struct nr_cgroup *cg = NULL;
  nr_error_t err = NULL;
  enum nr_cgroup_mode mode;
  char logpath[128];

  setup (HYBRID, "4:memory:/process_api/x\n3:pids:/\n0::/\n");
  char *d = nr_cg_join (root, "memory/process_api/x");
  nr_mkdir_p (d, 0755, &err);
  fill_v1 (d, "memory", false);
  free (d);
  ok (nr_cgroup_detect (root, &mode, &err) == 0 && mode == NR_CGROUP_HYBRID, "fake hybrid tree detected");
  snprintf (logpath, sizeof logpath, "%s/log", tmp);
  nr_log_open (logpath, "text", false, &err);
  bpf_errno = EPERM;
  if (!ok (nr_cgroup_create (root, &cfg, 4242, &cg, &err) == 0, "hybrid create survives a refused device program"))
    diag ("%s", err->msg);
  nr_log_close ();
  char *log = get ("../log");
  like (log, "device program not attached", "a warning is logged");
  like (log, "v1 devices controller enforces", "saying v1 devices enforces the rules");
  free (log);
  is_int (bpf_calls, 1, "the program was tried on the unified hierarchy");
  like (trace, "pids/c1/pids.max=100\n", "v1 pids limit written (relative path under our own cgroup)");
  like (trace, "devices/c1/devices.deny=a *:* rwm\n", "v1 devices enforce");
  like (trace, "memory/process_api/x/c1/cgroup.procs=4242\n", "memory relative to our memory cgroup");
  like (trace, "unified/c1/cgroup.procs=4242\n", "the pid joins the unified directory too");
  is_int (nr_cgroup_count (cg), NR_ARRAY_SIZE (v1_hier) + 1, "v1 hierarchies plus the unified one");
  ok (nr_cgroup_path (cg, "") && strstr (nr_cgroup_path (cg, ""), "/unified/c1"), "unified path");

  /* freeze uses the v1 freezer, kill SIGKILL uses cgroup.kill in the unified dir */
  trace[0] = '\0';
  ok (nr_cgroup_freeze (cg, true, &err) == 0, "freeze");
  is_str (trace, "freezer/c1/freezer.state=FROZEN\n", "hybrid freezes with the v1 freezer");
  trace[0] = '\0';
  ok (nr_cgroup_kill_all (cg, SIGKILL, &err) == 0, "kill all");
  is_str (trace, "unified/c1/cgroup.kill=1\nfreezer/c1/freezer.state=THAWED\n",
          "hybrid kills through the unified cgroup.kill, then thaws the v1 freezer that holds the killed tasks");
  trace[0] = '\0';
  ok (nr_cgroup_kill_all (cg, SIGKILL, &err) == 0, "kill all, not paused");
  is_str (trace, "unified/c1/cgroup.kill=1\n", "cgroup.kill alone");

  /* stats from v1 files */
  const char *acct = nr_cgroup_path (cg, "cpuacct"), *mem = nr_cgroup_path (cg, "memory");
  put (acct, "cpuacct.usage", "500\n");
  put (acct, "cpuacct.usage_percpu", "200 300 \n");
  put (acct, "cpuacct.usage_all", "cpu user system\n0 150 50\n1 200 100\n");
  put (mem, "memory.usage_in_bytes", "4096\n");
  put (mem, "memory.stat", "cache 100\nrss 200\n");
  put (mem, "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
  put (nr_cgroup_path (cg, "pids"), "pids.current", "3\n");
  put (nr_cgroup_path (cg, "blkio"), "blkio.bfq.io_service_bytes_recursive", "8:0 Read 10\n8:0 Write 20\nTotal 30\n");
  put (nr_cgroup_path (cg, "blkio"), "blkio.bfq.sectors_recursive", "8:0 7\n");
  const char *cpuset = nr_cgroup_path (cg, "cpuset");
  put (cpuset, "cpuset.cpus", "0-2,4\n");
  put (cpuset, "cpuset.mems", "1\n");
  put (cpuset, "cpuset.sched_load_balance", "1\n");
  put (cpuset, "cpuset.sched_relax_domain_level", "-1\n");
  put (cpuset, "cpuset.memory_migrate", "1\n");
  struct nr_cgroup_stats s;
  ok (nr_cgroup_stats (cg, &s, &err) == 0, "v1 stats");
  ok (s.cpuset.n_cpus == 4 && s.cpuset.cpus[2] == 2 && s.cpuset.cpus[3] == 4 && s.cpuset.n_mems == 1
          && s.cpuset.mems[0] == 1,
      "cpuset cpus and mems, ranges expanded");
  ok (s.cpuset.sched_load_balance == 1 && s.cpuset.sched_relax_domain_level == -1 && s.cpuset.memory_migrate == 1
          && s.cpuset.cpu_exclusive == 0,
      "cpuset flags from their files, a signed relax level");
  ok (s.cpu.total == 500 && s.cpu.n_percpu == 2 && s.cpu.percpu[1] == 300, "cpuacct usage and per-cpu");
  ok (s.cpu.n_percpu_user == 2 && s.cpu.percpu_user[1] == 200 && s.cpu.percpu_kernel[0] == 50, "usage_all per cpu");
  ok (s.memory.usage.usage == 4096 && s.memory.cache == 100 && s.memory.n_raw == 2 && s.memory.oom_kill == 2,
      "memory usage, cache, raw, oom kills");
  ok (s.pids.current == 3 && s.pids.limit == 100, "pids current and limit");
  ok (s.blkio[NR_BLKIO_SERVICE_BYTES].n == 2 && strcmp (s.blkio[NR_BLKIO_SERVICE_BYTES].v[1].op, "Write") == 0
          && s.blkio[NR_BLKIO_SECTORS].n == 1 && s.blkio[NR_BLKIO_SECTORS].v[0].value == 7,
      "blkio from BFQ files, Total skipped, sectors without op");
  nr_cgroup_stats_free (&s);

  ok (nr_cgroup_destroy (cg, &err) == 0, "destroy");
  ok (!exists ("unified/c1") && !exists ("memory/process_api/x/c1") && exists ("memory/process_api/x"),
      "every directory made is gone, our own cgroup stays");
  nr_cgroup_free (cg);
}

static void
test_v2_stats (void)
{
  struct nr_cgroup_config cfg = { .cgroups_path = "/s", .id = "s" };
  struct nr_cgroup *cg = NULL;
  nr_error_t err = NULL;
  struct nr_cgroup_stats s;

  setup (V2, NULL);
  ok (nr_cgroup_create (root, &cfg, 0, &cg, &err) == 0, "create for stats");
  const char *d = nr_cgroup_path (cg, "");
  put (d, "cpu.stat", "usage_usec 100\nuser_usec 60\nsystem_usec 40\nnr_periods 5\nnr_throttled 1\nthrottled_usec 7\n");
  put (d, "memory.current", "1000\n");
  put (d, "memory.max", "2000\n");
  put (d, "memory.swap.current", "10\n");
  put (d, "memory.swap.max", "500\n");
  put (d, "memory.stat", "anon 5\nfile 7\n");
  put (d, "memory.events", "low 0\nhigh 0\nmax 2\noom 1\noom_kill 1\n");
  put (d, "pids.current", "3\n");
  put (d, "pids.max", "max\n");
  put (d, "io.stat", "8:0 rbytes=10 wbytes=20 rios=1 wios=2 dbytes=0 dios=0\n");
  put (d, "hugetlb.2MB.current", "0\n");
  put (d, "hugetlb.2MB.events", "max 4\n");
  ok (nr_cgroup_stats (cg, &s, &err) == 0, "v2 stats");
  ok (s.cpu.total == 100000 && s.cpu.user == 60000 && s.cpu.kernel == 40000 && s.cpu.throttled_time == 7000,
      "cpu.stat in nanoseconds");
  ok (s.memory.usage.usage == 1000 && s.memory.usage.limit == 2000 && s.memory.cache == 7, "memory usage, limit, file");
  ok (s.memory.swap.usage == 1010 && s.memory.swap.limit == 2500, "swap reported as memory+swap, as v1");
  ok (s.memory.oom == 1 && s.memory.oom_kill == 1, "memory.events");
  ok (s.pids.current == 3 && s.pids.limit == 0, "pids.max max is limit 0");
  ok (s.blkio[NR_BLKIO_SERVICE_BYTES].n == 3 && s.blkio[NR_BLKIO_SERVICED].n == 3, "io.stat read, write, discard");
  ok (s.n_hugetlb == 1 && strcmp (s.hugetlb[0].page_size, "2MB") == 0 && s.hugetlb[0].failcnt == 4,
      "hugetlb by page size, failcnt from events");
  char *j = nr_cgroup_stats_json (&s);
  like (j, "\"throttling\":{\"periods\":5,\"throttledPeriods\":1,\"throttledTime\":7000}", "throttling JSON");
  free (j);
  nr_cgroup_stats_free (&s);
  nr_cgroup_destroy (cg, &err);
  nr_cgroup_free (cg);
}

static void
test_none (void)
{
  struct oci_resources r = { .has_pids_limit = true, .pids_limit = 10 };
  struct nr_cgroup_config cfg = { .id = "n", .resources = &r };
  struct nr_cgroup *cg = NULL;
  nr_error_t err = NULL;
  bool frozen = true;
  setup (NONE, NULL);
  nr_log_set_fd (open ("/dev/null", O_WRONLY | O_CLOEXEC));
  ok (nr_cgroup_create (root, &cfg, 1, &cg, &err) == 0 && nr_cgroup_count (cg) == 0, "no cgroups: create succeeds");
  nr_log_close ();
  ok (nr_cgroup_get_mode (cg) == NR_CGROUP_NONE, "mode none");
  ok (nr_cgroup_freeze (cg, true, &err) < 0, "pause needs a freezer");
  like (err ? err->msg : NULL, "no freezer", "says so");
  nr_error_free (&err);
  ok (nr_cgroup_state_frozen (cg, &frozen, &err) == 0 && !frozen, "never frozen");
  ok (nr_cgroup_kill_all (cg, SIGKILL, &err) < 0, "kill all needs cgroups");
  nr_error_free (&err);
  ok (nr_cgroup_destroy (cg, &err) == 0, "destroy is a no-op");
  char *s = nr_cgroup_serialize (cg);
  is_str (s, "{\"mode\":\"none\",\"dirs\":[]}", "serialized");
  free (s);
  nr_cgroup_free (cg);
  cfg.resources = NULL;
  ok (nr_cgroup_create (root, &cfg, 1, &cg, &err) == 0 && nr_cgroup_count (cg) == 0,
      "no cgroups and no linux.resources: create succeeds too");
  nr_error_free (&err);
  nr_cgroup_free (cg);
}

/* Wait up to a second for the notifier's fd, then read it. */
static int
oom_next (struct nr_cgroup_oom *o, uint64_t *ooms, bool *gone, nr_error_t *err)
{
  struct pollfd p = { .fd = nr_cgroup_oom_fd (o), .events = POLLIN };
  poll (&p, 1, 1000);
  return nr_cgroup_oom_read (o, ooms, gone, err);
}

static const char mem_events[] = "low 0\nhigh 0\nmax %d\noom %d\noom_kill %d\noom_group_kill 0\n";

static void
put_events (const char *d, int max, int oom, int kills)
{
  char t[128];
  snprintf (t, sizeof t, mem_events, max, oom, kills);
  put (d, "memory.events", t);
}

/* A fresh tree of layout l with cgroup "/o" in it. */
static struct nr_cgroup *
oom_cgroup (enum layout l)
{
  struct nr_cgroup_config cfg = { .cgroups_path = "/o", .id = "o" };
  struct nr_cgroup *cg = NULL;
  nr_error_t err = NULL;
  setup (l, NULL);
  if (!ok (nr_cgroup_create (root, &cfg, 0, &cg, &err) == 0, "%s: create for OOM notifications",
           l == V2 ? "v2" : "hybrid"))
    bail_out ("%s", err ? err->msg : "?");
  return cg;
}

static void
unlink_in (const char *dir, const char *file)
{
  char *p = nr_cg_join (dir, file);
  unlink (p);
  free (p);
}

static void
test_oom_v2 (void)
{
  struct nr_cgroup *cg = oom_cgroup (V2);
  struct nr_cgroup_oom *o = NULL;
  nr_error_t err = NULL;
  uint64_t n = 9;
  bool gone = true;
  const char *d = nr_cgroup_path (cg, "");
  put (d, "cgroup.events", "populated 1\nfrozen 0\n");
  put_events (d, 2, 1, 1); /* a kill before the stream began is not reported */
  if (!ok (nr_cgroup_oom_open (cg, &o, &err) == 0 && nr_cgroup_oom_fd (o) >= 0, "v2: open (inotify)"))
    bail_out ("%s", err ? err->msg : "?");
  ok (nr_cgroup_oom_read (o, &n, &gone, &err) == 0 && n == 0 && !gone, "nothing yet, the older kill not counted");
  put_events (d, 5, 2, 2);
  ok (oom_next (o, &n, &gone, &err) == 0 && n == 1 && !gone, "oom_kill 1 -> 2: one OOM");
  put_events (d, 6, 2, 2);
  ok (oom_next (o, &n, &gone, &err) == 0 && n == 0 && !gone, "memory.events changed, oom_kill did not: none");
  put_events (d, 9, 4, 4);
  ok (oom_next (o, &n, &gone, &err) == 0 && n == 2 && !gone, "oom_kill 2 -> 4: two OOMs");
  put_events (d, 10, 5, 5);
  put (d, "cgroup.events", "populated 0\nfrozen 0\n");
  ok (oom_next (o, &n, &gone, &err) == 0 && n == 1 && gone, "the last kill, then no process left: the end");
  nr_cgroup_oom_free (o);
  o = NULL;

  ok (nr_cgroup_oom_open (cg, &o, &err) == 0 && nr_cgroup_oom_read (o, &n, &gone, &err) == 0 && gone && n == 0,
      "a cgroup already empty ends at the first read");
  nr_cgroup_oom_free (o);
  o = NULL;

  unlink_in (d, "memory.events");
  ok (nr_cgroup_oom_open (cg, &o, &err) < 0 && o == NULL, "no memory.events: an error");
  like (err ? err->msg : NULL, "/o/memory.events\": No such file", "naming the file and the errno");
  like (err ? err->msg : NULL, "OOM notifications for \"", "and what failed");
  nr_error_free (&err);
  nr_cgroup_destroy (cg, &err);
  nr_cgroup_free (cg);
}

static void
test_oom_v1 (void)
{
  struct nr_cgroup *cg = oom_cgroup (HYBRID);
  struct nr_cgroup_oom *o = NULL;
  nr_error_t err = NULL;
  uint64_t n = 9;
  bool gone = true;
  const char *m = nr_cgroup_path (cg, "memory");
  ok (nr_cgroup_oom_open (cg, &o, &err) < 0, "v1: no cgroup.event_control: an error");
  like (err ? err->msg : NULL, "/memory/o/cgroup.event_control\": No such file", "naming the file");
  nr_error_free (&err);
  put (m, "cgroup.event_control", "");
  trace[0] = '\0';
  if (!ok (nr_cgroup_oom_open (cg, &o, &err) == 0, "hybrid: the v1 memory cgroup's eventfd"))
    bail_out ("%s", err ? err->msg : "?");
  char want[96];
  snprintf (want, sizeof want, "memory/o/cgroup.event_control=%d ", nr_cgroup_oom_fd (o));
  ok (strncmp (trace, want, strlen (want)) == 0 && strchr (trace, '\n') == trace + strlen (trace) - 1,
      "registered through cgroup.event_control: \"<eventfd> <memory.oom_control fd>\"");
  ok (nr_cgroup_oom_read (o, &n, &gone, &err) == 0 && n == 0 && !gone, "nothing yet");
  /* the kernel's side, played by the test: 40 signals of one OOM are one wake-up */
  ok (eventfd_write (nr_cgroup_oom_fd (o), 40) == 0 && oom_next (o, &n, &gone, &err) == 0 && n == 1 && !gone,
      "a wake-up is one OOM");
  ok (nr_cgroup_oom_read (o, &n, &gone, &err) == 0 && n == 0 && !gone, "and is read once");
  unlink_in (m, "cgroup.event_control");
  ok (eventfd_write (nr_cgroup_oom_fd (o), 1) == 0 && oom_next (o, &n, &gone, &err) == 0 && n == 0 && gone,
      "signalled after cgroup.event_control is gone: the cgroup was removed, the end");
  nr_cgroup_oom_free (o);
  nr_cgroup_destroy (cg, &err);
  nr_cgroup_free (cg);

  struct nr_cgroup_config cfg = { .id = "o" };
  setup (NONE, NULL);
  nr_log_set_fd (open ("/dev/null", O_WRONLY | O_CLOEXEC));
  ok (nr_cgroup_create (root, &cfg, 1, &cg, &err) == 0, "no cgroups");
  nr_log_close ();
  ok (nr_cgroup_oom_open (cg, &o, &err) < 0 && err && err->status == ENOTSUP, "no memory cgroup: ENOTSUP");
  like (err ? err->msg : NULL, "no memory cgroup", "says so");
  nr_error_free (&err);
  nr_cgroup_free (cg);
}

/* nr_cgroup_config.planned: called before the first mkdir with the levels create is
   about to make; a destroy from that plan removes them; a failing callback fails
   create with nothing made. */
static char *planned_json;
static bool planned_saw_dir;

static int
on_planned (const struct nr_cgroup *cg, void *arg, nr_error_t *err)
{
  free (planned_json);
  planned_json = nr_cgroup_serialize (cg);
  planned_saw_dir = exists ("a/b");
  return arg ? nr_error (err, ENOSPC, "save the plan") : 0;
}

static void
test_planned (void)
{
  struct nr_cgroup_config cfg = { .cgroups_path = "/a/b/c", .id = "p", .planned = on_planned };
  struct nr_cgroup *cg = NULL, *plan = NULL;
  nr_error_t err = NULL;
  setup (V2, NULL);
  char *a = nr_cg_join (root, "a");
  mkdir (a, 0755);
  free (a);
  if (!ok (nr_cgroup_create (root, &cfg, 0, &cg, &err) == 0, "create with a plan callback"))
    diag ("%s", err->msg);
  ok (planned_json && !planned_saw_dir, "called before the first mkdir");
  char want[256];
  snprintf (want, sizeof want, "\"created\":\"%s/a/b\"", root);
  like (planned_json, want, "the plan names a/b, the highest missing level");
  ok (nr_cgroup_load (planned_json, &plan, &err) == 0, "the plan loads as a cgroup handle");
  ok (exists ("a/b/c"), "create made the directories");
  ok (nr_cgroup_destroy (plan, &err) == 0, "a destroy from the plan (a killed create's cleanup)");
  ok (!exists ("a/b") && exists ("a"), "removes what create made, not the level that was there");
  nr_cgroup_free (plan);
  nr_cgroup_free (cg);
  cg = NULL;
  setup (V2, NULL);
  ok (nr_cgroup_create (root, &cfg, 0, &cg, &err) == 0 && exists ("a/b/c"), "again, nothing there before");
  snprintf (want, sizeof want, "\"created\":\"%s/a\"", root);
  like (planned_json, want, "the plan names a");
  nr_cgroup_free (cg);
  cg = NULL;
  setup (V2, NULL);
  cfg.planned_arg = &cfg;
  ok (nr_cgroup_create (root, &cfg, 0, &cg, &err) < 0, "a failing plan callback fails create");
  like (err ? err->msg : NULL, "save the plan", "with its error");
  nr_error_free (&err);
  ok (!exists ("a") && cg == NULL, "nothing was made");
  free (planned_json);
  planned_json = NULL;
}

int
main (void)
{
  test_v2 ();
  test_v2_errors ();
  test_v1 ();
  test_v1_errors ();
  test_hybrid ();
  test_v2_stats ();
  test_none ();
  test_planned ();
  test_oom_v2 ();
  test_oom_v1 ();
  nr_error_t err = NULL;
  if (tmp[0] && nr_rm_rf (tmp, &err) < 0)
    nr_error_free (&err);
  return done_testing ();
}
