/* SPDX-License-Identifier: Apache-2.0 */
/* SHA-256 (FIPS 180-4), streaming.  Our own small implementation: libarchive does
   not expose one and libcrypto would be a dependency for a single function. */
#ifndef NR_SHA256_H
#define NR_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define NR_SHA256_LEN 32
#define NR_SHA256_HEX_LEN 64
/* "sha256:" + 64 hex digits + NUL */
#define NR_DIGEST_STR_LEN (7 + NR_SHA256_HEX_LEN + 1)

struct nr_sha256
{
  uint32_t h[8];
  uint64_t len;      /* bytes hashed so far */
  uint8_t buf[64];
  size_t fill;
};

void nr_sha256_init (struct nr_sha256 *s);
void nr_sha256_update (struct nr_sha256 *s, const void *data, size_t len);
void nr_sha256_final (struct nr_sha256 *s, uint8_t out[NR_SHA256_LEN]);
/* Finish into "sha256:<hex>". */
void nr_sha256_final_digest (struct nr_sha256 *s, char out[NR_DIGEST_STR_LEN]);
/* One shot, "sha256:<hex>". */
void nr_sha256_digest (const void *data, size_t len, char out[NR_DIGEST_STR_LEN]);
/* "sha256:<hex>" of the concatenation a + sep + b (chain ids and their kin). */
void nr_sha256_join (const char *a, const char *sep, const char *b, char out[NR_DIGEST_STR_LEN]);
void nr_hex (const uint8_t *in, size_t len, char *out /* 2*len+1 */);

#endif
