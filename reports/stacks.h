/* SPDX-License-Identifier: MIT */
/*
 * Call stacks of a trace.  The recorder writes, per process, a call tree:
 * `frame` events add node ID (caller PARENT, 0 for the outermost frame) at
 * return address IP, and events carry a node id.  `load` events record the
 * executable file mappings, so stacks can be symbolized after the program
 * has exited.  A pid's tables start empty at its start/exec and in a fork
 * child.
 *
 * A stack is interned when an event uses it: its frames are resolved then
 * to (module, file offset), so later exec's and unmaps cannot change what
 * it means.  Interned stacks are numbered from 1 (0: no stack).
 */
#ifndef AVS_REPORTS_STACKS_H
#define AVS_REPORTS_STACKS_H

#include <stddef.h>
#include <stdint.h>
#include "shadow/event.h"

#define AVS_STACK_MAX_DEPTH 128

struct avs_stacks;

/* One frame of an interned stack. */
struct avs_stack_frame {
	uint64_t ip;		/* the recorded address */
	uint64_t offset;	/* file offset of the call site (ip - 1: ips
				   are return addresses) in module */
	uint32_t module;	/* index + 1 into the modules, 0: unknown */
};

struct avs_stack {
	const struct avs_stack_frame *frame;	/* innermost first */
	size_t depth;
};

/* An executable file as recorded by `load` events. */
struct avs_module {
	const char *path;
	uint64_t dev, ino;
};

struct avs_stacks *avs_stacks_new(void);
void avs_stacks_free(struct avs_stacks *st);

/* Forget every pid's tables (replaying from the start again); interned
 * stacks stay. */
void avs_stacks_reset_pids(struct avs_stacks *st);

/* A pid's tables start empty (start, exec, fork child). */
void avs_stacks_forget_pid(struct avs_stacks *st, uint32_t pid);

/* Call-tree node id of pid (ids > 0).  A redefinition replaces it. */
void avs_stacks_add_frame(struct avs_stacks *st, uint32_t pid, uint32_t id,
			  uint32_t parent, uint64_t ip);

/* An executable mapping [start, end) of path at file offset off. */
void avs_stacks_add_load(struct avs_stacks *st, uint32_t pid, uint64_t start,
			 uint64_t end, uint64_t off, uint64_t dev,
			 uint64_t ino, const char *path, size_t path_len);

/* The interned stack of pid's node (0 if node is 0 or unknown). */
uint32_t avs_stacks_intern(struct avs_stacks *st, uint32_t pid,
			   uint32_t node);

/* Update the tables from one event of the stream (any type); returns the
 * interned stack of the event, 0 if it has none. */
uint32_t avs_stacks_event(struct avs_stacks *st, const struct avs_event *ev);

size_t avs_stacks_count(const struct avs_stacks *st);
/* Stack id (1..count). */
struct avs_stack avs_stacks_get(const struct avs_stacks *st, uint32_t id);
size_t avs_stacks_modules(const struct avs_stacks *st);
/* Module index + 1 (1..modules). */
const struct avs_module *avs_stacks_module(const struct avs_stacks *st,
					   uint32_t module);

#endif
