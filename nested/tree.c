/* SPDX-License-Identifier: Apache-2.0 */
/* `tree`: the nesting tree as the host sees it.  Level 0 is our state root; a nest's
   children are found in the state roots of the nestrun inside it, reached through its
   init's root (/proc/<pid>/root, then that container's own /proc/<pid>/root, …); its
   record and nest dir (also reached that way) give depth, engine, images shared, and
   the bytes it wrote (its nest dir, children's nests excluded). */
#include "config.h"
#include "nested/nested.h"
#include "nested/nest.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "imagestore/imagestore.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_LEVELS 16

struct tree
{
  yajl_gen g;  /* json */
  FILE *txt;   /* text */
  struct nr_imagestore *store;
};

static const char *
ann (char **a, const char *key)
{
  for (; a && a[0]; a += 2)
    if (strcmp (a[0], key) == 0)
      return a[1];
  return NULL;
}

static unsigned long long
images_bytes (struct tree *t, char *const *images)
{
  unsigned long long sum = 0;
  for (; t->store && images && *images; images++)
    {
      struct nr_image_info i;
      nr_error_t e = NULL;
      if (nr_imagestore_inspect (t->store, *images, &i, &e) == 0)
        {
          sum += i.size;
          nr_image_info_free (&i);
        }
      nr_error_free (&e);
    }
  return sum;
}

static void walk_root (struct tree *t, const char *prefix, const char *root, unsigned level, const char *parent);

/* The nestrun state roots inside a container whose root is at prefix: docker's
   <exec-root>/runtime-<name>/moby (exec-root /run/docker or /var/run/docker, when
   /var/run is not a link to /run) and our own default. */
static void
walk_docker (struct tree *t, const char *prefix, const char *exec_root, unsigned level, const char *parent)
{
  char p[4096];
  if (snprintf (p, sizeof p, "%s%s", prefix, exec_root) >= (int) sizeof p)
    return;
  _cleanup_closedir_ DIR *d = opendir (p);
  struct dirent *de;
  while (d && (de = readdir (d)))
    if (strncmp (de->d_name, "runtime-", 8) == 0)
      {
        char r[512];
        if (snprintf (r, sizeof r, "%s/%s/moby", exec_root, de->d_name) < (int) sizeof r)
          walk_root (t, prefix, r, level, parent);
      }
}

static void
walk_inner (struct tree *t, const char *prefix, unsigned level, const char *parent)
{
  char p[4096];
  struct stat st;
  walk_docker (t, prefix, "/run/docker", level, parent);
  if (snprintf (p, sizeof p, "%s/var/run", prefix) < (int) sizeof p && lstat (p, &st) == 0 && S_ISDIR (st.st_mode))
    walk_docker (t, prefix, "/var/run/docker", level, parent);
  walk_root (t, prefix, "/run/nestrun", level, parent);
}

static void
human (unsigned long long b, char out[32])
{
  if (b >= 1024ULL * 1024)
    snprintf (out, 32, "%.1fMiB", b / 1048576.0);
  else
    snprintf (out, 32, "%.1fKiB", b / 1024.0);
}

/* The init's pid as recorded, in the pid namespace of the level's nestrun (the
   liveness check of nr_container_info only holds in ours). */
static pid_t
recorded_pid (const char *prefix, const char *root, const char *id)
{
  char p[4096];
  _cleanup_json_ yajl_val v = NULL;
  nr_error_t e = NULL;
  if (snprintf (p, sizeof p, "%s%s/%s/state.json", prefix, root, id) >= (int) sizeof p)
    return 0;
  if (nr_json_parse_file (p, "state.json", &v, &e) < 0)
    return nr_error_free (&e), 0;
  yajl_val pid = nr_json_get (v, "pid");
  return pid && YAJL_IS_INTEGER (pid) ? (pid_t) YAJL_GET_INTEGER (pid) : 0;
}

static void
node (struct tree *t, const char *prefix, const char *root, const struct nr_container_info *c, unsigned level,
      const char *parent)
{
  const char *depth = ann (c->annotations, NR_ANN_DEPTH);
  const char *dir = ann (c->annotations, NR_ANN_NEST_DIR);
  struct nr_nest_record rec = { 0 };
  unsigned long long shared = 0, written = 0;
  char p[4096], inner[4096];
  if (dir)
    {
      nr_error_t e = NULL;
      if (snprintf (p, sizeof p, "%s%s/nest.json", prefix, dir) >= (int) sizeof p)
        return;
      if (nr_nest_record_read (p, &rec, &e) < 0)
        nr_error_free (&e);
      if (snprintf (p, sizeof p, "%s%s", prefix, dir) < (int) sizeof p
          && snprintf (inner, sizeof inner, "%s%s/nests", prefix, dir) < (int) sizeof inner)
        written = nr_nest_du (p) - nr_nest_du (inner);
      shared = images_bytes (t, rec.images);
    }
  size_t n_img = 0;
  while (rec.images && rec.images[n_img])
    n_img++;
  unsigned d = depth ? (unsigned) atoi (depth) : level + 1;
  if (t->g)
    {
      yajl_gen_map_open (t->g);
      nr_jgen_kstr (t->g, "id", c->id);
      nr_jgen_kstr (t->g, "parent", parent);
      nr_jgen_kint (t->g, "depth", d);
      nr_jgen_kbool (t->g, "nested", dir != NULL);
      nr_jgen_kstr (t->g, "status", level == 0 ? nr_status_name (c->status) : "running");
      nr_jgen_kstr (t->g, "engine", rec.engine ? rec.engine : "");
      nr_jgen_key (t->g, "images");
      static char *const none[] = { NULL };
      nr_jgen_strv (t->g, rec.images ? rec.images : none);
      nr_jgen_kint (t->g, "bytesShared", (long long) shared);
      nr_jgen_kint (t->g, "bytesWritten", (long long) written);
      nr_jgen_key (t->g, "children");
      yajl_gen_array_open (t->g);
    }
  else
    {
      char s[32], w[32];
      human (shared, s);
      human (written, w);
      fprintf (t->txt, "%*s%-*.*s %-5u %-10s %-7s %-6zu %-10s %s\n", (int) level * 2, "", 40 - (int) level * 2,
               40 - (int) level * 2, c->id, d, rec.engine ? rec.engine : "-",
               level == 0 ? nr_status_name (c->status) : "-", n_img, dir ? s : "-", dir ? w : "-");
    }
  pid_t pid = level == 0 ? c->pid : recorded_pid (prefix, root, c->id);
  if (dir && pid > 0 && level + 1 < MAX_LEVELS)
    {
      if (snprintf (p, sizeof p, "%s/proc/%d/root", prefix, (int) pid) < (int) sizeof p)
        walk_inner (t, p, level + 1, c->id);
    }
  if (t->g)
    {
      yajl_gen_array_close (t->g);
      yajl_gen_map_close (t->g);
    }
  nr_nest_record_clear (&rec);
}

static void
walk_root (struct tree *t, const char *prefix, const char *root, unsigned level, const char *parent)
{
  char p[4096];
  if (snprintf (p, sizeof p, "%s%s", prefix, root) >= (int) sizeof p)
    return;
  struct nr_runtime rt = { .root = p };
  struct nr_container_info *v = NULL;
  size_t n = 0;
  nr_error_t e = NULL;
  if (nr_container_list (&rt, &v, &n, &e) < 0)
    nr_error_free (&e);
  for (size_t i = 0; i < n; i++)
    {
      node (t, prefix, root, &v[i], level, parent);
      nr_container_info_clear (&v[i]);
    }
  free (v);
}

char *
nr_nested_tree (const struct nr_runtime *rt, bool json, nr_error_t *err)
{
  struct tree t = { 0 };
  char *buf = NULL;
  size_t len = 0;
  nr_error_t e = NULL;
  const struct nr_nest_env *env = nr_nest_env_get ();
  if (nr_imagestore_open (env->store, NR_STORE_READ, &t.store, &e) < 0)
    nr_error_free (&e);
  if (json)
    {
      t.g = nr_jgen_new (true);
      yajl_gen_array_open (t.g);
    }
  else
    {
      t.txt = open_memstream (&buf, &len);
      if (t.txt == NULL)
        return nr_imagestore_close (t.store), nr_error (err, ENOMEM, "tree"), NULL;
      fprintf (t.txt, "%-40s %-5s %-10s %-7s %-6s %-10s %s\n", "ID", "DEPTH", "ENGINE", "STATUS", "IMAGES", "SHARED",
               "WRITTEN");
    }
  walk_root (&t, "", rt->root, 0, "");
  nr_imagestore_close (t.store);
  if (json)
    {
      yajl_gen_array_close (t.g);
      buf = nr_jgen_finish (t.g, NULL);
    }
  else
    fclose (t.txt);
  if (buf == NULL)
    nr_error (err, ENOMEM, "tree");
  return buf;
}
