/* SPDX-License-Identifier: Apache-2.0 */
/* nested/: recognition, preload parsing, the daemon.json, storage.conf and
   containers.conf merges, the serializer, and
   the step table run on fake rootfs directories against a scratch store. */
#include "config.h"
#include "nested/nest.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/json.h"
#include "oci/config.h"
#include "oci/edit.h"
#include "oci/serialize.h"
#include "runtime/rootfs.h"
#include "tests/unit/tap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmp[256];

static const char *PLAIN_CFG
    = "{\"ociVersion\":\"1.0.2\",\"x-unknown\":{\"kept\":true},"
      "\"process\":{\"terminal\":false,\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"sh\"],\"cwd\":\"/\","
      "\"env\":[\"PATH=/bin\"%s],\"capabilities\":{\"bounding\":[%s],\"effective\":[%s]}},"
      "\"root\":{\"path\":\"%s\"},\"annotations\":{%s},"
      "\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
      "{\"destination\":\"/sys/fs/cgroup\",\"type\":\"cgroup\",\"source\":\"cgroup\",\"options\":[\"nosuid\",\"ro\"]}],"
      "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"}]}}";

/* A config for rootfs with extra env, caps (quoted, comma separated), annotations. */
static struct oci_config *
make_cfg (const char *rootfs, const char *env, const char *caps, const char *ann, char **raw)
{
  struct oci_config *c = NULL;
  nr_error_t e = NULL;
  if (asprintf (raw, PLAIN_CFG, env, caps, caps, rootfs, ann) < 0)
    return NULL;
  if (oci_config_parse_data (*raw, strlen (*raw), "test", &c, &e) < 0)
    {
      diag ("%s", e->msg);
      nr_error_free (&e);
    }
  return c;
}

static void
make_file (const char *root, const char *rel, const char *data, mode_t mode)
{
  char p[512], dir[512];
  nr_error_t e = NULL;
  snprintf (p, sizeof p, "%s/%s", root, rel);
  snprintf (dir, sizeof dir, "%s", p);
  *strrchr (dir, '/') = '\0';
  nr_mkdir_p (dir, 0755, &e);
  nr_write_file (p, data, strlen (data), mode, &e);
  nr_error_free (&e);
}

static int
rootfs_fd (const char *name, char out[512])
{
  snprintf (out, 512, "%s/%s", tmp, name);
  nr_error_t e = NULL;
  nr_mkdir_p (out, 0755, &e);
  nr_error_free (&e);
  return open (out, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

static void
test_preload (void)
{
  char **v = (char **) 1;
  nr_error_t e = NULL;
  ok (nr_nest_parse_preload (NULL, &v, &e) == 0 && v == NULL, "preload: unset means all");
  ok (nr_nest_parse_preload ("all", &v, &e) == 0 && v == NULL, "preload: \"all\"");
  ok (nr_nest_parse_preload (" busybox , alpine:3,", &v, &e) == 0 && v && v[0] && v[1] && !v[2], "preload: a list");
  if (v && v[0] && v[1])
    {
      is_str (v[0], "busybox:latest", "preload: names are normalized");
      is_str (v[1], "alpine:3", "preload: tags kept");
    }
  nr_strvfreep (&v);
  ok (nr_nest_parse_preload ("all,busybox", &v, &e) < 0, "preload: all cannot be mixed");
  nr_error_free (&e);
  ok (nr_nest_parse_preload ("ok,bad$name", &v, &e) < 0 && e && strstr (e->msg, "bad$name"), "preload: invalid names named");
  nr_error_free (&e);
}

static void
test_detect_engine (void)
{
  char r[512];
  int fd = rootfs_fd ("eng-empty", r);
  is_int (nr_nest_find_engine (fd), NR_ENGINE_NONE, "engine: none in an empty rootfs");
  close (fd);
  fd = rootfs_fd ("eng-docker", r);
  make_file (r, "usr/local/bin/dockerd", "#!/bin/sh\n", 0755);
  is_int (nr_nest_find_engine (fd), NR_ENGINE_DOCKER, "engine: /usr/local/bin/dockerd");
  close (fd);
  fd = rootfs_fd ("eng-noexec", r);
  make_file (r, "usr/bin/podman", "x", 0644);
  is_int (nr_nest_find_engine (fd), NR_ENGINE_NONE, "engine: a non-executable file is not one");
  close (fd);
  /* an absolute link resolves inside the rootfs, never on the host (which may have one) */
  fd = rootfs_fd ("eng-link", r);
  char p[600];
  snprintf (p, sizeof p, "%s/usr/bin", r);
  nr_error_t e = NULL;
  nr_mkdir_p (p, 0755, &e);
  strcat (p, "/dockerd");
  symlink ("/usr/sbin/dockerd", p);
  is_int (nr_nest_find_engine (fd), NR_ENGINE_NONE, "engine: links are resolved inside the rootfs");
  make_file (r, "usr/sbin/dockerd", "#!/bin/sh\n", 0755);
  is_int (nr_nest_find_engine (fd), NR_ENGINE_DOCKER, "engine: a link to an engine inside the rootfs");
  close (fd);
}

static void
test_daemon_json (void)
{
  nr_error_t e = NULL;
  _cleanup_free_ char *a = nr_nest_daemon_json (NULL, 0, "/run/x/nestrun", &e);
  _cleanup_json_ yajl_val v = NULL;
  ok (a && nr_json_parse (a, strlen (a), "a", &v, &e) == 0, "daemon.json: generated without an image's");
  yajl_val rt = nr_json_get (nr_json_get (nr_json_get (v, "runtimes"), "nestrun"), "path");
  ok (rt && YAJL_IS_STRING (rt) && strcmp (rt->u.string, "/run/x/nestrun") == 0, "daemon.json: runtimes.nestrun");
  const char *img = "{\"data-root\":\"/srv/d\",\"runtimes\":{\"crun\":{\"path\":\"/c\"},\"nestrun\":{\"path\":\"/old\"}},"
                    "\"default-runtime\":\"crun\",\"log-level\":\"warn\"}";
  _cleanup_free_ char *b = nr_nest_daemon_json (img, strlen (img), "/n", &e);
  _cleanup_json_ yajl_val w = NULL;
  ok (b && nr_json_parse (b, strlen (b), "b", &w, &e) == 0, "daemon.json: merged");
  yajl_val dr = nr_json_get (w, "data-root"), ll = nr_json_get (w, "log-level");
  ok (dr && strcmp (dr->u.string, "/srv/d") == 0 && ll && strcmp (ll->u.string, "warn") == 0,
      "daemon.json: the image's keys are kept");
  ok (nr_json_get (nr_json_get (w, "runtimes"), "crun") != NULL, "daemon.json: the image's runtimes are kept");
  yajl_val np = nr_json_get (nr_json_get (nr_json_get (w, "runtimes"), "nestrun"), "path");
  yajl_val dflt = nr_json_get (w, "default-runtime");
  ok (np && strcmp (np->u.string, "/n") == 0 && dflt && strcmp (dflt->u.string, "nestrun") == 0,
      "daemon.json: nestrun replaces the image's entry and is the default");
  ok (nr_nest_daemon_json ("[1]", 3, "/n", &e) == NULL && e, "daemon.json: not an object is an error");
  nr_error_free (&e);
  ok (nr_nest_daemon_json ("{", 1, "/n", &e) == NULL && e, "daemon.json: bad JSON is an error");
  nr_error_free (&e);
}

static void
test_podman_confs (void)
{
  nr_error_t e = NULL;
  char *out = NULL, *why = NULL;
  const char *view = "/run/nestrun-nest/containers-storage";
  is_int (nr_nest_storage_conf (NULL, "s.conf", view, &out, &why, &e), 0, "storage.conf: generated without an image's");
  is_str (out,
          "[storage]\n  driver = \"overlay\"\n\n[storage.options]\n  additionalimagestores = "
          "[\"/run/nestrun-nest/containers-storage\"]\n",
          "  overlay and the view");
  free (out);
  const char *img = "# the image's\n[storage]\ndriver = \"overlay\"\ngraphroot = \"/srv/c\"\n\n"
                    "[storage.options]\nadditionalimagestores = [\n  \"/ro/a\", # keep\n]\n"
                    "[storage.options.overlay]\nmountopt = \"nodev\"\n";
  is_int (nr_nest_storage_conf (img, "s.conf", view, &out, &why, &e), 0, "storage.conf: merged with the image's");
  ok (out && strstr (out, "# the image's\n[storage]\ndriver = \"overlay\"\ngraphroot = \"/srv/c\"\n")
          && strstr (out, "mountopt = \"nodev\"")
          && strstr (out, "additionalimagestores = [\"/ro/a\", \"/run/nestrun-nest/containers-storage\"]\n"),
      "  the image's settings and stores kept, the view appended");
  char *again = NULL;
  is_int (nr_nest_storage_conf (out, "s.conf", view, &again, &why, &e), 0, "storage.conf: merging a merged file");
  is_str (again, out, "  changes nothing (the view is listed once)");
  free (again), free (out);
  is_int (nr_nest_storage_conf ("[storage]\ndriver = \"vfs\"\n", "s.conf", view, &out, &why, &e), 0,
          "storage.conf: another driver");
  ok (out == NULL && why && strstr (why, "\"vfs\""), "  is kept, without the view, and named");
  free (why);
  ok (nr_nest_storage_conf ("[storage.options]\nadditionalimagestores = 3\n", "s.conf", view, &out, &why, &e) < 0 && e
          && strstr (e->msg, "s.conf: additionalimagestores"),
      "storage.conf: a value that is not a list of strings is an error naming the key");
  nr_error_free (&e);

  is_int (nr_nest_containers_conf (NULL, "c.conf", "/run/nestrun-nest/bin/nestrun", &out, &e), 0,
          "containers.conf: generated without an image's");
  is_str (out, "[engine.runtimes]\n  nestrun = [\"/run/nestrun-nest/bin/nestrun\"]\n\n[engine]\n  runtime = \"nestrun\"\n",
          "  nestrun the runtime");
  free (out);
  is_int (nr_nest_containers_conf ("[containers]\nlog_size_max = 1\n[engine]\nruntime = \"crun\"\n", "c.conf", "/n", &out, &e), 0,
          "containers.conf: merged with the image's");
  ok (out && strstr (out, "log_size_max = 1") && strstr (out, "runtime = \"nestrun\"") && !strstr (out, "crun"),
      "  the image's keys kept, its runtime replaced");
  free (out);
}

static struct nr_nest_env env;

static int
rewrite (const char *id, struct oci_config *c, const char *rootfs, struct nr_nest_ctx *x, nr_error_t *err)
{
  memset (x, 0, sizeof *x);
  x->env = &env;
  x->id = id;
  x->bundle = tmp;
  x->rootfs_fd = open (rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  return nr_nest_rewrite (x, c, err);
}

static char *
ser (struct oci_config *c, const char *raw)
{
  size_t n = 0;
  nr_error_t e = NULL;
  char *s = oci_config_serialize (c, raw, strlen (raw), &n, &e);
  nr_error_free (&e);
  return s;
}

#define PRIV "\"CAP_SYS_ADMIN\",\"CAP_NET_ADMIN\""
#define UNPRIV "\"CAP_KILL\""

static void
test_plain_untouched (void)
{
  char r[512];
  close (rootfs_fd ("plain", r));
  _cleanup_free_ char *raw = NULL, *raw2 = NULL;
  struct oci_config *c = make_cfg (r, "", PRIV, "\"a\":\"b\"", &raw);
  struct oci_config *ref = make_cfg (r, "", PRIV, "\"a\":\"b\"", &raw2);
  struct nr_nest_ctx x;
  nr_error_t e = NULL;
  is_int (rewrite ("plain", c, r, &x, &e), 0, "plain: no engine, no opt-in: not a nest");
  _cleanup_free_ char *s1 = ser (c, raw), *s2 = ser (ref, raw2);
  ok (s1 && s2 && strcmp (s1, s2) == 0, "plain: the effective spec is identical with and without the rewrite");
  ok (s1 && strstr (s1, "\"x-unknown\":{\"kept\":true}") != NULL, "serialize: unknown fields pass through");
  char nd[600];
  snprintf (nd, sizeof nd, "%s/plain", env.nests_root);
  ok (access (nd, F_OK) < 0, "plain: no nest dir");
  nr_nest_ctx_clear (&x);
  oci_config_free (c);
  oci_config_free (ref);
}

static const struct oci_mount *
find (struct oci_config *c, const char *dest, size_t *idx)
{
  for (size_t i = 0; i < c->n_mounts; i++)
    if (strcmp (c->mounts[i].destination, dest) == 0)
      return *idx = i, &c->mounts[i];
  return NULL;
}

static void
test_nest (void)
{
  char r[512], p[1024];
  close (rootfs_fd ("dind", r));
  make_file (r, "usr/bin/dockerd", "#!/bin/sh\n", 0755);
  make_file (r, "etc/docker/daemon.json", "{\"data-root\":\"/srv/docker\",\"debug\":true}", 0644);
  _cleanup_free_ char *raw = NULL;
  struct oci_config *c = make_cfg (r, "", PRIV, "", &raw);
  struct nr_nest_ctx x;
  nr_error_t e = NULL;
  int rc = rewrite ("n1", c, r, &x, &e);
  is_int (rc, 1, "nest: dockerd in the rootfs is recognized");
  if (rc < 0)
    diag ("%s", e->msg), nr_error_free (&e);
  is_str (x.reason, "engine in rootfs", "nest: reason");
  size_t i_dr = 0, i_tmpfs = 0, i_store = 0, i_rec = 0, i_nests = 0, i_cfg = 0;
  const struct oci_mount *dr = find (c, "/srv/docker", &i_dr);
  ok (dr && dr->source && strstr (dr->source, "/nests/n1/docker"), "data-root: where the image's daemon.json says, host-backed");
  const struct oci_mount *tm = find (c, NR_NEST_IN, &i_tmpfs);
  const struct oci_mount *st = find (c, NR_NEST_IN_STORE, &i_store);
  ok (tm && st && i_tmpfs < i_store && (st->flags & MS_RDONLY), "share: the store bound read-only, below the tmpfs");
  ok (find (c, NR_NEST_IN_RECORD, &i_rec) && find (c, NR_NEST_IN_NESTS, &i_nests), "lineage: record and nests/ bound");
  const struct oci_mount *dj = find (c, "/etc/docker/daemon.json", &i_cfg);
  ok (dj && (dj->flags & MS_RDONLY), "engine-config: daemon.json bound read-only over the image's");
  const struct oci_mount *bin = find (c, NR_NEST_IN_BIN, &i_cfg);
  const struct oci_mount *rec_m = find (c, NR_NEST_IN_RECORD, &i_rec);
  ok (st && st->locked && st->rbind && dj && dj->locked && bin && bin->locked && (bin->flags & MS_RDONLY) && rec_m
          && rec_m->locked,
      "every read-only bind is locked (store recursively: its nests/ mask with it)");
  size_t i_nm = 0;
  const struct oci_mount *nm = find (c, NR_NEST_IN_NESTS, &i_nm);
  const struct oci_mount *mask = find (c, NR_NEST_IN_STORE "/nests", &i_nm);
  ok (nm && !nm->locked && dr && !dr->locked && mask && !mask->locked,
      "writable binds are not locked; the nests/ mask is, as part of the store");
  size_t roots[16];
  size_t n_roots = nr_mount_lock_roots (c, roots, 16);
  bool has_store = false, has_mask = false;
  for (size_t k = 0; k < n_roots; k++)
    has_store |= roots[k] == i_store, has_mask |= strcmp (c->mounts[roots[k]].destination, NR_NEST_IN_STORE "/nests") == 0;
  ok (n_roots == 4 && has_store && !has_mask, "lock: store, runtime, record and engine config, each once");
  snprintf (p, sizeof p, "%s/n1/daemon.json", env.nests_root);
  _cleanup_free_ char *dj_text = NULL;
  size_t len = 0;
  ok (nr_read_file (p, 1 << 20, &dj_text, &len, &e) == 0 && strstr (dj_text, "\"debug\": true")
          && strstr (dj_text, "\"default-runtime\": \"nestrun\""),
      "engine-config: the generated file merges the image's");
  ok (oci_config_ns (c, OCI_NS_CGROUP) != NULL, "cgroups: a cgroup namespace added");
  size_t icg = 0;
  const struct oci_mount *cg = find (c, "/sys/fs/cgroup", &icg);
  ok (cg && !(cg->flags & MS_RDONLY), "cgroups: the cgroup mount made writable");
  is_str (oci_config_annotation (c, NR_ANN_DEPTH), "1", "lineage: depth annotation");
  snprintf (p, sizeof p, "%s/leases/n1.json", env.store);
  ok (access (p, F_OK) == 0, "share: a lease taken");
  snprintf (p, sizeof p, "%s/n1/nest.json", env.nests_root);
  struct nr_nest_record rec;
  ok (nr_nest_record_read (p, &rec, &e) == 0 && rec.depth == 1 && strcmp (rec.store, NR_NEST_IN_STORE) == 0,
      "lineage: the record says depth 1 and where the store is");
  nr_nest_record_clear (&rec);
  /* the rewritten config serializes to a config that parses back the same */
  _cleanup_free_ char *s = ser (c, raw);
  struct oci_config *back = NULL;
  ok (s && oci_config_parse_data (s, strlen (s), "rewritten", &back, &e) == 0 && back->n_mounts == c->n_mounts
          && oci_config_ns (back, OCI_NS_CGROUP) && strcmp (oci_config_annotation (back, NR_ANN_DEPTH), "1") == 0,
      "serialize: the rewritten config round-trips");
  oci_config_free (back);
  nr_nest_undo (&x);
  snprintf (p, sizeof p, "%s/n1", env.nests_root);
  ok (access (p, F_OK) < 0, "undo: the nest dir is gone");
  snprintf (p, sizeof p, "%s/leases/n1.json", env.store);
  ok (access (p, F_OK) < 0, "undo: the lease is gone");
  nr_nest_ctx_clear (&x);
  oci_config_free (c);
}

static void
test_podman_nest (void)
{
  char r[512], p[1024];
  close (rootfs_fd ("pind", r));
  make_file (r, "usr/bin/podman", "#!/bin/sh\n", 0755);
  make_file (r, "usr/share/containers/storage.conf", "[storage]\ndriver = \"overlay\"\ngraphroot = \"/srv/c\"\n", 0644);
  make_file (r, "etc/containers/containers.conf", "[engine]\nevents_logger = \"file\"\n", 0644);
  _cleanup_free_ char *raw = NULL, *sc = NULL, *cc = NULL, *imgs = NULL;
  struct oci_config *c = make_cfg (r, "", PRIV, "", &raw);
  struct nr_nest_ctx x;
  nr_error_t e = NULL;
  int rc = rewrite ("pm1", c, r, &x, &e);
  is_int (rc, 1, "podman nest: podman in the rootfs is recognized");
  if (rc < 0)
    diag ("%s", e->msg), nr_error_free (&e);
  is_int (x.engine, NR_ENGINE_PODMAN, "podman nest: engine");
  size_t i = 0, i_tmpfs = 0, i_view = 0;
  const struct oci_mount *dr = find (c, "/srv/c", &i);
  ok (dr && dr->source && strstr (dr->source, "/nests/pm1/podman"), "podman nest: data-root at the image's graphroot");
  const struct oci_mount *v = find (c, NR_NEST_IN_CSTORE, &i_view);
  ok (find (c, NR_NEST_IN, &i_tmpfs) && v && i_tmpfs < i_view && (v->flags & MS_RDONLY)
          && strstr (v->source, "/nests/pm1/containers-storage"),
      "podman nest: the containers-storage view bound read-only from the nest dir");
  snprintf (p, sizeof p, "%s/pm1/containers-storage/overlay-images/images.json", env.nests_root);
  ok (nr_read_file (p, 1 << 20, &imgs, NULL, &e) == 0, "podman nest: the view is written");
  nr_error_free (&e);
  const struct oci_mount *s = find (c, "/etc/containers/storage.conf", &i);
  snprintf (p, sizeof p, "%s/pm1/storage.conf", env.nests_root);
  ok (s && (s->flags & MS_RDONLY) && nr_read_file (p, 1 << 20, &sc, NULL, &e) == 0
          && strstr (sc, "graphroot = \"/srv/c\"") && strstr (sc, "additionalimagestores = [\"" NR_NEST_IN_CSTORE "\"]"),
      "podman nest: storage.conf (the vendor one merged) lists the view, bound read-only");
  const struct oci_mount *cm = find (c, "/etc/containers/containers.conf", &i);
  snprintf (p, sizeof p, "%s/pm1/containers.conf", env.nests_root);
  ok (cm && (cm->flags & MS_RDONLY) && nr_read_file (p, 1 << 20, &cc, NULL, &e) == 0
          && strstr (cc, "events_logger = \"file\"") && strstr (cc, "runtime = \"nestrun\"")
          && strstr (cc, "nestrun = [\"" NR_NEST_IN_BIN "\"]"),
      "podman nest: containers.conf makes the injected nestrun the runtime, bound read-only");
  is_str (oci_config_annotation (c, NR_ANN_ENGINE), "podman", "podman nest: engine annotation");
  nr_error_free (&e);
  nr_nest_undo (&x);
  nr_nest_ctx_clear (&x);
  oci_config_free (c);
  /* a graphroot the config mounts is kept; the images still come from the view */
  close (rootfs_fd ("pind-vol", r));
  make_file (r, "usr/bin/podman", "#!/bin/sh\n", 0755);
  _cleanup_free_ char *raw3 = NULL;
  static const char *const rw[] = { "bind", "rw", NULL };
  c = make_cfg (r, "", PRIV, "", &raw3);
  oci_mount_add (c, "/var/lib/containers/storage", "bind", "/srv/mine", rw, &e);
  is_int (rewrite ("pm3", c, r, &x, &e), 1, "podman nest: with its own graphroot volume");
  const struct oci_mount *gr = find (c, "/var/lib/containers/storage", &i);
  ok (gr && strcmp (gr->source, "/srv/mine") == 0 && find (c, NR_NEST_IN_CSTORE, &i)
          && find (c, "/etc/containers/storage.conf", &i),
      "  the volume is kept, the view still listed");
  nr_error_free (&e);
  nr_nest_undo (&x);
  nr_nest_ctx_clear (&x);
  oci_config_free (c);
  /* an image whose storage.conf cannot be followed fails the create, naming the file */
  close (rootfs_fd ("pind-bad", r));
  make_file (r, "usr/bin/podman", "#!/bin/sh\n", 0755);
  make_file (r, "etc/containers/storage.conf", "[storage\n", 0644);
  _cleanup_free_ char *raw2 = NULL;
  c = make_cfg (r, "", PRIV, "", &raw2);
  ok (rewrite ("pm2", c, r, &x, &e) < 0 && e && strstr (e->msg, "/etc/containers/storage.conf line 1"),
      "podman nest: a broken storage.conf is an error naming it");
  if (e)
    diag ("%s", e->msg);
  nr_error_free (&e);
  snprintf (p, sizeof p, "%s/pm2", env.nests_root);
  ok (access (p, F_OK) < 0, "podman nest: nothing left behind after the error");
  nr_nest_ctx_clear (&x);
  oci_config_free (c);
}

static void
test_recognition (void)
{
  char r[512];
  close (rootfs_fd ("dind", r));
  _cleanup_free_ char *r1 = NULL, *r2 = NULL, *r3 = NULL, *r4 = NULL, *r5 = NULL;
  struct nr_nest_ctx x;
  nr_error_t e = NULL;
  struct oci_config *c = make_cfg (r, "", PRIV, "\"run.nestrun.nested\":\"false\"", &r1);
  is_int (rewrite ("o1", c, r, &x, &e), 0, "opt-out: the annotation beats an engine in the rootfs");
  nr_nest_ctx_clear (&x), oci_config_free (c);
  c = make_cfg (r, ",\"NESTRUN_NESTED=0\"", PRIV, "", &r2);
  is_int (rewrite ("o2", c, r, &x, &e), 0, "opt-out: NESTRUN_NESTED=0");
  nr_nest_ctx_clear (&x), oci_config_free (c);
  c = make_cfg (r, "", PRIV, "\"run.nestrun.nested\":\"maybe\"", &r3);
  ok (rewrite ("o3", c, r, &x, &e) < 0 && strstr (e->msg, "maybe"), "recognition: a bad value is an error");
  nr_error_free (&e), nr_nest_ctx_clear (&x), oci_config_free (c);
  /* unprivileged: shares prepared, no privileges added */
  char plain[512];
  close (rootfs_fd ("plain", plain));
  c = make_cfg (plain, ",\"NESTRUN_NESTED=1\"", UNPRIV, "", &r4);
  is_int (rewrite ("u1", c, plain, &x, &e), 1, "opt-in: NESTRUN_NESTED=1 without an engine");
  size_t i = 0;
  const struct oci_mount *cg = find (c, "/sys/fs/cgroup", &i);
  ok (oci_config_ns (c, OCI_NS_CGROUP) == NULL && cg && (cg->flags & MS_RDONLY),
      "unprivileged: no cgroup namespace, cgroups stay read-only");
  ok (find (c, NR_NEST_IN_STORE, &i) != NULL, "unprivileged: the store is still shared");
  nr_nest_undo (&x), nr_nest_ctx_clear (&x), oci_config_free (c);
  c = make_cfg (r, ",\"NESTRUN_PRELOAD=nosuch:1\"", PRIV, "", &r5);
  ok (rewrite ("p1", c, r, &x, &e) < 0 && strstr (e->msg, "\"nosuch:1\" is not in the store"),
      "preload: an unknown image is an error at create");
  if (e)
    diag ("%s", e->msg);
  nr_error_free (&e), nr_nest_ctx_clear (&x), oci_config_free (c);
  char p[600];
  snprintf (p, sizeof p, "%s/p1", env.nests_root);
  ok (access (p, F_OK) < 0, "preload: nothing left behind after the error");
}

static void
test_depth_limit (void)
{
  char r[512];
  close (rootfs_fd ("dind", r));
  struct nr_nest_record self = { .depth = 4, .max_depth = 4, .id = "p", .store = (char *) env.store, .nests = (char *) env.nests_root };
  env.self = &self;
  _cleanup_free_ char *raw = NULL;
  struct oci_config *c = make_cfg (r, "", PRIV, "", &raw);
  struct nr_nest_ctx x;
  nr_error_t e = NULL;
  ok (rewrite ("deep", c, r, &x, &e) < 0 && strstr (e->msg, "nesting depth 5 exceeds the maximum 4"),
      "depth: the maximum is enforced, the error names the depth and the limit");
  nr_error_free (&e), nr_nest_ctx_clear (&x), oci_config_free (c);
  /* a nest lowers its children's limit with the annotation, never raises it */
  self.depth = 1;
  _cleanup_free_ char *r2 = NULL, *r3 = NULL;
  c = make_cfg (r, "", PRIV, "\"run.nestrun.max-depth\":\"2\"", &r2);
  ok (rewrite ("low", c, r, &x, &e) == 1 && x.max_depth == 2, "depth: a nest lowers the limit of its children");
  nr_nest_undo (&x), nr_nest_ctx_clear (&x), oci_config_free (c);
  nr_error_free (&e);
  c = make_cfg (r, "", PRIV, "\"run.nestrun.max-depth\":\"9\"", &r3);
  ok (rewrite ("high", c, r, &x, &e) == 1 && x.max_depth == 4, "depth: a nest cannot raise the limit");
  nr_nest_undo (&x), nr_nest_ctx_clear (&x), oci_config_free (c);
  nr_error_free (&e);
  env.self = NULL;
}

static void
test_table_and_remove (void)
{
  static const char *const want[] = { "detect", "data-root", "share-store", "inject-runtime", "engine-config",
                                      "lineage", "cgroups", "privileges" };
  bool same = nr_nest_n_steps == NR_ARRAY_SIZE (want);
  for (size_t i = 0; same && i < nr_nest_n_steps; i++)
    same = strcmp (nr_nest_steps[i].name, want[i]) == 0;
  ok (same, "the step table is in the documented order");
  char d[512];
  nr_error_t e = NULL;
  snprintf (d, sizeof d, "%s/not-a-nest", tmp);
  nr_mkdir_p (d, 0755, &e);
  ok (nr_nest_remove_dir (d, &e) < 0 && access (d, F_OK) == 0, "remove: a dir without the marker is refused");
  nr_error_free (&e);
  /* lock roots: a locked mount below another locked one goes with it; "/ab" is not below "/a" */
  _cleanup_free_ char *raw = NULL;
  struct oci_config *c = make_cfg (d, "", PRIV, "", &raw);
  static const char *const rw[] = { "bind", NULL };
  oci_mount_add (c, "/a/b", "bind", "/x", nr_nest_ro_bind, &e);
  oci_mount_add (c, "/a", "bind", "/x", nr_nest_ro_bind, &e);
  oci_mount_add (c, "/ab", "bind", "/x", nr_nest_ro_bind, &e);
  oci_mount_add (c, "/a/c", "bind", "/x", rw, &e);
  size_t idx[8], n = c ? nr_mount_lock_roots (c, idx, 8) : 0;
  ok (n == 2 && strcmp (c->mounts[idx[0]].destination, "/a") == 0 && strcmp (c->mounts[idx[1]].destination, "/ab") == 0,
      "lock: the roots of the locked mounts, in config order");
  nr_error_free (&e);
  oci_config_free (c);
}

int
main (void)
{
  char store[300], nests[320];
  snprintf (tmp, sizeof tmp, "/tmp/test-nested.XXXXXX");
  if (mkdtemp (tmp) == NULL)
    bail_out ("mkdtemp");
  snprintf (store, sizeof store, "%s/store", tmp);
  snprintf (nests, sizeof nests, "%s/nests", store);
  env = (struct nr_nest_env) { .store = store, .nests_root = nests, .self_exe = "/bin/true", .max_depth = 4 };
  test_preload ();
  test_detect_engine ();
  test_daemon_json ();
  test_podman_confs ();
  test_plain_untouched ();
  test_nest ();
  test_podman_nest ();
  test_recognition ();
  test_depth_limit ();
  test_table_and_remove ();
  nr_error_t e = NULL;
  nr_rm_rf (tmp, &e);
  nr_error_free (&e);
  done_testing ();
  return tap_failures ? 1 : 0;
}
