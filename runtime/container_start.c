/* SPDX-License-Identifier: Apache-2.0 */
/* `start`: connect to the init's start socket; it runs startContainer hooks and
   execs.  EOF on the connection (close-on-exec) means the exec happened. */
#include "config.h"
#include "runtime/container.h"
#include "runtime/hooks.h"
#include "runtime/state.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/debug.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int
connect_start (int dirfd, int *out, nr_error_t *err)
{
  struct sockaddr_un sun = { .sun_family = AF_UNIX };
  strcpy (sun.sun_path, NR_START_SOCK);
  int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return nr_error (err, errno, "start socket");
  _cleanup_close_ int cwd = open (".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fchdir (dirfd) < 0)
    {
      close (fd);
      return nr_error (err, errno, "chdir to state directory");
    }
  int r = connect (fd, (struct sockaddr *) &sun, sizeof sun);
  int e = errno;
  if (cwd >= 0 && fchdir (cwd) < 0)
    (void) 0;
  if (r < 0)
    {
      close (fd);
      return nr_error (err, e, "connect to the container's init");
    }
  *out = fd;
  return 0;
}

/* The init's verdict: nothing (exec'd) or "errno:message". */
static int
read_verdict (int fd, nr_error_t *err)
{
  _cleanup_free_ char *buf = NULL;
  size_t len = 0;
  if (nr_read_all_fd (fd, 8192, &buf, &len, err) < 0)
    return nr_error_wrap (err, "read start result");
  if (len == 0)
    return 0;
  char *colon = strchr (buf, ':');
  return nr_error_from_wire (err, colon ? atoi (buf) : 0, colon ? colon + 1 : buf);
}

/* poststart: failures are warnings (runtime-spec) */
static void
run_poststart (const struct nr_runtime *rt, const struct nr_state *s)
{
  _cleanup_free_ char *cfgpath = NULL;
  struct oci_config *cfg = NULL;
  nr_error_t e = NULL;
  if (asprintf (&cfgpath, "%s/%s/%s", rt->root, s->id, NR_CONFIG_FILE) >= 0
      && oci_config_parse_file (cfgpath, &cfg, &e) == 0 && cfg->hooks.n[OCI_HOOK_POSTSTART])
    {
      struct nr_container_info info = { .id = s->id, .pid = s->pid, .status = NR_STATUS_RUNNING, .bundle = s->bundle,
                                        .annotations = s->annotations };
      _cleanup_free_ char *js = nr_container_info_json (&info, false);
      nr_hooks_run_warn (cfg, OCI_HOOK_POSTSTART, js);
    }
  nr_error_free (&e);
  oci_config_free (cfg);
}

int
nr_container_start (const struct nr_runtime *rt, const char *id, nr_error_t *err)
{
  _cleanup_close_ int dirfd = -1;
  _cleanup_close_ int conn = -1;
  struct nr_state s = { 0 };
  int ret = -1;

  if (nr_state_open (rt->root, id, true, &dirfd, err) < 0 || nr_state_read (dirfd, &s, err) < 0)
    goto out;
  enum nr_status st = nr_state_status (dirfd, &s);
  if (st != NR_STATUS_CREATED)
    {
      nr_error (err, 0, "cannot start a container that is %s", st == NR_STATUS_STOPPED ? "stopped" : "not created");
      goto out;
    }
  if (connect_start (dirfd, &conn, err) < 0)
    goto out;
  const char go = '1';
  if (write (conn, &go, 1) != 1)
    {
      nr_error (err, errno, "signal the container's init");
      goto out;
    }
  nr_debug_point ("start:after-signal");
  s.started = true;
  unlinkat (dirfd, NR_START_SOCK, 0);
  int v = read_verdict (conn, err);
  nr_debug_point ("start:before-state-write");
  nr_error_t werr = NULL;
  if (nr_state_write (dirfd, &s, &werr) < 0 && v == 0)
    nr_error_move (err, &werr);
  nr_error_free (&werr);
  if (v < 0 || *err)
    goto out;
  run_poststart (rt, &s);
  ret = 0;
out:
  if (ret < 0)
    nr_error_wrap (err, "start container \"%s\"", id);
  nr_state_clear (&s);
  return ret;
}
