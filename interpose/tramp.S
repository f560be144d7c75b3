/* SPDX-License-Identifier: MIT */
/*
 * The common stub behind every per-site trampoline, and the replacement
 * entry of libc's syscall().  See interpose/sites.h and patch.c for the
 * trampolines that lead here.
 */

	.text

/*
 * avs_ip_stub: reached by `call *%r11` from a trampoline, which has moved
 * %rsp below the red zone of the interrupted function.
 *   in:  %eax = syscall number; %rdi %rsi %rdx %r10 %r8 %r9 = arguments;
 *        %rcx = the address the trampoline returns to in the function
 *        (site + len)
 *   out: %rax = avs_rt_syscall(nr, a1..a6) (raw: -errno on failure)
 * Preserves every register the syscall instruction preserves (all but
 * rax, rcx, r11); the C side is built with -mgeneral-regs-only so vector
 * registers live in the interrupted function survive.  Flags are
 * clobbered, as glibc's syscall asm declares ("cc").
 *
 * So that an unwinder (runtime/stack.c) goes from the C code straight into
 * the interrupted function, skipping the trampoline, which has no unwind
 * information, the stub builds a standard frame at the function's own
 * stack pointer: for the duration of the call the two words below it (in
 * its red zone, which the trampoline skipped and nothing else uses while
 * this thread is here) hold the return address site+len and the caller's
 * %rbp, and %rbp points at them.  The words are put back afterwards.
 *
 * Stack at entry: [rsp0] = return into the trampoline, the function's
 * stack pointer is rsp0 + 8 + 128.  With %rbx = rsp0 - 16 below, that is
 * %rbx + 152; the red-zone words are 136(%rbx) and 144(%rbx).
 */
	.globl	avs_ip_stub
	.hidden	avs_ip_stub
	.type	avs_ip_stub, @function
	.p2align 4
avs_ip_stub:
	.cfi_startproc
	endbr64				/* reached by an indirect call */
	pushq	%rbp
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %rbp, 0
	pushq	%rbx
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %rbx, 0
	movq	%rsp, %rbx
	.cfi_def_cfa_register %rbx	/* CFA = %rbx + 24 */
	pushq	136(%rbx)		/* the red-zone words, at -8(%rbx) */
	pushq	144(%rbx)		/* and -16(%rbx) */
	movq	%rcx, 144(%rbx)		/* return address: site + len */
	movq	%rbp, 136(%rbx)		/* the function's %rbp */
	leaq	136(%rbx), %rbp
	.cfi_def_cfa %rbp, 16		/* = the function's stack pointer */
	.cfi_offset %rbp, -16
	.cfi_offset %rbx, -152
	andq	$-16, %rsp
	pushq	%rdi
	pushq	%rsi
	pushq	%rdx
	pushq	%r10
	pushq	%r8
	pushq	%r9			/* 48 bytes: %rsp still 16-aligned */
	subq	$8, %rsp
	pushq	%r9			/* a6, the 7th C argument */
	movq	%r8, %r9		/* a5 */
	movq	%r10, %r8		/* a4: the kernel's 4th argument is r10 */
	movq	%rdx, %rcx		/* a3 */
	movq	%rsi, %rdx		/* a2 */
	movq	%rdi, %rsi		/* a1 */
	movl	%eax, %edi		/* nr (zero-extended) */
	call	avs_rt_syscall@PLT
	addq	$16, %rsp
	popq	%r9
	popq	%r8
	popq	%r10
	popq	%rdx
	popq	%rsi
	popq	%rdi
	.cfi_def_cfa %rbx, 24		/* back to the trampoline's frame */
	.cfi_offset %rbp, -16
	.cfi_offset %rbx, -24
	movq	-8(%rbx), %rcx		/* put the red-zone words back */
	movq	%rcx, 136(%rbx)
	movq	-16(%rbx), %rcx
	movq	%rcx, 144(%rbx)
	movq	%rbx, %rsp
	.cfi_def_cfa_register %rsp
	popq	%rbx
	.cfi_adjust_cfa_offset -8
	.cfi_restore %rbx
	popq	%rbp
	.cfi_adjust_cfa_offset -8
	.cfi_restore %rbp
	ret
	.cfi_endproc
	.size	avs_ip_stub, .-avs_ip_stub

/*
 * avs_ip_syscall_entry: libc's syscall(long nr, ...) jumps here (through
 * its trampoline, `jmp *%r11`) at entry, so the registers and the stack
 * are those of a call to syscall(): nr in %rdi, arguments in %rsi %rdx
 * %rcx %r8 %r9 8(%rsp).  That is the C signature of avs_ip_syscall_c, so
 * most calls tail-jump there; it returns to syscall()'s caller with errno
 * set as glibc does.
 *
 * Calls whose child or continuation must not return through C frames
 * continue in glibc's own body instead (avs_ip_syscall_orig):
 * clone or clone3 with CLONE_VM, CLONE_VFORK or a new stack, vfork,
 * rt_sigreturn.  (A fork-like clone or clone3 with no new stack goes to
 * C: the child returns on its copy of the stack.)
 */
	.globl	avs_ip_syscall_entry
	.hidden	avs_ip_syscall_entry
	.type	avs_ip_syscall_entry, @function
	.p2align 4
avs_ip_syscall_entry:
	.cfi_startproc
	endbr64				/* reached by an indirect jump */
	cmpq	$56, %rdi		/* clone(flags, newsp, ...) */
	jne	1f
	testl	$0x4100, %esi		/* CLONE_VM | CLONE_VFORK */
	jnz	9f
	testq	%rdx, %rdx		/* a new stack */
	jnz	9f
	jmp	avs_ip_syscall_c
1:	cmpq	$58, %rdi		/* vfork */
	je	9f
	cmpq	$435, %rdi		/* clone3(struct clone_args *, size) */
	jne	2f
	movq	(%rsi), %rax		/* flags */
	testq	$0x4100, %rax		/* CLONE_VM | CLONE_VFORK */
	jnz	9f
	cmpq	$0, 40(%rsi)		/* a new stack */
	jne	9f
	jmp	avs_ip_syscall_c	/* fork-like: the runtime records it */
2:
	cmpq	$15, %rdi		/* rt_sigreturn */
	je	9f
	jmp	avs_ip_syscall_c
9:	jmp	*avs_ip_syscall_orig(%rip)
	.cfi_endproc
	.size	avs_ip_syscall_entry, .-avs_ip_syscall_entry

	.section .note.GNU-stack, "", @progbits
