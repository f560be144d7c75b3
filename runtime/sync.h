/* SPDX-License-Identifier: MIT */
/*
 * Consistent snapshots of a running tree (docs/CAPTURE.md, "Stopping the
 * tree").  With AVSHADOW_SYNC set by the launcher, each process keeps an
 * in-flight count in its trace header (the reserved u64 at offset 24):
 * nonzero while it is between a syscall and the record that stamps it, so
 * a launcher that stops the tree knows when the kernel and the trace
 * agree.  With AVSHADOW_SYNC=@NAME it also waits at sync points
 * (checkpoint, after a fork, before exit) until the launcher listening on
 * the abstract unix socket NAME has taken its snapshot.  Without the
 * variable nothing here does anything.  Async-signal-safe, errno untouched.
 */
#ifndef AVS_RT_SYNC_H
#define AVS_RT_SYNC_H

#include <stdbool.h>

enum avs_sync_kind {
	AVS_SYNC_CHECKPOINT = 1,
	AVS_SYNC_FORK = 2,
	AVS_SYNC_EXIT = 3,
};

/* Constructor: read AVSHADOW_SYNC (after the trace file is open). */
void avs_sync_init(int pid);
bool avs_sync_on(void);
/* Bracket work that changes the address space and records it. */
void avs_sync_enter(void);
void avs_sync_leave(void);
/* Around a recorded syscall: the in-flight count and the sync points of
 * fork (in the parent, after) and exit_group (before). */
void avs_sync_before(long nr);
void avs_sync_after(long nr, long a1, long ret);
/* Tell the launcher and wait for its snapshot (no-op without a socket). */
void avs_sync_point(enum avs_sync_kind kind);

#endif
