/* SPDX-License-Identifier: Apache-2.0 */
/* imagestore: sha256, chain IDs, path and whiteout rules, layer unpacking against
   small tars made here (limits, hostile entries, whiteouts, diffID), and which writes
   of a docker seed are fsynced. */
#include "config.h"
#include "tests/unit/tap.h"
#include "imagestore/internal.h"
#include "common/fs.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

static void
test_sha256 (void)
{
  char d[NR_DIGEST_STR_LEN];
  nr_sha256_digest ("", 0, d);
  is_str (d, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "sha256 of \"\"");
  nr_sha256_digest ("abc", 3, d);
  is_str (d, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "sha256 of abc");
  const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  nr_sha256_digest (m, strlen (m), d);
  is_str (d, "sha256:248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", "sha256 of 448 bits");
  struct nr_sha256 s;
  char a[1001];
  memset (a, 'a', sizeof a);
  nr_sha256_init (&s);
  for (int i = 0; i < 1000; i++)
    nr_sha256_update (&s, a, i % 2 ? 999 : 1001); /* odd chunking, 10^6 bytes in all */
  nr_sha256_final_digest (&s, d);
  is_str (d, "sha256:cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", "sha256 of a million a");
  memset (a, 'x', 64);
  nr_sha256_digest (a, 55, d);
  ok (nr_digest_valid (d), "digest of 55 bytes (padding edge) is well-formed");
}

static void
test_chain (void)
{
  char c1[NR_DIGEST_STR_LEN], c2[NR_DIGEST_STR_LEN], c3[NR_DIGEST_STR_LEN];
  /* a three-layer image built by docker 20.10: its layerdb names */
  nr_chain_id (NULL, "sha256:b292e00564963837f725101c1d0bdc507a29398ee772326028783df816b480c4", c1);
  is_str (c1, "sha256:b292e00564963837f725101c1d0bdc507a29398ee772326028783df816b480c4", "base chain = diffID");
  nr_chain_id (c1, "sha256:477b266f02b7e06351de683711720427c003073ef1b169cb240bbf515a19f55c", c2);
  is_str (c2, "sha256:ad799631034f7cbee114b2a0188d335b4b7843fad12a54f7b6df4481f6af7fa7", "second chain as docker");
  nr_chain_id (c2, "sha256:ab6290c7e243fa10f9a3720951ebfef9f086d88ccefb3da1ead67d86676a10a6", c3);
  is_str (c3, "sha256:ae12a23dcdfea2034a650a6e19e4938f01236edd691ce24c11f7ec2a842b720e", "third chain as docker");
}

static void
check_path (const char *in, const char *want, const char *why)
{
  nr_error_t err = NULL;
  char *out = NULL;
  int r = nr_layer_clean_path (in, 64, &out, &err);
  if (want)
    is_str (r == 0 ? out : err->msg, want, "clean \"%s\"", in);
  else
    {
      ok (r < 0, "refuse \"%s\"", in);
      like (err ? err->msg : NULL, why, "  because: %s", why);
    }
  free (out);
  nr_error_free (&err);
}

static void
test_paths (void)
{
  check_path ("./a//b/./c/", "a/b/c", NULL);
  check_path ("./", "", NULL);
  check_path ("a/..b/c..", "a/..b/c..", NULL);
  check_path ("../etc/passwd", NULL, "..");
  check_path ("a/../../x", NULL, "..");
  check_path ("a/..", NULL, "..");
  check_path ("/etc/passwd", NULL, "absolute");
  check_path ("", NULL, "empty");
  check_path ("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL, "longer");
}

static void
test_whiteouts (void)
{
  const char *t = NULL;
  is_int (nr_layer_whiteout_kind ("etc/.wh.passwd", &t), NR_WH_FILE, ".wh.NAME is a whiteout");
  is_str (t, "passwd", "  of NAME");
  is_int (nr_layer_whiteout_kind ("etc/.wh..wh..opq", NULL), NR_WH_OPAQUE, "opaque marker");
  is_int (nr_layer_whiteout_kind (".wh..wh.plnk", NULL), NR_WH_META, "aufs metadata ignored");
  is_int (nr_layer_whiteout_kind ("a/.wh...", NULL), NR_WH_BAD, "whiteout of .. refused");
  is_int (nr_layer_whiteout_kind ("a/.wh..", NULL), NR_WH_BAD, "whiteout of . refused");
  is_int (nr_layer_whiteout_kind ("a/.wh.", NULL), NR_WH_BAD, "empty whiteout refused");
  is_int (nr_layer_whiteout_kind ("a/x.wh.y", NULL), NR_WH_NONE, "not a whiteout");
  ok (nr_layer_xattr_forbidden ("trusted.overlay.redirect"), "trusted.overlay.* dropped from tars");
  ok (nr_layer_xattr_forbidden ("user.overlay.metacopy"), "user.overlay.* dropped from tars");
  ok (!nr_layer_xattr_forbidden ("security.capability"), "security.capability kept");
}

static void
test_refs (void)
{
  char *r;
  is_str (r = nr_ref_normalize ("busybox"), "busybox:latest", "default tag"), free (r);
  is_str (r = nr_ref_normalize ("docker.io/library/busybox:1.36"), "busybox:1.36", "familiar name"), free (r);
  is_str (r = nr_ref_normalize ("localhost:5000/a/b"), "localhost:5000/a/b:latest", "registry port"), free (r);
  ok ((r = nr_ref_normalize ("../x:1")) == NULL, "refuse \"../x:1\""), free (r);
  ok ((r = nr_ref_normalize ("a//b:1")) == NULL, "refuse \"a//b:1\""), free (r);
  ok ((r = nr_ref_normalize ("a:b:c/d")) == NULL, "refuse \"a:b:c/d\""), free (r);
}

/* ---- unpacking ---- */

struct tarbuf
{
  char *buf;
  size_t size, used;
};

struct ent
{
  const char *path;
  int type; /* AE_IFREG, AE_IFDIR, AE_IFLNK, 'h' hardlink */
  const char *data_or_target;
  unsigned mode;
};

static struct tarbuf
make_tar (const struct ent *e, size_t n, const char *xattr_path)
{
  struct tarbuf t = { .size = 1 << 20 };
  t.buf = calloc (1, t.size);
  struct archive *a = archive_write_new ();
  archive_write_set_format_pax_restricted (a);
  archive_write_open_memory (a, t.buf, t.size, &t.used);
  for (size_t i = 0; i < n; i++)
    {
      struct archive_entry *ae = archive_entry_new ();
      archive_entry_set_pathname (ae, e[i].path);
      archive_entry_set_mode (ae, (e[i].type == 'h' ? AE_IFREG : (unsigned) e[i].type) | e[i].mode);
      archive_entry_set_uid (ae, 1234);
      archive_entry_set_gid (ae, 5678);
      archive_entry_set_mtime (ae, 1000000000, 0);
      if (e[i].type == AE_IFLNK)
        archive_entry_set_symlink (ae, e[i].data_or_target);
      if (e[i].type == 'h')
        archive_entry_set_hardlink (ae, e[i].data_or_target);
      size_t len = e[i].type == AE_IFREG && e[i].data_or_target ? strlen (e[i].data_or_target) : 0;
      archive_entry_set_size (ae, (la_int64_t) len);
      if (xattr_path && strcmp (xattr_path, e[i].path) == 0)
        {
          archive_entry_xattr_add_entry (ae, "trusted.overlay.redirect", "/x", 2);
          archive_entry_xattr_add_entry (ae, "user.test", "v", 1);
        }
      archive_write_header (a, ae);
      if (len)
        archive_write_data (a, e[i].data_or_target, len);
      archive_entry_free (ae);
    }
  archive_write_close (a);
  archive_write_free (a);
  return t;
}

struct memsrc
{
  struct tarbuf *t;
  bool done;
};

static ssize_t
mem_read (void *ctx, const void **buf, nr_error_t *err)
{
  struct memsrc *m = ctx;
  (void) err;
  if (m->done)
    return 0;
  m->done = true;
  *buf = m->t->buf;
  return (ssize_t) m->t->used;
}

static char *workdir;

/* Unpack into workdir/<name>; returns 0 or -1 with *msg (malloc'd). */
static int
unpack (const char *name, const struct ent *e, size_t n, const char *xattr_path, struct nr_store_limits lim,
        const char *expect, char **msg)
{
  struct tarbuf t = make_tar (e, n, xattr_path);
  struct memsrc m = { &t, false };
  struct nr_layer_src src = { mem_read, &m };
  struct nr_layer_job job = { .label = "layer 1/1", .limits = lim, .expect_diff_id = expect };
  nr_error_t err = NULL;
  if (job.limits.max_entries == 0)
    job.limits = (struct nr_store_limits) { 1000, 4096, 1 << 20, 1 << 20 };
  int dfd = open (workdir, O_RDONLY | O_DIRECTORY);
  int r = nr_layer_unpack (dfd, name, &src, &job, &err);
  close (dfd);
  *msg = err ? strdup (err->msg) : NULL;
  nr_error_free (&err);
  free (t.buf);
  return r;
}

static bool
exists_outside (const char *name)
{
  char p[4096];
  snprintf (p, sizeof p, "%s/%s", workdir, name);
  return access (p, F_OK) == 0;
}

#define REFUSED(name, ents, why)                                                             \
  do                                                                                         \
    {                                                                                        \
      char *msg = NULL;                                                                      \
      struct nr_store_limits nolim = { 0 };                                                  \
      ok (unpack (name, ents, NR_ARRAY_SIZE (ents), NULL, nolim, NULL, &msg) < 0, "refuse %s", name); \
      like (msg, why, "  message: %s", why);                                                 \
      free (msg);                                                                            \
    }                                                                                        \
  while (0)

static void
test_unpack_hostile (void)
{
  const struct ent dotdot[] = { { "../escape-dotdot", AE_IFREG, "x", 0644 } };
  const struct ent abs[] = { { "/tmp/escape-abs", AE_IFREG, "x", 0644 } };
  char target[4200];
  snprintf (target, sizeof target, "%s", workdir);
  const struct ent symesc[] = { { "link", AE_IFLNK, target, 0777 }, { "link/escape-sym", AE_IFREG, "x", 0644 } };
  const struct ent hardesc[] = { { "hl", 'h', "../../etc/passwd", 0644 } };
  const struct ent hardabs[] = { { "hl", 'h', "/etc/passwd", 0644 } };
  const struct ent hardmissing[] = { { "hl", 'h', "bin/from-earlier-layer", 0644 } };
  const struct ent hardsym[] = { { "d", AE_IFLNK, "/etc", 0777 }, { "hl", 'h', "d/passwd", 0644 } };
  const struct ent whdotdot[] = { { "a/", AE_IFDIR, NULL, 0755 }, { "a/.wh...", AE_IFREG, "", 0644 } };

  REFUSED ("dotdot", dotdot, "\"..\"");
  ok (!exists_outside ("escape-dotdot"), "  nothing written outside");
  REFUSED ("abs", abs, "absolute");
  ok (access ("/tmp/escape-abs", F_OK) < 0, "  nothing written at the absolute path");
  REFUSED ("symesc", symesc, "symbolic link");
  ok (!exists_outside ("escape-sym"), "  nothing written through the link");
  REFUSED ("hardesc", hardesc, "\"..\"");
  REFUSED ("hardabs", hardabs, "absolute");
  REFUSED ("hardmissing", hardmissing, "not in this layer");
  REFUSED ("hardsym", hardsym, "symbolic link");
  REFUSED ("whdotdot", whdotdot, "invalid whiteout");
}

static void
test_unpack_limits (void)
{
  struct ent many[20];
  char names[20][16];
  for (int i = 0; i < 20; i++)
    {
      snprintf (names[i], sizeof names[i], "f%d", i);
      many[i] = (struct ent) { names[i], AE_IFREG, "x", 0644 };
    }
  char *msg = NULL;
  struct nr_store_limits lim = { .max_entries = 10, .max_path = 4096, .max_layer_bytes = 1 << 20 };
  ok (unpack ("lim-entries", many, 20, NULL, lim, NULL, &msg) < 0, "entry limit");
  like (msg, "more than 10 entries", "  message names the limit"), free (msg);
  lim = (struct nr_store_limits) { .max_entries = 100, .max_path = 8, .max_layer_bytes = 1 << 20 };
  const struct ent longp[] = { { "a-rather-long-name", AE_IFREG, "x", 0644 } };
  ok (unpack ("lim-path", longp, 1, NULL, lim, NULL, &msg) < 0, "path length limit");
  like (msg, "longer than 8 bytes", "  message names the limit"), free (msg);
  static char big[40000];
  memset (big, 'b', sizeof big - 1);
  const struct ent bomb[] = { { "big", AE_IFREG, big, 0644 } };
  lim = (struct nr_store_limits) { .max_entries = 100, .max_path = 4096, .max_layer_bytes = 20000 };
  ok (unpack ("lim-bytes", bomb, 1, NULL, lim, NULL, &msg) < 0, "size limit (tar bomb)");
  like (msg, "larger than 20000 bytes", "  message names the limit"), free (msg);
}

static void
test_unpack_good (void)
{
  const struct ent good[] = {
    { "./etc/", AE_IFDIR, NULL, 0755 },
    { "etc/passwd", AE_IFREG, "root:x:0:0\n", 04711 },
    { "etc/.wh.shadow", AE_IFREG, "", 0644 },
    { "var/", AE_IFDIR, NULL, 0755 },
    { "var/.wh..wh..opq", AE_IFREG, "", 0644 },
    { "etc/link", 'h', "etc/passwd", 0644 },
    { "etc/sym", AE_IFLNK, "/etc/passwd", 0777 },
  };
  struct stat st;
  char *msg = NULL, p[4300], v[16];
  struct nr_store_limits nolim = { 0 };
  is_int (unpack ("good", good, NR_ARRAY_SIZE (good), "etc/passwd", nolim, NULL, &msg), 0, "unpack a good layer"), free (msg);
  snprintf (p, sizeof p, "%s/good/etc/passwd", workdir);
  ok (stat (p, &st) == 0 && st.st_uid == 1234 && st.st_gid == 5678, "owner kept");
  ok ((st.st_mode & 07777) == 04711, "mode and setuid kept (%o)", st.st_mode & 07777);
  ok (st.st_mtime == 1000000000, "mtime kept");
  ok (st.st_nlink == 2, "hard link made");
  ok (getxattr (p, "user.test", v, sizeof v) == 1, "xattr kept");
  ok (getxattr (p, "trusted.overlay.redirect", v, sizeof v) < 0, "overlay xattr from the tar dropped");
  snprintf (p, sizeof p, "%s/good/etc/shadow", workdir);
  ok (lstat (p, &st) == 0 && S_ISCHR (st.st_mode) && st.st_rdev == makedev (0, 0), "whiteout is a 0/0 char device");
  snprintf (p, sizeof p, "%s/good/var", workdir);
  ok (getxattr (p, "trusted.overlay.opaque", v, sizeof v) == 1 && v[0] == 'y', "opaque dir has trusted.overlay.opaque=y");
  snprintf (p, sizeof p, "%s/good/var/.wh..wh..opq", workdir);
  ok (lstat (p, &st) < 0, "opaque marker not extracted");

  ok (unpack ("baddiff", good, NR_ARRAY_SIZE (good), NULL, nolim,
              "sha256:0000000000000000000000000000000000000000000000000000000000000000", &msg) < 0,
      "diffID mismatch refused");
  like (msg, "diffID mismatch", "  message says diffID mismatch"), free (msg);
}

/* A new store appears whole (renamed into place); a dead creator's copy is removed. */
static void
test_store_create (void)
{
  char tmpl[] = "/tmp/nr-test-store-XXXXXX", p[PATH_MAX], stale[PATH_MAX], live[PATH_MAX];
  struct nr_imagestore *s = NULL;
  nr_error_t err = NULL;
  struct timespec old[2] = { { .tv_sec = 1000000000 }, { .tv_sec = 1000000000 } };
  if (mkdtemp (tmpl) == NULL)
    bail_out ("mkdtemp");
  snprintf (p, sizeof p, "%s/a/store/", tmpl);
  /* a creation killed long ago (pid 2^22 + 1: above pid_max's ceiling, never alive) and
     a live one (ours) */
  snprintf (stale, sizeof stale, "%s/a/store.new-4194305", tmpl);
  snprintf (live, sizeof live, "%s/a/store.new-%d", tmpl, (int) getpid ());
  nr_mkdir_p (stale, 0700, &err);
  utimensat (AT_FDCWD, stale, old, 0);
  ok (nr_imagestore_open (p, NR_STORE_WRITE, &s, &err) == 0, "open a new store for writing (a trailing slash)");
  nr_imagestore_close (s);
  snprintf (p, sizeof p, "%s/a/store/VERSION", tmpl);
  ok (access (p, F_OK) == 0, "  it was made whole: VERSION");
  ok (access (stale, F_OK) < 0, "  a dead creator's copy is removed");
  ok (access (live, F_OK) < 0, "  its own copy is gone after the rename");
  nr_mkdir_p (live, 0700, &err);
  utimensat (AT_FDCWD, live, old, 0);
  snprintf (p, sizeof p, "%s/a/store", tmpl);
  ok (nr_imagestore_open (p, NR_STORE_EXCLUSIVE, &s, &err) == 0, "open it again, exclusively");
  nr_imagestore_close (s);
  ok (access (live, F_OK) == 0, "  a copy whose creator is alive is kept");
  nr_error_free (&err);
  nr_rm_rf (tmpl, &err);
  nr_error_free (&err);
}

/* ---- debris: a live writer's temporary is not debris ---- */

/* A new store's VERSION is written before its creator takes the store lock; another
   first open that gets the lock exclusively cleans the root's ".NAME.tmp-PID" files:
   it must leave a live writer's alone (two concurrent first imports failed with
   'rename ".VERSION.tmp-N" to "VERSION": No such file or directory'). */
static void
test_debris_live_writer (void)
{
  char dir[] = "/tmp/nr-test-store-debris-XXXXXX", live[128], dead[128];
  struct nr_imagestore *s = NULL;
  nr_error_t err = NULL;
  if (mkdtemp (dir) == NULL)
    bail_out ("mkdtemp");
  pid_t gone = fork ();
  if (gone == 0)
    _exit (0);
  waitpid (gone, NULL, 0);
  ok (nr_imagestore_open (dir, NR_STORE_WRITE, &s, &err) == 0, "a store");
  nr_imagestore_close (s), s = NULL;
  snprintf (live, sizeof live, "%s/.VERSION.tmp-%d", dir, (int) getpid ());
  snprintf (dead, sizeof dead, "%s/.refs.json.tmp-%d", dir, (int) gone);
  ok (nr_write_file (live, "1\n", 2, 0644, &err) == 0 && nr_write_file (dead, "{", 1, 0644, &err) == 0,
      "a live writer's temporary and a dead one's in its root");
  ok (nr_imagestore_open (dir, NR_STORE_EXCLUSIVE, &s, &err) == 0, "an exclusive open cleans the debris");
  nr_imagestore_close (s);
  ok (access (dead, F_OK) < 0, "  the dead writer's temporary is gone");
  ok (access (live, F_OK) == 0, "  the live writer's is kept");
  nr_error_free (&err);
  nr_rm_rf (dir, &err);
  nr_error_free (&err);
}

/* ---- a store killed while being created reads as empty ---- */

static int
open_read_list (const char *dir, size_t *n, char **msg)
{
  struct nr_imagestore *s = NULL;
  struct nr_image_list l = { 0 };
  nr_error_t err = NULL;
  int r = nr_imagestore_open (dir, NR_STORE_READ, &s, &err) < 0 || nr_imagestore_list (s, &l, &err) < 0 ? -1 : 0;
  *n = l.n;
  *msg = err ? strdup (err->msg) : NULL;
  nr_image_list_free (&l);
  nr_imagestore_close (s);
  nr_error_free (&err);
  return r;
}

static void
test_unfinished_store (void)
{
  char dir[] = "/tmp/nr-test-store-unfinished-XXXXXX", p[128], *msg = NULL;
  size_t n = 99;
  nr_error_t err = NULL;
  if (mkdtemp (dir) == NULL)
    bail_out ("mkdtemp");
  is_int (open_read_list (dir, &n, &msg), 0, "an empty directory reads as an empty store"), free (msg);
  /* what a first import killed before its VERSION's rename leaves */
  const char *made[] = { "blobs", "layers", "leases", "tmp" };
  for (size_t i = 0; i < NR_ARRAY_SIZE (made); i++)
    snprintf (p, sizeof p, "%s/%s", dir, made[i]), mkdir (p, 0700);
  snprintf (p, sizeof p, "%s/lock", dir);
  nr_write_file (p, "", 0, 0600, &err);
  snprintf (p, sizeof p, "%s/.VERSION.tmp-4242", dir);
  nr_write_file (p, "1\n", 2, 0644, &err);
  is_int (open_read_list (dir, &n, &msg), 0, "a store killed before its VERSION reads as empty");
  is_int ((int) n, 0, "  with no image"), free (msg);
  snprintf (p, sizeof p, "%s/something-else", dir);
  nr_write_file (p, "x", 1, 0644, &err);
  ok (open_read_list (dir, &n, &msg) < 0, "a directory with other files and no VERSION is refused");
  like (msg, "not initialized (no VERSION)", "  not initialized"), free (msg);
  nr_error_free (&err);
  nr_rm_rf (dir, &err);
  nr_error_free (&err);
}

/* ---- fsync: durable writes for the store, none for a disposable seed ---- */

/* Run fn in a child where fsync and fdatasync fail with EPERM (a seccomp filter);
   returns fn's result (0 or -1), or -2 when the child could not be set up. */
static int
without_fsync (int (*fn) (void *), void *arg)
{
  pid_t pid = fork ();
  if (pid < 0)
    return -2;
  if (pid == 0)
    {
      struct sock_filter f[] = {
        BPF_STMT (BPF_LD | BPF_W | BPF_ABS, offsetof (struct seccomp_data, nr)),
        BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, SYS_fsync, 2, 0),
        BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, SYS_fdatasync, 1, 0),
        BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
      };
      struct sock_fprog prog = { NR_ARRAY_SIZE (f), f };
      if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || prctl (PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
        _exit (2);
      _exit (fn (arg) == 0 ? 0 : 1);
    }
  int st = 0;
  if (waitpid (pid, &st, 0) != pid || !WIFEXITED (st) || WEXITSTATUS (st) == 2)
    return -2;
  return WEXITSTATUS (st) == 0 ? 0 : -1;
}

struct seed_call
{
  const char *store, *root;
  unsigned flags;
};

static int
do_seed (void *p)
{
  struct seed_call *c = p;
  struct nr_imagestore *s = NULL;
  struct nr_seed_result r;
  nr_error_t err = NULL;
  int ret = nr_imagestore_open (c->store, NR_STORE_READ, &s, &err) < 0
                    || nr_imagestore_seed_docker (s, c->root, NULL, c->flags, &r, &err) < 0
                ? -1
                : 0;
  if (ret == 0)
    nr_seed_result_free (&r);
  nr_imagestore_close (s);
  nr_error_free (&err);
  return ret;
}

static int
do_durable_write (void *p)
{
  nr_error_t err = NULL;
  int dfd = open (p, O_RDONLY | O_DIRECTORY);
  int r = nr_write_file_atomic_at (dfd, "durable", "x", 1, 0644, &err);
  nr_error_free (&err);
  return r;
}

static void
test_seed_fsync (void)
{
  char store[4200], rootfs[4200], root[4200], p[4400];
  const struct ent files[] = { { "bin/", AE_IFDIR, NULL, 0755 }, { "bin/sh", AE_IFREG, "#!", 0755 } };
  struct tarbuf t = make_tar (files, NR_ARRAY_SIZE (files), NULL);
  struct nr_imagestore *s = NULL;
  struct nr_import_opts o = { .kind = NR_IMPORT_ROOTFS, .ref = "seed/test:1" };
  struct nr_import_result res = { 0 };
  nr_error_t err = NULL;

  snprintf (store, sizeof store, "%s/seed-store", workdir);
  snprintf (rootfs, sizeof rootfs, "%s/seed-rootfs.tar", workdir);
  ok (nr_write_file (rootfs, t.buf, t.used, 0644, &err) == 0
          && nr_imagestore_open (store, NR_STORE_WRITE, &s, &err) == 0
          && nr_imagestore_import (s, rootfs, &o, &res, &err) == 0,
      "seed: a one-layer image in a scratch store");
  if (err)
    diag ("%s", err->msg), nr_error_free (&err);
  nr_import_result_free (&res);
  nr_imagestore_close (s);
  free (t.buf);

  is_int (without_fsync (do_durable_write, workdir), -1, "fsync forbidden: a durable write fails (the filter works)");
  snprintf (root, sizeof root, "%s/seed-nest", workdir);
  struct seed_call nest = { store, root, 0 };
  is_int (without_fsync (do_seed, &nest), 0, "fsync forbidden: a nest's seed (flags 0) succeeds");
  snprintf (p, sizeof p, "%s/image/overlay2/repositories.json", root);
  _cleanup_free_ char *repos = NULL;
  size_t len = 0;
  ok (nr_read_file (p, 1 << 20, &repos, &len, &err) == 0 && strstr (repos, "seed/test:1"),
      "  and wrote repositories.json naming the image");
  nr_error_free (&err);
  snprintf (root, sizeof root, "%s/seed-kept", workdir);
  struct seed_call kept = { store, root, NR_SEED_SYNC };
  is_int (without_fsync (do_seed, &kept), -1, "fsync forbidden: NR_SEED_SYNC fails, it syncs");
  is_int (do_seed (&kept), 0, "NR_SEED_SYNC with fsync allowed succeeds");
}

int
main (void)
{
  char tmpl[] = "/tmp/nr-test-imagestore-XXXXXX";
  nr_error_t err = NULL;

  test_sha256 ();
  test_chain ();
  test_paths ();
  test_whiteouts ();
  test_refs ();
  test_store_create ();
  test_debris_live_writer ();
  test_unfinished_store ();
  if (geteuid () != 0)
    {
      skip (1, "layer unpacking needs root (owners, whiteout devices, trusted xattrs)");
      return done_testing ();
    }
  workdir = mkdtemp (tmpl);
  if (workdir == NULL)
    bail_out ("mkdtemp");
  test_unpack_hostile ();
  test_unpack_limits ();
  test_unpack_good ();
  test_seed_fsync ();
  nr_rm_rf (workdir, &err);
  nr_error_free (&err);
  return done_testing ();
}
