/* SPDX-License-Identifier: Apache-2.0 */
/*
 * nr-payload: the static test payload of the integration suites (crun's tests/init.c).
 *
 * Copied into every test bundle, so tests assert from inside a container without
 * images, shells or network.  `nr-payload COMMAND [ARGS]` prints one fact on stdout and
 * exits 0, or prints "nr-payload: WHAT: ERRNO-NAME" on stderr and exits 1:
 *
 *   cat FILE | ls DIR (sorted) | write FILE DATA | stat PATH ("type mode uid gid maj min")
 *   touch-ro PATH        try to create PATH, print the errno name (EROFS) or OK (exit 1)
 *   caps                 CapInh/CapPrm/CapEff/CapBnd/CapAmb=HEX lines
 *   ids | euid | umask   "uid=U gid=G groups=A,B" | "euid=U egid=G" | octal umask
 *   cwd | env NAME | hostname | domainname | pid ("pid=P ppid=Q") | fds
 *   rlimit NAME          "SOFT HARD" (NOFILE, NPROC, CORE, ...; "unlimited")
 *   oom                  /proc/self/oom_score_adj
 *   mount-info [PATH]    mountinfo, or for PATH its top mount's "FSTYPE OPTS SUPEROPTS"
 *   propagation PATH     "shared:N", "master:N" ... or "private"
 *   seccomp-mode | nnp   Seccomp: / NoNewPrivs: of /proc/self/status
 *   syscall-errno NAME [ARG]  try mkdir chmod chown mount unshare sethostname setuid
 *                        keyctl personality ptrace getpid; print OK or the errno name
 *   ns NAME | sysctl NAME (dots allowed) | cgroup (/proc/self/cgroup)
 *   isatty ("stdin=tty|notty stdout=...") | winsize ("ROWS COLS" of stdout)
 *   uptime               CLOCK_MONOTONIC and CLOCK_BOOTTIME seconds (time namespaces)
 *   exit N | kill-self SIGNUM | sleep SECS | echo ARGS...
 *   pause                print "ready", sleep until SIGTERM/SIGINT/SIGHUP, exit 0
 *   mutate PATH | unlock PATH [SUB] | handle-open PATH DIR   attack.c: try to change
 *                        a read-only path, print "OPERATION ERRNO-NAME|OK" lines
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "attack.h"

static const char *
errname (int e)
{
  const char *n = strerrorname_np (e);
  return n ? n : "EUNKNOWN";
}

static int
fail (const char *what)
{
  fprintf (stderr, "nr-payload: %s: %s\n", what, errname (errno));
  return 1;
}

static int
usage (void)
{
  fputs ("usage: nr-payload COMMAND [ARGS...] (see tests/payload/init.c)\n", stderr);
  return 2;
}

static int
cat_file (const char *path)
{
  char buf[8192];
  ssize_t n;
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return fail (path);
  while ((n = read (fd, buf, sizeof buf)) > 0)
    if (fwrite (buf, 1, (size_t) n, stdout) != (size_t) n)
      break;
  if (n < 0)
    {
      close (fd);
      return fail (path);
    }
  close (fd);
  return 0;
}

/* Print the value after "KEY:\t" in /proc/self/status. */
static int
status_field (const char *key, int with_key)
{
  char line[512];
  size_t klen = strlen (key);
  int found = 0;
  FILE *f = fopen ("/proc/self/status", "re");
  if (f == NULL)
    return fail ("/proc/self/status");
  while (fgets (line, sizeof line, f))
    if (strncmp (line, key, klen) == 0 && line[klen] == ':')
      {
        const char *v = line + klen + 1;
        v += strspn (v, " \t");
        if (with_key)
          printf ("%s=%s", key, v);
        else
          fputs (v, stdout);
        found = 1;
      }
  fclose (f);
  if (!found)
    {
      fprintf (stderr, "nr-payload: %s: not in /proc/self/status\n", key);
      return 1;
    }
  return 0;
}

static int
cmp_str (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static int
ls_dir (const char *path)
{
  char *names[4096];
  size_t n = 0;
  struct dirent *de;
  DIR *d = opendir (path);
  if (d == NULL)
    return fail (path);
  while ((de = readdir (d)) != NULL && n < 4096)
    if (strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0)
      names[n++] = strdup (de->d_name);
  closedir (d);
  qsort (names, n, sizeof names[0], cmp_str);
  for (size_t i = 0; i < n; i++)
    {
      puts (names[i]);
      free (names[i]);
    }
  return 0;
}

static int
write_file (const char *path, const char *data)
{
  size_t len = strlen (data);
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return fail (path);
  if (write (fd, data, len) != (ssize_t) len)
    {
      close (fd);
      return fail (path);
    }
  if (close (fd) < 0)
    return fail (path);
  return 0;
}

static int
touch_ro (const char *path)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd >= 0)
    {
      close (fd);
      puts ("OK");
      return 1; /* the caller expected a refusal */
    }
  puts (errname (errno));
  return 0;
}

static int
stat_path (const char *path)
{
  struct stat st;
  const char *type;
  if (lstat (path, &st) < 0)
    return fail (path);
  switch (st.st_mode & S_IFMT)
    {
    case S_IFREG: type = "file"; break;
    case S_IFDIR: type = "dir"; break;
    case S_IFLNK: type = "symlink"; break;
    case S_IFCHR: type = "char"; break;
    case S_IFBLK: type = "block"; break;
    case S_IFIFO: type = "fifo"; break;
    case S_IFSOCK: type = "socket"; break;
    default: type = "unknown"; break;
    }
  printf ("%s %04o %u %u %u %u\n", type, (unsigned) (st.st_mode & 07777), (unsigned) st.st_uid,
          (unsigned) st.st_gid, major (st.st_rdev), minor (st.st_rdev));
  return 0;
}

static int
print_caps (void)
{
  static const char *const keys[] = { "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb" };
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
    if (status_field (keys[i], 1) != 0)
      return 1;
  return 0;
}

static int
print_ids (void)
{
  gid_t groups[NGROUPS_MAX];
  int n = getgroups (NGROUPS_MAX, groups);
  if (n < 0)
    return fail ("getgroups");
  printf ("uid=%u gid=%u groups=", (unsigned) getuid (), (unsigned) getgid ());
  for (int i = 0; i < n; i++)
    printf ("%s%u", i ? "," : "", (unsigned) groups[i]);
  putchar ('\n');
  return 0;
}

static const struct
{
  const char *name;
  int resource;
} rlimits[] = {
  { "AS", RLIMIT_AS },         { "CORE", RLIMIT_CORE },     { "CPU", RLIMIT_CPU },
  { "DATA", RLIMIT_DATA },     { "FSIZE", RLIMIT_FSIZE },   { "LOCKS", RLIMIT_LOCKS },
  { "MEMLOCK", RLIMIT_MEMLOCK }, { "MSGQUEUE", RLIMIT_MSGQUEUE }, { "NICE", RLIMIT_NICE },
  { "NOFILE", RLIMIT_NOFILE }, { "NPROC", RLIMIT_NPROC },   { "RSS", RLIMIT_RSS },
  { "RTPRIO", RLIMIT_RTPRIO }, { "RTTIME", RLIMIT_RTTIME }, { "SIGPENDING", RLIMIT_SIGPENDING },
  { "STACK", RLIMIT_STACK },
};

static void
print_rlim (rlim_t v, char sep)
{
  if (v == RLIM_INFINITY)
    printf ("unlimited%c", sep);
  else
    printf ("%llu%c", (unsigned long long) v, sep);
}

static int
print_rlimit (const char *name)
{
  struct rlimit rl;
  if (strncmp (name, "RLIMIT_", 7) == 0)
    name += 7;
  for (size_t i = 0; i < sizeof rlimits / sizeof rlimits[0]; i++)
    if (strcasecmp (name, rlimits[i].name) == 0)
      {
        if (getrlimit (rlimits[i].resource, &rl) < 0)
          return fail ("getrlimit");
        print_rlim (rl.rlim_cur, ' ');
        print_rlim (rl.rlim_max, '\n');
        return 0;
      }
  fprintf (stderr, "nr-payload: unknown rlimit %s\n", name);
  return 2;
}

/* Find the last (topmost) mountinfo line whose mount point is PATH. */
static int
mount_line (const char *path, char *out, size_t outlen)
{
  char line[4096], mp[PATH_MAX];
  int found = 0;
  FILE *f = fopen ("/proc/self/mountinfo", "re");
  if (f == NULL)
    return -1;
  while (fgets (line, sizeof line, f))
    if (sscanf (line, "%*s %*s %*s %*s %4095s", mp) == 1 && strcmp (mp, path) == 0)
      {
        snprintf (out, outlen, "%s", line);
        found = 1;
      }
  fclose (f);
  if (!found)
    errno = ENOENT;
  return found ? 0 : -1;
}

static int
mount_info (const char *path)
{
  char line[4096], opts[1024], fstype[256], super[1024];
  const char *sep;
  if (path == NULL)
    return cat_file ("/proc/self/mountinfo");
  if (mount_line (path, line, sizeof line) < 0)
    return fail (path);
  /* 36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue */
  sep = strstr (line, " - ");
  if (sep == NULL || sscanf (line, "%*s %*s %*s %*s %*s %1023s", opts) != 1
      || sscanf (sep + 3, "%255s %*s %1023s", fstype, super) != 2)
    {
      fprintf (stderr, "nr-payload: cannot parse mountinfo line: %s", line);
      return 1;
    }
  printf ("%s %s %s\n", fstype, opts, super);
  return 0;
}

static int
propagation (const char *path)
{
  char line[4096];
  const char *sep, *p;
  int printed = 0;
  if (mount_line (path, line, sizeof line) < 0)
    return fail (path);
  sep = strstr (line, " - ");
  for (p = line; p && p < sep; p = strchr (p + 1, ' '))
    {
      const char *w = *p == ' ' ? p + 1 : p;
      if (strncmp (w, "shared:", 7) == 0 || strncmp (w, "master:", 7) == 0
          || strncmp (w, "unbindable", 10) == 0)
        {
          printf ("%s%.*s", printed ? " " : "", (int) strcspn (w, " "), w);
          printed = 1;
        }
    }
  puts (printed ? "" : "private");
  return 0;
}

static int
try_syscall (const char *name, const char *arg)
{
  long r;
  if (strcmp (name, "mkdir") == 0)
    r = mkdir (arg ? arg : "/tmp/nr-payload-dir", 0755);
  else if (strcmp (name, "chmod") == 0)
    r = chmod (arg ? arg : "/", 0755);
  else if (strcmp (name, "chown") == 0)
    r = chown (arg ? arg : "/", 0, 0);
  else if (strcmp (name, "mount") == 0)
    r = mount ("none", arg ? arg : "/tmp", "tmpfs", 0, NULL);
  else if (strcmp (name, "unshare") == 0)
    r = unshare (CLONE_NEWUTS);
  else if (strcmp (name, "sethostname") == 0)
    r = sethostname (arg ? arg : "nr-payload", strlen (arg ? arg : "nr-payload"));
  else if (strcmp (name, "setuid") == 0)
    r = setuid (arg ? (uid_t) atoi (arg) : 0);
  else if (strcmp (name, "keyctl") == 0)
    r = syscall (SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* SESSION */, 0);
  else if (strcmp (name, "personality") == 0)
    r = personality (arg ? (unsigned long) strtoul (arg, NULL, 0) : 0xffffffffUL);
  else if (strcmp (name, "ptrace") == 0)
    r = ptrace (PTRACE_TRACEME, 0, NULL, NULL);
  else if (strcmp (name, "getpid") == 0)
    r = syscall (SYS_getpid);
  else
    {
      fprintf (stderr, "nr-payload: unknown syscall %s\n", name);
      return 2;
    }
  puts (r < 0 ? errname (errno) : "OK");
  return 0;
}

static int
print_ns (const char *name)
{
  char path[64], target[256];
  ssize_t n;
  snprintf (path, sizeof path, "/proc/self/ns/%s", name);
  n = readlink (path, target, sizeof target - 1);
  if (n < 0)
    return fail (path);
  target[n] = '\0';
  puts (target);
  return 0;
}

static int
print_sysctl (const char *name)
{
  char path[PATH_MAX];
  size_t len = (size_t) snprintf (path, sizeof path, "/proc/sys/%s", name);
  for (size_t i = 10; i < len && i < sizeof path; i++)
    if (path[i] == '.')
      path[i] = '/';
  return cat_file (path);
}

static int
print_fds (void)
{
  struct dirent *de;
  DIR *d = opendir ("/proc/self/fd");
  if (d == NULL)
    return fail ("/proc/self/fd");
  while ((de = readdir (d)) != NULL)
    if (de->d_name[0] != '.' && atoi (de->d_name) != dirfd (d))
      puts (de->d_name);
  closedir (d);
  return 0;
}

static int
print_uptime (void)
{
  struct timespec mono, boot;
  clock_gettime (CLOCK_MONOTONIC, &mono);
  clock_gettime (CLOCK_BOOTTIME, &boot);
  printf ("%lld %lld\n", (long long) mono.tv_sec, (long long) boot.tv_sec);
  return 0;
}

static volatile sig_atomic_t stop_signal;

static void
on_stop (int sig)
{
  stop_signal = sig;
}

static int
do_pause (void)
{
  struct sigaction sa;
  memset (&sa, 0, sizeof sa);
  sa.sa_handler = on_stop;
  sigaction (SIGTERM, &sa, NULL);
  sigaction (SIGINT, &sa, NULL);
  sigaction (SIGHUP, &sa, NULL);
  /* Say we are ready, so tests can wait for this line instead of sleeping. */
  puts ("ready");
  fflush (stdout);
  while (!stop_signal)
    pause ();
  return 0;
}

/* Subcommands that take their arguments as strings. */
static int c_cat (char **a) { return cat_file (a[0]); }
static int c_ls (char **a) { return ls_dir (a[0]); }
static int c_write (char **a) { return write_file (a[0], a[1]); }
static int c_touch_ro (char **a) { return touch_ro (a[0]); }
static int c_stat (char **a) { return stat_path (a[0]); }
static int c_caps (char **a) { return print_caps (); }
static int c_ids (char **a) { return print_ids (); }
static int c_rlimit (char **a) { return print_rlimit (a[0]); }
static int c_oom (char **a) { return cat_file ("/proc/self/oom_score_adj"); }
static int c_mount_info (char **a) { return mount_info (a[0]); }
static int c_propagation (char **a) { return propagation (a[0]); }
static int c_seccomp (char **a) { return status_field ("Seccomp", 0); }
static int c_nnp (char **a) { return status_field ("NoNewPrivs", 0); }
static int c_syscall (char **a) { return try_syscall (a[0], a[1]); }
static int c_ns (char **a) { return print_ns (a[0]); }
static int c_sysctl (char **a) { return print_sysctl (a[0]); }
static int c_cgroup (char **a) { return cat_file ("/proc/self/cgroup"); }
static int c_fds (char **a) { return print_fds (); }
static int c_uptime (char **a) { return print_uptime (); }
static int c_exit (char **a) { return atoi (a[0]); }
static int c_pause (char **a) { return do_pause (); }

static int c_euid (char **a) { printf ("euid=%u egid=%u\n", (unsigned) geteuid (), (unsigned) getegid ()); return 0; }

static int c_umask (char **a) { printf ("%04o\n", (unsigned) umask (0)); return 0; }

static int
c_cwd (char **a)
{
  char buf[PATH_MAX];
  if (getcwd (buf, sizeof buf) == NULL)
    return fail ("getcwd");
  puts (buf);
  return 0;
}

static int
c_env (char **a)
{
  const char *v = getenv (a[0]);
  if (v == NULL)
    {
      fprintf (stderr, "nr-payload: %s: not set\n", a[0]);
      return 1;
    }
  puts (v);
  return 0;
}

static int
c_uname (char **a, int domain)
{
  struct utsname u;
  if (uname (&u) < 0)
    return fail ("uname");
  puts (domain ? u.domainname : u.nodename);
  return 0;
}
static int c_hostname (char **a) { return c_uname (a, 0); }
static int c_domainname (char **a) { return c_uname (a, 1); }

static int c_pid (char **a) { printf ("pid=%d ppid=%d\n", (int) getpid (), (int) getppid ()); return 0; }

static int
c_isatty (char **a)
{
  printf ("stdin=%s stdout=%s\n", isatty (0) ? "tty" : "notty", isatty (1) ? "tty" : "notty");
  return 0;
}

static int
c_winsize (char **a)
{
  struct winsize ws;
  if (ioctl (1, TIOCGWINSZ, &ws) < 0)
    return fail ("TIOCGWINSZ");
  printf ("%u %u\n", (unsigned) ws.ws_row, (unsigned) ws.ws_col);
  return 0;
}

static int
c_kill_self (char **a)
{
  fflush (stdout);
  kill (getpid (), atoi (a[0]));
  sleep (2); /* a pid namespace's init ignores signals it has no handler for */
  fputs ("nr-payload: kill-self: still alive\n", stderr);
  return 1;
}

static int c_sleep (char **a) { sleep ((unsigned) atoi (a[0])); return 0; }

static int
c_echo (char **a)
{
  for (int i = 0; a[i]; i++)
    printf ("%s%s", a[i], a[i + 1] ? " " : "");
  putchar ('\n');
  return 0;
}

static const struct
{
  const char *name;
  int nargs; /* required arguments */
  int (*fn) (char **args);
} commands[] = {
  { "cat", 1, c_cat },         { "ls", 1, c_ls },
  { "write", 2, c_write },     { "touch-ro", 1, c_touch_ro },
  { "stat", 1, c_stat },       { "caps", 0, c_caps },
  { "ids", 0, c_ids },         { "euid", 0, c_euid },
  { "umask", 0, c_umask },     { "cwd", 0, c_cwd },
  { "env", 1, c_env },         { "hostname", 0, c_hostname },
  { "domainname", 0, c_domainname }, { "rlimit", 1, c_rlimit },
  { "oom", 0, c_oom },         { "mount-info", 0, c_mount_info },
  { "propagation", 1, c_propagation }, { "seccomp-mode", 0, c_seccomp },
  { "nnp", 0, c_nnp },         { "syscall-errno", 1, c_syscall },
  { "pid", 0, c_pid },         { "ns", 1, c_ns },
  { "sysctl", 1, c_sysctl },   { "cgroup", 0, c_cgroup },
  { "isatty", 0, c_isatty },   { "winsize", 0, c_winsize },
  { "fds", 0, c_fds },         { "uptime", 0, c_uptime },
  { "exit", 1, c_exit },       { "kill-self", 1, c_kill_self },
  { "sleep", 1, c_sleep },     { "pause", 0, c_pause },
  { "echo", 0, c_echo },
  { "mutate", 1, nr_attack_mutate }, { "unlock", 1, nr_attack_unlock },
  { "handle-open", 2, nr_attack_handle_open },
};

int
main (int argc, char **argv)
{
  if (argc < 2)
    return usage ();
  setvbuf (stdout, NULL, _IOLBF, 0);
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (strcmp (argv[1], commands[i].name) == 0)
      return argc - 2 < commands[i].nargs ? usage () : commands[i].fn (argv + 2);
  fprintf (stderr, "nr-payload: unknown command %s\n", argv[1]);
  return usage ();
}
