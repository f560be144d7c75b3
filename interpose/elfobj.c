/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "interpose/elfobj.h"

#include <elf.h>
#include <link.h>
#include <stdio.h>
#include <string.h>

#define PAGE 4096UL

static const char *const role_soname[AVS_IP_NROLES] = {
	[AVS_IP_LIBC] = "libc.so.6",
	[AVS_IP_LDSO] = "ld-linux-x86-64.so.2",
};

struct find_ctx {
	struct avs_ip_obj *objs;
	char *why;
	size_t whylen;
};

static void say(struct find_ctx *c, const char *name, const char *what)
{
	size_t used = strlen(c->why);
	if (used + 1 < c->whylen)
		snprintf(c->why + used, c->whylen - used, "%s%s: %s",
			 used ? "; " : "", name, what);
}

/* Dynamic-section pointers: ld.so relocates them in place on x86-64, but
 * do not rely on it. */
static uintptr_t dptr(uintptr_t base, uintptr_t v)
{
	return v < base ? v + base : v;
}

static const char *basename_of(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

static int find_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct find_ctx *c = arg;
	(void)size;
	uintptr_t base = info->dlpi_addr;
	const ElfW(Dyn) *dyn = NULL;
	const ElfW(Ehdr) *eh = NULL;
	const uint8_t *eh_hdr = NULL;
	size_t eh_hdr_len = 0;

	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type == PT_DYNAMIC)
			dyn = (const ElfW(Dyn) *)(base + ph->p_vaddr);
		else if (ph->p_type == PT_LOAD && ph->p_offset == 0)
			eh = (const ElfW(Ehdr) *)(base + ph->p_vaddr);
		else if (ph->p_type == PT_GNU_EH_FRAME) {
			eh_hdr = (const uint8_t *)(base + ph->p_vaddr);
			eh_hdr_len = ph->p_memsz;
		}
	}
	if (!dyn)
		return 0;

	const char *strtab = NULL, *soname = NULL;
	uintptr_t soname_off = (uintptr_t)-1, symtab = 0, gnu_hash = 0;
	size_t strsz = 0, syment = 0;
	for (const ElfW(Dyn) *d = dyn; d->d_tag != DT_NULL; d++) {
		switch (d->d_tag) {
		case DT_STRTAB: strtab = (const char *)dptr(base, d->d_un.d_ptr); break;
		case DT_STRSZ: strsz = d->d_un.d_val; break;
		case DT_SONAME: soname_off = d->d_un.d_val; break;
		case DT_SYMTAB: symtab = dptr(base, d->d_un.d_ptr); break;
		case DT_SYMENT: syment = d->d_un.d_val; break;
		case DT_GNU_HASH: gnu_hash = dptr(base, d->d_un.d_ptr); break;
		default: break;
		}
	}
	if (strtab && soname_off < strsz)
		soname = strtab + soname_off;
	const char *name = soname ? soname : basename_of(info->dlpi_name);

	int role = -1;
	for (int r = 0; r < AVS_IP_NROLES; r++)
		if (strcmp(name, role_soname[r]) == 0)
			role = r;
	if (role < 0)
		return 0;
	struct avs_ip_obj *o = &c->objs[role];
	if (o->found) {
		say(c, name, "loaded twice, second copy left alone");
		return 0;
	}
	if (!eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_machine != EM_X86_64 || eh->e_type != ET_DYN) {
		say(c, name, "not an x86-64 shared object in memory");
		return 0;
	}
	if (!strtab || !symtab || !gnu_hash || syment != sizeof(ElfW(Sym))) {
		say(c, name, "no GNU hash dynamic symbol table");
		return 0;
	}

	memset(o, 0, sizeof(*o));
	o->name = role_soname[role];
	o->base = base;
	o->lo = UINTPTR_MAX;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD)
			continue;
		uintptr_t s = (base + ph->p_vaddr) & ~(PAGE - 1);
		uintptr_t e = (base + ph->p_vaddr + ph->p_memsz + PAGE - 1) &
			      ~(PAGE - 1);
		if (s < o->lo)
			o->lo = s;
		if (e > o->hi)
			o->hi = e;
		if (!(ph->p_flags & PF_X))
			continue;
		if (ph->p_flags & PF_W) {
			say(c, name, "writable executable segment, left alone");
			return 0;
		}
		if (o->ntext == AVS_IP_MAX_TEXT) {
			say(c, name, "too many executable segments, left alone");
			return 0;
		}
		o->text[o->ntext].start = base + ph->p_vaddr;
		o->text[o->ntext].end = base + ph->p_vaddr + ph->p_filesz;
		o->ntext++;
	}
	if (o->ntext == 0) {
		say(c, name, "no executable segment");
		return 0;
	}
	o->symtab = (const void *)symtab;
	o->strtab = strtab;
	o->strsz = strsz;
	o->gnu_hash = (const uint32_t *)gnu_hash;
	o->eh_hdr = eh_hdr;
	o->eh_hdr_len = eh_hdr_len;
	o->found = true;
	return 0;
}

void avs_ip_find_objs(struct avs_ip_obj objs[AVS_IP_NROLES], char *why,
		      size_t whylen)
{
	struct find_ctx c = { objs, why, whylen };
	memset(objs, 0, sizeof(*objs) * AVS_IP_NROLES);
	if (whylen)
		why[0] = 0;
	dl_iterate_phdr(find_cb, &c);
	for (int r = 0; r < AVS_IP_NROLES; r++)
		if (!objs[r].found && !strstr(why, role_soname[r]))
			say(&c, role_soname[r], "not loaded");
}

bool avs_ip_in_text(const struct avs_ip_obj *o, uintptr_t a, size_t n)
{
	for (int i = 0; i < o->ntext; i++)
		if (a >= o->text[i].start && a + n <= o->text[i].end &&
		    a + n >= a)
			return true;
	return false;
}

/* ---- dynamic symbols, through DT_GNU_HASH ---- */

static uint32_t gnu_hash_of(const char *s)
{
	uint32_t h = 5381;
	for (; *s; s++)
		h = h * 33 + (uint8_t)*s;
	return h;
}

bool avs_ip_sym(const struct avs_ip_obj *o, const char *name, uintptr_t *addr,
		size_t *size)
{
	const uint32_t *gh = o->gnu_hash;
	uint32_t nbuckets = gh[0], symoffset = gh[1], bloom_size = gh[2];
	const uint32_t *buckets = gh + 4 + bloom_size * 2; /* 64-bit bloom */
	const uint32_t *chain = buckets + nbuckets;
	const ElfW(Sym) *syms = o->symtab;
	uint32_t h = gnu_hash_of(name);
	bool found = false;

	if (nbuckets == 0)
		return false;
	uint32_t i = buckets[h % nbuckets];
	if (i < symoffset)
		return false;
	for (;; i++) {
		uint32_t ch = chain[i - symoffset];
		const ElfW(Sym) *s = &syms[i];
		if ((ch | 1) == (h | 1) && s->st_name < o->strsz &&
		    strcmp(o->strtab + s->st_name, name) == 0 &&
		    s->st_shndx != SHN_UNDEF &&
		    ELF64_ST_TYPE(s->st_info) == STT_FUNC) {
			uintptr_t a = o->base + s->st_value;
			if (found && (a != *addr || s->st_size != *size))
				return false; /* versions disagree */
			*addr = a;
			*size = s->st_size;
			found = true;
		}
		if (ch & 1)
			break;
	}
	return found;
}

/* ---- .eh_frame_hdr and FDEs ---- */

enum {
	PE_ABSPTR = 0x00, PE_ULEB = 0x01, PE_UDATA2 = 0x02, PE_UDATA4 = 0x03,
	PE_UDATA8 = 0x04, PE_SLEB = 0x09, PE_SDATA2 = 0x0a, PE_SDATA4 = 0x0b,
	PE_SDATA8 = 0x0c, PE_PCREL = 0x10, PE_DATAREL = 0x30, PE_OMIT = 0xff,
};

static bool uleb(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	uint64_t r = 0;
	for (unsigned sh = 0; *p < end && sh < 64; sh += 7) {
		uint8_t b = *(*p)++;
		r |= (uint64_t)(b & 0x7f) << sh;
		if (!(b & 0x80)) {
			*v = r;
			return true;
		}
	}
	return false;
}

static bool sleb(const uint8_t **p, const uint8_t *end, int64_t *v)
{
	uint64_t r = 0;
	unsigned sh = 0;
	uint8_t b;
	do {
		if (*p >= end || sh >= 64)
			return false;
		b = *(*p)++;
		r |= (uint64_t)(b & 0x7f) << sh;
		sh += 7;
	} while (b & 0x80);
	if (sh < 64 && (b & 0x40))
		r |= ~0ULL << sh;
	*v = (int64_t)r;
	return true;
}

/* Read a pointer in encoding enc at *p; datarel is relative to dbase.  With
 * value_only the application bits are ignored (FDE pc_range). */
static bool read_enc(const uint8_t **p, const uint8_t *end, uint8_t enc,
		     uintptr_t dbase, bool value_only, uintptr_t *out)
{
	const uint8_t *at = *p;
	uint64_t v = 0;
	int64_t sv;
	size_t n = 0;

	if (enc == PE_OMIT || (enc & 0x80))
		return false; /* indirect: not expected in unwind tables */
	switch (enc & 0x0f) {
	case PE_ABSPTR: case PE_UDATA8: case PE_SDATA8: n = 8; break;
	case PE_UDATA2: case PE_SDATA2: n = 2; break;
	case PE_UDATA4: case PE_SDATA4: n = 4; break;
	case PE_ULEB:
		if (!uleb(p, end, &v))
			return false;
		break;
	case PE_SLEB:
		if (!sleb(p, end, &sv))
			return false;
		v = (uint64_t)sv;
		break;
	default:
		return false;
	}
	if (n) {
		if ((size_t)(end - *p) < n)
			return false;
		for (size_t i = 0; i < n; i++)
			v |= (uint64_t)(*p)[i] << (8 * i);
		if ((enc & 0x0f) == PE_SDATA2)
			v = (uint64_t)(int64_t)(int16_t)v;
		else if ((enc & 0x0f) == PE_SDATA4)
			v = (uint64_t)(int64_t)(int32_t)v;
		*p += n;
	}
	if (!value_only) {
		switch (enc & 0x70) {
		case 0: break;
		case PE_PCREL: v += (uintptr_t)at; break;
		case PE_DATAREL: v += dbase; break;
		default: return false;
		}
	}
	*out = (uintptr_t)v;
	return true;
}

/* The FDE pointer encoding of the CIE at cie ('R' augmentation). */
static bool cie_fde_enc(const uint8_t *cie, uint8_t *enc)
{
	const uint8_t *p = cie, *end;
	uint32_t len32;
	memcpy(&len32, p, 4);
	p += 4;
	if (len32 == 0xffffffff || len32 == 0)
		return false;
	end = p + len32;
	uint32_t id;
	memcpy(&id, p, 4);
	p += 4;
	if (id != 0)
		return false;
	uint8_t version = *p++;
	const char *aug = (const char *)p;
	size_t auglen = strnlen(aug, (size_t)(end - p));
	p += auglen + 1;
	if (p > end)
		return false;
	if (version == 4)
		p += 2; /* address_size, segment_size */
	uint64_t u;
	int64_t s;
	if (!uleb(&p, end, &u) || !sleb(&p, end, &s))
		return false;
	if (version == 1)
		p++;
	else if (!uleb(&p, end, &u))
		return false;
	*enc = PE_ABSPTR;
	if (aug[0] != 'z')
		return aug[0] == 0;
	if (!uleb(&p, end, &u))
		return false;
	for (const char *a = aug + 1; *a; a++) {
		if (*a == 'R') {
			*enc = *p++;
			return true;
		} else if (*a == 'L') {
			p++;
		} else if (*a == 'P') {
			uint8_t penc = *p++;
			uintptr_t dummy;
			if (!read_enc(&p, end, penc & 0x7f, 0, true, &dummy))
				return false;
		} else if (*a != 'S' && *a != 'B') {
			return false;
		}
	}
	return true;
}

bool avs_ip_fde(const struct avs_ip_obj *o, uintptr_t pc, uintptr_t *start,
		uintptr_t *end)
{
	const uint8_t *h = o->eh_hdr;
	if (!h || o->eh_hdr_len < 12 || h[0] != 1)
		return false;
	const uint8_t *hend = h + o->eh_hdr_len, *p = h + 4;
	uintptr_t dbase = (uintptr_t)h, frame, count;
	if (!read_enc(&p, hend, h[1], dbase, false, &frame) ||
	    !read_enc(&p, hend, h[2], dbase, false, &count))
		return false;
	if (h[3] != (PE_DATAREL | PE_SDATA4) ||
	    (size_t)(hend - p) / 8 < count || count == 0)
		return false;
	const int32_t *tab = (const int32_t *)p;

	/* the last entry whose initial location is <= pc */
	size_t lo = 0, hi = count;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (dbase + (intptr_t)tab[2 * mid] <= pc)
			lo = mid;
		else
			hi = mid;
	}
	uintptr_t init = dbase + (intptr_t)tab[2 * lo];
	if (init > pc)
		return false;
	const uint8_t *fde = (const uint8_t *)(dbase + (intptr_t)tab[2 * lo + 1]);

	uint32_t len32, cieptr;
	memcpy(&len32, fde, 4);
	if (len32 == 0 || len32 == 0xffffffff)
		return false;
	const uint8_t *fend = fde + 4 + len32, *q = fde + 4;
	memcpy(&cieptr, q, 4);
	if (cieptr == 0)
		return false; /* a CIE, not an FDE */
	uint8_t enc;
	if (!cie_fde_enc(q - cieptr, &enc))
		return false;
	q += 4;
	uintptr_t begin, range;
	if (!read_enc(&q, fend, enc, dbase, false, &begin) ||
	    !read_enc(&q, fend, enc, dbase, true, &range))
		return false;
	if (begin != init || pc >= begin + range)
		return false;
	*start = begin;
	*end = begin + range;
	return true;
}
