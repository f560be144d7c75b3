/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: any bytes as an input file of `avshadow report` (binary
 * trace or text form), through the readers, the shadow and every output
 * format.  Built with libFuzzer (-DAVS_FUZZ=ON) or, with replay_main.c,
 * as a program replaying the corpus and crash files (ctest fuzz_corpus).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>
#include "reports/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	static FILE *null;
	static int fd = -1;
	struct avs_report_request rq = {
		.o = { .models = { "linux-6.18", "linux-2.6.34-rc3" },
		       .nmodels = 2, .top = 10 },
		.format = AVS_FMT_DOT,
	};
	struct avs_report *r;
	int status;

	if (fd < 0) {
		/* a file, as the command reads one */
		fd = memfd_create("avshadow-fuzz", 0);
		null = fopen("/dev/null", "w");
		if (fd < 0 || !null)
			return 0;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) || (size && pwrite(fd, data, size, 0) != (ssize_t)size))
		return 0;
	/* the first byte picks the state reported: peak, end, a checkpoint */
	if (size && (data[0] & 3) == 1)
		rq.o.at_end = true;
	else if (size && (data[0] & 3) == 2)
		rq.at_label = "a";
	r = avs_report_build(path, &rq, NULL, &status);
	if (!r)
		return 0;
	avs_report_print_text(r, null);
	avs_report_print_json(r, null);
	avs_report_print_folded(r, null);
	fputs(r->dot, null);
	avs_report_free(r);
	return 0;
}
