/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>
#include "stacks.h"

struct node {
	uint32_t id, parent;
	uint64_t ip;
	uint32_t interned;	/* cached stack id, 0: not yet */
	UT_hash_handle hh;
};

struct load {
	uint64_t start, end, off;
	uint32_t module;
};

struct pidtab {
	uint32_t pid;
	struct node *nodes;
	struct load *loads;
	size_t nloads, cap;
	UT_hash_handle hh;
};

struct interned {
	struct avs_stack_frame *frame;	/* the key: depth frames */
	size_t depth;
	uint32_t id;
	UT_hash_handle hh;
};

struct modkey {
	char *key;		/* "dev:ino:path": the hash key */
	struct avs_module m;
	uint32_t index;
	UT_hash_handle hh;
};

struct avs_stacks {
	struct pidtab *pids;
	struct interned *by_frames, **stacks;	/* stacks[id - 1] */
	size_t nstacks, cap;
	struct modkey *by_key, **modules;	/* modules[index - 1] */
	size_t nmodules, modcap;
};

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		abort();
	return p;
}

struct avs_stacks *avs_stacks_new(void)
{
	return calloc(1, sizeof(struct avs_stacks));
}

static void free_pid(struct avs_stacks *st, struct pidtab *p)
{
	struct node *n, *tmp;

	HASH_ITER(hh, p->nodes, n, tmp) {
		HASH_DEL(p->nodes, n);
		free(n);
	}
	HASH_DEL(st->pids, p);
	free(p->loads);
	free(p);
}

void avs_stacks_reset_pids(struct avs_stacks *st)
{
	struct pidtab *p, *tmp;

	HASH_ITER(hh, st->pids, p, tmp)
		free_pid(st, p);
}

void avs_stacks_free(struct avs_stacks *st)
{
	struct interned *s, *stmp;
	struct modkey *m, *mtmp;

	if (!st)
		return;
	avs_stacks_reset_pids(st);
	HASH_ITER(hh, st->by_frames, s, stmp) {
		HASH_DEL(st->by_frames, s);
		free(s->frame);
		free(s);
	}
	HASH_ITER(hh, st->by_key, m, mtmp) {
		HASH_DEL(st->by_key, m);
		free(m->key);
		free(m);
	}
	free(st->stacks);
	free(st->modules);
	free(st);
}

void avs_stacks_forget_pid(struct avs_stacks *st, uint32_t pid)
{
	struct pidtab *p;

	HASH_FIND(hh, st->pids, &pid, sizeof(pid), p);
	if (p)
		free_pid(st, p);
}

static struct pidtab *pid_of(struct avs_stacks *st, uint32_t pid)
{
	struct pidtab *p;

	HASH_FIND(hh, st->pids, &pid, sizeof(pid), p);
	if (!p) {
		p = calloc(1, sizeof(*p));
		if (!p)
			abort();
		p->pid = pid;
		HASH_ADD(hh, st->pids, pid, sizeof(p->pid), p);
	}
	return p;
}

void avs_stacks_add_frame(struct avs_stacks *st, uint32_t pid, uint32_t id,
			  uint32_t parent, uint64_t ip)
{
	struct pidtab *p = pid_of(st, pid);
	struct node *n;

	if (!id)
		return;
	HASH_FIND(hh, p->nodes, &id, sizeof(id), n);
	if (!n) {
		n = calloc(1, sizeof(*n));
		if (!n)
			abort();
		n->id = id;
		HASH_ADD(hh, p->nodes, id, sizeof(n->id), n);
	} else {
		/* a redefinition: cached stacks below it are stale */
		struct node *o, *tmp;

		HASH_ITER(hh, p->nodes, o, tmp)
			o->interned = 0;
	}
	n->parent = parent;
	n->ip = ip;
}

static uint32_t module_of(struct avs_stacks *st, uint64_t dev, uint64_t ino,
			  const char *path, size_t len)
{
	struct modkey *m;
	char *key;
	size_t klen;

	klen = (size_t)snprintf(NULL, 0, "%llx:%llx:%.*s",
				(unsigned long long)dev,
				(unsigned long long)ino, (int)len, path);
	key = malloc(klen + 1);
	if (!key)
		abort();
	snprintf(key, klen + 1, "%llx:%llx:%.*s", (unsigned long long)dev,
		 (unsigned long long)ino, (int)len, path);
	HASH_FIND(hh, st->by_key, key, klen, m);
	if (m) {
		free(key);
		return m->index;
	}
	m = calloc(1, sizeof(*m));
	if (!m)
		abort();
	m->key = key;
	/* the path is the key's tail: keep one copy */
	m->m.path = key + klen - len;
	m->m.dev = dev;
	m->m.ino = ino;
	if (st->nmodules == st->modcap) {
		st->modcap = st->modcap ? st->modcap * 2 : 16;
		st->modules = xrealloc(st->modules,
				       st->modcap * sizeof(*st->modules));
	}
	st->modules[st->nmodules++] = m;
	m->index = (uint32_t)st->nmodules;
	HASH_ADD_KEYPTR(hh, st->by_key, m->key, klen, m);
	return m->index;
}

void avs_stacks_add_load(struct avs_stacks *st, uint32_t pid, uint64_t start,
			 uint64_t end, uint64_t off, uint64_t dev,
			 uint64_t ino, const char *path, size_t path_len)
{
	struct pidtab *p = pid_of(st, pid);
	struct load *l;

	if (end <= start)
		return;
	if (p->nloads == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		p->loads = xrealloc(p->loads, p->cap * sizeof(*p->loads));
	}
	l = &p->loads[p->nloads++];
	l->start = start;
	l->end = end;
	l->off = off;
	l->module = module_of(st, dev, ino, path ? path : "", path ? path_len : 0);
}

/* The newest load of p covering addr: later mappings replace older ones. */
static const struct load *load_at(const struct pidtab *p, uint64_t addr)
{
	size_t i;

	for (i = p->nloads; i-- > 0;)
		if (addr >= p->loads[i].start && addr < p->loads[i].end)
			return &p->loads[i];
	return NULL;
}

static uint32_t intern_frames(struct avs_stacks *st,
			      const struct avs_stack_frame *f, size_t depth)
{
	struct interned *s;
	size_t bytes = depth * sizeof(*f);

	HASH_FIND(hh, st->by_frames, f, bytes, s);
	if (s)
		return s->id;
	s = calloc(1, sizeof(*s));
	if (!s)
		abort();
	s->frame = xrealloc(NULL, bytes);
	memcpy(s->frame, f, bytes);
	s->depth = depth;
	if (st->nstacks == st->cap) {
		st->cap = st->cap ? st->cap * 2 : 64;
		st->stacks = xrealloc(st->stacks, st->cap * sizeof(*st->stacks));
	}
	st->stacks[st->nstacks++] = s;
	s->id = (uint32_t)st->nstacks;
	HASH_ADD_KEYPTR(hh, st->by_frames, s->frame, bytes, s);
	return s->id;
}

uint32_t avs_stacks_intern(struct avs_stacks *st, uint32_t pid, uint32_t node)
{
	struct avs_stack_frame f[AVS_STACK_MAX_DEPTH];
	struct node *first = NULL, *n;
	struct pidtab *p;
	size_t depth = 0;

	if (!node)
		return 0;
	HASH_FIND(hh, st->pids, &pid, sizeof(pid), p);
	if (!p)
		return 0;
	HASH_FIND(hh, p->nodes, &node, sizeof(node), first);
	if (!first)
		return 0;
	if (first->interned)
		return first->interned;
	/* bounded: a cycle in a damaged trace ends at the depth limit */
	for (n = first; n && depth < AVS_STACK_MAX_DEPTH;) {
		/* every recorded ip is a return address, after its call:
		 * ip - 1 is in the calling line (and the same function) */
		uint64_t at = n->ip ? n->ip - 1 : 0;
		const struct load *l = load_at(p, at);

		memset(&f[depth], 0, sizeof(f[depth]));
		f[depth].ip = n->ip;
		if (l) {
			f[depth].module = l->module;
			f[depth].offset = at - l->start + l->off;
		}
		depth++;
		uint32_t parent = n->parent;	/* HASH_FIND clears n first */

		if (!parent)
			break;
		HASH_FIND(hh, p->nodes, &parent, sizeof(parent), n);
	}
	first->interned = intern_frames(st, f, depth);
	return first->interned;
}

uint32_t avs_stacks_event(struct avs_stacks *st, const struct avs_event *ev)
{
	/* resolved before a start/exec empties the tables it refers to */
	uint32_t stack = avs_stacks_intern(st, ev->pid, ev->stack);

	switch (ev->type) {
	case AVS_EV_START:
	case AVS_EV_EXEC:
		avs_stacks_forget_pid(st, ev->pid);
		break;
	case AVS_EV_FORK:
		/* vfork/CLONE_VM children too: a new table per pid */
		avs_stacks_forget_pid(st, ev->u.fork.child);
		break;
	case AVS_EV_FRAME:
		avs_stacks_add_frame(st, ev->pid, ev->u.frame.id,
				     ev->u.frame.parent, ev->u.frame.ip);
		break;
	case AVS_EV_LOAD:
		avs_stacks_add_load(st, ev->pid, ev->u.load.start,
				    ev->u.load.end, ev->u.load.off,
				    ev->u.load.dev, ev->u.load.ino, ev->str,
				    ev->str_len);
		break;
	default:
		break;
	}
	return stack;
}

size_t avs_stacks_count(const struct avs_stacks *st)
{
	return st->nstacks;
}

struct avs_stack avs_stacks_get(const struct avs_stacks *st, uint32_t id)
{
	struct avs_stack s = { 0 };

	if (id && id <= st->nstacks) {
		s.frame = st->stacks[id - 1]->frame;
		s.depth = st->stacks[id - 1]->depth;
	}
	return s;
}

size_t avs_stacks_modules(const struct avs_stacks *st)
{
	return st->nmodules;
}

const struct avs_module *avs_stacks_module(const struct avs_stacks *st,
					   uint32_t module)
{
	return module && module <= st->nmodules ? &st->modules[module - 1]->m
						 : NULL;
}
