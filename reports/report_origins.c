/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>
#include <uthash.h>
#include "report_origins.h"

struct span {
	uint64_t start, end;
	uint32_t stack;
};

struct proc {
	uint32_t pid;
	uint32_t fork_stack;
	struct span *s;		/* newest last; lookups search backwards */
	size_t n, cap;
	UT_hash_handle hh;
};

struct avs_origins {
	struct proc *procs;
};

struct avs_origins *avs_origins_new(void)
{
	return calloc(1, sizeof(struct avs_origins));
}

static void drop(struct avs_origins *o, struct proc *p)
{
	HASH_DEL(o->procs, p);
	free(p->s);
	free(p);
}

void avs_origins_reset(struct avs_origins *o)
{
	struct proc *p, *tmp;

	HASH_ITER(hh, o->procs, p, tmp)
		drop(o, p);
}

void avs_origins_free(struct avs_origins *o)
{
	if (o) {
		avs_origins_reset(o);
		free(o);
	}
}

static struct proc *find(const struct avs_origins *o, uint32_t pid)
{
	struct proc *p;

	HASH_FIND(hh, o->procs, &pid, sizeof(pid), p);
	return p;
}

static struct proc *get(struct avs_origins *o, uint32_t pid)
{
	struct proc *p = find(o, pid);

	if (!p) {
		p = calloc(1, sizeof(*p));
		if (!p)
			abort();
		p->pid = pid;
		HASH_ADD(hh, o->procs, pid, sizeof(p->pid), p);
	}
	return p;
}

static void add(struct avs_origins *o, uint32_t pid, uint64_t start,
		uint64_t end, uint32_t stack)
{
	struct proc *p = stack ? get(o, pid) : find(o, pid);

	/* nothing known there yet: a stack-less mapping changes nothing */
	if (!p || start >= end)
		return;
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		p->s = realloc(p->s, p->cap * sizeof(*p->s));
		if (!p->s)
			abort();
	}
	p->s[p->n++] = (struct span){ start, end, stack };
}

void avs_origins_event(struct avs_origins *o, const struct avs_event *ev,
		       uint32_t stack)
{
	struct proc *p, *c;

	switch (ev->type) {
	case AVS_EV_START:
	case AVS_EV_EXEC:
		if ((p = find(o, ev->pid)))
			drop(o, p);
		break;
	case AVS_EV_FORK:
		if ((c = find(o, ev->u.fork.child)))
			drop(o, c);
		p = find(o, ev->pid);
		if (!p && !stack)
			break;
		c = get(o, ev->u.fork.child);
		c->fork_stack = stack;
		if (p && p->n) {
			c->s = malloc(p->n * sizeof(*c->s));
			if (!c->s)
				abort();
			memcpy(c->s, p->s, p->n * sizeof(*c->s));
			c->n = c->cap = p->n;
		}
		break;
	case AVS_EV_MMAP:
		add(o, ev->pid, ev->u.mmap.start, ev->u.mmap.end, stack);
		break;
	case AVS_EV_MREMAP:
		add(o, ev->pid, ev->u.mremap.new_start, ev->u.mremap.new_end,
		    stack);
		break;
	case AVS_EV_BRK:
		if (ev->u.brk.new_brk > ev->u.brk.old_brk)
			add(o, ev->pid, ev->u.brk.old_brk & ~4095ULL,
			    (ev->u.brk.new_brk + 4095) & ~4095ULL, stack);
		break;
	default:
		break;
	}
}

uint32_t avs_origins_mapping(const struct avs_origins *o, uint32_t pid,
			     uint64_t addr)
{
	const struct proc *p = find(o, pid);
	size_t i;

	if (!p)
		return 0;
	for (i = p->n; i-- > 0;)
		if (addr >= p->s[i].start && addr < p->s[i].end)
			return p->s[i].stack;
	return 0;
}

uint32_t avs_origins_fork(const struct avs_origins *o, uint32_t pid)
{
	const struct proc *p = find(o, pid);

	return p ? p->fork_stack : 0;
}
