/* SPDX-License-Identifier: MIT */
/* The text form's parser: the arguments of each event type
 * (docs/EVENTS.md). */
#include <stdio.h>
#include <string.h>
#include "shadow/event_text_parse_internal.h"
#include "shadow/vm_flags.h"

static int p_start(struct ctx *c)
{
	static const char *const names[] = { "ppid=", "start_brk=", "brk=",
					     "comm=" };
	struct avs_event *ev = c->ev;
	struct tok o[ARRAY_SIZE(names)];

	if (avs_text_collect_opts(c, names, ARRAY_SIZE(names), o))
		return -1;
	if (o[0].s &&
	    avs_text_take_u32(c, &o[0], "bad ppid", &ev->u.start.ppid))
		return -1;
	if (o[1].s && avs_text_take_hex(c, &o[1], "bad start_brk",
					&ev->u.start.start_brk))
		return -1;
	if (o[2].s && avs_text_take_hex(c, &o[2], "bad brk", &ev->u.start.brk))
		return -1;
	return o[3].s ? avs_text_take_str(c, &o[3]) : 0;
}

static int p_exec(struct ctx *c)
{
	static const char *const names[] = { "start_brk=", "brk=", "path=" };
	struct avs_event *ev = c->ev;
	struct tok o[ARRAY_SIZE(names)];

	if (avs_text_collect_opts(c, names, ARRAY_SIZE(names), o))
		return -1;
	if (o[0].s && avs_text_take_hex(c, &o[0], "bad start_brk",
					&ev->u.start.start_brk))
		return -1;
	if (o[1].s && avs_text_take_hex(c, &o[1], "bad brk", &ev->u.start.brk))
		return -1;
	return o[2].s ? avs_text_take_str(c, &o[2]) : 0;
}

static int p_vma(struct ctx *c)
{
	static const char *const names[] = { "pgoff=", "file=", "vmflags=",
					     "anon_vma" };
	__typeof__(c->ev->u.vma) *v = &c->ev->u.vma;
	struct tok o[ARRAY_SIZE(names)], *perms;
	uint32_t prot;
	char have[5];
	bool anon;

	if (avs_text_next_range(c, &v->start, &v->end))
		return -1;
	perms = avs_text_next_arg(c, "permissions");
	if (!perms)
		return -1;
	if (perms->n != 4 || avs_text_parse_rwx(perms->s, &prot) ||
	    (perms->s[3] != 'p' && perms->s[3] != 's'))
		return avs_text_fail_tok(c, "bad permissions", perms);
	if (avs_text_collect_opts(c, names, ARRAY_SIZE(names), o))
		return -1;
	if (o[1].s && avs_text_take_file(c, &o[1], &v->dev, &v->ino))
		return -1;
	anon = !v->dev && !v->ino;
	v->pgoff = anon ? v->start >> AVS_PAGE_SHIFT : 0;
	if (o[0].s && avs_text_take_hex(c, &o[0], "bad pgoff", &v->pgoff))
		return -1;
	v->vm_flags = avs_vm_flags_default(perms->s, anon);
	if (o[2].s) {
		if (avs_text_take_hex(c, &o[2], "bad vmflags", &v->vm_flags))
			return -1;
		avs_vm_flags_perms(v->vm_flags, have);
		if (memcmp(have, perms->s, 4) != 0)
			return avs_text_fail_tok(
				c, "vmflags disagree with permissions", &o[2]);
	}
	if (o[3].s)
		v->state |= AVS_SEED_ANON_VMA;
	return 0;
}

static int p_fork(struct ctx *c)
{
	static const char *const names[] = { "vm" };
	struct tok o[ARRAY_SIZE(names)], *t;

	t = avs_text_next_arg(c, "child pid");
	if (!t ||
	    avs_text_take_u32(c, t, "bad child pid", &c->ev->u.fork.child))
		return -1;
	if (avs_text_collect_opts(c, names, ARRAY_SIZE(names), o))
		return -1;
	if (o[0].s)
		c->ev->u.fork.clone_flags |= AVS_FORK_VM;
	return 0;
}

static int p_exit(struct ctx *c)
{
	static const char *const names[] = { "status=" };
	struct tok o[ARRAY_SIZE(names)];
	bool neg;
	uint64_t v;

	if (avs_text_collect_opts(c, names, ARRAY_SIZE(names), o))
		return -1;
	if (!o[0].s)
		return 0;
	neg = o[0].n && o[0].s[0] == '-';
	if (avs_text_parse_dec(o[0].s + neg, o[0].n - neg,
			       neg ? (uint64_t)INT32_MAX + 1 : INT32_MAX, &v))
		return avs_text_fail_tok(c, "bad status", &o[0]);
	c->ev->u.exit.status = (int32_t)(neg ? -(int64_t)v : (int64_t)v);
	return 0;
}

static int p_mmap(struct ctx *c)
{
	static const char *const names[] = { "anon", "file=", "off=",
					     "flags=", "fmode=", "xprot=" };
	__typeof__(c->ev->u.mmap) *m = &c->ev->u.mmap;
	struct tok o[ARRAY_SIZE(names)], *prot;
	uint32_t list = 0;
	uint64_t v;

	if (avs_text_next_range(c, &m->start, &m->end))
		return -1;
	prot = avs_text_next_arg(c, "protection");
	if (!prot)
		return -1;
	if (prot->n != 4 || avs_text_parse_rwx(prot->s, &m->prot))
		return avs_text_fail_tok(c, "bad protection", prot);
	if (prot->s[3] == 'p')
		m->flags = AVS_MAP_PRIVATE;
	else if (prot->s[3] == 's')
		m->flags = AVS_MAP_SHARED;
	else if (prot->s[3] != '-')
		return avs_text_fail_tok(c, "bad protection", prot);
	if (avs_text_collect_opts(c, names, ARRAY_SIZE(names), o))
		return -1;
	/* No file= means anonymous even without the word "anon". */
	if (o[0].s || !o[1].s)
		m->flags |= AVS_MAP_ANONYMOUS;
	if (o[1].s && avs_text_take_file(c, &o[1], &m->dev, &m->ino))
		return -1;
	if (o[2].s && avs_text_take_hex(c, &o[2], "bad offset", &m->off))
		return -1;
	if (o[3].s &&
	    avs_text_take_list(c, &o[3], &avs_mmap_flag_names, &list))
		return -1;
	m->flags |= list;
	if (o[4].s) {
		if (str_is(o[4].s, o[4].n, "r"))
			m->fmode = AVS_FMODE_READ;
		else if (str_is(o[4].s, o[4].n, "w"))
			m->fmode = AVS_FMODE_WRITE;
		else if (str_is(o[4].s, o[4].n, "rw"))
			m->fmode = AVS_FMODE_READ | AVS_FMODE_WRITE;
		else if (!avs_text_parse_hex(o[4].s, o[4].n, &v) &&
			 v <= UINT32_MAX)
			m->fmode = (uint32_t)v;
		else
			return avs_text_fail_tok(c, "bad fmode", &o[4]);
	}
	return o[5].s ? avs_text_take_xprot(c, &o[5], &m->prot) : 0;
}

/* munmap, munlock, swapout, swapin */
static int p_range(struct ctx *c)
{
	if (avs_text_next_range(c, &c->ev->u.range.start,
				&c->ev->u.range.end))
		return -1;
	return avs_text_collect_opts(c, NULL, 0, NULL);
}

static int p_mprotect(struct ctx *c)
{
	static const char *const names[] = { "xprot=" };
	__typeof__(c->ev->u.mprotect) *m = &c->ev->u.mprotect;
	struct tok o[ARRAY_SIZE(names)], *prot;

	if (avs_text_next_range(c, &m->start, &m->end))
		return -1;
	prot = avs_text_next_arg(c, "protection");
	if (!prot)
		return -1;
	if (prot->n != 3 || avs_text_parse_rwx(prot->s, &m->prot))
		return avs_text_fail_tok(c, "bad protection", prot);
	if (avs_text_collect_opts(c, names, ARRAY_SIZE(names), o))
		return -1;
	return o[0].s ? avs_text_take_xprot(c, &o[0], &m->prot) : 0;
}

static int p_mremap(struct ctx *c)
{
	static const char *const names[] = { "flags=" };
	__typeof__(c->ev->u.mremap) *m = &c->ev->u.mremap;
	struct tok o[ARRAY_SIZE(names)];

	if (avs_text_next_range(c, &m->old_start, &m->old_end) ||
	    avs_text_next_range(c, &m->new_start, &m->new_end) ||
	    avs_text_collect_opts(c, names, ARRAY_SIZE(names), o))
		return -1;
	return o[0].s ? avs_text_take_list(c, &o[0], &avs_mremap_flag_names,
					   &m->flags)
		      : 0;
}

static int p_madvise(struct ctx *c)
{
	__typeof__(c->ev->u.madvise) *m = &c->ev->u.madvise;
	struct tok *t;
	int64_t adv;

	if (avs_text_next_range(c, &m->start, &m->end))
		return -1;
	t = avs_text_next_arg(c, "advice");
	if (!t)
		return -1;
	adv = avs_madvise_from_name(t->s, t->n);
	if (adv >= 0)
		m->advice = (uint32_t)adv;
	else if (avs_text_take_u32(c, t, "bad advice", &m->advice))
		return -1;
	return avs_text_collect_opts(c, NULL, 0, NULL);
}

static int p_brk(struct ctx *c)
{
	struct tok *t;

	t = avs_text_next_arg(c, "old break");
	if (!t ||
	    avs_text_take_hex(c, t, "bad address", &c->ev->u.brk.old_brk))
		return -1;
	t = avs_text_next_arg(c, "new break");
	if (!t ||
	    avs_text_take_hex(c, t, "bad address", &c->ev->u.brk.new_brk))
		return -1;
	return avs_text_collect_opts(c, NULL, 0, NULL);
}

static int p_mlock(struct ctx *c)
{
	static const char *const names[] = { "onfault" };
	__typeof__(c->ev->u.mlock) *m = &c->ev->u.mlock;
	struct tok o[ARRAY_SIZE(names)];

	if (avs_text_next_range(c, &m->start, &m->end) ||
	    avs_text_collect_opts(c, names, ARRAY_SIZE(names), o))
		return -1;
	if (o[0].s)
		m->flags |= AVS_MLOCK_ONFAULT;
	return 0;
}

static int p_mlockall(struct ctx *c)
{
	struct tok *t = avs_text_next_arg(c, "flags");

	if (!t || avs_text_take_list(c, t, &avs_mlockall_flag_names,
				     &c->ev->u.mlock.flags))
		return -1;
	return avs_text_collect_opts(c, NULL, 0, NULL);
}

static int p_none(struct ctx *c)
{
	return avs_text_collect_opts(c, NULL, 0, NULL);
}

static int p_fault(struct ctx *c)
{
	__typeof__(c->ev->u.fault) *f = &c->ev->u.fault;
	struct tok *t;

	t = avs_text_next_arg(c, "address");
	if (!t || avs_text_take_hex(c, t, "bad address", &f->addr))
		return -1;
	t = avs_text_next_arg(c, "access");
	if (!t)
		return -1;
	if (str_is(t->s, t->n, "r"))
		f->access = AVS_FAULT_READ;
	else if (str_is(t->s, t->n, "w"))
		f->access = AVS_FAULT_WRITE;
	else if (str_is(t->s, t->n, "f"))
		f->access = AVS_FAULT_FORCE_WRITE;
	else if (avs_text_take_u32(c, t, "bad access", &f->access))
		return -1;
	return avs_text_collect_opts(c, NULL, 0, NULL);
}

/* A pages entry: letter[@PFN] or #WORD. */
static int parse_page(const char *s, size_t n, uint64_t *w)
{
	uint64_t pfn;

	if (s[0] == '#')
		return avs_text_parse_hex_digits(s + 1, n - 1, w);
	if (!avs_text_page_letter_word(s[0], w))
		return -1;
	if (n == 1)
		return 0;
	if (s[1] != '@' || avs_text_parse_hex_digits(s + 2, n - 2, &pfn) ||
	    pfn > AVS_PAGE_PFN_MASK)
		return -1;
	*w |= AVS_PAGE_PFN_KNOWN | pfn;
	return 0;
}

static int p_pages(struct ctx *c)
{
	struct avs_text_parser *p = c->p;
	struct tok *t;
	size_t first, n;

	t = avs_text_next_arg(c, "address");
	if (!t ||
	    avs_text_take_hex(c, t, "bad address", &c->ev->u.pages.start))
		return -1;
	if (c->ev->u.pages.start & (AVS_PAGE_SIZE - 1))
		return avs_text_fail_tok(c, "unaligned address", t);
	/* Entries run up to the first option-like token. */
	first = c->i;
	while (c->i < c->nt && !avs_text_evflag_of(&c->t[c->i]) &&
	       !memchr(c->t[c->i].s, '=', c->t[c->i].n))
		c->i++;
	n = c->i - first;
	if (!n) {
		snprintf(p->err, sizeof(p->err), "missing page entry in '%s'",
			 c->tname);
		return -1;
	}
	if (n > UINT32_MAX ||
	    avs_text_grow((void **)&p->words, &p->words_cap, n,
			  sizeof(*p->words))) {
		snprintf(p->err, sizeof(p->err), "out of memory");
		return -1;
	}
	for (size_t k = 0; k < n; k++) {
		t = &c->t[first + k];
		if (parse_page(t->s, t->n, &p->words[k]))
			return avs_text_fail_tok(c, "bad page entry", t);
	}
	c->ev->words = p->words;
	c->ev->nwords = (uint32_t)n;
	return avs_text_collect_opts(c, NULL, 0, NULL);
}

static int p_checkpoint(struct ctx *c)
{
	struct tok *t = avs_text_next_arg(c, "label");

	if (!t || avs_text_take_str(c, t))
		return -1;
	return avs_text_collect_opts(c, NULL, 0, NULL);
}

static int p_frame(struct ctx *c)
{
	__typeof__(c->ev->u.frame) *f = &c->ev->u.frame;
	struct tok *t;

	t = avs_text_next_arg(c, "node id");
	if (!t || avs_text_take_u32(c, t, "bad node id", &f->id))
		return -1;
	if (!f->id)
		return avs_text_fail_tok(c, "node id 0", t);
	t = avs_text_next_arg(c, "parent node id");
	if (!t || avs_text_take_u32(c, t, "bad parent node id", &f->parent))
		return -1;
	t = avs_text_next_arg(c, "address");
	if (!t || avs_text_take_hex(c, t, "bad address", &f->ip))
		return -1;
	return avs_text_collect_opts(c, NULL, 0, NULL);
}

static int p_load(struct ctx *c)
{
	static const char *const names[] = { "off=", "file=", "path=" };
	__typeof__(c->ev->u.load) *l = &c->ev->u.load;
	struct tok o[ARRAY_SIZE(names)];

	if (avs_text_next_range(c, &l->start, &l->end) ||
	    avs_text_collect_opts(c, names, ARRAY_SIZE(names), o))
		return -1;
	if (o[0].s && avs_text_take_hex(c, &o[0], "bad off", &l->off))
		return -1;
	if (o[1].s && avs_text_take_file(c, &o[1], &l->dev, &l->ino))
		return -1;
	return o[2].s ? avs_text_take_str(c, &o[2]) : 0;
}

int (*const avs_text_parsers[AVS_EV_NR_TYPES])(struct ctx *) = {
	[AVS_EV_START] = p_start,
	[AVS_EV_VMA] = p_vma,
	[AVS_EV_FORK] = p_fork,
	[AVS_EV_EXEC] = p_exec,
	[AVS_EV_EXIT] = p_exit,
	[AVS_EV_MMAP] = p_mmap,
	[AVS_EV_MUNMAP] = p_range,
	[AVS_EV_MPROTECT] = p_mprotect,
	[AVS_EV_MREMAP] = p_mremap,
	[AVS_EV_MADVISE] = p_madvise,
	[AVS_EV_BRK] = p_brk,
	[AVS_EV_MLOCK] = p_mlock,
	[AVS_EV_MUNLOCK] = p_range,
	[AVS_EV_MLOCKALL] = p_mlockall,
	[AVS_EV_MUNLOCKALL] = p_none,
	[AVS_EV_FAULT] = p_fault,
	[AVS_EV_PAGES] = p_pages,
	[AVS_EV_SWAPOUT] = p_range,
	[AVS_EV_SWAPIN] = p_range,
	[AVS_EV_CHECKPOINT] = p_checkpoint,
	[AVS_EV_FRAME] = p_frame,
	[AVS_EV_LOAD] = p_load,
};
