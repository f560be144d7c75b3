/* SPDX-License-Identifier: MIT */
/*
 * Stopping a recorded process tree at a point where the kernel and the
 * traces agree (docs/CAPTURE.md, "Stopping the tree").  Every descendant
 * of the launcher gets SIGSTOP; a process is settled when all its threads
 * are stopped and the in-flight count in its newest trace header is 0
 * (runtime/sync.h): no syscall of it is done but not yet stamped, or
 * stamped but not yet done.  A stopped process still in flight is let go
 * for a moment and stopped again.  Processes that do not settle in time
 * (an exec of a program that does not load the runtime, a vfork parent
 * whose child is stopped) are marked unsettled and left out.
 */
#ifndef AVS_REPORTS_TREE_STOP_H
#define AVS_REPORTS_TREE_STOP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum avs_tree_state {
	AVS_TREE_SETTLED,	/* stopped, nothing in flight */
	AVS_TREE_GONE,		/* exited (zombie or reaped) */
	AVS_TREE_UNSETTLED,	/* did not settle in time */
};

struct avs_tree_proc {
	pid_t pid;
	enum avs_tree_state state;
	bool traced;		/* it has a trace file in the folder */
	bool was_stopped;	/* stopped before we came: not resumed */
	bool sent_stop;
};

struct avs_tree {
	pid_t self;		/* the launcher: its descendants are the tree */
	const char *dir;	/* the capture folder */
	struct avs_tree_proc *p;
	size_t n, cap;
};

/* The pids of self's descendants (parent links read from /proc), at most
 * max of them.  Returns how many. */
size_t avs_tree_descendants(pid_t self, pid_t *out, size_t max);

/* Stop the tree (t->self, t->dir set; the rest is filled).  Returns the
 * number of unsettled processes. */
size_t avs_tree_stop(struct avs_tree *t);
/* SIGCONT every process the stop stopped; frees t->p. */
void avs_tree_resume(struct avs_tree *t);

#endif
