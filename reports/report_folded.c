/* SPDX-License-Identifier: MIT */
/*
 * rmap cost by call stack in the folded format flame-graph tools read
 * (flamegraph.pl, inferno, speedscope): one line per stack,
 * `frame;frame;...;frame COUNT`, outermost frame first.  COUNT is the
 * walk visits received by VMAs of that process name mapped at that stack;
 * the stack of the fork that made the process, if recorded, follows the
 * mapping's after a `[forked]` frame.
 */
#include <inttypes.h>
#include <string.h>
#include "report.h"

/* Frame names must not contain the separators. */
static void put_name(const char *s, FILE *out)
{
	for (; *s; s++)
		fputc(*s == ';' || *s == ' ' || *s == '\n' ? '_' : *s, out);
}

static void put_stack(struct avs_report *r, uint32_t id, FILE *out)
{
	struct avs_stack s = avs_stacks_get(r->stacks, id);
	char buf[512];
	size_t i;

	for (i = s.depth; i-- > 0;) {
		char *paren;

		avs_report_frame_name(r, &s.frame[i], buf, sizeof(buf));
		/* flame graphs merge by name: the function, without its line */
		if ((paren = strstr(buf, " (")))
			*paren = '\0';
		fputc(';', out);
		put_name(buf, out);
	}
}

void avs_report_print_folded(struct avs_report *r, FILE *out)
{
	size_t i;

	for (i = 0; i < r->ncost; i++) {
		const struct avs_report_cost_line *l = &r->cost[i];

		put_name(l->comm, out);
		if (l->map_stack)
			put_stack(r, l->map_stack, out);
		else
			fputs(";[mapping_stack_not_recorded]", out);
		if (l->fork_stack) {
			fputs(";[forked]", out);
			put_stack(r, l->fork_stack, out);
		}
		fprintf(out, " %" PRIu64 "\n", l->visits);
	}
}
