/* SPDX-License-Identifier: Apache-2.0 */
/* Device rules.  The rule list is replayed through an emulator of the v1 devices
   controller (runc's libcontainer/cgroups/devices/emulator.go semantics: an "a" rule
   resets to allow-all or deny-all, other rules add or remove exceptions, and punching a
   hole in a wildcard exception is an error).  v1 gets the least disruptive transition
   from what devices.list shows; v2 gets a BPF_PROG_TYPE_CGROUP_DEVICE program built
   from the same exceptions (runc's devicefilter.go layout). */
#include "config.h"
#include "runtime/cgroups/internal.h"
#include "common/cleanup.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* runc's specconv AllowedDevices, appended after the spec's rules. */
static const struct
{
  const char *path;
  char type;
  int64_t major, minor;
  unsigned access;
} default_rules[] = {
  { NULL, 'c', -1, -1, NR_DEV_M },            /* mknod any char device */
  { NULL, 'b', -1, -1, NR_DEV_M },            /* mknod any block device */
  { "/dev/null", 'c', 1, 3, NR_DEV_RWM },
  { "/dev/random", 'c', 1, 8, NR_DEV_RWM },
  { "/dev/full", 'c', 1, 7, NR_DEV_RWM },
  { "/dev/tty", 'c', 5, 0, NR_DEV_RWM },
  { "/dev/zero", 'c', 1, 5, NR_DEV_RWM },
  { "/dev/urandom", 'c', 1, 9, NR_DEV_RWM },
  { NULL, 'c', 136, -1, NR_DEV_RWM },         /* /dev/pts/N */
  { NULL, 'c', 5, 2, NR_DEV_RWM },            /* /dev/ptmx */
  { NULL, 'c', 10, 200, NR_DEV_RWM },         /* /dev/net/tun */
};

static int
parse_access (const char *s, unsigned *out, size_t idx, nr_error_t *err)
{
  unsigned a = 0;
  if (s == NULL || *s == '\0')
    return nr_error (err, EINVAL, "linux.resources.devices[%zu]: access cannot be empty", idx);
  for (; *s; s++)
    {
      if (*s == 'r')
        a |= NR_DEV_R;
      else if (*s == 'w')
        a |= NR_DEV_W;
      else if (*s == 'm')
        a |= NR_DEV_M;
      else
        return nr_error (err, EINVAL, "linux.resources.devices[%zu]: invalid access '%c'", idx, *s);
    }
  *out = a;
  return 0;
}

static bool
path_in (const char *path, const struct oci_device *devs, size_t n)
{
  for (size_t i = 0; path && i < n; i++)
    if (devs[i].path && strcmp (devs[i].path, path) == 0)
      return true;
  return false;
}

int
nr_cg_devrules_build (const struct oci_resources *r, const struct oci_device *devs, size_t n_devs,
                      struct nr_cg_devrule **out, size_t *n, nr_error_t *err)
{
  size_t nr = r ? r->n_devices : 0, k = 0;
  _cleanup_free_ struct nr_cg_devrule *v = calloc (nr + NR_ARRAY_SIZE (default_rules), sizeof *v);
  if (v == NULL)
    return nr_error (err, ENOMEM, "device rules");
  for (size_t i = 0; i < nr; i++)
    {
      const struct oci_device_cgroup *d = &r->devices[i];
      char t = d->type ? d->type : 'a';
      if (t != 'a' && t != 'c' && t != 'b')
        return nr_error (err, EINVAL, "linux.resources.devices[%zu]: invalid type \"%c\"", i, t);
      if (parse_access (d->access, &v[k].access, i, err) < 0)
        return -1;
      v[k].type = t;
      v[k].major = d->major < 0 ? -1 : d->major;
      v[k].minor = d->minor < 0 ? -1 : d->minor;
      v[k++].allow = d->allow;
    }
  for (size_t i = 0; i < NR_ARRAY_SIZE (default_rules); i++)
    {
      if (path_in (default_rules[i].path, devs, n_devs))
        continue;
      v[k] = (struct nr_cg_devrule){ default_rules[i].type, default_rules[i].major, default_rules[i].minor,
                                     default_rules[i].access, true };
      k++;
    }
  *out = TAKE_PTR (v);
  *n = k;
  return 0;
}

void
nr_cg_devemu_free (struct nr_cg_devemu *e)
{
  free (e->v);
  e->v = NULL;
  e->n = 0;
}

static struct nr_cg_devrule *
emu_find (const struct nr_cg_devemu *e, char type, int64_t major, int64_t minor)
{
  for (size_t i = 0; i < e->n; i++)
    if (e->v[i].type == type && e->v[i].major == major && e->v[i].minor == minor)
      return &e->v[i];
  return NULL;
}

static unsigned
emu_perms (const struct nr_cg_devemu *e, char type, int64_t major, int64_t minor)
{
  const struct nr_cg_devrule *x = emu_find (e, type, major, minor);
  return x ? x->access : 0;
}

static void
emu_add (struct nr_cg_devemu *e, const struct nr_cg_devrule *r)
{
  struct nr_cg_devrule *x = emu_find (e, r->type, r->major, r->minor);
  if (x)
    {
      x->access |= r->access;
      return;
    }
  struct nr_cg_devrule *v = realloc (e->v, (e->n + 1) * sizeof *v);
  if (v == NULL)
    abort ();
  e->v = v;
  v[e->n] = *r;
  v[e->n].allow = !e->default_allow;
  e->n++;
}

static int
emu_rm (struct nr_cg_devemu *e, const struct nr_cg_devrule *r, nr_error_t *err)
{
  /* v1 silently ignores removing part of a wildcard exception: refuse, as runc */
  const int64_t partial[3][2] = { { -1, r->minor }, { r->major, -1 }, { -1, -1 } };
  for (size_t i = 0; i < 3; i++)
    {
      if (partial[i][0] == r->major && partial[i][1] == r->minor)
        continue;
      unsigned p = emu_perms (e, r->type, partial[i][0], partial[i][1]);
      if (p & r->access)
        {
          char a[64], b[64];
          struct nr_cg_devrule w = { r->type, partial[i][0], partial[i][1], p, !e->default_allow };
          nr_cg_devrule_str (r, a);
          nr_cg_devrule_str (&w, b);
          return nr_error (err, EINVAL, "device rule \"%s\" not supported by the devices cgroup (cannot "
                                        "punch a hole in the wildcard rule \"%s\")", a, b);
        }
    }
  struct nr_cg_devrule *x = emu_find (e, r->type, r->major, r->minor);
  if (x == NULL || e->v == NULL) /* x is in e->v: the second is for the analyzer */
    return 0;
  x->access &= ~r->access;
  if (x->access == 0)
    {
      *x = e->v[e->n - 1];
      e->n--;
    }
  return 0;
}

static int
emu_one (struct nr_cg_devemu *e, const struct nr_cg_devrule *r, nr_error_t *err)
{
  if (r->type == 'a')
    {
      nr_cg_devemu_free (e);
      e->default_allow = r->allow;
      return 0;
    }
  /* a rule with the default's action removes an exception, else adds one */
  if (r->allow == e->default_allow)
    return emu_rm (e, r, err);
  emu_add (e, r);
  return 0;
}

int
nr_cg_devemu_apply (struct nr_cg_devemu *e, const struct nr_cg_devrule *rules, size_t n, nr_error_t *err)
{
  for (size_t i = 0; i < n; i++)
    if (emu_one (e, &rules[i], err) < 0)
      return -1;
  return 0;
}

static int
parse_num (const char *s, int64_t *out)
{
  if (strcmp (s, "*") == 0)
    {
      *out = -1;
      return 0;
    }
  char *end;
  errno = 0;
  long long v = strtoll (s, &end, 10);
  if (errno || *end || v < 0)
    return -1;
  *out = v;
  return 0;
}

static int
parse_list_line (char *line, struct nr_cg_devrule *r, nr_error_t *err)
{
  char type, majs[32], mins[32], acc[8];
  if (sscanf (line, "%c %31[^:]:%31s %7s", &type, majs, mins, acc) != 4
      || (type != 'a' && type != 'b' && type != 'c') || parse_num (majs, &r->major) < 0
      || parse_num (mins, &r->minor) < 0 || parse_access (acc, &r->access, 0, err) < 0)
    {
      nr_error_free (err);
      return nr_error (err, EINVAL, "devices.list: unexpected line \"%s\"", line);
    }
  r->type = type;
  r->allow = true;
  return 0;
}

int
nr_cg_devemu_from_list (struct nr_cg_devemu *e, const char *list, nr_error_t *err)
{
  _cleanup_free_ char *copy = strdup (list);
  char *save = NULL;
  if (copy == NULL)
    abort ();
  /* devices.list is the allow list; "a *:* rwm" means allow-all */
  *e = (struct nr_cg_devemu){ .default_allow = false };
  for (char *line = strtok_r (copy, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      struct nr_cg_devrule r;
      if (parse_list_line (line, &r, err) < 0 || emu_one (e, &r, err) < 0)
        {
          nr_cg_devemu_free (e);
          return -1;
        }
    }
  return 0;
}

static int
rule_cmp (const void *a, const void *b)
{
  const struct nr_cg_devrule *x = a, *y = b;
  if (x->major != y->major)
    return x->major < y->major ? -1 : 1;
  if (x->minor != y->minor)
    return x->minor < y->minor ? -1 : 1;
  return (x->type > y->type) - (x->type < y->type);
}

/* Exceptions in (major, minor, type) order, so output is stable. */
static struct nr_cg_devrule *
sorted (const struct nr_cg_devemu *e)
{
  struct nr_cg_devrule *v = malloc ((e->n + 1) * sizeof *v);
  if (v == NULL)
    abort ();
  if (e->n)
    memcpy (v, e->v, e->n * sizeof *v);
  qsort (v, e->n, sizeof *v, rule_cmp);
  return v;
}

bool
nr_cg_devemu_equal (const struct nr_cg_devemu *a, const struct nr_cg_devemu *b)
{
  if (a->default_allow != b->default_allow || a->n != b->n)
    return false;
  for (size_t i = 0; i < a->n; i++)
    if (emu_perms (b, a->v[i].type, a->v[i].major, a->v[i].minor) != a->v[i].access)
      return false;
  return true;
}

int
nr_cg_devemu_transition (const struct nr_cg_devemu *src, const struct nr_cg_devemu *dst,
                         struct nr_cg_devrule **out, size_t *n)
{
  static const struct nr_cg_devemu empty = { 0 };
  _cleanup_free_ struct nr_cg_devrule *olds = NULL, *news = sorted (dst);
  const struct nr_cg_devemu *old = src;
  struct nr_cg_devrule *v = calloc (src->n + dst->n + 1, sizeof *v);
  size_t k = 0;
  if (v == NULL)
    abort ();
  /* devices.list cannot show a black list's deny rules: start over from a reset */
  if (src->default_allow || src->default_allow != dst->default_allow)
    {
      v[k++] = (struct nr_cg_devrule){ 'a', -1, -1, NR_DEV_RWM, dst->default_allow };
      old = &empty;
    }
  olds = sorted (old);
  for (size_t i = 0; i < old->n; i++)
    {
      unsigned dropped = olds[i].access & ~emu_perms (dst, olds[i].type, olds[i].major, olds[i].minor);
      if (dropped)
        v[k++] = (struct nr_cg_devrule){ olds[i].type, olds[i].major, olds[i].minor, dropped, dst->default_allow };
    }
  for (size_t i = 0; i < dst->n; i++)
    {
      unsigned gained = news[i].access & ~emu_perms (old, news[i].type, news[i].major, news[i].minor);
      if (gained)
        v[k++] = (struct nr_cg_devrule){ news[i].type, news[i].major, news[i].minor, gained, !dst->default_allow };
    }
  *out = v;
  *n = k;
  return 0;
}

void
nr_cg_devrule_str (const struct nr_cg_devrule *r, char buf[static 64])
{
  char maj[24] = "*", min[24] = "*", acc[4] = "";
  size_t a = 0;
  if (r->major >= 0)
    snprintf (maj, sizeof maj, "%" PRId64, r->major);
  if (r->minor >= 0)
    snprintf (min, sizeof min, "%" PRId64, r->minor);
  if (r->access & NR_DEV_R)
    acc[a++] = 'r';
  if (r->access & NR_DEV_W)
    acc[a++] = 'w';
  if (r->access & NR_DEV_M)
    acc[a++] = 'm';
  acc[a] = '\0';
  snprintf (buf, 64, "%c %s:%s %s", r->type, maj, min, acc);
}

static int
v1_check (const char *dir, const struct nr_cg_devemu *target, nr_error_t *err)
{
  _cleanup_free_ char *list = NULL;
  struct nr_cg_devemu now = { 0 };
  if (nr_cg_read (dir, "devices.list", &list, err) < 0 || nr_cg_devemu_from_list (&now, list, err) < 0)
    return -1;
  bool ok = target->default_allow ? now.default_allow : nr_cg_devemu_equal (&now, target);
  nr_cg_devemu_free (&now);
  if (!ok)
    return nr_error (err, EIO, "\"%s/devices.list\" does not match the requested device rules", dir);
  return 0;
}

int
nr_cg_v1_devices (const char *dir, const struct nr_cg_devemu *target, nr_error_t *err)
{
  _cleanup_free_ char *list = NULL;
  _cleanup_free_ struct nr_cg_devrule *steps = NULL;
  struct nr_cg_devemu now = { 0 };
  size_t n = 0;
  if (nr_cg_read (dir, "devices.list", &list, err) < 0 || nr_cg_devemu_from_list (&now, list, err) < 0)
    return -1;
  nr_cg_devemu_transition (&now, target, &steps, &n);
  nr_cg_devemu_free (&now);
  for (size_t i = 0; i < n; i++)
    {
      char line[64];
      nr_cg_devrule_str (&steps[i], line);
      if (nr_cg_write (dir, steps[i].allow ? "devices.allow" : "devices.deny", line, err) < 0)
        return -1;
    }
  return nr_cg_seam.fake_fs ? 0 : v1_check (dir, target, err);
}

/* ---- the v2 program ------------------------------------------------------------- */

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

struct prog
{
  struct bpf_insn *v;
  size_t n, cap;
};

static void
emit (struct prog *p, struct bpf_insn insn)
{
  if (p->n == p->cap)
    {
      p->cap = p->cap ? p->cap * 2 : 64;
      p->v = realloc (p->v, p->cap * sizeof *p->v);
      if (p->v == NULL)
        abort ();
    }
  p->v[p->n++] = insn;
}

static int32_t
bpf_access (unsigned a)
{
  return (a & NR_DEV_R ? BPF_DEVCG_ACC_READ : 0) | (a & NR_DEV_W ? BPF_DEVCG_ACC_WRITE : 0)
         | (a & NR_DEV_M ? BPF_DEVCG_ACC_MKNOD : 0);
}

/* r2 = type, r3 = access, r4 = major, r5 = minor (struct bpf_cgroup_dev_ctx) */
static void
prologue (struct prog *p)
{
  emit (p, INSN (BPF_LDX | BPF_MEM | BPF_W, 2, 1, 0, 0));
  emit (p, INSN (BPF_ALU | BPF_AND | BPF_K, 2, 0, 0, 0xffff));
  emit (p, INSN (BPF_LDX | BPF_MEM | BPF_W, 3, 1, 0, 0));
  emit (p, INSN (BPF_ALU | BPF_RSH | BPF_K, 3, 0, 0, 16));
  emit (p, INSN (BPF_LDX | BPF_MEM | BPF_W, 4, 1, 4, 0));
  emit (p, INSN (BPF_LDX | BPF_MEM | BPF_W, 5, 1, 8, 0));
}

/* One block: every test jumps past the block on mismatch; a match returns the action. */
static void
block (struct prog *p, const struct nr_cg_devrule *r)
{
  size_t start = p->n;
  emit (p, INSN (BPF_JMP | BPF_JNE | BPF_K, 2, 0, 0, r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR));
  if (r->access != NR_DEV_RWM)
    {
      /* the requested access must be a subset of the rule's */
      emit (p, INSN (BPF_ALU | BPF_MOV | BPF_X, 1, 3, 0, 0));
      emit (p, INSN (BPF_ALU | BPF_AND | BPF_K, 1, 0, 0, bpf_access (r->access)));
      emit (p, INSN (BPF_JMP | BPF_JNE | BPF_X, 1, 3, 0, 0));
    }
  if (r->major >= 0)
    emit (p, INSN (BPF_JMP | BPF_JNE | BPF_K, 4, 0, 0, (int32_t) r->major));
  if (r->minor >= 0)
    emit (p, INSN (BPF_JMP | BPF_JNE | BPF_K, 5, 0, 0, (int32_t) r->minor));
  emit (p, INSN (BPF_ALU | BPF_MOV | BPF_K, 0, 0, 0, r->allow ? 1 : 0));
  emit (p, INSN (BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
  for (size_t i = start; i < p->n; i++)
    if (BPF_CLASS (p->v[i].code) == BPF_JMP && BPF_OP (p->v[i].code) == BPF_JNE)
      p->v[i].off = (int16_t) (p->n - (i + 1));
}

int
nr_cg_bpf_program (const struct nr_cg_devemu *e, struct bpf_insn **out, size_t *n, nr_error_t *err)
{
  _cleanup_free_ struct nr_cg_devrule *rules = sorted (e);
  struct prog p = { 0 };
  prologue (&p);
  for (size_t i = 0; i < e->n; i++)
    {
      const struct nr_cg_devrule *r = &rules[i];
      if ((r->type != 'c' && r->type != 'b') || r->major > UINT32_MAX || r->minor > UINT32_MAX)
        {
          free (p.v);
          return nr_error (err, EINVAL, "device rule for type '%c' %" PRId64 ":%" PRId64 " cannot be expressed",
                           r->type, r->major, r->minor);
        }
      block (&p, r);
    }
  emit (&p, INSN (BPF_ALU | BPF_MOV | BPF_K, 0, 0, 0, e->default_allow ? 1 : 0));
  emit (&p, INSN (BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
  *out = p.v;
  *n = p.n;
  return 0;
}
