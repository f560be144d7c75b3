/* SPDX-License-Identifier: MIT */
/*
 * The process side of consistent snapshots (sync.h).  The in-flight count
 * lives in this image's trace header, a MAP_SHARED file mapping the
 * launcher reads with pread; a fork child gets a fresh header at the same
 * address, so the count is saturated at zero rather than trusted across
 * the fork.  Sync points connect to the launcher's socket for each wait
 * (no fd is kept: programs close descriptors they do not know).
 */
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include "out.h"
#include "raw.h"
#include "sync.h"

#define CLONE_VM_FLAG 0x100
#define CLONE_VFORK_FLAG 0x4000
#define SYNC_MAGIC 0x73766124u	/* "$avs" */

static struct {
	bool on;
	int pid;			/* the process the sync points are for */
	struct sockaddr_un addr;	/* abstract name, addr_len 0: none */
	unsigned addr_len;
} sy;

void avs_sync_init(int pid)
{
	const char *v = getenv("AVSHADOW_SYNC");	/* constructor */
	unsigned n;

	sy.pid = pid;
	if (!v || !*v)
		return;
	sy.on = true;
	if (v[0] != '@')
		return;
	sy.addr.sun_family = AF_UNIX;
	sy.addr.sun_path[0] = '\0';
	for (n = 1; v[n] && n < sizeof(sy.addr.sun_path); n++)
		sy.addr.sun_path[n] = v[n];
	sy.addr_len = (unsigned)__builtin_offsetof(struct sockaddr_un, sun_path) + n;
}

bool avs_sync_on(void)
{
	return sy.on;
}

static uint64_t *inflight(void)
{
	uint64_t r[2][2];

	avs_out_ranges(r);
	return r[1][0] && avs_out_on() ? (uint64_t *)(uintptr_t)(r[1][0] + 24)
				       : NULL;
}

void avs_sync_enter(void)
{
	uint64_t *c = sy.on ? inflight() : NULL;

	if (c)
		__atomic_fetch_add(c, 1, __ATOMIC_SEQ_CST);
}

void avs_sync_leave(void)
{
	uint64_t *c = sy.on ? inflight() : NULL;
	uint64_t v;

	if (!c)
		return;
	v = __atomic_load_n(c, __ATOMIC_SEQ_CST);
	while (v && !__atomic_compare_exchange_n(c, &v, v - 1, false,
						  __ATOMIC_SEQ_CST,
						  __ATOMIC_SEQ_CST))
		;
}

static bool forks(long nr, long a1)
{
	uint64_t flags;

	if (nr == SYS_fork)
		return true;
	if (nr == SYS_clone)
		flags = (uint64_t)a1;
	else if (nr == SYS_clone3 && a1)
		flags = ((const uint64_t *)a1)[0];
	else
		return false;
	return !(flags & (CLONE_VM_FLAG | CLONE_VFORK_FLAG));
}

void avs_sync_before(long nr)
{
	if (!sy.on)
		return;
	/* before exit_group: the snapshot still sees this process (a vfork
	 * child shares our memory, not our pid: it has no sync point) */
	if (nr == SYS_exit_group && raw0(SYS_getpid) == sy.pid)
		avs_sync_point(AVS_SYNC_EXIT);
	avs_sync_enter();
}

void avs_sync_after(long nr, long a1, long ret)
{
	if (!sy.on)
		return;
	avs_sync_leave();
	if (!forks(nr, a1))
		return;
	if (ret == 0)
		sy.pid = (int)raw0(SYS_getpid);
	else if (ret > 0)
		avs_sync_point(AVS_SYNC_FORK);
}

void avs_sync_point(enum avs_sync_kind kind)
{
	uint32_t msg[4] = { SYNC_MAGIC, (uint32_t)kind, 0, 0 };
	struct timeval tv = { 60, 0 };	/* never hang on a lost launcher */
	char reply;
	long fd, n;

	if (!sy.on || !sy.addr_len || !avs_out_on())
		return;
	msg[2] = (uint32_t)raw0(SYS_getpid);
	fd = raw3(SYS_socket, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	raw6(SYS_setsockopt, fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv), 0);
	if (raw3(SYS_connect, fd, &sy.addr, sy.addr_len) == 0 &&
	    raw3(SYS_write, fd, msg, sizeof(msg)) == (long)sizeof(msg)) {
		/* stop/continue restarts the read; a handler's EINTR does not
		 * end the wait */
		do
			n = raw3(SYS_read, fd, &reply, 1);
		while (n == -4);
	}
	raw1(SYS_close, fd);
}
