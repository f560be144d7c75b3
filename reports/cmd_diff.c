/* SPDX-License-Identifier: MIT */
/*
 * avshadow diff BASE NEW: compare two reports (JSON of `avshadow report
 * --format json`, or inputs reported first) metric by metric, rule set by
 * rule set; with --max-increase METRIC=PCT, status 1 when that metric grew
 * by more than PCT percent (a regression check for CI).
 */
#include <getopt.h>
#include <json-c/json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "report.h"

/* Metric names and where they are in a report's model (docs/REPORTS.md). */
static const struct metric {
	const char *name, *key, *sub;
} metrics[] = {
	{ "processes", "processes", NULL },
	{ "forks", "forks", NULL },
	{ "vmas", "vmas", NULL },
	{ "anon_vmas", "anon_vmas", NULL },
	{ "avcs", "avcs", NULL },
	{ "fork_anon_vmas", "fork_anon_vmas", NULL },
	{ "fork_avcs", "fork_avcs", NULL },
	{ "metadata_bytes", "metadata_bytes", NULL },
	{ "folios", "rmap", "folios" },
	{ "visits", "rmap", "visits" },
	{ "useless_visits", "rmap", "useless" },
	{ "visits_mean", "rmap", "mean" },
	{ "visits_p99", "rmap", "p99" },
	{ "visits_max", "rmap", "max" },
	{ "chain_mean", "chains", "mean" },
	{ "chain_max", "chains", "max" },
	{ "lock_domains", "lock_domains", "count" },
	{ "lock_domain_max_vmas", "lock_domains", "max_vmas" },
	{ "hazards", "hazards", "count" },
	{ "misfits", "misfits", NULL },
};
#define NMETRICS (sizeof(metrics) / sizeof(metrics[0]))

struct limit {
	size_t metric;
	double pct;
};

static const struct metric *find_metric(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < NMETRICS; i++)
		if (strlen(metrics[i].name) == len &&
		    !strncmp(metrics[i].name, name, len))
			return &metrics[i];
	return NULL;
}

static bool value(json_object *model, const struct metric *m, double *v)
{
	json_object *o;

	if (!json_object_object_get_ex(model, m->key, &o))
		return false;
	if (m->sub && !json_object_object_get_ex(o, m->sub, &o))
		return false;
	if (!json_object_is_type(o, json_type_int) &&
	    !json_object_is_type(o, json_type_double))
		return false;
	*v = json_object_get_double(o);
	return true;
}

/* A report: a JSON file as written by report --format json, or the report
 * of any input. */
static json_object *load(const char *path, const struct avs_report_opts *o)
{
	struct avs_report_request rq = { .o = *o, .format = AVS_FMT_JSON };
	json_object *j = NULL, *v;
	struct avs_report *r;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int status, c;

	f = strcmp(path, "-") ? fopen(path, "r") : NULL;
	c = f ? getc(f) : EOF;
	while (c == ' ' || c == '\n' || c == '\t' || c == '\r')
		c = getc(f);
	if (f)
		fclose(f);
	if (c == '{') {
		j = json_object_from_file(path);
		if (!j)
			fprintf(stderr, "avshadow diff: %s: not a JSON report: %s\n",
				path, json_util_get_last_err());
	} else {
		r = avs_report_build(path, &rq, stderr, &status);
		if (!r || status == 2 || !(f = open_memstream(&buf, &len))) {
			avs_report_free(r);
			return NULL;
		}
		avs_report_print_json(r, f);
		fclose(f);
		avs_report_free(r);
		j = json_tokener_parse(buf);
		free(buf);
	}
	if (j && (!json_object_object_get_ex(j, "schema_version", &v) ||
		  json_object_get_int(v) != AVS_REPORT_SCHEMA_VERSION ||
		  !json_object_object_get_ex(j, "models", &v) ||
		  !json_object_is_type(v, json_type_array))) {
		fprintf(stderr, "avshadow diff: %s: not a report of schema "
			"version %d\n", path, AVS_REPORT_SCHEMA_VERSION);
		json_object_put(j);
		j = NULL;
	}
	return j;
}

static json_object *model_named(json_object *report, const char *rules)
{
	json_object *ms, *m, *r;
	size_t i;

	json_object_object_get_ex(report, "models", &ms);
	for (i = 0; i < json_object_array_length(ms); i++) {
		m = json_object_array_get_idx(ms, i);
		if (json_object_object_get_ex(m, "rules", &r) &&
		    !strcmp(json_object_get_string(r), rules))
			return m;
	}
	return NULL;
}

/* One table per rule set present in both; returns how many limits failed. */
static int compare(json_object *base, json_object *new_, const struct limit *lim,
		   size_t nlim)
{
	json_object *ms, *nm, *bm, *r;
	int failed = 0;
	size_t i, k, l;

	json_object_object_get_ex(new_, "models", &ms);
	printf("  %-22s %-18s %14s %14s %10s\n", "metric", "rules", "base",
	       "new", "change");
	for (i = 0; i < json_object_array_length(ms); i++) {
		const char *rules;

		nm = json_object_array_get_idx(ms, i);
		if (!json_object_object_get_ex(nm, "rules", &r))
			continue;
		rules = json_object_get_string(r);
		if (!(bm = model_named(base, rules))) {
			printf("  (rule set %s only in NEW)\n", rules);
			continue;
		}
		for (k = 0; k < NMETRICS; k++) {
			double b, n, pct;
			char change[32];

			if (!value(bm, &metrics[k], &b) ||
			    !value(nm, &metrics[k], &n))
				continue;
			pct = b != 0 ? (n - b) * 100.0 / fabs(b) :
			      n > 0 ? INFINITY : 0;
			if (n == b)
				snprintf(change, sizeof(change), "=");
			else if (isinf(pct))
				snprintf(change, sizeof(change), "new");
			else
				snprintf(change, sizeof(change), "%+.1f%%", pct);
			printf("  %-22s %-18s %14.10g %14.10g %10s\n",
			       metrics[k].name, rules, b, n, change);
			for (l = 0; l < nlim; l++) {
				if (lim[l].metric != k || !(pct > lim[l].pct))
					continue;
				failed++;
				fprintf(stderr, "avshadow diff: %s grew %s%.1f%% "
					"(%.10g -> %.10g) under %s, more than "
					"the %.10g%% allowed\n", metrics[k].name,
					isinf(pct) ? "from 0 by " : "by ",
					isinf(pct) ? 100.0 : pct, b, n, rules,
					lim[l].pct);
			}
		}
	}
	return failed;
}

int cmd_diff(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "max-increase", required_argument, NULL, 'x' },
		{ "model", required_argument, NULL, 'm' },
		{ 0 }
	};
	static const char usage[] =
		"usage: avshadow diff [--model M ...] [--max-increase METRIC=PCT ...] "
		"BASE NEW\n";
	struct avs_report_opts o = { .top = 10 };
	struct limit lim[NMETRICS * 2];
	size_t nlim = 0;
	json_object *base, *new_;
	int c, failed;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		const struct metric *m;
		const char *eq;
		char *end;

		switch (c) {
		case 'x':
			eq = strchr(optarg, '=');
			m = eq ? find_metric(optarg, (size_t)(eq - optarg)) : NULL;
			if (!m || nlim == NMETRICS * 2) {
				size_t i;

				fprintf(stderr, "avshadow diff: bad --max-increase "
					"'%s': METRIC=PCT, METRIC one of", optarg);
				for (i = 0; i < NMETRICS; i++)
					fprintf(stderr, " %s", metrics[i].name);
				fputc('\n', stderr);
				return 2;
			}
			lim[nlim].metric = (size_t)(m - metrics);
			lim[nlim].pct = strtod(eq + 1, &end);
			if (!eq[1] || *end || lim[nlim].pct < 0) {
				fprintf(stderr, "avshadow diff: bad percentage "
					"in '%s'\n", optarg);
				return 2;
			}
			nlim++;
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
	if (optind != argc - 2) {
		fputs(usage, stderr);
		return 2;
	}
	base = load(argv[optind], &o);
	new_ = base ? load(argv[optind + 1], &o) : NULL;
	if (!base || !new_) {
		json_object_put(base);
		return 2;
	}
	printf("avshadow diff: %s -> %s\n", argv[optind], argv[optind + 1]);
	failed = compare(base, new_, lim, nlim);
	json_object_put(base);
	json_object_put(new_);
	return failed ? 1 : 0;
}
