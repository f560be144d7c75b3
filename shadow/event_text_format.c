/* SPDX-License-Identifier: MIT */
/* The text form's canonical formatter (docs/EVENTS.md). */
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "shadow/event_text_internal.h"
#include "shadow/vm_flags.h"

#define EVF_ALL (AVS_EVF_INFERRED | AVS_EVF_RUNTIME | AVS_EVF_FAILED)

/* Output with snprintf semantics: len counts everything, buf gets what
 * fits with room for the NUL. */
struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->size && o->len < o->size - 1) {
		size_t room = o->size - 1 - o->len;

		memcpy(o->buf + o->len, s, n < room ? n : room);
	}
	o->len += n;
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

__attribute__((format(printf, 2, 3)))
static void putf(struct out *o, const char *fmt, ...)
{
	char tmp[64];	/* only numbers and short names go through here */
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		put(o, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

static void put_escaped(struct out *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (avs_text_needs_escape(ch))
			putf(o, "%%%02X", ch);
		else
			put(o, (const char *)&ch, 1);
	}
}

static void put_range(struct out *o, uint64_t start, uint64_t end)
{
	putf(o, " 0x%" PRIx64 "-0x%" PRIx64, start, end);
}

/* Names of the set bits in table order, then leftover bits as "0xH";
 * "0x0" for an empty set. */
static void put_list(struct out *o, const struct avs_flag_names *names,
		     uint32_t v)
{
	const char *sep = "";

	for (size_t k = 0; k < names->n; k++) {
		if (v & names->v[k].bit) {
			puts_(o, sep);
			puts_(o, names->v[k].name);
			v &= ~names->v[k].bit;
			sep = ",";
		}
	}
	if (v || !*sep)
		putf(o, "%s0x%" PRIx32, sep, v);
}

static void put_page(struct out *o, uint64_t w)
{
	uint64_t base = w, pfn = 0;
	bool known = w & AVS_PAGE_PFN_KNOWN;
	char letter;

	if (known) {
		pfn = w & AVS_PAGE_PFN_MASK;
		base = w & ~(AVS_PAGE_PFN_KNOWN | AVS_PAGE_PFN_MASK);
	}
	if (!avs_text_page_word_letter(base, &letter)) {
		putf(o, "#%" PRIx64, w);
		return;
	}
	put(o, &letter, 1);
	if (known)
		putf(o, "@%" PRIx64, pfn);
}

static void put_str_key(struct out *o, const char *key,
			const struct avs_event *ev)
{
	if (!ev->str_len)
		return;
	puts_(o, key);
	put_escaped(o, ev->str, ev->str_len);
}

static void put_hex_key(struct out *o, const char *key, uint64_t v)
{
	if (v)
		putf(o, " %s=0x%" PRIx64, key, v);
}

static int f_start(struct out *o, const struct avs_event *ev)
{
	if (ev->u.start.ppid)
		putf(o, " ppid=%" PRIu32, ev->u.start.ppid);
	put_hex_key(o, "start_brk", ev->u.start.start_brk);
	put_hex_key(o, "brk", ev->u.start.brk);
	put_str_key(o, " comm=", ev);
	return 0;
}

static int f_exec(struct out *o, const struct avs_event *ev)
{
	put_hex_key(o, "start_brk", ev->u.start.start_brk);
	put_hex_key(o, "brk", ev->u.start.brk);
	put_str_key(o, " path=", ev);
	return 0;
}

static int f_vma(struct out *o, const struct avs_event *ev)
{
	const __typeof__(ev->u.vma) *v = &ev->u.vma;
	bool anon = !v->dev && !v->ino;
	char perms[5];

	if (v->state & ~AVS_SEED_ANON_VMA)
		return -1;
	avs_vm_flags_perms(v->vm_flags, perms);
	put_range(o, v->start, v->end);
	putf(o, " %s", perms);
	if (v->pgoff != (anon ? v->start >> AVS_PAGE_SHIFT : 0))
		putf(o, " pgoff=0x%" PRIx64, v->pgoff);
	if (!anon)
		putf(o, " file=%" PRIx64 ":%" PRIx64, v->dev, v->ino);
	if (v->vm_flags != avs_vm_flags_default(perms, anon))
		putf(o, " vmflags=0x%" PRIx64, v->vm_flags);
	if (v->state & AVS_SEED_ANON_VMA)
		puts_(o, " anon_vma");
	return 0;
}

static int f_fork(struct out *o, const struct avs_event *ev)
{
	if (ev->u.fork.clone_flags & ~AVS_FORK_VM)
		return -1;
	putf(o, " %" PRIu32, ev->u.fork.child);
	if (ev->u.fork.clone_flags & AVS_FORK_VM)
		puts_(o, " vm");
	return 0;
}

static int f_exit(struct out *o, const struct avs_event *ev)
{
	if (ev->u.exit.status)
		putf(o, " status=%" PRId32, ev->u.exit.status);
	return 0;
}

static int f_mmap(struct out *o, const struct avs_event *ev)
{
	const __typeof__(ev->u.mmap) *m = &ev->u.mmap;
	uint32_t rest = m->flags & ~(uint32_t)AVS_MAP_ANONYMOUS;
	char rwx[4], share = '-';

	/* The 4th letter shows one sharing bit; any other goes in flags=. */
	if (m->flags & AVS_MAP_SHARED) {
		share = 's';
		rest &= ~(uint32_t)AVS_MAP_SHARED;
	} else if (m->flags & AVS_MAP_PRIVATE) {
		share = 'p';
		rest &= ~(uint32_t)AVS_MAP_PRIVATE;
	}
	avs_text_rwx_string(m->prot, rwx);
	put_range(o, m->start, m->end);
	putf(o, " %s%c", rwx, share);
	if (m->flags & AVS_MAP_ANONYMOUS)
		puts_(o, " anon");
	/* file= also marks a non-anonymous mapping of unknown identity. */
	if (!(m->flags & AVS_MAP_ANONYMOUS) || m->dev || m->ino)
		putf(o, " file=%" PRIx64 ":%" PRIx64, m->dev, m->ino);
	put_hex_key(o, "off", m->off);
	if (rest) {
		puts_(o, " flags=");
		put_list(o, &avs_mmap_flag_names, rest);
	}
	if (m->fmode == AVS_FMODE_READ)
		puts_(o, " fmode=r");
	else if (m->fmode == AVS_FMODE_WRITE)
		puts_(o, " fmode=w");
	else if (m->fmode == (AVS_FMODE_READ | AVS_FMODE_WRITE))
		puts_(o, " fmode=rw");
	else
		put_hex_key(o, "fmode", m->fmode);
	put_hex_key(o, "xprot", m->prot & ~(uint32_t)PROT_RWX);
	return 0;
}

static int f_range(struct out *o, const struct avs_event *ev)
{
	put_range(o, ev->u.range.start, ev->u.range.end);
	return 0;
}

static int f_mprotect(struct out *o, const struct avs_event *ev)
{
	char rwx[4];

	avs_text_rwx_string(ev->u.mprotect.prot, rwx);
	put_range(o, ev->u.mprotect.start, ev->u.mprotect.end);
	putf(o, " %s", rwx);
	put_hex_key(o, "xprot", ev->u.mprotect.prot & ~(uint32_t)PROT_RWX);
	return 0;
}

static int f_mremap(struct out *o, const struct avs_event *ev)
{
	const __typeof__(ev->u.mremap) *m = &ev->u.mremap;

	put_range(o, m->old_start, m->old_end);
	put_range(o, m->new_start, m->new_end);
	if (m->flags) {
		puts_(o, " flags=");
		put_list(o, &avs_mremap_flag_names, m->flags);
	}
	return 0;
}

static int f_madvise(struct out *o, const struct avs_event *ev)
{
	const char *name = avs_madvise_name(ev->u.madvise.advice);

	put_range(o, ev->u.madvise.start, ev->u.madvise.end);
	if (name)
		putf(o, " %s", name);
	else
		putf(o, " %" PRIu32, ev->u.madvise.advice);
	return 0;
}

static int f_brk(struct out *o, const struct avs_event *ev)
{
	putf(o, " 0x%" PRIx64 " 0x%" PRIx64, ev->u.brk.old_brk,
	     ev->u.brk.new_brk);
	return 0;
}

static int f_mlock(struct out *o, const struct avs_event *ev)
{
	if (ev->u.mlock.flags & ~AVS_MLOCK_ONFAULT)
		return -1;
	put_range(o, ev->u.mlock.start, ev->u.mlock.end);
	if (ev->u.mlock.flags & AVS_MLOCK_ONFAULT)
		puts_(o, " onfault");
	return 0;
}

static int f_mlockall(struct out *o, const struct avs_event *ev)
{
	puts_(o, " ");
	put_list(o, &avs_mlockall_flag_names, ev->u.mlock.flags);
	return 0;
}

static int f_none(struct out *o, const struct avs_event *ev)
{
	(void)o;
	(void)ev;
	return 0;
}

static int f_fault(struct out *o, const struct avs_event *ev)
{
	static const char access[] = "rwf";	/* AVS_FAULT_* order */
	uint32_t a = ev->u.fault.access;

	putf(o, " 0x%" PRIx64, ev->u.fault.addr);
	if (a < sizeof(access) - 1)
		putf(o, " %c", access[a]);
	else
		putf(o, " %" PRIu32, a);
	return 0;
}

static int f_pages(struct out *o, const struct avs_event *ev)
{
	if (!ev->nwords)
		return -1;
	putf(o, " 0x%" PRIx64, ev->u.pages.start);
	for (uint32_t i = 0; i < ev->nwords; i++) {
		puts_(o, " ");
		put_page(o, ev->words[i]);
	}
	return 0;
}

static int f_checkpoint(struct out *o, const struct avs_event *ev)
{
	if (!ev->str_len)
		return -1;
	puts_(o, " ");
	put_escaped(o, ev->str, ev->str_len);
	return 0;
}

static int f_frame(struct out *o, const struct avs_event *ev)
{
	if (!ev->u.frame.id)
		return -1;
	putf(o, " %" PRIu32 " %" PRIu32 " 0x%" PRIx64, ev->u.frame.id,
	     ev->u.frame.parent, ev->u.frame.ip);
	return 0;
}

static int f_load(struct out *o, const struct avs_event *ev)
{
	const __typeof__(ev->u.load) *l = &ev->u.load;

	put_range(o, l->start, l->end);
	put_hex_key(o, "off", l->off);
	if (l->dev || l->ino)
		putf(o, " file=%" PRIx64 ":%" PRIx64, l->dev, l->ino);
	put_str_key(o, " path=", ev);
	return 0;
}

static int (*const formatters[AVS_EV_NR_TYPES])(struct out *,
						 const struct avs_event *) = {
	[AVS_EV_START] = f_start,
	[AVS_EV_VMA] = f_vma,
	[AVS_EV_FORK] = f_fork,
	[AVS_EV_EXEC] = f_exec,
	[AVS_EV_EXIT] = f_exit,
	[AVS_EV_MMAP] = f_mmap,
	[AVS_EV_MUNMAP] = f_range,
	[AVS_EV_MPROTECT] = f_mprotect,
	[AVS_EV_MREMAP] = f_mremap,
	[AVS_EV_MADVISE] = f_madvise,
	[AVS_EV_BRK] = f_brk,
	[AVS_EV_MLOCK] = f_mlock,
	[AVS_EV_MUNLOCK] = f_range,
	[AVS_EV_MLOCKALL] = f_mlockall,
	[AVS_EV_MUNLOCKALL] = f_none,
	[AVS_EV_FAULT] = f_fault,
	[AVS_EV_PAGES] = f_pages,
	[AVS_EV_SWAPOUT] = f_range,
	[AVS_EV_SWAPIN] = f_range,
	[AVS_EV_CHECKPOINT] = f_checkpoint,
	[AVS_EV_FRAME] = f_frame,
	[AVS_EV_LOAD] = f_load,
};

int avs_event_format(const struct avs_event *ev, char *buf, size_t size)
{
	struct out o = { buf, size, 0 };
	const char *name = avs_event_type_name(ev->type);

	if (!name || (ev->flags & ~EVF_ALL) || (ev->str_len && !ev->str) ||
	    (ev->nwords && !ev->words))
		return -1;
	if (ev->seq)
		putf(&o, "@%" PRIu64 " ", ev->seq);
	putf(&o, "%s %" PRIu32, name, ev->pid);
	if (formatters[ev->type](&o, ev))
		return -1;
	for (size_t k = 0; k < ARRAY_SIZE(avs_text_evflag_names); k++)
		if (ev->flags & avs_text_evflag_names[k].bit)
			putf(&o, " %s", avs_text_evflag_names[k].name);
	if (ev->stack)
		putf(&o, " stack=%" PRIu32, ev->stack);
	put(&o, "\n", 1);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len <= INT_MAX ? (int)o.len : -1;
}
