/* SPDX-License-Identifier: MIT */
/* The shadow's graph as a document: JSON (comparable with a kernel dump)
 * and a compact text form for tests and bug reports. */
#ifndef AVS_REPORTS_GRAPH_H
#define AVS_REPORTS_GRAPH_H

#include <stdio.h>
#include "shadow/shadow.h"

void avs_graph_json(const struct avs_shadow *sh, FILE *out);
void avs_graph_text(const struct avs_shadow *sh, FILE *out);
/*
 * Graphviz DOT: processes' VMAs on the left, anon_vmas on the right, AVCs
 * between them (same_vma and same_anon_vma edges), as LWN's 2010 article
 * on anon_vma_chain draws them; beyond AVS_GRAPH_DOT_MAX_NODES nodes,
 * processes are grouped by name and anon_vma families collapsed, with
 * AVC counts on the edges.  title names the state shown.
 */
#define AVS_GRAPH_DOT_MAX_NODES 200
void avs_graph_dot(const struct avs_shadow *sh, const char *title, FILE *out);
/* avs_graph_text into a malloc'd string. */
char *avs_graph_text_string(const struct avs_shadow *sh);

#endif
