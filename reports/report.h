/* SPDX-License-Identifier: MIT */
/*
 * The report of one input (a trace, the text form or a capture folder):
 * built in one or two passes over the stream, then printed as text, JSON
 * (docs/REPORTS.md, docs/report.schema.json), a Graphviz picture of the
 * graph or folded stacks for flame graphs.
 */
#ifndef AVS_REPORTS_REPORT_H
#define AVS_REPORTS_REPORT_H

#include <stdbool.h>
#include <stdio.h>
#include "capture_report.h"
#include "summary.h"
#include "report_origins.h"
#include "stacks.h"

struct avs_symbolizer;

#define AVS_REPORT_SCHEMA_VERSION 1
#define AVS_REPORT_HIST_BUCKETS 8	/* visits 1, 2, 3-4, ... 65+ (0: none) */
#define AVS_REPORT_LIST_MAX 5		/* deepest chains, largest domains */
#define AVS_REPORT_MAX_STACKS 8		/* origins listed per family */

enum avs_report_format {
	AVS_FMT_TEXT,
	AVS_FMT_JSON,
	AVS_FMT_DOT,
	AVS_FMT_SVG,
	AVS_FMT_FOLDED,
};

struct avs_report_request {
	struct avs_report_opts o;	/* models, check, at_end, top */
	const char *at_label;		/* the last checkpoint of that label */
	enum avs_report_format format;
	bool progress;			/* a progress line on a terminal */
};

struct avs_report_chain {		/* one VMA and its chain length */
	uint32_t pid;
	uint64_t start, end, length;
};

struct avs_report_origin {		/* who built part of a family */
	bool fork;			/* the fork of the VMA's process, else
					   the call that mapped it */
	uint32_t stack;			/* interned stack, 0: not recorded */
	uint64_t vmas;			/* VMAs of the family it accounts for */
};

struct avs_report_family {
	struct avs_family_cost cost;
	uint64_t procs;
	struct avs_report_origin origin[AVS_REPORT_MAX_STACKS];
	size_t norigins;
};

struct avs_report_domain {		/* a root and its lock domain */
	uint64_t root_id, anon_vmas, avcs, vmas, procs;
};

struct avs_report_model {
	struct avs_summary s;
	unsigned long invariant_failures;
	uint64_t useful;
	uint64_t hist[AVS_REPORT_HIST_BUCKETS];
	struct avs_report_chain deepest[AVS_REPORT_LIST_MAX];
	size_t ndeepest;
	struct avs_report_domain largest[AVS_REPORT_LIST_MAX];
	size_t nlargest;
	struct avs_hazard *hazards;	/* copies, at most 10 */
	size_t nhazards_listed;
	struct avs_report_family *family;	/* top families by visits */
	size_t nfamilies;
};

/* Per-stack rmap cost, for folded output: visits to VMAs mapped there. */
struct avs_report_cost_line {
	char comm[32];
	uint32_t map_stack, fork_stack;
	uint64_t visits;
};

struct avs_report {
	const char *path;
	const char *form;		/* "text", "binary" or "folder" */
	char *error;			/* unreadable / corrupt input, or NULL */
	bool truncated;
	size_t bytes_lost;
	size_t files, truncated_files;
	unsigned long records_skipped, starts_to_exec, exits_dropped;
	unsigned long exits_inferred;
	char *capture_desc;		/* avs_trace_dir_describe() lines */
	/* the stream */
	uint64_t events, direct, inferred, runtime, failed, with_stack;
	uint64_t kinds[AVS_EV_NR_TYPES];
	/* the state reported */
	const char *state;		/* "end", "peak" or "checkpoint" */
	const char *label;		/* the checkpoint's */
	uint64_t at_event;
	/* per rule set */
	struct avs_report_model model[AVS_REPORT_MAX_MODELS];
	size_t nmodels;
	unsigned top;
	bool check;			/* invariants checked */
	/* the first rule set's attributions */
	struct avs_report_cost_line *cost;
	size_t ncost;
	struct avs_stacks *stacks;
	struct avs_symbolizer *sym;	/* made on first use */
	char *dot;			/* --format dot|svg: the graph */
};

/*
 * Build the report of path.  Warnings go to warn.  Returns NULL only for
 * a bad request (unknown model: message on warn, *status 2); otherwise
 * *status is 0, 1 if an invariant broke, 2 if the input is unreadable or
 * corrupt (report->error; the report covers what was read before it).
 */
struct avs_report *avs_report_build(const char *path,
				    const struct avs_report_request *rq,
				    FILE *warn, int *status);
void avs_report_free(struct avs_report *r);

/* Per-model figures of a shadow (report_figures.c). */
void avs_report_figures(const struct avs_shadow *sh,
			const struct avs_origins *orig, unsigned top,
			struct avs_report_model *m);
void avs_report_model_release(struct avs_report_model *m);
/* rmap visits per VMA attributed to the stacks that made it. */
void avs_report_costs(const struct avs_shadow *sh,
		      const struct avs_origins *orig, struct avs_report *r);

void avs_report_print_text(struct avs_report *r, FILE *out);
/* JSON; returns 0, -1 if out could not be written. */
int avs_report_print_json(struct avs_report *r, FILE *out);
void avs_report_print_folded(struct avs_report *r, FILE *out);

/* The JSON report of input written to path (avshadow run's report.json);
 * returns the exit status as avs_report_path(). */
int avs_report_json_file(const char *input, const char *path, FILE *warn);

/* "func (file.c:12)" or "module+0xOFF" or "0xIP", into buf. */
const char *avs_report_frame_name(struct avs_report *r,
				  const struct avs_stack_frame *f, char *buf,
				  size_t len);

#endif
