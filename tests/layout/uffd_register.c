/* SPDX-License-Identifier: MIT */
/* userfaultfd: UFFDIO_REGISTER (an ioctl) of the middle of a VMA splits
 * it (VM_UFFD_MISSING); closing the descriptor unregisters and merges
 * the parts back.  Skipped if userfaultfd is not available. */
#include "layout.h"
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

int main(void)
{
	char *p = map_anon(16 * PG, PROT_READ | PROT_WRITE);
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = {
		.range = { .start = (uintptr_t)p + 4 * PG, .len = 4 * PG },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};
	int fd;

	touch(p, 16 * PG);
	snap("cp1");
	fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		fprintf(stderr, "userfaultfd: %s, skipped\n", strerror(errno));
		snap("cp2");
		snap("cp3");
		return 0;
	}
	check(!ioctl(fd, UFFDIO_API, &api), "UFFDIO_API");
	check(!ioctl(fd, UFFDIO_REGISTER, &reg), "UFFDIO_REGISTER");
	snap("cp2");
	close(fd);
	snap("cp3");
	return 0;
}
