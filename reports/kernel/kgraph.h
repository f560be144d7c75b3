/* SPDX-License-Identifier: MIT */
/*
 * The running kernel's anon_vma graph for chosen processes, read with a
 * BPF task_vma iterator (kgraph.bpf.c).  Needs root, kernel BTF
 * (/sys/kernel/btf/vmlinux) and BPF iterators (Linux >= 5.12).
 */
#ifndef AVS_KGRAPH_H
#define AVS_KGRAPH_H

#include <stddef.h>
#include <stdio.h>

enum avs_kgraph_format {
	/* The document `avshadow graph` prints (reports/graph.c):
	 * {"processes":[{"pid":N,"vmas":[{"start":"0x..","end":"0x..",
	 *  "pgoff":N,"perms":"rw-p","anon_vma":ID|null,"chain":[ID,...]}]}],
	 *  "anon_vmas":[{"id":ID,"root":ID,"parent":ID,"num_children":N,
	 *  "num_active_vmas":N}]}
	 * IDs are "k" + the kernel address in hex.  anon_vmas lists every
	 * anon_vma a VMA or a chain of the processes refers to, in order of
	 * first reference. */
	AVS_KGRAPH_JSON,
	/* The avs_graph_text form, plus each anon_vma's refcount:
	 *   pid 100 0x10000-0x14000 rw-p pgoff=16 kADDR [kADDR kADDR]
	 *   kADDR root=kADDR parent=kADDR nc=1 na=1 ref=1 */
	AVS_KGRAPH_TEXT,
	/* The iterator's own lines (see kgraph.bpf.c), for debugging. */
	AVS_KGRAPH_RAW,
};

/*
 * Write the kernel's graph for the processes pids[0..n) (thread-group
 * ids; processes in the order given, duplicates dropped) to out.
 * Returns 0, or -1 with a message in err (not root, no BTF, no such
 * process, a thread id instead of a process id, BPF load or attach
 * failure, a chain longer than the iterator's limit of 256 entries); on
 * error nothing is written.
 */
int avs_kgraph_write(const int *pids, size_t n, enum avs_kgraph_format fmt,
		     FILE *out, char *err, size_t errlen);

/* avs_kgraph_write(..., AVS_KGRAPH_JSON, ...) */
int avs_kgraph_dump(const int *pids, size_t n, FILE *json_out, char *err,
		    size_t errlen);

#endif
