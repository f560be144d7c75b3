/* SPDX-License-Identifier: MIT */
/*
 * A length decoder for x86-64 machine code, enough to walk the functions
 * of libc and ld.so from their .eh_frame starts and prove that a syscall
 * site begins on an instruction boundary and that no direct branch lands
 * inside the bytes that get overwritten.  It knows the general-purpose,
 * x87, SSE, VEX and EVEX encodings; anything else (3DNow!, opcodes invalid
 * in 64-bit mode, AMX/XOP oddities) is reported as unknown, which makes
 * the caller refuse.
 */
#ifndef AVS_IP_X86LEN_H
#define AVS_IP_X86LEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct avs_x86_insn {
	uint8_t len;     /* 1..15 */
	bool branch;     /* direct relative jmp/jcc/call/loop/xbegin */
	int64_t rel;     /* its displacement, from the end of the insn */
};

/* Decode the instruction at p (n bytes readable).  Returns its length, or
 * 0 when the bytes are not an instruction this decoder knows. */
int avs_x86_decode(const uint8_t *p, size_t n, struct avs_x86_insn *out);

#endif
