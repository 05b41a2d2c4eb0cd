/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"
#include "cli/common.h"

#include <errno.h>

int
cmd_tree (struct nr_cli *cli, int argc, char **argv, nr_error_t *err)
{
  (void) cli, (void) argc, (void) argv;
  return nr_error (err, ENOSYS, "tree: not implemented in this version of nestrun");
}
