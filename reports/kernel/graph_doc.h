/* SPDX-License-Identifier: MIT */
/* Internal to graph_compare.c / graph_doc.c / graph_filter.c: a graph
 * document parsed and checked against the shape of reports/graph.c. */
#ifndef AVS_GRAPH_DOC_H
#define AVS_GRAPH_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

struct gvma {
	uint64_t start, end, pgoff;
	const char *perms;
	const char *av;			/* NULL: no anon_vma */
	const char **chain;
	size_t nchain;
};

struct gproc {
	int64_t pid;
	struct gvma *v;
	size_t n;
	bool matched;
};

struct gav {
	const char *id, *root, *parent;
	int64_t nc, na;
};

struct gdoc {
	const char *name;
	json_object *root;
	struct gproc *p;
	size_t np;
	struct gav *av;			/* the anon_vmas list, in order */
	size_t nav;
	json_object *index;		/* id -> position in av (int) */
};

/* 0, or -1 with a message in err (the document is freed). */
int gdoc_parse(struct gdoc *d, const char *json, const char *name, char *err,
	       size_t errlen);
void gdoc_free(struct gdoc *d);
/* The anon_vmas entry of id, NULL if not listed. */
const struct gav *gdoc_av(const struct gdoc *d, const char *id);
struct gproc *gdoc_proc(struct gdoc *d, int64_t pid);

void *gdoc_xcalloc(size_t n, size_t sz);
void *gdoc_xrealloc(void *p, size_t n);
/* Add k (if not NULL) to a set kept as a json object's keys. */
void gdoc_set_add(json_object *set, const char *k);
bool gdoc_set_has(json_object *set, const char *k);

#endif
