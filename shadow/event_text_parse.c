/* SPDX-License-Identifier: MIT */
/* The text form's parser: the parser object, cutting a line into tokens,
 * the fields every event has, and whole texts (docs/EVENTS.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "shadow/event_text_parse_internal.h"

static bool is_space(int ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' ||
	       ch == '\v' || ch == '\f';
}

int avs_text_grow(void **buf, size_t *cap, size_t need, size_t elsize)
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
	if (avs_text_grow((void **)&p->line, &p->line_cap, len + 1, 1))
		goto oom;
	memcpy(p->line, line, len);
	p->line[len] = '\0';
	for (;;) {
		while (i < len && is_space(p->line[i]))
			i++;
		if (i == len)
			break;
		if (avs_text_grow((void **)&p->tok, &p->tok_cap, n + 1,
				  sizeof(*p->tok)))
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
		if (avs_text_parse_dec(t->s + 1, t->n - 1, UINT64_MAX,
				       &ev->seq))
			return avs_text_fail_tok(&c, "bad seq", t);
		if (++c.i == c.nt) {
			snprintf(p->err, sizeof(p->err), "missing event type");
			return -1;
		}
		t = &c.t[c.i];
	}
	type = avs_event_type_from_name(t->s, t->n);
	if (type == AVS_EV_NONE)
		return avs_text_fail_tok(&c, "unknown event type", t);
	ev->type = (uint16_t)type;
	c.tname = avs_event_type_name(type);
	c.i++;
	t = avs_text_next_arg(&c, "pid");
	if (!t)
		return -1;
	if (avs_text_parse_dec(t->s, t->n, UINT32_MAX, &v))
		return avs_text_fail_tok(&c, "bad pid", t);
	ev->pid = (uint32_t)v;
	return avs_text_parsers[type](&c) ? -1 : 1;
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
