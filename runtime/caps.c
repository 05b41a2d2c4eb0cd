/* SPDX-License-Identifier: Apache-2.0 */
/* Capability names and the five sets; see caps.h for the order of the steps. */
#include <config.h> /* autoconf; "config.h" would find oci/config.h */
#include "runtime/caps.h"
#include "common/cleanup.h"
#include "common/log.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_RAISE 2
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

DEFINE_CLEANUP_FUNC (cap_t, cap_free)
#define _cleanup_cap_ _cleanup_ (cap_freep)

#define NR_CAP_MAX 63 /* our masks are 64 bits */

/* ---- names ---------------------------------------------------------------- */

static char cap_names[NR_CAP_MAX + 1][32];
static const char *known[NR_CAP_MAX + 2];
static int last_cap = -1;

static int
read_last_cap (void)
{
  _cleanup_fclose_ FILE *f = fopen ("/proc/sys/kernel/cap_last_cap", "re");
  int v = -1;

  if (f == NULL || fscanf (f, "%d", &v) != 1 || v < 0)
    v = cap_max_bits () - 1; /* no /proc (early in a container): libcap probes the kernel */
  return v > NR_CAP_MAX ? NR_CAP_MAX : v;
}

static void
init_names (void)
{
  size_t n = 0;

  if (last_cap >= 0)
    return;
  last_cap = read_last_cap ();
  for (int i = 0; i <= last_cap; i++)
    {
      char *name = cap_to_name ((cap_value_t) i);
      /* libcap spells caps it has no name for as a number */
      if (name && strncmp (name, "cap_", 4) == 0 && strlen (name) < sizeof cap_names[i])
        {
          for (size_t j = 0; name[j]; j++)
            cap_names[i][j] = (char) toupper ((unsigned char) name[j]);
          known[n++] = cap_names[i];
        }
      cap_free (name);
    }
  known[n] = NULL;
}

int
nr_cap_last (void)
{
  init_names ();
  return last_cap;
}

const char *
nr_cap_name (int cap)
{
  init_names ();
  if (cap < 0 || cap > last_cap || cap_names[cap][0] == '\0')
    return NULL;
  return cap_names[cap];
}

int
nr_cap_from_name (const char *name)
{
  init_names ();
  for (int i = 0; name && i <= last_cap; i++)
    if (strcmp (cap_names[i], name) == 0)
      return i;
  return -1;
}

const char *const *
nr_caps_known (void)
{
  init_names ();
  return known;
}

char *
nr_caps_mask_names (uint64_t mask)
{
  size_t len = 1;
  char *out, *p;

  for (int i = 0; i <= NR_CAP_MAX; i++)
    if (mask & NR_CAP_BIT (i))
      len += 32;
  p = out = malloc (len);
  if (out == NULL)
    return NULL;
  *p = '\0';
  for (int i = 0; i <= NR_CAP_MAX; i++)
    if (mask & NR_CAP_BIT (i))
      {
        const char *n = nr_cap_name (i);
        p += n ? sprintf (p, "%s%s", p == out ? "" : " ", n) : sprintf (p, "%s%d", p == out ? "" : " ", i);
      }
  return out;
}

/* ---- what the runtime holds ---------------------------------------------------- */

uint64_t
nr_caps_host_bounding (void)
{
  uint64_t m = 0;
  int last = nr_cap_last ();
  for (int i = 0; i <= last; i++)
    if (prctl (PR_CAPBSET_READ, (unsigned long) i, 0, 0, 0) == 1)
      m |= NR_CAP_BIT (i);
  return m;
}

static int
proc_sets (uint64_t *eff, uint64_t *perm, uint64_t *inh)
{
  _cleanup_cap_ cap_t c = cap_get_proc ();
  int last = nr_cap_last ();

  *eff = *perm = *inh = 0;
  if (c == NULL)
    return -1;
  for (int i = 0; i <= last; i++)
    {
      cap_flag_value_t e = CAP_CLEAR, p = CAP_CLEAR, h = CAP_CLEAR;
      cap_get_flag (c, (cap_value_t) i, CAP_EFFECTIVE, &e);
      cap_get_flag (c, (cap_value_t) i, CAP_PERMITTED, &p);
      cap_get_flag (c, (cap_value_t) i, CAP_INHERITABLE, &h);
      *eff |= e == CAP_SET ? NR_CAP_BIT (i) : 0;
      *perm |= p == CAP_SET ? NR_CAP_BIT (i) : 0;
      *inh |= h == CAP_SET ? NR_CAP_BIT (i) : 0;
    }
  return 0;
}

uint64_t
nr_caps_host_permitted (void)
{
  uint64_t e, p, i;
  return proc_sets (&e, &p, &i) < 0 ? 0 : p;
}

/* ---- prepare: names → masks ---------------------------------------------------- */

static int
cmp_str (const void *a, const void *b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* runc's wording and format: `ignoring unknown or unavailable capabilities: [CAP_A CAP_B]` */
static void
warn_unknown (const char **v, size_t n)
{
  _cleanup_free_ char *buf = NULL;
  size_t len = 3, k = 0;

  qsort (v, n, sizeof *v, cmp_str);
  for (size_t i = 0; i < n; i++)
    len += strlen (v[i]) + 1;
  buf = malloc (len);
  if (buf == NULL)
    return;
  buf[k++] = '[';
  for (size_t i = 0; i < n; i++)
    if (i == 0 || strcmp (v[i], v[i - 1]) != 0)
      k += (size_t) sprintf (buf + k, "%s%s", k > 1 ? " " : "", v[i]);
  strcpy (buf + k, "]");
  nr_warn ("ignoring unknown or unavailable capabilities: %s", buf);
}

static size_t
count_names (char **const sets[NR_CAP_SETS])
{
  size_t n = 0;
  for (int s = 0; s < NR_CAP_SETS; s++)
    for (char **p = sets[s]; p && *p; p++)
      n++;
  return n;
}

int
nr_caps_prepare_with (const struct oci_capabilities *c, uint64_t available, struct nr_caps *out, nr_error_t *err)
{
  char **const sets[NR_CAP_SETS] = { c ? c->bounding : NULL, c ? c->effective : NULL, c ? c->inheritable : NULL,
                                     c ? c->permitted : NULL, c ? c->ambient : NULL };
  _cleanup_free_ const char **unknown = calloc (count_names (sets) + 1, sizeof *unknown);
  size_t n_unknown = 0;
  uint64_t wanted = 0, lacking;

  memset (out, 0, sizeof *out);
  if (unknown == NULL)
    return nr_error (err, ENOMEM, "capabilities");
  for (int s = 0; s < NR_CAP_SETS; s++)
    for (char **p = sets[s]; p && *p; p++)
      {
        int n = nr_cap_from_name (*p);
        if (n < 0)
          unknown[n_unknown++] = *p;
        else
          out->set[s] |= NR_CAP_BIT (n);
      }
  if (n_unknown)
    warn_unknown (unknown, n_unknown);
  for (int s = 0; s < NR_CAP_SETS; s++)
    wanted |= out->set[s];
  lacking = wanted & ~available;
  if (lacking)
    {
      _cleanup_free_ char *names = nr_caps_mask_names (lacking);
      nr_warn ("capabilities not in the runtime's bounding set were not granted: %s", names ? names : "?");
    }
  for (int s = 0; s < NR_CAP_SETS; s++)
    out->set[s] &= available;
  return 0;
}

int
nr_caps_prepare (const struct oci_capabilities *c, struct nr_caps *out, nr_error_t *err)
{
  return nr_caps_prepare_with (c, nr_caps_host_bounding (), out, err);
}

/* ---- apply (container init) ---------------------------------------------------- */

static int
drop_bounding (uint64_t keep, nr_error_t *err)
{
  int last = nr_cap_last ();
  for (int i = 0; i <= last; i++)
    {
      if (keep & NR_CAP_BIT (i))
        continue;
      /* no PR_CAPBSET_READ first: dropping a capability the set lacks succeeds (one
         prctl per capability instead of two); EINVAL: the kernel does not know it
         (runc ignores it too) */
      if (prctl (PR_CAPBSET_DROP, (unsigned long) i, 0, 0, 0) < 0 && errno != EINVAL)
        return nr_error (err, errno, "drop %s from the bounding set", nr_cap_name (i) ? nr_cap_name (i) : "?");
    }
  return 0;
}

int
nr_caps_before_setuid (const struct nr_caps *c, nr_error_t *err)
{
  uint64_t eff, perm, inh;

  if (proc_sets (&eff, &perm, &inh) < 0)
    return nr_error (err, errno, "read the init's capabilities");
  /* as runc: without CAP_SETPCAP the bounding set cannot shrink; leave it */
  if (!(eff & NR_CAP_BIT (CAP_SETPCAP)))
    nr_debug ("no CAP_SETPCAP: capability bounding set left as is");
  else if (drop_bounding (c->set[NR_CAP_BOUNDING], err) < 0)
    return -1;
  if (prctl (PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
    return nr_error (err, errno, "prctl(PR_SET_KEEPCAPS)");
  return 0;
}

static int
set_proc (uint64_t eff, uint64_t perm, uint64_t inh, nr_error_t *err)
{
  const cap_flag_t flags[] = { CAP_EFFECTIVE, CAP_PERMITTED, CAP_INHERITABLE };
  const uint64_t masks[] = { eff, perm, inh };
  _cleanup_cap_ cap_t c = cap_init ();
  int last = nr_cap_last ();

  if (c == NULL)
    return nr_error (err, errno, "capabilities");
  for (int f = 0; f < 3; f++)
    for (int i = 0; i <= last; i++)
      if (masks[f] & NR_CAP_BIT (i))
        {
          cap_value_t v = (cap_value_t) i;
          if (cap_set_flag (c, flags[f], 1, &v, CAP_SET) < 0)
            return nr_error (err, errno, "capabilities: set %s", nr_cap_name (i) ? nr_cap_name (i) : "?");
        }
  if (cap_set_proc (c) < 0)
    return nr_error (err, errno, "apply capabilities (capset)");
  return 0;
}

static int
raise_ambient (uint64_t amb, nr_error_t *err)
{
  int last = nr_cap_last ();

  if (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
    {
      if (errno == EINVAL && amb == 0)
        return 0; /* kernel < 4.3: no ambient set */
      return nr_error (err, errno, "clear the ambient capabilities");
    }
  for (int i = 0; i <= last; i++)
    if ((amb & NR_CAP_BIT (i)) && prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long) i, 0, 0) < 0)
      return nr_error (err, errno, "raise ambient capability %s", nr_cap_name (i) ? nr_cap_name (i) : "?");
  return 0;
}

int
nr_caps_after_setuid (const struct nr_caps *c, nr_error_t *err)
{
  uint64_t held_e, held_p, held_i, perm, eff, inh, amb, lost;

  if (prctl (PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
    return nr_error (err, errno, "prctl(PR_SET_KEEPCAPS, 0)");
  if (proc_sets (&held_e, &held_p, &held_i) < 0)
    return nr_error (err, errno, "read the init's capabilities");
  /* capset(2): P' ⊆ P, E' ⊆ P', I' ⊆ I|P (no CAP_SETPCAP after setuid) and I' ⊆ I|bounding */
  perm = c->set[NR_CAP_PERMITTED] & held_p;
  eff = c->set[NR_CAP_EFFECTIVE] & perm;
  inh = c->set[NR_CAP_INHERITABLE] & (held_i | held_p);
  /* a capability not yet inheritable can be added only from the bounding set: ask
     the kernel about those few, not all of them */
  for (int i = 0; i <= nr_cap_last (); i++)
    if ((inh & ~held_i & NR_CAP_BIT (i)) && prctl (PR_CAPBSET_READ, (unsigned long) i, 0, 0, 0) != 1)
      inh &= ~NR_CAP_BIT (i);
  lost = (c->set[NR_CAP_PERMITTED] | c->set[NR_CAP_EFFECTIVE] | c->set[NR_CAP_INHERITABLE]) & ~(perm | eff | inh);
  if (lost)
    {
      _cleanup_free_ char *names = nr_caps_mask_names (lost);
      nr_warn ("capabilities the container init does not hold were not granted: %s", names ? names : "?");
    }
  /* the kernel raises an ambient cap only if it is permitted and inheritable; runc
     ignores the failure, we skip it up front */
  amb = c->set[NR_CAP_AMBIENT] & perm & inh;
  if (amb != c->set[NR_CAP_AMBIENT])
    {
      _cleanup_free_ char *names = nr_caps_mask_names (c->set[NR_CAP_AMBIENT] & ~amb);
      nr_debug ("ambient capabilities not both permitted and inheritable skipped: %s", names ? names : "?");
    }
  if (set_proc (eff, perm, inh, err) < 0)
    return -1;
  (void) held_e;
  return raise_ambient (amb, err);
}
