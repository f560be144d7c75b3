/* SPDX-License-Identifier: MIT */
/* Internal to kgraph.c / kgraph_out.c: the iterator's output, parsed. */
#ifndef AVS_KGRAPH_INTERNAL_H
#define AVS_KGRAPH_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* VM_* bits of /proc/PID/maps (include/linux/mm.h) */
#define KG_VM_READ	0x1UL
#define KG_VM_WRITE	0x2UL
#define KG_VM_EXEC	0x4UL
#define KG_VM_MAYSHARE	0x80UL

struct kg_av {
	uint64_t ptr, root, parent;
	uint64_t nc, na;
	int ref;
	bool listed;		/* already in the anon_vmas output */
};

struct kg_vma {
	uint64_t start, end, pgoff, flags, av;
	uint64_t *chain;
	size_t nchain, cap;
};

struct kg_proc {
	int pid;
	struct kg_vma *v;
	size_t n, cap;
};

struct kg {
	struct kg_proc *procs;
	size_t nprocs;
	struct kg_av *avs;	/* every A/C record; sorted and deduplicated */
	size_t navs, capavs;
	char *raw;		/* the iterator's output */
	size_t rawlen;
};
void kg_seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void *kg_xrealloc(void *p, size_t n);

struct kg_proc *kg_find_proc(struct kg *kg, int pid);
/* Parse kg->raw into the procs (already listed) and the anon_vmas;
 * 0, or -1 with err. */
int kg_parse(struct kg *kg, char *err, size_t errlen);
/* The graph as JSON (json) or text. */
void kg_write(struct kg *kg, FILE *out, bool json);
void kg_free(struct kg *kg);

#endif
