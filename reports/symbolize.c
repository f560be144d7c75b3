/* SPDX-License-Identifier: MIT */
#include <elfutils/libdwfl.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <uthash.h>
#include "symbolize.h"

/* One opened file: its own Dwfl session, so that files recorded at
 * overlapping addresses in different processes never collide. */
struct mod {
	const struct avs_module *m;	/* key: stable avs_stacks pointers */
	Dwfl *dwfl;
	Dwfl_Module *dm;
	GElf_Addr bias;
	Elf *elf;
	UT_hash_handle hh;
};

struct key {
	const struct avs_module *m;
	uint64_t offset;
};

struct cached {
	struct key k;
	int ret;
	char *function, *file;
	int line;
	UT_hash_handle hh;
};

struct avs_symbolizer {
	struct mod *mods;
	struct cached *cache;
	unsigned long lookups, hits;
};

static char *debuginfo_path;
static const Dwfl_Callbacks callbacks = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.section_address = dwfl_offline_section_address,
	.debuginfo_path = &debuginfo_path,
};

struct avs_symbolizer *avs_symbolizer_new(void)
{
	return calloc(1, sizeof(struct avs_symbolizer));
}

void avs_symbolizer_free(struct avs_symbolizer *s)
{
	struct mod *m, *mt;
	struct cached *c, *ct;

	if (!s)
		return;
	HASH_ITER(hh, s->mods, m, mt) {
		HASH_DEL(s->mods, m);
		if (m->dwfl)
			dwfl_end(m->dwfl);
		free(m);
	}
	HASH_ITER(hh, s->cache, c, ct) {
		HASH_DEL(s->cache, c);
		free(c->function);
		free(c->file);
		free(c);
	}
	free(s);
}

/* The file as recorded?  A file replaced since (another inode) would name
 * the wrong functions. */
static bool same_file(const struct avs_module *am)
{
	struct stat sb;

	if (stat(am->path, &sb))
		return false;
	return !am->ino || ((uint64_t)sb.st_ino == am->ino);
}

static struct mod *open_mod(struct avs_symbolizer *s,
			    const struct avs_module *am)
{
	struct mod *m;

	HASH_FIND(hh, s->mods, &am, sizeof(am), m);
	if (m)
		return m;
	m = calloc(1, sizeof(*m));
	if (!m)
		abort();
	m->m = am;
	HASH_ADD(hh, s->mods, m, sizeof(m->m), m);
	if (!am->path[0] || !same_file(am))
		return m;
	m->dwfl = dwfl_begin(&callbacks);
	if (!m->dwfl)
		return m;
	dwfl_report_begin(m->dwfl);
	/* at base 0: addresses are the file's own p_vaddr */
	m->dm = dwfl_report_elf(m->dwfl, am->path, am->path, -1, 0, true);
	dwfl_report_end(m->dwfl, NULL, NULL);
	if (m->dm)
		m->elf = dwfl_module_getelf(m->dm, &m->bias);
	return m;
}

/* File offset -> address, through the PT_LOAD segment holding it. */
static bool offset_to_addr(Elf *elf, uint64_t off, GElf_Addr *addr)
{
	size_t n, i;

	if (elf_getphdrnum(elf, &n))
		return false;
	for (i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (off >= ph.p_offset && off < ph.p_offset + ph.p_filesz) {
			*addr = off - ph.p_offset + ph.p_vaddr;
			return true;
		}
	}
	return false;
}

static void lookup(struct mod *m, uint64_t offset, struct cached *c)
{
	GElf_Addr a;
	const char *name, *src;
	Dwfl_Line *line;
	int lineno = 0;

	c->ret = -1;
	if (!m->elf || !offset_to_addr(m->elf, offset, &a))
		return;
	a += m->bias;
	name = dwfl_module_addrname(m->dm, a);
	line = dwfl_module_getsrc(m->dm, a);
	src = line ? dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL) : NULL;
	if (!name && !src)
		return;
	c->ret = 0;
	c->function = name ? strdup(name) : NULL;
	c->file = src ? strdup(src) : NULL;
	c->line = lineno;
}

int avs_symbolize(struct avs_symbolizer *s, const struct avs_module *m,
		  uint64_t offset, struct avs_symbol *out)
{
	struct key k;
	struct cached *c;

	memset(&k, 0, sizeof(k));
	k.m = m;
	k.offset = offset;
	s->lookups++;
	HASH_FIND(hh, s->cache, &k, sizeof(k), c);
	if (c) {
		s->hits++;
	} else {
		c = calloc(1, sizeof(*c));
		if (!c)
			abort();
		c->k = k;
		if (m)
			lookup(open_mod(s, m), offset, c);
		else
			c->ret = -1;
		HASH_ADD(hh, s->cache, k, sizeof(c->k), c);
	}
	out->function = c->function;
	out->file = c->file;
	out->line = c->line;
	return c->ret;
}

void avs_symbolizer_stats(const struct avs_symbolizer *s,
			  unsigned long *lookups, unsigned long *cached)
{
	*lookups = s->lookups;
	*cached = s->hits;
}
