/* SPDX-License-Identifier: MIT */
/*
 * Finding and checking the syscall sites of libc and ld.so
 * (avs_ip_patch_all); trampolines and writing are in patch.c.
 *
 * A site is accepted only if
 *  - its bytes are the expected pattern,
 *  - the object's unwind table gives the function that contains it, and
 *    decoding that function from its start with x86len.c lands on the
 *    site's first byte with the expected instruction lengths,
 *  - no direct branch lands inside the rewritten bytes: the enclosing
 *    function is decoded entirely, and a raw scan of the whole text for
 *    rel8/rel32 branches into a site is confirmed by decoding the function
 *    it comes from (a hit outside any function rejects the site),
 *  - its syscall may run through a stub on the caller's stack: clone is
 *    taken only inside _Fork with flags lacking CLONE_VM/CLONE_VFORK/
 *    CLONE_THREAD and a null stack; vfork, clone3 and rt_sigreturn never.
 * Indirect jumps (jump tables) into a site cannot be checked this way; gcc
 * does not emit them into the middle of an asm/syscall sequence.
 */
#define _GNU_SOURCE
#include "interpose/interpose.h"
#include "interpose/sites.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

#include "interpose/raw.h"
#include "interpose/x86len.h"
#include "runtime/runtime.h"

#define CLONE_VM_ 0x100
#define CLONE_VFORK_ 0x4000
#define CLONE_THREAD_ 0x10000

static struct avs_ip_site g_sites[AVS_IP_MAX_SITES];
static int g_nsites;
static struct avs_ip_obj g_objs[AVS_IP_NROLES];

int avs_ip_site_count(void)
{
	return g_nsites;
}

const struct avs_ip_site *avs_ip_site_at(int i)
{
	return i >= 0 && i < g_nsites ? &g_sites[i] : NULL;
}

/* ---- messages ---- */

struct msgbuf {
	char *p;
	size_t len, used;
};

__attribute__((format(printf, 2, 3)))
static void say(struct msgbuf *m, const char *fmt, ...)
{
	if (!m->p || m->used + 1 >= m->len)
		return;
	va_list ap;
	va_start(ap, fmt);
	int r = vsnprintf(m->p + m->used, m->len - m->used, fmt, ap);
	va_end(ap);
	if (r > 0)
		m->used += (size_t)r < m->len - m->used ? (size_t)r
							: m->len - m->used - 1;
}

/* ---- scanning ---- */

static struct avs_ip_site *add_site(struct msgbuf *m, int role, uintptr_t a,
				    long nr, int kind, int len)
{
	if (g_nsites >= AVS_IP_MAX_SITES) {
		if (g_nsites == AVS_IP_MAX_SITES)
			say(m, "; more than %d candidate sites, the rest left "
			       "alone", AVS_IP_MAX_SITES);
		g_nsites = AVS_IP_MAX_SITES + 1;
		return NULL;
	}
	struct avs_ip_site *s = &g_sites[g_nsites++];
	memset(s, 0, sizeof(*s));
	s->role = role;
	s->obj = g_objs[role].name;
	s->base = g_objs[role].base;
	s->addr = a;
	s->nr = nr;
	s->kind = (uint8_t)kind;
	s->len = (uint8_t)len;
	s->state = AVS_IP_FOUND;
	memcpy(s->orig, (const void *)a, (size_t)len);
	return s;
}

static const uint8_t exit_pat[] = { 0xbe, 0xe7, 0, 0, 0,   /* mov $231,%esi */
				    0xba, 0x3c, 0, 0, 0,   /* mov $60,%edx */
				    0xeb };                /* jmp rel8 */

static void scan_object(struct msgbuf *m, int role)
{
	const struct avs_ip_obj *o = &g_objs[role];
	bool want_exit = avs_rt_wanted(SYS_exit_group);

	for (int t = 0; t < o->ntext; t++) {
		const uint8_t *p = (const uint8_t *)o->text[t].start;
		const uint8_t *end = (const uint8_t *)o->text[t].end;
		if (end - p < 12)
			continue;
		/* mov $NR,%eax; syscall */
		for (const uint8_t *q = p; q + 7 <= end; q++) {
			q = memchr(q, 0xb8, (size_t)(end - 6 - q));
			if (!q)
				break;
			if (q[3] || q[4] || q[5] != 0x0f || q[6] != 0x05 ||
			    q[2] >= 4)
				continue;
			long nr = q[1] | (long)q[2] << 8;
			if (avs_rt_wanted(nr))
				add_site(m, role, (uintptr_t)q, nr,
					 AVS_IP_MOV_SYSCALL, 7);
		}
		/* _exit: mov $231,%esi; mov $60,%edx; jmp L; ... L: mov %esi,%eax;
		 * syscall */
		for (const uint8_t *q = p; want_exit && q + 12 <= end; q++) {
			q = memchr(q, exit_pat[0], (size_t)(end - q) - 11);
			if (!q)
				break;
			if (memcmp(q, exit_pat, sizeof(exit_pat)) != 0)
				continue;
			const uint8_t *l = q + 12 + (int8_t)q[11];
			if (l < p || l + 4 > end || l[0] != 0x89 ||
			    l[1] != 0xf0 || l[2] != 0x0f || l[3] != 0x05)
				continue;
			add_site(m, role, (uintptr_t)q, SYS_exit_group,
				 AVS_IP_EXIT, 5);
		}
	}
}

/* glibc's x86-64 syscall(): the whole body up to the errno path. */
static const uint8_t syscall_fn[] = {
	0x48, 0x89, 0xf8,             /* mov %rdi,%rax */
	0x48, 0x89, 0xf7,             /* mov %rsi,%rdi */
	0x48, 0x89, 0xd6,             /* mov %rdx,%rsi */
	0x48, 0x89, 0xca,             /* mov %rcx,%rdx */
	0x4d, 0x89, 0xc2,             /* mov %r8,%r10 */
	0x4d, 0x89, 0xc8,             /* mov %r9,%r8 */
	0x4c, 0x8b, 0x4c, 0x24, 0x08, /* mov 0x8(%rsp),%r9 */
	0x0f, 0x05,                   /* syscall */
	0x48, 0x3d, 0x01, 0xf0, 0xff, 0xff, /* cmp $-4095,%rax */
	0x73, 0x01,                   /* jae errno */
	0xc3,                         /* ret */
};

static void find_syscall_fn(struct msgbuf *m)
{
	const struct avs_ip_obj *o = &g_objs[AVS_IP_LIBC];
	uintptr_t a;
	size_t size;
	if (!avs_ip_sym(o, "syscall", &a, &size)) {
		say(m, "; libc.so.6: no syscall() symbol, generic syscall() "
		       "not routed");
		return;
	}
	if (size < sizeof(syscall_fn) || !avs_ip_in_text(o, a, sizeof(syscall_fn)) ||
	    memcmp((const void *)a, syscall_fn, sizeof(syscall_fn)) != 0) {
		say(m, "; libc.so.6: syscall() at +0x%lx is not the expected "
		       "code, not routed", (unsigned long)(a - o->base));
		return;
	}
	add_site(m, AVS_IP_LIBC, a, -1, AVS_IP_SYSCALL_FN, 6);
}

/* ---- checks ---- */

/* Decode [fs, fe).  Fails (returns false) on an unknown instruction or one
 * running past fe.  For each instruction calls fn(ctx, at, insn). */
typedef void (*insn_fn)(void *ctx, uintptr_t at,
			const struct avs_x86_insn *in);

static bool decode_fn(uintptr_t fs, uintptr_t fe, insn_fn fn, void *ctx)
{
	uintptr_t pc = fs;
	while (pc < fe) {
		struct avs_x86_insn in;
		if (!avs_x86_decode((const uint8_t *)pc, fe - pc, &in))
			return false;
		fn(ctx, pc, &in);
		pc += in.len;
	}
	return pc == fe;
}

struct site_walk {
	const struct avs_ip_site *s;
	int starts;          /* expected instruction starts seen */
	bool misaligned;     /* an instruction covers the site's first byte */
	uintptr_t bad_target; /* a branch into the site's inner bytes */
};

static void site_walk_insn(void *ctx, uintptr_t at,
			   const struct avs_x86_insn *in)
{
	struct site_walk *w = ctx;
	uintptr_t a = w->s->addr;
	/* expected lengths of the instructions the site is made of */
	static const uint8_t mov_sys[] = { 5, 2 }, ex[] = { 5 }, fn[] = { 3, 3 };
	const uint8_t *want = w->s->kind == AVS_IP_MOV_SYSCALL ? mov_sys
			      : w->s->kind == AVS_IP_EXIT     ? ex
							      : fn;
	int nwant = w->s->kind == AVS_IP_EXIT ? 1 : 2;

	if (at < a && at + in->len > a)
		w->misaligned = true;
	if (at >= a && at < a + w->s->len) {
		uintptr_t off = 0;
		int k = 0;
		while (k < nwant && a + off < at)
			off += want[k++];
		if (k < nwant && a + off == at && in->len == want[k])
			w->starts++;
		else
			w->misaligned = true;
	}
	if (in->branch) {
		uintptr_t t = at + in->len + (uintptr_t)in->rel;
		if (t > a && t < a + w->s->len)
			w->bad_target = t;
	}
}

static const char *check_boundaries(struct avs_ip_site *s)
{
	const struct avs_ip_obj *o = &g_objs[s->role];
	uintptr_t fs, fe;
	if (!avs_ip_in_text(o, s->addr, s->len))
		return "not inside an executable segment";
	if (!avs_ip_fde(o, s->addr, &fs, &fe))
		return "no unwind entry covers it";
	if (s->addr + s->len > fe)
		return "crosses the end of its function";
	if (!avs_ip_in_text(o, fs, fe - fs))
		return "its function is not inside an executable segment";
	s->fn_start = fs;
	s->fn_end = fe;
	struct site_walk w = { .s = s };
	if (!decode_fn(fs, fe, site_walk_insn, &w))
		return "its function does not decode";
	int nwant = s->kind == AVS_IP_EXIT ? 1 : 2;
	if (w.misaligned || w.starts != nwant)
		return "not on instruction boundaries";
	if (w.bad_target)
		return "a branch lands inside it";
	return NULL;
}

/* clone in _Fork: flags in %edi from `mov $imm32,%edi`, stack from
 * `xor %esi,%esi`, both between _Fork's entry and the site. */
struct fork_walk {
	uintptr_t site;
	bool have_flags, null_stack;
	uint32_t flags;
};

static void fork_walk_insn(void *ctx, uintptr_t at,
			   const struct avs_x86_insn *in)
{
	struct fork_walk *w = ctx;
	const uint8_t *p = (const uint8_t *)at;
	if (at >= w->site)
		return;
	if (in->len == 5 && p[0] == 0xbf) {
		memcpy(&w->flags, p + 1, 4);
		w->have_flags = true;
	} else if (in->len == 2 && p[0] == 0x31 && p[1] == 0xf6) {
		w->null_stack = true;
	}
}

static const char *check_policy(struct avs_ip_site *s, int *state)
{
	*state = AVS_IP_SKIPPED;
	switch (s->nr) {
	case SYS_vfork:
		return "vfork: the child would return through the parent's stack";
	case SYS_clone3:
		return "clone3: runs on a new stack (threads, posix_spawn)";
	case SYS_rt_sigreturn:
		return "rt_sigreturn: must run on the signal frame";
	case SYS_clone:
		break;
	default:
		return NULL;
	}
	uintptr_t fa;
	size_t fsize;
	const struct avs_ip_obj *libc = &g_objs[AVS_IP_LIBC];
	if (s->role != AVS_IP_LIBC || !avs_ip_sym(libc, "_Fork", &fa, &fsize) ||
	    s->addr < fa || s->addr + s->len > fa + fsize)
		return "clone outside _Fork (threads, posix_spawn: new stack)";
	*state = AVS_IP_REJECTED;
	struct fork_walk w = { .site = s->addr };
	if (!decode_fn(fa, fa + fsize, fork_walk_insn, &w))
		return "_Fork does not decode";
	if (!w.have_flags || !w.null_stack)
		return "_Fork's clone flags or stack not recognised";
	if (w.flags & (CLONE_VM_ | CLONE_VFORK_ | CLONE_THREAD_))
		return "_Fork's clone shares the address space";
	return NULL;
}

/* Is there an instruction at q, in the function that contains it, that
 * branches to t?  Unknown (no function, undecodable) counts as yes. */
struct branch_find {
	uintptr_t q, t;
	bool found;
};

static void branch_find_insn(void *ctx, uintptr_t at,
			     const struct avs_x86_insn *in)
{
	struct branch_find *b = ctx;
	if (at == b->q && in->branch &&
	    at + in->len + (uintptr_t)in->rel == b->t)
		b->found = true;
}

static bool real_branch(const struct avs_ip_obj *o, uintptr_t q, uintptr_t t)
{
	uintptr_t fs, fe;
	if (!avs_ip_fde(o, q, &fs, &fe) || !avs_ip_in_text(o, fs, fe - fs))
		return true;
	struct branch_find b = { q, t, false };
	if (!decode_fn(fs, fe, branch_find_insn, &b))
		return true;
	return b.found;
}

/* FOUND sites of the object being scanned, by address (raw_branch_scan) */
static struct avs_ip_site *g_sorted[AVS_IP_MAX_SITES];
static int g_nsorted;

/* A raw branch from q to tg: reject the FOUND site whose inner bytes tg
 * hits, unless q is inside the site's own function (there the full decode
 * of check_boundaries is authoritative) or decoding q's own function shows
 * q is not such a branch. */
static void raw_hit(int role, uintptr_t q, uintptr_t tg)
{
	int lo = 0, hi = g_nsorted; /* first site with addr >= tg */
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (g_sorted[mid]->addr < tg)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return;
	struct avs_ip_site *s = g_sorted[lo - 1];
	if (s->state != AVS_IP_FOUND || tg >= s->addr + s->len)
		return;
	if (q >= s->fn_start && q < s->fn_end)
		return;
	if (real_branch(&g_objs[role], q, tg)) {
		s->state = AVS_IP_REJECTED;
		s->why = "a branch from another function may land inside it";
	}
}

/*
 * All e8/e9 (call/jmp rel32) and 0f 8x (jcc rel32) byte pairs of
 * [p, end) whose target falls in (lo, hi) go to raw_hit, 16 positions at a
 * time.  Runs only in the constructor, at a function-call boundary, so it
 * may use SSE2 although the rest of interpose/ is built with
 * -mgeneral-regs-only.
 */
typedef char avs_v16 __attribute__((vector_size(16)));

static inline uintptr_t rel32_target(const uint8_t *q, unsigned n)
{
	int32_t r32;
	memcpy(&r32, q + n - 4, 4);
	return (uintptr_t)q + n + (intptr_t)r32;
}

__attribute__((target("sse2")))
static void rel32_scan(int role, const uint8_t *p, const uint8_t *end,
		       uintptr_t lo, uintptr_t hi)
{
	const uint8_t *q = p;
	uintptr_t span = hi - lo - 1; /* tg in (lo, hi): tg - lo - 1 < span */
	for (; q + 16 + 6 <= end; q += 16) {
		avs_v16 v, w;
		memcpy(&v, q, 16);
		memcpy(&w, q + 1, 16);
		unsigned b5 = (unsigned)__builtin_ia32_pmovmskb128(
			(v & (char)0xfe) == (char)0xe8);
		unsigned b6 = (unsigned)__builtin_ia32_pmovmskb128(
			(v == (char)0x0f) & ((w & (char)0xf0) == (char)0x80));
		for (; b5; b5 &= b5 - 1) {
			const uint8_t *c = q + __builtin_ctz(b5);
			uintptr_t tg = rel32_target(c, 5);
			if (tg - lo - 1 < span)
				raw_hit(role, (uintptr_t)c, tg);
		}
		for (; b6; b6 &= b6 - 1) {
			const uint8_t *c = q + __builtin_ctz(b6);
			uintptr_t tg = rel32_target(c, 6);
			if (tg - lo - 1 < span)
				raw_hit(role, (uintptr_t)c, tg);
		}
	}
	for (; q + 2 <= end; q++) {
		unsigned n = (q[0] & 0xfe) == 0xe8 ? 5
			     : q[0] == 0x0f && (q[1] & 0xf0) == 0x80 ? 6 : 0;
		if (n && q + n <= end) {
			uintptr_t tg = rel32_target(q, n);
			if (tg - lo - 1 < span)
				raw_hit(role, (uintptr_t)q, tg);
		}
	}
}

/* Raw scan of the text of o for branches into the inner bytes of its
 * FOUND sites: rel32 call/jmp/jcc anywhere, rel8 jmp/jcc/loop near the
 * sites. */
static void raw_branch_scan(int role)
{
	const struct avs_ip_obj *o = &g_objs[role];
	uintptr_t lo = UINTPTR_MAX, hi = 0;
	g_nsorted = 0;
	for (int i = 0; i < g_nsites && i < AVS_IP_MAX_SITES; i++) {
		struct avs_ip_site *s = &g_sites[i];
		if (s->role != role || s->state != AVS_IP_FOUND)
			continue;
		if (s->addr < lo)
			lo = s->addr;
		if (s->addr + s->len > hi)
			hi = s->addr + s->len;
		int j = g_nsorted++; /* insertion sort: sites never overlap */
		for (; j > 0 && g_sorted[j - 1]->addr > s->addr; j--)
			g_sorted[j] = g_sorted[j - 1];
		g_sorted[j] = s;
	}
	if (lo >= hi)
		return;
	for (int t = 0; t < o->ntext; t++) {
		const uint8_t *p = (const uint8_t *)o->text[t].start;
		const uint8_t *end = (const uint8_t *)o->text[t].end;
		rel32_scan(role, p, end, lo, hi);
		for (int i = 0; i < g_nsites && i < AVS_IP_MAX_SITES; i++) {
			const struct avs_ip_site *s = &g_sites[i];
			if (s->role != role || s->state != AVS_IP_FOUND ||
			    s->addr < (uintptr_t)p || s->addr >= (uintptr_t)end)
				continue;
			const uint8_t *ws = (const uint8_t *)s->addr - 130;
			const uint8_t *we = (const uint8_t *)s->addr + s->len + 128;
			if (ws < p || ws > (const uint8_t *)s->addr)
				ws = p;
			if (we > end - 2)
				we = end - 2;
			for (const uint8_t *q = ws; q <= we; q++) {
				uint8_t b = q[0];
				if (b == 0xeb || (b & 0xf0) == 0x70 ||
				    (b >= 0xe0 && b <= 0xe3))
					raw_hit(role, (uintptr_t)q,
						(uintptr_t)q + 2 +
							(intptr_t)(int8_t)q[1]);
			}
		}
	}
}

/* ---- single-thread check ---- */

/* Number of threads of this process, or -1 when /proc cannot tell. */
static int thread_count(void)
{
	long fd = avs_ip_raw(SYS_openat, AT_FDCWD, "/proc/self/task",
			     O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int n = 0;
	char buf[2048] __attribute__((aligned(8)));
	for (;;) {
		long r = avs_ip_raw(SYS_getdents64, fd, buf, sizeof(buf));
		if (r <= 0) {
			if (r < 0)
				n = -1;
			break;
		}
		for (long off = 0; off < r;) {
			/* struct linux_dirent64: ino 8, off 8, reclen 2, type 1 */
			unsigned short reclen;
			memcpy(&reclen, buf + off + 16, 2);
			if (buf[off + 19] != '.')
				n++;
			off += reclen;
		}
	}
	avs_ip_raw(SYS_close, fd, 0, 0);
	return n;
}

/* ---- the entry point ---- */

static const char *label(const struct avs_ip_site *s, char *buf, size_t n)
{
	if (s->kind == AVS_IP_SYSCALL_FN)
		snprintf(buf, n, "%s+0x%lx syscall()", s->obj,
			 (unsigned long)(s->addr - s->base));
	else
		snprintf(buf, n, "%s+0x%lx nr %ld", s->obj,
			 (unsigned long)(s->addr - s->base), s->nr);
	return buf;
}

int avs_ip_patch_all(char *msg, size_t len)
{
	static bool ran;
	struct msgbuf m = { msg, len, 0 };
	char probs[1024], why[256], lb[96];
	struct msgbuf pm = { probs, sizeof(probs), 0 };
	probs[0] = 0;
	if (msg && len)
		msg[0] = 0;
	if (ran) {
		say(&m, "interpose: already ran, nothing done");
		return 0;
	}
	ran = true;
	g_nsites = 0;

	int threads = thread_count();
	if (threads > 1) {
		say(&m, "interpose: %d threads exist; sites are rewritten only "
			"before the first thread starts: nothing patched", threads);
		return 0;
	}

	avs_ip_find_objs(g_objs, why, sizeof(why));
	if (why[0])
		say(&pm, "; %s", why);
	for (int r = 0; r < AVS_IP_NROLES; r++)
		if (g_objs[r].found)
			scan_object(&pm, r);
	if (g_objs[AVS_IP_LIBC].found)
		find_syscall_fn(&pm);
	if (g_nsites > AVS_IP_MAX_SITES)
		g_nsites = AVS_IP_MAX_SITES;
	int nsites = g_nsites;

	for (int i = 0; i < nsites; i++) {
		struct avs_ip_site *s = &g_sites[i];
		int state;
		const char *why_not = check_policy(s, &state);
		if (!why_not) {
			state = AVS_IP_REJECTED;
			why_not = check_boundaries(s);
		}
		if (why_not) {
			s->state = (uint8_t)state;
			s->why = why_not;
		}
	}
	for (int r = 0; r < AVS_IP_NROLES; r++)
		if (g_objs[r].found)
			raw_branch_scan(r);

	/* what glibc is expected to have, and is missing or refused */
	bool fork_ok = false, exit_ok = false;
	for (int i = 0; i < nsites; i++) {
		const struct avs_ip_site *s = &g_sites[i];
		if (s->state == AVS_IP_REJECTED)
			say(&pm, "; %s: %s, left alone", label(s, lb, sizeof(lb)),
			    s->why);
		if (s->role == AVS_IP_LIBC && s->nr == SYS_clone &&
		    s->state == AVS_IP_FOUND)
			fork_ok = true;
		if (s->role == AVS_IP_LIBC && s->kind == AVS_IP_EXIT &&
		    s->state == AVS_IP_FOUND)
			exit_ok = true;
	}
	if (g_objs[AVS_IP_LIBC].found) {
		if (avs_rt_wanted(SYS_clone) && !fork_ok)
			say(&pm, "; libc.so.6: no usable clone site in _Fork, "
				 "fork() not seen");
		if (avs_rt_wanted(SYS_exit_group) && !exit_ok)
			say(&pm, "; libc.so.6: no usable exit_group site in "
				 "_exit, exits not seen");
	}

	int patched = avs_ip_apply(g_sites, nsites, g_objs);

	int per[AVS_IP_NROLES] = { 0 };
	bool fn = false;
	for (int i = 0; i < nsites; i++) {
		const struct avs_ip_site *s = &g_sites[i];
		if (s->state == AVS_IP_PATCHED) {
			per[s->role]++;
			fn |= s->kind == AVS_IP_SYSCALL_FN;
		} else if (s->state == AVS_IP_FAILED) {
			say(&pm, "; %s: %s", label(s, lb, sizeof(lb)), s->why);
		}
	}
	say(&m, "interpose: %d sites patched (libc.so.6 %d, "
		"ld-linux-x86-64.so.2 %d) by %s%s%s", patched,
	    per[AVS_IP_LIBC], per[AVS_IP_LDSO], avs_ip_write_method(),
	    fn ? ", syscall() routed" : "", probs);
	return patched;
}
