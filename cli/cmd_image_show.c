/* SPDX-License-Identifier: Apache-2.0 */
/* nestrun image import / ls / inspect / du: parse, call the store, print. */
#include "config.h"
#include "cli/cmd_image.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


static int
parse (const char *sub, struct image_opts *o, int argc, char **argv, nr_error_t *err)
{
  static const struct option longopts[] = { IMAGE_COMMON_LONG_OPTIONS, { NULL, 0, NULL, 0 } };
  int c;
  optind = 0;
  while ((c = getopt_long (argc, argv, "qs:f:", longopts, NULL)) != -1)
    {
      int r = image_common_option (c, optarg, o, err);
      if (r < 0)
        return -1;
      if (r == 0)
        return nr_error (err, EINVAL, "image %s: unknown option", sub);
    }
  return optind;
}

static void
short_id (const char *digest, char out[13])
{
  snprintf (out, 13, "%s", digest + 7);
}

int
cmd_image_ls (struct image_opts *o, int argc, char **argv, nr_error_t *err)
{
  _cleanup_store_ struct nr_imagestore *s = NULL;
  struct nr_image_list l;
  char id[13], h1[32], h2[32];
  if (parse ("ls", o, argc, argv, err) < 0)
    return -1;
  /* A store not made yet (a fresh machine, or a first import killed before the new
     store was renamed into place) holds no image: an empty list, as `runc list` of a
     missing --root. */
  const char *path = o->store ? o->store : NR_STORE_DEFAULT;
  if (access (path, F_OK) < 0 && errno == ENOENT)
    {
      if (o->json)
        printf ("[]\n");
      else if (!o->quiet)
        printf ("%-40s %-12s %6s %10s %10s\n", "REF", "IMAGE ID", "LAYERS", "SIZE", "UNIQUE");
      return 0;
    }
  if (image_open (o, NR_STORE_READ, &s, err) < 0 || nr_imagestore_list (s, &l, err) < 0)
    return -1;
  if (o->json)
    image_print_json (nr_image_list_json (s, &l), err);
  else
    {
      if (!o->quiet)
        printf ("%-40s %-12s %6s %10s %10s\n", "REF", "IMAGE ID", "LAYERS", "SIZE", "UNIQUE");
      for (size_t i = 0; i < l.n; i++)
        {
          const struct nr_image_info *m = &l.images[i];
          short_id (m->config, id);
          if (o->quiet)
            printf ("%s\n", m->ref);
          else
            printf ("%-40s %-12s %6zu %10s %10s\n", m->ref, id, m->n_layers, image_human (m->size, h1),
                    image_human (m->unique_size, h2));
        }
    }
  nr_image_list_free (&l);
  return *err ? -1 : 0;
}

int
cmd_image_inspect (struct image_opts *o, int argc, char **argv, nr_error_t *err)
{
  _cleanup_store_ struct nr_imagestore *s = NULL;
  int i = parse ("inspect", o, argc, argv, err);
  if (i < 0 || image_open (o, NR_STORE_READ, &s, err) < 0)
    return -1;
  if (i >= argc)
    return nr_error (err, EINVAL, "image inspect: expected IMAGE...");
  for (; i < argc; i++)
    {
      struct nr_image_info m;
      if (nr_imagestore_inspect (s, argv[i], &m, err) < 0)
        return -1;
      /* one JSON object per image: text and json are the same here */
      image_print_json (nr_image_info_json (s, &m), err);
      nr_image_info_free (&m);
      if (*err)
        return -1;
    }
  return 0;
}

int
cmd_image_du (struct image_opts *o, int argc, char **argv, nr_error_t *err)
{
  _cleanup_store_ struct nr_imagestore *s = NULL;
  struct nr_store_usage u;
  char a[32], b[32], c[32], d[32];
  if (parse ("du", o, argc, argv, err) < 0 || image_open (o, NR_STORE_READ, &s, err) < 0
      || nr_imagestore_du (s, &u, err) < 0)
    return -1;
  if (o->json)
    {
      image_print_json (nr_store_usage_json (&u), err);
      return *err ? -1 : 0;
    }
  printf ("store:        %s\n", nr_imagestore_path (s));
  printf ("images:       %zu refs, %zu layers, %zu blobs, %zu leases\n", u.n_refs, u.n_layers, u.n_blobs,
          u.n_leases);
  printf ("layers:       %s stored once (%s shared, %s unreferenced)\n", image_human (u.layer_bytes, a),
          image_human (u.shared_bytes, b), image_human (u.unreferenced_bytes, c));
  printf ("without sharing: %s\n", image_human (u.logical_bytes, d));
  return 0;
}

/* ---- import ---- */

static void
progress (void *data, const struct nr_import_progress *p)
{
  char h[32];
  (void) data;
  if (p->layers)
    fprintf (stderr, "\r\033[K%s: layer %u/%u %s", p->image, p->layer, p->layers, image_human (p->bytes, h));
  else
    fprintf (stderr, "\r\033[K%s: layer %u %s", p->image, p->layer, image_human (p->bytes, h));
}

enum
{
  OPT_ROOTFS = 1000,
  OPT_NAME,
  OPT_DOCKER,
  OPT_MAX_ENTRIES,
  OPT_MAX_PATH,
  OPT_MAX_BYTES,
};

static int
parse_u64 (const char *opt, const char *arg, uint64_t *out, nr_error_t *err)
{
  char *end = NULL;
  errno = 0;
  *out = strtoull (arg, &end, 10);
  if (errno || end == arg || *end || arg[0] == '-')
    return nr_error (err, EINVAL, "%s: expected a number, got \"%s\"", opt, arg);
  return 0;
}

int
cmd_image_import (struct image_opts *o, int argc, char **argv, nr_error_t *err)
{
  static const struct option longopts[] = {
    IMAGE_COMMON_LONG_OPTIONS,
    { "rootfs", no_argument, NULL, OPT_ROOTFS },
    { "name", required_argument, NULL, OPT_NAME },
    { "from-docker", no_argument, NULL, OPT_DOCKER },
    { "max-entries", required_argument, NULL, OPT_MAX_ENTRIES },
    { "max-path", required_argument, NULL, OPT_MAX_PATH },
    { "max-layer-bytes", required_argument, NULL, OPT_MAX_BYTES },
    { NULL, 0, NULL, 0 },
  };
  _cleanup_store_ struct nr_imagestore *s = NULL;
  struct nr_import_opts io = { 0 };
  struct nr_store_limits lim = { 0 };
  struct nr_import_result res;
  bool docker = false;
  int c, r;

  optind = 0;
  while ((c = getopt_long (argc, argv, "qs:f:", longopts, NULL)) != -1)
    {
      if ((r = image_common_option (c, optarg, o, err)) < 0)
        return -1;
      if (r)
        continue;
      if ((c == OPT_MAX_ENTRIES && parse_u64 ("--max-entries", optarg, &lim.max_entries, err) < 0)
          || (c == OPT_MAX_PATH && parse_u64 ("--max-path", optarg, &lim.max_path, err) < 0)
          || (c == OPT_MAX_BYTES && parse_u64 ("--max-layer-bytes", optarg, &lim.max_layer_bytes, err) < 0))
        return -1;
      if (c == OPT_ROOTFS)
        io.kind = NR_IMPORT_ROOTFS;
      else if (c == OPT_NAME)
        io.ref = optarg;
      else if (c == OPT_DOCKER)
        docker = true;
      else if (c == '?')
        return nr_error (err, EINVAL, "image import: unknown option");
    }
  if (optind >= argc || (!docker && argc - optind > 2))
    return nr_error (err, EINVAL, "image import: expected FILE|DIR|- [REF] or --from-docker NAME...");
  if (!docker && argc - optind == 2)
    io.ref = argv[optind + 1]; /* `nestrun image import rootfs.tar name:tag`, like docker import */
  if (!o->json && !o->quiet && isatty (STDERR_FILENO))
    io.progress = progress;
  if (image_open (o, NR_STORE_WRITE, &s, err) < 0)
    return -1;
  nr_imagestore_set_limits (s, &lim);
  if (docker)
    r = nr_imagestore_import_docker (s, argv + optind, &io, &res, err);
  else
    r = nr_imagestore_import (s, argv[optind], &io, &res, err);
  if (io.progress)
    fputs ("\r\033[K", stderr);
  if (r < 0)
    return -1;
  if (o->json)
    image_print_json (nr_import_result_json (&res), err);
  else if (!o->quiet)
    {
      char h[32];
      for (size_t i = 0; i < res.n_images; i++)
        printf ("imported %s (%.19s)\n", res.images[i].ref ? res.images[i].ref : "<untagged>",
                res.images[i].config);
      printf ("%u new layers (%s), %u already present\n", res.layers_new, image_human (res.layer_bytes, h),
              res.layers_present);
    }
  nr_import_result_free (&res);
  return *err ? -1 : 0;
}
