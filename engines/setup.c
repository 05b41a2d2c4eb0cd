/* SPDX-License-Identifier: Apache-2.0 */
/* Engine registration (see setup.h).  Docker's daemon.json goes through
   common/json (the only yajl user); containerd's and podman's TOML through the
   line-based editor in engines/toml.c. */
#include "config.h"
#include "engines/setup.h"
#include "engines/toml.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/json.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CONFIG_MAX (4u << 20)

static void
add_change (char ***changes, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

static void
add_change (char ***changes, const char *fmt, ...)
{
  size_t n = 0;
  while (*changes && (*changes)[n])
    n++;
  char **v = realloc (*changes, (n + 2) * sizeof *v);
  if (v == NULL)
    abort ();
  va_list ap;
  va_start (ap, fmt);
  if (vasprintf (&v[n], fmt, ap) < 0)
    abort ();
  va_end (ap);
  v[n + 1] = NULL;
  *changes = v;
}

static bool
valid_name (const char *name)
{
  if (*name == '\0')
    return false;
  for (const char *p = name; *p; p++)
    if (!isalnum ((unsigned char) *p) && *p != '_' && *p != '-')
      return false;
  return true;
}

/* ---- docker: daemon.json "runtimes": { NAME: { "path": PATH } } ---- */

static void
gen_our_runtime (yajl_gen g, yajl_val old, const char *path)
{
  yajl_gen_map_open (g);
  for (size_t i = 0; old && i < old->u.object.len; i++)
    if (strcmp (old->u.object.keys[i], "path") != 0)
      {
        nr_jgen_str (g, old->u.object.keys[i]);
        nr_jgen_value (g, old->u.object.values[i]);
      }
  nr_jgen_kstr (g, "path", path);
  yajl_gen_map_close (g);
}

static int
gen_runtimes (yajl_gen g, yajl_val runtimes, const char *what, const char *name, const char *path, char ***changes,
              nr_error_t *err)
{
  bool found = false;
  yajl_gen_map_open (g);
  for (size_t i = 0; runtimes && i < runtimes->u.object.len; i++)
    {
      const char *k = runtimes->u.object.keys[i];
      yajl_val v = runtimes->u.object.values[i];
      nr_jgen_str (g, k);
      if (strcmp (k, name) != 0)
        {
          nr_jgen_value (g, v);
          continue;
        }
      found = true;
      if (!YAJL_IS_OBJECT (v))
        return nr_error (err, EINVAL, "%s: \"runtimes.%s\": expected object, got %s", what, name,
                         nr_json_type_name (v));
      yajl_val p = nr_json_get (v, "path");
      if (p && !YAJL_IS_STRING (p))
        return nr_error (err, EINVAL, "%s: \"runtimes.%s.path\": expected string, got %s", what, name,
                         nr_json_type_name (p));
      if (p == NULL)
        add_change (changes, "set runtimes.%s.path = \"%s\"", name, path);
      else if (strcmp (p->u.string, path) != 0)
        add_change (changes, "changed runtimes.%s.path from \"%s\" to \"%s\"", name, p->u.string, path);
      gen_our_runtime (g, v, path);
    }
  if (!found)
    {
      add_change (changes, "added runtimes.%s = {\"path\": \"%s\"}", name, path);
      nr_jgen_key (g, name);
      gen_our_runtime (g, NULL, path);
    }
  yajl_gen_map_close (g);
  return 0;
}

int
nr_setup_docker_json (const char *old, const char *what, const char *name, const char *path, char **out,
                      char ***changes, nr_error_t *err)
{
  _cleanup_json_ yajl_val root = NULL;
  _cleanup_ (yajl_gen_freep) yajl_gen g = NULL;
  const char *p = old ? old : "";
  bool seen = false;

  *out = NULL;
  while (isspace ((unsigned char) *p))
    p++;
  if (*p && nr_json_parse (old, strlen (old), what, &root, err) < 0)
    return -1;
  if (root && !YAJL_IS_OBJECT (root))
    return nr_error (err, EINVAL, "%s: expected a JSON object, got %s", what, nr_json_type_name (root));
  g = nr_jgen_new (true);
  if (g == NULL)
    return nr_error (err, ENOMEM, "%s", what);
  yajl_gen_map_open (g);
  for (size_t i = 0; root && i < root->u.object.len; i++)
    {
      const char *k = root->u.object.keys[i];
      yajl_val v = root->u.object.values[i];
      nr_jgen_str (g, k);
      if (strcmp (k, "runtimes") != 0)
        {
          nr_jgen_value (g, v);
          continue;
        }
      seen = true;
      if (!YAJL_IS_OBJECT (v))
        return nr_error (err, EINVAL, "%s: \"runtimes\": expected object, got %s", what, nr_json_type_name (v));
      if (gen_runtimes (g, v, what, name, path, changes, err) < 0)
        return -1;
    }
  if (!seen)
    {
      nr_jgen_key (g, "runtimes");
      if (gen_runtimes (g, NULL, what, name, path, changes, err) < 0)
        return -1;
    }
  yajl_gen_map_close (g);
  char *s = nr_jgen_finish (TAKE_PTR (g), NULL); /* frees the generator */
  if (s == NULL)
    return nr_error (err, ENOMEM, "%s", what);
  *out = s;
  return 0;
}

/* ---- TOML engines ---- */

static int
toml_set (char **text, const char *what, const char *table, const char *key, const char *value, char ***changes,
          nr_error_t *err)
{
  _cleanup_free_ char *old = NULL;
  int r = nr_toml_set (text, table, key, value, what, &old, err);
  _cleanup_free_ char *where = NULL;
  if (asprintf (&where, "%s%s%s", *table ? "[" : "", table, *table ? "] " : "") < 0)
    return nr_error (err, ENOMEM, "%s", what);
  if (r == NR_TOML_ADDED)
    add_change (changes, "added %s%s = %s", where, key, value);
  else if (r == NR_TOML_REPLACED)
    add_change (changes, "changed %s%s from %s to %s", where, key, old, value);
  return r < 0 ? -1 : 0;
}

/* The CRI runtimes table of each containerd config schema: containerd 1.x reads
   version 1 (plugins.cri) and 2 files, containerd 2.x version 3 (and migrates 2). */
static const char *
cri_runtimes_prefix (int version)
{
  switch (version)
    {
    case 1: return "plugins.cri.containerd.runtimes";
    case 2: return "plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes";
    default: return "plugins.\"io.containerd.cri.v1.runtime\".containerd.runtimes";
    }
}

int
nr_setup_containerd_toml (char **text, const char *what, int major, const char *name, const char *path,
                          char ***changes, nr_error_t *err)
{
  _cleanup_free_ char *ver = NULL;
  _cleanup_free_ char *table = NULL;
  _cleanup_free_ char *options = NULL;
  _cleanup_free_ char *qpath = nr_toml_quote (path);
  int version;
  const char *p = *text;

  if (nr_toml_get (*text, "", "version", what, &ver, err) < 0)
    return -1;
  while (isspace ((unsigned char) *p))
    p++;
  if (ver == NULL && *p == '\0')
    {
      /* a new file: the schema of the containerd that will read it */
      version = major >= 2 ? 3 : 2;
      if (toml_set (text, what, "", "version", version == 3 ? "3" : "2", changes, err) < 0)
        return -1;
    }
  else if (ver == NULL || strcmp (ver, "1") == 0)
    version = 1;
  else if (strcmp (ver, "2") == 0 || strcmp (ver, "3") == 0)
    version = ver[0] - '0';
  else
    return nr_error (err, EINVAL, "%s: unknown containerd config version %s", what, ver);
  if (asprintf (&table, "%s.%s", cri_runtimes_prefix (version), name) < 0
      || asprintf (&options, "%s.options", table) < 0)
    return nr_error (err, ENOMEM, "%s", what);
  if (toml_set (text, what, table, "runtime_type", "\"io.containerd.runc.v2\"", changes, err) < 0
      || toml_set (text, what, options, "BinaryName", qpath, changes, err) < 0)
    return -1;
  return 0;
}

int
nr_setup_podman_toml (char **text, const char *what, const char *name, const char *path, char ***changes,
                      nr_error_t *err)
{
  _cleanup_free_ char *q = nr_toml_quote (path);
  _cleanup_free_ char *value = NULL;
  if (asprintf (&value, "[%s]", q) < 0)
    return nr_error (err, ENOMEM, "%s", what);
  return toml_set (text, what, "engine.runtimes", name, value, changes, err);
}

int
nr_setup_containerd_major (void)
{
  char line[512] = "";
  FILE *f = popen ("containerd --version 2>/dev/null", "re");
  if (f == NULL)
    return 0;
  if (fgets (line, sizeof line, f) == NULL)
    line[0] = '\0';
  pclose (f);
  /* "containerd github.com/containerd/containerd 1.6.20~ds1 ..." or "... v2.0.0 ..." */
  for (char *tok = strtok (line, " \t\n"); tok; tok = strtok (NULL, " \t\n"))
    {
      if (*tok == 'v')
        tok++;
      if (isdigit ((unsigned char) *tok) && strchr (tok, '.'))
        return atoi (tok);
    }
  return 0;
}

/* ---- files ---- */

static const char *
default_config (const char *engine)
{
  if (strcmp (engine, "docker") == 0)
    return "/etc/docker/daemon.json";
  if (strcmp (engine, "containerd") == 0)
    return "/etc/containerd/config.toml";
  return "/etc/containers/containers.conf";
}

static const char *
restart_hint (const char *engine)
{
  if (strcmp (engine, "docker") == 0)
    return "restart dockerd to apply (systemctl restart docker), then: docker run --runtime=%s ...";
  if (strcmp (engine, "containerd") == 0)
    return "restart containerd to apply (systemctl restart containerd); Kubernetes: a RuntimeClass with handler: %s";
  return "podman reads it on its next run: podman --runtime %s ...";
}

/* PATH.nestrun-backup-STAMP, or with .1, .2 … when a setup in the same second made one:
   never over an existing backup. */
static int
write_backup (const char *path, const char *stamp, const char *data, size_t len, mode_t mode, char **out,
              nr_error_t *err)
{
  for (int i = 0; i < 100; i++)
    {
      _cleanup_free_ char *name = NULL;
      int r = i ? asprintf (&name, "%s.nestrun-backup-%s.%d", path, stamp, i)
                : asprintf (&name, "%s.nestrun-backup-%s", path, stamp);
      if (r < 0)
        return nr_error (err, ENOMEM, "%s", path);
      _cleanup_close_ int fd = open (name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
      if (fd < 0 && errno == EEXIST)
        continue;
      if (fd < 0 || nr_write_all (fd, data, len) < 0 || fsync (fd) < 0)
        {
          int e = errno;
          if (fd >= 0)
            unlink (name);
          return nr_error (err, e, "write \"%s\"", name);
        }
      *out = TAKE_PTR (name);
      return 0;
    }
  return nr_error (err, EEXIST, "%s.nestrun-backup-%s: 100 backups in one second", path, stamp);
}

static int
write_config (const char *path, const char *old, size_t old_len, bool existed, const char *content,
              struct nr_setup_result *res, nr_error_t *err)
{
  _cleanup_free_ char *d = strdup (path);
  _cleanup_free_ char *b = strdup (path);
  struct stat st = { .st_mode = 0644 };
  if (d == NULL || b == NULL)
    return nr_error (err, ENOMEM, "%s", path);
  if (existed && stat (path, &st) < 0)
    return nr_error (err, errno, "stat \"%s\"", path);
  const char *dir = dirname (d);
  if (nr_mkdir_p (dir, 0755, err) < 0)
    return -1;
  if (existed)
    {
      char stamp[32];
      time_t now = time (NULL);
      struct tm tm;
      strftime (stamp, sizeof stamp, "%Y%m%dT%H%M%S", gmtime_r (&now, &tm));
      if (write_backup (path, stamp, old, old_len, st.st_mode & 07777, &res->backup, err) < 0)
        return nr_error_wrap (err, "back up \"%s\"", path);
    }
  _cleanup_close_ int dfd = open (dir, O_DIRECTORY | O_PATH | O_CLOEXEC);
  if (dfd < 0)
    return nr_error (err, errno, "open \"%s\"", dir);
  if (nr_write_file_atomic_at (dfd, basename (b), content, strlen (content), st.st_mode & 07777, err) < 0)
    return nr_error_wrap (err, "write \"%s\"", path);
  return 0;
}

int
nr_setup (const struct nr_setup_opts *o, struct nr_setup_result *res, nr_error_t *err)
{
  _cleanup_free_ char *old = NULL;
  char *text = NULL;
  size_t old_len = 0;
  const char *name = o->name ? o->name : "nestrun";
  int r;

  memset (res, 0, sizeof *res);
  if (strcmp (o->engine, "docker") != 0 && strcmp (o->engine, "containerd") != 0
      && strcmp (o->engine, "podman") != 0)
    return nr_error (err, EINVAL, "setup: unknown engine \"%s\" (docker, containerd or podman)", o->engine);
  if (!valid_name (name))
    return nr_error (err, EINVAL, "setup: invalid runtime name \"%s\" (letters, digits, - and _)", name);
  if (o->runtime_path == NULL || o->runtime_path[0] != '/')
    return nr_error (err, EINVAL, "setup: the runtime path must be absolute, got \"%s\"",
                     o->runtime_path ? o->runtime_path : "");
  res->path = strdup (o->config ? o->config : default_config (o->engine));
  if (nr_read_file (res->path, CONFIG_MAX, &old, &old_len, err) < 0)
    {
      if ((*err)->status != ENOENT)
        return -1;
      nr_error_free (err);
      res->created = true;
    }
  if (old && memchr (old, '\0', old_len))
    return nr_error (err, EINVAL, "%s: not a text file", res->path);
  if (strcmp (o->engine, "docker") == 0)
    r = nr_setup_docker_json (old, res->path, name, o->runtime_path, &text, &res->changes, err);
  else
    {
      text = strdup (old ? old : "");
      if (strcmp (o->engine, "containerd") == 0)
        {
          int major = o->containerd_major ? o->containerd_major : nr_setup_containerd_major ();
          r = nr_setup_containerd_toml (&text, res->path, major, name, o->runtime_path, &res->changes, err);
        }
      else
        r = nr_setup_podman_toml (&text, res->path, name, o->runtime_path, &res->changes, err);
    }
  if (r < 0)
    {
      free (text);
      return -1;
    }
  res->content = text;
  res->changed = res->changes != NULL;
  if (asprintf (&res->hint, restart_hint (o->engine), name) < 0)
    res->hint = NULL;
  if (!res->changed || o->dry_run)
    return 0;
  return write_config (res->path, old ? old : "", old_len, !res->created, text, res, err);
}

void
nr_setup_result_free (struct nr_setup_result *r)
{
  free (r->path);
  free (r->backup);
  free (r->content);
  free (r->hint);
  for (size_t i = 0; r->changes && r->changes[i]; i++)
    free (r->changes[i]);
  free (r->changes);
  memset (r, 0, sizeof *r);
}
