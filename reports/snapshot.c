/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "snapshot.h"
#include "shadow/event_bin.h"
#include "shadow/pagemap_word.h"

#define CHUNK_PAGES 512

uint64_t avs_snapshot_zero_pfn(void)
{
	volatile char *p = mmap(NULL, 4096, PROT_READ,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t e = 0;
	int fd;

	if (p == MAP_FAILED)
		return 0;
	(void)p[0];		/* a read fault maps the zero page */
	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && pread(fd, &e, 8, (off_t)((uintptr_t)p >> 12) * 8) != 8)
		e = 0;
	if (fd >= 0)
		close(fd);
	munmap((void *)p, 4096);
	return (e & AVS_PM_PRESENT) ? e & AVS_PM_PFN : 0;
}

int avs_snapshot_open_trace(const char *dir, const char *name)
{
	unsigned char hdr[AVS_TRACE_HEADER_SIZE];
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC |
		  O_NOFOLLOW, 0600);
	avs_trace_header_init(hdr);
	if (fd < 0 || write(fd, hdr, sizeof(hdr)) != (ssize_t)sizeof(hdr)) {
		fprintf(stderr, "avshadow: %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

struct writer {
	int fd;
	uint64_t *seq;
	uint64_t last;
	bool failed;
};

static void put(struct writer *w, struct avs_event *ev)
{
	size_t n = avs_event_encoded_size(ev);
	unsigned char *buf;

	if (w->failed || !n)
		return;
	buf = aligned_alloc(8, (n + 7) & ~(size_t)7);
	if (!buf)
		abort();
	ev->seq = __atomic_fetch_add(w->seq, 1, __ATOMIC_SEQ_CST) + 1;
	if (avs_event_encode(ev, buf, n) != n ||
	    write(w->fd, buf, n) != (ssize_t)n)
		w->failed = true;
	else
		w->last = ev->seq;
	free(buf);
}

static void observe_range(struct writer *w, pid_t pid, int pm, uint64_t start,
			  uint64_t end, uint64_t zero_pfn)
{
	static uint64_t e[CHUNK_PAGES], words[CHUNK_PAGES];
	uint64_t a;

	for (a = start; a < end; a += CHUNK_PAGES * 4096ULL) {
		uint64_t n = (end - a) >> 12, i;
		struct avs_event ev = { .type = AVS_EV_PAGES,
					.pid = (uint32_t)pid };
		bool any = false;

		if (n > CHUNK_PAGES)
			n = CHUNK_PAGES;
		if (pread(pm, e, n * 8, (off_t)((a >> 12) * 8)) != (ssize_t)(n * 8))
			return;
		for (i = 0; i < n; i++) {
			words[i] = avs_pagemap_word(e[i], zero_pfn);
			any |= words[i] != 0;
		}
		if (!any)
			continue;
		ev.u.pages.start = a;
		ev.words = words;
		ev.nwords = (uint32_t)n;
		put(w, &ev);
	}
}

/* As runtime/observe.c: private, accessible VMAs but [vdso], [vvar]... */
static void observe(struct writer *w, pid_t pid, uint64_t zero_pfn)
{
	char path[64], line[4096];
	FILE *maps;
	int pm;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	pm = open(path, O_RDONLY | O_CLOEXEC);
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	maps = fopen(path, "re");
	while (pm >= 0 && maps && fgets(line, sizeof(line), maps)) {
		unsigned long long s, e;
		char perms[8], *name;
		int off = 0;

		if (sscanf(line, "%llx-%llx %7s %*s %*s %*s%n", &s, &e, perms,
			   &off) != 3)
			continue;
		name = line + off;
		name += strspn(name, " ");
		if (perms[3] != 'p' || !strncmp(perms, "---", 3) ||
		    !strncmp(name, "[v", 2))
			continue;
		observe_range(w, pid, pm, s, e, zero_pfn);
	}
	if (maps)
		fclose(maps);
	if (pm >= 0)
		close(pm);
}

uint64_t avs_snapshot_record(const struct avs_tree *t, uint64_t *seq, int fd,
			     const char *label, bool observe_pages,
			     bool all_pids, uint64_t zero_pfn)
{
	struct writer w = { .fd = fd, .seq = seq };
	size_t i;

	for (i = 0; i < t->n && observe_pages; i++)
		if (t->p[i].state == AVS_TREE_SETTLED && t->p[i].traced)
			observe(&w, t->p[i].pid, zero_pfn);
	for (i = 0; i < t->n; i++) {
		struct avs_event ev = { .type = AVS_EV_CHECKPOINT,
					.pid = (uint32_t)t->p[i].pid };

		if (t->p[i].state != AVS_TREE_SETTLED || !t->p[i].traced)
			continue;
		ev.str = label;
		ev.str_len = (uint32_t)strlen(label);
		put(&w, &ev);
		if (!all_pids)
			break;
	}
	return w.failed ? (uint64_t)-1 : w.last;
}

int avs_snapshot_maps(const struct avs_tree *t, const char *dir,
		      const char *label)
{
	char path[4096], src[64], buf[65536];
	size_t i;
	int ret = 0;

	snprintf(path, sizeof(path), "%s/maps", dir);
	if (mkdir(path, 0700) && errno != EEXIST) {
		fprintf(stderr, "avshadow: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (i = 0; i < t->n; i++) {
		int in, out = -1;
		ssize_t n;

		if (t->p[i].state != AVS_TREE_SETTLED || !t->p[i].traced)
			continue;
		snprintf(src, sizeof(src), "/proc/%d/maps", (int)t->p[i].pid);
		snprintf(path, sizeof(path), "%s/maps/%d-%s.maps", dir,
			 (int)t->p[i].pid, label);
		in = open(src, O_RDONLY | O_CLOEXEC);
		if (in >= 0)
			out = open(path, O_WRONLY | O_CREAT | O_TRUNC |
				   O_CLOEXEC | O_NOFOLLOW, 0644);
		while (out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
			if (write(out, buf, (size_t)n) != n) {
				ret = -1;
				break;
			}
		if (in < 0 || out < 0)
			ret = -1;
		if (ret)
			fprintf(stderr, "avshadow: %s: %s\n", path,
				strerror(errno));
		if (in >= 0)
			close(in);
		if (out >= 0)
			close(out);
	}
	return ret;
}
