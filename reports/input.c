/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "input.h"
#include "trace_dir.h"
#include "shadow/event_bin.h"
#include "shadow/event_text.h"

/* The whole file in one malloc'd (so 8-byte aligned) buffer. */
static char *slurp(FILE *f, size_t *len)
{
	size_t cap = 1 << 16, n = 0, r;
	char *buf = malloc(cap + 1);

	if (!buf)
		return NULL;
	while ((r = fread(buf + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			char *nb = realloc(buf, cap * 2 + 1);

			if (!nb) {
				free(buf);
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
	}
	if (ferror(f)) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

static int read_binary(const char *path, const char *buf, size_t len,
		       avs_event_cb cb, void *arg, struct avs_input_status *st,
		       char *err, size_t errlen)
{
	size_t off;
	int ret;

	if (avs_trace_header_check(buf, len, err, errlen))
		return -1;
	for (off = AVS_TRACE_HEADER_SIZE; off < len;) {
		struct avs_event ev;
		size_t used;

		uint32_t size = 0;

		if (len - off >= 8)
			memcpy(&size, buf + off + 4, sizeof(size));
		if (len - off >= 8 && size == 0)
			break;	/* a recorder's preallocated tail: the end */
		ret = avs_event_decode(buf + off, len - off, &ev, &used);
		if (ret == 0) {
			st->truncated = true;
			st->bytes_lost = len - off;
			return 0;
		}
		if (ret < 0) {
			snprintf(err, errlen, "%s: corrupt record at byte %zu: %s",
				 path, off, avs_decode_strerror(ret));
			return -1;
		}
		st->events++;
		if ((ret = cb(arg, &ev)))
			return ret;
		off += used;
	}
	return 0;
}

static int read_text(const char *path, const char *buf, avs_event_cb cb,
		     void *arg, struct avs_input_status *st, char *err,
		     size_t errlen)
{
	struct avs_text_parser *p = avs_text_parser_new();
	unsigned long lineno = 0;
	const char *line = buf;
	int ret = 0;

	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	while (*line) {
		const char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) : strlen(line);
		struct avs_event ev;
		int r;

		lineno++;
		r = avs_text_parse_line(p, line, n, &ev);
		if (r < 0) {
			snprintf(err, errlen, "%s:%lu: %s", path, lineno,
				 avs_text_parser_error(p));
			ret = -1;
			break;
		}
		if (r > 0) {
			st->events++;
			if ((ret = cb(arg, &ev)))
				break;
		}
		line += n + (nl ? 1 : 0);
	}
	avs_text_parser_free(p);
	return ret;
}

/* A capture folder: its trace files merged (trace_dir.h).  Cut records
 * skipped are not in st; avs_read_trace_dir() tells them. */
static int read_dir(const char *path, avs_event_cb cb, void *arg,
		    struct avs_input_status *st, char *err, size_t errlen)
{
	struct avs_trace_dir_status ds;
	int ret = avs_read_trace_dir(path, cb, arg, &ds, err, errlen);

	st->binary = true;
	st->truncated = ds.truncated_files > 0;
	st->bytes_lost = ds.bytes_lost;
	st->events = ds.events;
	avs_trace_dir_status_free(&ds);
	return ret;
}

int avs_read_input(const char *path, avs_event_cb cb, void *arg,
		   struct avs_input_status *st, char *err, size_t errlen)
{
	FILE *f;
	size_t len = 0;
	char *buf;
	int ret;

	memset(st, 0, sizeof(*st));
	if (strcmp(path, "-") && avs_is_dir(path))
		return read_dir(path, cb, arg, st, err, errlen);
	f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	buf = slurp(f, &len);
	if (f != stdin)
		fclose(f);
	if (!buf) {
		snprintf(err, errlen, "%s: cannot read: %s", path,
			 strerror(errno ? errno : ENOMEM));
		return -1;
	}
	st->binary = len >= 8 && !memcmp(buf, AVS_TRACE_MAGIC, 8);
	if (st->binary)
		ret = read_binary(path, buf, len, cb, arg, st, err, errlen);
	else if (memchr(buf, '\0', len)) {
		snprintf(err, errlen, "%s: neither an avshadow trace nor "
			 "the text form (binary data)", path);
		ret = -1;
	} else
		ret = read_text(path, buf, cb, arg, st, err, errlen);
	free(buf);
	return ret;
}
