/* SPDX-License-Identifier: Apache-2.0 */
/* nr-payload's attack commands (attack.c): argv after the command name. */
#ifndef NR_PAYLOAD_ATTACK_H
#define NR_PAYLOAD_ATTACK_H

#include <stdbool.h>

int nr_attack_mutate (char **a);
int nr_attack_unlock (char **a);
int nr_attack_handle_open (char **a);

#endif
