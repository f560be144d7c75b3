/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "input.h"
#include "shadow/event_bin.h"
#include "shadow/event_text.h"

struct conv {
	FILE *out;
	bool binary;
	char *buf;
	size_t cap;
	int err;
};

static int write_event(void *arg, const struct avs_event *ev)
{
	struct conv *c = arg;
	size_t need;

	if (c->binary) {
		need = avs_event_encoded_size(ev);
	} else {
		int n = avs_event_format(ev, c->buf, c->cap);

		if (n < 0)
			return c->err = EINVAL;
		need = (size_t)n + 1;
	}
	if (need > c->cap) {
		c->cap = need * 2;
		free(c->buf);
		c->buf = malloc(c->cap);
		if (!c->buf)
			return c->err = ENOMEM;
		return write_event(arg, ev);
	}
	if (c->binary)
		need = avs_event_encode(ev, c->buf, c->cap);
	else
		need = strlen(c->buf);
	if (fwrite(c->buf, 1, need, c->out) != need)
		return c->err = errno ? errno : EIO;
	return 0;
}

int cmd_convert(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, 't' },
		{ 0 }
	};
	static const char use[] =
		"usage: avshadow convert --to text|binary INPUT OUTPUT\n";
	struct conv c = { 0 };
	struct avs_input_status st;
	const char *to = NULL;
	char err[512];
	int ch, ret;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 't') {
			fputs(use, stderr);
			return 2;
		}
		to = optarg;
	}
	if (!to || optind != argc - 2 ||
	    (strcmp(to, "text") && strcmp(to, "binary"))) {
		fputs(use, stderr);
		return 2;
	}
	c.binary = !strcmp(to, "binary");
	c.out = strcmp(argv[optind + 1], "-") ? fopen(argv[optind + 1], "wb") : stdout;
	if (!c.out) {
		fprintf(stderr, "avshadow: %s: %s\n", argv[optind + 1], strerror(errno));
		return 2;
	}
	c.cap = 4096;
	c.buf = malloc(c.cap);
	if (!c.buf)
		return 2;
	if (c.binary) {
		char hdr[AVS_TRACE_HEADER_SIZE];

		avs_trace_header_init(hdr);
		fwrite(hdr, 1, sizeof(hdr), c.out);
	} else {
		fputs("# avshadow events v1\n", c.out);
	}
	ret = avs_read_input(argv[optind], write_event, &c, &st, err, sizeof(err));
	if (ret < 0)
		fprintf(stderr, "avshadow: %s\n", err);
	else if (c.err)
		fprintf(stderr, "avshadow: writing %s: %s\n", argv[optind + 1],
			strerror(c.err));
	if (st.truncated)
		fprintf(stderr, "avshadow: warning: input truncated, %zu bytes "
			"of a partial record dropped\n", st.bytes_lost);
	if ((c.out != stdout && fclose(c.out)) || (c.out == stdout && fflush(stdout))) {
		fprintf(stderr, "avshadow: closing %s: %s\n", argv[optind + 1],
			strerror(errno));
		ret = -1;
	}
	free(c.buf);
	return ret < 0 || c.err ? 2 : 0;
}
