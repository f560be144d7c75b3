/* SPDX-License-Identifier: MIT */
/* The text form's parser: reading the arguments of an event, with the
 * error messages naming the offending token (docs/EVENTS.md). */
#include <stdio.h>
#include <string.h>
#include "shadow/event_text_parse_internal.h"
#include "shadow/vm_flags.h"

#define MAX_TOKEN_IN_MSG 64

int avs_text_fail(struct ctx *c, const char *what, const char *s, size_t n)
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

int avs_text_fail_tok(struct ctx *c, const char *what, const struct tok *t)
{
	return avs_text_fail(c, what, t->s, t->n);
}

struct tok *avs_text_next_arg(struct ctx *c, const char *what)
{
	if (c->i >= c->nt) {
		snprintf(c->p->err, sizeof(c->p->err), "missing %s in '%s'",
			 what, c->tname);
		return NULL;
	}
	return &c->t[c->i++];
}

int avs_text_evflag_of(const struct tok *t)
{
	for (size_t k = 0; k < ARRAY_SIZE(avs_text_evflag_names); k++)
		if (str_is(t->s, t->n, avs_text_evflag_names[k].name))
			return (int)avs_text_evflag_names[k].bit;
	return 0;
}

int avs_text_collect_opts(struct ctx *c, const char *const *names, size_t n,
			  struct tok *opt)
{
	if (n)
		memset(opt, 0, n * sizeof(*opt));
	for (; c->i < c->nt; c->i++) {
		struct tok *t = &c->t[c->i];
		char *eq = memchr(t->s, '=', t->n);
		size_t klen = eq ? (size_t)(eq - t->s) + 1 : t->n;
		int bit = avs_text_evflag_of(t);
		size_t k;

		if (bit) {
			if (c->ev->flags & bit)
				return avs_text_fail_tok(c, "duplicate", t);
			c->ev->flags |= bit;
			continue;
		}
		/* stack= belongs to every event type (avs_event.stack) */
		if (str_is(t->s, klen, "stack=")) {
			struct tok v = { eq + 1, t->n - klen };

			if (c->ev->stack)
				return avs_text_fail_tok(c, "duplicate", t);
			if (avs_text_take_u32(c, &v, "bad stack", &c->ev->stack))
				return -1;
			if (!c->ev->stack)
				return avs_text_fail_tok(c, "stack 0", t);
			continue;
		}
		for (k = 0; k < n; k++)
			if (str_is(t->s, klen, names[k]))
				break;
		if (k == n)
			return eq ? avs_text_fail(c, "unknown key", t->s,
						  klen - 1) :
				    avs_text_fail_tok(c, "unexpected argument",
						      t);
		if (opt[k].s)
			return avs_text_fail(c, "duplicate", t->s,
					     eq ? klen - 1 : klen);
		if (eq) {
			opt[k].s = eq + 1;
			opt[k].n = t->n - klen;
		} else {
			opt[k] = *t;
		}
	}
	return 0;
}

int avs_text_take_str(struct ctx *c, struct tok *t)
{
	size_t len;

	if (avs_text_unescape(t->s, t->n, &len))
		return avs_text_fail_tok(c, "bad string", t);
	c->ev->str = t->s;
	c->ev->str_len = (uint32_t)len;
	return 0;
}

int avs_text_take_hex(struct ctx *c, const struct tok *t, const char *what,
		      uint64_t *v)
{
	return avs_text_parse_hex(t->s, t->n, v) ?
		       avs_text_fail_tok(c, what, t) : 0;
}

int avs_text_take_u32(struct ctx *c, const struct tok *t, const char *what,
		      uint32_t *v)
{
	uint64_t x;

	if (avs_text_parse_dec(t->s, t->n, UINT32_MAX, &x))
		return avs_text_fail_tok(c, what, t);
	*v = (uint32_t)x;
	return 0;
}

static int take_range(struct ctx *c, const struct tok *t, uint64_t *start,
		      uint64_t *end)
{
	const char *dash = memchr(t->s, '-', t->n);
	size_t n1;

	if (!dash)
		return avs_text_fail_tok(c, "bad range", t);
	n1 = (size_t)(dash - t->s);
	if (avs_text_parse_hex(t->s, n1, start))
		return avs_text_fail(c, "bad address", t->s, n1);
	if (avs_text_parse_hex(dash + 1, t->n - n1 - 1, end))
		return avs_text_fail(c, "bad address", dash + 1,
				     t->n - n1 - 1);
	if (*start > *end)
		return avs_text_fail_tok(c, "start > end in range", t);
	if ((*start | *end) & (AVS_PAGE_SIZE - 1))
		return avs_text_fail_tok(c, "unaligned range", t);
	return 0;
}

int avs_text_next_range(struct ctx *c, uint64_t *start, uint64_t *end)
{
	struct tok *t = avs_text_next_arg(c, "range");

	return t ? take_range(c, t, start, end) : -1;
}

int avs_text_take_file(struct ctx *c, const struct tok *t, uint64_t *dev,
		       uint64_t *ino)
{
	const char *colon = memchr(t->s, ':', t->n);
	size_t n1;

	if (!colon)
		return avs_text_fail_tok(c, "bad file", t);
	n1 = (size_t)(colon - t->s);
	if (avs_text_parse_hex_digits(t->s, n1, dev) ||
	    avs_text_parse_hex_digits(colon + 1, t->n - n1 - 1, ino))
		return avs_text_fail_tok(c, "bad file", t);
	return 0;
}

int avs_text_take_list(struct ctx *c, const struct tok *t,
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
		else if (!avs_text_parse_hex(s, n, &v) && v <= UINT32_MAX)
			*out |= (uint32_t)v;
		else
			return avs_text_fail(c, "unknown flag", s, n);
		if (!comma)
			return 0;
		s = comma + 1;
	}
}

int avs_text_take_xprot(struct ctx *c, const struct tok *t, uint32_t *prot)
{
	uint64_t v;

	if (avs_text_parse_hex(t->s, t->n, &v) || v > UINT32_MAX ||
	    (v & PROT_RWX))
		return avs_text_fail_tok(c, "bad xprot", t);
	*prot |= (uint32_t)v;
	return 0;
}
