/* SPDX-License-Identifier: MIT */
/*
 * avshadow report: the summary of a capture folder (its traces merged by
 * seq), or of a single trace or text stream: the replay summary, preceded
 * for a folder by how its files were read.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "capture_report.h"
#include "commands.h"
#include "model_option.h"
#include "summary.h"
#include "trace_dir.h"

#define MAX_DIAG 20

struct feed {
	struct avs_shadow *sh[AVS_REPORT_MAX_MODELS];
	unsigned long failures[AVS_REPORT_MAX_MODELS];
	size_t n;
	FILE *diag;
	unsigned long diag_printed;
	/* the peak: most anon folios + AVCs live, after event peak_at */
	uint64_t events, peak, peak_at;
	uint64_t stop_after;	/* second pass: stop there (0: never) */
};

static void diag(void *arg, const char *msg)
{
	struct feed *f = arg;

	if (f->diag && f->diag_printed++ < MAX_DIAG)
		fprintf(f->diag, "avshadow: warning: %s\n", msg);
}

static int feed_cb(void *arg, const struct avs_event *ev)
{
	struct feed *f = arg;
	const struct avs_counts *c;
	size_t i;

	for (i = 0; i < f->n; i++)
		if (avs_shadow_apply(f->sh[i], ev) < 0)
			f->failures[i]++;
	c = avs_shadow_counts(f->sh[0]);
	if (++f->events && c->folios + c->avcs > f->peak) {
		f->peak = c->folios + c->avcs;
		f->peak_at = f->events;
	}
	return f->stop_after && f->events >= f->stop_after;
}

/* Replay again up to the peak (processes are gone by the end of a run:
 * the peak shows what the rmap held at its largest). */
static int rewind_to_peak(const char *path, bool dir, struct feed *f,
			  const struct avs_report_opts *o)
{
	struct avs_trace_dir_status ds = { 0 };
	struct avs_input_status st;
	char err[512];
	size_t i;
	int ret;

	for (i = 0; i < f->n; i++) {
		const struct avs_rules *rules = avs_shadow_rules(f->sh[i]);

		avs_shadow_free(f->sh[i]);
		f->sh[i] = avs_shadow_new(rules);
		if (!f->sh[i])
			return -1;
		avs_shadow_set_check_each_event(f->sh[i], o->check);
		f->failures[i] = 0;
	}
	f->stop_after = f->peak_at;
	f->events = 0;
	f->peak = 0;
	ret = dir ? avs_read_trace_dir(path, feed_cb, f, &ds, err, sizeof(err))
		  : avs_read_input(path, feed_cb, f, &st, err, sizeof(err));
	avs_trace_dir_status_free(&ds);
	return ret < 0 ? -1 : 0;
}

static void print_report(const char *path, struct feed *f,
			 const struct avs_report_opts *o, FILE *out)
{
	struct avs_summary s[AVS_REPORT_MAX_MODELS];
	size_t i;

	if (f->n == 1) {
		avs_report_summary(f->sh[0], out, o->top);
		if (o->check)
			fprintf(out, "  invariants       %s (%lu events broke "
				"one)\n", f->failures[0] ? "BROKEN" :
				"hold after every event", f->failures[0]);
		return;
	}
	for (i = 0; i < f->n; i++)
		avs_summary_compute(f->sh[i], &s[i]);
	fprintf(out, "avshadow: %s under %zu rule sets\n", path, f->n);
	avs_report_table(s, f->n, out);
}

int avs_report_path(const char *path, const struct avs_report_opts *o,
		    FILE *out, FILE *warn)
{
	struct feed f = { .diag = warn };
	struct avs_trace_dir_status ds = { 0 };
	struct avs_input_status st = { 0 };
	bool dir = strcmp(path, "-") && avs_is_dir(path);
	char err[512];
	int ret, status = 0;
	size_t i;

	f.n = o->nmodels ? o->nmodels : 1;
	for (i = 0; i < f.n; i++) {
		const struct avs_rules *rules = avs_model_option(
			o->nmodels ? o->models[i] : "auto", err, sizeof(err));

		if (!rules || !(f.sh[i] = avs_shadow_new(rules))) {
			if (warn)
				fprintf(warn, "avshadow: %s\n",
					rules ? "out of memory" : err);
			status = 2;
			goto out;
		}
		if (i == 0)	/* warnings once */
			avs_shadow_set_diag(f.sh[i], diag, &f);
		avs_shadow_set_check_each_event(f.sh[i], o->check);
	}

	if (dir)
		ret = avs_read_trace_dir(path, feed_cb, &f, &ds, err, sizeof(err));
	else
		ret = avs_read_input(path, feed_cb, &f, &st, err, sizeof(err));
	if (ret < 0) {
		if (warn)
			fprintf(warn, "avshadow: %s\n", err);
		status = 2;
	}
	if (warn && f.diag_printed > MAX_DIAG)
		fprintf(warn, "avshadow: ... %lu more warnings\n",
			f.diag_printed - MAX_DIAG);
	if (dir) {
		if (ds.nfiles)
			avs_trace_dir_describe(path, &ds, out);
		if (warn && (ds.skipped || ds.truncated_files))
			fprintf(warn, "avshadow: warning: %s: %lu cut record%s "
				"skipped, %zu truncated file%s\n", path,
				ds.skipped, ds.skipped == 1 ? "" : "s",
				ds.truncated_files,
				ds.truncated_files == 1 ? "" : "s");
	} else if (warn && st.truncated) {
		fprintf(warn, "avshadow: warning: %s is truncated: the last "
			"%zu bytes hold a partial record; %lu whole events "
			"used\n", path, st.bytes_lost, st.events);
	}
	if (!o->at_end && status == 0 && f.peak_at && f.peak_at < f.events) {
		uint64_t total = f.events;

		if (rewind_to_peak(path, dir, &f, o) == 0)
			fprintf(out, "state at the peak: after event %llu of %llu "
				"(most anon folios and AVCs live; --at-end for "
				"the end)\n", (unsigned long long)f.events,
				(unsigned long long)total);
	}
	print_report(path, &f, o, out);
	for (i = 0; i < f.n; i++)
		if (f.failures[i] && !status)
			status = 1;
out:
	for (i = 0; i < f.n; i++)
		if (f.sh[i])
			avs_shadow_free(f.sh[i]);
	avs_trace_dir_status_free(&ds);
	return status;
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "check", no_argument, NULL, 'c' },
		{ "top", required_argument, NULL, 't' },
		{ "model", required_argument, NULL, 'm' },
		{ "at-end", no_argument, NULL, 'e' },
		{ 0 }
	};
	static const char usage[] =
		"usage: avshadow report [--model M ...] [--check] [--top N] "
		"[--at-end] DIR|INPUT\n";
	struct avs_report_opts o = { .top = 10 };
	char *end;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o.check = true;
			break;
		case 'e':
			o.at_end = true;
			break;
		case 't':
			o.top = (unsigned)strtoul(optarg, &end, 10);
			if (!*optarg || *end) {
				fprintf(stderr, "avshadow: bad --top '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'm':
			if (o.nmodels == AVS_REPORT_MAX_MODELS) {
				fprintf(stderr, "avshadow: at most %d models\n",
					AVS_REPORT_MAX_MODELS);
				return 2;
			}
			o.models[o.nmodels++] = optarg;
			break;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		fputs(usage, stderr);
		return 2;
	}
	return avs_report_path(argv[optind], &o, stdout, stderr);
}
