/* SPDX-License-Identifier: Apache-2.0 */
/* nestrun image import|ls|inspect|rm|tag|gc|du|lease: the shared image store. */
#include "config.h"
#include "cli/cmd_image.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static const char usage[]
    = "usage: nestrun image COMMAND [--store DIR] [--format json] ...\n"
      "  import [--rootfs] [--name REF] [--max-entries N] [--max-path N] [--max-layer-bytes N]\n"
      "         FILE|DIR|-          docker-save archive, OCI layout (dir or tar), rootfs tar\n"
      "  import --from-docker NAME...   stream `docker save` from the host engine\n"
      "  ls | inspect IMAGE... | du | rm REF... | tag IMAGE REF | gc [--dry-run]\n"
      "  lease add ID IMAGE... | lease rm ID\n"
      "  seed-docker DATA_ROOT [IMAGE...]   write a dockerd overlay2 data-root (metadata only);\n"
      "                                     prints the binds to make, in order: SRC DST ro|rw\n";

int
image_common_option (int c, const char *arg, struct image_opts *o, nr_error_t *err)
{
  switch (c)
    {
    case 's':
      o->store = arg;
      return 1;
    case 'q':
      o->quiet = true;
      return 1;
    case 'f':
      if (strcmp (arg, "json") != 0 && strcmp (arg, "text") != 0 && strcmp (arg, "table") != 0)
        return nr_error (err, EINVAL, "--format: expected json or text, got \"%s\"", arg);
      o->json = strcmp (arg, "json") == 0;
      return 1;
    }
  return 0;
}

int
image_open (const struct image_opts *o, int flags, struct nr_imagestore **s, nr_error_t *err)
{
  return nr_imagestore_open (o->store, flags, s, err);
}

void
image_print_json (char *text, nr_error_t *err)
{
  if (text == NULL)
    {
      nr_error (err, ENOMEM, "format json");
      return;
    }
  printf ("%s\n", text);
  free (text);
}

const char *
image_human (uint64_t bytes, char buf[32])
{
  static const char *const units[] = { "B", "kB", "MB", "GB", "TB" };
  double v = (double) bytes;
  size_t u = 0;
  while (v >= 1000 && u + 1 < NR_ARRAY_SIZE (units))
    v /= 1000, u++;
  snprintf (buf, 32, u ? "%.3g%s" : "%.0f%s", v, units[u]);
  return buf;
}

/* Subcommands that take only the common options and positional arguments. */
static int
parse_simple (const char *sub, struct image_opts *o, int argc, char **argv, bool *dry_run, nr_error_t *err)
{
  static const struct option longopts[]
      = { IMAGE_COMMON_LONG_OPTIONS, { "dry-run", no_argument, NULL, 'n' }, { NULL, 0, NULL, 0 } };
  int c;
  optind = 0;
  while ((c = getopt_long (argc, argv, "qs:f:", longopts, NULL)) != -1)
    {
      int r = image_common_option (c, optarg, o, err);
      if (r < 0)
        return -1;
      if (r == 0 && c == 'n' && dry_run)
        *dry_run = true;
      else if (r == 0)
        return nr_error (err, EINVAL, "image %s: unknown option\n%s", sub, usage);
    }
  return optind;
}

static int
do_refs (const char *sub, struct image_opts *o, int argc, char **argv, nr_error_t *err)
{
  _cleanup_store_ struct nr_imagestore *s = NULL;
  int i = parse_simple (sub, o, argc, argv, NULL, err);
  if (i < 0)
    return -1;
  bool tag = strcmp (sub, "tag") == 0;
  if ((tag && argc - i != 2) || argc - i < 1)
    return nr_error (err, EINVAL, "image %s: %s", sub, tag ? "expected IMAGE REF" : "expected REF...");
  if (image_open (o, NR_STORE_WRITE, &s, err) < 0)
    return -1;
  if (tag)
    return nr_imagestore_tag (s, argv[i], argv[i + 1], err) < 0 ? -1 : 0;
  for (; i < argc; i++)
    {
      if (nr_imagestore_rm (s, argv[i], err) < 0)
        return -1;
      if (!o->quiet && !o->json)
        printf ("untagged: %s\n", argv[i]);
    }
  return 0;
}

static int
do_gc (struct image_opts *o, int argc, char **argv, nr_error_t *err)
{
  _cleanup_store_ struct nr_imagestore *s = NULL;
  struct nr_gc_result r;
  bool dry_run = false;
  char h[32];
  if (parse_simple ("gc", o, argc, argv, &dry_run, err) < 0
      || image_open (o, NR_STORE_EXCLUSIVE, &s, err) < 0 || nr_imagestore_gc (s, dry_run, &r, err) < 0)
    return -1;
  if (o->json)
    image_print_json (nr_gc_result_json (&r), err);
  else if (!o->quiet)
    printf ("%s%u layers, %u blobs, %s\n", dry_run ? "would remove " : "removed ", r.layers_removed,
            r.blobs_removed, image_human (r.bytes_freed, h));
  return *err ? -1 : 0;
}

static int
do_lease (struct image_opts *o, int argc, char **argv, nr_error_t *err)
{
  _cleanup_store_ struct nr_imagestore *s = NULL;
  int i = parse_simple ("lease", o, argc, argv, NULL, err);
  if (i < 0)
    return -1;
  if (argc - i < 2 || (strcmp (argv[i], "add") && strcmp (argv[i], "rm")))
    return nr_error (err, EINVAL, "image lease: expected add ID IMAGE... or rm ID");
  if (image_open (o, NR_STORE_WRITE, &s, err) < 0)
    return -1;
  if (strcmp (argv[i], "rm") == 0)
    return nr_imagestore_lease_remove (s, argv[i + 1], err);
  return nr_imagestore_lease_add (s, argv[i + 1], argv + i + 2, err);
}

static int
do_seed (struct image_opts *o, int argc, char **argv, nr_error_t *err)
{
  _cleanup_store_ struct nr_imagestore *s = NULL;
  struct nr_seed_result r;
  int i = parse_simple ("seed-docker", o, argc, argv, NULL, err);
  if (i < 0)
    return -1;
  if (argc - i < 1)
    return nr_error (err, EINVAL, "image seed-docker: expected DATA_ROOT [IMAGE...]");
  if (image_open (o, NR_STORE_READ, &s, err) < 0
      || nr_imagestore_seed_docker (s, argv[i], argc - i > 1 ? argv + i + 1 : NULL, NR_SEED_SYNC, &r, err) < 0)
    return -1;
  for (size_t k = 0; k < r.n_binds; k++)
    printf ("%s %s %s\n", r.binds[k].src, r.binds[k].dst, r.binds[k].ro ? "ro" : "rw");
  nr_seed_result_free (&r);
  return 0;
}

int
cmd_image (struct nr_cli *cli, int argc, char **argv, nr_error_t *err)
{
  struct image_opts o = { .store = cli->store };
  if (argc < 2 || strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0)
    {
      fputs (usage, argc < 2 ? stderr : stdout);
      return argc < 2 ? 1 : 0;
    }
  const char *sub = argv[1];
  argc--, argv++;
  if (strcmp (sub, "import") == 0 || strcmp (sub, "load") == 0)
    return cmd_image_import (&o, argc, argv, err);
  if (strcmp (sub, "ls") == 0 || strcmp (sub, "list") == 0)
    return cmd_image_ls (&o, argc, argv, err);
  if (strcmp (sub, "inspect") == 0)
    return cmd_image_inspect (&o, argc, argv, err);
  if (strcmp (sub, "du") == 0)
    return cmd_image_du (&o, argc, argv, err);
  if (strcmp (sub, "rm") == 0 || strcmp (sub, "tag") == 0)
    return do_refs (sub, &o, argc, argv, err);
  if (strcmp (sub, "gc") == 0)
    return do_gc (&o, argc, argv, err);
  if (strcmp (sub, "lease") == 0)
    return do_lease (&o, argc, argv, err);
  if (strcmp (sub, "seed-docker") == 0)
    return do_seed (&o, argc, argv, err);
  return nr_error (err, EINVAL, "image: unknown command \"%s\"\n%s", sub, usage);
}
