/* SPDX-License-Identifier: MIT */
/*
 * The shadow object, its process table, and the dispatch of events to the
 * kernel paths they stand for (kernel/fork.c, fs/exec.c, kernel/exit.c).
 */
#include <stdlib.h>
#include <string.h>
#include "internal.h"

struct avs_shadow *avs_shadow_new(const struct avs_rules *rules)
{
	struct avs_shadow *sh = calloc(1, sizeof(*sh));

	if (!sh)
		return NULL;
	sh->rules = rules ? rules : &avs_rules_linux_6_18;
	INIT_LIST_HEAD(&sh->mms);
	INIT_LIST_HEAD(&sh->anon_vmas);
	return sh;
}

static void proc_remove(struct avs_shadow *sh, struct avs_proc *p)
{
	HASH_DEL(sh->procs, p);
	sh->counts.procs--;
	avs_mmput(sh, p->mm);
	avs_free(sh, AVS_MEM_PROC, p, sizeof(*p));
}

void avs_shadow_free(struct avs_shadow *sh)
{
	struct avs_proc *p, *tmp;

	if (!sh)
		return;
	sh->cur = NULL;
	HASH_ITER(hh, sh->procs, p, tmp)
		proc_remove(sh, p);
	/* mms and anon_vmas are all gone now, unless the shadow is broken */
	while (!list_empty(&sh->mms)) {
		struct avs_mm *mm = list_first_entry(&sh->mms, struct avs_mm,
						     node);
		mm->users = 1;
		avs_mmput(sh, mm);
	}
	while (!list_empty(&sh->anon_vmas)) {
		struct avs_anon_vma *av = list_first_entry(
			&sh->anon_vmas, struct avs_anon_vma, node);
		list_del(&av->node);
		free(av);
	}
	avs_cache_release(sh);
	free(sh->hazards);
	free(sh);
}

void avs_shadow_set_diag(struct avs_shadow *sh, avs_diag_fn fn, void *arg)
{
	sh->diag = fn;
	sh->diag_arg = arg;
}

void avs_shadow_set_check_each_event(struct avs_shadow *sh, bool on)
{
	sh->check_each_event = on;
}

static struct avs_proc *proc_find(const struct avs_shadow *sh, uint32_t pid)
{
	struct avs_proc *p;

	HASH_FIND(hh, sh->procs, &pid, sizeof(pid), p);
	return p;
}

static struct avs_proc *proc_add(struct avs_shadow *sh, uint32_t pid,
				 uint32_t ppid, struct avs_mm *mm)
{
	struct avs_proc *p = avs_alloc(sh, AVS_MEM_PROC, sizeof(*p));

	p->pid = pid;
	p->ppid = ppid;
	p->mm = mm;
	p->id = ++sh->next_id;
	HASH_ADD(hh, sh->procs, pid, sizeof(p->pid), p);
	sh->counts.procs++;
	return p;
}

static void set_comm(struct avs_proc *p, const struct avs_event *ev)
{
	size_t n = ev->str_len;
	const char *s = ev->str;

	if (!s || !n)
		return;
	if (ev->type == AVS_EV_EXEC) {	/* comm is the path's last part */
		size_t i = n;

		while (i > 0 && s[i - 1] != '/')
			i--;
		s += i;
		n -= i;
	}
	if (n >= sizeof(p->comm))
		n = sizeof(p->comm) - 1;
	memcpy(p->comm, s, n);
	p->comm[n] = '\0';
}

static void do_start(struct avs_shadow *sh, const struct avs_event *ev)
{
	struct avs_proc *p = proc_find(sh, ev->pid);

	if (p) {
		avs_warn(sh, "pid %u started again; the old one is dropped",
			 ev->pid);
		proc_remove(sh, p);
	}
	p = proc_add(sh, ev->pid, ev->u.start.ppid, avs_mm_alloc(sh));
	p->mm->exec_id = p->mm->id;
	p->mm->start_brk = ev->u.start.start_brk;
	p->mm->brk = ev->u.start.brk;
	set_comm(p, ev);
}

/* kernel/fork.c: copy_mm(): CLONE_VM shares the mm, otherwise dup_mm(). */
static void do_fork(struct avs_shadow *sh, struct avs_proc *parent,
		    const struct avs_event *ev)
{
	struct avs_proc *child = proc_find(sh, ev->u.fork.child);
	struct avs_mm *mm;

	if (child) {
		avs_warn(sh, "fork: child pid %u already lives; dropped",
			 ev->u.fork.child);
		proc_remove(sh, child);
	}
	if (ev->u.fork.clone_flags & AVS_FORK_VM) {
		mm = parent->mm;
		mm->users++;
	} else {
		mm = avs_mm_alloc(sh);
		mm->exec_id = parent->mm->exec_id;
		avs_dup_mmap(sh, mm, parent->mm);
		sh->counts.forks++;
	}
	child = proc_add(sh, ev->u.fork.child, parent->pid, mm);
	memcpy(child->comm, parent->comm, sizeof(child->comm));
}

/* fs/exec.c: exec_mmap(): the old mm is released, a new one starts; the
 * VMAs of the new image arrive as seed events. */
static void do_exec(struct avs_shadow *sh, struct avs_proc *p,
		    const struct avs_event *ev)
{
	avs_mmput(sh, p->mm);
	p->mm = avs_mm_alloc(sh);
	p->mm->exec_id = p->mm->id;
	p->mm->start_brk = ev->u.start.start_brk;
	p->mm->brk = ev->u.start.brk;
	set_comm(p, ev);
}

static void do_fault(struct avs_shadow *sh, struct avs_proc *p,
		     const struct avs_event *ev)
{
	if (avs_handle_fault(sh, p->mm, ev->u.fault.addr, ev->u.fault.access) ==
	    AVS_FAULT_SIGSEGV)
		avs_warn(sh, "fault at 0x%llx would be SIGSEGV",
			 (unsigned long long)ev->u.fault.addr);
}

static int dispatch(struct avs_shadow *sh, const struct avs_event *ev)
{
	struct avs_proc *p;

	if (ev->type == AVS_EV_START) {
		do_start(sh, ev);
		return 0;
	}
	/* Labels and symbol information: nothing for the model. */
	if (ev->type == AVS_EV_CHECKPOINT || ev->type == AVS_EV_FRAME ||
	    ev->type == AVS_EV_LOAD)
		return 0;
	p = proc_find(sh, ev->pid);
	if (!p) {
		avs_warn(sh, "unknown pid %u", ev->pid);
		return 1;
	}
	switch (ev->type) {
	case AVS_EV_VMA:
		avs_seed_vma(sh, p, ev);
		break;
	case AVS_EV_FORK:
		do_fork(sh, p, ev);
		break;
	case AVS_EV_EXEC:
		do_exec(sh, p, ev);
		break;
	case AVS_EV_EXIT:
		proc_remove(sh, p);
		break;
	case AVS_EV_MMAP:
		avs_do_mmap(sh, p, ev);
		break;
	case AVS_EV_MUNMAP:
		avs_munmap_range(sh, p->mm, ev->u.range.start, ev->u.range.end);
		break;
	case AVS_EV_MPROTECT:
		avs_do_mprotect(sh, p, ev);
		break;
	case AVS_EV_MREMAP:
		avs_do_mremap(sh, p, ev);
		break;
	case AVS_EV_MADVISE:
		avs_do_madvise(sh, p, ev);
		break;
	case AVS_EV_BRK:
		avs_do_brk(sh, p, ev);
		break;
	case AVS_EV_MLOCK:
	case AVS_EV_MUNLOCK:
	case AVS_EV_MLOCKALL:
	case AVS_EV_MUNLOCKALL:
		avs_do_mlock(sh, p, ev);
		break;
	case AVS_EV_FAULT:
		do_fault(sh, p, ev);
		break;
	case AVS_EV_PAGES:
		avs_observe_pages(sh, p->mm, ev);
		break;
	case AVS_EV_SWAPOUT:
		avs_swap_out(sh, p->mm, p->pid, ev->u.range.start,
			     ev->u.range.end, true);
		break;
	case AVS_EV_SWAPIN:
		avs_swap_in(sh, p->mm, ev->u.range.start, ev->u.range.end);
		break;
	default:
		avs_warn(sh, "unknown event type %u", ev->type);
		return 1;
	}
	return 0;
}

int avs_shadow_apply(struct avs_shadow *sh, const struct avs_event *ev)
{
	unsigned long warnings = sh->warnings;
	int ret = 0;

	sh->cur = ev;
	sh->nr_events++;
	if (!(ev->flags & AVS_EVF_FAILED))
		ret = dispatch(sh, ev);
	if (sh->check_each_event) {
		char msg[256];

		if (avs_shadow_check(sh, msg, sizeof(msg))) {
			avs_warn(sh, "invariant broken: %s", msg);
			ret = -1;
		}
	}
	sh->cur = NULL;
	if (!ret && sh->warnings != warnings)
		ret = 1;
	return ret;
}

const char *avs_shadow_last_warning(const struct avs_shadow *sh)
{
	return sh->last_warning;
}

unsigned long avs_shadow_warnings(const struct avs_shadow *sh)
{
	return sh->warnings;
}

uint64_t avs_shadow_events(const struct avs_shadow *sh)
{
	return sh->nr_events;
}

const struct avs_counts *avs_shadow_counts(const struct avs_shadow *sh)
{
	return &sh->counts;
}

const struct avs_rules *avs_shadow_rules(const struct avs_shadow *sh)
{
	return sh->rules;
}

size_t avs_shadow_mem_bytes(const struct avs_shadow *sh, size_t *peak)
{
	if (peak)
		*peak = sh->mem_peak;
	return sh->mem_total;
}

void avs_shadow_mem(const struct avs_shadow *sh, struct avs_mem *out)
{
	out->anon_vma = sh->mem[AVS_MEM_ANON_VMA];
	out->avc = sh->mem[AVS_MEM_AVC];
	out->vma = sh->mem[AVS_MEM_VMA];
	out->folio = sh->mem[AVS_MEM_FOLIO];
	out->page_table = sh->mem[AVS_MEM_PT];
	out->mm = sh->mem[AVS_MEM_MM];
	out->proc = sh->mem[AVS_MEM_PROC];
	out->other = sh->mem[AVS_MEM_OTHER];
}

const struct avs_hazard *avs_shadow_hazards(const struct avs_shadow *sh,
					     size_t *nr)
{
	*nr = sh->nr_hazards;
	return sh->hazards;
}

static int proc_order(const void *a, const void *b)
{
	const struct avs_proc *x = *(const struct avs_proc *const *)a;
	const struct avs_proc *y = *(const struct avs_proc *const *)b;

	return x->id < y->id ? -1 : x->id > y->id;
}

size_t avs_shadow_procs(const struct avs_shadow *sh,
			const struct avs_proc **out, size_t max)
{
	const struct avs_proc *p;
	size_t n = 0;

	for (p = sh->procs; p; p = p->hh.next) {
		if (n < max)
			out[n] = p;
		n++;
	}
	if (n && n <= max)
		qsort(out, n, sizeof(*out), proc_order);
	return n;
}

const struct avs_proc *avs_shadow_find_proc(const struct avs_shadow *sh,
					    uint32_t pid)
{
	return proc_find(sh, pid);
}

const struct avs_anon_vma *avs_shadow_first_anon_vma(const struct avs_shadow *sh)
{
	return list_empty(&sh->anon_vmas) ? NULL :
		list_first_entry(&sh->anon_vmas, struct avs_anon_vma, node);
}

const struct avs_anon_vma *avs_shadow_next_anon_vma(const struct avs_shadow *sh,
						    const struct avs_anon_vma *av)
{
	return av->node.next == &sh->anon_vmas ? NULL :
		list_entry(av->node.next, struct avs_anon_vma, node);
}
