/* SPDX-License-Identifier: MIT */
/* Load events: the executable file mappings, for symbolizing stacks. */
#ifndef AVS_RT_LOADMAP_H
#define AVS_RT_LOADMAP_H

#include <stdint.h>
#include "shadow/event.h"

void avs_loadmap_add(int pid, uint64_t start, uint64_t end, uint64_t off,
		     uint64_t dev, uint64_t ino, const char *path,
		     uint32_t len, uint16_t flags);
/* After an mmap event of an executable file mapping of fd. */
void avs_loadmap_mmap(int pid, const struct avs_event *mm, long fd);

#endif
