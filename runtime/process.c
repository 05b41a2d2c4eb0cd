/* SPDX-License-Identifier: Apache-2.0 */
/* The last steps of init: wait for `start`, then become the user's process. */
#include "config.h"
#include "runtime/process.h"
#include "runtime/rootfs.h"
#include "runtime/caps.h"
#include "runtime/rlimits.h"
#include "runtime/hooks.h"
#include "runtime/state.h"
#include "runtime/seccomp.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

int
nr_process_find_executable (struct nr_init_ctx *ctx, nr_error_t *err)
{
  const struct oci_process *p = ctx->cfg->process;
  _cleanup_close_ int root = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0)
    return nr_error (err, errno, "open /");
  return nr_find_executable_in_root (root, p->args[0], oci_process_getenv (p, "PATH"), p->cwd, &ctx->exec_path,
                                     err);
}

char **
nr_process_env_with_home (const struct oci_process *p)
{
  if (oci_process_getenv (p, "HOME"))
    return p->env;
  const char *home = "/";
  char line[1024];
  char found[1024];
  FILE *f = fopen ("/etc/passwd", "re");
  if (f)
    {
      while (fgets (line, sizeof line, f))
        {
          char *fields[7] = { 0 };
          char *save = NULL, *tok = line;
          for (int i = 0; i < 7 && (fields[i] = strsep (&tok, ":")); i++)
            ;
          (void) save;
          if (fields[2] && fields[5] && strtoul (fields[2], NULL, 10) == p->user.uid && fields[2][0])
            {
              snprintf (found, sizeof found, "%s", fields[5]);
              home = found;
              break;
            }
        }
      fclose (f);
    }
  size_t n = 0;
  while (p->env && p->env[n])
    n++;
  char **env = calloc (n + 2, sizeof (char *));
  if (env == NULL)
    return p->env;
  for (size_t i = 0; i < n; i++)
    env[i] = p->env[i];
  if (asprintf (&env[n], "HOME=%s", home) < 0)
    env[n] = NULL;
  return env;
}

static bool
setgroups_allowed (void)
{
  char buf[16] = "";
  _cleanup_close_ int fd = open ("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return true;
  ssize_t n = read (fd, buf, sizeof buf - 1);
  return !(n > 0 && strncmp (buf, "deny", 4) == 0);
}

static int
set_user (const struct oci_user *u, bool in_userns, nr_error_t *err)
{
  if (!in_userns || setgroups_allowed ())
    {
      gid_t *g = (gid_t *) u->additional_gids;
      if (setgroups (u->n_additional_gids, g) < 0)
        return nr_error (err, errno, "setgroups");
    }
  if (setresgid (u->gid, u->gid, u->gid) < 0)
    return nr_error (err, errno, "setresgid(%u)", u->gid);
  if (setresuid (u->uid, u->uid, u->uid) < 0)
    return nr_error (err, errno, "setresuid(%u)", u->uid);
  return 0;
}

static int
apply_lsm (const struct oci_process *p, nr_error_t *err)
{
  if (p->apparmor_profile && *p->apparmor_profile)
    {
      _cleanup_free_ char *en = NULL;
      nr_error_t e = NULL;
      if (nr_read_file ("/sys/module/apparmor/parameters/enabled", 16, &en, NULL, &e) == 0 && en[0] == 'Y')
        {
          char buf[512];
          int n = snprintf (buf, sizeof buf, "exec %s", p->apparmor_profile);
          int fd = open ("/proc/self/attr/apparmor/exec", O_WRONLY | O_CLOEXEC);
          if (fd < 0)
            fd = open ("/proc/self/attr/exec", O_WRONLY | O_CLOEXEC);
          if (fd < 0 || write (fd, buf, n) != n)
            {
              int er = errno;
              if (fd >= 0)
                close (fd);
              return nr_error (err, er, "apply apparmor profile \"%s\"", p->apparmor_profile);
            }
          close (fd);
        }
      else
        nr_debug ("apparmor is not enabled: profile \"%s\" ignored", p->apparmor_profile);
      nr_error_free (&e);
    }
  if (p->selinux_label && *p->selinux_label)
    {
      if (access ("/sys/fs/selinux/enforce", F_OK) == 0)
        {
          int fd = open ("/proc/self/attr/exec", O_WRONLY | O_CLOEXEC);
          size_t n = strlen (p->selinux_label);
          if (fd < 0 || write (fd, p->selinux_label, n) != (ssize_t) n)
            {
              int er = errno;
              if (fd >= 0)
                close (fd);
              return nr_error (err, er, "apply selinux label \"%s\"", p->selinux_label);
            }
          close (fd);
        }
      else
        nr_debug ("selinux is not enabled: label ignored");
    }
  return 0;
}

static int
apply_io_and_sched (const struct oci_process *p, nr_error_t *err)
{
  if (p->io_priority.set)
    {
      int cls = 0;
      if (strcmp (p->io_priority.class_, "IOPRIO_CLASS_RT") == 0)
        cls = 1;
      else if (strcmp (p->io_priority.class_, "IOPRIO_CLASS_BE") == 0)
        cls = 2;
      else if (strcmp (p->io_priority.class_, "IOPRIO_CLASS_IDLE") == 0)
        cls = 3;
      int prio = (cls << 13) | (p->io_priority.priority & 0x1fff);
      if (syscall (SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, prio) < 0)
        return nr_error (err, errno, "ioprio_set %s %d", p->io_priority.class_, p->io_priority.priority);
    }
  return 0;
}

int
nr_process_finalize (const struct oci_process *p, struct nr_caps *caps, struct nr_seccomp *seccomp,
                     bool in_userns, nr_error_t *err)
{
  if (p->user.has_umask)
    umask (p->user.umask);
  else
    umask (0022);
  if (nr_rlimits_apply (p->rlimits, p->n_rlimits, err) < 0)
    return -1;
  if (apply_io_and_sched (p, err) < 0 || apply_lsm (p, err) < 0)
    return -1;
  /* without no_new_privs the filter needs CAP_SYS_ADMIN: load it before dropping caps */
  if (seccomp && !p->no_new_privileges && nr_seccomp_load (seccomp, err) < 0)
    return -1;
  if (nr_caps_before_setuid (caps, err) < 0)
    return -1;
  if (set_user (&p->user, in_userns, err) < 0)
    return -1;
  if (nr_caps_after_setuid (caps, err) < 0)
    return -1;
  if (p->cwd && *p->cwd && chdir (p->cwd) < 0)
    return nr_error (err, errno, "chdir to cwd \"%s\" set in config.json", p->cwd);
  if (p->no_new_privileges && prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return nr_error (err, errno, "prctl(PR_SET_NO_NEW_PRIVS)");
  if (seccomp && p->no_new_privileges && nr_seccomp_load (seccomp, err) < 0)
    return -1;
  return 0;
}

static __attribute__ ((noreturn)) void
reply_error (int conn, nr_error_t e)
{
  char buf[4200];
  int n = snprintf (buf, sizeof buf, "%d:%s", e ? e->status : 0, e && e->msg ? e->msg : "unknown error");
  if (conn >= 0 && write (conn, buf, n) < 0)
    (void) 0;
  _exit (127);
}

static int
set_personality (const struct oci_config *c, nr_error_t *err)
{
  if (c->personality_domain == NULL)
    return 0;
  unsigned long pers = PER_LINUX;
  if (strcmp (c->personality_domain, "LINUX32") == 0)
    pers = PER_LINUX32;
  if (personality (pers) < 0)
    return nr_error (err, errno, "personality %s", c->personality_domain);
  return 0;
}

void
nr_process_wait_start_and_exec (struct nr_init_ctx *ctx)
{
  nr_error_t err = NULL;
  const struct oci_process *p = ctx->cfg->process;
  int conn;
  char go;

  do
    conn = accept4 (ctx->start_fd, NULL, NULL, SOCK_CLOEXEC);
  while (conn < 0 && errno == EINTR);
  if (conn < 0)
    _exit (1);
  if (read (conn, &go, 1) != 1)
    _exit (1);
  close (ctx->start_fd);

  if (ctx->cfg->hooks.n[OCI_HOOK_START_CONTAINER])
    {
      struct nr_container_info info = { .id = (char *) ctx->id, .pid = getpid (), .status = NR_STATUS_CREATED,
                                        .bundle = (char *) ctx->bundle, .annotations = ctx->cfg->annotations };
      _cleanup_free_ char *st = nr_container_info_json (&info, false);
      if (nr_hooks_run (ctx->cfg, OCI_HOOK_START_CONTAINER, st, &err) < 0)
        reply_error (conn, err);
    }
  if (set_personality (ctx->cfg, &err) < 0)
    reply_error (conn, err);
  if (nr_terminal_make_controlling (ctx, &err) < 0)
    reply_error (conn, err);
  if (nr_process_finalize (p, ctx->caps, ctx->seccomp, ctx->new_userns || oci_config_ns (ctx->cfg, OCI_NS_USER), &err)
      < 0)
    reply_error (conn, err);
  /* only stdio and the preserved fds survive exec */
  syscall (SYS_close_range, 3U + (unsigned) ctx->opts->preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC);
  sigset_t none;
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  char **env = nr_process_env_with_home (p);
  execve (ctx->exec_path, p->args, env);
  nr_error (&err, errno, "exec \"%s\"", p->args[0]);
  reply_error (conn, err);
}
