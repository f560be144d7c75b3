/* SPDX-License-Identifier: MIT */
/*
 * The syscall sites of libc and ld.so that avs_ip_patch_all() found, and
 * what it did with each: for tests and diagnostics (the runtime only needs
 * interpose.h).
 *
 * Three kinds of site are rewritten with a `jmp rel32` to a trampoline:
 *
 *   mov-syscall  `b8 NR 00 00 00 0f 05` (mov $NR,%eax; syscall), 7 bytes,
 *                becomes `e9 rel32 cc cc`; the trampoline calls the stub
 *                with NR and jumps back to site+7.
 *   exit         `be e7 00 00 00` (mov $231,%esi) at the head of _exit's
 *                exit_group/exit loop, 5 bytes; the trampoline calls the
 *                stub with 231 (exit_group), then replays the mov and jumps
 *                back to site+5 (reached only if exit_group returned).
 *   syscall()    the entry of libc's generic syscall(), whose first two
 *                instructions (mov %rdi,%rax; mov %rsi,%rdi, 6 bytes) become
 *                `e9 rel32 cc`; the trampoline jumps to the dispatcher
 *                (nr in %rdi), which returns to syscall()'s caller or, for
 *                calls that must not run through C frames, replays the two
 *                instructions and continues in glibc's body.
 */
#ifndef AVS_IP_SITES_H
#define AVS_IP_SITES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "interpose/elfobj.h"

enum avs_ip_kind { AVS_IP_MOV_SYSCALL, AVS_IP_EXIT, AVS_IP_SYSCALL_FN };

enum avs_ip_state {
	AVS_IP_FOUND,    /* candidate, checks pending or passed */
	AVS_IP_PATCHED,  /* rewritten */
	AVS_IP_SKIPPED,  /* by policy: a site that must not be trampolined */
	AVS_IP_REJECTED, /* failed a check: left alone */
	AVS_IP_FAILED,   /* checks passed but no trampoline or write failed */
};

struct avs_ip_site {
	int role;           /* AVS_IP_LIBC or AVS_IP_LDSO */
	const char *obj;    /* the object's SONAME */
	uintptr_t base;     /* its load bias: addr - base is the file offset */
	uintptr_t addr;     /* first byte rewritten */
	long nr;            /* syscall number; -1 for the syscall() entry */
	uint8_t kind;       /* enum avs_ip_kind */
	uint8_t len;        /* bytes rewritten: 7, 5 or 6 */
	uint8_t state;      /* enum avs_ip_state */
	uint8_t orig[8];    /* the bytes before rewriting */
	uintptr_t fn_start, fn_end; /* enclosing function (.eh_frame FDE) */
	uintptr_t tramp;    /* its trampoline, when it has one */
	const char *why;    /* reason for SKIPPED / REJECTED / FAILED */
};

#define AVS_IP_MAX_SITES 64

/* The sites of the last avs_ip_patch_all() call, in scan order. */
int avs_ip_site_count(void);
const struct avs_ip_site *avs_ip_site_at(int i);

/* How text was written: "/proc/self/mem", "mprotect",
 * "/proc/self/mem+mprotect" or "none". */
const char *avs_ip_write_method(void);

/* Tests only: set before avs_ip_patch_all() to skip /proc/self/mem and
 * use the mprotect fallback. */
extern int avs_ip_force_mprotect;

/* ---- between sites.c and patch.c ---- */

/*
 * Give every FOUND site a trampoline in a page within +-2 GiB of its
 * object (mmap MAP_FIXED_NOREPLACE, stepping down from the object's base);
 * sites that cannot get one become FAILED.  Then rewrite every FOUND site
 * (it becomes PATCHED or FAILED), declare the trampoline pages and the
 * text pages written with avs_rt_runtime_range(), and return the number
 * of sites patched.  The page of an object is released if none of its
 * sites ends up patched.
 */
int avs_ip_apply(struct avs_ip_site *sites, int n,
		 const struct avs_ip_obj objs[AVS_IP_NROLES]);

/* ---- between patch.c, dispatch.c and tramp.S ---- */

/* The common stub: nr in %eax, syscall arguments in rdi rsi rdx r10 r8 r9;
 * calls avs_rt_syscall and returns its result in rax, preserving every
 * other register but rcx and r11 (as the syscall instruction does). */
extern char avs_ip_stub[];
/* Replacement entry of syscall(): filters, then avs_ip_syscall_c(). */
extern char avs_ip_syscall_entry[];
/* Where avs_ip_syscall_entry continues into glibc's own syscall() body
 * (replayed instructions in the trampoline page). */
extern uintptr_t avs_ip_syscall_orig;
long avs_ip_syscall_c(long nr, long a1, long a2, long a3, long a4, long a5,
		      long a6);

#endif
