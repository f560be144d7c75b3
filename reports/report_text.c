/* SPDX-License-Identifier: MIT */
/* The report as text: a summary that fits a screen, then the costliest
 * anon_vma families with the call stacks that built them. */
#include <inttypes.h>
#include <string.h>
#include "hazard_explain.h"
#include "report.h"
#include "symbolize.h"

#define STACK_FRAMES_SHOWN 6

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

const char *avs_report_frame_name(struct avs_report *r,
				  const struct avs_stack_frame *f, char *buf,
				  size_t len)
{
	const struct avs_module *m = avs_stacks_module(r->stacks, f->module);
	struct avs_symbol sym;

	if (!m) {
		snprintf(buf, len, "0x%" PRIx64, f->ip);
		return buf;
	}
	if (!r->sym && !(r->sym = avs_symbolizer_new()))
		return "?";
	if (avs_symbolize(r->sym, m, f->offset, &sym) == 0 && sym.function) {
		if (sym.file)
			snprintf(buf, len, "%s (%s:%d)", sym.function,
				 base_name(sym.file), sym.line);
		else
			snprintf(buf, len, "%s", sym.function);
	} else {
		snprintf(buf, len, "%s+0x%" PRIx64, base_name(m->path),
			 f->offset);
	}
	return buf;
}

static void print_stack(struct avs_report *r, uint32_t id, FILE *out)
{
	struct avs_stack s = avs_stacks_get(r->stacks, id);
	char buf[512];
	size_t i;

	if (!s.depth) {
		fputs("(no call stack recorded)", out);
		return;
	}
	for (i = 0; i < s.depth && i < STACK_FRAMES_SHOWN; i++)
		fprintf(out, "%s%s", i ? " <- " : "",
			avs_report_frame_name(r, &s.frame[i], buf, sizeof(buf)));
	if (s.depth > STACK_FRAMES_SHOWN)
		fprintf(out, " <- ... (%zu more)", s.depth - STACK_FRAMES_SHOWN);
}

static void print_state(const struct avs_report *r, FILE *out)
{
	if (!strcmp(r->state, "peak"))
		fprintf(out, "state at the peak: after event %" PRIu64 " of %"
			PRIu64 " (most anon folios and AVCs live; --at-end for "
			"the end)\n", r->at_event, r->events);
	else if (!strcmp(r->state, "checkpoint"))
		fprintf(out, "state at checkpoint '%s': after event %" PRIu64
			" of %" PRIu64 "\n", r->label, r->at_event, r->events);
}

static void print_hist(const struct avs_report_model *m, FILE *out)
{
	unsigned b, lo = 0, hi = 1;

	fputs("  visits histogram", out);
	for (b = 0; b < AVS_REPORT_HIST_BUCKETS; b++) {
		if (m->hist[b]) {
			if (b == AVS_REPORT_HIST_BUCKETS - 1)
				fprintf(out, " %u+:%" PRIu64, lo, m->hist[b]);
			else if (lo == hi || b == 0)
				fprintf(out, " %u:%" PRIu64, hi, m->hist[b]);
			else
				fprintf(out, " %u-%u:%" PRIu64, lo, hi,
					m->hist[b]);
		}
		lo = hi + 1;
		hi *= 2;
	}
	fputs(m->s.visits.folios ? " (folios by VMAs visited)\n" : " none\n",
	      out);
}

static void print_details(const struct avs_report_model *m, FILE *out)
{
	size_t i;

	print_hist(m, out);
	fprintf(out, "  chains           mean %.2f, max %" PRIu64, m->s.chain_mean,
		m->s.chain_max);
	for (i = 0; i < m->ndeepest && i < 3; i++)
		fprintf(out, "%s %u:0x%" PRIx64 " (%" PRIu64 ")",
			i ? "," : "; deepest pid:VMA", m->deepest[i].pid,
			m->deepest[i].start, m->deepest[i].length);
	fprintf(out, "\n  lock domains     %" PRIu64 " roots", m->s.domains);
	for (i = 0; i < m->nlargest && i < 2; i++) {
		const struct avs_report_domain *d = &m->largest[i];

		fprintf(out, "%s av%" PRIu64 " (%" PRIu64 " VMAs, %" PRIu64
			" anon_vmas, %" PRIu64 " AVCs, %" PRIu64 " procs)",
			i ? "," : "; largest:", d->root_id, d->vmas,
			d->anon_vmas, d->avcs, d->procs);
	}
	fprintf(out, "\n  hazards          %zu\n", m->s.hazards);
	for (i = 0; i < m->nhazards_listed; i++) {
		char buf[512];

		avs_hazard_describe(&m->hazards[i], buf, sizeof(buf));
		fprintf(out, "    %s: %s\n",
			avs_hazard_kind_name(m->hazards[i].kind), buf);
	}
}

static void print_one(const struct avs_report *r,
		      const struct avs_report_model *m, FILE *out)
{
	const struct avs_summary *s = &m->s;

	fprintf(out, "avshadow summary (rules %s)\n", s->rules->name);
	fprintf(out, "  events           %" PRIu64 " (%" PRIu64 " did not fit "
		"the shadow)\n", s->events, s->misfits);
	fprintf(out, "  processes        %" PRIu64 " live, %" PRIu64 " forks\n",
		s->counts.procs, s->counts.forks);
	fprintf(out, "  VMAs             %" PRIu64 "\n", s->counts.vmas);
	fprintf(out, "  anon_vmas        %" PRIu64 " live (%" PRIu64
		" allocated, %" PRIu64 " reused at fork)\n", s->counts.anon_vmas,
		s->counts.anon_vmas_allocated, s->counts.anon_vmas_reused);
	fprintf(out, "  anon_vma_chains  %" PRIu64 " live\n", s->counts.avcs);
	fprintf(out, "  rmap metadata    %" PRIu64 " bytes (anon_vma %u B, "
		"AVC %u B)\n", s->cost.meta_bytes, s->rules->anon_vma_bytes,
		s->rules->avc_bytes);
	fprintf(out, "  anon folios      %" PRIu64 " mapped (%" PRIu64
		" pages)\n", s->cost.folios, s->cost.pages);
	fprintf(out, "  rmap walk        %" PRIu64 " VMA visits: %" PRIu64
		" useful, %" PRIu64 " useless\n", s->cost.visits, m->useful,
		s->cost.useless);
	fprintf(out, "  visits per folio mean %.2f, p50 %" PRIu64 ", p99 %"
		PRIu64 ", max %" PRIu64 "\n", s->visits.mean, s->visits.p50,
		s->visits.p99, s->visits.max);
	(void)r;
}

static void print_coverage(const struct avs_report *r, FILE *out)
{
	fprintf(out, "  coverage         %" PRIu64 " events: %" PRIu64 " seen, %"
		PRIu64 " inferred, %" PRIu64 " by the runtime, %" PRIu64
		" failed calls; %" PRIu64 " with a call stack\n", r->events,
		r->direct, r->inferred, r->runtime, r->failed, r->with_stack);
	if (r->truncated || r->records_skipped)
		fprintf(out, "  damaged input    %zu truncated file%s (%zu bytes "
			"lost), %lu cut record%s skipped\n", r->truncated_files,
			r->truncated_files == 1 ? "" : "s", r->bytes_lost,
			r->records_skipped, r->records_skipped == 1 ? "" : "s");
	if (r->error)
		fprintf(out, "  input error      %s (the report covers the "
			"events before it)\n", r->error);
}

static void print_families(struct avs_report *r,
			   const struct avs_report_model *m, FILE *out)
{
	size_t i, j;

	if (!m->nfamilies)
		return;
	fprintf(out, "top anon_vma families by walk visits (one root lock "
		"each)%s:\n", r->with_stack ? "" : "; no call stacks in this "
		"input");
	fprintf(out, "    %-8s %9s %6s %6s %6s %8s %10s %10s %6s %10s\n",
		"root", "anon_vmas", "AVCs", "VMAs", "procs", "folios",
		"visits", "useless", "max", "meta B");
	for (i = 0; i < m->nfamilies; i++) {
		const struct avs_report_family *f = &m->family[i];
		char root[24];

		snprintf(root, sizeof(root), "av%" PRIu64, f->cost.root_id);
		fprintf(out, "    %-8s %9" PRIu64 " %6" PRIu64 " %6" PRIu64 " %6"
			PRIu64 " %8" PRIu64 " %10" PRIu64 " %10" PRIu64 " %6"
			PRIu64 " %10" PRIu64 "\n", root, f->cost.anon_vmas,
			f->cost.avcs, f->cost.vmas, f->procs, f->cost.folios,
			f->cost.visits, f->cost.visits - f->cost.useful,
			f->cost.max_visits, f->cost.meta_bytes);
		if (!r->with_stack)
			continue;
		for (j = 0; j < f->norigins; j++) {
			fprintf(out, "      %-9s ", f->origin[j].fork ?
				"forked at" : "mapped at");
			print_stack(r, f->origin[j].stack, out);
			fprintf(out, "  [%" PRIu64 " VMA%s]\n", f->origin[j].vmas,
				f->origin[j].vmas == 1 ? "" : "s");
		}
	}
}

void avs_report_print_text(struct avs_report *r, FILE *out)
{
	size_t i;

	if (r->capture_desc)
		fputs(r->capture_desc, out);
	print_state(r, out);
	if (r->nmodels == 1) {
		print_one(r, &r->model[0], out);
	} else {
		struct avs_summary s[AVS_REPORT_MAX_MODELS];

		for (i = 0; i < r->nmodels; i++)
			s[i] = r->model[i].s;
		fprintf(out, "avshadow: %s under %zu rule sets\n", r->path,
			r->nmodels);
		avs_report_table(s, r->nmodels, out);
		fprintf(out, "details under %s:\n", r->model[0].s.rules->name);
	}
	print_details(&r->model[0], out);
	print_coverage(r, out);
	for (i = 0; i < r->nmodels; i++)
		if (r->model[i].invariant_failures || r->check)
			fprintf(out, "  invariants       %s (%lu events broke "
				"one)%s%s\n", r->model[i].invariant_failures ?
				"BROKEN" : "hold after every event",
				r->model[i].invariant_failures,
				r->nmodels > 1 ? " under " : "",
				r->nmodels > 1 ? r->model[i].s.rules->name : "");
	print_families(r, &r->model[0], out);
}
