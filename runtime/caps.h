/* SPDX-License-Identifier: Apache-2.0 */
/* process.capabilities: the only libcap user.  runc's order, in the container init:

     nr_caps_prepare         names → masks (parent or init; no syscalls but reads)
     nr_caps_before_setuid   drop the bounding set, PR_SET_KEEPCAPS
     setresgid / setresuid   (the caller)
     nr_caps_after_setuid    clear keepcaps, capset E/P/I, ambient raise

   Unknown names, and capabilities above the kernel's cap_last_cap, are ignored with
   runc's warning.  Capabilities the runtime itself lacks (not in its bounding set, e.g.
   CAP_SYS_RESOURCE on a host or in a parent container that dropped it) are not granted,
   with one warning naming them: runc fails there ("unable to apply caps"). */
#ifndef NR_CAPS_H
#define NR_CAPS_H

#include <stdbool.h>
#include <stdint.h>
#include "common/error.h"
#include "oci/config.h"

enum nr_cap_set
{
  NR_CAP_BOUNDING = 0,
  NR_CAP_EFFECTIVE,
  NR_CAP_INHERITABLE,
  NR_CAP_PERMITTED,
  NR_CAP_AMBIENT,
  NR_CAP_SETS,
};

struct nr_caps
{
  uint64_t set[NR_CAP_SETS]; /* bit n = capability n */
};

#define NR_CAP_BIT(n) (UINT64_C (1) << (n))

/* The kernel's last capability (/proc/sys/kernel/cap_last_cap), cached. */
int nr_cap_last (void);
/* "CAP_CHOWN" for 0; NULL above cap_last_cap or when libcap has no name for it. */
const char *nr_cap_name (int cap);
/* Exact, case-sensitive OCI name → number; -1 if unknown or above cap_last_cap. */
int nr_cap_from_name (const char *name);
/* All capability names this kernel and libcap know, NULL-terminated (features). */
const char *const *nr_caps_known (void);
/* Space-separated names of the bits in mask ("CAP_A CAP_B"); malloc'd, NULL on ENOMEM. */
char *nr_caps_mask_names (uint64_t mask);

/* The calling thread's bounding set (PR_CAPBSET_READ) and permitted set (capget). */
uint64_t nr_caps_host_bounding (void);
uint64_t nr_caps_host_permitted (void);

/* c may be NULL (no process.capabilities: every set empty, as runc).  Grants at most
   the runtime's bounding set. */
int nr_caps_prepare (const struct oci_capabilities *c, struct nr_caps *out, nr_error_t *err);
/* The same with the runtime's available capabilities given (tests). */
int nr_caps_prepare_with (const struct oci_capabilities *c, uint64_t available, struct nr_caps *out,
                          nr_error_t *err);

int nr_caps_before_setuid (const struct nr_caps *c, nr_error_t *err);
/* Also intersects E/P/I with what the thread still holds (a warning names any cap
   lost), so a caps struct prepared in the parent works in a user namespace too. */
int nr_caps_after_setuid (const struct nr_caps *c, nr_error_t *err);

#endif
