/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"
#include "nested/nested.h"
#include "nested/nest.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "oci/config.h"
#include "oci/serialize.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
nr_create_from_bundle (const struct nr_runtime *rt, const struct nr_create_opts *o, pid_t *pid, nr_error_t *err)
{
  _cleanup_free_ char *path = NULL;
  _cleanup_free_ char *raw = NULL;
  _cleanup_free_ char *rewritten = NULL;
  size_t len = 0;
  struct oci_config *cfg = NULL;
  struct nr_nest_ctx nest = { .rootfs_fd = -1 };
  int nested = 0;
  int ret = -1;

  if (o->config_path)
    path = strdup (o->config_path);
  else if (asprintf (&path, "%s/config.json", o->bundle) < 0)
    path = NULL;
  if (path == NULL)
    return nr_error (err, ENOMEM, "config path");
  if (nr_read_file (path, 64u << 20, &raw, &len, err) < 0)
    return nr_error_wrap (err, "create container \"%s\": read config", o->id);
  if (oci_config_parse_data (raw, len, "config.json", &cfg, err) < 0
      || oci_config_validate (cfg, o->bundle, err) < 0)
    {
      nr_error_wrap (err, "create container \"%s\"", o->id);
      goto out;
    }
  nested = nr_nested_rewrite (rt, o, cfg, &nest, err);
  if (nested < 0)
    {
      nr_error_wrap (err, "create container \"%s\"", o->id);
      goto out;
    }
  if (nested)
    {
      /* exec and update read the config kept in the state dir: the rewritten one */
      rewritten = oci_config_serialize (cfg, raw, len, &len, err);
      if (rewritten == NULL || oci_config_validate (cfg, o->bundle, err) < 0)
        {
          nr_error_wrap (err, "create container \"%s\": rewritten config", o->id);
          goto out;
        }
    }
  ret = nr_container_create (rt, o, cfg, rewritten ? rewritten : raw, len, pid, err);
out:
  if (ret < 0 && nested > 0)
    nr_nest_undo (&nest);
  nr_nest_ctx_clear (&nest);
  oci_config_free (cfg);
  return ret;
}
