/* SPDX-License-Identifier: MIT */
/*
 * The load map in the trace (docs/EVENTS.md: load): every executable file
 * mapping, from the seed and from mmap, with its path, so that the frames
 * of the call stacks can be symbolized after the process is gone.
 * Hook context: raw syscalls, no allocation.
 */
#include <fcntl.h>
#include <sys/syscall.h>
#include "loadmap.h"
#include "out.h"
#include "raw.h"
#include "strbuf.h"

void avs_loadmap_add(int pid, uint64_t start, uint64_t end, uint64_t off,
		     uint64_t dev, uint64_t ino, const char *path,
		     uint32_t len, uint16_t flags)
{
	struct avs_event ev = { .type = AVS_EV_LOAD, .pid = (uint32_t)pid };

	ev.flags = flags;
	ev.u.load.start = start;
	ev.u.load.end = end;
	ev.u.load.off = off;
	ev.u.load.dev = dev;
	ev.u.load.ino = ino;
	ev.str = len ? path : NULL;
	ev.str_len = len;
	avs_out_write(&ev);
}

void avs_loadmap_mmap(int pid, const struct avs_event *mm, long fd)
{
	char link[40], path[512];
	long len;

	if (fd < 0)
		return;
	avs_put_u64(link + avs_str_copy(link, "/proc/self/fd/", sizeof(link)),
		    (uint64_t)fd);
	len = raw4(SYS_readlinkat, AT_FDCWD, link, path, sizeof(path));
	if (len < 0)
		len = 0;
	avs_loadmap_add(pid, mm->u.mmap.start, mm->u.mmap.end, mm->u.mmap.off,
			mm->u.mmap.dev, mm->u.mmap.ino, path, (uint32_t)len,
			mm->flags & AVS_EVF_RUNTIME);
}
