/* SPDX-License-Identifier: MIT */
/*
 * kernel_layout, driver side: a scenario's stream replayed through the
 * shadow; its #-lines collect each checkpoint, which is compared at its
 * `#K PID end`.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "shadow/event_text.h"
#include "reports/graph.h"

#include "layout_compare.h"
#include "layout_driver.h"

struct run {
	struct avs_shadow *sh;
	FILE *out;		/* details, printed after the verdict */
	struct layout_result *res;
	bool in_cp;		/* collecting cp */
	struct layout_cp cp;
};

static void diag_cb(void *arg, const char *msg)
{
	struct run *r = arg;

	fprintf(r->out, "    shadow warning: %s\n", msg);
}

static void checkpoint_end(struct run *r)
{
	bool same = compare_checkpoint(r->sh, &r->cp, opt_verbose, r->out);

	r->res->checkpoints++;
	r->res->vmas += (unsigned long)r->cp.nk;
	if (!same)
		r->res->diffs++;
	r->in_cp = false;
}

/* One #-line of the protocol. */
static void protocol_line(struct run *r, const char *line)
{
	struct layout_cp *cp = &r->cp;
	unsigned pid;
	uint64_t a, b;
	char perms[8], word[16];
	int exp, act, n;

	if (line[1] == 'R' && sscanf(line, "#R %u 0x%" SCNx64 " 0x%" SCNx64,
				     &pid, &a, &b) == 3) {
		cp->rs = a;
		cp->re = b;
	} else if (line[1] == 'F') {
		fprintf(r->out, "    scenario failed: %s\n", line + 3);
		r->res->problems++;
	} else if (line[1] == 'H' && r->in_cp &&
		   sscanf(line, "#H %u 0x%" SCNx64 " 0x%" SCNx64, &pid, &a,
			  &b) == 3) {
		cp->have_heap = true;
		cp->sbrk = a;
		cp->brk = b;
	} else if (line[1] == 'E' && r->in_cp &&
		   sscanf(line, "#E %u %d %d", &pid, &exp, &act) == 3) {
		if (exp >= 0 && exp != act) {
			fprintf(r->out, "    NOTE checkpoint %s: the kernel has %d "
				"accessible VMAs, KERNEL_MODEL predicts %d\n",
				cp->label, act, exp);
			r->res->notes++;
		}
	} else if (line[1] == 'K' && r->in_cp &&
		   sscanf(line, "#K %u %15s", &pid, word) == 2 &&
		   !strcmp(word, "end")) {
		checkpoint_end(r);
	} else if (line[1] == 'K' && r->in_cp &&
		   (n = sscanf(line, "#K %u 0x%" SCNx64 "-0x%" SCNx64 " %7s",
			       &pid, &a, &b, perms)) == 4) {
		const char *f = strstr(line, " vmflags=0x");

		if (cp->nk < MAXV) {
			struct lvma *k = &cp->k[cp->nk++];

			k->s = a;
			k->e = b;
			snprintf(k->perms, sizeof(k->perms), "%s", perms);
			k->has_flags = f != NULL;
			k->flags = f ? strtoull(f + 11, NULL, 16) : 0;
			k->extra[0] = '\0';
		}
	}
}

/* The shadow graph, indented. */
static void print_graph(struct run *r)
{
	char *g = avs_graph_text_string(r->sh);

	fprintf(r->out, "    shadow graph:\n");
	for (char *l = g; l && *l;) {
		char *nl = strchr(l, '\n');

		fprintf(r->out, "      %.*s\n",
			(int)(nl ? nl - l : (long)strlen(l)), l);
		l = nl ? nl + 1 : NULL;
	}
	free(g);
}

/* A checkpoint event: start collecting its #-lines. */
static void checkpoint_begin(struct run *r, const struct avs_event *ev)
{
	if (r->in_cp) {
		fprintf(r->out, "    checkpoint without data\n");
		r->res->problems++;
	}
	r->in_cp = true;
	r->cp.pid = ev->pid;
	snprintf(r->cp.label, sizeof(r->cp.label), "%.*s", (int)ev->str_len,
		 ev->str ? ev->str : "");
	r->cp.nk = 0;
	r->cp.have_heap = false;
	if (opt_verbose)
		print_graph(r);
}

/* One event line: parsed and applied. */
static void event_line(struct run *r, struct avs_text_parser *tp,
		       unsigned long lineno, const char *line)
{
	struct avs_event ev;
	int rc;

	if (opt_verbose)
		fprintf(r->out, "    | %s\n", line);
	rc = avs_text_parse_line(tp, line, strlen(line), &ev);
	if (rc < 0) {
		fprintf(r->out, "    line %lu: %s: %s\n", lineno, line,
			avs_text_parser_error(tp));
		r->res->problems++;
		return;
	}
	if (rc == 0)
		return;
	rc = avs_shadow_apply(r->sh, &ev);
	if (rc) {
		fprintf(r->out, "    line %lu: %s: %s%s\n", lineno, line,
			rc < 0 ? "INVARIANT BROKEN: " : "did not fit: ",
			avs_shadow_last_warning(r->sh));
		r->res->problems++;
	}
	if (ev.type == AVS_EV_CHECKPOINT)
		checkpoint_begin(r, &ev);
}

void replay(char *text, FILE *out, struct layout_result *res)
{
	struct run r = {.out = out, .res = res};
	struct avs_text_parser *tp = avs_text_parser_new();
	char *line, *next;
	unsigned long lineno = 0;

	if (!tp)
		abort();
	r.sh = avs_shadow_new(NULL);
	if (!r.sh)
		abort();
	avs_shadow_set_check_each_event(r.sh, true);
	avs_shadow_set_diag(r.sh, diag_cb, &r);
	for (line = text; line && *line; line = next) {
		lineno++;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (line[0] == '#')
			protocol_line(&r, line);
		else
			event_line(&r, tp, lineno, line);
	}
	if (r.in_cp) {
		fprintf(out, "    stream ends inside a checkpoint\n");
		res->problems++;
	}
	avs_text_parser_free(tp);
	avs_shadow_free(r.sh);
}
