/* SPDX-License-Identifier: Apache-2.0 */
/* linux.seccomp → libseccomp filter → cBPF (+ runc's -ENOSYS stub) → seccomp(2).
   See seccomp.h for where each step runs. */
#include <config.h> /* autoconf; "config.h" would find oci/config.h */
#include "runtime/seccomp.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/json.h"
#include "common/log.h"

#include <ctype.h>
#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif
#ifndef BPF_MAXINSNS
#define BPF_MAXINSNS 4096
#endif
#define X32_SYSCALL_BIT 0x40000000U

DEFINE_CLEANUP_FUNC (scmp_filter_ctx, seccomp_release)
#define _cleanup_seccomp_ _cleanup_ (seccomp_releasep)

/* ---- name tables ---------------------------------------------------------- */

struct action
{
  const char *name;
  uint32_t act;
  bool takes_errno;
  unsigned int api; /* libseccomp API level that knows it */
};

static const struct action actions[] = {
  { "SCMP_ACT_KILL", SCMP_ACT_KILL_THREAD, false, 1 },
  { "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, false, 3 },
  { "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, false, 1 },
  { "SCMP_ACT_TRAP", SCMP_ACT_TRAP, false, 1 },
  { "SCMP_ACT_ERRNO", SCMP_ACT_ERRNO (0), true, 1 },
  { "SCMP_ACT_TRACE", SCMP_ACT_TRACE (0), true, 1 },
  { "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, false, 1 },
  { "SCMP_ACT_LOG", SCMP_ACT_LOG, false, 3 },
  { "SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY, false, 5 },
};

static const struct
{
  const char *name;
  enum scmp_compare op;
} operators[] = {
  { "SCMP_CMP_NE", SCMP_CMP_NE }, { "SCMP_CMP_LT", SCMP_CMP_LT }, { "SCMP_CMP_LE", SCMP_CMP_LE },
  { "SCMP_CMP_EQ", SCMP_CMP_EQ }, { "SCMP_CMP_GE", SCMP_CMP_GE }, { "SCMP_CMP_GT", SCMP_CMP_GT },
  { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

/* OCI names; the libseccomp token is "SCMP_ARCH_" stripped and lowercased, resolved at
   run time so the list is what the linked libseccomp knows. */
static const char *const arch_names[] = {
  "SCMP_ARCH_X86",      "SCMP_ARCH_X86_64",   "SCMP_ARCH_X32",       "SCMP_ARCH_ARM",
  "SCMP_ARCH_AARCH64",  "SCMP_ARCH_MIPS",     "SCMP_ARCH_MIPS64",    "SCMP_ARCH_MIPS64N32",
  "SCMP_ARCH_MIPSEL",   "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
  "SCMP_ARCH_PPC64",    "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_S390",      "SCMP_ARCH_S390X",
  "SCMP_ARCH_PARISC",   "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",   "SCMP_ARCH_LOONGARCH64",
  "SCMP_ARCH_M68K",     "SCMP_ARCH_SH",       "SCMP_ARCH_SHEB",
};

static const struct
{
  const char *name;
  unsigned int flag;
} flag_names[] = {
  { "SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC },
  { "SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG },
  { "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW },
  { "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV },
};

static uint32_t
arch_token (const char *oci_name)
{
  char lower[32];
  size_t i;

  if (strncmp (oci_name, "SCMP_ARCH_", 10) != 0 || strlen (oci_name + 10) >= sizeof lower)
    return 0;
  for (i = 0; oci_name[10 + i]; i++)
    lower[i] = (char) tolower ((unsigned char) oci_name[10 + i]);
  lower[i] = '\0';
  return seccomp_arch_resolve_name (lower);
}

static bool
known_arch (const char *oci_name)
{
  for (size_t i = 0; i < NR_ARRAY_SIZE (arch_names); i++)
    if (strcmp (arch_names[i], oci_name) == 0)
      return true;
  return false;
}

/* The AUDIT_ARCH_* value the kernel puts in seccomp_data.arch: x32 shares x86_64's. */
static uint32_t
arch_audit (uint32_t token)
{
  return token == SCMP_ARCH_X32 ? AUDIT_ARCH_X86_64 : token;
}

/* Kernel support of a filter flag: with a NULL program the kernel validates the flags
   (EINVAL) before it reads the program (EFAULT). */
static bool
kernel_has_flag (unsigned int flag)
{
  if (flag == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)
    flag |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
  return syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, flag, NULL) < 0 && errno == EFAULT;
}

/* ---- translation ------------------------------------------------------------ */

static int
to_action (const char *name, bool has_errno, uint32_t errno_ret, const char *where, uint32_t *out,
           nr_error_t *err)
{
  for (size_t i = 0; i < NR_ARRAY_SIZE (actions); i++)
    {
      const struct action *a = &actions[i];
      if (strcmp (a->name, name) != 0)
        continue;
      if (has_errno && !a->takes_errno)
        return nr_error (err, 0, "seccomp: %s: errnoRet is not valid with action \"%s\"", where, name);
      if (has_errno && errno_ret > 0xffff)
        return nr_error (err, 0, "seccomp: %s: errnoRet %u out of range", where, errno_ret);
      *out = a->act | (a->takes_errno ? (has_errno ? errno_ret : EPERM) : 0);
      return 0;
    }
  return nr_error (err, 0, "seccomp: %s: unknown action \"%s\"", where, name ? name : "");
}

static int
to_operator (const char *name, enum scmp_compare *out)
{
  for (size_t i = 0; name && i < NR_ARRAY_SIZE (operators); i++)
    if (strcmp (operators[i].name, name) == 0)
      {
        *out = operators[i].op;
        return 0;
      }
  return -1;
}

/* Validate one syscalls[] entry and fill its conditions; true in *split when two
   conditions share an argument index (runc then adds one rule per condition). */
static int
to_conditions (const struct oci_seccomp_syscall *sc, const char *first, struct scmp_arg_cmp *cmp, bool *split,
               nr_error_t *err)
{
  unsigned int seen = 0;
  *split = false;
  for (size_t i = 0; i < sc->n_args; i++)
    {
      const struct oci_seccomp_arg *a = &sc->args[i];
      enum scmp_compare op;
      if (a->index > 5)
        return nr_error (err, 0, "seccomp: syscall \"%s\": argument index %u out of range (0-5)", first, a->index);
      if (to_operator (a->op, &op) < 0)
        return nr_error (err, 0, "seccomp: syscall \"%s\": unknown operator \"%s\"", first, a->op ? a->op : "");
      cmp[i] = (struct scmp_arg_cmp) { .arg = a->index, .op = op, .datum_a = a->value, .datum_b = a->value_two };
      if (seen & (1U << a->index))
        *split = true;
      seen |= 1U << a->index;
    }
  return 0;
}

static int
add_one_name (scmp_filter_ctx ctx, const char *name, uint32_t act, const struct scmp_arg_cmp *cmp, size_t n,
              bool split, nr_error_t *err)
{
  int nr = seccomp_syscall_resolve_name (name);
  int ret = 0;

  if (nr == __NR_SCMP_ERROR)
    {
      nr_debug ("unknown seccomp syscall \"%s\" ignored", name);
      return 0;
    }
  if (!split)
    ret = seccomp_rule_add_array (ctx, act, nr, (unsigned int) n, n ? cmp : NULL);
  for (size_t i = 0; split && i < n && ret == 0; i++)
    ret = seccomp_rule_add_array (ctx, act, nr, 1, &cmp[i]);
  if (ret < 0)
    return nr_error (err, -ret, "seccomp: add rule for syscall \"%s\"", name);
  return 0;
}

static int
add_syscall_entry (scmp_filter_ctx ctx, const struct oci_seccomp_syscall *sc, size_t idx, uint32_t def_act,
                   nr_error_t *err)
{
  _cleanup_free_ struct scmp_arg_cmp *cmp = NULL;
  const char *first = sc->names && sc->names[0] ? sc->names[0] : NULL;
  char where[64];
  uint32_t act;
  bool split;

  snprintf (where, sizeof where, "syscalls[%zu]", idx);
  if (first == NULL)
    return nr_error (err, 0, "seccomp: %s: \"names\" must contain at least one syscall", where);
  if (to_action (sc->action, sc->has_errno_ret, sc->errno_ret, where, &act, err) < 0)
    return -1;
  if (act == SCMP_ACT_NOTIFY)
    for (char **n = sc->names; *n; n++)
      if (strcmp (*n, "write") == 0)
        return nr_error (err, 0, "seccomp: SCMP_ACT_NOTIFY cannot be used for the write syscall");
  cmp = calloc (sc->n_args ? sc->n_args : 1, sizeof *cmp);
  if (cmp == NULL)
    return nr_error (err, ENOMEM, "seccomp");
  if (to_conditions (sc, first, cmp, &split, err) < 0)
    return -1;
  if (act == def_act)
    return 0; /* redundant with the default action; libseccomp would refuse it */
  for (char **n = sc->names; *n; n++)
    if (**n == '\0')
      return nr_error (err, 0, "seccomp: %s: empty syscall name", where);
    else if (add_one_name (ctx, *n, act, cmp, sc->n_args, split, err) < 0)
      return -1;
  return 0;
}

static int
add_architectures (scmp_filter_ctx ctx, char **archs, nr_error_t *err)
{
  for (char **a = archs; a && *a; a++)
    {
      uint32_t token = arch_token (*a);
      int ret;
      if (token == 0)
        return known_arch (*a) ? nr_error (err, 0, "seccomp: architecture \"%s\" is not supported by libseccomp %s",
                                           *a, nr_seccomp_lib_version ())
                               : nr_error (err, 0, "seccomp: unknown architecture \"%s\"", *a);
      ret = seccomp_arch_add (ctx, token);
      if (ret < 0 && ret != -EEXIST)
        return nr_error (err, -ret, "seccomp: add architecture \"%s\"", *a);
    }
  return 0;
}

/* Kernel flags from linux.seccomp.flags.  TSYNC is accepted and not passed: the init is
   single-threaded, and TSYNC would conflict with NEW_LISTENER (as runc: nothing to do). */
static int
to_kernel_flags (const struct oci_seccomp *s, bool notify, unsigned int *out, nr_error_t *err)
{
  *out = 0;
  for (char **f = s->flags; f && *f; f++)
    {
      size_t i;
      for (i = 0; i < NR_ARRAY_SIZE (flag_names); i++)
        if (strcmp (flag_names[i].name, *f) == 0)
          break;
      if (i == NR_ARRAY_SIZE (flag_names))
        return nr_error (err, 0, "seccomp: unknown flag \"%s\"", *f);
      if (!kernel_has_flag (flag_names[i].flag))
        return nr_error (err, 0, "seccomp: flag \"%s\" is not supported by the running kernel", *f);
      if (flag_names[i].flag == SECCOMP_FILTER_FLAG_TSYNC)
        continue;
      if (flag_names[i].flag == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV && !notify)
        {
          nr_debug ("seccomp: %s ignored: no SCMP_ACT_NOTIFY rule", *f);
          continue;
        }
      *out |= flag_names[i].flag;
    }
  return 0;
}

static bool
uses_notify (const struct oci_seccomp *s)
{
  for (size_t i = 0; i < s->n_syscalls; i++)
    if (s->syscalls[i].action && strcmp (s->syscalls[i].action, "SCMP_ACT_NOTIFY") == 0)
      return true;
  return false;
}

static int
build_ctx (const struct oci_seccomp *s, scmp_filter_ctx *out, nr_error_t *err)
{
  _cleanup_seccomp_ scmp_filter_ctx ctx = NULL;
  uint32_t def_act;
  size_t n_names = 0;

  if (s->default_action == NULL)
    return nr_error (err, 0, "seccomp: \"defaultAction\" is required");
  if (to_action (s->default_action, s->has_default_errno_ret, s->default_errno_ret, "defaultAction", &def_act,
                 err) < 0)
    return -1;
  if (def_act == SCMP_ACT_NOTIFY)
    return nr_error (err, 0, "seccomp: SCMP_ACT_NOTIFY cannot be used as default action");
  ctx = seccomp_init (def_act);
  if (ctx == NULL)
    return nr_error (err, EINVAL, "seccomp: create filter with default action \"%s\"", s->default_action);
  if (add_architectures (ctx, s->architectures, err) < 0)
    return -1;
  for (size_t i = 0; i < s->n_syscalls; i++)
    for (char **n = s->syscalls[i].names; n && *n; n++)
      n_names++;
  /* runc: binary-tree optimisation for longer rulesets (libseccomp <= 2.5.4 misbehaves
     with it and no rules) */
  if (n_names > 32 && seccomp_attr_set (ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2) < 0)
    nr_debug ("seccomp binary tree optimization not available");
  for (size_t i = 0; i < s->n_syscalls; i++)
    if (add_syscall_entry (ctx, &s->syscalls[i], i, def_act, err) < 0)
      return -1;
  *out = TAKE_PTR (ctx);
  return 0;
}

/* ---- the -ENOSYS stub (runc libcontainer/seccomp/patchbpf) ------------------
 *
 *   ld  [arch]
 *   jeq AUDIT_ARCH_a, 0, 1 ; ja section_a        one pair per audit arch
 *   ja  filter                                    other arches: libseccomp decides
 * section_a:
 *   ld  [nr]
 *   (x86_64: jset X32_SYSCALL_BIT picks the x86_64 or the x32 check)
 *   (s390/s390x: nr 0 is the multiplexer for unknown syscalls → ENOSYS)
 *   jgt max_a, 0, 1 ; ja enosys ; ja filter
 * enosys:
 *   ret ERRNO(ENOSYS)
 * filter:
 *   libseccomp's program
 *
 * max_a is the largest syscall number the profile names for that arch: anything above
 * is newer than the profile, and gets ENOSYS so callers fall back (clone3 → clone). */

#define STUB_MAX_INSNS 512
#define STUB_MAX_ARCHES 32
enum
{
  L_ENOSYS = -1,
  L_FILTER = -2,
};

struct arch_max
{
  uint32_t audit;
  uint32_t max, max_x32; /* 0: the profile names no syscall of that mode */
  bool s390;
};

struct stub
{
  struct sock_filter insn[STUB_MAX_INSNS];
  int label[STUB_MAX_INSNS]; /* for "ja label": the target, else 0 */
  size_t n;
  size_t sec_pos[STUB_MAX_ARCHES];
};

static void
emit (struct stub *st, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k)
{
  if (st->n < STUB_MAX_INSNS)
    st->insn[st->n++] = (struct sock_filter) BPF_JUMP (code, k, jt, jf);
}

static void
emit_ja (struct stub *st, int label)
{
  if (st->n < STUB_MAX_INSNS)
    st->label[st->n] = label;
  emit (st, BPF_JMP | BPF_JA, 0, 0, 0);
}

static void
emit_max_check (struct stub *st, uint32_t max)
{
  emit (st, BPF_JMP | BPF_JGT | BPF_K, 0, 1, max);
  emit_ja (st, L_ENOSYS);
  emit_ja (st, L_FILTER);
}

static void
emit_section (struct stub *st, const struct arch_max *a)
{
  emit (st, BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof (struct seccomp_data, nr));
  if (a->s390)
    {
      emit (st, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0);
      emit_ja (st, L_ENOSYS);
    }
  if (a->audit != AUDIT_ARCH_X86_64)
    emit_max_check (st, a->max);
  else if (a->max && a->max_x32)
    {
      emit (st, BPF_JMP | BPF_JSET | BPF_K, 3, 0, X32_SYSCALL_BIT);
      emit_max_check (st, a->max);
      emit_max_check (st, a->max_x32);
    }
  else
    {
      /* only one mode in the profile: the other one goes straight to the filter */
      emit (st, BPF_JMP | BPF_JSET | BPF_K, a->max ? 0 : 1, a->max ? 1 : 0, X32_SYSCALL_BIT);
      emit_ja (st, L_FILTER);
      emit_max_check (st, a->max ? a->max : a->max_x32);
    }
}

/* Largest syscall number of each configured arch, grouped by audit arch. */
static size_t
find_last_syscalls (const struct oci_seccomp *s, struct arch_max *out)
{
  size_t n = 0;
  for (char **an = s->architectures; an && *an; an++)
    {
      uint32_t token = arch_token (*an), max = 0;
      size_t j;
      for (size_t i = 0; i < s->n_syscalls; i++)
        for (char **name = s->syscalls[i].names; name && *name; name++)
          {
            int nr = seccomp_syscall_resolve_name_arch (token, *name);
            if (nr > 0 && (uint32_t) nr > max)
              max = (uint32_t) nr;
          }
      if (max == 0)
        {
          nr_warn ("seccomp: could not find any syscalls for arch %s", *an);
          continue;
        }
      for (j = 0; j < n && out[j].audit != arch_audit (token); j++)
        ;
      if (j == n && n == STUB_MAX_ARCHES)
        continue;
      if (j == n)
        out[n++] = (struct arch_max) { .audit = arch_audit (token),
                                       .s390 = token == SCMP_ARCH_S390 || token == SCMP_ARCH_S390X };
      if (token == SCMP_ARCH_X32)
        out[j].max_x32 = max;
      else
        out[j].max = max;
    }
  return n;
}

static bool
wants_stub (const struct oci_seccomp *s)
{
  const char *d = s->default_action;
  if (strcmp (d, "SCMP_ACT_ALLOW") == 0 || strcmp (d, "SCMP_ACT_LOG") == 0 || strcmp (d, "SCMP_ACT_TRACE") == 0)
    return false; /* permissive default: new syscalls already pass (a tracer handles ENOSYS) */
  if (strcmp (d, "SCMP_ACT_ERRNO") == 0 && s->has_default_errno_ret && s->default_errno_ret == ENOSYS)
    return false;
  return true;
}

static int
build_stub (const struct oci_seccomp *s, struct stub *st, nr_error_t *err)
{
  struct arch_max am[STUB_MAX_ARCHES];
  size_t n = wants_stub (s) ? find_last_syscalls (s, am) : 0;

  st->n = 0;
  if (n == 0)
    return 0;
  memset (st->label, 0, sizeof st->label);
  emit (st, BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof (struct seccomp_data, arch));
  for (size_t i = 0; i < n; i++)
    {
      emit (st, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, am[i].audit);
      emit_ja (st, (int) i + 1);
    }
  emit_ja (st, L_FILTER);
  for (size_t i = 0; i < n; i++)
    {
      st->sec_pos[i] = st->n;
      emit_section (st, &am[i]);
    }
  size_t enosys = st->n;
  emit (st, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ERRNO | ENOSYS);
  if (st->n >= STUB_MAX_INSNS)
    return nr_error (err, 0, "seccomp: -ENOSYS stub too large");
  for (size_t i = 0; i < st->n; i++)
    {
      int l = st->label[i];
      size_t target = l == L_ENOSYS ? enosys : l == L_FILTER ? st->n : l > 0 ? st->sec_pos[l - 1] : 0;
      if (l != 0)
        st->insn[i].k = (uint32_t) (target - i - 1);
    }
  return 0;
}

/* ---- compile ---------------------------------------------------------------- */

static int
export_bpf (scmp_filter_ctx ctx, char **buf, size_t *len, nr_error_t *err)
{
  _cleanup_close_ int fd = memfd_create ("nestrun-seccomp", MFD_CLOEXEC);
  int ret;

  if (fd < 0)
    return nr_error (err, errno, "seccomp: memfd_create");
  ret = seccomp_export_bpf (ctx, fd);
  if (ret < 0)
    return nr_error (err, -ret, "seccomp: export BPF");
  if (lseek (fd, 0, SEEK_SET) < 0)
    return nr_error (err, errno, "seccomp: rewind BPF");
  return nr_read_all_fd (fd, (size_t) BPF_MAXINSNS * 2 * sizeof (struct sock_filter), buf, len, err);
}

static int
assemble (struct nr_seccomp *sc, const struct stub *st, const char *bpf, size_t bpf_len, nr_error_t *err)
{
  size_t n_bpf = bpf_len / sizeof (struct sock_filter);
  size_t total = st->n + n_bpf;

  if (bpf_len % sizeof (struct sock_filter) != 0 || n_bpf == 0)
    return nr_error (err, 0, "seccomp: libseccomp exported a malformed program (%zu bytes)", bpf_len);
  if (total > BPF_MAXINSNS)
    return nr_error (err, 0, "seccomp: filter too large: %zu instructions (the kernel allows %d)", total,
                     BPF_MAXINSNS);
  sc->prog = calloc (total, sizeof *sc->prog);
  if (sc->prog == NULL)
    return nr_error (err, ENOMEM, "seccomp");
  memcpy (sc->prog, st->insn, st->n * sizeof *sc->prog);
  memcpy (sc->prog + st->n, bpf, bpf_len);
  sc->len = (unsigned short) total;
  sc->stub_len = (unsigned short) st->n;
  return 0;
}

static int
copy_listener (const struct oci_seccomp *s, struct nr_seccomp *sc, nr_error_t *err)
{
  if (!sc->notify)
    return 0;
  if (s->listener_path == NULL || *s->listener_path == '\0')
    return nr_error (err, 0, "seccomp: SCMP_ACT_NOTIFY needs \"listenerPath\"");
  sc->listener_path = strdup (s->listener_path);
  if (sc->listener_path == NULL || (s->listener_metadata && !(sc->listener_metadata = strdup (s->listener_metadata))))
    return nr_error (err, ENOMEM, "seccomp");
  return 0;
}

int
nr_seccomp_prepare (const struct oci_seccomp *s, struct nr_seccomp **out, nr_error_t *err)
{
  _cleanup_seccomp_ scmp_filter_ctx ctx = NULL;
  _cleanup_free_ char *bpf = NULL;
  _cleanup_free_ struct stub *st = calloc (1, sizeof *st);
  struct nr_seccomp *sc = calloc (1, sizeof *sc);
  size_t bpf_len = 0;

  *out = NULL;
  if (sc == NULL || st == NULL)
    {
      free (sc);
      return nr_error (err, ENOMEM, "seccomp");
    }
  sc->notify_fd = -1;
  sc->notify = uses_notify (s);
  if (sc->notify && seccomp_api_get () < 5)
    nr_error (err, 0, "seccomp: SCMP_ACT_NOTIFY not supported (libseccomp API level %u, want at least 5)",
              seccomp_api_get ());
  else if (build_ctx (s, &ctx, err) == 0 && to_kernel_flags (s, sc->notify, &sc->flags, err) == 0
           && build_stub (s, st, err) == 0 && export_bpf (ctx, &bpf, &bpf_len, err) == 0
           && assemble (sc, st, bpf, bpf_len, err) == 0 && copy_listener (s, sc, err) == 0)
    {
      nr_debug ("seccomp: %u instructions (%u of -ENOSYS stub), flags %#x", sc->len, sc->stub_len, sc->flags);
      *out = sc;
      return 0;
    }
  nr_seccomp_free (sc);
  return -1;
}

void
nr_seccomp_free (struct nr_seccomp *sc)
{
  if (sc == NULL)
    return;
  if (sc->notify_fd >= 0)
    close (sc->notify_fd);
  free (sc->prog);
  free (sc->listener_path);
  free (sc->listener_metadata);
  free (sc);
}

int
nr_seccomp_export_pfc (const struct oci_seccomp *s, int fd, nr_error_t *err)
{
  _cleanup_seccomp_ scmp_filter_ctx ctx = NULL;
  int ret;

  if (build_ctx (s, &ctx, err) < 0)
    return -1;
  ret = seccomp_export_pfc (ctx, fd);
  if (ret < 0)
    return nr_error (err, -ret, "seccomp: export PFC");
  return 0;
}

/* ---- load (container init, after pivot_root: no allocation) ----------------- */

int
nr_seccomp_load (struct nr_seccomp *sc, nr_error_t *err)
{
  struct sock_fprog prog = { .len = sc->len, .filter = sc->prog };
  unsigned int flags = sc->flags | (sc->notify ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0);
  long ret = syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);

  if (ret < 0 && errno == ENOSYS && flags == 0)
    ret = prctl (PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
  if (ret < 0)
    return nr_error (err, errno, "load seccomp filter (%u instructions, flags %#x)", sc->len, flags);
  sc->notify_fd = sc->notify ? (int) ret : -1;
  return 0;
}

/* ---- SCMP_ACT_NOTIFY: the container process state to the listener ---------- */

static char *
process_state_json (pid_t pid, const char *metadata, const char *state_json, nr_error_t *err)
{
  _cleanup_json_ yajl_val state = NULL;
  yajl_gen g;
  yajl_val v;

  if (nr_json_parse (state_json, strlen (state_json), "container state", &state, err) < 0)
    return NULL;
  v = nr_json_get (state, "ociVersion");
  g = nr_jgen_new (false);
  if (g == NULL)
    {
      nr_error (err, ENOMEM, "seccomp listener");
      return NULL;
    }
  yajl_gen_map_open (g);
  nr_jgen_kstr (g, "ociVersion", YAJL_IS_STRING (v) ? YAJL_GET_STRING (v) : "1.0.2");
  nr_jgen_key (g, "fds");
  yajl_gen_array_open (g);
  nr_jgen_str (g, "seccompFd");
  yajl_gen_array_close (g);
  nr_jgen_kint (g, "pid", pid);
  nr_jgen_kstr (g, "metadata", metadata);
  nr_jgen_key (g, "state");
  nr_jgen_value (g, state);
  yajl_gen_map_close (g);
  return nr_jgen_finish (g, NULL); /* frees g */
}

static int
send_with_fd (int sock, const char *msg, size_t len, int fd)
{
  char cbuf[CMSG_SPACE (sizeof (int))] = { 0 };
  struct iovec iov = { .iov_base = (void *) msg, .iov_len = len };
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf };
  struct cmsghdr *c = CMSG_FIRSTHDR (&mh);
  ssize_t n;

  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (c), &fd, sizeof (int));
  do
    n = sendmsg (sock, &mh, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return -1;
  /* the fd went with the first call; the rest is plain payload */
  return nr_write_all (sock, msg + n, len - (size_t) n);
}

int
nr_seccomp_send_listener (const char *listener_path, int notify_fd, pid_t pid, const char *metadata,
                          const char *state_json, nr_error_t *err)
{
  _cleanup_free_ char *msg = process_state_json (pid, metadata, state_json, err);
  _cleanup_close_ int sock = -1;
  struct sockaddr_un addr = { .sun_family = AF_UNIX };

  if (msg == NULL)
    return nr_error_wrap (err, "seccomp listener \"%s\"", listener_path);
  if (strlen (listener_path) >= sizeof addr.sun_path)
    return nr_error (err, ENAMETOOLONG, "seccomp listener \"%s\"", listener_path);
  strcpy (addr.sun_path, listener_path);
  sock = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0)
    return nr_error (err, errno, "seccomp listener \"%s\": socket", listener_path);
  if (connect (sock, (struct sockaddr *) &addr, sizeof addr) < 0)
    return nr_error (err, errno, "seccomp listener \"%s\": connect", listener_path);
  if (send_with_fd (sock, msg, strlen (msg), notify_fd) < 0)
    return nr_error (err, errno, "seccomp listener \"%s\": send", listener_path);
  return 0;
}

/* ---- lists for `nestrun features` ------------------------------------------- */

const char *const *
nr_seccomp_actions (void)
{
  static const char *list[NR_ARRAY_SIZE (actions) + 1];
  if (list[0] == NULL)
    {
      unsigned int api = seccomp_api_get ();
      size_t n = 0;
      for (size_t i = 0; i < NR_ARRAY_SIZE (actions); i++)
        if (api >= actions[i].api)
          list[n++] = actions[i].name;
    }
  return list;
}

const char *const *
nr_seccomp_operators (void)
{
  static const char *list[NR_ARRAY_SIZE (operators) + 1];
  for (size_t i = 0; i < NR_ARRAY_SIZE (operators); i++)
    list[i] = operators[i].name;
  return list;
}

const char *const *
nr_seccomp_archs (void)
{
  static const char *list[NR_ARRAY_SIZE (arch_names) + 1];
  if (list[0] == NULL)
    {
      size_t n = 0;
      for (size_t i = 0; i < NR_ARRAY_SIZE (arch_names); i++)
        if (arch_token (arch_names[i]) != 0)
          list[n++] = arch_names[i];
    }
  return list;
}

const char *const *
nr_seccomp_known_flags (void)
{
  static const char *list[NR_ARRAY_SIZE (flag_names) + 1];
  for (size_t i = 0; i < NR_ARRAY_SIZE (flag_names); i++)
    list[i] = flag_names[i].name;
  return list;
}

const char *const *
nr_seccomp_supported_flags (void)
{
  static const char *list[NR_ARRAY_SIZE (flag_names) + 1];
  static bool done;
  if (!done)
    {
      size_t n = 0;
      for (size_t i = 0; i < NR_ARRAY_SIZE (flag_names); i++)
        if (kernel_has_flag (flag_names[i].flag))
          list[n++] = flag_names[i].name;
      done = true;
    }
  return list;
}

const char *
nr_seccomp_lib_version (void)
{
  static char buf[32];
  const struct scmp_version *v = seccomp_version ();
  if (buf[0] == '\0' && v)
    snprintf (buf, sizeof buf, "%u.%u.%u", v->major, v->minor, v->micro);
  return buf;
}
