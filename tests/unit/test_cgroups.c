/* SPDX-License-Identifier: Apache-2.0 */
/* runtime/cgroups without a cgroup filesystem: mode detection from mountinfo, path
   rules, the v2 conversions, the devices emulator and v1 transitions, the BPF program,
   the state form and the stats JSON.  test_cgroups_tree.c drives the backends. */
#include "config.h"
#include "runtime/cgroups/internal.h"
#include "common/json.h"
#include "tests/unit/tap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- mountinfo ------------------------------------------------------------------- */

static const char mi_hybrid[]
    = "22 1 0:21 / /sys rw,nosuid - sysfs sysfs rw\n"
      "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
      "31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
      "32 30 0:29 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
      "34 30 0:31 / /sys/fs/cgroup/memory rw,relatime shared:9 - cgroup cgroup rw,memory\n"
      "35 30 0:32 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices\n"
      "39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,release_agent=/x,name=systemd\n"
      "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate\n"
      "41 1 0:38 / /mnt/other rw - cgroup cgroup rw,pids\n";

static const char mi_v2[] = "22 1 0:21 / /sys rw - sysfs sysfs rw\n"
                            "27 22 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n";

static const char mi_v1[] = "30 22 0:27 / /sys/fs/cgroup ro - tmpfs tmpfs ro,mode=755\n"
                            "31 30 0:28 /docker/abc /sys/fs/cgroup/cpu,cpuacct ro - cgroup cgroup rw,cpu,cpuacct\n"
                            "35 30 0:32 /docker/abc /sys/fs/cgroup/devices ro - cgroup cgroup rw,devices\n"
                            "36 30 0:33 /docker/abc /sys/fs/cgroup/memory ro - cgroup cgroup rw,memory\n";

/* cgroup2 first, then a tmpfs mounted over it with v1 hierarchies: the later win */
static const char mi_over[] = "27 22 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"
                              "30 27 0:27 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n"
                              "31 30 0:28 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
                              "32 30 0:29 / /sys/fs/cgroup/devices rw - cgroup cgroup rw,devices\n";

static const char mi_escaped[] = "27 22 0:26 / /tmp/my\\040root/cg rw - cgroup2 cgroup2 rw\n";

static void
test_mountinfo (void)
{
  struct nr_cg_mounts m = { 0 };
  nr_error_t err = NULL;

  ok (nr_cg_parse_mountinfo (mi_hybrid, "/sys/fs/cgroup", &m, &err) == 0, "parse a hybrid mountinfo");
  is_int (m.mode, NR_CGROUP_HYBRID, "cgroup2 at <root>/unified plus v1 controllers is hybrid");
  is_int (m.n, 6, "five v1 hierarchies under the root and the unified one (pids elsewhere ignored)");
  is_str (m.v[4].ctrls, "name=systemd", "named hierarchy: name=systemd, without xattr/release_agent");
  is_str (m.v[5].ctrls, "", "the cgroup2 mount has no controller list");
  is_str (m.v[5].mount, "/sys/fs/cgroup/unified", "unified mount point");
  nr_cg_mounts_free (&m);

  ok (nr_cg_parse_mountinfo (mi_v2, "/sys/fs/cgroup", &m, &err) == 0 && m.mode == NR_CGROUP_V2 && m.n == 1
          && strcmp (m.v[0].mount, "/sys/fs/cgroup") == 0,
      "cgroup2 on the root is v2");
  nr_cg_mounts_free (&m);

  ok (nr_cg_parse_mountinfo (mi_v1, "/sys/fs/cgroup/", &m, &err) == 0 && m.mode == NR_CGROUP_V1 && m.n == 3,
      "v1 only (root given with a trailing slash)");
  is_str (m.v[0].ctrls, "cpu,cpuacct", "co-mounted controllers stay one hierarchy");
  is_str (m.v[0].mroot, "/docker/abc", "the mount's root in its hierarchy is kept");
  nr_cg_mounts_free (&m);

  ok (nr_cg_parse_mountinfo (mi_over, "/sys/fs/cgroup", &m, &err) == 0 && m.mode == NR_CGROUP_V1 && m.n == 2,
      "a tmpfs mounted over a cgroup2 root hides it: v1");
  nr_cg_mounts_free (&m);

  ok (nr_cg_parse_mountinfo (mi_escaped, "/tmp/my root/cg", &m, &err) == 0 && m.mode == NR_CGROUP_V2,
      "octal escapes in mount points are decoded");
  nr_cg_mounts_free (&m);

  ok (nr_cg_parse_mountinfo ("22 1 0:21 / /sys rw - sysfs sysfs rw\n", "/sys/fs/cgroup", &m, &err) == 0
          && m.mode == NR_CGROUP_NONE && m.n == 0,
      "nothing mounted: none");
  nr_cg_mounts_free (&m);

  char path[] = "/tmp/nr-cg-mi-XXXXXX";
  int fd = mkstemp (path);
  enum nr_cgroup_mode mode = NR_CGROUP_NONE;
  ok (fd >= 0 && write (fd, mi_hybrid, strlen (mi_hybrid)) > 0, "write a fake mountinfo");
  close (fd);
  nr_cg_seam.mountinfo = path;
  ok (nr_cgroup_detect (NULL, &mode, &err) == 0 && mode == NR_CGROUP_HYBRID, "detect() reads the seam's mountinfo");
  is_str (nr_cgroup_mode_name (mode), "hybrid", "mode name");
  nr_cg_seam.mountinfo = "/nonexistent/mountinfo";
  ok (nr_cgroup_detect (NULL, &mode, &err) < 0, "detect() fails when mountinfo cannot be read");
  like (err ? err->msg : NULL, "/nonexistent/mountinfo", "and the error names the file");
  nr_error_free (&err);
  nr_cg_seam.mountinfo = "/proc/self/mountinfo";
  unlink (path);
}

/* What a container's cgroup mount shows (runtime/mounts.c): the hierarchies and the
   caller's own directory in each, from the seam's mountinfo and /proc/self/cgroup. */
static char *
temp_with (const char *text)
{
  char *path = strdup ("/tmp/nr-cg-h-XXXXXX");
  int fd = path ? mkstemp (path) : -1;
  if (fd < 0 || write (fd, text, strlen (text)) != (ssize_t) strlen (text))
    abort ();
  close (fd);
  return path;
}

/* Point the seam at fake mountinfo and /proc/self/cgroup files holding these texts. */
static void
fake_proc (const char *mountinfo, const char *self_cgroup, char **mi, char **self)
{
  *mi = temp_with (mountinfo);
  *self = temp_with (self_cgroup);
  nr_cg_seam.mountinfo = *mi;
  nr_cg_seam.self_cgroup = *self;
}

static void
drop_fake (char *mi, char *self)
{
  unlink (mi), free (mi), unlink (self), free (self);
}

static void
test_hierarchies (void)
{
  nr_error_t err = NULL;
  struct nr_cgroup_hierarchies h;
  char *mi, *self;
  fake_proc (mi_hybrid,
             "9:name=systemd:/user.slice\n5:devices:/nrt/c1\n4:memory:/nrt/c1\n2:cpuacct:/nrt/c1\n"
             "1:cpu:/nrt/c1\n0::/nrt/c1\n",
             &mi, &self);
  ok (nr_cgroup_hierarchies_read ("/sys/fs/cgroup", &h, &err) == 0, "hierarchies: read the hybrid mounts");
  is_int (h.mode, NR_CGROUP_HYBRID, "hierarchies: the mode as detect() has it");
  is_int (h.n, 6, "hierarchies: those under the root only (pids on /mnt/other is not shown)");
  ok (h.n == 6 && h.v[0].own == NULL, "hierarchies: no own directory before nr_cgroup_own_dirs");
  ok (nr_cgroup_own_dirs (&h, &err) == 0, "own dirs: read /proc/self/cgroup");
  if (h.n == 6)
    {
      is_str (h.v[0].own, "/sys/fs/cgroup/cpu/nrt/c1", "own dir in a v1 hierarchy");
      is_str (h.v[2].own, "/sys/fs/cgroup/memory/nrt/c1", "own dir in memory");
      is_str (h.v[4].controllers, "name=systemd", "the named hierarchy keeps its name=");
      is_str (h.v[4].own, "/sys/fs/cgroup/systemd/user.slice", "own dir in the named hierarchy");
      is_str (h.v[5].controllers, "", "the unified hierarchy has no controllers");
      is_str (h.v[5].own, "/sys/fs/cgroup/unified/nrt/c1", "own dir in the unified hierarchy (0::)");
    }
  nr_cgroup_hierarchies_free (&h);
  ok (h.v == NULL && h.n == 0, "free leaves an empty list");
  drop_fake (mi, self);

  /* a container's view (v1 mounts whose root is its own cgroup): own dirs are the
     mount points themselves, never a path outside them */
  fake_proc (mi_v1, "4:memory:/docker/abc\n3:devices:/docker/abc\n1:cpu,cpuacct:/docker/abc/inner\n", &mi, &self);
  ok (nr_cgroup_hierarchies_read ("/sys/fs/cgroup", &h, &err) == 0 && h.mode == NR_CGROUP_V1 && h.n == 3,
      "a v1 view with /docker/abc mount roots");
  ok (nr_cgroup_own_dirs (&h, &err) == 0, "own dirs in it");
  if (h.n == 3)
    {
      is_str (h.v[0].own, "/sys/fs/cgroup/cpu,cpuacct/inner", "co-mounted: the path below the mount's root");
      is_str (h.v[1].own, "/sys/fs/cgroup/devices", "at the mount's root: the mount point");
      is_str (h.v[0].mount_root, "/docker/abc", "the mount's root is kept");
    }
  nr_cgroup_hierarchies_free (&h);
  drop_fake (mi, self);

  /* v2 */
  fake_proc (mi_v2, "0::/system.slice/x.scope\n", &mi, &self);
  ok (nr_cgroup_hierarchies_read ("/sys/fs/cgroup", &h, &err) == 0 && h.mode == NR_CGROUP_V2 && h.n == 1,
      "v2: one hierarchy");
  ok (nr_cgroup_own_dirs (&h, &err) == 0 && h.n == 1 && h.v[0].own
          && strcmp (h.v[0].own, "/sys/fs/cgroup/system.slice/x.scope") == 0,
      "v2: own dir from the 0:: line");
  nr_cgroup_hierarchies_free (&h);
  unlink (self), free (self);

  /* errors name the file */
  nr_cg_seam.self_cgroup = "/nonexistent/self-cgroup";
  ok (nr_cgroup_hierarchies_read ("/sys/fs/cgroup", &h, &err) == 0, "v2 again");
  ok (nr_cgroup_own_dirs (&h, &err) < 0, "own dirs fail when /proc/self/cgroup cannot be read");
  like (err ? err->msg : NULL, "/nonexistent/self-cgroup", "and the error names it");
  nr_error_free (&err);
  nr_cgroup_hierarchies_free (&h);
  nr_cg_seam.mountinfo = "/nonexistent/mountinfo";
  ok (nr_cgroup_hierarchies_read ("/sys/fs/cgroup", &h, &err) < 0 && h.n == 0 && h.v == NULL,
      "read fails when mountinfo cannot be read, with nothing to free");
  like (err ? err->msg : NULL, "cgroup mounts: open \"/nonexistent/mountinfo\"", "and the error names it");
  nr_error_free (&err);
  unlink (mi), free (mi);
  nr_cg_seam.mountinfo = "/proc/self/mountinfo";
  nr_cg_seam.self_cgroup = "/proc/self/cgroup";
}

/* ---- paths ------------------------------------------------------------------------ */

static void
inner_is (const char *in, const char *id, const char *want, const char *what)
{
  char *out = NULL;
  nr_error_t err = NULL;
  if (nr_cg_inner_path (in, id, false, &out, &err) < 0)
    diag ("%s", err->msg);
  is_str (out, want, "%s", what);
  free (out);
  nr_error_free (&err);
}

static void
test_inner (void)
{
  char *out = NULL;
  nr_error_t err = NULL;
  inner_is ("/docker/abc", "x", "/docker/abc", "absolute path (docker cgroupfs)");
  inner_is ("/kubepods/burstable/pod1//c1/", "x", "/kubepods/burstable/pod1/c1", "absolute path is cleaned");
  inner_is ("a/b", "x", "a/b", "relative path");
  inner_is ("../../etc/x", "x", "etc/x", "relative path cannot climb above its base");
  inner_is ("/a/../../b", "x", "/b", "absolute path cannot climb above the root");
  inner_is (NULL, "ctr1", "ctr1", "no cgroupsPath: the id, relative (runc's default)");
  inner_is ("", "ctr1", "ctr1", "empty cgroupsPath: the id");
  inner_is ("machine.slice:libpod:abc", "x", "machine.slice:libpod:abc",
            "slice:prefix:name without --systemd-cgroup is a plain name (runc)");

  ok (nr_cg_inner_path ("/", "x", false, &out, &err) < 0, "\"/\" is refused");
  like (err ? err->msg : NULL, "root cgroup", "with a reason");
  nr_error_free (&err);

  nr_cg_seam.systemd_dir = "/nonexistent/systemd";
  ok (nr_cg_inner_path ("system.slice:docker:abc", "x", true, &out, &err) < 0, "systemd driver without systemd");
  like (err ? err->msg : NULL, "systemd is not running", "says systemd is not running");
  nr_error_free (&err);
  ok (nr_cg_inner_path ("/docker/abc", "x", true, &out, &err) < 0, "systemd driver with a cgroupfs path");
  like (err ? err->msg : NULL, "slice:prefix:name", "names the expected format (runc's message)");
  nr_error_free (&err);
  nr_cg_seam.systemd_dir = "/";
  ok (nr_cg_inner_path (NULL, "x", true, &out, &err) < 0, "systemd driver with systemd running");
  like (err ? err->msg : NULL, "not supported", "is refused as unsupported");
  nr_error_free (&err);
  nr_cg_seam.systemd_dir = "/run/systemd/system";
}

static void
dir_is (const struct nr_cg_mount *m, enum nr_cgroup_mode mode, const char *inner, const char *self, const char *want,
        const char *what)
{
  char *out = NULL;
  nr_error_t err = NULL;
  if (nr_cg_container_dir (m, mode, inner, self, &out, &err) < 0)
    diag ("%s", err->msg);
  is_str (out, want, "%s", what);
  free (out);
  nr_error_free (&err);
}

static void
test_container_dir (void)
{
  const char *self = "12:memory:/process_api/abc\n"
                     "5:cpu,cpuacct:/docker/abc/sub\n"
                     "1:name=systemd:/user.slice\n"
                     "0::/user.slice/session-1.scope\n";
  struct nr_cg_mount mem = { "memory", "/sys/fs/cgroup/memory", "/" };
  struct nr_cg_mount cpu = { "cpu,cpuacct", "/sys/fs/cgroup/cpu,cpuacct", "/docker/abc" };
  struct nr_cg_mount sd = { "name=systemd", "/sys/fs/cgroup/systemd", "/" };
  struct nr_cg_mount un = { "", "/sys/fs/cgroup/unified", "/" };
  struct nr_cg_mount v2 = { "", "/sys/fs/cgroup", "/" };
  nr_error_t err = NULL;
  char *out = NULL;

  dir_is (&mem, NR_CGROUP_V1, "/docker/c1", self, "/sys/fs/cgroup/memory/docker/c1", "v1 absolute: from the root");
  dir_is (&mem, NR_CGROUP_V1, "c1", self, "/sys/fs/cgroup/memory/process_api/abc/c1", "v1 relative: under our cgroup");
  dir_is (&cpu, NR_CGROUP_V1, "c1", self, "/sys/fs/cgroup/cpu,cpuacct/sub/c1",
          "v1 relative under a bind-mounted sub-tree: the mount root is stripped");
  dir_is (&sd, NR_CGROUP_HYBRID, "c1", self, "/sys/fs/cgroup/systemd/user.slice/c1", "name=systemd relative");
  dir_is (&un, NR_CGROUP_HYBRID, "c1", self, "/sys/fs/cgroup/unified/user.slice/session-1.scope/c1",
          "hybrid unified relative: under our own cgroup (runc's fs driver)");
  dir_is (&v2, NR_CGROUP_V2, "c1", self, "/sys/fs/cgroup/user.slice/c1", "v2 relative: under our cgroup's parent");
  dir_is (&v2, NR_CGROUP_V2, "/default/c1", self, "/sys/fs/cgroup/default/c1", "v2 absolute");
  dir_is (&v2, NR_CGROUP_V2, "c1", "0::/\n", "/sys/fs/cgroup/c1", "v2 relative from the root cgroup");
  dir_is (&mem, NR_CGROUP_V1, "c1", "", "/sys/fs/cgroup/memory/c1", "unknown own cgroup: the hierarchy root");
  struct nr_cg_mount outside = { "memory", "/sys/fs/cgroup/memory", "/other" };
  dir_is (&outside, NR_CGROUP_V1, "c1", self, "/sys/fs/cgroup/memory/c1",
          "own cgroup outside the mount's root: the mount root");
  ok (nr_cg_container_dir (&v2, NR_CGROUP_V2, "/", self, &out, &err) < 0, "the hierarchy root itself is refused");
  nr_error_free (&err);
}

/* ---- conversions ------------------------------------------------------------------ */

static void
test_conversions (void)
{
  int64_t sw = 7;
  nr_error_t err = NULL;
  is_int (nr_cg_shares_to_weight (2), 1, "shares 2 → weight 1");
  is_int (nr_cg_shares_to_weight (1024), 39, "shares 1024 → weight 39");
  is_int (nr_cg_shares_to_weight (262144), 10000, "shares 262144 → weight 10000");
  is_int (nr_cg_shares_to_weight (0), 0, "shares 0 → unset");
  is_int (nr_cg_blkio_to_io_weight (10), 1, "blkio weight 10 → io.weight 1");
  is_int (nr_cg_blkio_to_io_weight (500), 4950, "blkio weight 500 → io.weight 4950");
  is_int (nr_cg_blkio_to_io_weight (1000), 10000, "blkio weight 1000 → io.weight 10000");

  ok (nr_cg_swap_v2 (200, 100, &sw, &err) == 0 && sw == 100, "swap 200 with limit 100 → swap.max 100");
  ok (nr_cg_swap_v2 (0, -1, &sw, &err) == 0 && sw == -1, "limit -1, swap unset → swap.max max");
  ok (nr_cg_swap_v2 (-1, 100, &sw, &err) == 0 && sw == -1, "swap -1 → max");
  ok (nr_cg_swap_v2 (100, 100, &sw, &err) == 0 && sw == 0, "swap == limit → 0 (no swap)");
  ok (nr_cg_swap_v2 (0, 100, &sw, &err) == 0 && sw == 0, "swap unset → leave alone");
  ok (nr_cg_swap_v2 (100, 0, &sw, &err) < 0, "swap without a memory limit is refused");
  nr_error_free (&err);
  ok (nr_cg_swap_v2 (50, 100, &sw, &err) < 0, "swap below the limit is refused");
  like (err ? err->msg : NULL, "should be >= memory limit", "with runc's reason");
  nr_error_free (&err);
}

/* ---- devices ---------------------------------------------------------------------- */

static struct oci_device_cgroup docker_devs[] = {
  { false, 'a', -1, -1, (char *) "rwm" },
  { true, 'c', 1, 5, (char *) "rwm" },   /* /dev/zero (also a default) */
  { true, 'c', 4, 0, (char *) "rw" },    /* a --device /dev/tty0:rw */
  { false, 'c', 4, 0, (char *) "w" },    /* … then the write taken back */
};

static char *
transition_text (const struct nr_cg_devemu *src, const struct nr_cg_devemu *dst)
{
  struct nr_cg_devrule *steps = NULL;
  size_t n = 0;
  char *text = calloc (1, 4096);
  nr_cg_devemu_transition (src, dst, &steps, &n);
  for (size_t i = 0; i < n; i++)
    {
      char line[64];
      nr_cg_devrule_str (&steps[i], line);
      snprintf (text + strlen (text), 4096 - strlen (text), "%s %s\n", steps[i].allow ? "allow" : "deny", line);
    }
  free (steps);
  return text;
}

static void
test_devices_v1 (void)
{
  struct oci_resources r = { .devices = docker_devs, .n_devices = 4 };
  struct oci_device spec_devs[] = { { .type = 'c', .path = (char *) "/dev/null", .major = 1, .minor = 3 } };
  struct nr_cg_devrule *rules = NULL;
  struct nr_cg_devemu src = { 0 }, dst = { 0 };
  size_t n = 0;
  nr_error_t err = NULL;

  ok (nr_cg_devrules_build (&r, spec_devs, 1, &rules, &n, &err) == 0, "build rules");
  is_int (n, 4 + 11 - 1, "spec rules, then runc's defaults without the one whose path linux.devices has");
  ok (rules[4].type == 'c' && rules[4].major == -1 && rules[4].access == NR_DEV_M, "defaults start with mknod c *:*");
  ok (nr_cg_devemu_apply (&dst, rules, n, &err) == 0, "emulate");
  ok (!dst.default_allow, "deny-all first: an allow list");
  ok (nr_cg_devemu_from_list (&src, "a *:* rwm\n", &err) == 0 && src.default_allow, "a new cgroup allows all");
  char *t = transition_text (&src, &dst);
  is_str (t,
          "deny a *:* rwm\n"
          "allow b *:* m\n"
          "allow c *:* m\n"
          "allow c 1:5 rwm\n"
          "allow c 1:7 rwm\n"
          "allow c 1:8 rwm\n"
          "allow c 1:9 rwm\n"
          "allow c 4:0 r\n"
          "allow c 5:0 rwm\n"
          "allow c 5:2 rwm\n"
          "allow c 10:200 rwm\n"
          "allow c 136:* rwm\n",
          "devices.deny \"a *:* rwm\", then the allow list in (major, minor) order");
  free (t);
  nr_cg_devemu_free (&src);

  /* what devices.list then shows: nothing to do */
  ok (nr_cg_devemu_from_list (&src, "c *:* m\nb *:* m\nc 1:5 rwm\nc 1:7 rwm\nc 1:8 rwm\nc 1:9 rwm\nc 4:0 r\n"
                                    "c 5:0 rwm\nc 5:2 rwm\nc 10:200 rwm\nc 136:* rwm\n", &err) == 0,
      "parse devices.list");
  ok (nr_cg_devemu_equal (&src, &dst), "the emulated list equals what the kernel shows");
  t = transition_text (&src, &dst);
  is_str (t, "", "no transition when nothing changes");
  free (t);

  /* update: take rw of /dev/full back, widen tty0 to rw: only the difference, nothing
     disruptive ("rwm" would punch a hole in the default "c *:* m", refused as runc) */
  struct nr_cg_devrule upd[] = { { 'c', 1, 7, NR_DEV_R | NR_DEV_W, false }, { 'c', 4, 0, NR_DEV_W, true } };
  ok (nr_cg_devemu_apply (&dst, upd, 2, &err) == 0, "apply an update");
  t = transition_text (&src, &dst);
  is_str (t, "deny c 1:7 rw\nallow c 4:0 w\n", "an update to an allow list writes only the differences");
  free (t);
  nr_cg_devemu_free (&src);
  nr_cg_devemu_free (&dst);

  /* privileged: allow all */
  struct nr_cg_devrule all[] = { { 'a', -1, -1, NR_DEV_RWM, true } };
  ok (nr_cg_devemu_apply (&dst, all, 1, &err) == 0 && dst.default_allow && dst.n == 0, "allow a: allow everything");
  nr_cg_devemu_from_list (&src, "c 1:3 rwm\n", &err);
  t = transition_text (&src, &dst);
  is_str (t, "allow a *:* rwm\n", "from an allow list to allow-all: devices.allow \"a *:* rwm\"");
  free (t);
  nr_cg_devemu_free (&dst);

  dst = (struct nr_cg_devemu){ 0 };
  struct nr_cg_devrule hole[] = { { 'c', 1, -1, NR_DEV_RWM, true }, { 'c', 1, 3, NR_DEV_R, false } };
  ok (nr_cg_devemu_apply (&dst, hole, 2, &err) < 0, "punching a hole in a wildcard allow is refused");
  like (err ? err->msg : NULL, "cannot punch a hole", "with the reason");
  like (err ? err->msg : NULL, "c 1:* rwm", "naming the wildcard rule");
  nr_error_free (&err);
  nr_cg_devemu_free (&dst);
  nr_cg_devemu_free (&src);

  struct oci_device_cgroup bad[] = { { true, 'c', 1, 3, (char *) "rwx" } };
  struct oci_resources rb = { .devices = bad, .n_devices = 1 };
  free (rules);
  rules = NULL;
  ok (nr_cg_devrules_build (&rb, NULL, 0, &rules, &n, &err) < 0, "access \"rwx\" is refused");
  like (err ? err->msg : NULL, "devices[0]", "naming the rule");
  nr_error_free (&err);
  ok (nr_cg_devemu_from_list (&src, "garbage\n", &err) < 0, "a devices.list line we cannot read is an error");
  nr_error_free (&err);
  free (rules);
}

/* ---- the BPF program -------------------------------------------------------------- */

#define IS(insn, c, d, s, o, i) ((insn).code == (c) && (insn).dst_reg == (d) && (insn).src_reg == (s) \
                                 && (insn).off == (o) && (insn).imm == (i))

static void
test_bpf (void)
{
  struct nr_cg_devemu e = { 0 };
  struct bpf_insn *p = NULL;
  size_t n = 0;
  nr_error_t err = NULL;

  /* deny-all with two exceptions: c 1:3 rwm and b 8:* r */
  struct nr_cg_devrule rules[] = {
    { 'a', -1, -1, NR_DEV_RWM, false }, { 'b', 8, -1, NR_DEV_R, true }, { 'c', 1, 3, NR_DEV_RWM, true },
  };
  ok (nr_cg_devemu_apply (&e, rules, 3, &err) == 0 && nr_cg_bpf_program (&e, &p, &n, &err) == 0, "build a program");
  if (p == NULL)
    bail_out ("%s", err ? err->msg : "no program");
  is_int (n, 6 + 5 + 7 + 2, "prologue 6, rwm block 5, partial-access block 7, default 2");
  ok (IS (p[0], BPF_LDX | BPF_MEM | BPF_W, 2, 1, 0, 0) && IS (p[1], BPF_ALU | BPF_AND | BPF_K, 2, 0, 0, 0xffff),
      "r2 = access_type & 0xffff (device type)");
  ok (IS (p[2], BPF_LDX | BPF_MEM | BPF_W, 3, 1, 0, 0) && IS (p[3], BPF_ALU | BPF_RSH | BPF_K, 3, 0, 0, 16),
      "r3 = access_type >> 16 (access)");
  ok (IS (p[4], BPF_LDX | BPF_MEM | BPF_W, 4, 1, 4, 0) && IS (p[5], BPF_LDX | BPF_MEM | BPF_W, 5, 1, 8, 0),
      "r4 = major, r5 = minor");
  /* block 1 (sorted: 1:3 before 8:*): c 1:3 rwm, no access test */
  ok (IS (p[6], BPF_JMP | BPF_JNE | BPF_K, 2, 0, 4, BPF_DEVCG_DEV_CHAR), "c 1:3: type test jumps over its 4 followers");
  ok (IS (p[7], BPF_JMP | BPF_JNE | BPF_K, 4, 0, 3, 1) && IS (p[8], BPF_JMP | BPF_JNE | BPF_K, 5, 0, 2, 3),
      "major 1 and minor 3 tests jump to the next block");
  ok (IS (p[9], BPF_ALU | BPF_MOV | BPF_K, 0, 0, 0, 1) && IS (p[10], BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
      "a match returns 1 (allow)");
  /* block 2: b 8:* r */
  ok (IS (p[11], BPF_JMP | BPF_JNE | BPF_K, 2, 0, 6, BPF_DEVCG_DEV_BLOCK), "b 8:*: block type test");
  ok (IS (p[12], BPF_ALU | BPF_MOV | BPF_X, 1, 3, 0, 0)
          && IS (p[13], BPF_ALU | BPF_AND | BPF_K, 1, 0, 0, BPF_DEVCG_ACC_READ)
          && IS (p[14], BPF_JMP | BPF_JNE | BPF_X, 1, 3, 3, 0),
      "access test: (r3 & READ) != r3 skips the block");
  ok (IS (p[15], BPF_JMP | BPF_JNE | BPF_K, 4, 0, 2, 8), "major 8; no minor test for a wildcard");
  ok (IS (p[16], BPF_ALU | BPF_MOV | BPF_K, 0, 0, 0, 1) && IS (p[17], BPF_JMP | BPF_EXIT, 0, 0, 0, 0), "allow");
  ok (IS (p[18], BPF_ALU | BPF_MOV | BPF_K, 0, 0, 0, 0) && IS (p[19], BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
      "no match: the default, deny");
  bool jumps_ok = true;
  for (size_t i = 0; i < n; i++)
    if (BPF_CLASS (p[i].code) == BPF_JMP && BPF_OP (p[i].code) == BPF_JNE)
      {
        size_t to = i + 1 + p[i].off;
        jumps_ok &= to < n && (to == 11 || to == 18);
      }
  ok (jumps_ok, "every jump lands on the start of the next block or the default");
  free (p);
  nr_cg_devemu_free (&e);

  struct nr_cg_devrule allow_all[] = { { 'a', -1, -1, NR_DEV_RWM, true } };
  nr_cg_devemu_apply (&e, allow_all, 1, &err);
  ok (nr_cg_bpf_program (&e, &p, &n, &err) == 0 && n == 8 && IS (p[6], BPF_ALU | BPF_MOV | BPF_K, 0, 0, 0, 1),
      "allow-all: prologue and return 1");
  free (p);
  struct nr_cg_devrule deny_one[] = { { 'c', 1, 5, NR_DEV_W, false } };
  nr_cg_devemu_apply (&e, deny_one, 1, &err);
  ok (nr_cg_bpf_program (&e, &p, &n, &err) == 0 && n == 6 + 8 + 2 && IS (p[12], BPF_ALU | BPF_MOV | BPF_K, 0, 0, 0, 0)
          && IS (p[14], BPF_ALU | BPF_MOV | BPF_K, 0, 0, 0, 1),
      "a deny exception in an allow-all set returns 0 on match, 1 otherwise");
  free (p);
  nr_cg_devemu_free (&e);
}

/* ---- state form and stats JSON ------------------------------------------------------- */

static void
test_serialize (void)
{
  struct nr_cg_dir dirs[] = {
    { (char *) "memory", (char *) "/sys/fs/cgroup/memory", (char *) "/", (char *) "/sys/fs/cgroup/memory/a/b",
      (char *) "/sys/fs/cgroup/memory/a" },
    { (char *) "", (char *) "/sys/fs/cgroup/unified", (char *) "/", (char *) "/sys/fs/cgroup/unified/a/b", NULL },
  };
  struct nr_cgroup cg = { NR_CGROUP_HYBRID, dirs, 2 };
  struct nr_cgroup *back = NULL;
  nr_error_t err = NULL;
  char *s = nr_cgroup_serialize (&cg);
  like (s, "\"mode\":\"hybrid\"", "serialized mode");
  ok (nr_cgroup_load (s, &back, &err) == 0, "load it back");
  ok (back && back->mode == NR_CGROUP_HYBRID && back->n == 2, "mode and directories");
  is_str (nr_cgroup_path (back, "memory"), "/sys/fs/cgroup/memory/a/b", "memory path");
  is_str (nr_cgroup_path (back, ""), "/sys/fs/cgroup/unified/a/b", "unified path");
  is_str (back ? back->dirs[0].top : NULL, "/sys/fs/cgroup/memory/a", "what create made survives");
  ok (back && back->dirs[1].top == NULL, "and so does what it did not");
  const char *c, *m, *p;
  nr_cgroup_at (back, 0, &c, &m, &p);
  ok (strcmp (c, "memory") == 0 && strcmp (m, "/sys/fs/cgroup/memory") == 0, "nr_cgroup_at");
  nr_cgroup_free (back);
  free (s);
  ok (nr_cgroup_load ("{\"mode\":\"v3\",\"dirs\":[]}", &back, &err) < 0, "unknown mode refused");
  like (err ? err->msg : NULL, "mode", "naming the field");
  nr_error_free (&err);
  ok (nr_cgroup_load ("{\"mode\":\"v1\",\"dirs\":[{\"controllers\":\"memory\",\"mount\":\"/a\",\"path\":\"/b\"}]}",
                      &back, &err) < 0,
      "a path outside its mount is refused");
  nr_error_free (&err);
}

static void
test_stats_json (void)
{
  uint64_t percpu[] = { 5, 6 };
  char *keys[] = { (char *) "cache", (char *) "rss" };
  uint64_t vals[] = { 10, 20 };
  struct nr_cgroup_blkio_entry io[] = { { 8, 0, "Read", 100 } };
  struct nr_cgroup_hugetlb huge[] = { { (char *) "2MB", 0, 0, 3 } };
  struct nr_cgroup_stats s = { 0 };
  s.cpu.total = 11;
  s.cpu.percpu = percpu;
  s.cpu.n_percpu = 2;
  s.memory.usage = (struct nr_cgroup_mem_entry){ UINT64_MAX, 7, 0, 0 };
  s.memory.raw_keys = keys;
  s.memory.raw_values = vals;
  s.memory.n_raw = 2;
  s.memory.cache = 10;
  s.pids.current = 2;
  s.blkio[NR_BLKIO_SERVICE_BYTES].v = io;
  s.blkio[NR_BLKIO_SERVICE_BYTES].n = 1;
  s.hugetlb = huge;
  s.n_hugetlb = 1;
  uint64_t cpus[] = { 0, 1 };
  s.cpuset.cpus = cpus;
  s.cpuset.n_cpus = 2;
  s.cpuset.sched_load_balance = 1;
  s.cpuset.sched_relax_domain_level = -1;
  char *j = nr_cgroup_stats_json (&s);
  like (j,
        "\"cpuset\":{\"cpus\":[0,1],\"cpu_exclusive\":0,\"mem_hardwall\":0,\"mem_exclusive\":0,"
        "\"memory_migrate\":0,\"memory_spread_page\":0,\"memory_spread_slab\":0,\"memory_pressure\":0,"
        "\"sched_load_balance\":1,\"sched_relax_domain_level\":-1}",
        "cpuset: cpus, no mems when there are none (omitempty), a negative relax level");
  like (j, "\"cpu\":{\"usage\":{\"total\":11,\"percpu\":[5,6],\"kernel\":0,\"user\":0},\"throttling\":{}}",
        "cpu: total, percpu, kernel and user always, empty throttling");
  like (j, "\"usage\":{\"limit\":18446744073709551615,\"usage\":7,\"failcnt\":0}",
        "memory usage entry, unlimited as u64 max");
  like (j, "\"raw\":{\"cache\":10,\"rss\":20}", "memory.stat as raw");
  like (j, "\"pids\":{\"current\":2}", "pids without a limit");
  like (j, "\"blkio\":{\"ioServiceBytesRecursive\":[{\"major\":8,\"op\":\"Read\",\"value\":100}]}",
        "blkio entries (minor 0 omitted, as Go's omitempty)");
  like (j, "\"hugetlb\":{\"2MB\":{\"failcnt\":3}}", "hugetlb by page size");
  like (j, "\"network_interfaces\":null", "network_interfaces null");
  nr_error_t err = NULL;
  yajl_val v = NULL;
  ok (j && nr_json_parse (j, strlen (j), "stats", &v, &err) == 0, "valid JSON");
  yajl_tree_free (v);
  free (j);
}

int
main (void)
{
  test_mountinfo ();
  test_hierarchies ();
  test_inner ();
  test_container_dir ();
  test_conversions ();
  test_devices_v1 ();
  test_bpf ();
  test_serialize ();
  test_stats_json ();
  return done_testing ();
}
