/* SPDX-License-Identifier: Apache-2.0 */
/* Semantic checks of the "linux" section: namespaces and id mappings, time
   offsets, devices, sysctl (runc's namespacing rules), paths, personality, and
   the features we refuse.  Seccomp and resources are in validate_seccomp.c. */
#include <config.h> /* autoconf; "config.h" would find oci/config.h */
#include "oci/config_internal.h"
#include "common/log.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- namespaces and id mappings ----------------------------------------- */

static int
validate_namespaces (struct nr_jctx *c, const struct oci_config *cfg, nr_error_t *err)
{
  for (size_t i = 0; i < cfg->n_namespaces; i++)
    {
      const struct oci_namespace *ns = &cfg->namespaces[i];
      char key[48];
      snprintf (key, sizeof key, "namespaces[%zu]", i);
      for (size_t j = 0; j < i; j++)
        if (cfg->namespaces[j].type == ns->type)
          return nr_jctx_error (c, key, err, "duplicate namespace \"%s\"", oci_ns_name (ns->type));
      if (ns->path && !oci_path_is_abs (ns->path))
        return nr_jctx_error (c, key, err, "path \"%s\" is not an absolute path", ns->path);
    }
  return 0;
}

static int
validate_mapping_sizes (struct nr_jctx *c, const char *key, const struct oci_id_mapping *m, size_t n,
                        nr_error_t *err)
{
  for (size_t i = 0; i < n; i++)
    if (m[i].size == 0)
      {
        char k[48];
        snprintf (k, sizeof k, "%s[%zu].size", key, i);
        return nr_jctx_error (c, k, err, "must not be zero");
      }
  return 0;
}

/* runc's rule: mappings only with a user namespace, and a user namespace we
   create needs both.  Joining one (path) may carry mappings; the runtime
   compares them with the namespace's own. */
static int
validate_userns (struct nr_jctx *c, const struct oci_config *cfg, nr_error_t *err)
{
  const struct oci_namespace *user = oci_config_ns (cfg, OCI_NS_USER);
  bool maps = cfg->n_uid_mappings > 0 || cfg->n_gid_mappings > 0;

  if (user == NULL && maps)
    return nr_jctx_error (c, cfg->n_uid_mappings ? "uidMappings" : "gidMappings", err,
                          "user namespace mappings given, but no user namespace in linux.namespaces");
  if (user != NULL && user->path == NULL)
    {
      if (cfg->n_uid_mappings == 0)
        return nr_jctx_error (c, "uidMappings", err, "required when a user namespace is created");
      if (cfg->n_gid_mappings == 0)
        return nr_jctx_error (c, "gidMappings", err, "required when a user namespace is created");
    }
  if (validate_mapping_sizes (c, "uidMappings", cfg->uid_mappings, cfg->n_uid_mappings, err) < 0
      || validate_mapping_sizes (c, "gidMappings", cfg->gid_mappings, cfg->n_gid_mappings, err) < 0)
    return -1;
  return 0;
}

static int
validate_time_offsets (struct nr_jctx *c, const struct oci_config *cfg, nr_error_t *err)
{
  const struct oci_namespace *time_ns = oci_config_ns (cfg, OCI_NS_TIME);
  if (!cfg->time_monotonic.set && !cfg->time_boottime.set)
    return 0;
  if (time_ns == NULL)
    return nr_jctx_error (c, "timeOffsets", err, "time offsets given, but no time namespace in linux.namespaces");
  if (time_ns->path != NULL)
    return nr_jctx_error (c, "timeOffsets", err, "cannot set time offsets of a time namespace that is joined");
  if (cfg->time_monotonic.nanosecs >= 1000000000u || cfg->time_boottime.nanosecs >= 1000000000u)
    return nr_jctx_error (c, "timeOffsets", err, "nanosecs must be less than 1000000000");
  return 0;
}

/* ---- devices ------------------------------------------------------------ */

static int
validate_device (struct nr_jctx *c, const struct oci_device *d, nr_error_t *err)
{
  if (strchr ("cbup", d->type) == NULL || d->type == '\0')
    return nr_jctx_error (c, "type", err, "invalid device type (want c, b, u or p)");
  if (!oci_path_is_abs (d->path))
    return nr_jctx_error (c, "path", err, "\"%s\" is not an absolute path", d->path ? d->path : "");
  if (d->type == 'p')
    {
      if (d->major != 0 || d->minor != 0)
        return nr_jctx_error (c, NULL, err, "a fifo (type p) must have major and minor 0");
      return 0;
    }
  if (!d->has_major || !d->has_minor)
    return nr_jctx_error (c, d->has_major ? "minor" : "major", err, "required for device type %c", d->type);
  if (d->major < 0 || d->minor < 0)
    return nr_jctx_error (c, NULL, err, "negative device number");
  /* the kernel's dev_t: MAJOR 12 bits, MINOR 20 (a wider value would be truncated
     by makedev into another device's number) */
  if (d->major > 0xfff)
    return nr_jctx_error (c, "major", err, "%" PRId64 " is beyond the kernel's range (0-4095)", d->major);
  if (d->minor > 0xfffff)
    return nr_jctx_error (c, "minor", err, "%" PRId64 " is beyond the kernel's range (0-1048575)", d->minor);
  return 0;
}

static int
validate_devices (struct nr_jctx *c, const struct oci_config *cfg, nr_error_t *err)
{
  size_t old = nr_jctx_push (c, "devices");
  int r = 0;
  for (size_t i = 0; r == 0 && i < cfg->n_devices; i++)
    {
      size_t old_i = nr_jctx_push_index (c, i);
      r = validate_device (c, &cfg->devices[i], err);
      nr_jctx_pop (c, old_i);
    }
  nr_jctx_pop (c, old);
  return r;
}

/* ---- sysctl ------------------------------------------------------------- */

/* sysctl(8) also accepts '/' as the separator, with '.' then standing for a
   literal dot (runc's convertSysctlVariableToDotsSeparator). */
static char *
sysctl_dots (const char *key)
{
  char *s = strdup (key);
  size_t first = strcspn (key, "./");
  if (s == NULL || key[first] != '/')
    return s;
  for (char *p = s; *p; p++)
    *p = *p == '.' ? '/' : *p == '/' ? '.' : *p;
  return s;
}

/* Each dotted component names a file under /proc/sys ('/' in it is a literal
   '.'): none may be empty, "." or "..". */
static bool
sysctl_name_ok (const char *s)
{
  if (s[0] == '\0')
    return false;
  for (const char *p = s;;)
    {
      size_t n = strcspn (p, ".");
      if (n == 0 || (p[0] == '/' && (n == 1 || (n == 2 && p[1] == '/'))))
        return false;
      if (p[n] == '\0')
        return true;
      p += n + 1;
    }
}

static bool
sysctl_is_ipc (const char *s)
{
  static const char *const ipc[] = {
    "kernel.msgmax",  "kernel.msgmnb",  "kernel.msgmni",          "kernel.sem",
    "kernel.shmall",  "kernel.shmmax",  "kernel.shmmni",          "kernel.shm_rmid_forced",
    "kernel.msg_next_id", "kernel.sem_next_id", "kernel.shm_next_id", NULL,
  };
  for (const char *const *p = ipc; *p; p++)
    if (strcmp (*p, s) == 0)
      return true;
  return strncmp (s, "fs.mqueue.", 10) == 0;
}

/* Is path the network namespace we run in (runc's isHostNetNS)? */
static bool
is_host_netns (const char *path)
{
  struct stat a, b;
  if (stat ("/proc/self/ns/net", &a) < 0 || stat (path, &b) < 0)
    return false;
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static int
validate_sysctl_one (struct nr_jctx *c, const struct oci_config *cfg, const char *key, bool fs_checks,
                     nr_error_t *err)
{
  _cleanup_free_ char *s = sysctl_dots (key);
  if (s == NULL)
    return nr_error (err, ENOMEM, "sysctl");
  if (!sysctl_name_ok (s))
    return nr_jctx_error (c, NULL, err, "invalid sysctl name \"%s\"", key);
  if (sysctl_is_ipc (s))
    {
      if (oci_config_ns (cfg, OCI_NS_IPC) == NULL)
        return nr_jctx_error (c, NULL, err, "sysctl \"%s\" is not allowed in the host's ipc namespace", key);
      return 0;
    }
  if (strncmp (s, "net.", 4) == 0)
    {
      const struct oci_namespace *net = oci_config_ns (cfg, OCI_NS_NETWORK);
      if (net == NULL || (fs_checks && net->path && is_host_netns (net->path)))
        return nr_jctx_error (c, NULL, err, "sysctl \"%s\" is not allowed in the host's network namespace", key);
      return 0;
    }
  if (oci_config_ns (cfg, OCI_NS_UTS) != NULL)
    {
      if (strcmp (s, "kernel.domainname") == 0)
        return 0;
      if (strcmp (s, "kernel.hostname") == 0)
        return nr_jctx_error (c, NULL, err, "sysctl \"%s\" is not allowed: it conflicts with the \"hostname\" field",
                              key);
    }
  return nr_jctx_error (c, NULL, err, "sysctl \"%s\" is not in a separate kernel namespace", key);
}

static int
validate_sysctl (struct nr_jctx *c, const struct oci_config *cfg, bool fs_checks, nr_error_t *err)
{
  size_t old = nr_jctx_push (c, "sysctl");
  int r = 0;
  for (size_t i = 0; r == 0 && i < cfg->n_sysctl; i++)
    r = validate_sysctl_one (c, cfg, cfg->sysctl[i].key, fs_checks, err);
  nr_jctx_pop (c, old);
  return r;
}

/* ---- paths, personality, unsupported ------------------------------------ */

static int
validate_abs_paths (struct nr_jctx *c, const char *key, char **paths, nr_error_t *err)
{
  for (size_t i = 0; paths && paths[i]; i++)
    if (!oci_path_is_abs (paths[i]))
      {
        char k[48];
        snprintf (k, sizeof k, "%s[%zu]", key, i);
        return nr_jctx_error (c, k, err, "\"%s\" is not an absolute path", paths[i]);
      }
  return 0;
}

static int
validate_paths (struct nr_jctx *c, const struct oci_config *cfg, nr_error_t *err)
{
  bool any = (cfg->masked_paths && cfg->masked_paths[0]) || (cfg->readonly_paths && cfg->readonly_paths[0]);
  if (validate_abs_paths (c, "maskedPaths", cfg->masked_paths, err) < 0
      || validate_abs_paths (c, "readonlyPaths", cfg->readonly_paths, err) < 0)
    return -1;
  /* runc's security() check: masking without a mount namespace would mask the host's */
  if (any && oci_config_ns (cfg, OCI_NS_MOUNT) == NULL)
    return nr_jctx_error (c, cfg->masked_paths && cfg->masked_paths[0] ? "maskedPaths" : "readonlyPaths", err,
                          "cannot mask or make paths read-only without a private mount namespace");
  return 0;
}

static int
validate_misc (struct nr_jctx *c, const struct oci_config *cfg, nr_error_t *err)
{
  if (cfg->rootfs_propagation && cfg->rootfs_propagation_flags == 0)
    return nr_jctx_error (c, "rootfsPropagation", err, "unknown propagation \"%s\"", cfg->rootfs_propagation);
  if (cfg->personality_domain && strcmp (cfg->personality_domain, "LINUX") != 0
      && strcmp (cfg->personality_domain, "LINUX32") != 0)
    return nr_jctx_error (c, "personality.domain", err, "unknown domain \"%s\" (want LINUX or LINUX32)",
                          cfg->personality_domain);
  if (cfg->personality_flags && cfg->personality_flags[0])
    nr_warn ("%s: \"linux.personality.flags\": ignoring unsupported personality flags", c->what);
  if (cfg->has_intel_rdt)
    return nr_jctx_error (c, "intelRdt", err, "Intel RDT is not supported");
  if (cfg->has_net_devices)
    return nr_jctx_error (c, "netDevices", err, "moving network devices into the container is not supported");
  if (cfg->has_memory_policy)
    return nr_jctx_error (c, "memoryPolicy", err, "memory policy is not supported");
  return 0;
}

static int
validate_resources_sub (struct nr_jctx *c, const struct oci_config *cfg, nr_error_t *err)
{
  if (cfg->resources == NULL)
    return 0;
  size_t old = nr_jctx_push (c, "resources");
  int r = oci_validate_resources (c, cfg->resources, err);
  nr_jctx_pop (c, old);
  return r;
}

static int
validate_seccomp_sub (struct nr_jctx *c, const struct oci_config *cfg, nr_error_t *err)
{
  if (cfg->seccomp == NULL)
    return 0;
  size_t old = nr_jctx_push (c, "seccomp");
  int r = oci_validate_seccomp (c, cfg->seccomp, err);
  nr_jctx_pop (c, old);
  return r;
}

int
oci_validate_linux (const struct oci_config *cfg, const char *bundle_dir, nr_error_t *err)
{
  struct nr_jctx c = { .what = OCI_CONFIG_WHAT, .path = "linux" };

  if (validate_namespaces (&c, cfg, err) < 0 || validate_userns (&c, cfg, err) < 0
      || validate_time_offsets (&c, cfg, err) < 0 || validate_devices (&c, cfg, err) < 0
      || validate_resources_sub (&c, cfg, err) < 0 || validate_seccomp_sub (&c, cfg, err) < 0
      || validate_sysctl (&c, cfg, bundle_dir != NULL, err) < 0 || validate_paths (&c, cfg, err) < 0
      || validate_misc (&c, cfg, err) < 0)
    return -1;
  return 0;
}

char *
oci_sysctl_file (const char *key)
{
  char *s = sysctl_dots (key);
  for (char *p = s; p && *p; p++)
    *p = *p == '.' ? '/' : *p == '/' ? '.' : *p;
  return s;
}
