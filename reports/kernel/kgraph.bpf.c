// SPDX-License-Identifier: (MIT OR GPL-2.0)
/*
 * kgraph.bpf.c: an iter/task_vma program that prints the kernel's anon_vma
 * graph for the thread-group leaders whose tgid is in `wanted`.
 *
 * Built CO-RE against a vmlinux.h generated at build time
 * (bpftool btf dump file /sys/kernel/btf/vmlinux format c).
 *
 * Output, one group of lines per VMA (hex without 0x, counts in decimal):
 *   V TGID START END PGOFF VM_FLAGS ANON_VMA      the VMA (ANON_VMA 0: none)
 *   A ANON_VMA ROOT PARENT NC NA REF              vma->anon_vma, if any
 *   C I ANON_VMA ROOT PARENT NC NA REF            chain entry I, head first
 *   E TGID START NCHAIN TRUNC                     end of the VMA
 * TRUNC is 1 when the chain had more than KG_MAX_CHAIN entries (only the
 * first KG_MAX_CHAIN are printed).  NC/NA/REF are num_children,
 * num_active_vmas and refcount.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#define KG_MAX_CHAIN	256

char LICENSE[] SEC("license") = "Dual MIT/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);	/* resized by the loader */
	__type(key, __u32);
	__type(value, __u8);
} wanted SEC(".maps");

static __always_inline void print_av(struct seq_file *seq, long idx,
				     struct anon_vma *av)
{
	struct anon_vma *root = BPF_CORE_READ(av, root);
	struct anon_vma *parent = BPF_CORE_READ(av, parent);
	unsigned long nc = BPF_CORE_READ(av, num_children);
	unsigned long na = BPF_CORE_READ(av, num_active_vmas);
	int ref = BPF_CORE_READ(av, refcount.counter);

	if (idx < 0)
		BPF_SEQ_PRINTF(seq, "A %lx %lx %lx %lu %lu %d\n",
			       (unsigned long)av, (unsigned long)root,
			       (unsigned long)parent, nc, na, ref);
	else
		BPF_SEQ_PRINTF(seq, "C %ld %lx %lx %lx %lu %lu %d\n", idx,
			       (unsigned long)av, (unsigned long)root,
			       (unsigned long)parent, nc, na, ref);
}

SEC("iter/task_vma")
int kgraph(struct bpf_iter__task_vma *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	struct vm_area_struct *vma = ctx->vma;
	struct list_head *head, *pos;
	struct anon_vma *av;
	__u32 tgid;
	long i, n = 0;
	int trunc = 0;

	if (!task || !vma)
		return 0;
	tgid = BPF_CORE_READ(task, tgid);
	if (BPF_CORE_READ(task, pid) != (pid_t)tgid)
		return 0;		/* each mm once: the leader only */
	if (!bpf_map_lookup_elem(&wanted, &tgid))
		return 0;

	av = BPF_CORE_READ(vma, anon_vma);
	{
		unsigned long start = BPF_CORE_READ(vma, vm_start);
		unsigned long end = BPF_CORE_READ(vma, vm_end);
		unsigned long pgoff = BPF_CORE_READ(vma, vm_pgoff);
		unsigned long flags = BPF_CORE_READ(vma, vm_flags);

		BPF_SEQ_PRINTF(seq, "V %u %lx %lx %lu %lx %lx\n", tgid, start,
			       end, pgoff, flags, (unsigned long)av);
	}
	if (av)
		print_av(seq, -1, av);

	head = &vma->anon_vma_chain;	/* address only, CO-RE relocated */
	pos = BPF_CORE_READ(vma, anon_vma_chain.next);
	for (i = 0; i < KG_MAX_CHAIN + 1; i++) {
		struct anon_vma_chain *avc;

		if (!pos || pos == head)
			break;
		if (i == KG_MAX_CHAIN) {
			trunc = 1;
			break;
		}
		avc = (void *)pos - bpf_core_field_offset(struct anon_vma_chain,
							  same_vma);
		print_av(seq, i, BPF_CORE_READ(avc, anon_vma));
		n++;
		pos = BPF_CORE_READ(avc, same_vma.next);
	}
	BPF_SEQ_PRINTF(seq, "E %u %lx %ld %d\n", tgid,
		       BPF_CORE_READ(vma, vm_start), n, trunc);
	return 0;
}
