/* SPDX-License-Identifier: MIT */
/*
 * avs_rt_syscall(): perform a memory-map syscall for a patched site and
 * record what it did.  Runs inside arbitrary code of the traced program
 * (signal handlers, the loader lock, vfork children): raw syscalls only,
 * no allocation, no locks, errno untouched (the site's wrapper sets it
 * from the raw result after we return).
 */
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <fcntl.h>
#include "runtime.h"
#include "out.h"
#include "raw.h"
#include "record.h"
#include "observe.h"
#include "env_restore.h"
#include "seed.h"
#include "stack.h"
#include "loadmap.h"
#include "sync.h"

#ifndef SYS_pkey_mprotect
#define SYS_pkey_mprotect 329
#endif
#ifndef SYS_mlock2
#define SYS_mlock2 325
#endif
#define CLONE_VM_FLAG 0x100

static struct {
	int pid;		/* cached: getpid() is a syscall */
	bool env_noted;		/* the environment restore was recorded */
	uint64_t brk;		/* the break as this process last saw it */
	struct { uint64_t addr, size; } shm[32];	/* attached segments */
} rt;

void avs_rec_reset(int pid)
{
	rt.pid = pid;
	rt.env_noted = false;
	rt.brk = (uint64_t)raw1(SYS_brk, 0);
}

bool avs_rt_wanted(long nr)
{
	switch (nr) {
	case SYS_mmap: case SYS_munmap: case SYS_mprotect:
	case SYS_pkey_mprotect: case SYS_mremap: case SYS_madvise:
	case SYS_brk: case SYS_mlock: case SYS_mlock2: case SYS_munlock:
	case SYS_mlockall: case SYS_munlockall: case SYS_shmat: case SYS_shmdt:
	case SYS_clone: case SYS_clone3: case SYS_fork:
	case SYS_execve: case SYS_execveat:
	case SYS_exit_group:
		return true;
	default:
		return false;
	}
}

static uint64_t page_align(long len)
{
	return ((uint64_t)len + 4095) & ~4095ULL;
}

static bool failed(long ret)
{
	return ret < 0 && ret > -4096;
}

static void emit(struct avs_event *ev)
{
	ev->pid = (uint32_t)rt.pid;
	if (avs_stack_busy())	/* the unwinder's own mappings */
		ev->flags |= AVS_EVF_RUNTIME;
	avs_out_write(ev);
}

static void range_event(unsigned type, long addr, long len, uint64_t seq,
			uint32_t stack)
{
	struct avs_event ev = { .type = (uint16_t)type, .seq = seq,
				.stack = stack };

	ev.u.range.start = (uint64_t)addr;
	ev.u.range.end = (uint64_t)addr + page_align(len);
	emit(&ev);
}

static void mmap_event(long ret, long len, long prot, long flags, long fd,
		       long off, uint64_t seq, uint32_t stack)
{
	struct avs_event ev = { .type = AVS_EV_MMAP, .seq = seq,
				.stack = stack };

	ev.u.mmap.start = (uint64_t)ret;
	ev.u.mmap.end = (uint64_t)ret + page_align(len);
	ev.u.mmap.prot = (uint32_t)prot;
	ev.u.mmap.flags = (uint32_t)flags;
	if (!(flags & MAP_ANONYMOUS)) {
		struct stat st;
		long fl = raw2(SYS_fcntl, fd, F_GETFL);

		if (raw2(SYS_fstat, fd, &st) == 0) {
			ev.u.mmap.dev = st.st_dev;
			ev.u.mmap.ino = st.st_ino;
		}
		ev.u.mmap.off = (uint64_t)off;
		if (fl >= 0)
			ev.u.mmap.fmode = ((fl & O_ACCMODE) != O_WRONLY ?
					   AVS_FMODE_READ : 0) |
					  ((fl & O_ACCMODE) != O_RDONLY ?
					   AVS_FMODE_WRITE : 0);
	}
	emit(&ev);
	if ((prot & PROT_EXEC) && !(flags & MAP_ANONYMOUS))
		avs_loadmap_mmap(rt.pid, &ev, fd);	/* for symbols */
}

/* shmat(): a shared mapping of the segment, its size from IPC_STAT. */
static void shmat_event(long shmid, long ret, long shmflg)
{
	struct shmid_ds_min { /* struct shmid_ds, x86_64: shm_segsz at 48 */
		unsigned char perm[48];
		uint64_t segsz;
		unsigned char rest[64];
	} ds;
	struct avs_event ev = { .type = AVS_EV_MMAP };
	unsigned i;

	if (raw3(SYS_shmctl, shmid, 2 /* IPC_STAT */, &ds) < 0)
		return;
	ev.u.mmap.start = (uint64_t)ret;
	ev.u.mmap.end = (uint64_t)ret + page_align((long)ds.segsz);
	ev.u.mmap.prot = (shmflg & 010000) ? PROT_READ : PROT_READ | PROT_WRITE;
	ev.u.mmap.flags = MAP_SHARED;
	ev.u.mmap.ino = (1ULL << 62) | (uint64_t)shmid;
	for (i = 0; i < 32; i++)
		if (!rt.shm[i].addr) {
			rt.shm[i].addr = (uint64_t)ret;
			rt.shm[i].size = page_align((long)ds.segsz);
			break;
		}
	emit(&ev);
}

static void shmdt_event(long addr)
{
	unsigned i;

	for (i = 0; i < 32; i++)
		if (rt.shm[i].addr == (uint64_t)addr) {
			range_event(AVS_EV_MUNMAP, addr, (long)rt.shm[i].size, 0,
				    0);
			rt.shm[i].addr = 0;
			return;
		}
}

/*
 * A call that frees address space takes its seq before the syscall: if
 * another thread reuses the range, its call (stamped after it completes)
 * sorts after this one, as the kernel ordered them.  Calls that only
 * allocate or change flags are stamped after they complete.
 */
static bool frees_space(long nr, long a1, long a4)
{
	switch (nr) {
	case SYS_munmap:
	case SYS_mremap:
	case SYS_madvise:
		return true;
	case SYS_mmap:
		return (a4 & MAP_FIXED) != 0;
	case SYS_brk:
		return a1 && (uint64_t)a1 < rt.brk;
	default:
		return false;
	}
}

/* Pages of the VMAs a call may split, merge or move, looked at first
 * (observe_vma.c). */
/* madvise_update_vma(): advice that sets or clears a VMA flag */
static bool flags_advice(long advice)
{
	switch (advice) {
	case MADV_DONTFORK: case MADV_DOFORK:
	case MADV_WIPEONFORK: case MADV_KEEPONFORK:
	case MADV_MERGEABLE: case MADV_UNMERGEABLE:
	case MADV_HUGEPAGE: case MADV_NOHUGEPAGE:
	case MADV_DONTDUMP: case MADV_DODUMP:
		return true;
	default:
		return false;
	}
}

static void observe_before(long nr, long a1, long a2, long a3)
{
	uint64_t start = (uint64_t)a1 & ~4095ULL;
	uint64_t end = (uint64_t)a1 + page_align(a2);

	switch (nr) {
	case SYS_mprotect:
	case SYS_pkey_mprotect:
	case SYS_mremap:
	case SYS_mlock:
	case SYS_mlock2:
	case SYS_munlock:
		avs_observe_vmas(rt.pid, start, end);
		break;
	case SYS_madvise:	/* the advice that changes vm_flags splits */
		if (flags_advice(a3))
			avs_observe_vmas(rt.pid, start, end);
		break;
	default:	/* munmap, MAP_FIXED mmap: see observe_vma.c */
		break;
	}
}

/* The calls whose events carry a call stack (fork: do_fork). */
static bool wants_stack(long nr)
{
	return nr == SYS_mmap || nr == SYS_munmap || nr == SYS_mprotect ||
	       nr == SYS_pkey_mprotect || nr == SYS_mremap || nr == SYS_brk;
}

static bool partial_ok(long nr)
{
	return nr == SYS_mprotect || nr == SYS_pkey_mprotect ||
	       nr == SYS_madvise || nr == SYS_mlock || nr == SYS_mlock2 ||
	       nr == SYS_munlock;
}

/* Is this a fork: a new process with a copy of the address space, on a
 * copy of the stack?  (clone3's struct clone_args: flags at 0, stack at
 * 40.) */
static bool forklike(long nr, long a1)
{
	if (nr == SYS_fork)
		return true;
	if (nr == SYS_clone)
		return !(a1 & (CLONE_VM_FLAG | 0x4000));
	if (nr == SYS_clone3 && a1)
		return !(((const uint64_t *)a1)[0] & (CLONE_VM_FLAG | 0x4000)) &&
		       !((const uint64_t *)a1)[5];
	return false;
}

/* fork: the parent's record takes its seq before the fork, so everything
 * the child records comes after it; the child opens its own trace. */
static long do_fork(long nr, long a1, long a2, long a3, long a4, long a5)
{
	struct avs_event ev = { .type = AVS_EV_FORK };
	long ret;

	/* which VMAs have anon pages decides what fork copies: look first */
	avs_observe_all(rt.pid);
	ev.stack = avs_stack_capture(rt.pid);
	ev.seq = avs_out_seq();
	ret = raw_syscall6(nr, a1, a2, a3, a4, a5, 0);
	if (ret == 0) {
		avs_rec_reset((int)raw0(SYS_getpid));
		avs_out_reopen_child(rt.pid);
		avs_stack_new_image();
	} else if (!failed(ret)) {
		ev.u.fork.child = (uint32_t)ret;
		emit(&ev);
	}
	return ret;
}

static long record_syscall(long nr, long a1, long a2, long a3, long a4,
			   long a5, long a6)
{
	struct avs_event ev = { 0 };
	long ret;

	if (!avs_out_on())
		return raw_syscall6(nr, a1, a2, a3, a4, a5, a6);
	if (forklike(nr, a1))
		return do_fork(nr, a1, a2, a3, a4, a5);
	if (nr == SYS_execve || nr == SYS_execveat) {
		/* the exec'd program must load the runtime again */
		bool restored;
		long envarg = nr == SYS_execve ? a3 : a4;
		char *const *env = avs_env_for_exec((char *const *)envarg,
						    &restored);

		if (restored && !rt.env_noted) {	/* once: execvp tries
							   every PATH entry */
			rt.env_noted = true;
			ev.type = AVS_EV_CHECKPOINT;
			ev.flags = AVS_EVF_RUNTIME;
			ev.str = "avshadow:environment-restored";
			ev.str_len = 29;
			emit(&ev);
		}
		ret = nr == SYS_execve ?
			raw_syscall6(nr, a1, a2, (long)env, a4, a5, a6) :
			raw_syscall6(nr, a1, a2, a3, (long)env, a5, a6);
		if (restored)
			avs_env_release();
		return ret;
	}
	if (nr == SYS_exit_group && raw0(SYS_getpid) == rt.pid) {
		/* (a vfork child shares our memory, not our pid: skip it) */
		avs_observe_all(rt.pid);	/* the pages it leaves */
		ev.type = AVS_EV_EXIT;
		ev.u.exit.status = (int32_t)a1;
		emit(&ev);
	}
	if (wants_stack(nr))
		ev.stack = avs_stack_capture(rt.pid);
	observe_before(nr, a1, a2, a3);
	if (frees_space(nr, a1, a4))
		ev.seq = avs_out_seq();
	ret = raw_syscall6(nr, a1, a2, a3, a4, a5, a6);
	/* ENOMEM from mprotect, mlock, madvise means a hole in the range:
	 * the kernel changed what came before it (madvise: every mapped
	 * part), and the shadow applies such an event the same way */
	if (failed(ret) && !(ret == -12 && partial_ok(nr)))
		return ret;
	switch (nr) {
	case SYS_mmap:
		mmap_event(ret, a2, a3, a4, a5, a6, ev.seq, ev.stack);
		break;
	case SYS_munmap:
		range_event(AVS_EV_MUNMAP, a1, a2, ev.seq, ev.stack);
		break;
	case SYS_mprotect:
	case SYS_pkey_mprotect:
		ev.type = AVS_EV_MPROTECT;
		ev.u.mprotect.start = (uint64_t)a1;
		ev.u.mprotect.end = (uint64_t)a1 + page_align(a2);
		ev.u.mprotect.prot = (uint32_t)a3 & 7;
		emit(&ev);
		break;
	case SYS_mremap:
		ev.type = AVS_EV_MREMAP;
		ev.u.mremap.old_start = (uint64_t)a1;
		ev.u.mremap.old_end = (uint64_t)a1 + page_align(a2);
		ev.u.mremap.new_start = (uint64_t)ret;
		ev.u.mremap.new_end = (uint64_t)ret + page_align(a3);
		ev.u.mremap.flags = (uint32_t)a4;
		emit(&ev);
		break;
	case SYS_madvise:
		ev.type = AVS_EV_MADVISE;
		ev.u.madvise.start = (uint64_t)a1;
		ev.u.madvise.end = (uint64_t)a1 + page_align(a2);
		ev.u.madvise.advice = (uint32_t)a3;
		emit(&ev);
		break;
	case SYS_brk:
		if ((uint64_t)ret != rt.brk) {
			ev.type = AVS_EV_BRK;
			ev.u.brk.old_brk = rt.brk;
			ev.u.brk.new_brk = (uint64_t)ret;
			rt.brk = (uint64_t)ret;
			emit(&ev);
		}
		break;
	case SYS_mlock:
	case SYS_mlock2:
		ev.type = AVS_EV_MLOCK;
		ev.u.mlock.start = (uint64_t)a1 & ~4095ULL;
		ev.u.mlock.end = page_align(a1 + a2);	/* do_mlock() */
		ev.u.mlock.flags = nr == SYS_mlock2 ? (uint32_t)a3 & 1 : 0;
		emit(&ev);
		break;
	case SYS_munlock:
		range_event(AVS_EV_MUNLOCK, a1 & ~4095L,
			    (long)(page_align(a1 + a2) - ((uint64_t)a1 & ~4095ULL)),
			    0, 0);
		break;
	case SYS_mlockall:
		ev.type = AVS_EV_MLOCKALL;
		ev.u.mlock.flags = (uint32_t)a1;
		emit(&ev);
		break;
	case SYS_munlockall:
		ev.type = AVS_EV_MUNLOCKALL;
		emit(&ev);
		break;
	case SYS_shmat:
		shmat_event(a1, ret, a3);
		break;
	case SYS_shmdt:
		shmdt_event(a1);
		break;
	default:	/* execve that failed, clone with CLONE_VM */
		break;
	}
	return ret;
}

long avs_rt_syscall(long nr, long a1, long a2, long a3, long a4, long a5,
		    long a6)
{
	long ret;

	if (!avs_sync_on())
		return record_syscall(nr, a1, a2, a3, a4, a5, a6);
	avs_sync_before(nr);	/* in flight until recorded (sync.h) */
	ret = record_syscall(nr, a1, a2, a3, a4, a5, a6);
	avs_sync_after(nr, a1, ret);
	return ret;
}

void avs_rt_runtime_range(uint64_t start, uint64_t end)
{
	avs_seed_runtime_range(start, end);
}

__attribute__((visibility("default"))) void avshadow_checkpoint(const char *label)
{
	struct avs_event ev = { .type = AVS_EV_CHECKPOINT };
	uint32_t n = 0;

	if (!avs_out_on() || !label)
		return;
	while (label[n] && n < 256)
		n++;
	avs_observe_all(rt.pid);
	ev.str = label;
	ev.str_len = n;
	emit(&ev);
	avs_sync_point(AVS_SYNC_CHECKPOINT);
}
