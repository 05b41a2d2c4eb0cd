/* SPDX-License-Identifier: Apache-2.0 */
/* pause, resume, ps, update: operations on the container's cgroup (events has its own file). */
#include "config.h"
#include "runtime/container.h"
#include "runtime/state.h"
#include "runtime/cgroups/cgroups.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "oci/edit.h"
#include "oci/serialize.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "common/fs.h"

#define ST(x) NR_STATUS_BIT (x)

int
nr_container_pause (const struct nr_runtime *rt, const char *id, bool pause, nr_error_t *err)
{
  struct nr_cgroup *cg = NULL;
  unsigned allowed = pause ? (ST (RUNNING) | ST (CREATED)) : ST (PAUSED);
  int ret = nr_state_open_cgroup (rt, id, allowed, pause ? "pause" : "resume", &cg, NULL, NULL, err);
  if (ret == 0)
    ret = nr_cgroup_freeze (cg, pause, err);
  nr_cgroup_free (cg);
  if (ret < 0)
    nr_error_wrap (err, "%s container \"%s\"", pause ? "pause" : "resume", id);
  return ret;
}

int
nr_container_pids (const struct nr_runtime *rt, const char *id, pid_t **pids, size_t *n, nr_error_t *err)
{
  struct nr_cgroup *cg = NULL;
  enum nr_status st;
  int ret = nr_state_open_cgroup (rt, id, ST (CREATED) | ST (RUNNING) | ST (PAUSED) | ST (STOPPED),
                                  "list processes of", &cg, &st, NULL, err);
  if (ret == 0)
    ret = nr_cgroup_pids (cg, pids, n, err);
  nr_cgroup_free (cg);
  if (ret < 0)
    nr_error_wrap (err, "ps container \"%s\"", id);
  return ret;
}

/* The stored config.json with res merged into linux.resources (*raw), and parsed (*merged). */
static int
merge_stored (int dirfd, const struct oci_resources *res, char **raw, size_t *len, struct oci_config **merged,
              nr_error_t *err)
{
  _cleanup_free_ char *old = NULL;
  size_t old_len = 0;
  if (nr_read_file_at (dirfd, NR_CONFIG_FILE, NR_JSON_MAX_FILE, &old, &old_len, err) < 0)
    return nr_error_wrap (err, "stored config");
  *raw = oci_config_update_resources (old, old_len, res, len, err);
  if (*raw == NULL || oci_config_parse_data (*raw, *len, NR_CONFIG_FILE, merged, err) < 0)
    return nr_error_wrap (err, "stored config");
  return 0;
}

int
nr_container_update (const struct nr_runtime *rt, const char *id, const struct oci_resources *res, nr_error_t *err)
{
  _cleanup_close_ int dirfd = -1;
  _cleanup_free_ char *raw = NULL;
  struct oci_config *merged = NULL;
  struct nr_cgroup *cg = NULL;
  size_t len = 0;
  /* shallow copies: the pointers stay res's */
  struct oci_resources store = *res, apply = *res;
  /* memory -1 without swap stores swap -1 too, as runc does */
  if (res->has_mem_limit && res->mem_limit == -1 && !res->has_mem_swap)
    {
      store.has_mem_swap = true;
      store.mem_swap = -1;
    }
  int ret = nr_state_open_cgroup (rt, id, ST (CREATED) | ST (RUNNING) | ST (PAUSED), "update", &cg, NULL, &dirfd,
                                  err);
  if (ret == 0)
    ret = merge_stored (dirfd, &store, &raw, &len, &merged, err);
  if (ret == 0)
    {
      oci_resources_complete_pairs (&apply, merged->resources);
      ret = nr_cgroup_update (cg, &apply, err);
    }
  if (ret == 0)
    ret = nr_state_put_file (dirfd, NR_CONFIG_FILE, raw, len, err);
  oci_config_free (merged);
  nr_cgroup_free (cg);
  if (ret < 0)
    nr_error_wrap (err, "update container \"%s\"", id);
  return ret;
}

/* Run ps with the user's arguments and keep the header and the container's lines. */
char *
nr_ps_table (const pid_t *pids, size_t n, int argc, char **argv, nr_error_t *err)
{
  int pfd[2];
  if (pipe2 (pfd, O_CLOEXEC) < 0)
    return nr_error (err, errno, "pipe"), NULL;
  pid_t child = fork ();
  if (child < 0)
    return nr_error (err, errno, "fork"), NULL;
  if (child == 0)
    {
      char *args[64] = { "ps", "-ef" };
      int k = 1;
      if (argc > 0)
        for (int i = 0; i < argc && k < 62; i++)
          args[k++] = argv[i];
      else
        k = 2;
      args[k] = NULL;
      dup2 (pfd[1], 1);
      execvp ("ps", args);
      _exit (127);
    }
  close (pfd[1]);
  _cleanup_free_ char *out = NULL;
  size_t len = 0;
  int r = nr_read_all_fd (pfd[0], 16u << 20, &out, &len, err);
  close (pfd[0]);
  int status = 0;
  waitpid (child, &status, 0);
  if (r < 0)
    return NULL;
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    return nr_error (err, 0, "ps exited with status %d", WEXITSTATUS (status)), NULL;
  /* which column is PID? */
  char *nl = strchr (out, '\n');
  if (nl == NULL)
    return strdup (out);
  int col = -1, i = 0;
  _cleanup_free_ char *hdr = strndup (out, nl - out);
  char *save = NULL;
  for (char *t = strtok_r (hdr, " \t", &save); t; t = strtok_r (NULL, " \t", &save), i++)
    if (strcmp (t, "PID") == 0)
      col = i;
  if (col < 0)
    return nr_error (err, 0, "ps output has no PID column"), NULL;
  char *res = malloc (len + 1);
  if (res == NULL)
    return nr_error (err, ENOMEM, "ps"), NULL;
  size_t o = nl - out + 1;
  memcpy (res, out, o);
  for (char *line = nl + 1; *line;)
    {
      char *e = strchr (line, '\n');
      size_t ll = e ? (size_t) (e - line + 1) : strlen (line);
      _cleanup_free_ char *cp = strndup (line, ll);
      char *s2 = NULL;
      char *t = strtok_r (cp, " \t\n", &s2);
      for (int k = 0; t && k < col; k++)
        t = strtok_r (NULL, " \t\n", &s2);
      pid_t p = t ? (pid_t) atoi (t) : 0;
      for (size_t k = 0; k < n; k++)
        if (pids[k] == p)
          {
            memcpy (res + o, line, ll);
            o += ll;
            break;
          }
      line += ll;
    }
  res[o] = '\0';
  return res;
}
