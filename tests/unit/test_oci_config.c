/* SPDX-License-Identifier: Apache-2.0 */
/* oci/: config.json parsing and validation.  JSON in this file is written with
   single quotes and turned into double quotes before parsing (jq-style
   readability); no test input needs a literal single quote. */
#include <config.h>
#include "oci/config.h"
#include "oci/edit.h"
#include "oci/serialize.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "tests/unit/tap.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#define MOUNT_ATTR_NOSUID 0x00000002
#define MOUNT_ATTR__ATIME 0x00000070
#define MOUNT_ATTR_NOATIME 0x00000010
#endif

/* ---- helpers ------------------------------------------------------------ */

static char *
dq (const char *s)
{
  char *d = strdup (s);
  for (char *p = d; p && *p; p++)
    if (*p == '\'')
      *p = '"';
  return d;
}

static int
parse (const char *json, struct oci_config **out, nr_error_t *err)
{
  _cleanup_free_ char *d = dq (json);
  return oci_config_parse_data (d, strlen (d), "config.json", out, err);
}

/* Parsing json fails with exactly msg. */
static void
parse_fails (const char *json, const char *msg, const char *desc)
{
  struct oci_config *c = NULL;
  _cleanup_error_ nr_error_t err = NULL;
  if (parse (json, &c, &err) == 0)
    {
      ok (false, "%s: parse should fail", desc);
      oci_config_free (c);
      return;
    }
  is_str (err->msg, msg, "%s", desc);
}

/* Parsing succeeds and validation fails with a message containing msg. */
static void
invalid (const char *json, const char *msg, const char *desc)
{
  struct oci_config *c = NULL;
  _cleanup_error_ nr_error_t err = NULL;
  if (parse (json, &c, &err) < 0)
    {
      ok (false, "%s: parse failed: %s", desc, err->msg);
      return;
    }
  if (oci_config_validate (c, NULL, &err) == 0)
    ok (false, "%s: validate should fail", desc);
  else
    like (err->msg, msg, "%s", desc);
  oci_config_free (c);
}

/* Parses and validates. */
static void
valid (const char *json, const char *desc)
{
  struct oci_config *c = NULL;
  _cleanup_error_ nr_error_t err = NULL;
  int r = parse (json, &c, &err);
  if (r == 0)
    r = oci_config_validate (c, NULL, &err);
  if (!ok (r == 0, "%s", desc))
    diag ("error: %s", err ? err->msg : "?");
  oci_config_free (c);
}

#define HEAD "'ociVersion':'1.0.2','root':{'path':'rootfs'}"
#define PROC "'process':{'cwd':'/','args':['sh']}"
/* A config whose linux section is body. */
#define LCFG(body) "{" HEAD "," PROC ",'linux':{" body "}}"
#define NS1(a) "'namespaces':[{'type':'" a "'}]"
#define NS2(a, b) "'namespaces':[{'type':'" a "'},{'type':'" b "'}]"

/* ---- the spec's examples ------------------------------------------------ */

/* Examples for another platform: parsed, but their validity is not Linux's. */
static bool
foreign_platform (const char *name)
{
  static const char *const p[] = { "freebsd-", "zos-", "windows-", "solaris-", "vm-", NULL };
  for (int i = 0; p[i]; i++)
    if (strncmp (name, p[i], strlen (p[i])) == 0)
      return true;
  return false;
}

static int
json_file (const struct dirent *d)
{
  size_t n = strlen (d->d_name);
  return n > 5 && strcmp (d->d_name + n - 5, ".json") == 0;
}

static void
spec_example (const char *dir, const char *name, bool good)
{
  _cleanup_free_ char *path = NULL;
  struct oci_config *c = NULL;
  _cleanup_error_ nr_error_t err = NULL;
  if (asprintf (&path, "%s/%s", dir, name) < 0)
    bail_out ("out of memory");

  if (!good && foreign_platform (name))
    {
      skip (1, "not a Linux example");
      return;
    }
  int r = oci_config_parse_file (path, &c, &err);
  if (good && foreign_platform (name))
    ok (r == 0, "good/%s parses", name);
  else if (good)
    {
      if (r == 0)
        r = oci_config_validate (c, NULL, &err);
      /* schema-valid, but a feature nestrun refuses: the error must say so */
      bool unsupported = r < 0 && strstr (err->msg, "not supported") != NULL;
      if (!ok (r == 0 || unsupported, "good/%s parses and validates%s", name,
               unsupported ? " (or is refused as unsupported)" : ""))
        diag ("error: %s", err->msg);
      else if (unsupported)
        diag ("%s", err->msg);
    }
  else
    {
      if (r == 0)
        r = oci_config_validate (c, NULL, &err);
      if (ok (r < 0, "bad/%s is rejected", name))
        diag ("%s", err->msg);
    }
  oci_config_free (c);
}

static void
test_spec_examples (void)
{
#ifdef SPEC_DIR
  static const char *const kinds[] = { "good", "bad" };
  for (int k = 0; k < 2; k++)
    {
      char dir[4096];
      struct dirent **list = NULL;
      snprintf (dir, sizeof dir, "%s/schema/test/config/%s", SPEC_DIR, kinds[k]);
      int n = scandir (dir, &list, json_file, alphasort);
      if (n < 0)
        {
          skip (1, "runtime-spec examples not found");
          continue;
        }
      for (int i = 0; i < n; i++)
        {
          spec_example (dir, list[i]->d_name, k == 0);
          free (list[i]);
        }
      free (list);
    }
#else
  skip (1, "SPEC_DIR not set");
#endif
}

/* ---- type errors name the file and the field ---------------------------- */

static void
test_type_errors (void)
{
  parse_fails ("{" HEAD ",'process':{'cwd':'/','user':{'uid':'0'}}}",
               "config.json: \"process.user.uid\": expected unsigned integer, got string", "uid as a string");
  parse_fails ("{" HEAD ",'process':{'user':{'uid':-1}}}",
               "config.json: \"process.user.uid\": expected unsigned integer, got -1", "negative uid");
  parse_fails ("{" HEAD ",'process':{'user':{'additionalGids':[1,'x']}}}",
               "config.json: \"process.user.additionalGids[1]\": expected unsigned integer, got string",
               "additionalGids element");
  parse_fails ("{" HEAD ",'mounts':[{'destination':'/a'},{'destination':'/b','options':['ro',7]}]}",
               "config.json: \"mounts[1].options[1]\": expected string, got number", "mount option as a number");
  parse_fails ("{" HEAD ",'mounts':[{'type':'tmpfs'}]}",
               "config.json: \"mounts[0].destination\": required field is missing",
               "mount without destination");
  parse_fails ("{" HEAD ",'mounts':['x']}", "config.json: \"mounts[0]\": expected object, got string",
               "mount as a string");
  parse_fails ("{" HEAD ",'linux':{'resources':{'memory':{'limit':'1G'}}}}",
               "config.json: \"linux.resources.memory.limit\": expected integer, got string", "memory limit");
  parse_fails ("{" HEAD ",'linux':{'resources':{'blockIO':{'weight':70000}}}}",
               "config.json: \"linux.resources.blockIO.weight\": value 70000 out of range for uint16", "blkio weight");
  parse_fails ("{" HEAD ",'process':{'rlimits':[{'type':'RLIMIT_FOO','soft':1,'hard':1}]}}",
               "config.json: \"process.rlimits[0].type\": unknown rlimit \"RLIMIT_FOO\"", "unknown rlimit");
  parse_fails ("{" HEAD ",'process':{'rlimits':[{'type':'RLIMIT_NOFILE','soft':1}]}}",
               "config.json: \"process.rlimits[0].hard\": required field is missing", "rlimit without hard");
  parse_fails ("{" HEAD ",'linux':{'namespaces':[{'type':'pid'},{'type':'foo'}]}}",
               "config.json: \"linux.namespaces[1].type\": unknown namespace type \"foo\"", "unknown namespace");
  parse_fails ("{" HEAD ",'linux':{'uidMappings':[{'containerID':0,'hostID':0,'size':4294967296}]}}",
               "config.json: \"linux.uidMappings[0].size\": value 4294967296 out of range for uint32", "mapping size");
  parse_fails ("{" HEAD ",'hooks':{'poststart':[{'path':'/x','timeout':1.5}]}}",
               "config.json: \"hooks.poststart[0].timeout\": expected integer, got \"1.5\"", "fractional timeout");
  parse_fails ("{" HEAD ",'annotations':{'a':'b','c':1}}",
               "config.json: \"annotations.c\": expected string, got number",
               "annotation value");
  parse_fails ("{" HEAD ",'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['x'],"
               "'action':'SCMP_ACT_ERRNO','args':[{'index':0,'value':'1','op':'SCMP_CMP_EQ'}]}]}}}",
               "config.json: \"linux.seccomp.syscalls[0].args[0].value\": expected unsigned integer, got string",
               "seccomp arg value");
  parse_fails ("{" HEAD ",'linux':{'timeOffsets':{'realtime':{'secs':1}}}}",
               "config.json: \"linux.timeOffsets.realtime\": unknown clock (want \"monotonic\" or \"boottime\")",
               "unknown clock");
  parse_fails ("{" HEAD ",'linux':{'netDevices':{'eth0':{'name':23}}}}",
               "config.json: \"linux.netDevices.eth0.name\": expected string, got number", "netDevices name");
  parse_fails ("{" HEAD ",'linux':{'resources':{'rdma':{'mlx5_1':{'hcaHandles':'x'}}}}}",
               "config.json: \"linux.resources.rdma.mlx5_1.hcaHandles\": expected unsigned integer, got string",
               "rdma entry");
  parse_fails ("{'root':{'path':'r'}}", "config.json: \"ociVersion\": required field is missing", "no ociVersion");
  parse_fails ("{'ociVersion':'1.0.0','root':'rootfs'}",
               "config.json: \"root\": expected object, got string", "root as a string");
  parse_fails ("[1]", "config.json: expected a JSON object, got array", "top level array");
  parse_fails ("{" HEAD ",'process':{'terminal':'yes'}}",
               "config.json: \"process.terminal\": expected boolean, got string",
               "terminal as a string");
}

/* ---- mount options ------------------------------------------------------ */

static void
test_mount_options (void)
{
  struct oci_config *c = NULL;
  _cleanup_error_ nr_error_t err = NULL;
  int r = parse ("{" HEAD ",'mounts':["
                 "{'destination':'/a','type':'none','source':'/src','options':"
                 "['ro','nosuid','nodev','noexec','rbind','rprivate','rro','size=64m','mode=755']},"
                 "{'destination':'/b','type':'tmpfs','options':['ro','rw','nosuid','suid','defaults','tmpcopyup']},"
                 "{'destination':'/c','type':'bind','source':'/x','options':['rnoatime','rnosuid','rrelatime','x-nestrun.locked']},"
                 "{'destination':'/d','options':['idmap','shared','slave']}]}",
                 &c, &err);
  if (!is_int (r, 0, "config with mounts parses"))
    {
      diag ("%s", err->msg);
      return;
    }
  struct oci_mount *m = c->mounts;
  is_int (c->n_mounts, 4, "four mounts");
  is_int (m[0].flags,
          MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_BIND | MS_REC, "ro,nosuid,nodev,noexec,rbind flags");
  is_int (m[0].propagation, MS_PRIVATE | MS_REC, "rprivate propagation");
  is_int (m[0].attr_set, MOUNT_ATTR_RDONLY, "rro sets MOUNT_ATTR_RDONLY");
  is_int (m[0].attr_clr, 0, "rro clears nothing");
  ok (m[0].recursive_attrs, "rro is a recursive attribute");
  ok (m[0].bind && m[0].rbind, "rbind is a recursive bind mount");
  is_str (m[0].data, "size=64m,mode=755", "unknown options become fs data");

  is_int (m[1].flags, 0, "ro then rw, nosuid then suid: nothing set");
  is_int (m[1].clear_flags, MS_RDONLY | MS_NOSUID, "rw and suid are cleared flags");
  ok (m[1].data == NULL, "defaults is not fs data");
  ok (m[1].tmpcopyup, "tmpcopyup");
  ok (!m[1].bind && !m[1].recursive_attrs, "tmpfs is not a bind mount");

  ok (m[2].bind && !m[2].rbind, "type bind is a (non-recursive) bind mount");
  is_int (m[2].flags, MS_BIND, "type bind sets MS_BIND");
  is_int (m[2].attr_set, MOUNT_ATTR_NOATIME | MOUNT_ATTR_NOSUID, "rnoatime,rnosuid,rrelatime attr_set");
  is_int (m[2].attr_clr, MOUNT_ATTR__ATIME, "atime options clear MOUNT_ATTR__ATIME");
  ok (m[2].locked && m[2].data == NULL, "x-nestrun.locked: our option, not fs data");
  ok (!m[0].locked && !m[1].locked, "mounts are not locked unless asked");

  ok (m[3].idmap, "idmap recorded");
  is_int (m[3].propagation, MS_SLAVE, "the last propagation option wins");
  ok (m[3].data == NULL, "idmap is not fs data");

  /* the runtime may rewrite options and parse again */
  free (m[0].options[7]);
  m[0].options[7] = strdup ("rw");
  is_int (oci_mount_parse_options (&m[0], &err), 0, "reparse");
  is_int (m[0].flags & MS_RDONLY, 0, "reparse applies the new rw");
  is_str (m[0].data, "mode=755", "reparse rebuilds the data");

  _cleanup_error_ nr_error_t verr = NULL;
  ok (oci_config_validate (c, NULL, &verr) < 0 && strstr (verr->msg, "\"mounts[3].options\"")
          && strstr (verr->msg, "not supported"),
      "an idmap mount is refused as not supported");
  oci_config_free (c);

  bool found_rro = false, found_rbind = false, dup = false;
  for (size_t i = 0; i < oci_n_mount_options; i++)
    {
      found_rro |= strcmp (oci_mount_options[i].name, "rro") == 0 && oci_mount_options[i].attr == MOUNT_ATTR_RDONLY;
      found_rbind |= strcmp (oci_mount_options[i].name, "rbind") == 0;
      for (size_t j = 0; j < i; j++)
        dup |= strcmp (oci_mount_options[i].name, oci_mount_options[j].name) == 0;
    }
  ok (found_rro && found_rbind && !dup, "mount option table: rro, rbind, no duplicates");

  invalid ("{" HEAD ",'mounts':[{'destination':'/a','source':'/b','options':['bind'],"
           "'uidMappings':[{'containerID':0,'hostID':1000,'size':1}],'gidMappings':[]}]}",
           "\"mounts[0]\": uidMappings/gidMappings (idmapped mounts) are not supported", "mount uidMappings refused");
  valid ("{" HEAD ",'mounts':[{'destination':'relative/dir','type':'tmpfs'}]}",
         "a relative mount destination is accepted (with a warning, as runc)");
}

/* ---- process ------------------------------------------------------------ */

static void
test_process (void)
{
  static const char json[] = "{'terminal':true,'consoleSize':{'height':24,'width':80},"
                             "'user':{'uid':1,'gid':2,'umask':18,'additionalGids':[5,6]},"
                             "'args':['sh','-c','true'],'env':['A=1','PATH=/bin','A=2'],'cwd':'/w',"
                             "'capabilities':{'bounding':['CAP_KILL'],'ambient':[]},"
                             "'rlimits':[{'type':'RLIMIT_NOFILE','soft':1024,'hard':4096},"
                             "{'type':'RLIMIT_CORE','soft':0,'hard':0}],"
                             "'noNewPrivileges':true,'oomScoreAdj':-500,'apparmorProfile':'p',"
                             "'ioPriority':{'class':'IOPRIO_CLASS_BE','priority':4},"
                             "'scheduler':{'policy':'SCHED_FIFO','priority':10,'flags':['SCHED_FLAG_RESET_ON_FORK']},"
                             "'execCPUAffinity':{'initial':'0-1','final':'2'}}";
  _cleanup_free_ char *d = dq (json);
  struct oci_process *p = NULL;
  _cleanup_error_ nr_error_t err = NULL;
  if (!is_int (oci_process_parse_data (d, strlen (d), "process.json", &p, &err), 0, "bare process parses"))
    {
      diag ("%s", err->msg);
      return;
    }
  ok (p->terminal && p->has_console_size && p->console_height == 24 && p->console_width == 80, "terminal, consoleSize");
  ok (p->user.uid == 1 && p->user.gid == 2 && p->user.has_umask && p->user.umask == 18, "user");
  ok (p->user.n_additional_gids == 2 && p->user.additional_gids[1] == 6, "additionalGids");
  is_str (p->args[2], "true", "args");
  is_str (oci_process_getenv (p, "A"), "2", "getenv: the last assignment wins");
  is_str (oci_process_getenv (p, "PATH"), "/bin", "getenv PATH");
  ok (oci_process_getenv (p, "PAT") == NULL, "getenv matches whole names");
  ok (p->capabilities && p->capabilities->bounding && p->capabilities->ambient && !p->capabilities->ambient[0]
          && p->capabilities->effective == NULL,
      "capabilities: present, empty and absent sets");
  ok (p->n_rlimits == 2 && p->rlimits[0].resource == RLIMIT_NOFILE && p->rlimits[1].resource == RLIMIT_CORE
          && p->rlimits[0].soft == 1024 && p->rlimits[0].hard == 4096,
      "rlimits resolved to RLIMIT_*");
  ok (p->no_new_privileges && p->has_oom_score_adj && p->oom_score_adj == -500, "noNewPrivileges, oomScoreAdj");
  ok (p->io_priority.set && p->io_priority.priority == 4, "ioPriority");
  ok (p->scheduler.set && p->scheduler.priority == 10 && p->scheduler.flags[0], "scheduler");
  is_str (p->exec_cpu_affinity_final_s, "2", "execCPUAffinity");
  is_int (oci_process_validate (p, "process.json", &err), 0, "bare process validates");
  oci_process_free (p);

  _cleanup_free_ char *bad = dq ("{'cwd':'w','args':['sh']}");
  p = NULL;
  ok (oci_process_parse_data (bad, strlen (bad), "process.json", &p, &err) == 0
          && oci_process_validate (p, "process.json", &err) < 0,
      "relative cwd fails validation");
  is_str (err ? err->msg : NULL, "process.json: \"cwd\": \"w\" is not an absolute path", "bare process message");
  oci_process_free (p);

  invalid ("{" HEAD ",'process':{'cwd':'/','args':[]}}", "\"process.args\": must not be empty", "empty args");
  invalid ("{" HEAD ",'process':{'args':['sh']}}", "\"process.cwd\": required field is missing", "missing cwd");
  invalid ("{" HEAD ",'process':{'cwd':'/','args':['sh'],'env':['NOEQUALS']}}", "\"process.env[0]\"", "env without =");
  invalid ("{" HEAD ",'process':{'cwd':'/','args':['sh'],'rlimits':[{'type':'RLIMIT_NOFILE','soft':10,'hard':5}]}}",
           "\"process.rlimits[0]\": RLIMIT_NOFILE: soft limit 10 is greater than hard limit 5", "soft > hard");
  invalid ("{" HEAD ",'process':{'cwd':'/','args':['sh'],'rlimits':[{'type':'RLIMIT_NOFILE','soft':1,'hard':1},"
           "{'type':'RLIMIT_NOFILE','soft':1,'hard':1}]}}",
           "duplicate rlimit RLIMIT_NOFILE", "duplicate rlimit");
  invalid ("{" HEAD ",'process':{'cwd':'/','args':['sh'],'scheduler':{'policy':'SCHED_OTHER','priority':3}}}",
           "\"process.scheduler.priority\"", "scheduler priority needs FIFO/RR");
  invalid ("{" HEAD ",'process':{'cwd':'/','args':['sh'],'ioPriority':{'class':'IOPRIO_CLASS_XX'}}}",
           "\"process.ioPriority.class\"", "io priority class");
  invalid ("{" HEAD ",'process':{'cwd':'/','args':['sh'],'oomScoreAdj':1001}}", "\"process.oomScoreAdj\"",
           "oomScoreAdj range");
}

static void
test_rlimit_names (void)
{
  static const struct
  {
    const char *name;
    int res;
  } all[] = {
    { "RLIMIT_AS", RLIMIT_AS },         { "RLIMIT_CORE", RLIMIT_CORE },
    { "RLIMIT_CPU", RLIMIT_CPU },       { "RLIMIT_DATA", RLIMIT_DATA },
    { "RLIMIT_FSIZE", RLIMIT_FSIZE },   { "RLIMIT_LOCKS", RLIMIT_LOCKS },
    { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK }, { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
    { "RLIMIT_NICE", RLIMIT_NICE },     { "RLIMIT_NOFILE", RLIMIT_NOFILE },
    { "RLIMIT_NPROC", RLIMIT_NPROC },   { "RLIMIT_RSS", RLIMIT_RSS },
    { "RLIMIT_RTPRIO", RLIMIT_RTPRIO }, { "RLIMIT_RTTIME", RLIMIT_RTTIME },
    { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING }, { "RLIMIT_STACK", RLIMIT_STACK },
  };
  bool all_ok = true;
  for (size_t i = 0; i < NR_ARRAY_SIZE (all); i++)
    {
      char json[256];
      struct oci_process *p = NULL;
      _cleanup_error_ nr_error_t err = NULL;
      snprintf (json, sizeof json, "{\"rlimits\":[{\"type\":\"%s\",\"soft\":1,\"hard\":2}]}", all[i].name);
      if (oci_process_parse_data (json, strlen (json), "p", &p, &err) < 0 || p->rlimits[0].resource != all[i].res)
        {
          all_ok = false;
          diag ("%s: %s", all[i].name, err ? err->msg : "wrong resource");
        }
      oci_process_free (p);
    }
  ok (all_ok, "all 16 rlimit names resolve");
  parse_fails ("{" HEAD ",'process':{'rlimits':[{'type':'nofile','soft':1,'hard':1}]}}",
               "config.json: \"process.rlimits[0].type\": unknown rlimit \"nofile\"", "lowercase rlimit name refused");
}

/* ---- seccomp ------------------------------------------------------------ */

#define SECCOMP(body) LCFG ("'seccomp':{" body "}")

static void
test_seccomp (void)
{
  struct oci_config *c = NULL;
  _cleanup_error_ nr_error_t err = NULL;
  int r = parse (SECCOMP ("'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':38,"
                          "'architectures':['SCMP_ARCH_X86_64','SCMP_ARCH_X86'],"
                          "'flags':['SECCOMP_FILTER_FLAG_LOG'],'listenerPath':'/run/agent.sock','listenerMetadata':'m',"
                          "'syscalls':[{'names':['read','write'],'action':'SCMP_ACT_ALLOW'},"
                          "{'names':['personality'],'action':'SCMP_ACT_ERRNO','errnoRet':1,"
                          "'args':[{'index':0,'value':255,'valueTwo':0,'op':'SCMP_CMP_MASKED_EQ'}]},"
                          "{'names':['mkdir'],'action':'SCMP_ACT_NOTIFY'}]"),
                 &c, &err);
  if (!is_int (r, 0, "seccomp parses"))
    {
      diag ("%s", err->msg);
      return;
    }
  struct oci_seccomp *s = c->seccomp;
  if (!ok (s && s->has_default_errno_ret && s->default_errno_ret == 38, "defaultAction and defaultErrnoRet"))
    return;
  is_str (s->architectures[1], "SCMP_ARCH_X86", "architectures");
  is_str (s->flags[0], "SECCOMP_FILTER_FLAG_LOG", "flags");
  is_str (s->listener_metadata, "m", "listenerMetadata");
  is_int (s->n_syscalls, 3, "three syscall rules");
  ok (s->syscalls[1].has_errno_ret && s->syscalls[1].errno_ret == 1 && !s->syscalls[0].has_errno_ret, "errnoRet");
  ok (s->syscalls[1].n_args == 1 && s->syscalls[1].args[0].value == 255, "args");
  is_str (s->syscalls[1].args[0].op, "SCMP_CMP_MASKED_EQ", "arg op");
  r = oci_config_validate (c, NULL, &err);
#ifdef HAVE_SECCOMP
  if (!is_int (r, 0, "seccomp validates"))
    diag ("%s", err->msg);
#else
  ok (r < 0 && strstr (err->msg, "not supported"), "seccomp refused without libseccomp");
#endif
  oci_config_free (c);

#ifdef HAVE_SECCOMP
  invalid (SECCOMP ("'defaultAction':'SCMP_ACT_BLOCK'"),
           "\"linux.seccomp.defaultAction\": unknown action", "bad default");
  invalid (SECCOMP ("'defaultAction':'SCMP_ACT_NOTIFY','listenerPath':'/s'"), "cannot be the default action",
           "notify as default");
  invalid (SECCOMP ("'defaultAction':'SCMP_ACT_ALLOW','defaultErrnoRet':1"), "\"linux.seccomp.defaultErrnoRet\"",
           "errno with allow");
  invalid (SECCOMP ("'defaultAction':'SCMP_ACT_ALLOW','architectures':['SCMP_ARCH_Z80']"), "unknown architecture",
           "bad arch");
  invalid (SECCOMP ("'defaultAction':'SCMP_ACT_ALLOW','flags':['SECCOMP_FILTER_FLAG_FOO']"),
           "unknown flag", "bad flag");
  invalid (SECCOMP ("'defaultAction':'SCMP_ACT_ALLOW','listenerMetadata':'x'"), "without listenerPath",
           "metadata without listener");
  invalid (SECCOMP ("'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':[],'action':'SCMP_ACT_ERRNO'}]"),
           "\"linux.seccomp.syscalls[0].names\": must contain at least one entry", "empty names");
  invalid (SECCOMP ("'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['x'],'action':'SCMP_ACT_NOTIFY'}]"),
           "needs linux.seccomp.listenerPath", "notify without listener");
  invalid (SECCOMP ("'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['x'],'action':'SCMP_ACT_ERRNO',"
                    "'args':[{'index':0,'value':1,'op':'SCMP_CMP_XX'}]}]"),
           "\"linux.seccomp.syscalls[0].args[0]\": unknown op", "bad op");
  invalid (SECCOMP ("'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['x'],'action':'SCMP_ACT_KILL',"
                    "'errnoRet':5}]"),
           "\"linux.seccomp.syscalls[0].errnoRet\"", "errnoRet with kill");
  const char *const all_actions[] = { "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
                                      "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE",
                                      "SCMP_ACT_ALLOW", "SCMP_ACT_LOG" };
  bool all = true;
  for (size_t i = 0; i < NR_ARRAY_SIZE (all_actions); i++)
    {
      char json[512];
      struct oci_config *cc = NULL;
      _cleanup_error_ nr_error_t e = NULL;
      snprintf (json, sizeof json, LCFG ("'seccomp':{'defaultAction':'%s','syscalls':[{'names':['x'],'action':'%s'}]}"),
                all_actions[i], all_actions[i]);
      if (parse (json, &cc, &e) < 0 || oci_config_validate (cc, NULL, &e) < 0)
        {
          all = false;
          diag ("%s: %s", all_actions[i], e->msg);
        }
      oci_config_free (cc);
    }
  ok (all, "every non-notify action is a valid default and rule action");
#endif
}

/* ---- resources ---------------------------------------------------------- */

static void
test_resources (void)
{
  static const char json[] =
      "{'devices':[{'allow':false},{'allow':true,'type':'c','major':1,'minor':3,'access':'rw'}],"
      "'memory':{'limit':1073741824,'swap':-1,'swappiness':10,'disableOOMKiller':true,'checkBeforeUpdate':false},"
      "'cpu':{'shares':512,'quota':50000,'period':100000,'burst':1000,'cpus':'0-3','mems':'0','idle':1},"
      "'pids':{'limit':100},"
      "'blockIO':{'weight':500,'weightDevice':[{'major':8,'minor':0,'leafWeight':10}],"
      "'throttleReadBpsDevice':[{'major':8,'minor':0,'rate':1000}],"
      "'throttleWriteIOPSDevice':[{'major':8,'minor':16,'rate':30},{'major':8,'minor':32,'rate':40}]},"
      "'hugepageLimits':[{'pageSize':'2MB','limit':4194304}],"
      "'network':{'classID':1048577,'priorities':[{'name':'eth0','priority':5}]},"
      "'unified':{'memory.high':'1G','io.weight':'default 100'}}";
  _cleanup_free_ char *d = dq (json);
  struct oci_resources *r = NULL;
  _cleanup_error_ nr_error_t err = NULL;
  if (!is_int (oci_resources_parse_data (d, strlen (d), "-", &r, &err), 0, "bare resources parse"))
    {
      diag ("%s", err->msg);
      return;
    }
  ok (r->n_devices == 2 && !r->devices[0].allow && r->devices[0].type == 'a' && r->devices[0].major == -1
          && r->devices[0].minor == -1,
      "device rule defaults: all devices, wildcard numbers");
  is_str (r->devices[0].access, "rwm", "device rule access defaults to rwm");
  ok (r->devices[1].type == 'c' && r->devices[1].major == 1 && r->devices[1].minor == 3, "device rule c 1:3");
  ok (r->has_mem_limit && r->mem_limit == 1073741824 && r->has_mem_swap && r->mem_swap == -1, "memory limit, swap");
  ok (!r->has_mem_reservation && r->has_mem_swappiness && r->mem_disable_oom_killer && r->has_mem_check_before_update,
      "memory optional fields");
  ok (r->has_cpu_shares && r->cpu_shares == 512 && r->cpu_quota == 50000 && r->has_cpu_burst && r->has_cpu_idle,
      "cpu");
  is_str (r->cpu_cpus, "0-3", "cpus");
  ok (r->has_pids_limit && r->pids_limit == 100, "pids");
  ok (r->has_blkio_weight && r->blkio_weight == 500 && !r->has_blkio_leaf_weight, "blkio weight");
  ok (r->n_blkio_weight_devices == 1 && r->blkio_weight_devices[0].has_leaf_weight
          && !r->blkio_weight_devices[0].has_weight,
      "weightDevice");
  ok (r->n_blkio_throttle[OCI_THROTTLE_READ_BPS] == 1 && r->n_blkio_throttle[OCI_THROTTLE_WRITE_BPS] == 0
          && r->n_blkio_throttle[OCI_THROTTLE_WRITE_IOPS] == 2
          && r->blkio_throttle[OCI_THROTTLE_WRITE_IOPS][1].rate == 40,
      "throttle lists");
  ok (r->n_hugepage_limits == 1 && r->hugepage_limits[0].limit == 4194304, "hugepage limits");
  ok (r->has_net_class_id && r->n_net_priorities == 1, "network");
  is_str (r->net_priorities[0].value, "5", "net priority as a string");
  ok (r->n_unified == 2 && !r->has_rdma, "unified");
  is_str (r->unified[1].value, "default 100", "unified value");
  is_int (oci_resources_validate (r, "-", &err), 0, "resources validate");
  oci_resources_free (r);

  invalid (LCFG ("'resources':{'hugepageLimits':[{'pageSize':'64kB','limit':1}]}"),
           "\"linux.resources.hugepageLimits[0].pageSize\": invalid page size", "hugepage size pattern");
  invalid (LCFG ("'resources':{'rdma':{'mlx5_1':{'hcaHandles':3}}}"),
           "\"linux.resources.rdma\": the rdma controller is not supported", "rdma refused");
  invalid (LCFG ("'resources':{'devices':[{'allow':true,'type':'x'}]}"), "\"linux.resources.devices[0].type\"",
           "device rule type");
  invalid (LCFG ("'resources':{'devices':[{'allow':true,'access':'rwx'}]}"), "\"linux.resources.devices[0].access\"",
           "device rule access");
  invalid (LCFG ("'resources':{'devices':[{'allow':true,'type':'c','major':4294967297,'minor':1}]}"),
           "\"linux.resources.devices[0].major\": 4294967297 is out of range", "device rule major beyond 32 bits");
  invalid (LCFG ("'resources':{'devices':[{'allow':true,'type':'c','major':1,'minor':-2}]}"),
           "\"linux.resources.devices[0].minor\": -2 is out of range", "device rule minor below -1");
  invalid (LCFG ("'devices':[{'path':'/dev/x','type':'c','major':4096,'minor':0}]"),
           "\"linux.devices[0].major\": 4096 is beyond the kernel's range (0-4095)", "device major beyond 12 bits");
  invalid (LCFG ("'devices':[{'path':'/dev/x','type':'b','major':1,'minor':1048576}]"),
           "\"linux.devices[0].minor\": 1048576 is beyond the kernel's range", "device minor beyond 20 bits");
  valid (LCFG ("'devices':[{'path':'/dev/x','type':'c','major':4095,'minor':1048575}]"), "largest device numbers");
  invalid (LCFG ("'resources':{'blockIO':{'weightDevice':[{'major':8,'minor':0}]}}"),
           "needs weight or leafWeight", "weightDevice without a weight");
  invalid (LCFG ("'resources':{'unified':{'../x':'1'}}"), "is not a cgroup file name", "unified key with a slash");

  _cleanup_free_ char *whole = dq ("{'linux':{'resources':{'pids':{'limit':1}}}}");
  r = NULL;
  ok (oci_resources_parse_data (whole, strlen (whole), "-", &r, &err) == 0 && !r->has_pids_limit,
      "bare resources: a whole config's keys are not looked into");
  oci_resources_free (r);
}

/* ---- update: the stored config's resources ------------------------------ */

static void
test_update_resources (void)
{
  static const char all[] =
      "{'memory':{'limit':1073741824,'reservation':1,'swap':-1,'kernel':2,'kernelTCP':3,'swappiness':10,"
      "'disableOOMKiller':true,'useHierarchy':false,'checkBeforeUpdate':false},"
      "'cpu':{'shares':512,'quota':-1,'burst':1000,'period':100000,'realtimeRuntime':5,'realtimePeriod':6,"
      "'cpus':'0-3','mems':'0','idle':1},"
      "'pids':{'limit':100},"
      "'blockIO':{'weight':500,'leafWeight':20,'weightDevice':[{'major':8,'minor':0,'leafWeight':10}],"
      "'throttleReadBpsDevice':[{'major':8,'minor':0,'rate':1000}],"
      "'throttleWriteIOPSDevice':[{'major':8,'minor':16,'rate':30},{'major':8,'minor':32,'rate':40}]},"
      "'hugepageLimits':[{'pageSize':'2MB','limit':4194304}],"
      "'network':{'classID':1048577,'priorities':[{'name':'eth0','priority':5}]},"
      "'unified':{'memory.high':'1G'}}";
  _cleanup_free_ char *d = dq (all);
  _cleanup_error_ nr_error_t err = NULL;
  struct oci_resources *r = NULL, *upd = NULL;
  size_t n = 0;
  ok (oci_resources_parse_data (d, strlen (d), "-", &r, &err) == 0, "resources parse");

  /* every field survives the way through the stored config */
  _cleanup_free_ char *bare = dq ("{'ociVersion':'1.0.2'}");
  _cleanup_free_ char *out = oci_config_update_resources (bare, strlen (bare), r, &n, &err);
  _cleanup_free_ char *want = dq ("{'ociVersion':'1.0.2','linux':{'resources':");
  char *both = NULL;
  ok (asprintf (&both, "%s%s}}", want, d) > 0 && out && strcmp (out, both) == 0,
      "a config without linux gets linux.resources, every field as given");
  if (out && both && strcmp (out, both) != 0)
    diag ("got %s\nwant %s", out, both);
  free (both);
  oci_resources_free (r);

  /* a later update of other fields keeps the first; objects merge, lists are replaced */
  _cleanup_free_ char *stored = dq ("{'ociVersion':'1.0.2','x-new':{'a':[1]},'linux':{'namespaces':[{'type':'pid'}],"
                                    "'resources':{'devices':[{'allow':false,'access':'rwm'}],"
                                    "'memory':{'limit':100,'swap':200},'cpu':{'shares':512,'quota':1000},"
                                    "'hugepageLimits':[{'pageSize':'2MB','limit':1},{'pageSize':'1GB','limit':2}],"
                                    "'unified':{'a':'1'}},'x-linux':true}}");
  _cleanup_free_ char *u1 = dq ("{'cpu':{'period':5000},'memory':{'limit':300},'unified':{'b':'2'},"
                                "'hugepageLimits':[{'pageSize':'2MB','limit':3}],"
                                "'devices':[{'allow':true,'type':'c','major':1,'minor':3}]}");
  ok (oci_resources_parse_data (u1, strlen (u1), "-", &upd, &err) == 0, "update parse");
  free (out);
  out = oci_config_update_resources (stored, strlen (stored), upd, &n, &err);
  free (want);
  want = dq ("{'ociVersion':'1.0.2','x-new':{'a':[1]},'linux':{'namespaces':[{'type':'pid'}],"
             "'resources':{'devices':[{'allow':false,'access':'rwm'}],"
             "'memory':{'limit':300,'swap':200},'cpu':{'shares':512,'quota':1000,'period':5000},"
             "'hugepageLimits':[{'pageSize':'2MB','limit':3}],'unified':{'a':'1','b':'2'}},'x-linux':true}}");
  is_str (out, want, "merged: fields kept, changed, added; lists replaced; devices and other keys untouched");
  ok (out && n == strlen (out), "length");
  oci_resources_free (upd);

  /* a linux object without resources gets them */
  _cleanup_free_ char *nores = dq ("{'linux':{'namespaces':[]}}");
  _cleanup_free_ char *u2 = dq ("{'pids':{'limit':7}}");
  ok (oci_resources_parse_data (u2, strlen (u2), "-", &upd, &err) == 0, "update parse");
  free (out);
  out = oci_config_update_resources (nores, strlen (nores), upd, &n, &err);
  free (want);
  want = dq ("{'linux':{'namespaces':[],'resources':{'pids':{'limit':7}}}}");
  is_str (out, want, "linux without resources: added, with only what was set");
  oci_resources_free (upd);
  free (out);
  out = oci_config_update_resources ("[1]", 3, r = calloc (1, sizeof *r), &n, &err);
  ok (out == NULL && err && strstr (err->msg, "not an object"), "a stored config that is no object is an error");
  free (r);

  /* the halves of pairs the cgroup writers set together */
  struct oci_resources st = { .has_cpu_quota = true, .cpu_quota = 1000, .has_cpu_period = true, .cpu_period = 5000,
                              .has_mem_limit = true, .mem_limit = 100, .has_mem_swap = true, .mem_swap = 200,
                              .has_cpu_realtime_period = true, .cpu_realtime_period = 9 };
  struct oci_resources a = { .has_cpu_period = true, .cpu_period = 5000 };
  oci_resources_complete_pairs (&a, &st);
  ok (a.has_cpu_quota && a.cpu_quota == 1000 && !a.has_mem_limit && !a.has_mem_swap, "period alone: the quota too");
  a = (struct oci_resources){ .has_mem_limit = true, .mem_limit = 100, .has_cpu_realtime_runtime = true };
  oci_resources_complete_pairs (&a, &st);
  ok (a.has_mem_swap && a.mem_swap == 200 && a.has_cpu_realtime_period && a.cpu_realtime_period == 9
          && !a.has_cpu_quota,
      "memory alone: the swap too; realtime runtime: the period");
  a = (struct oci_resources){ .has_mem_limit = true, .mem_limit = -1 };
  oci_resources_complete_pairs (&a, &st);
  ok (!a.has_mem_swap, "memory -1 alone: no stored swap (unlimited both, the writers' rule)");
  a = (struct oci_resources){ .has_mem_swap = true, .mem_swap = 300 };
  oci_resources_complete_pairs (&a, NULL);
  ok (!a.has_mem_limit, "nothing stored: nothing added");
}

/* ---- sysctl ------------------------------------------------------------- */

static void
test_sysctl (void)
{
  valid (LCFG (NS2 ("network", "mount") ",'sysctl':{'net.ipv4.ip_forward':'1'}"), "net.* with a network namespace");
  invalid (LCFG (NS1 ("mount") ",'sysctl':{'net.ipv4.ip_forward':'1'}"),
           "sysctl \"net.ipv4.ip_forward\" is not allowed in the host's network namespace", "net.* without netns");
  valid (LCFG (NS2 ("network", "mount") ",'sysctl':{'net/ipv4/conf/eno2.100/rp_filter':'1'}"),
         "slash-separated net sysctl");
  valid (LCFG (NS2 ("ipc", "mount") ",'sysctl':{'kernel.shmmax':'1','kernel.msgmnb':'1','kernel.sem':'1 2 3 4',"
               "'kernel.sem_next_id':'5','fs.mqueue.msg_max':'10'}"),
         "ipc sysctls with an ipc namespace");
  invalid (LCFG (NS1 ("mount") ",'sysctl':{'kernel.shmmax':'1'}"), "not allowed in the host's ipc namespace",
           "kernel.shmmax without ipc ns");
  invalid (LCFG (NS1 ("mount") ",'sysctl':{'fs.mqueue.msg_max':'1'}"), "not allowed in the host's ipc namespace",
           "fs.mqueue.* without ipc ns");
  valid (LCFG (NS2 ("uts", "mount") ",'sysctl':{'kernel.domainname':'example.org'}"), "kernel.domainname with uts ns");
  invalid (LCFG (NS2 ("uts", "mount") ",'sysctl':{'kernel.hostname':'h'}"), "conflicts with the \"hostname\" field",
           "kernel.hostname refused");
  invalid (LCFG (NS1 ("mount") ",'sysctl':{'kernel.domainname':'x'}"), "is not in a separate kernel namespace",
           "kernel.domainname without uts ns");
  invalid (LCFG (NS2 ("network", "mount") ",'sysctl':{'vm.swappiness':'1'}"), "is not in a separate kernel namespace",
           "vm.* refused");
  invalid (LCFG (NS2 ("network", "mount") ",'sysctl':{'net.//.x':'1'}"), "invalid sysctl name", "'..' component");
  invalid (LCFG (NS2 ("network", "mount") ",'sysctl':{'net/../../etc/x':'1'}"), "invalid sysctl name",
           "slash form escaping /proc/sys");
  invalid (LCFG (NS2 ("network", "mount") ",'sysctl':{'net..x':'1'}"), "invalid sysctl name", "empty component");

  _cleanup_free_ char *a = oci_sysctl_file ("net.ipv4.conf.eno2/100.rp_filter");
  _cleanup_free_ char *b = oci_sysctl_file ("net/ipv4/conf/eno2.100/rp_filter");
  is_str (a, "net/ipv4/conf/eno2.100/rp_filter", "sysctl file from the dotted form");
  is_str (b, "net/ipv4/conf/eno2.100/rp_filter", "sysctl file from the slash form");
}

/* ---- validation --------------------------------------------------------- */

static void
test_validate_top (void)
{
  invalid ("{'ociVersion':'2.0.0','root':{'path':'r'}}", "\"ociVersion\": version 2.0.0 is not supported",
           "ociVersion 2.x");
  invalid ("{'ociVersion':'1.0','root':{'path':'r'}}", "\"ociVersion\": \"1.0\" is not a SemVer version",
           "ociVersion not SemVer");
  valid ("{'ociVersion':'1.2.0-rc.1+build.5','root':{'path':'r'}}", "ociVersion with pre-release and build");
  invalid ("{'ociVersion':'1.0.0'}", "config.json: \"root.path\": required field is missing", "no root");
  invalid ("{" HEAD ",'hostname':'h'}", "\"hostname\": cannot set the hostname without a private UTS namespace",
           "hostname without uts");
  valid ("{" HEAD ",'hostname':'h','linux':{" NS1 ("uts") "}}", "hostname with uts");
  invalid ("{" HEAD ",'hooks':{'prestart':[{'path':'hook'}]}}",
           "\"hooks.prestart[0].path\": \"hook\" is not an absolute path",
           "relative hook path");
  invalid ("{" HEAD ",'hooks':{'poststop':[{'path':'/hook','timeout':0}]}}", "\"hooks.poststop[0].timeout\"",
           "zero hook timeout");
  valid ("{" HEAD ",'hooks':{'prestart':[{'path':'/a'}],'createRuntime':[{'path':'/b','args':['b','1'],'env':['X=1']}],"
         "'createContainer':[{'path':'/c'}],'startContainer':[{'path':'/d'}],'poststart':[{'path':'/e','timeout':5}],"
         "'poststop':[{'path':'/f'}]}}",
         "all six hook kinds");

  /* root.path against the bundle */
  char bundle[] = "/tmp/nr-test-bundle-XXXXXX";
  struct oci_config *c = NULL;
  _cleanup_error_ nr_error_t err = NULL;
  if (mkdtemp (bundle) == NULL || parse ("{" HEAD "}", &c, &err) < 0)
    bail_out ("mkdtemp/parse: %s", strerror (errno));
  ok (oci_config_validate (c, bundle, &err) < 0 && strstr (err->msg, "\"root.path\": rootfs \"")
          && strstr (err->msg, "/rootfs\": No such file or directory"),
      "missing rootfs names the path");
  if (err)
    diag ("%s", err->msg);
  nr_error_free (&err);
  char rootfs[sizeof bundle + 16];
  snprintf (rootfs, sizeof rootfs, "%s/rootfs", bundle);
  mkdir (rootfs, 0755);
  is_int (oci_config_validate (c, bundle, &err), 0, "existing rootfs validates");
  rmdir (rootfs);
  rmdir (bundle);
  oci_config_free (c);
}

static void
test_validate_linux (void)
{
  invalid (LCFG (NS2 ("pid", "pid")), "\"linux.namespaces[1]\": duplicate namespace \"pid\"", "duplicate namespace");
  invalid (LCFG ("'namespaces':[{'type':'network','path':'run/netns/x'}]"), "is not an absolute path",
           "relative namespace path");
  invalid (LCFG (NS1 ("user")), "\"linux.uidMappings\": required when a user namespace is created",
           "userns without mappings");
  invalid (LCFG (NS1 ("user") ",'uidMappings':[{'containerID':0,'hostID':1000,'size':1}]"),
           "\"linux.gidMappings\": required", "userns without gid mappings");
  invalid (LCFG (NS1 ("mount") ",'uidMappings':[{'containerID':0,'hostID':1000,'size':1}]"),
           "but no user namespace", "mappings without userns");
  invalid (LCFG (NS1 ("user") ",'uidMappings':[{'containerID':0,'hostID':1000,'size':0}],"
                 "'gidMappings':[{'containerID':0,'hostID':1000,'size':1}]"),
           "\"linux.uidMappings[0].size\": must not be zero", "zero mapping size");
  valid (LCFG ("'namespaces':[{'type':'user','path':'/proc/1/ns/user'}]"), "joining a userns needs no mappings");
  valid (LCFG (NS1 ("user") ",'uidMappings':[{'containerID':0,'hostID':1000,'size':65536}],"
               "'gidMappings':[{'containerID':0,'hostID':1000,'size':65536}]"),
         "userns with mappings");
  invalid (LCFG (NS1 ("mount") ",'timeOffsets':{'monotonic':{'secs':1}}"), "but no time namespace",
           "time offsets without time ns");
  valid (LCFG (NS1 ("time") ",'timeOffsets':{'monotonic':{'secs':1},'boottime':{'secs':-5,'nanosecs':2}}"),
         "time offsets with a time namespace");
  invalid (LCFG ("'devices':[{'type':'x','path':'/dev/x'}]"), "\"linux.devices[0].type\": invalid device type",
           "device type");
  invalid (LCFG ("'devices':[{'type':'cc','path':'/dev/x','major':1,'minor':1}]"), "\"linux.devices[0].type\"",
           "two-letter device type");
  invalid (LCFG ("'devices':[{'type':'p','path':'/dev/fifo','major':1,'minor':0}]"), "major and minor 0",
           "fifo with numbers");
  valid (LCFG ("'devices':[{'type':'p','path':'/dev/fifo'},{'type':'u','path':'/dev/u','major':1,'minor':2}]"),
         "fifo without numbers, u device");
  invalid (LCFG ("'devices':[{'type':'c','path':'/dev/x','major':1}]"), "\"linux.devices[0].minor\": required",
           "char device without minor");
  invalid (LCFG ("'devices':[{'type':'c','path':'dev/x','major':1,'minor':1}]"), "\"linux.devices[0].path\"",
           "relative device path");
  invalid (LCFG ("'maskedPaths':['/proc/kcore']"), "without a private mount namespace", "masked paths need mount ns");
  invalid (LCFG (NS1 ("mount") ",'readonlyPaths':['proc/sys']"), "\"linux.readonlyPaths[0]\"",
           "relative readonly path");
  invalid (LCFG ("'rootfsPropagation':'rsharedd'"), "\"linux.rootfsPropagation\"", "unknown rootfs propagation");
  invalid (LCFG ("'personality':{'domain':'LINUX64'}"), "\"linux.personality.domain\"", "personality domain");
  invalid (LCFG ("'intelRdt':{'closID':'x'}"), "\"linux.intelRdt\": Intel RDT is not supported", "intelRdt refused");
  invalid (LCFG ("'netDevices':{'eth0':{}}"), "\"linux.netDevices\"", "netDevices refused");
  invalid (LCFG ("'memoryPolicy':{'mode':'MPOL_BIND'}"), "\"linux.memoryPolicy\"", "memoryPolicy refused");

  struct oci_config *c = NULL;
  _cleanup_error_ nr_error_t err = NULL;
  if (parse (LCFG ("'rootfsPropagation':'slave','cgroupsPath':'/a/b','mountLabel':'l',"
                   "'personality':{'domain':'LINUX32'}," NS2 ("pid", "network")),
             &c, &err)
      < 0)
    bail_out ("parse: %s", err->msg);
  is_int (c->rootfs_propagation_flags, MS_SLAVE, "rootfsPropagation slave");
  is_str (c->cgroups_path, "/a/b", "cgroupsPath");
  ok (oci_config_ns (c, OCI_NS_NETWORK) == &c->namespaces[1] && oci_config_ns (c, OCI_NS_USER) == NULL,
      "oci_config_ns");
  oci_config_free (c);
}

/* ---- helpers, limits ---------------------------------------------------- */

static void
test_helpers (void)
{
  bool round = true;
  for (int t = 0; t < OCI_NS_COUNT; t++)
    round &= oci_ns_from_name (oci_ns_name ((enum oci_ns_type) t)) == t;
  ok (round, "namespace names round-trip");
  is_str (oci_ns_name (OCI_NS_NETWORK), "network", "network is the OCI name");
  is_int (oci_ns_from_name ("net"), -1, "unknown namespace name");

  struct oci_config *c = NULL;
  _cleanup_error_ nr_error_t err = NULL;
  if (parse ("{" HEAD ",'annotations':{'a':'1','org.example/b':'2'}}", &c, &err) < 0)
    bail_out ("parse: %s", err->msg);
  is_str (oci_config_annotation (c, "org.example/b"), "2", "annotation lookup");
  ok (oci_config_annotation (c, "c") == NULL, "missing annotation");
  ok (c->process == NULL && !c->has_linux, "absent process and linux");
  oci_config_free (c);

  valid ("{" HEAD ",'unknownField':{'x':[1,2,{'y':null}]},'process':{'cwd':'/','args':['sh'],'future':1}}",
         "unknown fields are ignored");
  valid ("{" HEAD ",'hostname':null,'process':null}", "null counts as absent");
}

static void
test_limits (void)
{
  /* deeper than NR_JSON_MAX_DEPTH */
  size_t depth = NR_JSON_MAX_DEPTH + 10;
  _cleanup_free_ char *deep = malloc (2 * depth + 64);
  char *p = deep + sprintf (deep, "{\"ociVersion\":\"1.0.0\",\"x\":");
  for (size_t i = 0; i < depth; i++)
    *p++ = '[';
  for (size_t i = 0; i < depth; i++)
    *p++ = ']';
  strcpy (p, "}");
  struct oci_config *c = NULL;
  _cleanup_error_ nr_error_t err = NULL;
  ok (oci_config_parse_data (deep, strlen (deep), "config.json", &c, &err) < 0 && strstr (err->msg, "nested deeper"),
      "deep nesting refused");
  oci_config_free (c);
  nr_error_free (&err);

  /* brackets inside strings (with escaped quotes and backslashes) do not count */
  p = deep + sprintf (deep, "{\"ociVersion\":\"1.0.0\",\"x\":\"\\\\\\\"");
  for (size_t i = 0; i < depth; i++)
    *p++ = '[';
  strcpy (p, "\"}");
  ok (oci_config_parse_data (deep, strlen (deep), "config.json", &c, &err) == 0,
      "brackets in a string are not nesting");
  oci_config_free (c);
  c = NULL;
  nr_error_free (&err);
  /* exactly NR_JSON_MAX_DEPTH levels (the object is one) are fine */
  p = deep + sprintf (deep, "{\"ociVersion\":\"1.0.0\",\"x\":");
  for (size_t i = 0; i < NR_JSON_MAX_DEPTH - 1; i++)
    *p++ = '[';
  for (size_t i = 0; i < NR_JSON_MAX_DEPTH - 1; i++)
    *p++ = ']';
  strcpy (p, "}");
  ok (oci_config_parse_data (deep, strlen (deep), "config.json", &c, &err) == 0, "NR_JSON_MAX_DEPTH levels accepted");
  oci_config_free (c);
  c = NULL;
  nr_error_free (&err);

  const char nul[] = "{\"ociVersion\":\"1.0.0\"}\0{}";
  ok (oci_config_parse_data (nul, sizeof nul - 1, "config.json", &c, &err) < 0, "NUL byte refused");
  nr_error_free (&err);
  ok (oci_config_parse_data ("{", 1, "config.json", &c, &err) < 0 && strstr (err->msg, "config.json: invalid JSON"),
      "truncated JSON refused");
  nr_error_free (&err);

  /* larger than NR_JSON_MAX_FILE (a sparse file) */
  char big[] = "/tmp/nr-test-big-XXXXXX";
  int fd = mkstemp (big);
  if (fd < 0 || ftruncate (fd, (off_t) NR_JSON_MAX_FILE + 1) < 0)
    bail_out ("mkstemp: %s", strerror (errno));
  close (fd);
  ok (oci_config_parse_file (big, &c, &err) < 0 && err->status == EFBIG, "huge file refused");
  if (err)
    diag ("%s", err->msg);
  unlink (big);
  nr_error_free (&err);
  ok (oci_config_parse_file ("/nonexistent/config.json", &c, &err) < 0 && strstr (err->msg, "/nonexistent/config.json"),
      "missing file named");
}

int
main (void)
{
  test_spec_examples ();
  test_type_errors ();
  test_mount_options ();
  test_process ();
  test_rlimit_names ();
  test_seccomp ();
  test_resources ();
  test_update_resources ();
  test_sysctl ();
  test_validate_top ();
  test_validate_linux ();
  test_helpers ();
  test_limits ();
  return done_testing ();
}
