/* SPDX-License-Identifier: MIT */
/*
 * The report as JSON, schema version AVS_REPORT_SCHEMA_VERSION
 * (docs/REPORTS.md, docs/report.schema.json).  Key names are stable: a
 * change that renames or removes a key, or changes a type, raises the
 * version; new keys may appear without one.
 */
#include <inttypes.h>
#include <json-c/json.h>
#include "report.h"
#include "symbolize.h"

static json_object *u64(uint64_t v)
{
	return json_object_new_uint64(v);
}

static json_object *hex(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
	return json_object_new_string(buf);
}

static json_object *av_name(uint64_t id)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "av%" PRIu64, id);
	return json_object_new_string(buf);
}

static json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

#define ADD(o, k, v) json_object_object_add(o, k, v)

static json_object *input(const struct avs_report *r)
{
	json_object *o = json_object_new_object();

	ADD(o, "path", json_object_new_string(r->path));
	ADD(o, "form", json_object_new_string(r->form));
	ADD(o, "files", u64(r->files));
	ADD(o, "truncated", json_object_new_boolean(r->truncated));
	ADD(o, "truncated_files", u64(r->truncated_files));
	ADD(o, "bytes_lost", u64(r->bytes_lost));
	ADD(o, "records_skipped", u64(r->records_skipped));
	ADD(o, "error", str_or_null(r->error));
	return o;
}

static json_object *coverage(const struct avs_report *r)
{
	json_object *o = json_object_new_object(), *k = json_object_new_object();
	unsigned t;

	ADD(o, "events", u64(r->events));
	ADD(o, "seen", u64(r->direct));
	ADD(o, "inferred", u64(r->inferred));
	ADD(o, "runtime", u64(r->runtime));
	ADD(o, "failed", u64(r->failed));
	ADD(o, "with_stack", u64(r->with_stack));
	ADD(o, "starts_read_as_exec", u64(r->starts_to_exec));
	ADD(o, "exits_dropped", u64(r->exits_dropped));
	ADD(o, "exits_inferred", u64(r->exits_inferred));
	for (t = AVS_EV_NONE + 1; t < AVS_EV_NR_TYPES; t++)
		if (r->kinds[t] && avs_event_type_name(t))
			ADD(k, avs_event_type_name(t), u64(r->kinds[t]));
	ADD(o, "kinds", k);
	return o;
}

static json_object *stack(struct avs_report *r, uint32_t id)
{
	struct avs_stack s = avs_stacks_get(r->stacks, id);
	json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < s.depth; i++) {
		const struct avs_stack_frame *f = &s.frame[i];
		const struct avs_module *m = avs_stacks_module(r->stacks,
							       f->module);
		json_object *o = json_object_new_object();
		struct avs_symbol sym = { 0 };

		if (m && !r->sym)
			r->sym = avs_symbolizer_new();
		if (m && r->sym)
			avs_symbolize(r->sym, m, f->offset, &sym);
		ADD(o, "address", hex(f->ip));
		ADD(o, "module", str_or_null(m ? m->path : NULL));
		ADD(o, "offset", m ? hex(f->offset) : NULL);
		ADD(o, "function", str_or_null(sym.function));
		ADD(o, "file", str_or_null(sym.file));
		ADD(o, "line", sym.file ? json_object_new_int(sym.line) : NULL);
		json_object_array_add(a, o);
	}
	return a;
}

static json_object *family(struct avs_report *r,
			   const struct avs_report_family *f)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array();
	size_t i;

	ADD(o, "root", av_name(f->cost.root_id));
	ADD(o, "anon_vmas", u64(f->cost.anon_vmas));
	ADD(o, "avcs", u64(f->cost.avcs));
	ADD(o, "vmas", u64(f->cost.vmas));
	ADD(o, "processes", u64(f->procs));
	ADD(o, "folios", u64(f->cost.folios));
	ADD(o, "pages", u64(f->cost.pages));
	ADD(o, "visits", u64(f->cost.visits));
	ADD(o, "useless", u64(f->cost.visits - f->cost.useful));
	ADD(o, "max_visits", u64(f->cost.max_visits));
	ADD(o, "metadata_bytes", u64(f->cost.meta_bytes));
	for (i = 0; i < f->norigins; i++) {
		json_object *s = json_object_new_object();

		ADD(s, "kind", json_object_new_string(f->origin[i].fork ?
						       "fork" : "map"));
		ADD(s, "vmas", u64(f->origin[i].vmas));
		ADD(s, "frames", stack(r, f->origin[i].stack));
		json_object_array_add(a, s);
	}
	ADD(o, "origins", a);
	return o;
}

static json_object *rmap(const struct avs_report_model *m)
{
	json_object *o = json_object_new_object(), *h = json_object_new_array();
	uint64_t lo = 0, hi = 1;
	unsigned b;

	ADD(o, "folios", u64(m->s.cost.folios));
	ADD(o, "pages", u64(m->s.cost.pages));
	ADD(o, "visits", u64(m->s.cost.visits));
	ADD(o, "useful", u64(m->useful));
	ADD(o, "useless", u64(m->s.cost.useless));
	ADD(o, "mean", json_object_new_double(m->s.visits.mean));
	ADD(o, "p50", u64(m->s.visits.p50));
	ADD(o, "p99", u64(m->s.visits.p99));
	ADD(o, "max", u64(m->s.visits.max));
	for (b = 0; b < AVS_REPORT_HIST_BUCKETS; b++) {
		json_object *e = json_object_new_object();

		ADD(e, "min", u64(lo));
		ADD(e, "max", b == AVS_REPORT_HIST_BUCKETS - 1 ? NULL : u64(hi));
		ADD(e, "folios", u64(m->hist[b]));
		json_object_array_add(h, e);
		lo = hi + 1;
		hi *= 2;
	}
	ADD(o, "histogram", h);
	return o;
}

static json_object *chains(const struct avs_report_model *m)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array();
	size_t i;

	ADD(o, "mean", json_object_new_double(m->s.chain_mean));
	ADD(o, "max", u64(m->s.chain_max));
	for (i = 0; i < m->ndeepest; i++) {
		json_object *e = json_object_new_object();

		ADD(e, "pid", u64(m->deepest[i].pid));
		ADD(e, "start", hex(m->deepest[i].start));
		ADD(e, "end", hex(m->deepest[i].end));
		ADD(e, "length", u64(m->deepest[i].length));
		json_object_array_add(a, e);
	}
	ADD(o, "deepest", a);
	return o;
}

static json_object *domains(const struct avs_report_model *m)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array();
	size_t i;

	ADD(o, "count", u64(m->s.domains));
	ADD(o, "max_vmas", u64(m->s.domain_max_vmas));
	ADD(o, "max_processes", u64(m->s.domain_max_procs));
	for (i = 0; i < m->nlargest; i++) {
		const struct avs_report_domain *d = &m->largest[i];
		json_object *e = json_object_new_object();

		ADD(e, "root", av_name(d->root_id));
		ADD(e, "vmas", u64(d->vmas));
		ADD(e, "anon_vmas", u64(d->anon_vmas));
		ADD(e, "avcs", u64(d->avcs));
		ADD(e, "processes", u64(d->procs));
		json_object_array_add(a, e);
	}
	ADD(o, "largest", a);
	return o;
}

static json_object *hazards(const struct avs_report_model *m)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array();
	size_t i;

	ADD(o, "count", u64(m->s.hazards));
	for (i = 0; i < m->nhazards_listed; i++) {
		const struct avs_hazard *h = &m->hazards[i];
		json_object *e = json_object_new_object();

		ADD(e, "kind", json_object_new_string(avs_hazard_kind_name(h->kind)));
		ADD(e, "pid", u64(h->pid));
		ADD(e, "addr", hex(h->addr));
		ADD(e, "folio", u64(h->folio_id));
		ADD(e, "anon_vma", av_name(h->anon_vma_id));
		ADD(e, "event", u64(h->event_no));
		json_object_array_add(a, e);
	}
	ADD(o, "list", a);
	return o;
}

static json_object *model(struct avs_report *r, const struct avs_report_model *m)
{
	const struct avs_counts *c = &m->s.counts;
	json_object *o = json_object_new_object(), *f = json_object_new_array();
	size_t i;

	ADD(o, "rules", json_object_new_string(m->s.rules->name));
	ADD(o, "events", u64(m->s.events));
	ADD(o, "misfits", u64(m->s.misfits));
	ADD(o, "invariant_failures", r->check ?
	    u64(m->invariant_failures) : NULL);
	ADD(o, "processes", u64(c->procs));
	ADD(o, "forks", u64(c->forks));
	ADD(o, "vmas", u64(c->vmas));
	ADD(o, "anon_vmas", u64(c->anon_vmas));
	ADD(o, "anon_vmas_allocated", u64(c->anon_vmas_allocated));
	ADD(o, "anon_vmas_reused", u64(c->anon_vmas_reused));
	ADD(o, "avcs", u64(c->avcs));
	ADD(o, "fork_anon_vmas", u64(c->fork_anon_vmas));
	ADD(o, "fork_avcs", u64(c->fork_avcs));
	ADD(o, "metadata_bytes", u64(m->s.cost.meta_bytes));
	ADD(o, "anon_vma_bytes", u64(m->s.rules->anon_vma_bytes));
	ADD(o, "avc_bytes", u64(m->s.rules->avc_bytes));
	ADD(o, "rmap", rmap(m));
	ADD(o, "chains", chains(m));
	ADD(o, "lock_domains", domains(m));
	ADD(o, "hazards", hazards(m));
	for (i = 0; i < m->nfamilies; i++)
		json_object_array_add(f, family(r, &m->family[i]));
	ADD(o, "families", f);
	return o;
}

int avs_report_print_json(struct avs_report *r, FILE *out)
{
	json_object *o = json_object_new_object(), *st = json_object_new_object();
	json_object *ms = json_object_new_array();
	size_t i;
	int ret;

	ADD(o, "schema_version", json_object_new_int(AVS_REPORT_SCHEMA_VERSION));
	ADD(o, "input", input(r));
	ADD(st, "at", json_object_new_string(r->state));
	ADD(st, "label", str_or_null(r->label));
	ADD(st, "event", u64(r->at_event));
	ADD(st, "events", u64(r->events));
	ADD(o, "state", st);
	ADD(o, "coverage", coverage(r));
	for (i = 0; i < r->nmodels; i++)
		json_object_array_add(ms, model(r, &r->model[i]));
	ADD(o, "models", ms);
	ret = fprintf(out, "%s\n", json_object_to_json_string_ext(o,
		JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
		JSON_C_TO_STRING_NOSLASHESCAPE)) < 0 ? -1 : 0;
	json_object_put(o);
	return ret;
}
