/* SPDX-License-Identifier: MIT */
/*
 * Building a report: one pass over the stream feeds a shadow per rule set
 * and counts what the stream holds; a second pass stops at the state to
 * report (the peak, or a checkpoint) when that is not the end, since the
 * shadow cannot go back.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "graph.h"
#include "model_option.h"
#include "report.h"
#include "symbolize.h"
#include "trace_dir.h"

#define MAX_DIAG 20

struct build {
	struct avs_report *r;
	const struct avs_report_request *rq;
	struct avs_shadow *sh[AVS_REPORT_MAX_MODELS];
	unsigned long failures[AVS_REPORT_MAX_MODELS];
	size_t n;
	struct avs_origins *orig;
	FILE *warn;
	unsigned long diag_printed;
	bool first_pass;
	/* the peak: most anon folios + AVCs live, after event peak_at */
	uint64_t events, peak, peak_at, label_at;
	uint64_t stop_after;	/* second pass: stop there (0: never) */
	/* progress line */
	bool tty, shown;
	struct timespec t0;
};

static void diag(void *arg, const char *msg)
{
	struct build *b = arg;

	if (b->warn && b->first_pass && b->diag_printed++ < MAX_DIAG)
		fprintf(b->warn, "avshadow: warning: %s\n", msg);
}

static void progress(struct build *b)
{
	struct timespec t;
	double dt;

	if (!b->tty || (b->events & 0xffff))
		return;
	clock_gettime(CLOCK_MONOTONIC, &t);
	dt = (double)(t.tv_sec - b->t0.tv_sec) +
	     (double)(t.tv_nsec - b->t0.tv_nsec) / 1e9;
	if (dt < 1.0)
		return;
	fprintf(stderr, "\ravshadow: %s: %llu events%s (%.0f s)\033[K",
		b->r->path, (unsigned long long)b->events,
		b->first_pass ? "" : ", replaying to the reported state", dt);
	b->shown = true;
}

static bool is_label(const struct avs_event *ev, const char *label)
{
	return label && ev->type == AVS_EV_CHECKPOINT &&
	       ev->str_len == strlen(label) &&
	       !memcmp(ev->str, label, ev->str_len);
}

static void count(struct avs_report *r, const struct avs_event *ev,
		  uint32_t stack)
{
	r->events++;
	r->inferred += !!(ev->flags & AVS_EVF_INFERRED);
	r->runtime += !!(ev->flags & AVS_EVF_RUNTIME);
	r->failed += !!(ev->flags & AVS_EVF_FAILED);
	r->with_stack += stack != 0;
	if (ev->type < AVS_EV_NR_TYPES)
		r->kinds[ev->type]++;
}

static int feed_cb(void *arg, const struct avs_event *ev)
{
	struct build *b = arg;
	uint32_t stack = avs_stacks_event(b->r->stacks, ev);
	const struct avs_counts *c;
	size_t i;

	for (i = 0; i < b->n; i++)
		if (avs_shadow_apply(b->sh[i], ev) < 0)
			b->failures[i]++;
	avs_origins_event(b->orig, ev, stack);
	if (b->first_pass)
		count(b->r, ev, stack);
	b->events++;
	c = avs_shadow_counts(b->sh[0]);
	if (c->folios + c->avcs > b->peak) {
		b->peak = c->folios + c->avcs;
		b->peak_at = b->events;
	}
	if (is_label(ev, b->rq->at_label))
		b->label_at = b->events;
	progress(b);
	return b->stop_after && b->events >= b->stop_after;
}

static int read_all(struct build *b, struct avs_trace_dir_status *ds,
		    struct avs_input_status *st, char *err, size_t len)
{
	bool dir = strcmp(b->r->path, "-") && avs_is_dir(b->r->path);

	if (dir)
		return avs_read_trace_dir(b->r->path, feed_cb, b, ds, err, len);
	return avs_read_input(b->r->path, feed_cb, b, st, err, len);
}

static int new_shadows(struct build *b, const struct avs_report_opts *o)
{
	char err[512];
	size_t i;

	for (i = 0; i < b->n; i++) {
		const struct avs_rules *rules = avs_model_option(
			o->nmodels ? o->models[i] : "auto", err, sizeof(err));

		if (!rules || !(b->sh[i] = avs_shadow_new(rules))) {
			if (b->warn)
				fprintf(b->warn, "avshadow: %s\n",
					rules ? "out of memory" : err);
			return -1;
		}
		if (i == 0)	/* warnings once */
			avs_shadow_set_diag(b->sh[i], diag, b);
		avs_shadow_set_check_each_event(b->sh[i], o->check);
	}
	return 0;
}

/* Replay again up to event stop (the shadow only goes forward). */
static int rewind_to(struct build *b, uint64_t stop)
{
	struct avs_trace_dir_status ds = { 0 };
	struct avs_input_status st;
	char err[512];
	size_t i;
	int ret;

	for (i = 0; i < b->n; i++) {
		const struct avs_rules *rules = avs_shadow_rules(b->sh[i]);

		avs_shadow_free(b->sh[i]);
		b->sh[i] = avs_shadow_new(rules);
		if (!b->sh[i])
			abort();
		avs_shadow_set_check_each_event(b->sh[i], b->rq->o.check);
		b->failures[i] = 0;
	}
	avs_stacks_reset_pids(b->r->stacks);
	avs_origins_reset(b->orig);
	b->first_pass = false;
	b->stop_after = stop;
	b->events = 0;
	b->peak = 0;
	ret = read_all(b, &ds, &st, err, sizeof(err));
	avs_trace_dir_status_free(&ds);
	return ret < 0 ? -1 : 0;
}

static void input_status(struct avs_report *r, bool dir,
			 const struct avs_trace_dir_status *ds,
			 const struct avs_input_status *st)
{
	if (dir) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f;

		r->form = "folder";
		r->files = ds->nfiles;
		r->truncated = ds->truncated_files > 0;
		r->truncated_files = ds->truncated_files;
		r->bytes_lost = ds->bytes_lost;
		r->records_skipped = ds->skipped;
		r->starts_to_exec = ds->starts_to_exec;
		r->exits_dropped = ds->exits_dropped;
		r->exits_inferred = ds->exits_inferred;
		if (ds->nfiles && (f = open_memstream(&buf, &len))) {
			avs_trace_dir_describe(r->path, ds, f);
			fclose(f);
			r->capture_desc = buf;
		}
	} else {
		r->form = st->binary ? "binary" : "text";
		r->files = 1;
		r->truncated = st->truncated;
		r->truncated_files = st->truncated;
		r->bytes_lost = st->bytes_lost;
	}
	r->direct = r->events - r->inferred;
}

static void warn_damage(struct avs_report *r, FILE *warn)
{
	if (!warn)
		return;
	if (!strcmp(r->form, "folder")) {
		if (r->records_skipped || r->truncated_files)
			fprintf(warn, "avshadow: warning: %s: %lu cut record%s "
				"skipped, %zu truncated file%s\n", r->path,
				r->records_skipped,
				r->records_skipped == 1 ? "" : "s",
				r->truncated_files,
				r->truncated_files == 1 ? "" : "s");
	} else if (r->truncated) {
		fprintf(warn, "avshadow: warning: %s is truncated: the last "
			"%zu bytes hold a partial record; %llu whole events "
			"used\n", r->path, r->bytes_lost,
			(unsigned long long)r->events);
	}
}

/* Which state to report, replaying to it if it is not the end. */
static int choose_state(struct build *b, int status)
{
	struct avs_report *r = b->r;
	uint64_t total = b->events, stop = 0;

	r->state = "end";
	r->at_event = total;
	if (b->rq->at_label) {
		if (!b->label_at) {
			if (b->warn)
				fprintf(b->warn, "avshadow: no checkpoint '%s' "
					"in %s\n", b->rq->at_label, r->path);
			return 1;
		}
		r->state = "checkpoint";
		r->label = b->rq->at_label;
		stop = b->label_at;
	} else if (!b->rq->o.at_end && status == 0 && b->peak_at &&
		   b->peak_at < total) {
		r->state = "peak";
		stop = b->peak_at;
	}
	if (stop && stop < total) {
		if (rewind_to(b, stop) < 0)
			return 2;
		r->at_event = b->events;
	}
	return status;
}

struct avs_report *avs_report_build(const char *path,
				    const struct avs_report_request *rq,
				    FILE *warn, int *status)
{
	struct avs_trace_dir_status ds = { 0 };
	struct avs_input_status st = { 0 };
	struct build b = { .rq = rq, .warn = warn, .first_pass = true };
	struct avs_report *r = calloc(1, sizeof(*r));
	char err[512];
	size_t i;

	if (!r)
		abort();
	r->path = path;
	r->top = rq->o.top;
	r->check = rq->o.check;
	r->stacks = avs_stacks_new();
	b.orig = avs_origins_new();
	if (!r->stacks || !b.orig)
		abort();
	b.r = r;
	b.n = rq->o.nmodels ? rq->o.nmodels : 1;
	*status = 0;
	if (new_shadows(&b, &rq->o) < 0) {
		*status = 2;
		for (i = 0; i < b.n; i++)
			if (b.sh[i])
				avs_shadow_free(b.sh[i]);
		avs_origins_free(b.orig);
		avs_report_free(r);
		return NULL;
	}
	b.tty = rq->progress && isatty(STDERR_FILENO);
	clock_gettime(CLOCK_MONOTONIC, &b.t0);

	if (read_all(&b, &ds, &st, err, sizeof(err)) < 0) {
		r->error = strdup(err);
		if (warn)
			fprintf(warn, "%savshadow: %s\n", b.shown ? "\r\033[K" : "",
				err);
		b.shown = false;
		*status = 2;
	}
	if (warn && b.diag_printed > MAX_DIAG)
		fprintf(warn, "avshadow: ... %lu more warnings\n",
			b.diag_printed - MAX_DIAG);
	input_status(r, strcmp(path, "-") && avs_is_dir(path), &ds, &st);
	warn_damage(r, warn);
	*status = choose_state(&b, *status);

	/* the figures take about as long as reading for a large stream */
	if (b.tty && b.events >= (1u << 19)) {
		fprintf(stderr, "\ravshadow: %s: %llu events read, computing "
			"the report\033[K", path, (unsigned long long)b.events);
		b.shown = true;
	}
	r->nmodels = b.n;
	for (i = 0; i < b.n; i++) {
		avs_report_figures(b.sh[i], b.orig, rq->o.top, &r->model[i]);
		r->model[i].invariant_failures = b.failures[i];
		if (b.failures[i] && !*status)
			*status = 1;
	}
	avs_report_costs(b.sh[0], b.orig, r);
	if (rq->format == AVS_FMT_DOT || rq->format == AVS_FMT_SVG) {
		size_t len = 0;
		FILE *f = open_memstream(&r->dot, &len);

		if (!f)
			abort();
		avs_graph_dot(b.sh[0], r->label ? r->label : r->state, f);
		fclose(f);
	}
	if (b.shown)
		fputs("\r\033[K", stderr);
	for (i = 0; i < b.n; i++)
		avs_shadow_free(b.sh[i]);
	avs_origins_free(b.orig);
	avs_trace_dir_status_free(&ds);
	return r;
}

void avs_report_free(struct avs_report *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->nmodels; i++)
		avs_report_model_release(&r->model[i]);
	free(r->error);
	free(r->capture_desc);
	free(r->cost);
	free(r->dot);
	avs_symbolizer_free(r->sym);
	avs_stacks_free(r->stacks);
	free(r);
}
