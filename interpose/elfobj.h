/* SPDX-License-Identifier: MIT */
/*
 * The loaded objects the patcher works on (libc and ld.so), read from
 * memory: executable segments, dynamic symbols, .eh_frame_hdr function
 * ranges.  Nothing here writes or allocates.
 */
#ifndef AVS_IP_ELFOBJ_H
#define AVS_IP_ELFOBJ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum avs_ip_role { AVS_IP_LIBC, AVS_IP_LDSO, AVS_IP_NROLES };

#define AVS_IP_MAX_TEXT 4

struct avs_ip_obj {
	bool found;
	const char *name;   /* its SONAME, e.g. "libc.so.6" */
	uintptr_t base;     /* load bias (dlpi_addr) */
	uintptr_t lo, hi;   /* extent of its PT_LOAD segments, page-rounded */
	struct {
		uintptr_t start, end; /* file-backed bytes of an R+X PT_LOAD */
	} text[AVS_IP_MAX_TEXT];
	int ntext;
	/* dynamic symbols */
	const void *symtab;
	const char *strtab;
	size_t strsz;
	const uint32_t *gnu_hash;
	/* .eh_frame_hdr (PT_GNU_EH_FRAME) */
	const uint8_t *eh_hdr;
	size_t eh_hdr_len;
};

/*
 * Fill objs[AVS_IP_LIBC] and objs[AVS_IP_LDSO] from dl_iterate_phdr.  An
 * object whose ELF header, segments or dynamic section do not look as
 * expected is left !found and named in why (NUL-terminated, may be empty).
 */
void avs_ip_find_objs(struct avs_ip_obj objs[AVS_IP_NROLES], char *why,
		      size_t whylen);

/* Is [a, a+n) inside one executable segment of o? */
bool avs_ip_in_text(const struct avs_ip_obj *o, uintptr_t a, size_t n);

/*
 * Look up a defined function symbol of o by name (any version).  False if
 * absent, or if versions of the name disagree on the address.
 */
bool avs_ip_sym(const struct avs_ip_obj *o, const char *name, uintptr_t *addr,
		size_t *size);

/*
 * The function range [*start, *end) that the unwind table of o gives for
 * pc; false when no FDE covers pc or the table is not in a known encoding.
 */
bool avs_ip_fde(const struct avs_ip_obj *o, uintptr_t pc, uintptr_t *start,
		uintptr_t *end);

#endif
