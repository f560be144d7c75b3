/* SPDX-License-Identifier: MIT */
/*
 * The launcher of `avshadow run` and `avshadow verify` (cmd_run.c): makes
 * the capture folder and its seq counter, starts the program with
 * libavshadow.so preloaded, reaps the whole tree as its subreaper, and
 * calls back while it waits, for snapshots of the running tree.
 */
#ifndef AVS_REPORTS_LAUNCHER_H
#define AVS_REPORTS_LAUNCHER_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct avs_launch {
	/* set by the caller */
	const char *outdir;	/* NULL: avshadow.PID */
	char **argv;		/* PROGRAM ARGS..., NULL-terminated */
	const char *sync;	/* AVSHADOW_SYNC for the tree (runtime/sync.h) */
	int sigs[2];		/* also taken while waiting (0: none) */
	long tick_ms;		/* on_event(0) at least this often; 0: never */
	/* a signal of sigs[] (or 0 for a tick), with the program running */
	void (*on_event)(struct avs_launch *l, int sig);
	/* the folder and counter exist, the program is not started yet;
	 * nonzero: give up (status 2) */
	int (*on_ready)(struct avs_launch *l);
	bool no_report;		/* do not write DIR/report.txt */
	void *arg;
	/* the launcher's state */
	char dir[PATH_MAX];	/* absolute capture folder */
	bool made_dir;		/* we created it (remove it if nothing ran) */
	uint64_t *seq;		/* DIR/seq, shared with the recorders */
	int exits_fd;
	bool exits_failed;
	pid_t child;
};

/* Run l->argv to the end of its tree.  Returns the program's status
 * (128 + signal if killed), 2 if it cannot be preloaded or the folder not
 * made, 126/127 if it cannot be run. */
int avs_launch_run(struct avs_launch *l);

/* --checkpoint-signal / --checkpoint-every of avshadow run
 * (launch_checkpoint.c): stop the tree, record `checkpoint PID
 * launcher.N` for every live traced process into DIR/launcher.trace and
 * save DIR/maps/<pid>-launcher.N.maps, resume. */
struct avs_launch_checkpoints {
	int fd;			/* DIR/launcher.trace, -1 until the first */
	unsigned n;
	uint64_t zero_pfn;
};
void avs_launch_checkpoint(struct avs_launch *l,
			   struct avs_launch_checkpoints *c);

#endif
