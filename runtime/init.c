/* SPDX-License-Identifier: MIT */
/*
 * The constructor of libavshadow.so: open this process's trace, rewrite
 * the syscall sites of libc and ld.so, then record where the process
 * stands (start + VMA seeds).  If anything fails the program runs on,
 * unrecorded, after one line on stderr.
 */
#include <stdlib.h>
#include <sys/syscall.h>
#include "interpose/interpose.h"
#include "out.h"
#include "raw.h"
#include "strbuf.h"
#include "record.h"
#include "seed.h"
#include "observe.h"
#include "env_restore.h"
#include "sync.h"
#include "stack.h"

static void say(const char *a, const char *b)
{
	const char *s[3] = { "avshadow: ", a, b };
	unsigned i, n;

	for (i = 0; i < 3; i++) {
		for (n = 0; s[i] && s[i][n]; n++)
			;
		if (n)
			raw3(SYS_write, 2, s[i], n);
	}
	raw3(SYS_write, 2, "\n", 1);
}

static const char *errname(long err)
{
	switch (err) {
	case -13: return "permission denied";
	case -17: return "trace file exists";
	case -28: return "no space left on device";
	case -30: return "read-only file system";
	case -2: return "folder not found";
	default: return "cannot open the output";
	}
}

__attribute__((constructor)) static void avs_init(void)
{
	const char *dir = getenv("AVSHADOW_OUT");
	char defdir[64], msg[256];
	int pid = (int)raw0(SYS_getpid);
	long err;

	if (!dir || !*dir) {
		/* default folder avshadow.<pid>; exec'd children inherit it */
		long n = avs_str_copy(defdir, "avshadow.", sizeof(defdir));

		avs_put_u64(defdir + n, (uint64_t)pid);
		setenv("AVSHADOW_OUT", defdir, 1);	/* constructor: malloc ok */
		dir = defdir;
	}
	avs_rec_reset(pid);
	avs_env_init(dir);
	err = avs_out_open(dir, pid);
	if (err) {
		say("not recording: ", errname(err));
		return;
	}
	avs_sync_init(pid);
	avs_sync_enter();	/* until the seeds are written */
	msg[0] = '\0';
	/* silent unless patching failed or AVSHADOW_VERBOSE is set: the
	 * program's stderr is its own */
	if ((avs_ip_patch_all(msg, sizeof(msg)) <= 0 ||
	     getenv("AVSHADOW_VERBOSE")) && msg[0])
		say(msg, "");
	avs_observe_init();
	avs_seed_process(pid, (int)raw0(SYS_getppid));
	/* after the seeds: what loading the unwinder maps is recorded, as
	 * the runtime's */
	if (avs_stack_init(msg, sizeof(msg)))
		say(msg, "");
	avs_sync_leave();
}
