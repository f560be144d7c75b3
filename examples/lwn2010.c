/* SPDX-License-Identifier: MIT */
/*
 * The case of LWN's "overly anonymous anon_vma" (2010) as a program: a
 * parent writes two pages and forks; the child writes one of them (its
 * own copy), leaves the other shared, and exits while the parent still
 * maps the shared one.  Nothing goes wrong on a real kernel; the trace
 * holds no swap.  avshadow's what-if search inserts the swap-out and the
 * child's first touch and finds the stranded page under 2.6.34-rc3 rules:
 *
 *   avshadow run -o out -- ./lwn2010
 *   avshadow hazards --whatif --model linux-2.6.34-rc3 out
 */
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	char *p = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pid_t child;

	if (p == MAP_FAILED)
		return 1;
	p[0] = 1;		/* page 0: will be copied by the child */
	p[4096] = 1;		/* page 1: stays shared */
	child = fork();
	if (child < 0)
		return 1;
	if (child == 0) {
		p[0] = 2;
		_exit(0);
	}
	waitpid(child, NULL, 0);
	printf("parent still maps the shared page: %d\n", p[4096]);
	return 0;
}
