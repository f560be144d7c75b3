/* SPDX-License-Identifier: MIT */
/* A graph document restricted to some processes and an address range. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include "graph_compare.h"
#include "graph_doc.h"

static bool pid_wanted(int64_t pid, const int *pids, size_t n)
{
	size_t i;

	if (!pids)
		return true;
	for (i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

char *avs_graph_filter(const char *json, const int *pids, size_t n,
		       uint64_t lo, uint64_t hi, char *err, size_t errlen)
{
	json_object *out, *oprocs, *oavs, *procs, *avs, *keep;
	struct gdoc d;
	bool grew;
	size_t i, j, k;
	char *s;

	if (gdoc_parse(&d, json, "document", err, errlen))
		return NULL;
	json_object_object_get_ex(d.root, "processes", &procs);
	json_object_object_get_ex(d.root, "anon_vmas", &avs);
	out = json_object_new_object();
	oprocs = json_object_new_array();
	oavs = json_object_new_array();
	keep = json_object_new_object();
	if (!out || !oprocs || !oavs || !keep)
		abort();
	for (i = 0; i < d.np; i++) {
		json_object *po = json_object_array_get_idx(procs, i), *vmas;
		json_object *np, *nv;

		if (!pid_wanted(d.p[i].pid, pids, n))
			continue;
		json_object_object_get_ex(po, "vmas", &vmas);
		np = json_object_new_object();
		nv = json_object_new_array();
		if (!np || !nv)
			abort();
		json_object_object_add(np, "pid",
				       json_object_new_int64(d.p[i].pid));
		for (j = 0; j < d.p[i].n; j++) {
			const struct gvma *v = &d.p[i].v[j];

			if (v->start < lo || v->end > hi)
				continue;
			json_object_array_add(nv, json_object_get(
				json_object_array_get_idx(vmas, j)));
			gdoc_set_add(keep, v->av);
			for (k = 0; k < v->nchain; k++)
				gdoc_set_add(keep, v->chain[k]);
		}
		json_object_object_add(np, "vmas", nv);
		json_object_array_add(oprocs, np);
	}
	/* close over root and parent */
	do {
		grew = false;
		for (i = 0; i < d.nav; i++) {
			const struct gav *a = &d.av[i];

			if (!gdoc_set_has(keep, a->id))
				continue;
			if (!gdoc_set_has(keep, a->root) &&
			    gdoc_av(&d, a->root)) {
				gdoc_set_add(keep, a->root);
				grew = true;
			}
			if (!gdoc_set_has(keep, a->parent) &&
			    gdoc_av(&d, a->parent)) {
				gdoc_set_add(keep, a->parent);
				grew = true;
			}
		}
	} while (grew);
	for (i = 0; i < d.nav; i++)
		if (gdoc_set_has(keep, d.av[i].id))
			json_object_array_add(oavs, json_object_get(
				json_object_array_get_idx(avs, i)));
	json_object_object_add(out, "processes", oprocs);
	json_object_object_add(out, "anon_vmas", oavs);
	s = strdup(json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN |
						  JSON_C_TO_STRING_NOSLASHESCAPE));
	if (!s)
		abort();
	json_object_put(out);
	json_object_put(keep);
	gdoc_free(&d);
	return s;
}
