/* SPDX-License-Identifier: MIT */
/*
 * This process's trace output: the shared seq counter and the trace file,
 * written through a file mapping so that records survive a crash and a
 * record costs a memcpy, not a syscall.
 */
#ifndef AVS_RT_OUT_H
#define AVS_RT_OUT_H

#include <stdbool.h>
#include <stdint.h>
#include "shadow/event.h"

/* Open (or create) the folder and the seq counter, and a new trace file
 * for this process image.  0, or -errno (recording stays off). */
int avs_out_open(const char *dir, int pid);
/* In a fork child: a new trace file, same folder and counter. */
int avs_out_reopen_child(int pid);
bool avs_out_on(void);
/* The next global sequence number. */
uint64_t avs_out_seq(void);
/* Write one record (stamped with a fresh seq unless ev->seq is set).
 * Never blocks; a record that does not fit is dropped and counted. */
void avs_out_write(struct avs_event *ev);
/* The address range of the runtime's own output mappings. */
void avs_out_ranges(uint64_t r[2][2]);

#endif
