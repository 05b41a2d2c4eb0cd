/* SPDX-License-Identifier: Apache-2.0 */
/* runtime/seccomp: the compiled cBPF is run through a small interpreter (no kernel
   needed), then loaded for real in forked children (with no_new_privs when not root).
   JSON in this file is written with single quotes, turned into double quotes. */
#include <config.h>
#include "runtime/seccomp.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/log.h"
#include "tests/unit/tap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define BAD_RUN 0xdeadbeefU
#define RET_ERRNO(e) (SECCOMP_RET_ERRNO | (e))

/* ---- helpers ---------------------------------------------------------------- */

static int log_fd = -1;

/* Everything logged since the last call. */
static char *
take_log (void)
{
  char *buf = NULL;
  size_t len = 0;
  nr_error_t err = NULL;
  lseek (log_fd, 0, SEEK_SET);
  if (nr_read_all_fd (log_fd, 1 << 20, &buf, &len, &err) < 0)
    nr_error_free (&err);
  if (ftruncate (log_fd, 0) < 0 || lseek (log_fd, 0, SEEK_SET) < 0)
    bail_out ("reset log");
  return buf;
}

static struct oci_config *
parse_cfg (const char *seccomp_json)
{
  _cleanup_free_ char *doc = NULL;
  struct oci_config *cfg = NULL;
  nr_error_t err = NULL;
  if (asprintf (&doc, "{'ociVersion':'1.0.2','linux':{'seccomp':%s}}", seccomp_json) < 0)
    bail_out ("asprintf");
  for (char *p = doc; *p; p++)
    if (*p == '\'')
      *p = '"';
  if (oci_config_parse_data (doc, strlen (doc), "test", &cfg, &err) < 0)
    bail_out ("parse %s: %s", seccomp_json, err->msg);
  return cfg;
}

/* Compile; NULL on error with the message in *msg. */
static struct nr_seccomp *
compile (const char *json, char **msg)
{
  struct oci_config *cfg = parse_cfg (json);
  struct nr_seccomp *sc = NULL;
  nr_error_t err = NULL;
  if (nr_seccomp_prepare (cfg->seccomp, &sc, &err) < 0)
    {
      if (msg)
        *msg = strdup (err->msg);
      else
        diag ("compile: %s", err->msg);
      nr_error_free (&err);
    }
  oci_config_free (cfg);
  return sc;
}

/* cBPF, as the kernel runs a seccomp filter. */
static uint32_t
alu (uint16_t op, uint32_t a, uint32_t v)
{
  switch (op)
    {
    case BPF_ADD: return a + v;
    case BPF_SUB: return a - v;
    case BPF_MUL: return a * v;
    case BPF_DIV: return v ? a / v : 0;
    case BPF_MOD: return v ? a % v : 0;
    case BPF_OR: return a | v;
    case BPF_AND: return a & v;
    case BPF_XOR: return a ^ v;
    case BPF_LSH: return v < 32 ? a << v : 0;
    case BPF_RSH: return v < 32 ? a >> v : 0;
    case BPF_NEG: return -a;
    }
  return a;
}

static uint32_t
bpf_run (const struct sock_filter *prog, size_t n, const struct seccomp_data *d)
{
  uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = { 0 };
  for (size_t pc = 0; pc < n; pc++)
    {
      const struct sock_filter *f = &prog[pc];
      uint32_t v = BPF_SRC (f->code) == BPF_X ? x : f->k;
      bool c = false;
      switch (BPF_CLASS (f->code))
        {
        case BPF_LD:
          if (BPF_MODE (f->code) == BPF_ABS && f->k + 4 <= sizeof *d)
            memcpy (&a, (const char *) d + f->k, 4);
          else if (BPF_MODE (f->code) == BPF_IMM)
            a = f->k;
          else if (BPF_MODE (f->code) == BPF_MEM && f->k < BPF_MEMWORDS)
            a = mem[f->k];
          else
            return BAD_RUN;
          break;
        case BPF_LDX:
          if (BPF_MODE (f->code) == BPF_IMM)
            x = f->k;
          else if (BPF_MODE (f->code) == BPF_MEM && f->k < BPF_MEMWORDS)
            x = mem[f->k];
          else
            return BAD_RUN;
          break;
        case BPF_ST:
        case BPF_STX:
          if (f->k >= BPF_MEMWORDS)
            return BAD_RUN;
          mem[f->k] = BPF_CLASS (f->code) == BPF_ST ? a : x;
          break;
        case BPF_ALU: a = alu (BPF_OP (f->code), a, v); break;
        case BPF_JMP:
          if (BPF_OP (f->code) == BPF_JA)
            {
              pc += f->k;
              break;
            }
          c = BPF_OP (f->code) == BPF_JEQ ? a == v
              : BPF_OP (f->code) == BPF_JGT ? a > v
              : BPF_OP (f->code) == BPF_JGE ? a >= v
                                           : (a & v) != 0;
          pc += c ? f->jt : f->jf;
          break;
        case BPF_RET: return BPF_RVAL (f->code) == BPF_A ? a : f->k;
        case BPF_MISC:
          if (BPF_MISCOP (f->code) == BPF_TAX)
            x = a;
          else
            a = x;
          break;
        }
    }
  return BAD_RUN;
}

static uint32_t
run (const struct nr_seccomp *sc, uint32_t arch, int nr, uint64_t a0, uint64_t a1)
{
  struct seccomp_data d = { .nr = nr, .arch = arch, .args = { a0, a1 } };
  return bpf_run (sc->prog, sc->len, &d);
}

static uint32_t native;

static int
sysno (uint32_t arch, const char *name)
{
  return seccomp_syscall_resolve_name_arch (arch, name);
}

static bool
has (const char *const *list, const char *s)
{
  for (; *list; list++)
    if (strcmp (*list, s) == 0)
      return true;
  return false;
}

/* ---- compile-only tests ------------------------------------------------------- */

static void
test_lists (void)
{
  ok (has (nr_seccomp_actions (), "SCMP_ACT_ALLOW") && has (nr_seccomp_actions (), "SCMP_ACT_ERRNO")
          && has (nr_seccomp_actions (), "SCMP_ACT_KILL_PROCESS"),
      "actions list");
  ok (seccomp_api_get () < 5 || has (nr_seccomp_actions (), "SCMP_ACT_NOTIFY"), "NOTIFY listed with API >= 5");
  ok (has (nr_seccomp_operators (), "SCMP_CMP_MASKED_EQ") && nr_seccomp_operators ()[7] == NULL, "7 operators");
  ok (has (nr_seccomp_archs (), "SCMP_ARCH_X86_64") && has (nr_seccomp_archs (), "SCMP_ARCH_AARCH64")
          && !has (nr_seccomp_archs (), "SCMP_ARCH_NOPE"),
      "archs list");
  ok (has (nr_seccomp_known_flags (), "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"), "known flags");
  ok (has (nr_seccomp_supported_flags (), "SECCOMP_FILTER_FLAG_LOG"), "kernel supports SECCOMP_FILTER_FLAG_LOG");
  like (nr_seccomp_lib_version (), "2.", "libseccomp version");
}

static void
test_basic_rules (void)
{
  struct nr_seccomp *sc = compile ("{'defaultAction':'SCMP_ACT_ALLOW','syscalls':["
                                   "{'names':['mkdir','mkdirat'],'action':'SCMP_ACT_ERRNO'},"
                                   "{'names':['rmdir'],'action':'SCMP_ACT_ERRNO','errnoRet':38},"
                                   "{'names':['getppid'],'action':'SCMP_ACT_KILL_PROCESS'},"
                                   "{'names':['gettid'],'action':'SCMP_ACT_TRAP'},"
                                   "{'names':['getuid'],'action':'SCMP_ACT_TRACE'}]}",
                                   NULL);
  if (!ok (sc != NULL, "simple profile compiles"))
    { skip (7, "no filter"); return; }
  is_int (sc->stub_len, 0, "no -ENOSYS stub with a permissive default");
  is_int (run (sc, native, sysno (native, "mkdir"), 0, 0), RET_ERRNO (EPERM), "mkdir: ERRNO defaults to EPERM");
  is_int (run (sc, native, sysno (native, "rmdir"), 0, 0), RET_ERRNO (ENOSYS), "rmdir: errnoRet");
  is_int (run (sc, native, sysno (native, "getpid"), 0, 0), SECCOMP_RET_ALLOW, "getpid: default allow");
  is_int (run (sc, native, sysno (native, "getppid"), 0, 0), SECCOMP_RET_KILL_PROCESS, "KILL_PROCESS");
  is_int (run (sc, native, sysno (native, "gettid"), 0, 0), SECCOMP_RET_TRAP, "TRAP");
  is_int (run (sc, native, sysno (native, "getuid"), 0, 0), SECCOMP_RET_TRACE | EPERM, "TRACE defaults to EPERM");
  nr_seccomp_free (sc);
}

static void
test_skips (void)
{
  char *log;
  struct nr_seccomp *sc = compile ("{'defaultAction':'SCMP_ACT_ERRNO','syscalls':["
                                   "{'names':['getpid','no_such_syscall'],'action':'SCMP_ACT_ALLOW'},"
                                   "{'names':['mkdir'],'action':'SCMP_ACT_ERRNO'},"
                                   "{'names':['rmdir'],'action':'SCMP_ACT_ERRNO','errnoRet':1}]}",
                                   NULL);
  log = take_log ();
  if (!ok (sc != NULL, "rules equal to the default action and unknown names are skipped"))
    {
      free (log);
      { skip (3, "no filter"); return; }
    }
  is_int (run (sc, native, sysno (native, "getpid"), 0, 0), SECCOMP_RET_ALLOW, "getpid allowed");
  is_int (run (sc, native, sysno (native, "mkdir"), 0, 0), RET_ERRNO (EPERM), "mkdir: default");
  like (log, "unknown seccomp syscall \\\"no_such_syscall\\\" ignored", "unknown syscall logged at debug level");
  free (log);
  nr_seccomp_free (sc);
}

static void
test_args (void)
{
  struct nr_seccomp *sc = compile (
      "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':["
      "{'names':['socket'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,'value':40,'op':'SCMP_CMP_NE'}]},"
      "{'names':['personality'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,'value':0,'op':'SCMP_CMP_EQ'},"
      "  {'index':0,'value':8,'op':'SCMP_CMP_EQ'}]},"
      "{'names':['kill'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,'value':1,'op':'SCMP_CMP_EQ'},"
      "  {'index':1,'value':9,'op':'SCMP_CMP_EQ'}]},"
      "{'names':['clone'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,'value':2114060288,"
      "  'op':'SCMP_CMP_MASKED_EQ'}]},"
      "{'names':['dup3'],'action':'SCMP_ACT_ALLOW','args':[{'index':2,'value':255,'valueTwo':8,"
      "  'op':'SCMP_CMP_MASKED_EQ'}]},"
      "{'names':['lseek'],'action':'SCMP_ACT_ALLOW','args':[{'index':2,'value':2,'op':'SCMP_CMP_LE'}]}]}",
      NULL);
  if (!ok (sc != NULL, "profile with args compiles"))
    { skip (11, "no filter"); return; }
  is_int (run (sc, native, sysno (native, "socket"), 2, 0), SECCOMP_RET_ALLOW, "socket(AF_INET): NE 40 allows");
  is_int (run (sc, native, sysno (native, "socket"), 40, 0), RET_ERRNO (EPERM), "socket(AF_VSOCK): denied");
  is_int (run (sc, native, sysno (native, "personality"), 0, 0), SECCOMP_RET_ALLOW, "same index split: first");
  is_int (run (sc, native, sysno (native, "personality"), 8, 0), SECCOMP_RET_ALLOW, "same index split: second");
  is_int (run (sc, native, sysno (native, "personality"), 5, 0), RET_ERRNO (EPERM), "same index split: others");
  is_int (run (sc, native, sysno (native, "kill"), 1, 9), SECCOMP_RET_ALLOW, "different indices: AND, both");
  is_int (run (sc, native, sysno (native, "kill"), 1, 15), RET_ERRNO (EPERM), "different indices: AND, one");
  is_int (run (sc, native, sysno (native, "clone"), SIGCHLD, 0), SECCOMP_RET_ALLOW, "clone without ns flags");
  is_int (run (sc, native, sysno (native, "clone"), CLONE_NEWNS | SIGCHLD, 0), RET_ERRNO (EPERM),
          "clone(CLONE_NEWNS) denied by MASKED_EQ");
  struct seccomp_data d = { .nr = sysno (native, "dup3"), .arch = native, .args = { 0, 0, 0x108 } };
  is_int (bpf_run (sc->prog, sc->len, &d), SECCOMP_RET_ALLOW, "MASKED_EQ uses valueTwo as the datum");
  d = (struct seccomp_data) { .nr = sysno (native, "lseek"), .arch = native, .args = { 0, 0, 3 } };
  is_int (bpf_run (sc->prog, sc->len, &d), RET_ERRNO (EPERM), "LE");
  nr_seccomp_free (sc);
}

static void
test_errors (void)
{
  static const struct
  {
    const char *json, *msg;
  } cases[] = {
    { "{'defaultAction':'SCMP_ACT_ALLOW','architectures':['SCMP_ARCH_NOPE']}", "unknown architecture \"SCMP_ARCH_NOPE\"" },
    { "{'defaultAction':'SCMP_ACT_NOPE'}", "defaultAction: unknown action \"SCMP_ACT_NOPE\"" },
    { "{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['getpid'],'action':'SCMP_ACT_ALLOW','errnoRet':1}]}",
      "syscalls[0]: errnoRet is not valid with action \"SCMP_ACT_ALLOW\"" },
    { "{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['kill'],'action':'SCMP_ACT_ERRNO','args':"
      "[{'index':6,'value':1,'op':'SCMP_CMP_EQ'}]}]}",
      "syscall \"kill\": argument index 6 out of range" },
    { "{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['kill'],'action':'SCMP_ACT_ERRNO','args':"
      "[{'index':0,'value':1,'op':'SCMP_CMP_NOPE'}]}]}",
      "syscall \"kill\": unknown operator \"SCMP_CMP_NOPE\"" },
    { "{'defaultAction':'SCMP_ACT_ALLOW','flags':['SECCOMP_FILTER_FLAG_NOPE']}", "unknown flag \"SECCOMP_FILTER_FLAG_NOPE\"" },
    { "{'defaultAction':'SCMP_ACT_NOTIFY','listenerPath':'/x'}", "SCMP_ACT_NOTIFY cannot be used as default action" },
    { "{'defaultAction':'SCMP_ACT_ALLOW','listenerPath':'/x','syscalls':[{'names':['write'],"
      "'action':'SCMP_ACT_NOTIFY'}]}",
      "SCMP_ACT_NOTIFY cannot be used for the write syscall" },
    { "{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['getpid'],'action':'SCMP_ACT_NOTIFY'}]}",
      "SCMP_ACT_NOTIFY needs \"listenerPath\"" },
  };
  for (size_t i = 0; i < NR_ARRAY_SIZE (cases); i++)
    {
      char *msg = NULL;
      struct nr_seccomp *sc = compile (cases[i].json, &msg);
      ok (sc == NULL, "refused: %s", cases[i].msg);
      like (msg, cases[i].msg, "message names it");
      free (msg);
      nr_seccomp_free (sc);
    }
}

static void
test_arch_unsupported (void)
{
  char *msg = NULL;
  struct nr_seccomp *sc;
  if (has (nr_seccomp_archs (), "SCMP_ARCH_LOONGARCH64"))
    {
      skip (1, "this libseccomp knows loongarch64");
      return;
    }
  sc = compile ("{'defaultAction':'SCMP_ACT_ALLOW','architectures':['SCMP_ARCH_LOONGARCH64']}", &msg);
  like (msg, "architecture \"SCMP_ARCH_LOONGARCH64\" is not supported by libseccomp 2.",
        "an OCI arch this libseccomp lacks: says so");
  free (msg);
  nr_seccomp_free (sc);
}

static void
test_flags (void)
{
  struct nr_seccomp *sc = compile ("{'defaultAction':'SCMP_ACT_ALLOW','flags':['SECCOMP_FILTER_FLAG_LOG',"
                                   "'SECCOMP_FILTER_FLAG_TSYNC','SECCOMP_FILTER_FLAG_SPEC_ALLOW']}",
                                   NULL);
  if (!ok (sc != NULL, "flags accepted"))
    { skip (1, "no filter"); return; }
  is_int (sc->flags, SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW,
          "LOG and SPEC_ALLOW passed to seccomp(2), TSYNC not (single-threaded init)");
  nr_seccomp_free (sc);
}

static void
test_archs (void)
{
  struct nr_seccomp *sc = compile ("{'defaultAction':'SCMP_ACT_ERRNO','architectures':['SCMP_ARCH_X86_64',"
                                   "'SCMP_ARCH_X86','SCMP_ARCH_X32'],'syscalls':[{'names':['getpid','socketcall'],"
                                   "'action':'SCMP_ACT_ALLOW'}]}",
                                   NULL);
  if (!ok (sc != NULL, "multi-arch profile compiles"))
    { skip (6, "no filter"); return; }
  is_int (run (sc, AUDIT_ARCH_X86_64, sysno (SCMP_ARCH_X86_64, "getpid"), 0, 0), SECCOMP_RET_ALLOW, "x86_64 getpid");
  is_int (run (sc, AUDIT_ARCH_I386, sysno (SCMP_ARCH_X86, "getpid"), 0, 0), SECCOMP_RET_ALLOW, "i386 getpid");
  is_int (run (sc, AUDIT_ARCH_I386, sysno (SCMP_ARCH_X86, "socketcall"), 0, 0), SECCOMP_RET_ALLOW, "i386 socketcall");
  is_int (run (sc, AUDIT_ARCH_X86_64, sysno (SCMP_ARCH_X32, "getpid"), 0, 0), SECCOMP_RET_ALLOW, "x32 getpid");
  is_int (run (sc, AUDIT_ARCH_I386, sysno (SCMP_ARCH_X86, "getppid"), 0, 0), RET_ERRNO (EPERM), "i386 getppid: default");
  is_int (run (sc, AUDIT_ARCH_AARCH64, 172, 0, 0), SECCOMP_RET_KILL_THREAD, "an arch not listed is killed");
  nr_seccomp_free (sc);
}

static void
test_pfc (void)
{
  struct oci_config *cfg = parse_cfg ("{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['mkdir'],"
                                      "'action':'SCMP_ACT_ERRNO'}]}");
  _cleanup_close_ int fd = memfd_create ("pfc", 0);
  _cleanup_free_ char *buf = NULL;
  size_t len = 0;
  nr_error_t err = NULL;
  int r = nr_seccomp_export_pfc (cfg->seccomp, fd, &err);
  ok (r == 0, "export PFC");
  lseek (fd, 0, SEEK_SET);
  if (r == 0 && nr_read_all_fd (fd, 1 << 20, &buf, &len, &err) == 0)
    like (buf, "mkdir", "PFC names the rule's syscall");
  else
    ok (0, "read PFC");
  nr_error_free (&err);
  oci_config_free (cfg);
}

/* ---- Docker's default profile --------------------------------------------------- */

static char *docker_json;

static void
test_docker_compile (void)
{
  struct nr_seccomp *sc = compile (docker_json, NULL);
  if (!ok (sc != NULL, "Docker's default profile compiles"))
    { skip (9, "no filter"); return; }
  diag ("docker default: %u instructions, %u of -ENOSYS stub", sc->len, sc->stub_len);
  ok (sc->stub_len > 0, "with the -ENOSYS stub");
  is_int (sc->flags, 0, "no flags");
  is_int (run (sc, AUDIT_ARCH_X86_64, sysno (native, "openat"), 0, 0), SECCOMP_RET_ALLOW, "openat allowed");
  is_int (run (sc, AUDIT_ARCH_X86_64, sysno (native, "reboot"), 0, 0), RET_ERRNO (EPERM), "reboot: defaultErrnoRet");
  is_int (run (sc, AUDIT_ARCH_X86_64, sysno (native, "clone3"), 0, 0), RET_ERRNO (ENOSYS), "clone3: ENOSYS rule");
  is_int (run (sc, AUDIT_ARCH_X86_64, 1000, 0, 0), RET_ERRNO (ENOSYS), "x86_64 syscall newer than the profile: ENOSYS");
  is_int (run (sc, AUDIT_ARCH_I386, 1000, 0, 0), RET_ERRNO (ENOSYS), "i386 syscall newer than the profile: ENOSYS");
  is_int (run (sc, AUDIT_ARCH_X86_64, 1000 | 0x40000000, 0, 0), RET_ERRNO (ENOSYS), "x32 newer: ENOSYS");
  is_int (run (sc, AUDIT_ARCH_X86_64, sysno (SCMP_ARCH_X32, "getpid"), 0, 0), SECCOMP_RET_ALLOW, "x32 getpid");
  nr_seccomp_free (sc);
}

/* ---- loaded for real, in children --------------------------------------------------- */

static bool
load_in_child (struct nr_seccomp *sc)
{
  nr_error_t err = NULL;
  if (geteuid () != 0 && prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return false;
  return nr_seccomp_load (sc, &err) == 0;
}

static int
wait_child (pid_t pid)
{
  int st;
  if (waitpid (pid, &st, 0) < 0)
    return -1;
  return WIFEXITED (st) ? WEXITSTATUS (st) : 128 + WTERMSIG (st);
}

static void
test_load_mkdir (void)
{
  struct nr_seccomp *sc = compile ("{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['mkdir','mkdirat'],"
                                   "'action':'SCMP_ACT_ERRNO','errnoRet':123}]}",
                                   NULL);
  pid_t pid;
  if (sc == NULL)
    { skip (1, "no filter"); return; }
  pid = fork ();
  if (pid == 0)
    {
      if (!load_in_child (sc))
        _exit (100);
      _exit (mkdir ("/tmp/nestrun-seccomp-never", 0700) < 0 ? errno : 0);
    }
  is_int (wait_child (pid), 123, "mkdir under the loaded filter fails with errnoRet (%s)",
          geteuid () == 0 ? "as root, without no_new_privs" : "with no_new_privs");
  nr_seccomp_free (sc);
}

static const char *
find_busybox (void)
{
  static const char *const paths[] = { "/bin/busybox", "/usr/bin/busybox", NULL };
  for (int i = 0; paths[i]; i++)
    if (access (paths[i], X_OK) == 0)
      return paths[i];
  return NULL;
}

static void
test_load_docker (void)
{
  struct nr_seccomp *sc = compile (docker_json, NULL);
  const char *bb = find_busybox ();
  pid_t pid;
  if (sc == NULL)
    { skip (2, "no filter"); return; }
  pid = fork ();
  if (pid == 0)
    {
      if (!load_in_child (sc))
        _exit (100);
      if (syscall (1000) != -1 || errno != ENOSYS)
        _exit (101);
      if (syscall (SYS_clone3, NULL, 0) != -1 || errno != ENOSYS)
        _exit (102);
      if (syscall (SYS_reboot, 0, 0, 0, NULL) != -1 || errno != EPERM)
        _exit (103);
      _exit (0);
    }
  is_int (wait_child (pid), 0, "under Docker's profile: new syscalls ENOSYS, clone3 ENOSYS, reboot EPERM");
  if (bb == NULL)
    {
      skip (1, "no busybox");
      nr_seccomp_free (sc);
      return;
    }
  pid = fork ();
  if (pid == 0)
    {
      int null = open ("/dev/null", O_WRONLY);
      dup2 (null, 1);
      if (!load_in_child (sc))
        _exit (100);
      execl (bb, "sh", "-c", "d=/tmp/nr-sc-$$ && mkdir $d && ls / && cat /proc/self/status && rmdir $d", NULL);
      _exit (101);
    }
  is_int (wait_child (pid), 0, "busybox sh runs under Docker's default profile");
  nr_seccomp_free (sc);
}

/* ---- SCMP_ACT_NOTIFY: listener gets the state and the fd; the agent answers ---------- */

static int
recv_fd (int sock, char *buf, size_t size, int *fd)
{
  char cbuf[CMSG_SPACE (sizeof (int))];
  struct iovec iov = { .iov_base = buf, .iov_len = size - 1 };
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf };
  ssize_t n = recvmsg (sock, &mh, MSG_CMSG_CLOEXEC);
  struct cmsghdr *c = n > 0 ? CMSG_FIRSTHDR (&mh) : NULL;
  if (c == NULL || c->cmsg_type != SCM_RIGHTS)
    return -1;
  memcpy (fd, CMSG_DATA (c), sizeof (int));
  buf[n] = '\0';
  return 0;
}

static bool
answer_one (int nfd, long val)
{
  struct seccomp_notif req;
  struct seccomp_notif_resp resp;
  memset (&req, 0, sizeof req);
  if (ioctl (nfd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
    return false;
  resp = (struct seccomp_notif_resp) { .id = req.id, .val = val };
  return ioctl (nfd, SECCOMP_IOCTL_NOTIF_SEND, &resp) == 0;
}

static void
test_notify (void)
{
  char dir[] = "/tmp/nr-seccomp-XXXXXX", path[128], json[512], buf[4096] = "";
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  struct nr_seccomp *sc;
  int lsock, conn = -1, nfd = -1;
  pid_t pid;

  if (seccomp_api_get () < 5 || mkdtemp (dir) == NULL)
    { skip (4, "no SCMP_ACT_NOTIFY"); return; }
  snprintf (path, sizeof path, "%s/agent.sock", dir);
  snprintf (json, sizeof json, "{'defaultAction':'SCMP_ACT_ALLOW','listenerPath':'%s','listenerMetadata':'hello',"
            "'syscalls':[{'names':['getppid'],'action':'SCMP_ACT_NOTIFY'}]}", path);
  sc = compile (json, NULL);
  strcpy (addr.sun_path, path);
  lsock = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sc == NULL || bind (lsock, (struct sockaddr *) &addr, sizeof addr) < 0 || listen (lsock, 1) < 0)
    bail_out ("notify setup");
  pid = fork ();
  if (pid == 0)
    {
      nr_error_t err = NULL;
      if (!load_in_child (sc) || sc->notify_fd < 0)
        _exit (100);
      if (nr_seccomp_send_listener (sc->listener_path, sc->notify_fd, getpid (), sc->listener_metadata,
                                    "{\"ociVersion\":\"1.2.0\",\"id\":\"c1\",\"status\":\"creating\"}", &err) < 0)
        _exit (101);
      close (sc->notify_fd);
      _exit (syscall (SYS_getppid) == 4242 ? 0 : 102);
    }
  struct pollfd pfd = { .fd = lsock, .events = POLLIN };
  if (poll (&pfd, 1, 10000) == 1)
    conn = accept4 (lsock, NULL, NULL, SOCK_CLOEXEC);
  ok (conn >= 0 && recv_fd (conn, buf, sizeof buf, &nfd) == 0, "listener got a message with an fd");
  like (buf, "\"fds\":[\"seccompFd\"]", "container process state names the fd");
  like (buf, "\"metadata\":\"hello\"", "and carries listenerMetadata");
  pfd = (struct pollfd) { .fd = nfd, .events = POLLIN };
  bool answered = nfd >= 0 && poll (&pfd, 1, 10000) == 1 && answer_one (nfd, 4242);
  if (!answered)
    kill (pid, SIGKILL);
  is_int (wait_child (pid), 0, "the agent answered the notified syscall");
  if (nfd >= 0)
    close (nfd);
  if (conn >= 0)
    close (conn);
  close (lsock);
  unlink (path);
  rmdir (dir);
  nr_seccomp_free (sc);
}

int
main (void)
{
  _cleanup_free_ char *raw = NULL;
  size_t len = 0;
  nr_error_t err = NULL;

  log_fd = memfd_create ("log", MFD_CLOEXEC);
  if (log_fd < 0 || nr_log_open (NULL, "text", true, &err) < 0)
    bail_out ("log");
  nr_log_set_fd (log_fd);
  native = seccomp_arch_native ();
  if (nr_read_file (SECCOMP_DATA_DIR "/docker-default-oci.json", 1 << 20, &raw, &len, &err) < 0)
    bail_out ("%s", err->msg);
  docker_json = raw;

  test_lists ();
  test_basic_rules ();
  test_skips ();
  test_args ();
  test_errors ();
  test_arch_unsupported ();
  test_flags ();
  test_archs ();
  test_pfc ();
  if (native == SCMP_ARCH_X86_64)
    test_docker_compile ();
  else
    skip (10, "Docker profile checks are written for x86_64");
  test_load_mkdir ();
  if (native == SCMP_ARCH_X86_64)
    test_load_docker ();
  else
    skip (2, "x86_64 only");
  test_notify ();
  return done_testing ();
}
