/* SPDX-License-Identifier: MIT */
/*
 * avshadow hazards: pages stranded on freed anon_vmas, and mappings rmap
 * cannot reach, under one or more rule sets; with --whatif, also those a
 * swap-out and swap-in at the right moment would produce.  Each comes with
 * a sentence and the shortest sequence of events that still shows it.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "event_log.h"
#include "hazard_explain.h"
#include "model_option.h"
#include "whatif.h"

#define MAX_MODELS 16
#define MINIMIZE_BUDGET 2000

struct opts {
	const struct avs_rules *models[MAX_MODELS];
	size_t nmodels;
	bool whatif, minimize;
	size_t max_replays;
};

static void show_sequence(const struct avs_event *const *ev, size_t upto,
			  const struct avs_rules *rules,
			  enum avs_hazard_kind kind, bool minimize)
{
	size_t *keep = malloc((upto ? upto : 1) * sizeof(*keep)), n, i;
	bool exhausted = false;

	if (!keep)
		abort();
	if (minimize) {
		n = avs_hazard_minimize(ev, upto, rules, kind, MINIMIZE_BUDGET,
					keep, &exhausted);
	} else {
		for (i = 0; i < upto; i++)
			keep[i] = i;
		n = upto;
	}
	printf("    sequence (%zu of %zu events%s):\n", n, upto,
	       !minimize ? "" : exhausted ? ", search bound hit: maybe not minimal" :
	       ", minimal");
	avs_print_events(stdout, ev, keep, n, "      ");
	free(keep);
}

/* Hazards of the stream as recorded. */
static size_t recorded(const struct avs_event_log *log,
		       const struct avs_rules *rules, bool minimize)
{
	const struct avs_event **ev = malloc((log->n ? log->n : 1) * sizeof(*ev));
	struct avs_shadow *sh = avs_shadow_new(rules);
	const struct avs_hazard *h;
	char line[512];
	size_t i, n;

	if (!ev || !sh)
		abort();
	for (i = 0; i < log->n; i++) {
		ev[i] = &log->ev[i];
		avs_shadow_apply(sh, ev[i]);
	}
	h = avs_shadow_hazards(sh, &n);
	printf("  recorded stream: %zu hazard%s\n", n, n == 1 ? "" : "s");
	for (i = 0; i < n && i < 10; i++) {
		avs_hazard_describe(&h[i], line, sizeof(line));
		printf("  - %s: %s\n", avs_hazard_kind_name(h[i].kind), line);
		show_sequence(ev, h[i].event_no, rules, h[i].kind, minimize);
	}
	avs_shadow_free(sh);
	free(ev);
	return n;
}

static size_t whatif(const struct avs_event_log *log,
		     const struct avs_rules *rules, const struct opts *o)
{
	struct avs_whatif w = { .rules = rules, .max_replays = o->max_replays };
	char line[512];
	size_t i, n;

	avs_whatif_search(log, &w);
	printf("  what-if (swap out a shared page, one process touches it "
	       "first): %zu sharing groups, %zu replays%s, %zu hazard%s\n",
	       w.candidates, w.replays,
	       w.bound_hit ? " (replay bound hit: search incomplete)" : "",
	       w.nfound, w.nfound == 1 ? "" : "s");
	for (i = 0; i < w.nfound; i++) {
		const struct avs_whatif_finding *f = &w.found[i];
		const struct avs_event **s = avs_whatif_stream(log, f, &n);
		size_t upto = f->hazard_at + 1 + f->ninserted;

		avs_hazard_describe(&f->hazard, line, sizeof(line));
		printf("  - %s if page 0x%llx is swapped out after event %zu "
		       "and pid %u touches it first: %s\n",
		       avs_hazard_kind_name(f->hazard.kind),
		       (unsigned long long)f->first_addr, f->after + 1,
		       f->first_pid, line);
		show_sequence(s, upto < n ? upto : n, rules, f->hazard.kind,
			      o->minimize);
		free(s);
	}
	n = w.nfound;
	avs_whatif_release(&w);
	return n;
}

int cmd_hazards(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "model", required_argument, NULL, 'm' },
		{ "whatif", no_argument, NULL, 'w' },
		{ "max-replays", required_argument, NULL, 'r' },
		{ "no-minimize", no_argument, NULL, 'n' },
		{ 0 }
	};
	static const char use[] = "usage: avshadow hazards [--model M ...] "
		"[--whatif] [--max-replays N] [--no-minimize] INPUT\n";
	struct opts o = { .minimize = true };
	struct avs_event_log log = { 0 };
	struct avs_input_status st;
	size_t total = 0, i;
	char err[512];
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (o.nmodels == MAX_MODELS) {
				fprintf(stderr, "avshadow: at most %d models\n", MAX_MODELS);
				return 2;
			}
			o.models[o.nmodels] = avs_model_option(optarg, err, sizeof(err));
			if (!o.models[o.nmodels++]) {
				fprintf(stderr, "avshadow: %s\n", err);
				return 2;
			}
			break;
		case 'w':
			o.whatif = true;
			break;
		case 'r':
			o.max_replays = strtoul(optarg, NULL, 10);
			break;
		case 'n':
			o.minimize = false;
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
	if (!o.nmodels)
		o.models[o.nmodels++] = avs_model_option("auto", err, sizeof(err));
	if (avs_event_log_read(&log, argv[optind], &st, err, sizeof(err)) < 0) {
		fprintf(stderr, "avshadow: %s\n", err);
		avs_event_log_free(&log);
		return 2;
	}
	if (st.truncated)
		fprintf(stderr, "avshadow: warning: %s is truncated; %lu whole "
			"events used\n", argv[optind], st.events);
	for (i = 0; i < o.nmodels; i++) {
		printf("%s (%s)\n", o.models[i]->name, o.models[i]->kernels);
		total += recorded(&log, o.models[i], o.minimize);
		if (o.whatif)
			total += whatif(&log, o.models[i], &o);
	}
	avs_event_log_free(&log);
	return total ? 1 : 0;
}
