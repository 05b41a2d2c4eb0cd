/* SPDX-License-Identifier: Apache-2.0 */
/* --from-docker: `docker save NAME...` into a pipe we import from, no temp file.
   The docker CLI is $NESTRUN_DOCKER or "docker" from PATH; DOCKER_HOST applies. */
#include "config.h"
#include "imagestore/internal.h"
#include "common/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t
spawn_save (char *const *names, int out_fd, int err_fd, nr_error_t *err)
{
  const char *docker = getenv ("NESTRUN_DOCKER");
  size_t n = 0;
  while (names[n])
    n++;
  _cleanup_free_ char **argv = calloc (n + 3, sizeof (char *));
  if (argv == NULL)
    return nr_error (err, ENOMEM, "docker save");
  argv[0] = (char *) (docker && *docker ? docker : "docker");
  argv[1] = (char *) "save";
  memcpy (argv + 2, names, n * sizeof (char *));
  pid_t pid = fork ();
  if (pid < 0)
    return nr_error (err, errno, "fork");
  if (pid == 0)
    {
      if (dup2 (out_fd, STDOUT_FILENO) < 0 || dup2 (err_fd, STDERR_FILENO) < 0)
        _exit (127);
      execvp (argv[0], argv);
      dprintf (STDERR_FILENO, "exec %s: %s", argv[0], strerror (errno));
      _exit (127);
    }
  return pid;
}

/* docker's stderr, last line, for the message */
static void
last_line (int fd, char *out, size_t n)
{
  char buf[4096];
  ssize_t r = pread (fd, buf, sizeof buf - 1, 0);
  out[0] = '\0';
  if (r <= 0)
    return;
  buf[r] = '\0';
  while (r > 0 && (buf[r - 1] == '\n' || buf[r - 1] == '\r'))
    buf[--r] = '\0';
  char *nl = strrchr (buf, '\n');
  snprintf (out, n, "%.1000s", nl ? nl + 1 : buf);
}

int
nr_imagestore_import_docker (struct nr_imagestore *s, char *const *names, const struct nr_import_opts *o,
                             struct nr_import_result *res, nr_error_t *err)
{
  int p[2];
  int status = 0;
  char what[256], msg[1024];

  if (names == NULL || names[0] == NULL)
    return nr_error (err, EINVAL, "--from-docker: no image named");
  snprintf (what, sizeof what, "docker save %s%s", names[0], names[1] ? " ..." : "");
  _cleanup_close_ int errfd = memfd_create ("docker-save-stderr", MFD_CLOEXEC);
  if (errfd < 0)
    return nr_error (err, errno, "%s", what);
  if (pipe2 (p, O_CLOEXEC) < 0)
    return nr_error (err, errno, "%s", what);
  pid_t pid = spawn_save (names, p[1], errfd, err);
  close (p[1]);
  if (pid < 0)
    {
      close (p[0]);
      return nr_error_wrap (err, "%s", what);
    }
  int r = nr_imagestore_import_fd (s, p[0], what, o, res, err);
  close (p[0]); /* if we stopped early, docker gets EPIPE and exits */
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  bool failed = !WIFEXITED (status) || WEXITSTATUS (status) != 0;
  last_line (errfd, msg, sizeof msg);
  if (r < 0 && (!failed || msg[0] == '\0' || strstr (msg, "broken pipe")))
    return -1; /* our error is the cause */
  if (failed)
    {
      nr_error_free (err);
      nr_import_result_free (res);
      return nr_error (err, 0, "%s: failed%s%s", what, msg[0] ? ": " : "", msg);
    }
  return r;
}
