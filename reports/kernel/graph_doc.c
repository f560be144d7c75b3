/* SPDX-License-Identifier: MIT */
/* Parsing a graph document (the shape of reports/graph.c avs_graph_json). */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "graph_doc.h"

void *gdoc_xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz);

	if (!p)
		abort();
	return p;
}

void *gdoc_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		abort();
	return q;
}

static void seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

void gdoc_free(struct gdoc *d)
{
	size_t i, j;

	for (i = 0; i < d->np; i++) {
		for (j = 0; j < d->p[i].n; j++)
			free(d->p[i].v[j].chain);
		free(d->p[i].v);
	}
	free(d->p);
	free(d->av);
	if (d->index)
		json_object_put(d->index);
	if (d->root)
		json_object_put(d->root);
	memset(d, 0, sizeof(*d));
}

static bool get_addr(json_object *o, const char *key, uint64_t *out)
{
	json_object *v;
	const char *s;
	char *end;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return false;
	s = json_object_get_string(v);
	if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || !s[2])
		return false;
	errno = 0;
	*out = strtoull(s + 2, &end, 16);
	return !*end && !errno;
}

static bool get_count(json_object *o, const char *key, int64_t *out)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_int))
		return false;
	*out = json_object_get_int64(v);
	return *out >= 0;
}

static const char *get_str(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

int gdoc_parse(struct gdoc *d, const char *json, const char *name, char *err,
	       size_t errlen)
{
	enum json_tokener_error jerr;
	json_object *procs, *avs;
	size_t i, j, k;

	memset(d, 0, sizeof(*d));
	d->name = name;
	if (!json) {
		seterr(err, errlen, "%s: no document", name);
		return -1;
	}
	d->root = json_tokener_parse_verbose(json, &jerr);
	if (!d->root) {
		seterr(err, errlen, "%s: not JSON: %s", name,
		       json_tokener_error_desc(jerr));
		return -1;
	}
	if (!json_object_is_type(d->root, json_type_object) ||
	    !json_object_object_get_ex(d->root, "processes", &procs) ||
	    !json_object_is_type(procs, json_type_array) ||
	    !json_object_object_get_ex(d->root, "anon_vmas", &avs) ||
	    !json_object_is_type(avs, json_type_array)) {
		seterr(err, errlen, "%s: not a graph document (needs "
		       "\"processes\" and \"anon_vmas\" arrays)", name);
		goto bad;
	}
	d->np = json_object_array_length(procs);
	d->p = gdoc_xcalloc(d->np, sizeof(*d->p));
	for (i = 0; i < d->np; i++) {
		json_object *po = json_object_array_get_idx(procs, i), *vmas, *pv;
		struct gproc *p = &d->p[i];

		if (!json_object_is_type(po, json_type_object) ||
		    !json_object_object_get_ex(po, "pid", &pv) ||
		    !json_object_is_type(pv, json_type_int) ||
		    !json_object_object_get_ex(po, "vmas", &vmas) ||
		    !json_object_is_type(vmas, json_type_array)) {
			seterr(err, errlen, "%s: processes[%zu]: needs \"pid\" "
			       "and a \"vmas\" array", name, i);
			goto bad;
		}
		p->pid = json_object_get_int64(pv);
		p->n = json_object_array_length(vmas);
		p->v = gdoc_xcalloc(p->n, sizeof(*p->v));
		for (j = 0; j < p->n; j++) {
			json_object *vo = json_object_array_get_idx(vmas, j);
			json_object *avo, *ch;
			struct gvma *v = &p->v[j];
			int64_t pg;

			if (!json_object_is_type(vo, json_type_object) ||
			    !get_addr(vo, "start", &v->start) ||
			    !get_addr(vo, "end", &v->end) ||
			    !get_count(vo, "pgoff", &pg) ||
			    !(v->perms = get_str(vo, "perms")) ||
			    !json_object_object_get_ex(vo, "anon_vma", &avo) ||
			    !json_object_object_get_ex(vo, "chain", &ch) ||
			    !json_object_is_type(ch, json_type_array)) {
				seterr(err, errlen, "%s: pid %" PRId64 " vmas[%zu]: "
				       "needs \"start\", \"end\" (\"0x..\"), "
				       "\"pgoff\", \"perms\", \"anon_vma\", "
				       "\"chain\"", name, p->pid, j);
				goto bad;
			}
			v->pgoff = (uint64_t)pg;
			if (json_object_is_type(avo, json_type_string))
				v->av = json_object_get_string(avo);
			else if (!json_object_is_type(avo, json_type_null)) {
				seterr(err, errlen, "%s: pid %" PRId64 " vmas[%zu]: "
				       "\"anon_vma\" is neither an ID nor null",
				       name, p->pid, j);
				goto bad;
			}
			v->nchain = json_object_array_length(ch);
			v->chain = gdoc_xcalloc(v->nchain, sizeof(*v->chain));
			for (k = 0; k < v->nchain; k++) {
				json_object *e = json_object_array_get_idx(ch, k);

				if (!json_object_is_type(e, json_type_string)) {
					seterr(err, errlen, "%s: pid %" PRId64
					       " vmas[%zu]: chain[%zu] is not an "
					       "ID", name, p->pid, j, k);
					goto bad;
				}
				v->chain[k] = json_object_get_string(e);
			}
		}
	}
	d->nav = json_object_array_length(avs);
	d->av = gdoc_xcalloc(d->nav, sizeof(*d->av));
	d->index = json_object_new_object();
	if (!d->index)
		abort();
	for (i = 0; i < d->nav; i++) {
		json_object *ao = json_object_array_get_idx(avs, i);
		struct gav *a = &d->av[i];

		if (!json_object_is_type(ao, json_type_object) ||
		    !(a->id = get_str(ao, "id")) ||
		    !(a->root = get_str(ao, "root")) ||
		    !(a->parent = get_str(ao, "parent")) ||
		    !get_count(ao, "num_children", &a->nc) ||
		    !get_count(ao, "num_active_vmas", &a->na)) {
			seterr(err, errlen, "%s: anon_vmas[%zu]: needs \"id\", "
			       "\"root\", \"parent\", \"num_children\", "
			       "\"num_active_vmas\"", name, i);
			goto bad;
		}
		if (!json_object_object_get_ex(d->index, a->id, NULL))
			json_object_object_add(d->index, a->id,
					       json_object_new_int64((int64_t)i));
	}
	return 0;
bad:
	gdoc_free(d);
	return -1;
}

const struct gav *gdoc_av(const struct gdoc *d, const char *id)
{
	json_object *v;

	if (!id || !json_object_object_get_ex(d->index, id, &v))
		return NULL;
	return &d->av[json_object_get_int64(v)];
}

struct gproc *gdoc_proc(struct gdoc *d, int64_t pid)
{
	size_t i;

	for (i = 0; i < d->np; i++)
		if (d->p[i].pid == pid)
			return &d->p[i];
	return NULL;
}

void gdoc_set_add(json_object *set, const char *k)
{
	if (k && !json_object_object_get_ex(set, k, NULL))
		json_object_object_add(set, k, NULL);
}

bool gdoc_set_has(json_object *set, const char *k)
{
	return k && json_object_object_get_ex(set, k, NULL);
}
