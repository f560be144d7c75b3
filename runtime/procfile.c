/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <sys/syscall.h>
#include "procfile.h"
#include "raw.h"

int avs_proc_lines(const char *path, char *buf, size_t size,
		   void (*line)(void *arg, const char *p, const char *end),
		   void *arg)
{
	long fd = raw4(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0);
	long have = 0, n;

	if (fd < 0)
		return (int)fd;
	for (;;) {
		long i, from = 0;

		n = raw3(SYS_read, fd, buf + have, (long)size - have);
		if (n > 0)
			have += n;
		for (i = 0; i < have; i++) {
			if (buf[i] != '\n')
				continue;
			line(arg, buf + from, buf + i);
			from = i + 1;
		}
		if (n <= 0 && from < have) {	/* the last line, no newline */
			line(arg, buf + from, buf + have);
			from = have;
		}
		for (i = from; i < have; i++)
			buf[i - from] = buf[i];
		have -= from;
		if (have == (long)size)		/* a line longer than buf */
			have = 0;
		if (n <= 0)
			break;
	}
	raw1(SYS_close, fd);
	return 0;
}
