/* SPDX-License-Identifier: MIT */
/*
 * The text form of the event stream: one event per line.  The syntax of
 * every event is in docs/EVENTS.md.  avs_event_format() writes the
 * canonical line, so format(parse(line)) == line for a canonical line.
 */
#ifndef AVS_EVENT_TEXT_H
#define AVS_EVENT_TEXT_H

#include <stdint.h>
#include <stddef.h>
#include "event.h"

/* Owns the scratch memory ev->str and ev->words point into after a parse. */
struct avs_text_parser;

/* NULL when out of memory. */
struct avs_text_parser *avs_text_parser_new(void);
void avs_text_parser_free(struct avs_text_parser *p);

/*
 * Parse one line of len bytes (a trailing newline is not needed; "\r\n" is
 * fine).  Returns 1 and fills *ev (ev->str / ev->words stay valid until the
 * next call; ev->str is also NUL-terminated), 0 for a blank or comment
 * line, -1 on error; avs_text_parser_error(p) then returns a message
 * naming the offending token, like "bad address '0x12z' in 'mmap'".
 */
int avs_text_parse_line(struct avs_text_parser *p, const char *line,
			size_t len, struct avs_event *ev);
const char *avs_text_parser_error(const struct avs_text_parser *p);

/*
 * Format one event as its canonical line ending in '\n', NUL-terminated.
 * Returns the length, or the needed length (excluding the NUL) when it is
 * >= size (snprintf convention; buf may be NULL when size is 0), or -1 if
 * the event is invalid or has a value the text form cannot express (see
 * docs/EVENTS.md, "Invalid events").
 */
int avs_event_format(const struct avs_event *ev, char *buf, size_t size);

/*
 * Parse a whole multi-line string and call cb for each event in order.
 * Returns 0, -1 with "line N: message" in err (when errlen > 0), or the
 * first nonzero value cb returned.
 */
int avs_text_foreach(const char *text,
		     int (*cb)(const struct avs_event *ev, void *arg),
		     void *arg, char *err, size_t errlen);

/*
 * Name tables of the text form (event_names.c).  A flag list is written as
 * the names of the set bits in table order, then any leftover bits as one
 * "0xH" item.
 */
struct avs_flag_name {
	const char *name;
	uint32_t bit;
};

struct avs_flag_names {
	const struct avs_flag_name *v;
	size_t n;
};

/* MAP_* bits other than SHARED, PRIVATE, ANONYMOUS ("fixed", ...) */
extern const struct avs_flag_names avs_mmap_flag_names;
/* MREMAP_*: "maymove", "fixed", "dontunmap" */
extern const struct avs_flag_names avs_mremap_flag_names;
/* MCL_*: "current", "future", "onfault" */
extern const struct avs_flag_names avs_mlockall_flag_names;

/* Lowercase MADV_* name without the prefix, NULL if the advice has none. */
const char *avs_madvise_name(uint32_t advice);
/* Advice for a name of len bytes, -1 if unknown. */
int64_t avs_madvise_from_name(const char *name, size_t len);

#endif
