/* SPDX-License-Identifier: MIT */
/* The text form of events: parser and canonical formatter (docs/EVENTS.md). */
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "shadow/event_text.h"
#include "shadow/vm_flags.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define EVF_ALL (AVS_EVF_INFERRED | AVS_EVF_RUNTIME | AVS_EVF_FAILED)
#define PROT_RWX (AVS_PROT_READ | AVS_PROT_WRITE | AVS_PROT_EXEC)
#define MAX_OPTS 8
#define MAX_TOKEN_IN_MSG 64

/* Trailing bare words that set avs_event.flags, in canonical order. */
static const struct avs_flag_name evflag_names[] = {
	{ "inferred", AVS_EVF_INFERRED },
	{ "runtime", AVS_EVF_RUNTIME },
	{ "failed", AVS_EVF_FAILED },
};

/* Page entry letters of "pages": each stands for exactly this word. */
static const struct {
	char c;
	uint64_t word;
} page_letters[] = {
	{ '-', 0 },
	{ 'z', AVS_PAGE_PRESENT | AVS_PAGE_ZERO },
	{ 's', AVS_PAGE_SWAPPED },
	{ 'f', AVS_PAGE_PRESENT | AVS_PAGE_FILE },
	{ 'F', AVS_PAGE_PRESENT | AVS_PAGE_FILE | AVS_PAGE_EXCLUSIVE },
	{ 'a', AVS_PAGE_PRESENT },
	{ 'A', AVS_PAGE_PRESENT | AVS_PAGE_EXCLUSIVE },
};

/* ---------------------------------------------------------------- */
/* Small pure helpers                                                */
/* ---------------------------------------------------------------- */

static bool is_space(int ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' ||
	       ch == '\v' || ch == '\f';
}

/* Bytes a string must percent-escape to stay one whitespace-free token
 * with no '=' (so it is never taken for a key=value). */
static bool needs_escape(unsigned char ch)
{
	return ch < 0x21 || ch >= 0x7f || ch == '%' || ch == '=';
}

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static bool str_is(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

/* One or more hex digits, no prefix, fitting 64 bits. */
static int parse_hex_digits(const char *s, size_t n, uint64_t *v)
{
	uint64_t x = 0;
	int d;

	if (!n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		d = hexval((unsigned char)s[i]);
		if (d < 0 || x >> 60)
			return -1;
		x = x << 4 | (unsigned)d;
	}
	*v = x;
	return 0;
}

/* "0x" then hex digits. */
static int parse_hex(const char *s, size_t n, uint64_t *v)
{
	if (n < 3 || s[0] != '0' || s[1] != 'x')
		return -1;
	return parse_hex_digits(s + 2, n - 2, v);
}

/* Decimal digits, value <= max. */
static int parse_dec(const char *s, size_t n, uint64_t max, uint64_t *v)
{
	uint64_t x = 0;

	if (!n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned char)s[i] - '0';

		if (d > 9 || x > (max - d) / 10)
			return -1;
		x = x * 10 + d;
	}
	*v = x;
	return 0;
}

/* "rwx"-style: three chars, each the letter or '-'; PROT_* bit i. */
static int parse_rwx(const char *s, uint32_t *prot)
{
	*prot = 0;
	for (int i = 0; i < 3; i++) {
		if (s[i] == "rwx"[i])
			*prot |= 1u << i;
		else if (s[i] != '-')
			return -1;
	}
	return 0;
}

static void rwx_string(uint32_t prot, char out[4])
{
	for (int i = 0; i < 3; i++)
		out[i] = prot & (1u << i) ? "rwx"[i] : '-';
	out[3] = '\0';
}

/* A pages entry: letter[@PFN] or #WORD. */
static int parse_page(const char *s, size_t n, uint64_t *w)
{
	uint64_t pfn;
	size_t i;

	if (s[0] == '#')
		return parse_hex_digits(s + 1, n - 1, w);
	for (i = 0; i < ARRAY_SIZE(page_letters); i++)
		if (page_letters[i].c == s[0])
			break;
	if (i == ARRAY_SIZE(page_letters))
		return -1;
	*w = page_letters[i].word;
	if (n == 1)
		return 0;
	if (s[1] != '@' || parse_hex_digits(s + 2, n - 2, &pfn) ||
	    pfn > AVS_PAGE_PFN_MASK)
		return -1;
	*w |= AVS_PAGE_PFN_KNOWN | pfn;
	return 0;
}

/* ---------------------------------------------------------------- */
/* Parser                                                            */
/* ---------------------------------------------------------------- */

struct tok {
	char *s;		/* NUL-terminated, inside avs_text_parser.line */
	size_t n;
};

struct avs_text_parser {
	char *line;		/* copy of the line, tokens cut in place */
	size_t line_cap;
	struct tok *tok;
	size_t tok_cap;
	uint64_t *words;	/* ev->words of AVS_EV_PAGES */
	size_t words_cap;
	char err[256];
};

/* The state of parsing one line. */
struct ctx {
	struct avs_text_parser *p;
	struct tok *t;
	size_t nt, i;		/* tokens, next one */
	const char *tname;	/* event type name, NULL before it is known */
	struct avs_event *ev;
};

/* Make *buf hold at least need elements of elsize bytes. */
static int grow(void **buf, size_t *cap, size_t need, size_t elsize)
{
	size_t ncap = *cap ? *cap : 16;
	void *nbuf;

	if (need <= *cap)
		return 0;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2 / elsize)
			return -1;
		ncap *= 2;
	}
	nbuf = realloc(*buf, ncap * elsize);
	if (!nbuf)
		return -1;
	*buf = nbuf;
	*cap = ncap;
	return 0;
}

/* "WHAT 'TOKEN' in 'TYPE'"; returns -1. */
static int fail(struct ctx *c, const char *what, const char *s, size_t n)
{
	int len = n > MAX_TOKEN_IN_MSG ? MAX_TOKEN_IN_MSG : (int)n;

	if (c->tname)
		snprintf(c->p->err, sizeof(c->p->err), "%s '%.*s' in '%s'",
			 what, len, s, c->tname);
	else
		snprintf(c->p->err, sizeof(c->p->err), "%s '%.*s'", what, len,
			 s);
	return -1;
}

static int fail_tok(struct ctx *c, const char *what, const struct tok *t)
{
	return fail(c, what, t->s, t->n);
}

/* The next positional argument, or NULL with "missing WHAT". */
static struct tok *next_arg(struct ctx *c, const char *what)
{
	if (c->i >= c->nt) {
		snprintf(c->p->err, sizeof(c->p->err), "missing %s in '%s'",
			 what, c->tname);
		return NULL;
	}
	return &c->t[c->i++];
}

static int evflag_of(const struct tok *t)
{
	for (size_t k = 0; k < ARRAY_SIZE(evflag_names); k++)
		if (str_is(t->s, t->n, evflag_names[k].name))
			return (int)evflag_names[k].bit;
	return 0;
}

/*
 * Consume all remaining tokens as options: the event flag words, and the
 * type's names (ending in '=' for key=value, else bare words).  opt[k] is
 * set to the value (or the bare word) of names[k], s == NULL if absent.
 */
static int collect_opts(struct ctx *c, const char *const *names, size_t n,
			struct tok *opt)
{
	if (n)
		memset(opt, 0, n * sizeof(*opt));
	for (; c->i < c->nt; c->i++) {
		struct tok *t = &c->t[c->i];
		char *eq = memchr(t->s, '=', t->n);
		size_t klen = eq ? (size_t)(eq - t->s) + 1 : t->n;
		int bit = evflag_of(t);
		size_t k;

		if (bit) {
			if (c->ev->flags & bit)
				return fail_tok(c, "duplicate", t);
			c->ev->flags |= bit;
			continue;
		}
		for (k = 0; k < n; k++)
			if (str_is(t->s, klen, names[k]))
				break;
		if (k == n)
			return eq ? fail(c, "unknown key", t->s, klen - 1) :
				    fail_tok(c, "unexpected argument", t);
		if (opt[k].s)
			return fail(c, "duplicate", t->s, eq ? klen - 1 : klen);
		if (eq) {
			opt[k].s = eq + 1;
			opt[k].n = t->n - klen;
		} else {
			opt[k] = *t;
		}
	}
	return 0;
}

/* Percent-decode t in place (keeps it NUL-terminated) and make it ev->str.
 * Checked first so an error message shows the token as written. */
static int take_str(struct ctx *c, struct tok *t)
{
	char *s = t->s, *d = t->s;
	size_t i;

	for (i = 0; i < t->n; i++) {
		if (s[i] == '=' ||
		    (s[i] == '%' && (i + 2 >= t->n ||
				     hexval((unsigned char)s[i + 1]) < 0 ||
				     hexval((unsigned char)s[i + 2]) < 0)))
			return fail_tok(c, "bad string", t);
	}
	for (i = 0; i < t->n; i++) {
		if (s[i] == '%') {
			*d++ = (char)(hexval((unsigned char)s[i + 1]) << 4 |
				      hexval((unsigned char)s[i + 2]));
			i += 2;
		} else {
			*d++ = s[i];
		}
	}
	*d = '\0';
	c->ev->str = t->s;
	c->ev->str_len = (uint32_t)(d - t->s);
	return 0;
}

static int take_hex(struct ctx *c, const struct tok *t, const char *what,
		    uint64_t *v)
{
	return parse_hex(t->s, t->n, v) ? fail_tok(c, what, t) : 0;
}

static int take_u32(struct ctx *c, const struct tok *t, const char *what,
		    uint32_t *v)
{
	uint64_t x;

	if (parse_dec(t->s, t->n, UINT32_MAX, &x))
		return fail_tok(c, what, t);
	*v = (uint32_t)x;
	return 0;
}

/* "0xSTART-0xEND", page aligned, start <= end. */
static int take_range(struct ctx *c, const struct tok *t, uint64_t *start,
		      uint64_t *end)
{
	const char *dash = memchr(t->s, '-', t->n);
	size_t n1;

	if (!dash)
		return fail_tok(c, "bad range", t);
	n1 = (size_t)(dash - t->s);
	if (parse_hex(t->s, n1, start))
		return fail(c, "bad address", t->s, n1);
	if (parse_hex(dash + 1, t->n - n1 - 1, end))
		return fail(c, "bad address", dash + 1, t->n - n1 - 1);
	if (*start > *end)
		return fail_tok(c, "start > end in range", t);
	if ((*start | *end) & (AVS_PAGE_SIZE - 1))
		return fail_tok(c, "unaligned range", t);
	return 0;
}

static int next_range(struct ctx *c, uint64_t *start, uint64_t *end)
{
	struct tok *t = next_arg(c, "range");

	return t ? take_range(c, t, start, end) : -1;
}

/* "DEV:INO", both hex without 0x. */
static int take_file(struct ctx *c, const struct tok *t, uint64_t *dev,
		     uint64_t *ino)
{
	const char *colon = memchr(t->s, ':', t->n);
	size_t n1;

	if (!colon)
		return fail_tok(c, "bad file", t);
	n1 = (size_t)(colon - t->s);
	if (parse_hex_digits(t->s, n1, dev) ||
	    parse_hex_digits(colon + 1, t->n - n1 - 1, ino))
		return fail_tok(c, "bad file", t);
	return 0;
}

/* Comma list of names and "0xH" items, ORed together. */
static int take_list(struct ctx *c, const struct tok *t,
		     const struct avs_flag_names *names, uint32_t *out)
{
	const char *s = t->s, *end = t->s + t->n;

	*out = 0;
	for (;;) {
		const char *comma = memchr(s, ',', (size_t)(end - s));
		size_t n = (size_t)((comma ? comma : end) - s);
		uint64_t v;
		size_t k;

		for (k = 0; k < names->n; k++)
			if (str_is(s, n, names->v[k].name))
				break;
		if (k < names->n)
			*out |= names->v[k].bit;
		else if (!parse_hex(s, n, &v) && v <= UINT32_MAX)
			*out |= (uint32_t)v;
		else
			return fail(c, "unknown flag", s, n);
		if (!comma)
			return 0;
		s = comma + 1;
	}
}

/* "xprot=0xH": PROT_* bits beyond rwx. */
static int take_xprot(struct ctx *c, const struct tok *t, uint32_t *prot)
{
	uint64_t v;

	if (parse_hex(t->s, t->n, &v) || v > UINT32_MAX || (v & PROT_RWX))
		return fail_tok(c, "bad xprot", t);
	*prot |= (uint32_t)v;
	return 0;
}

static int p_start(struct ctx *c)
{
	static const char *const names[] = { "ppid=", "start_brk=", "brk=",
					     "comm=" };
	struct avs_event *ev = c->ev;
	struct tok o[ARRAY_SIZE(names)];

	if (collect_opts(c, names, ARRAY_SIZE(names), o))
		return -1;
	if (o[0].s && take_u32(c, &o[0], "bad ppid", &ev->u.start.ppid))
		return -1;
	if (o[1].s && take_hex(c, &o[1], "bad start_brk", &ev->u.start.start_brk))
		return -1;
	if (o[2].s && take_hex(c, &o[2], "bad brk", &ev->u.start.brk))
		return -1;
	return o[3].s ? take_str(c, &o[3]) : 0;
}

static int p_exec(struct ctx *c)
{
	static const char *const names[] = { "start_brk=", "brk=", "path=" };
	struct avs_event *ev = c->ev;
	struct tok o[ARRAY_SIZE(names)];

	if (collect_opts(c, names, ARRAY_SIZE(names), o))
		return -1;
	if (o[0].s && take_hex(c, &o[0], "bad start_brk", &ev->u.start.start_brk))
		return -1;
	if (o[1].s && take_hex(c, &o[1], "bad brk", &ev->u.start.brk))
		return -1;
	return o[2].s ? take_str(c, &o[2]) : 0;
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

	if (next_range(c, &v->start, &v->end))
		return -1;
	perms = next_arg(c, "permissions");
	if (!perms)
		return -1;
	if (perms->n != 4 || parse_rwx(perms->s, &prot) ||
	    (perms->s[3] != 'p' && perms->s[3] != 's'))
		return fail_tok(c, "bad permissions", perms);
	if (collect_opts(c, names, ARRAY_SIZE(names), o))
		return -1;
	if (o[1].s && take_file(c, &o[1], &v->dev, &v->ino))
		return -1;
	anon = !v->dev && !v->ino;
	v->pgoff = anon ? v->start >> AVS_PAGE_SHIFT : 0;
	if (o[0].s && take_hex(c, &o[0], "bad pgoff", &v->pgoff))
		return -1;
	v->vm_flags = avs_vm_flags_default(perms->s, anon);
	if (o[2].s) {
		if (take_hex(c, &o[2], "bad vmflags", &v->vm_flags))
			return -1;
		avs_vm_flags_perms(v->vm_flags, have);
		if (memcmp(have, perms->s, 4) != 0)
			return fail_tok(c, "vmflags disagree with permissions",
					&o[2]);
	}
	if (o[3].s)
		v->state |= AVS_SEED_ANON_VMA;
	return 0;
}

static int p_fork(struct ctx *c)
{
	static const char *const names[] = { "vm" };
	struct tok o[ARRAY_SIZE(names)], *t;

	t = next_arg(c, "child pid");
	if (!t || take_u32(c, t, "bad child pid", &c->ev->u.fork.child))
		return -1;
	if (collect_opts(c, names, ARRAY_SIZE(names), o))
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

	if (collect_opts(c, names, ARRAY_SIZE(names), o))
		return -1;
	if (!o[0].s)
		return 0;
	neg = o[0].n && o[0].s[0] == '-';
	if (parse_dec(o[0].s + neg, o[0].n - neg,
		      neg ? (uint64_t)INT32_MAX + 1 : INT32_MAX, &v))
		return fail_tok(c, "bad status", &o[0]);
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

	if (next_range(c, &m->start, &m->end))
		return -1;
	prot = next_arg(c, "protection");
	if (!prot)
		return -1;
	if (prot->n != 4 || parse_rwx(prot->s, &m->prot))
		return fail_tok(c, "bad protection", prot);
	if (prot->s[3] == 'p')
		m->flags = AVS_MAP_PRIVATE;
	else if (prot->s[3] == 's')
		m->flags = AVS_MAP_SHARED;
	else if (prot->s[3] != '-')
		return fail_tok(c, "bad protection", prot);
	if (collect_opts(c, names, ARRAY_SIZE(names), o))
		return -1;
	/* No file= means anonymous even without the word "anon". */
	if (o[0].s || !o[1].s)
		m->flags |= AVS_MAP_ANONYMOUS;
	if (o[1].s && take_file(c, &o[1], &m->dev, &m->ino))
		return -1;
	if (o[2].s && take_hex(c, &o[2], "bad offset", &m->off))
		return -1;
	if (o[3].s && take_list(c, &o[3], &avs_mmap_flag_names, &list))
		return -1;
	m->flags |= list;
	if (o[4].s) {
		if (str_is(o[4].s, o[4].n, "r"))
			m->fmode = AVS_FMODE_READ;
		else if (str_is(o[4].s, o[4].n, "w"))
			m->fmode = AVS_FMODE_WRITE;
		else if (str_is(o[4].s, o[4].n, "rw"))
			m->fmode = AVS_FMODE_READ | AVS_FMODE_WRITE;
		else if (!parse_hex(o[4].s, o[4].n, &v) && v <= UINT32_MAX)
			m->fmode = (uint32_t)v;
		else
			return fail_tok(c, "bad fmode", &o[4]);
	}
	return o[5].s ? take_xprot(c, &o[5], &m->prot) : 0;
}

/* munmap, munlock, swapout, swapin */
static int p_range(struct ctx *c)
{
	if (next_range(c, &c->ev->u.range.start, &c->ev->u.range.end))
		return -1;
	return collect_opts(c, NULL, 0, NULL);
}

static int p_mprotect(struct ctx *c)
{
	static const char *const names[] = { "xprot=" };
	__typeof__(c->ev->u.mprotect) *m = &c->ev->u.mprotect;
	struct tok o[ARRAY_SIZE(names)], *prot;

	if (next_range(c, &m->start, &m->end))
		return -1;
	prot = next_arg(c, "protection");
	if (!prot)
		return -1;
	if (prot->n != 3 || parse_rwx(prot->s, &m->prot))
		return fail_tok(c, "bad protection", prot);
	if (collect_opts(c, names, ARRAY_SIZE(names), o))
		return -1;
	return o[0].s ? take_xprot(c, &o[0], &m->prot) : 0;
}

static int p_mremap(struct ctx *c)
{
	static const char *const names[] = { "flags=" };
	__typeof__(c->ev->u.mremap) *m = &c->ev->u.mremap;
	struct tok o[ARRAY_SIZE(names)];

	if (next_range(c, &m->old_start, &m->old_end) ||
	    next_range(c, &m->new_start, &m->new_end) ||
	    collect_opts(c, names, ARRAY_SIZE(names), o))
		return -1;
	return o[0].s ? take_list(c, &o[0], &avs_mremap_flag_names, &m->flags)
		      : 0;
}

static int p_madvise(struct ctx *c)
{
	__typeof__(c->ev->u.madvise) *m = &c->ev->u.madvise;
	struct tok *t;
	int64_t adv;

	if (next_range(c, &m->start, &m->end))
		return -1;
	t = next_arg(c, "advice");
	if (!t)
		return -1;
	adv = avs_madvise_from_name(t->s, t->n);
	if (adv >= 0)
		m->advice = (uint32_t)adv;
	else if (take_u32(c, t, "bad advice", &m->advice))
		return -1;
	return collect_opts(c, NULL, 0, NULL);
}

static int p_brk(struct ctx *c)
{
	struct tok *t;

	t = next_arg(c, "old break");
	if (!t || take_hex(c, t, "bad address", &c->ev->u.brk.old_brk))
		return -1;
	t = next_arg(c, "new break");
	if (!t || take_hex(c, t, "bad address", &c->ev->u.brk.new_brk))
		return -1;
	return collect_opts(c, NULL, 0, NULL);
}

static int p_mlock(struct ctx *c)
{
	static const char *const names[] = { "onfault" };
	__typeof__(c->ev->u.mlock) *m = &c->ev->u.mlock;
	struct tok o[ARRAY_SIZE(names)];

	if (next_range(c, &m->start, &m->end) ||
	    collect_opts(c, names, ARRAY_SIZE(names), o))
		return -1;
	if (o[0].s)
		m->flags |= AVS_MLOCK_ONFAULT;
	return 0;
}

static int p_mlockall(struct ctx *c)
{
	struct tok *t = next_arg(c, "flags");

	if (!t || take_list(c, t, &avs_mlockall_flag_names,
			    &c->ev->u.mlock.flags))
		return -1;
	return collect_opts(c, NULL, 0, NULL);
}

static int p_none(struct ctx *c)
{
	return collect_opts(c, NULL, 0, NULL);
}

static int p_fault(struct ctx *c)
{
	__typeof__(c->ev->u.fault) *f = &c->ev->u.fault;
	struct tok *t;

	t = next_arg(c, "address");
	if (!t || take_hex(c, t, "bad address", &f->addr))
		return -1;
	t = next_arg(c, "access");
	if (!t)
		return -1;
	if (str_is(t->s, t->n, "r"))
		f->access = AVS_FAULT_READ;
	else if (str_is(t->s, t->n, "w"))
		f->access = AVS_FAULT_WRITE;
	else if (str_is(t->s, t->n, "f"))
		f->access = AVS_FAULT_FORCE_WRITE;
	else if (take_u32(c, t, "bad access", &f->access))
		return -1;
	return collect_opts(c, NULL, 0, NULL);
}

static int p_pages(struct ctx *c)
{
	struct avs_text_parser *p = c->p;
	struct tok *t;
	size_t first, n;

	t = next_arg(c, "address");
	if (!t || take_hex(c, t, "bad address", &c->ev->u.pages.start))
		return -1;
	if (c->ev->u.pages.start & (AVS_PAGE_SIZE - 1))
		return fail_tok(c, "unaligned address", t);
	/* Entries run up to the first option-like token. */
	first = c->i;
	while (c->i < c->nt && !evflag_of(&c->t[c->i]) &&
	       !memchr(c->t[c->i].s, '=', c->t[c->i].n))
		c->i++;
	n = c->i - first;
	if (!n) {
		snprintf(p->err, sizeof(p->err), "missing page entry in '%s'",
			 c->tname);
		return -1;
	}
	if (n > UINT32_MAX ||
	    grow((void **)&p->words, &p->words_cap, n, sizeof(*p->words))) {
		snprintf(p->err, sizeof(p->err), "out of memory");
		return -1;
	}
	for (size_t k = 0; k < n; k++) {
		t = &c->t[first + k];
		if (parse_page(t->s, t->n, &p->words[k]))
			return fail_tok(c, "bad page entry", t);
	}
	c->ev->words = p->words;
	c->ev->nwords = (uint32_t)n;
	return collect_opts(c, NULL, 0, NULL);
}

static int p_checkpoint(struct ctx *c)
{
	struct tok *t = next_arg(c, "label");

	if (!t || take_str(c, t))
		return -1;
	return collect_opts(c, NULL, 0, NULL);
}

static int (*const parsers[AVS_EV_NR_TYPES])(struct ctx *) = {
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
};

struct avs_text_parser *avs_text_parser_new(void)
{
	return calloc(1, sizeof(struct avs_text_parser));
}

void avs_text_parser_free(struct avs_text_parser *p)
{
	if (!p)
		return;
	free(p->line);
	free(p->tok);
	free(p->words);
	free(p);
}

const char *avs_text_parser_error(const struct avs_text_parser *p)
{
	return p->err;
}

/* Copy the line and cut it into NUL-terminated tokens: p->tok[0..*nt). */
static int tokenize(struct avs_text_parser *p, const char *line, size_t len,
		    size_t *nt)
{
	size_t n = 0, i = 0;

	if (memchr(line, '\0', len)) {
		snprintf(p->err, sizeof(p->err), "NUL byte in line");
		return -1;
	}
	if (grow((void **)&p->line, &p->line_cap, len + 1, 1))
		goto oom;
	memcpy(p->line, line, len);
	p->line[len] = '\0';
	for (;;) {
		while (i < len && is_space(p->line[i]))
			i++;
		if (i == len)
			break;
		if (grow((void **)&p->tok, &p->tok_cap, n + 1, sizeof(*p->tok)))
			goto oom;
		p->tok[n].s = p->line + i;
		while (i < len && !is_space(p->line[i]))
			i++;
		p->tok[n].n = (size_t)(p->line + i - p->tok[n].s);
		p->line[i] = '\0';	/* i <= len: within the copy */
		n++;
		if (i < len)
			i++;	/* past the separator just overwritten */
	}
	*nt = n;
	return 0;
oom:
	snprintf(p->err, sizeof(p->err), "out of memory");
	return -1;
}

int avs_text_parse_line(struct avs_text_parser *p, const char *line,
			size_t len, struct avs_event *ev)
{
	struct ctx c = { .p = p, .ev = ev };
	struct tok *t;
	uint64_t v;
	unsigned type;

	p->err[0] = '\0';
	if (tokenize(p, line, len, &c.nt))
		return -1;
	c.t = p->tok;
	if (!c.nt || c.t[0].s[0] == '#')
		return 0;
	memset(ev, 0, sizeof(*ev));
	t = &c.t[c.i];
	if (t->s[0] == '@') {
		if (parse_dec(t->s + 1, t->n - 1, UINT64_MAX, &ev->seq))
			return fail_tok(&c, "bad seq", t);
		if (++c.i == c.nt) {
			snprintf(p->err, sizeof(p->err), "missing event type");
			return -1;
		}
		t = &c.t[c.i];
	}
	type = avs_event_type_from_name(t->s, t->n);
	if (type == AVS_EV_NONE)
		return fail_tok(&c, "unknown event type", t);
	ev->type = (uint16_t)type;
	c.tname = avs_event_type_name(type);
	c.i++;
	t = next_arg(&c, "pid");
	if (!t)
		return -1;
	if (parse_dec(t->s, t->n, UINT32_MAX, &v))
		return fail_tok(&c, "bad pid", t);
	ev->pid = (uint32_t)v;
	return parsers[type](&c) ? -1 : 1;
}

int avs_text_foreach(const char *text,
		     int (*cb)(const struct avs_event *ev, void *arg),
		     void *arg, char *err, size_t errlen)
{
	struct avs_text_parser *p = avs_text_parser_new();
	struct avs_event ev;
	size_t lineno = 0;
	int ret = 0, r;

	if (!p) {
		if (errlen)
			snprintf(err, errlen, "out of memory");
		return -1;
	}
	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);

		lineno++;
		r = avs_text_parse_line(p, text, len, &ev);
		if (r < 0) {
			if (errlen)
				snprintf(err, errlen, "line %zu: %s", lineno,
					 avs_text_parser_error(p));
			ret = -1;
			break;
		}
		if (r > 0 && (ret = cb(&ev, arg)) != 0)
			break;
		text += len + (nl != NULL);
	}
	avs_text_parser_free(p);
	return ret;
}

/* ---------------------------------------------------------------- */
/* Formatter                                                         */
/* ---------------------------------------------------------------- */

/* Output with snprintf semantics: len counts everything, buf gets what
 * fits with room for the NUL. */
struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->size && o->len < o->size - 1) {
		size_t room = o->size - 1 - o->len;

		memcpy(o->buf + o->len, s, n < room ? n : room);
	}
	o->len += n;
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

__attribute__((format(printf, 2, 3)))
static void putf(struct out *o, const char *fmt, ...)
{
	char tmp[64];	/* only numbers and short names go through here */
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		put(o, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

static void put_escaped(struct out *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (needs_escape(ch))
			putf(o, "%%%02X", ch);
		else
			put(o, (const char *)&ch, 1);
	}
}

static void put_range(struct out *o, uint64_t start, uint64_t end)
{
	putf(o, " 0x%" PRIx64 "-0x%" PRIx64, start, end);
}

/* Names of the set bits in table order, then leftover bits as "0xH";
 * "0x0" for an empty set. */
static void put_list(struct out *o, const struct avs_flag_names *names,
		     uint32_t v)
{
	const char *sep = "";

	for (size_t k = 0; k < names->n; k++) {
		if (v & names->v[k].bit) {
			puts_(o, sep);
			puts_(o, names->v[k].name);
			v &= ~names->v[k].bit;
			sep = ",";
		}
	}
	if (v || !*sep)
		putf(o, "%s0x%" PRIx32, sep, v);
}

static void put_page(struct out *o, uint64_t w)
{
	uint64_t base = w, pfn = 0;
	bool known = w & AVS_PAGE_PFN_KNOWN;

	if (known) {
		pfn = w & AVS_PAGE_PFN_MASK;
		base = w & ~(AVS_PAGE_PFN_KNOWN | AVS_PAGE_PFN_MASK);
	}
	for (size_t i = 0; i < ARRAY_SIZE(page_letters); i++) {
		if (page_letters[i].word != base)
			continue;
		put(o, &page_letters[i].c, 1);
		if (known)
			putf(o, "@%" PRIx64, pfn);
		return;
	}
	putf(o, "#%" PRIx64, w);
}

static void put_str_key(struct out *o, const char *key,
			const struct avs_event *ev)
{
	if (!ev->str_len)
		return;
	puts_(o, key);
	put_escaped(o, ev->str, ev->str_len);
}

static void put_hex_key(struct out *o, const char *key, uint64_t v)
{
	if (v)
		putf(o, " %s=0x%" PRIx64, key, v);
}

static int f_start(struct out *o, const struct avs_event *ev)
{
	if (ev->u.start.ppid)
		putf(o, " ppid=%" PRIu32, ev->u.start.ppid);
	put_hex_key(o, "start_brk", ev->u.start.start_brk);
	put_hex_key(o, "brk", ev->u.start.brk);
	put_str_key(o, " comm=", ev);
	return 0;
}

static int f_exec(struct out *o, const struct avs_event *ev)
{
	put_hex_key(o, "start_brk", ev->u.start.start_brk);
	put_hex_key(o, "brk", ev->u.start.brk);
	put_str_key(o, " path=", ev);
	return 0;
}

static int f_vma(struct out *o, const struct avs_event *ev)
{
	const __typeof__(ev->u.vma) *v = &ev->u.vma;
	bool anon = !v->dev && !v->ino;
	char perms[5];

	if (v->state & ~AVS_SEED_ANON_VMA)
		return -1;
	avs_vm_flags_perms(v->vm_flags, perms);
	put_range(o, v->start, v->end);
	putf(o, " %s", perms);
	if (v->pgoff != (anon ? v->start >> AVS_PAGE_SHIFT : 0))
		putf(o, " pgoff=0x%" PRIx64, v->pgoff);
	if (!anon)
		putf(o, " file=%" PRIx64 ":%" PRIx64, v->dev, v->ino);
	if (v->vm_flags != avs_vm_flags_default(perms, anon))
		putf(o, " vmflags=0x%" PRIx64, v->vm_flags);
	if (v->state & AVS_SEED_ANON_VMA)
		puts_(o, " anon_vma");
	return 0;
}

static int f_fork(struct out *o, const struct avs_event *ev)
{
	if (ev->u.fork.clone_flags & ~AVS_FORK_VM)
		return -1;
	putf(o, " %" PRIu32, ev->u.fork.child);
	if (ev->u.fork.clone_flags & AVS_FORK_VM)
		puts_(o, " vm");
	return 0;
}

static int f_exit(struct out *o, const struct avs_event *ev)
{
	if (ev->u.exit.status)
		putf(o, " status=%" PRId32, ev->u.exit.status);
	return 0;
}

static int f_mmap(struct out *o, const struct avs_event *ev)
{
	const __typeof__(ev->u.mmap) *m = &ev->u.mmap;
	uint32_t rest = m->flags & ~(uint32_t)AVS_MAP_ANONYMOUS;
	char rwx[4], share = '-';

	/* The 4th letter shows one sharing bit; any other goes in flags=. */
	if (m->flags & AVS_MAP_SHARED) {
		share = 's';
		rest &= ~(uint32_t)AVS_MAP_SHARED;
	} else if (m->flags & AVS_MAP_PRIVATE) {
		share = 'p';
		rest &= ~(uint32_t)AVS_MAP_PRIVATE;
	}
	rwx_string(m->prot, rwx);
	put_range(o, m->start, m->end);
	putf(o, " %s%c", rwx, share);
	if (m->flags & AVS_MAP_ANONYMOUS)
		puts_(o, " anon");
	/* file= also marks a non-anonymous mapping of unknown identity. */
	if (!(m->flags & AVS_MAP_ANONYMOUS) || m->dev || m->ino)
		putf(o, " file=%" PRIx64 ":%" PRIx64, m->dev, m->ino);
	put_hex_key(o, "off", m->off);
	if (rest) {
		puts_(o, " flags=");
		put_list(o, &avs_mmap_flag_names, rest);
	}
	if (m->fmode == AVS_FMODE_READ)
		puts_(o, " fmode=r");
	else if (m->fmode == AVS_FMODE_WRITE)
		puts_(o, " fmode=w");
	else if (m->fmode == (AVS_FMODE_READ | AVS_FMODE_WRITE))
		puts_(o, " fmode=rw");
	else
		put_hex_key(o, "fmode", m->fmode);
	put_hex_key(o, "xprot", m->prot & ~(uint32_t)PROT_RWX);
	return 0;
}

static int f_range(struct out *o, const struct avs_event *ev)
{
	put_range(o, ev->u.range.start, ev->u.range.end);
	return 0;
}

static int f_mprotect(struct out *o, const struct avs_event *ev)
{
	char rwx[4];

	rwx_string(ev->u.mprotect.prot, rwx);
	put_range(o, ev->u.mprotect.start, ev->u.mprotect.end);
	putf(o, " %s", rwx);
	put_hex_key(o, "xprot", ev->u.mprotect.prot & ~(uint32_t)PROT_RWX);
	return 0;
}

static int f_mremap(struct out *o, const struct avs_event *ev)
{
	const __typeof__(ev->u.mremap) *m = &ev->u.mremap;

	put_range(o, m->old_start, m->old_end);
	put_range(o, m->new_start, m->new_end);
	if (m->flags) {
		puts_(o, " flags=");
		put_list(o, &avs_mremap_flag_names, m->flags);
	}
	return 0;
}

static int f_madvise(struct out *o, const struct avs_event *ev)
{
	const char *name = avs_madvise_name(ev->u.madvise.advice);

	put_range(o, ev->u.madvise.start, ev->u.madvise.end);
	if (name)
		putf(o, " %s", name);
	else
		putf(o, " %" PRIu32, ev->u.madvise.advice);
	return 0;
}

static int f_brk(struct out *o, const struct avs_event *ev)
{
	putf(o, " 0x%" PRIx64 " 0x%" PRIx64, ev->u.brk.old_brk,
	     ev->u.brk.new_brk);
	return 0;
}

static int f_mlock(struct out *o, const struct avs_event *ev)
{
	if (ev->u.mlock.flags & ~AVS_MLOCK_ONFAULT)
		return -1;
	put_range(o, ev->u.mlock.start, ev->u.mlock.end);
	if (ev->u.mlock.flags & AVS_MLOCK_ONFAULT)
		puts_(o, " onfault");
	return 0;
}

static int f_mlockall(struct out *o, const struct avs_event *ev)
{
	puts_(o, " ");
	put_list(o, &avs_mlockall_flag_names, ev->u.mlock.flags);
	return 0;
}

static int f_none(struct out *o, const struct avs_event *ev)
{
	(void)o;
	(void)ev;
	return 0;
}

static int f_fault(struct out *o, const struct avs_event *ev)
{
	static const char access[] = "rwf";	/* AVS_FAULT_* order */
	uint32_t a = ev->u.fault.access;

	putf(o, " 0x%" PRIx64, ev->u.fault.addr);
	if (a < sizeof(access) - 1)
		putf(o, " %c", access[a]);
	else
		putf(o, " %" PRIu32, a);
	return 0;
}

static int f_pages(struct out *o, const struct avs_event *ev)
{
	if (!ev->nwords)
		return -1;
	putf(o, " 0x%" PRIx64, ev->u.pages.start);
	for (uint32_t i = 0; i < ev->nwords; i++) {
		puts_(o, " ");
		put_page(o, ev->words[i]);
	}
	return 0;
}

static int f_checkpoint(struct out *o, const struct avs_event *ev)
{
	if (!ev->str_len)
		return -1;
	puts_(o, " ");
	put_escaped(o, ev->str, ev->str_len);
	return 0;
}

static int (*const formatters[AVS_EV_NR_TYPES])(struct out *,
						 const struct avs_event *) = {
	[AVS_EV_START] = f_start,
	[AVS_EV_VMA] = f_vma,
	[AVS_EV_FORK] = f_fork,
	[AVS_EV_EXEC] = f_exec,
	[AVS_EV_EXIT] = f_exit,
	[AVS_EV_MMAP] = f_mmap,
	[AVS_EV_MUNMAP] = f_range,
	[AVS_EV_MPROTECT] = f_mprotect,
	[AVS_EV_MREMAP] = f_mremap,
	[AVS_EV_MADVISE] = f_madvise,
	[AVS_EV_BRK] = f_brk,
	[AVS_EV_MLOCK] = f_mlock,
	[AVS_EV_MUNLOCK] = f_range,
	[AVS_EV_MLOCKALL] = f_mlockall,
	[AVS_EV_MUNLOCKALL] = f_none,
	[AVS_EV_FAULT] = f_fault,
	[AVS_EV_PAGES] = f_pages,
	[AVS_EV_SWAPOUT] = f_range,
	[AVS_EV_SWAPIN] = f_range,
	[AVS_EV_CHECKPOINT] = f_checkpoint,
};

int avs_event_format(const struct avs_event *ev, char *buf, size_t size)
{
	struct out o = { buf, size, 0 };
	const char *name = avs_event_type_name(ev->type);

	if (!name || (ev->flags & ~EVF_ALL) || (ev->str_len && !ev->str) ||
	    (ev->nwords && !ev->words))
		return -1;
	if (ev->seq)
		putf(&o, "@%" PRIu64 " ", ev->seq);
	putf(&o, "%s %" PRIu32, name, ev->pid);
	if (formatters[ev->type](&o, ev))
		return -1;
	for (size_t k = 0; k < ARRAY_SIZE(evflag_names); k++)
		if (ev->flags & evflag_names[k].bit)
			putf(&o, " %s", evflag_names[k].name);
	put(&o, "\n", 1);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len <= INT_MAX ? (int)o.len : -1;
}
