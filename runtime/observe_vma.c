/* SPDX-License-Identifier: MIT */
/*
 * Page observations before calls that change VMA flags or move VMAs
 * (mprotect, mremap, mlock, flag-changing madvise).  Whether a VMA has an
 * anon_vma decides how the kernel splits and merges it, and the kernel
 * gives it one at the first write fault, which no hook sees: so the pages
 * of the VMAs the call cuts or may merge with are read from pagemap first.
 * Not before munmap or a MAP_FIXED mmap: they split but never merge, and
 * sampling there doubled the cost of an mmap+munmap pair; a piece they
 * leave is sampled before the next call that could merge it (what that
 * misses: the pages were all in the part they removed).
 * PROCMAP_QUERY (Linux 6.11) finds those VMAs without reading maps; a
 * kernel without it gets no samples here (fork and checkpoints still
 * sample everything).
 *
 * Only while the process has one thread: with several, a sample lands in
 * the event order at its seq while other threads' calls complete around
 * it (an mmap is stamped after it completes), so the shadow can hold a
 * VMA of another shape than the one the kernel had at the read, and a
 * page seen in it would give that shape an anon_vma the kernel's never
 * had.  glibc clears __libc_single_threaded at the first thread and never
 * sets it again; without it there are no samples here.
 *
 * The two /proc files stay open, close-on-exec, and are checked by inode
 * before each use, so a program that closes or reuses descriptors is never
 * handed our ioctl.  A fork child reopens them (proc files name the
 * process that opened them).
 */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "observe.h"
#include "out.h"
#include "raw.h"

/* include/uapi/linux/fs.h (6.11) */
struct procmap_query {
	uint64_t size, query_flags, query_addr;
	uint64_t vma_start, vma_end, vma_flags, vma_page_size, vma_offset;
	uint64_t inode;
	uint32_t dev_major, dev_minor, vma_name_size, build_id_size;
	uint64_t vma_name_addr, build_id_addr;
};
#define PROCMAP_QUERY _IOWR('f', 17, struct procmap_query)
#define PROCMAP_QUERY_VMA_READABLE	0x01
#define PROCMAP_QUERY_VMA_WRITABLE	0x02
#define PROCMAP_QUERY_VMA_EXECUTABLE	0x04
#define PROCMAP_QUERY_VMA_SHARED	0x08
#define PROCMAP_QUERY_COVERING_OR_NEXT_VMA 0x10

#define MAX_VMAS	8	/* VMAs sampled per call, neighbours included */

extern char __libc_single_threaded __attribute__((weak));

struct procfd {
	long fd;
	uint64_t dev, ino;
};

static struct {
	struct procfd maps, pagemap;
	int pid;			/* the process that opened them */
	bool unsupported;		/* no PROCMAP_QUERY here */
} ov = { .maps = { -1, 0, 0 }, .pagemap = { -1, 0, 0 } };

static long procfd_get(struct procfd *f, const char *path)
{
	struct stat sb;

	if (f->fd >= 0 && raw2(SYS_fstat, f->fd, &sb) == 0 &&
	    sb.st_dev == f->dev && sb.st_ino == f->ino)
		return f->fd;
	f->fd = raw4(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0);
	if (f->fd < 0)
		return -1;
	if (raw2(SYS_fstat, f->fd, &sb) != 0) {
		raw1(SYS_close, f->fd);
		f->fd = -1;
		return -1;
	}
	f->dev = sb.st_dev;
	f->ino = sb.st_ino;
	return f->fd;
}

static void procfd_forget(struct procfd *f)
{
	if (f->fd >= 0)
		raw1(SYS_close, f->fd);
	f->fd = -1;
}

/* The VMA covering addr or the next one; false if none or no support. */
static bool query(long fd, uint64_t addr, struct procmap_query *q)
{
	long r;

	*q = (struct procmap_query){ .size = sizeof(*q) };
	q->query_flags = PROCMAP_QUERY_COVERING_OR_NEXT_VMA;
	q->query_addr = addr;
	r = raw3(SYS_ioctl, fd, PROCMAP_QUERY, q);
	if (r == -25 /* ENOTTY */ || r == -22 /* EINVAL */)
		ov.unsupported = true;
	return r == 0;
}

/* Private and accessible: the VMAs that can hold anonymous pages. */
static bool anon_capable(const struct procmap_query *q)
{
	return !(q->vma_flags & PROCMAP_QUERY_VMA_SHARED) &&
	       (q->vma_flags & (PROCMAP_QUERY_VMA_READABLE |
				PROCMAP_QUERY_VMA_WRITABLE |
				PROCMAP_QUERY_VMA_EXECUTABLE));
}

void avs_observe_vmas(int pid, uint64_t start, uint64_t end)
{
	struct procmap_query q;
	uint64_t addr;
	long mfd, pfd = -1;
	int n = 0;

	if (ov.unsupported || start >= end || !&__libc_single_threaded ||
	    !__libc_single_threaded || !avs_observe_begin())
		return;
	if (ov.pid != pid) {	/* a fork child: the parent's files */
		procfd_forget(&ov.maps);
		procfd_forget(&ov.pagemap);
		ov.pid = pid;
	}
	mfd = procfd_get(&ov.maps, "/proc/self/maps");
	if (mfd < 0)
		goto out;
	/* the VMAs from the one before start to the one after end */
	addr = start > 4096 ? start - 4096 : 0;
	while (n < MAX_VMAS && query(mfd, addr, &q) && q.vma_start <= end) {
		if (anon_capable(&q) &&
		    (pfd >= 0 ||
		     (pfd = procfd_get(&ov.pagemap, "/proc/self/pagemap")) >= 0))
			avs_observe_range(pid, pfd, q.vma_start, q.vma_end);
		addr = q.vma_end;
		n++;
	}
out:
	avs_observe_end();
}
