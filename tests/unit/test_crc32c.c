/* SPDX-License-Identifier: MIT */
/* avs_crc32c (hardware or table) against a plain bitwise CRC32C. */
#include <stdint.h>
#include <criterion/criterion.h>
#include "shadow/crc32c.h"

static uint32_t crc32c_bitwise(uint32_t crc, const unsigned char *p,
			       size_t len)
{
	int k;

	crc = ~crc;
	while (len--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = crc & 1 ? (crc >> 1) ^ 0x82f63b78u : crc >> 1;
	}
	return ~crc;
}

Test(crc32c, matches_bitwise_reference_at_every_length_and_alignment)
{
	unsigned char buf[300];
	uint32_t seed = 12345;
	size_t i, off, len;

	for (i = 0; i < sizeof(buf); i++) {
		seed = seed * 1103515245u + 12345u;
		buf[i] = (unsigned char)(seed >> 16);
	}
	cr_assert_eq(avs_crc32c(0, "123456789", 9), 0xe3069283u);
	for (off = 0; off < 8; off++)
		for (len = 0; len + off <= 260; len++)
			cr_assert_eq(avs_crc32c(7, buf + off, len),
				     crc32c_bitwise(7, buf + off, len),
				     "offset %zu length %zu", off, len);
}
