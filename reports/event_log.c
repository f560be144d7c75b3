/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>
#include "event_log.h"

static void *xmemdup(const void *p, size_t n)
{
	void *q;

	if (!p || !n)
		return NULL;
	q = malloc(n);
	if (!q)
		abort();
	memcpy(q, p, n);
	return q;
}

void avs_event_log_add(struct avs_event_log *log, const struct avs_event *ev)
{
	struct avs_event *e;

	if (log->n == log->cap) {
		log->cap = log->cap ? log->cap * 2 : 256;
		log->ev = realloc(log->ev, log->cap * sizeof(*log->ev));
		if (!log->ev)
			abort();
	}
	e = &log->ev[log->n++];
	*e = *ev;
	e->str = xmemdup(ev->str, ev->str_len);
	e->words = xmemdup(ev->words, (size_t)ev->nwords * sizeof(*ev->words));
}

static int add_cb(void *arg, const struct avs_event *ev)
{
	avs_event_log_add(arg, ev);
	return 0;
}

int avs_event_log_read(struct avs_event_log *log, const char *path,
		       struct avs_input_status *st, char *err, size_t errlen)
{
	return avs_read_input(path, add_cb, log, st, err, errlen);
}

void avs_event_log_free(struct avs_event_log *log)
{
	size_t i;

	for (i = 0; i < log->n; i++) {
		free((void *)log->ev[i].str);
		free((void *)log->ev[i].words);
	}
	free(log->ev);
	memset(log, 0, sizeof(*log));
}
