/* SPDX-License-Identifier: MIT */
/*
 * avshadow verify: the shadow against the running kernel (cmd_verify.c
 * takes the snapshots, verify_check.c compares them).
 *
 * A verified capture folder holds, besides the traces:
 *   verify.trace      the launcher's records: the pages of every stopped
 *                     process and `checkpoint PID verify.N`, with the seq
 *                     of the moment the tree stood still;
 *   verify/index      one line per snapshot:
 *                     N SEQ KIND PID PIDS UNSETTLED
 *                     (KIND checkpoint|fork|exit: the sync point of
 *                     process PID that asked for it; PIDS the compared
 *                     processes, comma-separated; UNSETTLED how many were
 *                     left out);
 *   verify/N.json     the kernel's graph of PIDS (avs_kgraph_dump).
 */
#ifndef AVS_REPORTS_VERIFY_H
#define AVS_REPORTS_VERIFY_H

#include <stdio.h>
#include "shadow/rules.h"

#define AVS_VERIFY_LABEL "verify."

/*
 * Replay the folder under rules and compare the shadow at each snapshot's
 * checkpoint with the kernel's graph: one line per snapshot
 *   verify.N (KIND PID, seq S, P processes): agree: VMAS a/b, ...
 * then each divergence with the events of that process and range that led
 * to it.  Returns 0 if every snapshot agrees, 1 on a divergence, 2 if the
 * folder cannot be read (message on out).
 */
int avs_verify_check(const char *dir, const struct avs_rules *rules,
		     FILE *out);

#endif
