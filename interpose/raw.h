/* SPDX-License-Identifier: MIT */
/*
 * Raw system calls for the patcher and the dispatcher: the `syscall`
 * instruction of these lines is in libavshadow.so, never in libc, so it is
 * never a patched site and never recurses.  Results are -errno on failure;
 * errno is not touched.
 */
#ifndef AVS_IP_RAW_H
#define AVS_IP_RAW_H

static inline long avs_ip_raw6(long nr, long a1, long a2, long a3, long a4,
			       long a5, long a6)
{
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	register long r9 __asm__("r9") = a6;
	long ret;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "0"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10),
			   "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

#define avs_ip_raw(nr, a1, a2, a3) avs_ip_raw6((nr), (long)(a1), (long)(a2), \
					       (long)(a3), 0, 0, 0)

#endif
