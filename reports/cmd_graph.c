/* SPDX-License-Identifier: MIT */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "model_option.h"
#include "graph.h"
#include "replay.h"

struct graph_at {
	const char *label;
	bool json;
	char *doc;		/* the graph at the last matching checkpoint */
	size_t len;
};

static void render(const struct avs_shadow *sh, bool json, char **doc,
		   size_t *len)
{
	FILE *f;

	free(*doc);
	*doc = NULL;
	f = open_memstream(doc, len);
	if (!f)
		abort();
	if (json)
		avs_graph_json(sh, f);
	else
		avs_graph_text(sh, f);
	fclose(f);
}

static void on_checkpoint(void *arg, const struct avs_shadow *sh,
			  const struct avs_event *ev)
{
	struct graph_at *g = arg;

	if (g->label && ev->str_len == strlen(g->label) &&
	    !memcmp(ev->str, g->label, ev->str_len))
		render(sh, g->json, &g->doc, &g->len);
}

int cmd_graph(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "at", required_argument, NULL, 'a' },
		{ "format", required_argument, NULL, 'f' },
		{ "model", required_argument, NULL, 'm' },
		{ 0 }
	};
	static const char use[] =
		"usage: avshadow graph [--model M] [--at LABEL] [--format json|text] INPUT\n";
	struct graph_at g = { .json = true };
	const char *model = "auto";
	struct avs_replay r = { .diag = stderr, .max_diag = 20 };
	char err[512];
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			g.label = optarg;
			break;
		case 'm':
			model = optarg;
			break;
		case 'f':
			if (!strcmp(optarg, "json"))
				g.json = true;
			else if (!strcmp(optarg, "text"))
				g.json = false;
			else {
				fprintf(stderr, "avshadow graph: unknown format '%s'\n%s",
					optarg, use);
				return 2;
			}
			break;
		default:
			fputs(use, stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		fputs(use, stderr);
		return 2;
	}
	r.rules = avs_model_option(model, err, sizeof(err));
	if (!r.rules) {
		fprintf(stderr, "avshadow: %s\n", err);
		return 2;
	}
	r.on_checkpoint = on_checkpoint;
	r.arg = &g;
	ret = avs_replay_file(argv[optind], &r, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "avshadow: %s\n", err);
		ret = 2;
	} else if (g.label && !g.doc) {
		fprintf(stderr, "avshadow graph: no checkpoint '%s' in %s\n",
			g.label, argv[optind]);
		ret = 1;
	} else {
		if (!g.label)
			render(r.sh, g.json, &g.doc, &g.len);
		fwrite(g.doc, 1, g.len, stdout);
		ret = 0;
	}
	free(g.doc);
	avs_shadow_free(r.sh);
	return ret;
}
