/* SPDX-License-Identifier: Apache-2.0 */
/* Steps "cgroups" and "privileges".  An inner engine makes its own cgroups below the
   container's: a cgroup namespace (so /proc/self/cgroup and the cgroup mounts inside
   start at the container's cgroup, on v1, v2 and hybrid hosts alike) and the cgroup
   mounts read-write.  Only for a config that already has CAP_SYS_ADMIN: recognition
   never grants privileges; an unprivileged nest gets the shares and a warning. */
#include "config.h"
#include "nested/nest.h"
#include "common/log.h"
#include "oci/edit.h"

#include <string.h>

int
nr_nest_step_cgroups (struct nr_nest_ctx *x, struct oci_config *c, nr_error_t *err)
{
  if (!x->privileged)
    return 0;
  if (oci_namespace_add (c, OCI_NS_CGROUP, err) < 0)
    return -1;
  for (size_t i = 0; i < c->n_mounts; i++)
    {
      const char *t = c->mounts[i].type;
      if (t && (strcmp (t, "cgroup") == 0 || strcmp (t, "cgroup2") == 0)
          && oci_mount_drop_option (&c->mounts[i], "ro", err) < 0)
        return -1;
    }
  return 0;
}

int
nr_nest_step_privileges (struct nr_nest_ctx *x, struct oci_config *c, nr_error_t *err)
{
  (void) c, (void) err;
  if (!x->privileged)
    nr_warn ("nest \"%s\": the config lacks CAP_SYS_ADMIN: store, runtime and data-root are prepared, "
             "but the inner engine may fail to run containers (no privileges are added)",
             x->id);
  /* the nestrun inside grants the capabilities that exist at its depth and warns about
     the others (runtime/caps.c): nothing to add here */
  return 0;
}
