/* SPDX-License-Identifier: MIT */
/* io_setup(2) maps the AIO completion ring into the process ("[aio]"
 * file mapping) without an mmap call; io_destroy(2) unmaps it. */
#include "layout.h"
#include <linux/aio_abi.h>
#include <sys/syscall.h>

int main(void)
{
	aio_context_t ctx = 0;

	snap("cp1");
	check(!syscall(SYS_io_setup, 128, &ctx), "io_setup");
	snap("cp2");
	check(!syscall(SYS_io_destroy, ctx), "io_destroy");
	snap("cp3");
	return 0;
}
