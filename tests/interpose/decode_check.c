/* SPDX-License-Identifier: MIT */
/*
 * Checks interpose/x86len.c against objdump: reads lines "OFFSET LEN" (hex
 * file offset, decimal length, as objdump decoded them) on stdin and
 * decodes the instruction at each offset of FILE.  Prints disagreements;
 * exits 1 if the decoder returned a different nonzero length anywhere
 * (an unknown instruction, length 0, is counted but is not an error: the
 * patcher refuses what it does not know).
 *   decode_check FILE < list
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <fcntl.h>
#include "interpose/x86len.h"

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	int fd = open(argv[1], O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st))
		return 2;
	const unsigned char *m = mmap(0, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED)
		return 2;
	unsigned long off, len, n = 0, unknown = 0, wrong = 0;
	while (scanf("%lx %lu", &off, &len) == 2) {
		struct avs_x86_insn in;
		if (off >= (unsigned long)st.st_size)
			continue;
		int r = avs_x86_decode(m + off, st.st_size - off, &in);
		n++;
		if (r == 0) {
			if (unknown++ < 20)
				printf("unknown %lx (objdump len %lu)\n", off, len);
		} else if ((unsigned long)r != len) {
			if (wrong++ < 50)
				printf("WRONG %lx: %d, objdump %lu\n", off, r, len);
		}
	}
	printf("%s: %lu insns, %lu unknown, %lu wrong\n", argv[1], n, unknown, wrong);
	return wrong ? 1 : 0;
}
