/* SPDX-License-Identifier: MIT */
/*
 * Compare two anon_vma graph documents (the JSON `avshadow graph` and
 * avshadow-kgraph print) up to renaming of anon_vma IDs.  Pure C (json-c).
 */
#ifndef AVS_GRAPH_COMPARE_H
#define AVS_GRAPH_COMPARE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct avs_graph_agreement {
	unsigned long pids;		/* pids present in both documents */
	unsigned long vmas_agree, vmas;
	unsigned long anon_vmas_agree, anon_vmas;
	unsigned long chains_agree, chains;
};

/*
 * For every pid present in both documents, VMAs are matched by start
 * address (each list is in address order) and must agree in end, perms and
 * pgoff.  The anon_vma IDs of A and B must correspond by one bijection,
 * built while walking the pids of A in order, each VMA's anon_vma then its
 * chain in order: a VMA's anon_vma, and each chain entry, must map to the
 * one at the same place in B, and chains must have the same length.  Then,
 * for every corresponding pair (in the order paired), root and parent must
 * correspond too (which may pair more anon_vmas) and num_children and
 * num_active_vmas must be equal.  A pair found only through root/parent is
 * checked only if both documents list it.
 *
 * Counts (*out, if not NULL):
 *   vmas: matched VMA pairs plus VMAs found on one side only; vmas_agree:
 *         pairs equal in range, perms, pgoff and anon_vma;
 *   chains: matched pairs with a non-empty chain on either side;
 *           chains_agree: those whose chains correspond entry by entry;
 *   anon_vmas: corresponding pairs plus anon_vmas a compared VMA or chain
 *           refers to that got no partner; anon_vmas_agree: pairs whose
 *           root, parent and counters agree.
 *
 * Writes to report (if not NULL) one line per divergence, e.g.
 *   pid 101 vma 0x7f0000-0x7f4000: chain[1] av1 vs kffff88..: maps to a
 *   different anon_vma (av1 corresponds to kffff88..)
 * "note:" lines for pids in one document only (not divergences), and last
 * the line
 *   agree: VMAS a/b, ANON_VMAS c/d, CHAINS e/f
 * name_a / name_b name the documents in messages (NULL: "A", "B").
 *
 * Returns the number of divergences, or -1 if a document is not JSON of
 * that shape (with a message on report).
 */
int avs_graph_compare(const char *json_a, const char *json_b,
		      const char *name_a, const char *name_b, FILE *report,
		      struct avs_graph_agreement *out);

/* "agree: VMAS a/b, ANON_VMAS c/d, CHAINS e/f\n" */
void avs_graph_agreement_print(const struct avs_graph_agreement *ag,
			       FILE *out);

/*
 * A copy of a graph document restricted to the processes in pids[0..n)
 * (all if pids is NULL) and, in them, to the VMAs inside [lo, hi); the
 * anon_vmas list keeps the entries those VMAs and chains refer to, and
 * (transitively) their roots and parents when listed.  Returns a malloc'd
 * JSON string, or NULL with a message in err if the document does not
 * have the shape.
 */
char *avs_graph_filter(const char *json, const int *pids, size_t n,
		       uint64_t lo, uint64_t hi, char *err, size_t errlen);

#endif
