/* SPDX-License-Identifier: Apache-2.0 */
/* `spec`: the same default config.json as runc's (hostname aside). */
#include "config.h"
#include "runtime/container.h"
#include "common/json.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void
mount_entry (yajl_gen g, const char *dest, const char *type, const char *src, const char *const *opts)
{
  yajl_gen_map_open (g);
  nr_jgen_kstr (g, "destination", dest);
  nr_jgen_kstr (g, "type", type);
  nr_jgen_kstr (g, "source", src);
  if (opts)
    {
      nr_jgen_key (g, "options");
      nr_jgen_strv (g, (char *const *) opts);
    }
  yajl_gen_map_close (g);
}

static void
id_mapping (yajl_gen g, const char *key, unsigned host)
{
  nr_jgen_key (g, key);
  yajl_gen_array_open (g);
  yajl_gen_map_open (g);
  nr_jgen_kint (g, "containerID", 0);
  nr_jgen_kint (g, "hostID", host);
  nr_jgen_kint (g, "size", 1);
  yajl_gen_map_close (g);
  yajl_gen_array_close (g);
}

static void
gen_process (yajl_gen g)
{
  static const char *const caps[] = { "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL };
  static const char *const env[] = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                     "TERM=xterm", NULL };
  static const char *const args[] = { "sh", NULL };
  static const char *const sets[] = { "bounding", "effective", "permitted", "ambient" };
  nr_jgen_key (g, "process");
  yajl_gen_map_open (g);
  nr_jgen_kbool (g, "terminal", true);
  nr_jgen_key (g, "user");
  yajl_gen_map_open (g);
  nr_jgen_kint (g, "uid", 0);
  nr_jgen_kint (g, "gid", 0);
  yajl_gen_map_close (g);
  nr_jgen_key (g, "args");
  nr_jgen_strv (g, (char *const *) args);
  nr_jgen_key (g, "env");
  nr_jgen_strv (g, (char *const *) env);
  nr_jgen_kstr (g, "cwd", "/");
  nr_jgen_key (g, "capabilities");
  yajl_gen_map_open (g);
  for (size_t i = 0; i < 4; i++)
    {
      nr_jgen_key (g, sets[i]);
      nr_jgen_strv (g, (char *const *) caps);
    }
  yajl_gen_map_close (g);
  nr_jgen_key (g, "rlimits");
  yajl_gen_array_open (g);
  yajl_gen_map_open (g);
  nr_jgen_kstr (g, "type", "RLIMIT_NOFILE");
  nr_jgen_kint (g, "hard", 1024);
  nr_jgen_kint (g, "soft", 1024);
  yajl_gen_map_close (g);
  yajl_gen_array_close (g);
  nr_jgen_kbool (g, "noNewPrivileges", true);
  yajl_gen_map_close (g);
}

static void
gen_mounts (yajl_gen g, bool rootless)
{
  static const char *const dev[] = { "nosuid", "strictatime", "mode=755", "size=65536k", NULL };
  static const char *const pts[] = { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", NULL };
  static const char *const pts_rl[] = { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", NULL };
  static const char *const shm[] = { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL };
  static const char *const mq[] = { "nosuid", "noexec", "nodev", NULL };
  static const char *const sys[] = { "nosuid", "noexec", "nodev", "ro", NULL };
  static const char *const sys_rl[] = { "rbind", "nosuid", "noexec", "nodev", "ro", NULL };
  static const char *const cg[] = { "nosuid", "noexec", "nodev", "relatime", "ro", NULL };
  nr_jgen_key (g, "mounts");
  yajl_gen_array_open (g);
  mount_entry (g, "/proc", "proc", "proc", NULL);
  mount_entry (g, "/dev", "tmpfs", "tmpfs", dev);
  mount_entry (g, "/dev/pts", "devpts", "devpts", rootless ? pts_rl : pts);
  mount_entry (g, "/dev/shm", "tmpfs", "shm", shm);
  mount_entry (g, "/dev/mqueue", "mqueue", "mqueue", mq);
  if (rootless)
    mount_entry (g, "/sys", "none", "/sys", sys_rl);
  else
    mount_entry (g, "/sys", "sysfs", "sysfs", sys);
  mount_entry (g, "/sys/fs/cgroup", "cgroup", "cgroup", cg);
  yajl_gen_array_close (g);
}

static void
gen_linux (yajl_gen g, bool rootless)
{
  static const char *const masked[] = { "/proc/acpi",      "/proc/asound",  "/proc/kcore",
                                        "/proc/keys",      "/proc/latency_stats", "/proc/timer_list",
                                        "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
                                        "/proc/scsi",      NULL };
  static const char *const ro[] = { "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL };
  const char *ns[] = { "pid", rootless ? NULL : "network", "ipc", "uts", "mount", rootless ? "user" : NULL };
  nr_jgen_key (g, "linux");
  yajl_gen_map_open (g);
  if (rootless)
    {
      id_mapping (g, "uidMappings", geteuid ());
      id_mapping (g, "gidMappings", getegid ());
    }
  else
    {
      nr_jgen_key (g, "resources");
      yajl_gen_map_open (g);
      nr_jgen_key (g, "devices");
      yajl_gen_array_open (g);
      yajl_gen_map_open (g);
      nr_jgen_kbool (g, "allow", false);
      nr_jgen_kstr (g, "access", "rwm");
      yajl_gen_map_close (g);
      yajl_gen_array_close (g);
      yajl_gen_map_close (g);
    }
  nr_jgen_key (g, "namespaces");
  yajl_gen_array_open (g);
  for (size_t i = 0; i < NR_ARRAY_SIZE (ns); i++)
    {
      if (ns[i] == NULL)
        continue;
      yajl_gen_map_open (g);
      nr_jgen_kstr (g, "type", ns[i]);
      yajl_gen_map_close (g);
    }
  yajl_gen_array_close (g);
  nr_jgen_key (g, "maskedPaths");
  nr_jgen_strv (g, (char *const *) masked);
  nr_jgen_key (g, "readonlyPaths");
  nr_jgen_strv (g, (char *const *) ro);
  yajl_gen_map_close (g);
}

char *
nr_spec_default (bool rootless)
{
  yajl_gen g = nr_jgen_new (true);
  if (g == NULL)
    return NULL;
  yajl_gen_map_open (g);
  nr_jgen_kstr (g, "ociVersion", "1.0.2-dev");
  gen_process (g);
  nr_jgen_key (g, "root");
  yajl_gen_map_open (g);
  nr_jgen_kstr (g, "path", "rootfs");
  nr_jgen_kbool (g, "readonly", true);
  yajl_gen_map_close (g);
  nr_jgen_kstr (g, "hostname", "nestrun");
  gen_mounts (g, rootless);
  gen_linux (g, rootless);
  yajl_gen_map_close (g);
  return nr_jgen_finish (g, NULL);
}
