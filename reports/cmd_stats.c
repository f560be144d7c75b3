/* SPDX-License-Identifier: MIT */
/*
 * avshadow stats: what an input holds, as JSON on stdout: events per kind
 * and per process, seen directly or inferred, done by the runtime, failed
 * syscalls; for a capture folder, its files, cut records skipped and
 * truncated files.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "input.h"
#include "trace_dir.h"

struct counts {
	unsigned long events, inferred, runtime, failed;
	unsigned long kinds[AVS_EV_NR_TYPES];
};

struct proc {
	uint32_t pid;
	char *name;		/* last start comm or exec path */
	struct counts c;
};

struct stats {
	struct counts all;
	struct proc *procs;
	size_t nprocs, cap;
	size_t *slot;		/* hash of pids: index + 1, 0 empty */
	size_t nslots;
};

static void count(struct counts *c, const struct avs_event *ev)
{
	c->events++;
	c->inferred += !!(ev->flags & AVS_EVF_INFERRED);
	c->runtime += !!(ev->flags & AVS_EVF_RUNTIME);
	c->failed += !!(ev->flags & AVS_EVF_FAILED);
	if (ev->type < AVS_EV_NR_TYPES)
		c->kinds[ev->type]++;
}

static size_t *find_slot(struct stats *s, uint32_t pid)
{
	size_t mask = s->nslots - 1, i;

	for (i = (pid * 2654435761u) & mask;; i = (i + 1) & mask)
		if (!s->slot[i] || s->procs[s->slot[i] - 1].pid == pid)
			return &s->slot[i];
}

static struct proc *proc_of(struct stats *s, uint32_t pid)
{
	size_t *slot, i;

	if ((s->nprocs + 1) * 2 > s->nslots) {
		free(s->slot);
		s->nslots = s->nslots ? s->nslots * 2 : 64;
		s->slot = calloc(s->nslots, sizeof(*s->slot));
		if (!s->slot)
			abort();
		for (i = 0; i < s->nprocs; i++)
			*find_slot(s, s->procs[i].pid) = i + 1;
	}
	slot = find_slot(s, pid);
	if (!*slot) {
		if (s->nprocs == s->cap) {
			s->cap = s->cap ? s->cap * 2 : 64;
			s->procs = realloc(s->procs, s->cap * sizeof(*s->procs));
			if (!s->procs)
				abort();
		}
		memset(&s->procs[s->nprocs], 0, sizeof(*s->procs));
		s->procs[s->nprocs].pid = pid;
		*slot = ++s->nprocs;
	}
	return &s->procs[*slot - 1];
}

static int stats_cb(void *arg, const struct avs_event *ev)
{
	struct stats *s = arg;
	struct proc *p = proc_of(s, ev->pid);

	count(&s->all, ev);
	count(&p->c, ev);
	if ((ev->type == AVS_EV_START || ev->type == AVS_EV_EXEC) &&
	    ev->str_len) {
		free(p->name);
		p->name = strndup(ev->str, ev->str_len);
		if (!p->name)
			abort();
	}
	return 0;
}

static void json_str(const char *s, size_t n, FILE *out)
{
	size_t i;

	fputc('"', out);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)	/* bytes, maybe not UTF-8 */
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void json_counts(const struct counts *c, bool all_kinds, FILE *out)
{
	unsigned t;
	bool first = true;

	fprintf(out, "\"events\": %lu, \"direct\": %lu, \"inferred\": %lu, "
		"\"runtime\": %lu, \"failed\": %lu, \"kinds\": {", c->events,
		c->events - c->inferred, c->inferred, c->runtime, c->failed);
	for (t = AVS_EV_NONE + 1; t < AVS_EV_NR_TYPES; t++) {
		if (!all_kinds && !c->kinds[t])
			continue;
		fprintf(out, "%s\"%s\": %lu", first ? "" : ", ",
			avs_event_type_name(t), c->kinds[t]);
		first = false;
	}
	fputc('}', out);
}

static int cmp_proc(const void *a, const void *b)
{
	uint32_t x = ((const struct proc *)a)->pid;
	uint32_t y = ((const struct proc *)b)->pid;

	return x < y ? -1 : x > y;
}

static void print_json(const char *path, bool dir,
		       const struct avs_trace_dir_status *ds,
		       const struct avs_input_status *st, struct stats *s,
		       FILE *out)
{
	size_t i;

	fputs("{\n  \"input\": ", out);
	json_str(path, strlen(path), out);
	fprintf(out, ",\n  \"form\": \"%s\",\n  \"files\": [",
		dir ? "folder" : st->binary ? "binary" : "text");
	if (dir) {
		for (i = 0; i < ds->nfiles; i++) {
			const struct avs_trace_file_status *f = &ds->files[i];

			fprintf(out, "%s\n    {\"name\": ", i ? "," : "");
			json_str(f->name, strlen(f->name), out);
			fprintf(out, ", \"records\": %lu, \"skipped\": %lu, "
				"\"truncated\": %s, \"bytes_lost\": %zu, "
				"\"stopped\": %s}", f->records, f->skipped,
				f->truncated ? "true" : "false", f->bytes_lost,
				f->stopped ? "true" : "false");
		}
	} else {
		fputs("\n    {\"name\": ", out);
		json_str(path, strlen(path), out);
		fprintf(out, ", \"records\": %lu, \"skipped\": 0, "
			"\"truncated\": %s, \"bytes_lost\": %zu, "
			"\"stopped\": false}", st->events,
			st->truncated ? "true" : "false", st->bytes_lost);
	}
	fprintf(out, "\n  ],\n  \"files_read\": %zu,\n  \"records_skipped\": "
		"%lu,\n  \"truncated_files\": %zu,\n  \"starts_read_as_exec\": "
		"%lu,\n  \"exits_dropped\": %lu,\n  ",
		dir ? ds->nfiles : 1, dir ? ds->skipped : 0,
		dir ? ds->truncated_files : (size_t)st->truncated,
		dir ? ds->starts_to_exec : 0, dir ? ds->exits_dropped : 0);
	json_counts(&s->all, true, out);
	fputs(",\n  \"processes\": [", out);
	if (s->nprocs)
		qsort(s->procs, s->nprocs, sizeof(*s->procs), cmp_proc);
	for (i = 0; i < s->nprocs; i++) {
		const struct proc *p = &s->procs[i];

		fprintf(out, "%s\n    {\"pid\": %u, \"name\": ", i ? "," : "",
			p->pid);
		if (p->name)
			json_str(p->name, strlen(p->name), out);
		else
			fputs("null", out);
		fputs(", ", out);
		json_counts(&p->c, false, out);
		fputc('}', out);
	}
	fputs(s->nprocs ? "\n  ]\n}\n" : "]\n}\n", out);
}

int cmd_stats(int argc, char **argv)
{
	static const struct option opts[] = { { 0 } };
	static const char usage[] = "usage: avshadow stats DIR|INPUT\n";
	struct avs_trace_dir_status ds = { 0 };
	struct avs_input_status st = { 0 };
	struct stats s = { 0 };
	const char *path;
	char err[512];
	bool dir;
	size_t i;
	int ret;

	optind = 1;
	if (getopt_long(argc, argv, "", opts, NULL) != -1 ||
	    optind != argc - 1) {
		fputs(usage, stderr);
		return 2;
	}
	path = argv[optind];
	dir = strcmp(path, "-") && avs_is_dir(path);
	if (dir)
		ret = avs_read_trace_dir(path, stats_cb, &s, &ds, err, sizeof(err));
	else
		ret = avs_read_input(path, stats_cb, &s, &st, err, sizeof(err));
	if (ret < 0)
		fprintf(stderr, "avshadow: %s\n", err);
	else
		print_json(path, dir, &ds, &st, &s, stdout);
	for (i = 0; i < s.nprocs; i++)
		free(s.procs[i].name);
	free(s.procs);
	free(s.slot);
	avs_trace_dir_status_free(&ds);
	return ret < 0 ? 2 : 0;
}
