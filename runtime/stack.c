/* SPDX-License-Identifier: MIT */
/*
 * Call stacks of recorded events (docs/EVENTS.md: frame, stack=).
 *
 * glibc's backtrace() (libgcc's DWARF unwinder) walks the stack from here;
 * the stub of the patched sites (interpose/tramp.S) makes the interrupted
 * libc function look like our caller, so the walk goes on into the
 * program.  Stacks are
 * interned in a call tree, a fixed table of (parent node, return address)
 * pairs: a node is written to the trace the first time this process image
 * uses it, and an event carries only its innermost node.
 *
 * Why not libunwind: loaded with the program it would export _Unwind_*
 * and backtrace ahead of libgcc's for libraries dlopen'ed later; loaded
 * RTLD_LOCAL its thread-local caches are dynamic TLS, which glibc
 * allocates with malloc at a thread's first walk, and a walk can start
 * inside malloc or fork with malloc's locks held: a deadlock.  libgcc's
 * unwinder (loaded by backtrace() at its first call, in the constructor)
 * finds FDEs with _dl_find_object, without locks, malloc or TLS.
 * Anything the walk maps reaches the hooks while this thread's guard is
 * set and is recorded as the runtime's.  The unwinder may use vector
 * registers, which the interrupted function may hold live across its
 * syscall: they are saved with XSAVE around the walk.
 */
#define _GNU_SOURCE
#include <execinfo.h>
#include <link.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include "out.h"
#include "raw.h"
#include "stack.h"

#define MAX_DEPTH	48
#define DEFAULT_DEPTH	16
#define TABLE_BITS	16
#define TABLE_SIZE	(1u << TABLE_BITS)
#define TABLE_LIMIT	(TABLE_SIZE / 4 * 3)	/* keep probes short */
#define IP_BITS		47	/* user addresses, 4-level paging */
#define MAX_PROBES	64
#define XSAVE_MAX	4096	/* AVX-512: 2,696 bytes */

typedef int (*backtrace_fn)(void **, int);

static struct {
	backtrace_fn backtrace;
	int depth;		/* 0: stacks off */
	uint64_t skip[2][2];	/* our text and libgcc_s's: leading frames */
	unsigned xsave_size;	/* 0: fxsave (512 bytes) */
	bool xsavec;		/* compacted: only the components in use */
	uint64_t xcr0;
	uint32_t gen;		/* this image's emission generation */
	uint32_t nodes;		/* table slots in use (atomic) */
	uint64_t dropped;	/* stacks cut short: table full (atomic) */
} st;

/* key: parent node << IP_BITS | ip; 0 = free.  Node id = slot + 1. */
static uint64_t table_key[TABLE_SIZE];
static uint32_t table_emitted[TABLE_SIZE];	/* gen when last written */

static __thread int busy __attribute__((tls_model("initial-exec")));

bool avs_stack_busy(void)
{
	return busy != 0;
}


/* ---- vector state ---- */

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

/* false if the state is larger than the area (AMX): no stacks then */
static bool xsave_init(void)
{
	uint32_t r[4], lo, hi;

	cpuid(1, 0, r);
	if (!(r[2] & (1u << 27)))	/* OSXSAVE: xgetbv and xsave usable */
		return true;		/* SSE only: fxsave */
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	st.xcr0 = (uint64_t)hi << 32 | lo;
	cpuid(0xd, 0, r);	/* ebx: size for the features enabled */
	if (r[1] < 576 || r[1] > XSAVE_MAX)
		return false;
	st.xsave_size = r[1];
	cpuid(0xd, 1, r);
	st.xsavec = r[0] & 2;
	return true;
}

static void vec_save(unsigned char *area)
{
	uint32_t lo = (uint32_t)st.xcr0, hi = (uint32_t)(st.xcr0 >> 32);

	if (st.xsave_size) {
		/* the header (bytes 512-575) must be zero before xsave */
		for (unsigned i = 512; i < 576; i++)
			area[i] = 0;
		if (st.xsavec)
			__asm__ volatile("xsavec64 (%0)" ::"r"(area), "a"(lo),
					 "d"(hi) : "memory");
		else
			__asm__ volatile("xsave64 (%0)" ::"r"(area), "a"(lo),
					 "d"(hi) : "memory");
	} else {
		__asm__ volatile("fxsave64 (%0)" ::"r"(area) : "memory");
	}
}

static void vec_restore(unsigned char *area)
{
	uint32_t lo = (uint32_t)st.xcr0, hi = (uint32_t)(st.xcr0 >> 32);

	if (st.xsave_size)
		__asm__ volatile("xrstor64 (%0)" ::"r"(area), "a"(lo), "d"(hi)
				 : "memory");
	else
		__asm__ volatile("fxrstor64 (%0)" ::"r"(area) : "memory");
}

/* ---- set-up (constructor: libc may be used) ---- */

struct find_ctx {
	uint64_t addr;		/* the object holding it, or */
	const char *name;	/* the object whose path contains it */
	uint64_t range[2];
};

static bool has(const char *s, const char *sub)
{
	for (; s && *s; s++) {
		size_t i = 0;

		while (sub[i] && s[i] == sub[i])
			i++;
		if (!sub[i])
			return true;
	}
	return false;
}

/* The executable segment of the object that holds addr. */
static int find_text(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct find_ctx *c = arg;

	(void)size;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uint64_t s = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X) &&
		    (c->name ? has(info->dlpi_name, c->name) :
			       c->addr >= s && c->addr < s + ph->p_memsz)) {
			c->range[0] = s;
			c->range[1] = s + ph->p_memsz;
			return 1;
		}
	}
	return 0;
}

static void text_of(const void *addr, const char *name, uint64_t range[2])
{
	struct find_ctx c = { .addr = (uint64_t)(uintptr_t)addr,
			      .name = name };

	dl_iterate_phdr(find_text, &c);
	range[0] = c.range[0];
	range[1] = c.range[1];
}

int avs_stack_init(char *msg, size_t len)
{
	const char *env = getenv("AVSHADOW_STACK_DEPTH");
	long depth = DEFAULT_DEPTH;
	void *warm[4];

	if (env && *env) {
		char *end;

		depth = strtol(env, &end, 10);
		if (*end || depth < 0)
			depth = DEFAULT_DEPTH;
		if (depth > MAX_DEPTH)
			depth = MAX_DEPTH;
	}
	if (!depth)
		return 0;
	if (!xsave_init()) {
		if (len)
			snprintf(msg, len, "no call stacks: vector state too "
				 "large to save");
		return -1;
	}
	busy = 1;	/* what loading libgcc_s maps is the runtime's */
	if (backtrace(warm, 4) <= 0) {
		busy = 0;
		if (len)
			snprintf(msg, len, "no call stacks: backtrace() "
				 "unavailable (libgcc_s.so.1 missing?)");
		return -1;
	}
	busy = 0;
	st.backtrace = backtrace;
	text_of((const void *)(uintptr_t)avs_stack_init, NULL, st.skip[0]);
	text_of(NULL, "libgcc_s.so", st.skip[1]);
	st.gen = 1;
	st.depth = (int)depth;
	return 0;
}

void avs_stack_new_image(void)
{
	/* a fork child writes again the nodes it uses */
	__atomic_add_fetch(&st.gen, 1, __ATOMIC_RELEASE);
}

/* ---- capture (hook context: no libc, no locks) ---- */

/*
 * Is this thread on its signal stack, which may be small?  The thread's
 * alternate stack is asked once per thread (and again every 256 stacks,
 * in case the program changed it); then the stack pointer tells.
 */
static __thread struct {
	uint64_t lo, hi;
	unsigned uses;
} alt __attribute__((tls_model("initial-exec")));

static bool on_altstack(void)
{
	uint64_t sp = (uint64_t)(uintptr_t)__builtin_frame_address(0);

	if (!(alt.uses++ & 255)) {
		stack_t ss;

		alt.lo = alt.hi = 0;
		if (raw2(SYS_sigaltstack, 0, &ss) == 0) {
			if (ss.ss_flags & SS_ONSTACK)
				return true;
			if (!(ss.ss_flags & SS_DISABLE)) {
				alt.lo = (uint64_t)(uintptr_t)ss.ss_sp;
				alt.hi = alt.lo + ss.ss_size;
			}
		}
	}
	return sp >= alt.lo && sp < alt.hi;
}

static bool ours(uint64_t ip)
{
	for (int i = 0; i < 2; i++)
		if (ip >= st.skip[i][0] && ip < st.skip[i][1])
			return true;
	return false;
}

static uint32_t hash(uint64_t key)
{
	return (uint32_t)((key * 0x9e3779b97f4a7c15ULL) >> (64 - TABLE_BITS));
}

/* The node (parent, ip), inserted if new; 0 if the table is full. */
static uint32_t intern(uint32_t parent, uint64_t ip)
{
	uint64_t key = (uint64_t)parent << IP_BITS | ip;
	uint32_t slot = hash(key);

	for (int probe = 0; probe < MAX_PROBES; probe++) {
		uint64_t k = __atomic_load_n(&table_key[slot], __ATOMIC_ACQUIRE);

		if (k == key)
			return slot + 1;
		if (!k) {
			uint64_t expect = 0;

			if (__atomic_load_n(&st.nodes, __ATOMIC_RELAXED) >=
			    TABLE_LIMIT)
				return 0;
			if (__atomic_compare_exchange_n(&table_key[slot],
							&expect, key, false,
							__ATOMIC_ACQ_REL,
							__ATOMIC_ACQUIRE)) {
				__atomic_add_fetch(&st.nodes, 1,
						   __ATOMIC_RELAXED);
				return slot + 1;
			}
			if (expect == key)
				return slot + 1;
		}
		slot = (slot + 1) & (TABLE_SIZE - 1);
	}
	return 0;
}

/* Write node id to the trace unless this image already has. */
static void emit_node(int pid, uint32_t id, uint32_t parent, uint64_t ip)
{
	uint32_t gen = __atomic_load_n(&st.gen, __ATOMIC_ACQUIRE);
	struct avs_event ev = { .type = AVS_EV_FRAME, .pid = (uint32_t)pid };

	if (__atomic_load_n(&table_emitted[id - 1], __ATOMIC_ACQUIRE) == gen)
		return;
	ev.u.frame.id = id;
	ev.u.frame.parent = parent;
	ev.u.frame.ip = ip;
	avs_out_write(&ev);
	/* after the record: another thread that sees gen here finds the
	 * node written before its own event (a race writes it twice) */
	__atomic_store_n(&table_emitted[id - 1], gen, __ATOMIC_RELEASE);
}

uint32_t avs_stack_capture(int pid)
{
	void *ips[MAX_DEPTH + 8];
	unsigned char area[XSAVE_MAX] __attribute__((aligned(64)));
	uint32_t node = 0;
	int n, first = 0;

	if (!st.depth || busy || on_altstack())
		return 0;
	busy = 1;
	vec_save(area);
	n = st.backtrace(ips, st.depth + 8);
	vec_restore(area);
	while (first < n && ours((uint64_t)(uintptr_t)ips[first]))
		first++;
	if (n - first > st.depth)
		n = first + st.depth;
	/* root first: the outermost frame kept is the tree's top */
	for (int i = n - 1; i >= first; i--) {
		uint64_t ip = (uint64_t)(uintptr_t)ips[i];
		uint32_t id;

		if (!ip || ip >> IP_BITS)
			continue;
		id = intern(node, ip);
		if (!id) {	/* table full: no stack rather than a wrong one */
			__atomic_add_fetch(&st.dropped, 1, __ATOMIC_RELAXED);
			node = 0;
			break;
		}
		emit_node(pid, id, node, ip);
		node = id;
	}
	busy = 0;
	return node;
}
