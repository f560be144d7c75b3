/* SPDX-License-Identifier: MIT */
/* The shadow's graph as a document: JSON (comparable with a kernel dump)
 * and a compact text form for tests and bug reports. */
#ifndef AVS_REPORTS_GRAPH_H
#define AVS_REPORTS_GRAPH_H

#include <stdio.h>
#include "shadow/shadow.h"

void avs_graph_json(const struct avs_shadow *sh, FILE *out);
void avs_graph_text(const struct avs_shadow *sh, FILE *out);
/* avs_graph_text into a malloc'd string. */
char *avs_graph_text_string(const struct avs_shadow *sh);

#endif
