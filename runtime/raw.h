/* SPDX-License-Identifier: MIT */
/* Raw system calls: the runtime never goes through libc wrappers (which
 * may be the very sites it patched, or set errno). Results are -errno. */
#ifndef AVS_RAW_H
#define AVS_RAW_H

static inline long raw_syscall6(long nr, long a1, long a2, long a3, long a4,
				long a5, long a6)
{
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	register long r9 __asm__("r9") = a6;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10),
			   "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

#define raw0(nr) raw_syscall6(nr, 0, 0, 0, 0, 0, 0)
#define raw1(nr, a) raw_syscall6(nr, (long)(a), 0, 0, 0, 0, 0)
#define raw2(nr, a, b) raw_syscall6(nr, (long)(a), (long)(b), 0, 0, 0, 0)
#define raw3(nr, a, b, c) \
	raw_syscall6(nr, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define raw4(nr, a, b, c, d) \
	raw_syscall6(nr, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define raw6(nr, a, b, c, d, e, f)                                            \
	raw_syscall6(nr, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e),\
		     (long)(f))

#endif
