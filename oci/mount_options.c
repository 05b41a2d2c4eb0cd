/* SPDX-License-Identifier: Apache-2.0 */
/* Mount options → MS_* flags, propagation, MOUNT_ATTR_* and fs data, after runc's
   tables (libcontainer/specconv/spec_linux.go: mountFlags, mountPropagationMapping,
   recAttrFlags, extensionFlags). */
#include <config.h> /* autoconf; "config.h" would find oci/config.h */
#include "oci/config.h"
#include "common/cleanup.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif
#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#define MOUNT_ATTR_NOSUID 0x00000002
#define MOUNT_ATTR_NODEV 0x00000004
#define MOUNT_ATTR_NOEXEC 0x00000008
#define MOUNT_ATTR__ATIME 0x00000070
#define MOUNT_ATTR_RELATIME 0x00000000
#define MOUNT_ATTR_NOATIME 0x00000010
#define MOUNT_ATTR_STRICTATIME 0x00000020
#define MOUNT_ATTR_NODIRATIME 0x00000080
#endif
#ifndef MOUNT_ATTR_NOSYMFOLLOW
#define MOUNT_ATTR_NOSYMFOLLOW 0x00200000
#endif

#define FLAG(n, clr, f) { .name = (n), .clear = (clr), .flag = (f) }
#define PROP(n, f) { .name = (n), .flag = (f), .is_propagation = true }
#define RATTR(n, clr, a) { .name = (n), .clear = (clr), .attr = (a) }

/* "defaults", "tmpcopyup" and "x-nestrun.locked" are handled by name; every other entry without a
   flag or propagation is a recursive attribute (MOUNT_ATTR_RELATIME is 0).
   "idmap"/"ridmap" are not listed: idmapped mounts are not supported
   (oci_config_validate refuses them). */
const struct oci_mount_option oci_mount_options[] = {
  FLAG ("async", true, MS_SYNCHRONOUS),
  FLAG ("atime", true, MS_NOATIME),
  FLAG ("bind", false, MS_BIND),
  FLAG ("defaults", false, 0),
  FLAG ("dev", true, MS_NODEV),
  FLAG ("diratime", true, MS_NODIRATIME),
  FLAG ("dirsync", false, MS_DIRSYNC),
  FLAG ("exec", true, MS_NOEXEC),
  FLAG ("iversion", false, MS_I_VERSION),
  FLAG ("lazytime", false, MS_LAZYTIME),
  FLAG ("loud", true, MS_SILENT),
  FLAG ("mand", false, MS_MANDLOCK),
  FLAG ("noatime", false, MS_NOATIME),
  FLAG ("nodev", false, MS_NODEV),
  FLAG ("nodiratime", false, MS_NODIRATIME),
  FLAG ("noexec", false, MS_NOEXEC),
  FLAG ("noiversion", true, MS_I_VERSION),
  FLAG ("nolazytime", true, MS_LAZYTIME),
  FLAG ("nomand", true, MS_MANDLOCK),
  FLAG ("norelatime", true, MS_RELATIME),
  FLAG ("nostrictatime", true, MS_STRICTATIME),
  FLAG ("nosuid", false, MS_NOSUID),
  FLAG ("nosymfollow", false, MS_NOSYMFOLLOW),
  FLAG ("rbind", false, MS_BIND | MS_REC),
  FLAG ("relatime", false, MS_RELATIME),
  FLAG ("remount", false, MS_REMOUNT),
  FLAG ("ro", false, MS_RDONLY),
  FLAG ("rw", true, MS_RDONLY),
  FLAG ("silent", false, MS_SILENT),
  FLAG ("strictatime", false, MS_STRICTATIME),
  FLAG ("suid", true, MS_NOSUID),
  FLAG ("symfollow", true, MS_NOSYMFOLLOW),
  FLAG ("sync", false, MS_SYNCHRONOUS),

  PROP ("private", MS_PRIVATE),
  PROP ("rprivate", MS_PRIVATE | MS_REC),
  PROP ("shared", MS_SHARED),
  PROP ("rshared", MS_SHARED | MS_REC),
  PROP ("slave", MS_SLAVE),
  PROP ("rslave", MS_SLAVE | MS_REC),
  PROP ("unbindable", MS_UNBINDABLE),
  PROP ("runbindable", MS_UNBINDABLE | MS_REC),

  RATTR ("rro", false, MOUNT_ATTR_RDONLY),
  RATTR ("rrw", true, MOUNT_ATTR_RDONLY),
  RATTR ("rnosuid", false, MOUNT_ATTR_NOSUID),
  RATTR ("rsuid", true, MOUNT_ATTR_NOSUID),
  RATTR ("rnodev", false, MOUNT_ATTR_NODEV),
  RATTR ("rdev", true, MOUNT_ATTR_NODEV),
  RATTR ("rnoexec", false, MOUNT_ATTR_NOEXEC),
  RATTR ("rexec", true, MOUNT_ATTR_NOEXEC),
  RATTR ("rnodiratime", false, MOUNT_ATTR_NODIRATIME),
  RATTR ("rdiratime", true, MOUNT_ATTR_NODIRATIME),
  RATTR ("rrelatime", false, MOUNT_ATTR_RELATIME),
  RATTR ("rnorelatime", true, MOUNT_ATTR_RELATIME),
  RATTR ("rnoatime", false, MOUNT_ATTR_NOATIME),
  RATTR ("ratime", true, MOUNT_ATTR_NOATIME),
  RATTR ("rstrictatime", false, MOUNT_ATTR_STRICTATIME),
  RATTR ("rnostrictatime", true, MOUNT_ATTR_STRICTATIME),
  RATTR ("rnosymfollow", false, MOUNT_ATTR_NOSYMFOLLOW),
  RATTR ("rsymfollow", true, MOUNT_ATTR_NOSYMFOLLOW),

  FLAG ("tmpcopyup", false, 0),
  /* ours: the mount's flags and the mounts below it cannot be changed from inside,
     even with CAP_SYS_ADMIN (runtime/mount_lock.c); other runtimes see unknown fs
     data, which a bind mount ignores */
  FLAG (NR_MOUNT_OPT_LOCKED, false, 0),
};
const size_t oci_n_mount_options = NR_ARRAY_SIZE (oci_mount_options);

/* The three tables share no name; "rbind" is a flag, not a recursive attr. */
static const struct oci_mount_option *
find_option (const char *name)
{
  for (size_t i = 0; i < oci_n_mount_options; i++)
    if (strcmp (oci_mount_options[i].name, name) == 0)
      return &oci_mount_options[i];
  return NULL;
}

static void
apply_flag (struct oci_mount *m, const struct oci_mount_option *o)
{
  if (o->clear)
    {
      m->flags &= ~o->flag;
      m->clear_flags |= o->flag;
    }
  else
    {
      m->flags |= o->flag;
      m->clear_flags &= ~o->flag;
    }
}

static void
apply_attr (struct oci_mount *m, const struct oci_mount_option *o)
{
  if (o->clear)
    {
      m->attr_clr |= o->attr;
      m->attr_set &= ~o->attr;
      return;
    }
  m->attr_set |= o->attr;
  m->attr_clr &= ~o->attr;
  /* mount_setattr(2): an access-time setting in attr_set needs MOUNT_ATTR__ATIME
     in attr_clr too (MOUNT_ATTR_RELATIME is 0, so it always lands here). */
  if ((o->attr & MOUNT_ATTR__ATIME) == o->attr)
    m->attr_clr |= MOUNT_ATTR__ATIME;
}

/* Returns false when the option is not in the table: fs data. */
static bool
apply_option (struct oci_mount *m, const char *opt)
{
  if (strcmp (opt, "idmap") == 0 || strcmp (opt, "ridmap") == 0)
    {
      m->idmap = true;
      return true;
    }
  const struct oci_mount_option *o = find_option (opt);
  if (o == NULL)
    return false;
  if (strcmp (o->name, "defaults") == 0)
    return true;
  if (strcmp (o->name, "tmpcopyup") == 0)
    m->tmpcopyup = true;
  else if (strcmp (o->name, NR_MOUNT_OPT_LOCKED) == 0)
    m->locked = true;
  else if (o->is_propagation)
    m->propagation = o->flag; /* the last one given wins */
  else if (o->flag != 0)
    apply_flag (m, o);
  else
    apply_attr (m, o); /* rrelatime and rnorelatime have attr 0 */
  return true;
}

static void
reset_computed (struct oci_mount *m)
{
  m->flags = m->clear_flags = m->propagation = 0;
  m->attr_set = m->attr_clr = 0;
  m->recursive_attrs = m->bind = m->rbind = m->idmap = m->tmpcopyup = m->locked = false;
  free (m->data);
  m->data = NULL;
}

/* Append opt to the comma-separated *data. */
static int
append_data (char **data, const char *opt)
{
  size_t old = *data ? strlen (*data) : 0;
  size_t add = strlen (opt);
  char *n = realloc (*data, old + add + 2);
  if (n == NULL)
    return -1;
  if (old)
    n[old++] = ',';
  memcpy (n + old, opt, add + 1);
  *data = n;
  return 0;
}

int
oci_mount_parse_options (struct oci_mount *m, nr_error_t *err)
{
  reset_computed (m);
  for (char **o = m->options; o && *o; o++)
    {
      if (apply_option (m, *o))
        continue;
      if (append_data (&m->data, *o) < 0)
        return nr_error (err, ENOMEM, "mount options of \"%s\"", m->destination ? m->destination : "");
    }
  if (m->type && strcmp (m->type, "bind") == 0)
    m->flags |= MS_BIND;
  m->bind = (m->flags & MS_BIND) != 0;
  m->rbind = m->bind && (m->flags & MS_REC) != 0;
  m->recursive_attrs = m->attr_set != 0 || m->attr_clr != 0;
  return 0;
}
