/* SPDX-License-Identifier: Apache-2.0 */
/* The lineage record, /run/nestrun-nest/nest.json inside a nest:
   {"depth":1,"maxDepth":4,"id":"…","parent":"","store":"/run/nestrun-nest/store",
    "nests":"/run/nestrun-nest/nests","engine":"docker","images":["busybox:latest"]} */
#include "config.h"
#include "nested/nest.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void
nr_nest_record_clear (struct nr_nest_record *r)
{
  free (r->id);
  free (r->parent);
  free (r->store);
  free (r->nests);
  free (r->engine);
  nr_strvfreep (&r->images);
  memset (r, 0, sizeof *r);
}

char *
nr_nest_record_json (const struct nr_nest_record *r)
{
  static char *const none[] = { NULL };
  yajl_gen g = nr_jgen_new (false);
  yajl_gen_map_open (g);
  nr_jgen_kint (g, "depth", r->depth);
  nr_jgen_kint (g, "maxDepth", r->max_depth);
  nr_jgen_kstr (g, "id", r->id);
  nr_jgen_kstr (g, "parent", r->parent ? r->parent : "");
  nr_jgen_kstr (g, "store", r->store);
  nr_jgen_kstr (g, "nests", r->nests);
  nr_jgen_kstr (g, "engine", r->engine);
  nr_jgen_key (g, "images");
  nr_jgen_strv (g, r->images ? r->images : none);
  yajl_gen_map_close (g);
  return nr_jgen_finish (g, NULL);
}

int
nr_nest_record_read (const char *path, struct nr_nest_record *r, nr_error_t *err)
{
  _cleanup_json_ yajl_val v = NULL;
  struct nr_jctx c = { .what = path };
  memset (r, 0, sizeof *r);
  if (nr_json_parse_file (path, path, &v, err) < 0)
    return -1;
  if (nr_json_u32 (&c, v, "depth", &r->depth, err) < 0 || nr_json_u32 (&c, v, "maxDepth", &r->max_depth, err) < 0
      || nr_json_str (&c, v, "id", &r->id, err) < 0 || nr_json_str (&c, v, "parent", &r->parent, err) < 0
      || nr_json_str (&c, v, "store", &r->store, err) < 0 || nr_json_str (&c, v, "nests", &r->nests, err) < 0
      || nr_json_str (&c, v, "engine", &r->engine, err) < 0 || nr_json_strv (&c, v, "images", &r->images, err) < 0)
    {
      nr_nest_record_clear (r);
      return -1;
    }
  if (r->depth == 0 || r->id == NULL || r->store == NULL || r->nests == NULL)
    {
      nr_nest_record_clear (r);
      return nr_error (err, EINVAL, "%s: incomplete nest record", path);
    }
  if (r->max_depth == 0)
    r->max_depth = NR_NEST_MAX_DEPTH;
  return 0;
}
