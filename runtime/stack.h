/* SPDX-License-Identifier: MIT */
/* Call stacks of recorded events: backtrace() walks, a call tree interns. */
#ifndef AVS_RT_STACK_H
#define AVS_RT_STACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Constructor only: load the unwinder, read AVSHADOW_STACK_DEPTH (default
 * 16, 0 = no stacks, at most 48).  0, or -1 with a message. */
int avs_stack_init(char *msg, size_t len);
/* A fork child: nodes are written again before first use. */
void avs_stack_new_image(void);
/* The caller's stack as a call-tree node of pid (its frame events written
 * first), 0 when off, nested, on a signal stack, or out of room. */
uint32_t avs_stack_capture(int pid);
/* Is this thread inside the runtime's own work (unwinding)?  What it maps
 * then is recorded as the runtime's. */
bool avs_stack_busy(void);

#endif
