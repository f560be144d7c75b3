/* SPDX-License-Identifier: MIT */
/*
 * The state of a new process image when the runtime starts: ld.so has
 * mapped dozens of regions before any constructor runs.  One `start`
 * record, then one `vma` seed per line of /proc/self/smaps, with the exact
 * vm_flags (VmFlags) and whether the VMA has anonymous pages (so an
 * anon_vma).  Raw reads into a static buffer: no stdio, no malloc.
 */
#include <fcntl.h>
#include <sys/syscall.h>
#include "seed.h"
#include "loadmap.h"
#include "procfile.h"
#include "out.h"
#include "raw.h"
#include "shadow/vm_flags.h"

#define MAX_RUNTIME_RANGES 64

static uint64_t runtime_ranges[MAX_RUNTIME_RANGES][2];
static unsigned nr_runtime_ranges;

void avs_seed_runtime_range(uint64_t start, uint64_t end)
{
	if (nr_runtime_ranges < MAX_RUNTIME_RANGES) {
		runtime_ranges[nr_runtime_ranges][0] = start;
		runtime_ranges[nr_runtime_ranges++][1] = end;
	}
}

static bool is_runtime(uint64_t start, uint64_t end)
{
	uint64_t r[2][2];
	unsigned i;

	avs_out_ranges(r);
	for (i = 0; i < 2; i++)
		if (start < r[i][1] && end > r[i][0])
			return true;
	for (i = 0; i < nr_runtime_ranges; i++)
		if (start < runtime_ranges[i][1] && end > runtime_ranges[i][0])
			return true;
	return false;
}

static const char *hex(const char *p, const char *end, uint64_t *v)
{
	*v = 0;
	for (; p < end; p++) {
		unsigned d;

		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if (*p >= 'a' && *p <= 'f')
			d = (unsigned)(*p - 'a' + 10);
		else
			break;
		*v = *v * 16 + d;
	}
	return p;
}

static const char *dec(const char *p, const char *end, uint64_t *v)
{
	*v = 0;
	while (p < end && *p == ' ')
		p++;
	for (; p < end && *p >= '0' && *p <= '9'; p++)
		*v = *v * 10 + (uint64_t)(*p - '0');
	return p;
}

static bool starts(const char *p, const char *end, const char *s)
{
	for (; *s; s++, p++)
		if (p >= end || *p != *s)
			return false;
	return true;
}

/* glibc's makedev(), as st_dev is encoded */
static uint64_t make_dev(uint64_t major, uint64_t minor)
{
	return ((major & 0xfffff000ULL) << 32) | ((major & 0xfffULL) << 8) |
	       ((minor & 0xffffff00ULL) << 12) | (minor & 0xffULL);
}

struct pending {
	struct avs_event ev;
	bool have, skip, stack;
};

static void flush_vma(struct pending *v)
{
	if (v->have && !v->skip)
		avs_out_write(&v->ev);
	v->have = false;
}

/* "start-end perms offset maj:min inode   path" */
static void header_line(struct pending *v, const char *p, const char *end,
			int pid)
{
	uint64_t start, stop, off, maj, min, ino;
	const char *perms;

	p = hex(p, end, &start) + 1;
	p = hex(p, end, &stop) + 1;
	perms = p;
	p += 5;
	p = hex(p, end, &off) + 1;
	p = hex(p, end, &maj) + 1;
	p = hex(p, end, &min);
	p = dec(p, end, &ino);
	while (p < end && *p == ' ')
		p++;
	v->have = true;
	v->skip = starts(p, end, "[vsyscall]");	/* not in the VMA tree */
	v->stack = starts(p, end, "[stack]");
	v->ev = (struct avs_event){ .type = AVS_EV_VMA };
	v->ev.pid = 0;
	v->ev.u.vma.start = start;
	v->ev.u.vma.end = stop;
	if (ino || maj || min) {
		v->ev.u.vma.dev = make_dev(maj, min);
		v->ev.u.vma.ino = ino;
		v->ev.u.vma.pgoff = off >> 12;
	} else if (v->stack) {
		/* fs/exec.c: the stack is built at the top page of the address
		 * space (STACK_TOP_MAX) and moved down keeping its pgoff, then
		 * grows down: its last page keeps that top page's pgoff */
		v->ev.u.vma.pgoff = ((0x7ffffffff000ULL >> 12) - 1) -
				    (((stop - start) >> 12) - 1);
	} else if (starts(p, end, "[v") || starts(p, end, "[uprobes]")) {
		/* [vdso], [vvar], [vvar_vclock], the uprobes XOL area:
		 * _install_special_mapping() leaves vm_pgoff 0 */
		v->ev.u.vma.pgoff = 0;
	} else {
		v->ev.u.vma.pgoff = start >> 12;
	}
	/* until VmFlags says more: the access and share bits of perms */
	v->ev.u.vma.vm_flags = (perms[0] == 'r' ? VM_READ : 0) |
			       (perms[1] == 'w' ? VM_WRITE : 0) |
			       (perms[2] == 'x' ? VM_EXEC : 0) |
			       (perms[3] == 's' ? VM_SHARED | VM_MAYSHARE : 0);
	if (is_runtime(start, stop))
		v->ev.flags |= AVS_EVF_RUNTIME;
	if (perms[2] == 'x' && ino && p < end && *p == '/')
		avs_loadmap_add(pid, start, stop, off, v->ev.u.vma.dev, ino, p,
				(uint32_t)(end - p), 0);
}

static void smaps_line(struct pending *v, const char *p, const char *end,
		       int pid)
{
	uint64_t kb;

	if (p < end && ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))) {
		flush_vma(v);
		header_line(v, p, end, pid);
		v->ev.pid = (uint32_t)pid;
	} else if (v->have && starts(p, end, "Anonymous:")) {
		dec(p + 10, end, &kb);
		if (kb)
			v->ev.u.vma.state |= AVS_SEED_ANON_VMA;
	} else if (v->have && starts(p, end, "VmFlags:")) {
		v->ev.u.vma.vm_flags =
			avs_vm_flags_from_smaps(p + 8, (size_t)(end - (p + 8)));
	}
}

static char buf[1 << 16];

struct smaps_ctx {
	struct pending v;
	int pid;
};

static void smaps_cb(void *arg, const char *p, const char *end)
{
	struct smaps_ctx *c = arg;

	smaps_line(&c->v, p, end, c->pid);
}

/* /proc/self/stat: comm is field 2, start_brk field 47 */
struct stat_ctx {
	struct avs_event *ev;
	char comm[32];
};

static void stat_cb(void *arg, const char *p, const char *end)
{
	struct stat_ctx *c = arg;
	const char *open = p, *close = end;
	uint64_t v = 0;
	int field = 2, i = 0;

	while (open < end && *open != '(')
		open++;
	while (close > open && *close != ')')
		close--;
	for (p = open + 1; p < close && i < 31; p++)
		c->comm[i++] = *p;
	c->comm[i] = '\0';
	for (p = close + 1; p < end; p++) {
		if (*p != ' ')
			continue;
		field++;
		if (field == 47) {
			dec(p + 1, end, &v);
			c->ev->u.start.start_brk = v;
		}
	}
}

void avs_seed_process(int pid, int ppid)
{
	struct avs_event start = { .type = AVS_EV_START, .pid = (uint32_t)pid };
	struct stat_ctx st = { .ev = &start };
	struct smaps_ctx sm = { .pid = pid };
	uint32_t len = 0;

	start.u.start.ppid = (uint32_t)ppid;
	avs_proc_lines("/proc/self/stat", buf, sizeof(buf), stat_cb, &st);
	start.u.start.brk = (uint64_t)raw1(SYS_brk, 0);
	while (st.comm[len])
		len++;
	start.str = st.comm;
	start.str_len = len;
	avs_out_write(&start);
	avs_proc_lines("/proc/self/smaps", buf, sizeof(buf), smaps_cb, &sm);
	flush_vma(&sm.v);
}
