/* SPDX-License-Identifier: MIT */
/*
 * The parser of the text form, shared by its files: the parser object and
 * line driver (event_text_parse.c), the argument readers
 * (event_text_parse_args.c) and one parser per event type
 * (event_text_parse_events.c).  Only for those files.
 */
#ifndef AVS_EVENT_TEXT_PARSE_INTERNAL_H
#define AVS_EVENT_TEXT_PARSE_INTERNAL_H

#include <string.h>
#include "event_text_internal.h"

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

static inline bool str_is(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

/* Make *buf hold at least need elements of elsize bytes. */
int avs_text_grow(void **buf, size_t *cap, size_t need, size_t elsize);

/* Parsers of the arguments after the pid, by event type: 0 or -1 with
 * c->p->err set.  Each consumes every remaining token. */
extern int (*const avs_text_parsers[AVS_EV_NR_TYPES])(struct ctx *);

/*
 * Argument readers (event_text_parse_args.c).  All that return int give 0,
 * or -1 with the message in c->p->err, usually "WHAT 'TOKEN' in 'TYPE'".
 */
int avs_text_fail(struct ctx *c, const char *what, const char *s, size_t n);
int avs_text_fail_tok(struct ctx *c, const char *what, const struct tok *t);
/* The next positional argument, or NULL with "missing WHAT". */
struct tok *avs_text_next_arg(struct ctx *c, const char *what);
/* The AVS_EVF_* bit a token names, 0 if none. */
int avs_text_evflag_of(const struct tok *t);
/*
 * Consume all remaining tokens as options: the event flag words, and the
 * type's names (ending in '=' for key=value, else bare words).  opt[k] is
 * set to the value (or the bare word) of names[k], s == NULL if absent.
 */
int avs_text_collect_opts(struct ctx *c, const char *const *names, size_t n,
			  struct tok *opt);
/* Percent-decode t in place (keeps it NUL-terminated) and make it ev->str.
 * Checked first so an error message shows the token as written. */
int avs_text_take_str(struct ctx *c, struct tok *t);
int avs_text_take_hex(struct ctx *c, const struct tok *t, const char *what,
		      uint64_t *v);
int avs_text_take_u32(struct ctx *c, const struct tok *t, const char *what,
		      uint32_t *v);
/* "0xSTART-0xEND", page aligned, start <= end. */
int avs_text_next_range(struct ctx *c, uint64_t *start, uint64_t *end);
/* "DEV:INO", both hex without 0x. */
int avs_text_take_file(struct ctx *c, const struct tok *t, uint64_t *dev,
		       uint64_t *ino);
/* Comma list of names and "0xH" items, ORed together. */
int avs_text_take_list(struct ctx *c, const struct tok *t,
		       const struct avs_flag_names *names, uint32_t *out);
/* "xprot=0xH": PROT_* bits beyond rwx, ORed into *prot. */
int avs_text_take_xprot(struct ctx *c, const struct tok *t, uint32_t *prot);

#endif
