/* SPDX-License-Identifier: Apache-2.0 */
/* Semantic checks of linux.seccomp and linux.resources (also used on their own
   by update --resources).  Names follow libseccomp and the runtime-spec schema. */
#include <config.h> /* autoconf; "config.h" would find oci/config.h */
#include "oci/config_internal.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---- seccomp ------------------------------------------------------------ */

static const char *const seccomp_actions[] = {
  "SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",   "SCMP_ACT_ERRNO",
  "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW",        "SCMP_ACT_LOG",         "SCMP_ACT_NOTIFY", NULL,
};
static const char *const seccomp_ops[] = {
  "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ", NULL,
};
static const char *const seccomp_flags[] = {
  "SECCOMP_FILTER_FLAG_TSYNC",
  "SECCOMP_FILTER_FLAG_LOG",
  "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
  "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
  NULL,
};
static const char *const seccomp_arches[] = {
  "SCMP_ARCH_X86",       "SCMP_ARCH_X86_64",    "SCMP_ARCH_X32",       "SCMP_ARCH_ARM",
  "SCMP_ARCH_AARCH64",   "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K",    "SCMP_ARCH_MIPS",
  "SCMP_ARCH_MIPS64",    "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL",    "SCMP_ARCH_MIPSEL64",
  "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",     "SCMP_ARCH_PPC64",     "SCMP_ARCH_PPC64LE",
  "SCMP_ARCH_S390",      "SCMP_ARCH_S390X",     "SCMP_ARCH_SH",        "SCMP_ARCH_SHEB",
  "SCMP_ARCH_PARISC",    "SCMP_ARCH_PARISC64",  "SCMP_ARCH_RISCV64",   NULL,
};

/* Only these actions carry an errno (runtime-spec: an errno with any other
   action MUST be an error). */
static bool
action_takes_errno (const char *a)
{
  return strcmp (a, "SCMP_ACT_ERRNO") == 0 || strcmp (a, "SCMP_ACT_TRACE") == 0;
}

static int
validate_syscall (struct nr_jctx *c, const struct oci_seccomp *s, const struct oci_seccomp_syscall *sc,
                  nr_error_t *err)
{
  if (sc->names == NULL || sc->names[0] == NULL)
    return nr_jctx_error (c, "names", err, "must contain at least one entry");
  for (size_t i = 0; sc->names[i]; i++)
    if (sc->names[i][0] == '\0')
      return nr_jctx_error (c, "names", err, "empty syscall name");
  if (!oci_in_list (sc->action, seccomp_actions))
    return nr_jctx_error (c, "action", err, "unknown action \"%s\"", sc->action);
  if (sc->has_errno_ret && !action_takes_errno (sc->action))
    return nr_jctx_error (c, "errnoRet", err, "not valid with action %s", sc->action);
  if (strcmp (sc->action, "SCMP_ACT_NOTIFY") == 0 && (s->listener_path == NULL || !s->listener_path[0]))
    return nr_jctx_error (c, "action", err, "SCMP_ACT_NOTIFY needs linux.seccomp.listenerPath");
  for (size_t i = 0; i < sc->n_args; i++)
    {
      char key[32];
      snprintf (key, sizeof key, "args[%zu]", i);
      if (sc->args[i].index > 5)
        return nr_jctx_error (c, key, err, "index %u is out of range (0 to 5)", sc->args[i].index);
      if (!oci_in_list (sc->args[i].op, seccomp_ops))
        return nr_jctx_error (c, key, err, "unknown op \"%s\"", sc->args[i].op);
    }
  return 0;
}

static int
validate_seccomp_top (struct nr_jctx *c, const struct oci_seccomp *s, nr_error_t *err)
{
  if (!oci_in_list (s->default_action, seccomp_actions))
    return nr_jctx_error (c, "defaultAction", err, "unknown action \"%s\"", s->default_action);
  if (strcmp (s->default_action, "SCMP_ACT_NOTIFY") == 0)
    return nr_jctx_error (c, "defaultAction", err, "SCMP_ACT_NOTIFY cannot be the default action");
  if (s->has_default_errno_ret && !action_takes_errno (s->default_action))
    return nr_jctx_error (c, "defaultErrnoRet", err, "not valid with action %s", s->default_action);
  for (size_t i = 0; s->architectures && s->architectures[i]; i++)
    if (!oci_in_list (s->architectures[i], seccomp_arches))
      return nr_jctx_error (c, "architectures", err, "unknown architecture \"%s\"", s->architectures[i]);
  for (size_t i = 0; s->flags && s->flags[i]; i++)
    if (!oci_in_list (s->flags[i], seccomp_flags))
      return nr_jctx_error (c, "flags", err, "unknown flag \"%s\"", s->flags[i]);
  if (s->listener_metadata && s->listener_metadata[0] && (s->listener_path == NULL || !s->listener_path[0]))
    return nr_jctx_error (c, "listenerMetadata", err, "must not be set without listenerPath");
  if (s->listener_path && s->listener_path[0] && !oci_path_is_abs (s->listener_path))
    return nr_jctx_error (c, "listenerPath", err, "\"%s\" is not an absolute path", s->listener_path);
  return 0;
}

int
oci_validate_seccomp (struct nr_jctx *c, const struct oci_seccomp *s, nr_error_t *err)
{
#ifndef HAVE_SECCOMP
  return nr_jctx_error (c, NULL, err, "seccomp is not supported: nestrun was built without libseccomp");
#endif
  if (validate_seccomp_top (c, s, err) < 0)
    return -1;
  for (size_t i = 0; i < s->n_syscalls; i++)
    {
      char key[32];
      snprintf (key, sizeof key, "syscalls[%zu]", i);
      size_t old = nr_jctx_push (c, key);
      int r = validate_syscall (c, s, &s->syscalls[i], err);
      nr_jctx_pop (c, old);
      if (r < 0)
        return r;
    }
  return 0;
}

/* ---- resources ---------------------------------------------------------- */

static int
validate_device_rules (struct nr_jctx *c, const struct oci_resources *r, nr_error_t *err)
{
  for (size_t i = 0; i < r->n_devices; i++)
    {
      const struct oci_device_cgroup *d = &r->devices[i];
      char key[48];
      if (d->type != 'a' && d->type != 'b' && d->type != 'c')
        {
          snprintf (key, sizeof key, "devices[%zu].type", i);
          return nr_jctx_error (c, key, err, "invalid device type (want a, b or c)");
        }
      /* -1 is "any"; a rule is 32-bit in devices.allow and in the eBPF program */
      if (d->major < -1 || d->major > UINT32_MAX || d->minor < -1 || d->minor > UINT32_MAX)
        {
          bool maj = d->major < -1 || d->major > UINT32_MAX;
          snprintf (key, sizeof key, "devices[%zu].%s", i, maj ? "major" : "minor");
          return nr_jctx_error (c, key, err, "%" PRId64 " is out of range (-1 for any, else 0-4294967295)",
                                maj ? d->major : d->minor);
        }
      snprintf (key, sizeof key, "devices[%zu].access", i);
      if (d->access == NULL || d->access[0] == '\0' || d->access[strspn (d->access, "rwm")] != '\0')
        return nr_jctx_error (c, key, err, "invalid access \"%s\" (want a combination of r, w and m)",
                              d->access ? d->access : "");
    }
  return 0;
}

/* The schema's pattern ^[1-9][0-9]*[KMG]B$ ("2MB", "1GB", "64KB"). */
static bool
page_size_ok (const char *s)
{
  size_t digits = strspn (s, "0123456789");
  return digits > 0 && s[0] != '0' && strchr ("KMG", s[digits]) && s[digits] != '\0' && s[digits + 1] == 'B'
         && s[digits + 2] == '\0';
}

static int
validate_blkio_hugetlb (struct nr_jctx *c, const struct oci_resources *r, nr_error_t *err)
{
  char key[64];
  for (size_t i = 0; i < r->n_blkio_weight_devices; i++)
    if (!r->blkio_weight_devices[i].has_weight && !r->blkio_weight_devices[i].has_leaf_weight)
      {
        snprintf (key, sizeof key, "blockIO.weightDevice[%zu]", i);
        return nr_jctx_error (c, key, err, "needs weight or leafWeight");
      }
  for (size_t i = 0; i < r->n_hugepage_limits; i++)
    if (!page_size_ok (r->hugepage_limits[i].page_size))
      {
        snprintf (key, sizeof key, "hugepageLimits[%zu].pageSize", i);
        return nr_jctx_error (c, key, err, "invalid page size \"%s\" (want e.g. \"2MB\", \"1GB\", \"64KB\")",
                              r->hugepage_limits[i].page_size);
      }
  return 0;
}

/* unified keys are file names in the container's cgroup directory. */
static int
validate_unified (struct nr_jctx *c, const struct oci_resources *r, nr_error_t *err)
{
  for (size_t i = 0; i < r->n_unified; i++)
    {
      const char *k = r->unified[i].key;
      if (k[0] == '\0' || strchr (k, '/') || strcmp (k, ".") == 0 || strcmp (k, "..") == 0)
        return nr_jctx_error (c, "unified", err, "\"%s\" is not a cgroup file name", k);
    }
  return 0;
}

int
oci_validate_resources (struct nr_jctx *c, const struct oci_resources *r, nr_error_t *err)
{
  if (validate_device_rules (c, r, err) < 0 || validate_blkio_hugetlb (c, r, err) < 0
      || validate_unified (c, r, err) < 0)
    return -1;
  if (r->has_rdma)
    return nr_jctx_error (c, "rdma", err, "the rdma controller is not supported");
  return 0;
}

int
oci_resources_validate (const struct oci_resources *r, const char *what, nr_error_t *err)
{
  struct nr_jctx c = { .what = what ? what : "resources.json" };
  return oci_validate_resources (&c, r, err);
}
