/* SPDX-License-Identifier: MIT */
/*
 * A test preload library: interpose/ + fake_runtime.c + this file, for
 * preload_smoke.sh.  Its constructor patches libc and ld.so and writes the
 * marker write(-1,"AVS_MARK",8).  Counts are appended as lines
 * "counts PID nr=N ..." to the file $AVS_IP_COUNTS (taken and zeroed, so
 * the lines of all images add up): before every execve, execveat and
 * exit_group (an image that execs or _exits has no destructor), and in
 * the destructor, which first writes write(-1,"AVS_END",7) and stops
 * counting.  $AVS_IP_VERBOSE=1 prints the patch message on stderr.
 * Built with -mgeneral-regs-only; the flush runs inside the stub.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "interpose/interpose.h"
#include "interpose/raw.h"
#include "tests/interpose/fake_runtime.h"

static char g_path[512];

static size_t put_dec(char *b, long v)
{
	char t[24];
	size_t n = 0, k = 0;
	if (v < 0) {
		b[k++] = '-';
		v = -v;
	}
	do
		t[n++] = (char)('0' + v % 10);
	while ((v /= 10) && n < sizeof(t));
	while (n)
		b[k++] = t[--n];
	return k;
}

/* async-signal-safe: raw syscalls, no stdio */
static void flush_counts(void)
{
	if (!g_path[0])
		return;
	char line[4096];
	size_t len = 0;
	memcpy(line, "counts ", 7);
	len = 7 + put_dec(line + 7, avs_ip_raw(SYS_getpid, 0, 0, 0));
	for (int i = 0; i < FAKE_NR_MAX && len < sizeof(line) - 48; i++) {
		long c = fake_take(i);
		if (!c)
			continue;
		line[len++] = ' ';
		len += put_dec(line + len, i);
		line[len++] = '=';
		len += put_dec(line + len, c);
	}
	line[len++] = '\n';
	long fd = avs_ip_raw(SYS_open, g_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
			     0600);
	if (fd >= 0) {
		avs_ip_raw(SYS_write, fd, line, len);
		avs_ip_raw(SYS_close, fd, 0, 0);
	}
}

static long g_pid;

__attribute__((constructor(200))) static void ip_test_init(void)
{
	char msg[1024];
	int n = avs_ip_patch_all(msg, sizeof(msg));
	const char *v = getenv("AVS_IP_VERBOSE");
	if (v && *v == '1')
		fprintf(stderr, "[%d] %d: %s\n", (int)getpid(), n, msg);
	const char *p = getenv("AVS_IP_COUNTS");
	if (p && strlen(p) < sizeof(g_path))
		strcpy(g_path, p);
	g_pid = avs_ip_raw(SYS_getpid, 0, 0, 0);
	fake_reset();
	fake_flush_hook = flush_counts;
	avs_ip_raw(SYS_write, -1, "AVS_MARK", 8);
}

__attribute__((destructor(200))) static void ip_test_fini(void)
{
	if (avs_ip_raw(SYS_getpid, 0, 0, 0) != g_pid)
		return; /* a fork child calling exit(): its parent flushes */
	avs_ip_raw(SYS_write, -1, "AVS_END", 7);
	fake_stop();
	flush_counts();
}
