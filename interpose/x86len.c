/* SPDX-License-Identifier: MIT */
#include "interpose/x86len.h"

/* Immediate kinds. */
enum { I0, I8, I16, IZ, I16_8 };

/* Skip ModRM (+SIB, +displacement) at p[*i].  Returns the ModRM byte, or
 * -1 when the bytes run out. */
static int modrm(const uint8_t *p, size_t n, size_t *i)
{
	if (*i >= n)
		return -1;
	uint8_t m = p[(*i)++];
	unsigned mod = m >> 6, rm = m & 7, disp = 0;
	if (mod != 3) {
		if (rm == 4) {
			if (*i >= n)
				return -1;
			uint8_t sib = p[(*i)++];
			if (mod == 0 && (sib & 7) == 5)
				disp = 4;
		}
		if (mod == 0 && rm == 5)
			disp = 4; /* RIP-relative (or disp32 with 0x67) */
		if (mod == 1)
			disp = 1;
		else if (mod == 2)
			disp = 4;
	}
	*i += disp;
	return *i <= n ? m : -1;
}

static int finish(size_t i, size_t n, int imm, bool opsz,
		  struct avs_x86_insn *out)
{
	switch (imm) {
	case I8: i += 1; break;
	case I16: i += 2; break;
	case IZ: i += opsz ? 2 : 4; break;
	case I16_8: i += 3; break;
	default: break;
	}
	if (i > n || i > 15)
		return 0;
	out->len = (uint8_t)i;
	return (int)i;
}

static int rel_branch(const uint8_t *p, size_t n, size_t i, unsigned size,
		      struct avs_x86_insn *out)
{
	if (i + size > n || i + size > 15)
		return 0;
	out->branch = true;
	if (size == 1)
		out->rel = (int8_t)p[i];
	else {
		int32_t v = (int32_t)((uint32_t)p[i] | (uint32_t)p[i + 1] << 8 |
				      (uint32_t)p[i + 2] << 16 |
				      (uint32_t)p[i + 3] << 24);
		out->rel = v;
	}
	out->len = (uint8_t)(i + size);
	return out->len;
}

/* VEX (c4/c5) or EVEX (62) instruction: p[i] is the byte after c4/c5/62.
 * three: c4; evex: 62 (always ModRM; disp8 is one byte even when scaled). */
static int vex(const uint8_t *p, size_t n, size_t i, bool three, bool evex,
	       struct avs_x86_insn *out)
{
	unsigned map = 1;
	if (evex) {
		if (i + 3 > n)
			return 0;
		map = p[i] & 7;
		i += 3;
	} else if (three) {
		if (i + 2 > n)
			return 0;
		map = p[i] & 0x1f;
		i += 2;
	} else {
		if (i + 1 > n)
			return 0;
		i += 1;
	}
	if (i >= n)
		return 0;
	uint8_t op = p[i++];
	int imm = I0;
	if (map == 1) {
		if (op == 0x77 && !evex) /* vzeroupper / vzeroall */
			return finish(i, n, I0, false, out);
		if ((op >= 0x70 && op <= 0x73) || op == 0xc2 ||
		    (op >= 0xc4 && op <= 0xc6))
			imm = I8;
	} else if (map == 3) {
		imm = I8;
	} else if (map != 2 && !(evex && (map == 5 || map == 6))) {
		return 0;
	}
	if (modrm(p, n, &i) < 0)
		return 0;
	return finish(i, n, imm, false, out);
}

static int two_byte(const uint8_t *p, size_t n, size_t i, bool opsz,
		    struct avs_x86_insn *out)
{
	if (i >= n)
		return 0;
	uint8_t b = p[i++];
	int imm = I0;
	bool m = true;

	if (b >= 0x80 && b <= 0x8f) /* jcc rel32 */
		return opsz ? 0 : rel_branch(p, n, i, 4, out);
	if (b == 0x38 || b == 0x3a) {
		if (i >= n)
			return 0;
		i++; /* the third opcode byte */
		if (modrm(p, n, &i) < 0)
			return 0;
		return finish(i, n, b == 0x3a ? I8 : I0, opsz, out);
	}
	switch (b) {
	case 0x04: case 0x0a: case 0x0c: case 0x0f: /* 3DNow! */
	case 0x24: case 0x25: case 0x26: case 0x27:
	case 0x39: case 0x3b: case 0x3c: case 0x3d: case 0x3e: case 0x3f:
	case 0xa6: case 0xa7:
		return 0;
	case 0x05: case 0x06: case 0x07: case 0x08: case 0x09: case 0x0b:
	case 0x0e: case 0x30: case 0x31: case 0x32: case 0x33: case 0x34:
	case 0x35: case 0x37: case 0x77: case 0xa0: case 0xa1: case 0xa2:
	case 0xa8: case 0xa9: case 0xaa:
		m = false;
		break;
	case 0x36:
		return 0;
	case 0x20: case 0x21: case 0x22: case 0x23: /* mov cr/dr: register form */
		if (i >= n)
			return 0;
		return finish(i + 1, n, I0, false, out);
	case 0x70: case 0x71: case 0x72: case 0x73: case 0xa4: case 0xac:
	case 0xba: case 0xc2: case 0xc4: case 0xc5: case 0xc6:
		imm = I8;
		break;
	default:
		if (b >= 0xc8 && b <= 0xcf) /* bswap */
			m = false;
		break;
	}
	if (m && modrm(p, n, &i) < 0)
		return 0;
	return finish(i, n, imm, opsz, out);
}

int avs_x86_decode(const uint8_t *p, size_t n, struct avs_x86_insn *out)
{
	size_t i = 0;
	bool opsz = false, adsz = false, rexw = false, rex = false;

	out->len = 0;
	out->branch = false;
	out->rel = 0;
	for (;; i++) {
		if (i >= n || i >= 14)
			return 0;
		uint8_t b = p[i];
		if (b == 0x66)
			opsz = true;
		else if (b == 0x67)
			adsz = true;
		else if (b == 0xf0 || b == 0xf2 || b == 0xf3 || b == 0x2e ||
			 b == 0x36 || b == 0x3e || b == 0x26 || b == 0x64 ||
			 b == 0x65)
			;
		else
			break;
	}
	if ((p[i] & 0xf0) == 0x40) {
		rex = true;
		rexw = p[i] & 8;
		i++;
		if (i >= n)
			return 0;
	}
	uint8_t b = p[i++];
	int imm = I0;
	bool m = false;

	if (b == 0x0f)
		return two_byte(p, n, i, opsz, out);
	if (b == 0xc4 || b == 0xc5)
		return rex ? 0 : vex(p, n, i, b == 0xc4, false, out);
	if (b == 0x62)
		return rex ? 0 : vex(p, n, i, false, true, out);
	if (b < 0x40) {
		unsigned lo = b & 7;
		if (lo >= 6)
			return 0; /* invalid in 64-bit mode or a misplaced prefix */
		if (lo <= 3)
			m = true;
		else
			imm = lo == 4 ? I8 : IZ;
	} else if (b < 0x50) {
		return 0; /* a second REX */
	} else if (b < 0x60) {
		;
	} else if (b >= 0x70 && b <= 0x7f) {
		return rel_branch(p, n, i, 1, out);
	} else if (b >= 0x90 && b <= 0x9f) {
		if (b == 0x9a)
			return 0;
	} else if (b >= 0xb0 && b <= 0xb7) {
		imm = I8;
	} else if (b >= 0xb8 && b <= 0xbf) {
		if (rexw)
			return finish(i + 8, n, I0, false, out);
		imm = IZ;
	} else if (b >= 0xd8 && b <= 0xdf) {
		m = true;
	} else {
		switch (b) {
		case 0x63: m = true; break;
		case 0x68: imm = IZ; break;
		case 0x69: m = true; imm = IZ; break;
		case 0x6a: imm = I8; break;
		case 0x6b: m = true; imm = I8; break;
		case 0x6c: case 0x6d: case 0x6e: case 0x6f: break;
		case 0x80: case 0x83: case 0xc0: case 0xc1: case 0xc6:
			m = true; imm = I8; break;
		case 0x81: m = true; imm = IZ; break;
		case 0xa0: case 0xa1: case 0xa2: case 0xa3:
			return finish(i + (adsz ? 4 : 8), n, I0, false, out);
		case 0xa4: case 0xa5: case 0xa6: case 0xa7: case 0xaa:
		case 0xab: case 0xac: case 0xad: case 0xae: case 0xaf:
			break;
		case 0xa8: imm = I8; break;
		case 0xa9: imm = IZ; break;
		case 0xc2: case 0xca: imm = I16; break;
		case 0xc3: case 0xc9: case 0xcb: case 0xcc: case 0xcf: break;
		case 0xc7: {
			if (i < n && p[i] == 0xf8) /* xbegin rel32 */
				return opsz ? 0 : rel_branch(p, n, i + 1, 4, out);
			m = true;
			imm = IZ;
			break;
		}
		case 0xc8: imm = I16_8; break;
		case 0xcd: imm = I8; break;
		case 0xd0: case 0xd1: case 0xd2: case 0xd3: m = true; break;
		case 0xd7: break;
		case 0xe0: case 0xe1: case 0xe2: case 0xe3: case 0xeb:
			return rel_branch(p, n, i, 1, out);
		case 0xe4: case 0xe5: case 0xe6: case 0xe7: imm = I8; break;
		case 0xe8: case 0xe9:
			return opsz ? 0 : rel_branch(p, n, i, 4, out);
		case 0xec: case 0xed: case 0xee: case 0xef: break;
		case 0xf1: case 0xf4: case 0xf5: case 0xf8: case 0xf9:
		case 0xfa: case 0xfb: case 0xfc: case 0xfd:
			break;
		case 0xf6: case 0xf7: {
			int r = modrm(p, n, &i);
			if (r < 0)
				return 0;
			if (((r >> 3) & 7) < 2) /* test r/m, imm */
				imm = b == 0xf6 ? I8 : IZ;
			return finish(i, n, imm, opsz, out);
		}
		case 0x8f:
			if (i >= n || (p[i] & 0x38))
				return 0; /* AMD XOP, not decoded */
			m = true;
			break;
		case 0xfe: case 0xff: case 0x84: case 0x85: case 0x86:
		case 0x87: case 0x88: case 0x89: case 0x8a: case 0x8b:
		case 0x8c: case 0x8d: case 0x8e:
			m = true;
			break;
		default:
			return 0; /* 60-62, 82, 9a, ce, d4-d6, ea, ... */
		}
	}
	if (m && modrm(p, n, &i) < 0)
		return 0;
	return finish(i, n, imm, opsz, out);
}
