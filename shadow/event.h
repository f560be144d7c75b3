/* SPDX-License-Identifier: MIT */
/*
 * The avshadow event stream: everything the shadow is told about a process
 * tree, one event at a time.  The shadow is a pure function of this stream.
 *
 * Three forms exist and convert losslessly into each other:
 *   - struct avs_event (this header), the in-memory form;
 *   - the text form, one event per line (event_text_*.c, docs/EVENTS.md);
 *   - the binary record form used in trace files (event_bin.c).
 *
 * Addresses are byte addresses; ranges are [start, end).  Every event names
 * the pid it happens in.  Events are applied in stream order; `seq` is the
 * global order stamp given by the recorder (0 when unknown).
 */
#ifndef AVS_EVENT_H
#define AVS_EVENT_H

#include <stdint.h>
#include <stddef.h>

enum avs_event_type {
	AVS_EV_NONE = 0,
	AVS_EV_START,		/* a process appears: seeded, not forked */
	AVS_EV_VMA,		/* one VMA known to exist (seed after start/exec) */
	AVS_EV_FORK,		/* pid forked child (or shares its mm: AVS_FORK_VM) */
	AVS_EV_EXEC,		/* pid replaced its mm; VMA seeds follow */
	AVS_EV_EXIT,		/* pid exited */
	AVS_EV_MMAP,		/* a mapping was created at [start, end) */
	AVS_EV_MUNMAP,
	AVS_EV_MPROTECT,
	AVS_EV_MREMAP,
	AVS_EV_MADVISE,
	AVS_EV_BRK,
	AVS_EV_MLOCK,
	AVS_EV_MUNLOCK,
	AVS_EV_MLOCKALL,
	AVS_EV_MUNLOCKALL,
	AVS_EV_FAULT,		/* a read or write fault at one address */
	AVS_EV_PAGES,		/* page observation of a range (pagemap-like) */
	AVS_EV_SWAPOUT,		/* what-if: reclaim the anon pages of a range */
	AVS_EV_SWAPIN,		/* what-if: touch (read) swapped pages of a range */
	AVS_EV_CHECKPOINT,	/* a named point in the stream */
	AVS_EV_FRAME,		/* a call-tree node of pid's stacks */
	AVS_EV_LOAD,		/* an executable file mapping of pid (symbols) */
	AVS_EV_NR_TYPES
};

/* avs_event.flags: where the event came from. */
#define AVS_EVF_INFERRED	0x1	/* inferred by reconciliation, not seen */
#define AVS_EVF_RUNTIME		0x2	/* done by the recording runtime itself */
#define AVS_EVF_FAILED		0x4	/* the syscall failed; kept for the record */

/* fork.clone_flags */
#define AVS_FORK_VM		0x1	/* child shares the mm (vfork, CLONE_VM) */

/* mmap.prot / mprotect.prot: PROT_* values of Linux */
#define AVS_PROT_READ		0x1
#define AVS_PROT_WRITE		0x2
#define AVS_PROT_EXEC		0x4

/* mmap.flags: MAP_* values of Linux x86_64 */
#define AVS_MAP_SHARED		0x01
#define AVS_MAP_PRIVATE		0x02
#define AVS_MAP_FIXED		0x10
#define AVS_MAP_ANONYMOUS	0x20
#define AVS_MAP_GROWSDOWN	0x0100
#define AVS_MAP_DENYWRITE	0x0800
#define AVS_MAP_EXECUTABLE	0x1000
#define AVS_MAP_LOCKED		0x2000
#define AVS_MAP_NORESERVE	0x4000
#define AVS_MAP_POPULATE	0x8000
#define AVS_MAP_NONBLOCK	0x10000
#define AVS_MAP_STACK		0x20000
#define AVS_MAP_HUGETLB		0x40000
#define AVS_MAP_SYNC		0x80000
#define AVS_MAP_FIXED_NOREPLACE	0x100000

/* mmap.fmode: how the mapped file was opened */
#define AVS_FMODE_READ		0x1
#define AVS_FMODE_WRITE		0x2

/* mremap.flags: MREMAP_* values of Linux */
#define AVS_MREMAP_MAYMOVE	0x1
#define AVS_MREMAP_FIXED	0x2
#define AVS_MREMAP_DONTUNMAP	0x4

/* mlock.flags / mlockall.flags */
#define AVS_MLOCK_ONFAULT	0x1	/* mlock2(MLOCK_ONFAULT) */
#define AVS_MCL_CURRENT		0x1
#define AVS_MCL_FUTURE		0x2
#define AVS_MCL_ONFAULT		0x4

/* madvise.advice: MADV_* values of Linux */
#define AVS_MADV_NORMAL		0
#define AVS_MADV_RANDOM		1
#define AVS_MADV_SEQUENTIAL	2
#define AVS_MADV_WILLNEED	3
#define AVS_MADV_DONTNEED	4
#define AVS_MADV_FREE		8
#define AVS_MADV_REMOVE		9
#define AVS_MADV_DONTFORK	10
#define AVS_MADV_DOFORK		11
#define AVS_MADV_MERGEABLE	12
#define AVS_MADV_UNMERGEABLE	13
#define AVS_MADV_HUGEPAGE	14
#define AVS_MADV_NOHUGEPAGE	15
#define AVS_MADV_DONTDUMP	16
#define AVS_MADV_DODUMP		17
#define AVS_MADV_WIPEONFORK	18
#define AVS_MADV_KEEPONFORK	19
#define AVS_MADV_COLD		20
#define AVS_MADV_PAGEOUT	21
#define AVS_MADV_POPULATE_READ	22
#define AVS_MADV_POPULATE_WRITE	23
#define AVS_MADV_DONTNEED_LOCKED 24
#define AVS_MADV_COLLAPSE	25
#define AVS_MADV_GUARD_INSTALL	102
#define AVS_MADV_GUARD_REMOVE	103

/* fault.access */
#define AVS_FAULT_READ		0
#define AVS_FAULT_WRITE		1
#define AVS_FAULT_FORCE_WRITE	2	/* FOLL_FORCE write: /proc/pid/mem, ptrace */

/* vma.state: what the seed knows about the VMA's anonymous side */
#define AVS_SEED_ANON_VMA	0x1	/* the VMA has an anon_vma (anon pages) */

/*
 * One page in an AVS_EV_PAGES observation, as a 64-bit word laid out like
 * /proc/PID/pagemap where pagemap has the bit, plus avshadow's own bits.
 */
#define AVS_PAGE_PRESENT	(1ULL << 63)
#define AVS_PAGE_SWAPPED	(1ULL << 62)
#define AVS_PAGE_FILE		(1ULL << 61)	/* page cache or shared anon */
#define AVS_PAGE_ZERO		(1ULL << 60)	/* avshadow: the shared zero page */
#define AVS_PAGE_PFN_KNOWN	(1ULL << 59)	/* avshadow: PFN field is valid */
#define AVS_PAGE_EXCLUSIVE	(1ULL << 56)	/* mapped by exactly one pte */
#define AVS_PAGE_PFN_MASK	((1ULL << 55) - 1)

struct avs_range {
	uint64_t start, end;
};

struct avs_event {
	uint16_t type;		/* enum avs_event_type */
	uint16_t flags;		/* AVS_EVF_* */
	uint32_t pid;
	uint64_t seq;
	/*
	 * The call stack of the event: a node of pid's call tree (its
	 * AVS_EV_FRAME events), 0 when none.  Node ids are pid's own: they
	 * start afresh at START, EXEC and in a fork child.
	 */
	uint32_t stack;
	/*
	 * Variable-length data, not owned by the event: the checkpoint label,
	 * the exec path or process name (str), the page words of AVS_EV_PAGES
	 * (words).  They point into whatever buffer the event was decoded from.
	 */
	const char *str;
	uint32_t str_len;
	uint32_t nwords;
	const uint64_t *words;
	union {
		struct {
			uint32_t ppid;		/* 0 when unknown */
			uint32_t pad;
			uint64_t start_brk;	/* mm->start_brk, 0 if unknown */
			uint64_t brk;		/* mm->brk at seed time */
		} start;			/* AVS_EV_START, AVS_EV_EXEC */
		struct {
			uint64_t start, end;
			uint64_t pgoff;		/* vm_pgoff */
			uint64_t vm_flags;	/* kernel VM_* bits */
			uint64_t dev, ino;	/* 0, 0 for anonymous */
			uint32_t state;		/* AVS_SEED_* */
			uint32_t pad;
		} vma;
		struct {
			uint32_t child;
			uint32_t clone_flags;	/* AVS_FORK_* */
		} fork;
		struct {
			int32_t status;
		} exit;
		struct {
			uint64_t start, end;	/* the resulting mapping */
			uint32_t prot, flags;	/* PROT_*, MAP_* */
			uint64_t dev, ino;	/* file identity, 0 for anonymous */
			uint64_t off;		/* file offset in bytes */
			uint32_t fmode;		/* AVS_FMODE_* of the file */
			uint32_t pad;
		} mmap;
		struct avs_range range;		/* munmap, swapout, swapin, munlock */
		struct {
			uint64_t start, end;
			uint32_t prot;
			uint32_t pad;
		} mprotect;
		struct {
			uint64_t old_start, old_end;
			uint64_t new_start, new_end;	/* the result */
			uint32_t flags;		/* AVS_MREMAP_* */
			uint32_t pad;
		} mremap;
		struct {
			uint64_t start, end;
			uint32_t advice;
			uint32_t pad;
		} madvise;
		struct {
			uint64_t old_brk, new_brk;	/* break before and after */
		} brk;
		struct {
			uint64_t start, end;
			uint32_t flags;		/* AVS_MLOCK_* or AVS_MCL_* */
			uint32_t pad;
		} mlock;			/* mlock, mlockall (range unused) */
		struct {
			uint64_t addr;
			uint32_t access;	/* AVS_FAULT_* */
			uint32_t pad;
		} fault;
		struct {
			uint64_t start;		/* first page; nwords pages follow */
		} pages;
		struct {
			uint32_t id;		/* node id, > 0 */
			uint32_t parent;	/* the caller's node, 0: outermost */
			uint64_t ip;		/* a return address */
		} frame;
		struct {
			uint64_t start, end;	/* the mapping */
			uint64_t off;		/* file offset in bytes */
			uint64_t dev, ino;	/* file identity */
		} load;				/* str: the file's path */
	} u;
};

/* Name of an event type in the text form ("mmap"), NULL if unknown. */
const char *avs_event_type_name(unsigned type);

/* Event type for a text-form name, AVS_EV_NONE if unknown. */
unsigned avs_event_type_from_name(const char *name, size_t len);

#endif
