/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include "out.h"
#include "raw.h"
#include "strbuf.h"
#include "shadow/event_bin.h"

#define WINDOW		(256UL << 20)	/* address space for one trace */
#define CHUNK		(1UL << 20)	/* preallocated ahead, by fallocate */

static struct {
	char dir[512];
	uint64_t *seq;			/* the shared counter */
	char *base;			/* the trace file's window */
	int fd;
	uint64_t off;			/* next free byte (atomic) */
	uint64_t ready;			/* bytes backed by blocks (atomic) */
	uint64_t growing;		/* a thread is extending (atomic) */
	bool on;
} out = { .fd = -1 };

static int map_seq(void)
{
	char path[600];
	long n = avs_str_copy(path, out.dir, sizeof(path));
	long fd;
	void *p;

	if (n < 0)
		return -22;
	avs_str_copy(path + n, "/seq", sizeof(path) - n);
	fd = raw4(SYS_openat, AT_FDCWD, path,
		  O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return (int)fd;
	raw2(SYS_ftruncate, fd, 4096);	/* no-op if it exists */
	p = (void *)raw6(SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED,
			 fd, 0);
	raw1(SYS_close, fd);
	if ((long)p < 0 && (long)p > -4096)
		return (int)(long)p;
	out.seq = p;
	return 0;
}

/* Back the next chunk with blocks, so a full disk shows as a failed
 * fallocate here rather than SIGBUS in the program later. */
static bool grow(uint64_t need)
{
	uint64_t ready = __atomic_load_n(&out.ready, __ATOMIC_ACQUIRE);
	uint64_t expect = 0;

	if (need <= ready)
		return true;
	if (ready + CHUNK > WINDOW ||
	    !__atomic_compare_exchange_n(&out.growing, &expect, 1, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		return false;		/* someone else is growing: drop */
	if (raw4(SYS_fallocate, out.fd, 0, ready, CHUNK) == 0)
		__atomic_store_n(&out.ready, ready + CHUNK, __ATOMIC_RELEASE);
	__atomic_store_n(&out.growing, 0, __ATOMIC_RELEASE);
	return need <= __atomic_load_n(&out.ready, __ATOMIC_ACQUIRE);
}

/* at: where to map the window (the inherited one's address in a fork
 * child, so its layout does not change), or 0 */
static int open_trace(int pid, void *at)
{
	char path[640];
	long n = avs_str_copy(path, out.dir, sizeof(path)), fd;
	uint64_t first = avs_out_seq();
	void *p;

	if (n < 0)
		return -22;
	path[n++] = '/';
	n += avs_put_u64(path + n, (uint64_t)pid);
	path[n++] = '-';
	n += avs_put_u64(path + n, first);
	avs_str_copy(path + n, ".trace", sizeof(path) - n);
	fd = raw4(SYS_openat, AT_FDCWD, path,
		  O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return (int)fd;
	p = (void *)raw6(SYS_mmap, at, WINDOW, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_NORESERVE | (at ? MAP_FIXED : 0), fd, 0);
	if ((long)p < 0 && (long)p > -4096) {
		raw1(SYS_close, fd);
		return (int)(long)p;
	}
	/* records go in order: no readahead of the preallocated blocks at
	 * the first write (it cost ~0.4 ms per process) */
	raw3(SYS_madvise, p, WINDOW, MADV_RANDOM);
	out.fd = (int)fd;
	out.base = p;
	out.off = 0;
	out.ready = 0;
	out.growing = 0;
	if (!grow(AVS_TRACE_HEADER_SIZE) || !grow(CHUNK + 1)) {
		raw2(SYS_munmap, p, WINDOW);
		raw1(SYS_close, fd);
		return -28;	/* ENOSPC */
	}
	avs_trace_header_init(out.base);
	out.off = AVS_TRACE_HEADER_SIZE;
	out.on = true;
	return 0;
}

int avs_out_open(const char *dir, int pid)
{
	int err;

	if (avs_str_copy(out.dir, dir, sizeof(out.dir)) < 0)
		return -36;	/* ENAMETOOLONG */
	raw2(SYS_mkdir, out.dir, 0700);
	err = map_seq();
	return err ? err : open_trace(pid, 0);
}

int avs_out_reopen_child(int pid)
{
	void *at = out.base;

	/* the parent's window was inherited: map the child's own file over
	 * it, at the same address, so the child's VMAs stay the parent's */
	if (out.fd >= 0)
		raw1(SYS_close, out.fd);
	out.fd = -1;
	out.on = false;
	if (!out.seq)
		return -9;
	return open_trace(pid, at);
}

bool avs_out_on(void)
{
	return out.on;
}

uint64_t avs_out_seq(void)
{
	return out.seq ? __atomic_fetch_add(out.seq, 1, __ATOMIC_SEQ_CST) + 1 : 0;
}

void avs_out_write(struct avs_event *ev)
{
	size_t size = avs_event_encoded_size(ev);
	uint64_t at;

	if (!out.on || !size)
		return;
	if (!ev->seq)
		ev->seq = avs_out_seq();
	at = __atomic_fetch_add(&out.off, size, __ATOMIC_ACQ_REL);
	/* keep a chunk of backed space ahead of the writers */
	if (at + size + CHUNK / 2 > __atomic_load_n(&out.ready, __ATOMIC_ACQUIRE))
		grow(at + size + CHUNK / 2);
	if (at + size > __atomic_load_n(&out.ready, __ATOMIC_ACQUIRE)) {
		/* full disk or window: a gap would end the stream for the
		 * reader anyway, so stop here and say the trace is cut */
		out.on = false;
		__atomic_fetch_or((uint64_t *)(out.base + 16), AVS_TRACE_TRUNCATED,
				  __ATOMIC_RELAXED);
		return;
	}
	avs_event_encode(ev, out.base + at, size);
}

void avs_out_ranges(uint64_t r[2][2])
{
	r[0][0] = (uint64_t)(uintptr_t)out.seq;
	r[0][1] = out.seq ? r[0][0] + 4096 : 0;
	r[1][0] = (uint64_t)(uintptr_t)out.base;
	r[1][1] = out.base ? r[1][0] + WINDOW : 0;
}
