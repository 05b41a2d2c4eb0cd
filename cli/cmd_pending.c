/* SPDX-License-Identifier: Apache-2.0 */
/* Commands whose library side is not written yet: they say so plainly. */
#include "config.h"
#include "cli/common.h"

#include <errno.h>

#define PENDING(name)                                                                       \
  int cmd_##name (struct nr_cli *cli, int argc, char **argv, nr_error_t *err)               \
  {                                                                                         \
    (void) cli, (void) argc, (void) argv;                                                   \
    return nr_error (err, ENOSYS, "%s: not implemented in this version of nestrun", #name); \
  }

PENDING (setup)
PENDING (tree)
