/* SPDX-License-Identifier: Apache-2.0 */
/* engines/: the TOML line editor and the three engine merges, on text. */
#include "config.h"
#include "engines/setup.h"
#include "engines/toml.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "tests/unit/tap.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void
free_changes (char ***c)
{
  for (size_t i = 0; *c && (*c)[i]; i++)
    free ((*c)[i]);
  free (*c);
  *c = NULL;
}

static size_t
count (char **c)
{
  size_t n = 0;
  while (c && c[n])
    n++;
  return n;
}

static size_t
occurrences (const char *s, const char *needle)
{
  size_t n = 0;
  for (const char *p = strstr (s, needle); p; p = strstr (p + 1, needle))
    n++;
  return n;
}

/* set key in table of text; returns the change and replaces text */
static int
set (char **text, const char *table, const char *key, const char *value, nr_error_t *err)
{
  return nr_toml_set (text, table, key, value, "test.toml", NULL, err);
}

static void
test_toml_basics (void)
{
  nr_error_t err = NULL;
  char *t = strdup ("");
  is_int (set (&t, "a.b", "k", "\"v\"", &err), NR_TOML_ADDED, "empty file: table appended");
  is_str (t, "[a.b]\n  k = \"v\"\n", "empty file: content");
  is_int (set (&t, "a.b", "k", "\"v\"", &err), NR_TOML_UNCHANGED, "same value: unchanged");
  is_int (set (&t, "a . b", "k", "\"v\"", &err), NR_TOML_UNCHANGED, "table names compare canonically");
  is_int (set (&t, "a.\"b\"", "k", "\"w\"", &err), NR_TOML_REPLACED, "other value: replaced");
  is_str (t, "[a.b]\n  k = \"w\"\n", "replaced in place");
  is_int (set (&t, "a.b", "j", "1", &err), NR_TOML_ADDED, "new key in an existing table");
  is_str (t, "[a.b]\n  k = \"w\"\n  j = 1\n", "added after the last key");
  free (t);

  t = strdup ("# comment\nversion = 2\n\n[x]\n  y = [\n    \"multi\", # c\n    \"line\",\n  ]\n  z = '''\n[not.a.table]\n'''\n\n[other]\nq = 1\n");
  is_int (set (&t, "x", "n", "true", &err), NR_TOML_ADDED, "multi-line values are followed");
  ok (strstr (t, "  z = '''\n[not.a.table]\n'''\n  n = true\n\n[other]") != NULL, "inserted after the multi-line string");
  ok (strstr (t, "# comment\nversion = 2\n") == t, "comments and other keys kept");
  char *v = NULL;
  is_int (nr_toml_get (t, "", "version", "test.toml", &v, &err), 0, "get a top-level key");
  is_str (v, "2", "top-level value");
  free (v);
  is_int (nr_toml_get (t, "not.a", "table", "test.toml", &v, &err), 0, "text inside a string is no table");
  ok (v == NULL, "so the key is absent");
  is_int (set (&t, "x", "y", "[\"one\"]", &err), NR_TOML_REPLACED, "replace a multi-line value");
  ok (strstr (t, "[x]\n  y = [\"one\"]\n  z = '''") != NULL, "all of its lines replaced");
  free (t);
}

static void
test_toml_refusals (void)
{
  static const struct
  {
    const char *text, *why;
  } bad[] = {
    { "[a\nk = 1\n", "an unclosed table header" },
    { "k = \"unterminated\n", "an unterminated string" },
    { "k = [1, 2\n", "a value that never ends" },
    { "k =\n", "a key without a value" },
    { "[a.b]\nk = 1\n[a.b]\nj = 2\n", "a table defined twice" },
    { "[a]\nb = { k = 1 }\n", "the table set by an inline table" },
    { "[a]\nb.k = 1\n", "the table set by a dotted key" },
    { "[[a.b]]\nk = 1\n", "an array of tables" },
    { "[a] junk\n", "text after a header" },
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      nr_error_t err = NULL;
      char *t = strdup (bad[i].text);
      int r = set (&t, "a.b", "k", "2", &err);
      ok (r < 0 && err && strstr (err->msg, "test.toml line ") && strstr (err->msg, "edit it by hand"),
          "refuses %s: %s", bad[i].why, err ? err->msg : "(no error)");
      is_str (t, bad[i].text, "and leaves the text alone (%s)", bad[i].why);
      nr_error_free (&err);
      free (t);
    }
}

static void
test_toml_strings (void)
{
  nr_error_t err = NULL;
  char *s = NULL, **v = NULL;
  is_int (nr_toml_string (" \"a\\\"b\\\\c\\n\" ", "t", &s, &err), 0, "a basic string");
  is_str (s, "a\"b\\c\n", "  escapes read");
  free (s);
  is_int (nr_toml_string ("'C:\\x'", "t", &s, &err), 0, "a literal string");
  is_str (s, "C:\\x", "  no escapes in it");
  free (s);
  ok (nr_toml_string ("\"a\" \"b\"", "t", &s, &err) < 0 && s == NULL, "two strings are not one");
  nr_error_free (&err);
  ok (nr_toml_string ("\"\\u00e9\"", "t", &s, &err) < 0 && strstr (err->msg, "escape"), "\\u refused, named");
  nr_error_free (&err);
  ok (nr_toml_string ("42", "t", &s, &err) < 0, "a number is not a string");
  nr_error_free (&err);
  is_int (nr_toml_string_array ("[\n  \"/a\", # one\n  '/b',\n]", "t", &v, &err), 0,
          "an array over lines, with a comment and a trailing comma");
  ok (v && v[0] && v[1] && !v[2] && strcmp (v[0], "/a") == 0 && strcmp (v[1], "/b") == 0, "  its strings");
  nr_strvfreep (&v);
  is_int (nr_toml_string_array ("[]", "t", &v, &err), 0, "an empty array");
  ok (v && v[0] == NULL, "  no strings");
  nr_strvfreep (&v);
  ok (nr_toml_string_array ("[\"a\" \"b\"]", "t", &v, &err) < 0 && v == NULL, "a missing comma is refused");
  nr_error_free (&err);
  ok (nr_toml_string_array ("[1]", "t", &v, &err) < 0 && strstr (err->msg, "t: "), "numbers refused, naming the file");
  nr_error_free (&err);
  ok (nr_toml_string_array ("\"a\"", "t", &v, &err) < 0, "a string is not an array");
  nr_error_free (&err);
}

static void
test_docker (void)
{
  nr_error_t err = NULL;
  char **ch = NULL, *out = NULL;
  is_int (nr_setup_docker_json ("", "daemon.json", "nestrun", "/usr/sbin/nestrun", &out, &ch, &err), 0,
          "docker: empty file");
  ok (strstr (out, "\"runtimes\"") && strstr (out, "\"path\": \"/usr/sbin/nestrun\""), "docker: runtime added");
  is_int (count (ch), 1, "docker: one change");
  free (out), free_changes (&ch);

  const char *old = "{\"debug\": true, \"runtimes\": {\"other\": {\"path\": \"/x\", \"runtimeArgs\": [\"--a\"]},"
                    " \"nestrun\": {\"path\": \"/old\", \"runtimeArgs\": [\"--debug\"]}}, \"default-runtime\": \"runc\","
                    " \"n\": 1.50}";
  is_int (nr_setup_docker_json (old, "daemon.json", "nestrun", "/usr/sbin/nestrun", &out, &ch, &err), 0,
          "docker: existing runtimes");
  ok (strstr (out, "\"debug\": true") && strstr (out, "\"default-runtime\": \"runc\"") && strstr (out, "1.50"),
      "docker: other keys kept, numbers as written");
  ok (strstr (out, "\"other\"") && strstr (out, "\"/x\"") && strstr (out, "\"--debug\""),
      "docker: other runtimes and our runtimeArgs kept");
  ok (strstr (out, "/old") == NULL && occurrences (out, "\"nestrun\"") == 1, "docker: our path replaced, once");
  ok (count (ch) == 1 && strstr (ch[0], "from \"/old\""), "docker: the change says what it was");
  free (out), free_changes (&ch);

  is_int (nr_setup_docker_json ("{\"runtimes\": {\"nestrun\": {\"path\": \"/p\"}}}", "daemon.json", "nestrun", "/p",
                                &out, &ch, &err),
          0, "docker: already registered");
  ok (ch == NULL, "docker: no change");
  free (out), free_changes (&ch);

  ok (nr_setup_docker_json ("{\"runtimes\": [", "daemon.json", "nestrun", "/p", &out, &ch, &err) < 0
          && strstr (err->msg, "daemon.json"),
      "docker: broken JSON refused, naming the file");
  nr_error_free (&err);
  ok (nr_setup_docker_json ("{\"runtimes\": []}", "daemon.json", "nestrun", "/p", &out, &ch, &err) < 0
          && strstr (err->msg, "\"runtimes\": expected object, got array"),
      "docker: runtimes of the wrong type refused");
  nr_error_free (&err);
  ok (nr_setup_docker_json ("[]", "daemon.json", "nestrun", "/p", &out, &ch, &err) < 0, "docker: not an object");
  nr_error_free (&err);
}

static void
test_containerd (void)
{
  nr_error_t err = NULL;
  char **ch = NULL, *t = strdup ("");
  is_int (nr_setup_containerd_toml (&t, "config.toml", 1, "nestrun", "/usr/sbin/nestrun", &ch, &err), 0,
          "containerd 1.x: empty file");
  is_str (t,
          "version = 2\n\n[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.nestrun]\n"
          "  runtime_type = \"io.containerd.runc.v2\"\n\n"
          "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.nestrun.options]\n"
          "  BinaryName = \"/usr/sbin/nestrun\"\n",
          "containerd 1.x: version 2 schema");
  is_int (count (ch), 3, "containerd 1.x: three changes");
  free_changes (&ch);
  is_int (nr_setup_containerd_toml (&t, "config.toml", 2, "nestrun", "/usr/sbin/nestrun", &ch, &err), 0,
          "containerd: again");
  ok (ch == NULL, "containerd: idempotent (the file's version wins over the binary's)");
  free (t);

  t = strdup ("");
  nr_setup_containerd_toml (&t, "config.toml", 2, "nestrun", "/n", &ch, &err);
  ok (strncmp (t, "version = 3\n", 12) == 0 && strstr (t, "[plugins.\"io.containerd.cri.v1.runtime\".containerd.runtimes.nestrun]"),
      "containerd 2.x: version 3 schema, io.containerd.cri.v1.runtime");
  free (t), free_changes (&ch);

  t = strdup ("[plugins.cri]\n  sandbox_image = \"k8s.gcr.io/pause:3.6\"\n");
  nr_setup_containerd_toml (&t, "config.toml", 1, "nestrun", "/n", &ch, &err);
  ok (strstr (t, "[plugins.cri.containerd.runtimes.nestrun]") != NULL, "containerd: version 1 file, plugins.cri");
  free (t), free_changes (&ch);

  t = strdup ("version = 2\n[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.nestrun.options]\n"
              "  BinaryName = \"/old\"\n  Root = \"/r\"\n");
  nr_setup_containerd_toml (&t, "config.toml", 1, "nestrun", "/n", &ch, &err);
  ok (strstr (t, "BinaryName = \"/n\"\n  Root = \"/r\"\n") && strstr (t, "/old") == NULL,
      "containerd: BinaryName replaced, Root kept");
  free (t), free_changes (&ch);

  t = strdup ("version = 7\n");
  ok (nr_setup_containerd_toml (&t, "config.toml", 1, "nestrun", "/n", &ch, &err) < 0, "containerd: unknown version");
  nr_error_free (&err);
  free (t), free_changes (&ch);
}

static void
test_podman (void)
{
  nr_error_t err = NULL;
  char **ch = NULL;
  char *t = strdup ("[containers]\nlog_size_max = -1\n\n[engine]\ncgroup_manager = \"cgroupfs\"\n\n"
                    "[engine.runtimes]\ncrun = [\n  \"/usr/bin/crun\",\n]\n\n[network]\n");
  is_int (nr_setup_podman_toml (&t, "containers.conf", "nestrun", "/usr/sbin/nestrun", &ch, &err), 0, "podman");
  ok (strstr (t, "crun = [\n  \"/usr/bin/crun\",\n]\nnestrun = [\"/usr/sbin/nestrun\"]\n\n[network]") != NULL,
      "podman: added to [engine.runtimes] after crun");
  free (t), free_changes (&ch);
  t = strdup ("");
  nr_setup_podman_toml (&t, "containers.conf", "nestrun", "/n", &ch, &err);
  is_str (t, "[engine.runtimes]\n  nestrun = [\"/n\"]\n", "podman: new file");
  free (t), free_changes (&ch);
}

/* nr_setup on real files in a temporary directory: merge, backups, dry run */
static char *
slurp (const char *path)
{
  char *t = NULL;
  size_t n = 0;
  nr_error_t err = NULL;
  if (nr_read_file (path, 1u << 20, &t, &n, &err) < 0)
    nr_error_free (&err);
  return t;
}

static void
test_files (void)
{
  char dir[] = "/tmp/nr-setup-XXXXXX", conf[64];
  nr_error_t err = NULL;
  struct nr_setup_result r1, r2, r3;
  if (mkdtemp (dir) == NULL)
    bail_out ("mkdtemp");
  snprintf (conf, sizeof conf, "%s/daemon.json", dir);
  FILE *f = fopen (conf, "w");
  fputs ("{\"log-level\": \"warn\"}\n", f);
  fclose (f);
  chmod (conf, 0600);

  struct nr_setup_opts o = { .engine = "docker", .config = conf, .runtime_path = "/a/nestrun" };
  o.dry_run = true;
  ok (nr_setup (&o, &r1, &err) == 0 && r1.changed && r1.backup == NULL, "dry run: a change, no backup");
  char *t = slurp (conf);
  is_str (t, "{\"log-level\": \"warn\"}\n", "dry run: the file is untouched");
  free (t);
  nr_setup_result_free (&r1);

  o.dry_run = false;
  ok (nr_setup (&o, &r1, &err) == 0 && r1.changed && r1.backup, "setup: changed, with a backup");
  o.runtime_path = "/b/nestrun";
  ok (nr_setup (&o, &r2, &err) == 0 && r2.changed && r2.backup, "again at once, another path: changed again");
  if (err)
    diag ("%s", err->msg), nr_error_free (&err);
  ok (r1.backup && r2.backup && strcmp (r1.backup, r2.backup) != 0, "two backups, the first not overwritten");
  t = slurp (r1.backup ? r1.backup : "/nonexistent");
  is_str (t, "{\"log-level\": \"warn\"}\n", "the first backup holds the original");
  free (t);
  t = slurp (r2.backup ? r2.backup : "/nonexistent");
  ok (t && strstr (t, "/a/nestrun") && strstr (t, "log-level"), "the second holds the first setup's file");
  free (t);
  t = slurp (conf);
  ok (t && strstr (t, "\"path\": \"/b/nestrun\"") && strstr (t, "\"log-level\": \"warn\""),
      "the file: ours replaced, the rest kept");
  free (t);
  struct stat st;
  ok (stat (conf, &st) == 0 && (st.st_mode & 07777) == 0600 && r1.backup && stat (r1.backup, &st) == 0
          && (st.st_mode & 07777) == 0600,
      "the file and its backup keep the file's mode");
  ok (nr_setup (&o, &r3, &err) == 0 && !r3.changed && r3.backup == NULL, "once more: nothing to do, no backup");
  nr_setup_result_free (&r3);

  /* what is left: the file and the two backups */
  DIR *d = opendir (dir);
  int entries = 0;
  for (struct dirent *e; d && (e = readdir (d));)
    entries += e->d_name[0] != '.';
  if (d)
    closedir (d);
  is_int (entries, 3, "the directory holds the file and two backups");
  unlink (r1.backup);
  unlink (r2.backup);
  nr_setup_result_free (&r1);
  nr_setup_result_free (&r2);
  unlink (conf);
  rmdir (dir);
}

int
main (void)
{
  test_toml_basics ();
  test_toml_refusals ();
  test_toml_strings ();
  test_docker ();
  test_containerd ();
  test_podman ();
  test_files ();
  return done_testing ();
}
