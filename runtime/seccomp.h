/* SPDX-License-Identifier: Apache-2.0 */
/* linux.seccomp: the only libseccomp user.

   The filter is compiled before the container init runs (nr_seccomp_prepare, in the
   parent, while libseccomp can still resolve names and allocate), then loaded from
   the precompiled cBPF in the init just before execve (nr_seccomp_load: one seccomp(2)
   call, no allocation, no libseccomp).  runc's order: with noNewPrivileges=false the
   load needs CAP_SYS_ADMIN, so it happens before the capabilities are dropped; with
   noNewPrivileges=true after PR_SET_NO_NEW_PRIVS, as late as possible.

   Semantics are runc's (libcontainer/seccomp): unknown syscall names are skipped, a rule
   whose action equals the default action is skipped, conditions on the same argument
   index are split into one rule each, errnoRet defaults to EPERM for ERRNO and TRACE,
   and runc's -ENOSYS stub is prepended so syscalls newer than every syscall named in
   the profile fail with ENOSYS instead of the default errno (glibc then falls back). */
#ifndef NR_SECCOMP_H
#define NR_SECCOMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/filter.h>
#include "common/error.h"
#include "oci/config.h"

struct nr_seccomp
{
  struct sock_filter *prog; /* -ENOSYS stub followed by libseccomp's program */
  unsigned short len;
  unsigned short stub_len;  /* instructions of the stub at the start of prog (0: none) */
  unsigned int flags;       /* SECCOMP_FILTER_FLAG_* passed to seccomp(2) */
  bool notify;              /* a rule uses SCMP_ACT_NOTIFY: load creates a listener */
  int notify_fd;            /* after nr_seccomp_load: the listener fd, else -1 */
  char *listener_path;      /* linux.seccomp.listenerPath (owned), NULL if unset */
  char *listener_metadata;  /* linux.seccomp.listenerMetadata (owned) */
};

#ifdef HAVE_SECCOMP

/* Translate and compile s (not NULL) into *out.  Errors name the field:
   `seccomp: syscall "mkdir": unknown action "SCMP_ACT_FOO"`. */
int nr_seccomp_prepare (const struct oci_seccomp *s, struct nr_seccomp **out, nr_error_t *err);
/* In the container init: install the filter in the calling thread.  With a NOTIFY
   rule, sc->notify_fd receives the listener fd (send it with nr_seccomp_send_listener
   from a process that is not under the filter).  Does not allocate. */
int nr_seccomp_load (struct nr_seccomp *sc, nr_error_t *err);
void nr_seccomp_free (struct nr_seccomp *sc);

/* Send the container process state and the listener fd (SCM_RIGHTS) to
   listener_path, as the runtime spec's "Container Process State".  state_json is the
   container's state object (runtime.md), embedded as "state". */
int nr_seccomp_send_listener (const char *listener_path, int notify_fd, pid_t pid, const char *metadata,
                              const char *state_json, nr_error_t *err);

/* The same compilation, written as libseccomp's PFC text (for tests and --debug). */
int nr_seccomp_export_pfc (const struct oci_seccomp *s, int fd, nr_error_t *err);

/* For `nestrun features`: NULL-terminated static lists of what this build and this
   libseccomp recognize; flags supported additionally by the running kernel. */
const char *const *nr_seccomp_actions (void);
const char *const *nr_seccomp_operators (void);
const char *const *nr_seccomp_archs (void);
const char *const *nr_seccomp_known_flags (void);
const char *const *nr_seccomp_supported_flags (void);
/* libseccomp's version "2.5.4" (static storage). */
const char *nr_seccomp_lib_version (void);

#else /* !HAVE_SECCOMP: a config with linux.seccomp is refused with a clear error */

static inline int
nr_seccomp_prepare (const struct oci_seccomp *s, struct nr_seccomp **out, nr_error_t *err)
{
  (void) s;
  *out = NULL;
  return nr_error (err, 0, "seccomp: this nestrun was built without seccomp support (--disable-seccomp)");
}
static inline int nr_seccomp_load (struct nr_seccomp *sc, nr_error_t *err) { (void) sc; (void) err; return 0; }
static inline void nr_seccomp_free (struct nr_seccomp *sc) { (void) sc; }
static inline const char *const *nr_seccomp_empty_list (void) { static const char *const l[] = { NULL }; return l; }
static inline const char *const *nr_seccomp_actions (void) { return nr_seccomp_empty_list (); }
static inline const char *const *nr_seccomp_operators (void) { return nr_seccomp_empty_list (); }
static inline const char *const *nr_seccomp_archs (void) { return nr_seccomp_empty_list (); }
static inline const char *const *nr_seccomp_known_flags (void) { return nr_seccomp_empty_list (); }
static inline const char *const *nr_seccomp_supported_flags (void) { return nr_seccomp_empty_list (); }
static inline const char *nr_seccomp_lib_version (void) { return ""; }

#endif

#endif
