/* SPDX-License-Identifier: Apache-2.0 */
/* nestrun image seed-docker|seed-containers: an engine's view of the store, metadata only. */
#include "config.h"
#include "cli/cmd_image.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

int
cmd_image_seed (const char *sub, struct image_opts *o, int argc, char **argv, nr_error_t *err)
{
  static const struct option longopts[]
      = { IMAGE_COMMON_LONG_OPTIONS, { "layers-at", required_argument, NULL, 'L' }, { NULL, 0, NULL, 0 } };
  _cleanup_store_ struct nr_imagestore *s = NULL;
  struct nr_seed_result r;
  bool docker = strcmp (sub, "seed-docker") == 0;
  const char *layers_at = NULL;
  int c;

  optind = 0;
  while ((c = getopt_long (argc, argv, "qs:f:", longopts, NULL)) != -1)
    {
      int k = image_common_option (c, optarg, o, err);
      if (k < 0)
        return -1;
      if (k == 0 && c == 'L' && !docker)
        layers_at = optarg;
      else if (k == 0)
        return nr_error (err, EINVAL, "image %s: unknown option (nestrun image --help)", sub);
    }
  if (argc - optind < 1)
    return nr_error (err, EINVAL, "image %s: expected %s [IMAGE...]", sub, docker ? "DATA_ROOT" : "VIEW");
  char *const *images = argc - optind > 1 ? argv + optind + 1 : NULL;
  if (image_open (o, NR_STORE_READ, &s, err) < 0)
    return -1;
  if (docker ? nr_imagestore_seed_docker (s, argv[optind], images, NR_SEED_SYNC, &r, err) < 0
             : nr_imagestore_seed_containers (s, argv[optind], layers_at, images, NR_SEED_SYNC, &r, err) < 0)
    return -1;
  for (size_t k = 0; k < r.n_binds; k++)
    printf ("%s %s %s\n", r.binds[k].src, r.binds[k].dst, r.binds[k].ro ? "ro" : "rw");
  if (!docker && !o->quiet)
    printf ("%zu images: additionalimagestores = [\"%s\"]\n", r.n_images, argv[optind]);
  nr_seed_result_free (&r);
  return 0;
}
