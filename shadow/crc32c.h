/* SPDX-License-Identifier: MIT */
/*
 * CRC32C (Castagnoli, reflected polynomial 0x82f63b78), software,
 * table-driven.  Pure and async-signal-safe: no state, no libc.
 */
#ifndef AVS_CRC32C_H
#define AVS_CRC32C_H

#include <stdint.h>
#include <stddef.h>

/*
 * zlib-style running CRC: start with crc = 0, feed the result back to
 * continue, so avs_crc32c(avs_crc32c(0, a, n), b, m) is the CRC of a || b.
 * avs_crc32c(0, "123456789", 9) == 0xe3069283.
 */
uint32_t avs_crc32c(uint32_t crc, const void *buf, size_t len);

#endif
