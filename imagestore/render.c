/* SPDX-License-Identifier: Apache-2.0 */
/* --format json for the image commands (the CLI prints, it builds no JSON). */
#include "config.h"
#include "imagestore/internal.h"
#include "common/json.h"

static void
gen_layer (yajl_gen g, const struct nr_layer_info *l)
{
  yajl_gen_map_open (g);
  nr_jgen_kstr (g, "chain_id", l->chain_id);
  nr_jgen_kstr (g, "diff_id", l->diff_id);
  if (l->parent[0])
    nr_jgen_kstr (g, "parent", l->parent);
  nr_jgen_kint (g, "size", (long long) l->size);
  nr_jgen_kint (g, "entries", (long long) l->entries);
  nr_jgen_kint (g, "users", l->users);
  yajl_gen_map_close (g);
}

static void
gen_image (yajl_gen g, struct nr_imagestore *s, const struct nr_image_info *i, bool layers)
{
  yajl_gen_map_open (g);
  nr_jgen_kstr (g, "ref", i->ref);
  nr_jgen_kstr (g, "manifest", i->manifest);
  nr_jgen_kstr (g, "id", i->config);
  nr_jgen_kstr (g, "created", i->created);
  nr_jgen_kstr (g, "os", i->os);
  nr_jgen_kstr (g, "architecture", i->arch);
  nr_jgen_kint (g, "size", (long long) i->size);
  nr_jgen_kint (g, "unique_size", (long long) i->unique_size);
  nr_jgen_kint (g, "shared_size", (long long) (i->size - i->unique_size));
  nr_jgen_kint (g, "layer_count", (long long) i->n_layers);
  if (layers)
    {
      nr_jgen_key (g, "layers");
      yajl_gen_array_open (g);
      for (size_t k = 0; k < i->n_layers; k++)
        gen_layer (g, &i->layers[k]);
      yajl_gen_array_close (g);
      nr_jgen_key (g, "layer_dirs");
      yajl_gen_array_open (g);
      for (size_t k = 0; k < i->n_layers; k++)
        {
          _cleanup_free_ char *d = nr_imagestore_layer_dir (s, i->layers[k].chain_id);
          nr_jgen_str (g, d ? d : "");
        }
      yajl_gen_array_close (g);
    }
  yajl_gen_map_close (g);
}

char *
nr_image_list_json (struct nr_imagestore *s, const struct nr_image_list *l)
{
  yajl_gen g = nr_jgen_new (true);
  if (g == NULL)
    return NULL;
  yajl_gen_array_open (g);
  for (size_t i = 0; i < l->n; i++)
    gen_image (g, s, &l->images[i], false);
  yajl_gen_array_close (g);
  return nr_jgen_finish (g, NULL);
}

char *
nr_image_info_json (struct nr_imagestore *s, const struct nr_image_info *i)
{
  yajl_gen g = nr_jgen_new (true);
  if (g == NULL)
    return NULL;
  gen_image (g, s, i, true);
  return nr_jgen_finish (g, NULL);
}

char *
nr_store_usage_json (const struct nr_store_usage *u)
{
  yajl_gen g = nr_jgen_new (true);
  if (g == NULL)
    return NULL;
  yajl_gen_map_open (g);
  nr_jgen_kint (g, "refs", (long long) u->n_refs);
  nr_jgen_kint (g, "layers", (long long) u->n_layers);
  nr_jgen_kint (g, "blobs", (long long) u->n_blobs);
  nr_jgen_kint (g, "leases", (long long) u->n_leases);
  nr_jgen_kint (g, "layer_bytes", (long long) u->layer_bytes);
  nr_jgen_kint (g, "shared_bytes", (long long) u->shared_bytes);
  nr_jgen_kint (g, "unreferenced_bytes", (long long) u->unreferenced_bytes);
  nr_jgen_kint (g, "blob_bytes", (long long) u->blob_bytes);
  nr_jgen_kint (g, "logical_bytes", (long long) u->logical_bytes);
  yajl_gen_map_close (g);
  return nr_jgen_finish (g, NULL);
}

char *
nr_import_result_json (const struct nr_import_result *r)
{
  yajl_gen g = nr_jgen_new (true);
  if (g == NULL)
    return NULL;
  yajl_gen_map_open (g);
  nr_jgen_key (g, "images");
  yajl_gen_array_open (g);
  for (size_t i = 0; i < r->n_images; i++)
    {
      yajl_gen_map_open (g);
      nr_jgen_kstr (g, "ref", r->images[i].ref);
      nr_jgen_kstr (g, "manifest", r->images[i].manifest);
      nr_jgen_kstr (g, "id", r->images[i].config);
      nr_jgen_kint (g, "layers", (long long) r->images[i].layers);
      yajl_gen_map_close (g);
    }
  yajl_gen_array_close (g);
  nr_jgen_kint (g, "layers_new", r->layers_new);
  nr_jgen_kint (g, "layers_present", r->layers_present);
  nr_jgen_kint (g, "layer_bytes", (long long) r->layer_bytes);
  yajl_gen_map_close (g);
  return nr_jgen_finish (g, NULL);
}

char *
nr_gc_result_json (const struct nr_gc_result *r)
{
  yajl_gen g = nr_jgen_new (true);
  if (g == NULL)
    return NULL;
  yajl_gen_map_open (g);
  nr_jgen_kint (g, "layers_removed", r->layers_removed);
  nr_jgen_kint (g, "blobs_removed", r->blobs_removed);
  nr_jgen_kint (g, "bytes_freed", (long long) r->bytes_freed);
  yajl_gen_map_close (g);
  return nr_jgen_finish (g, NULL);
}
