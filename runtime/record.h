/* SPDX-License-Identifier: MIT */
/* The recorder's per-process state. */
#ifndef AVS_RT_RECORD_H
#define AVS_RT_RECORD_H

/* A new process image or fork child: cache its pid and break. */
void avs_rec_reset(int pid);

#endif
