/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "tree_stop.h"

#define ATTEMPT_MS 400		/* to settle, per attempt */
#define ATTEMPTS 3
#define INFLIGHT_OFF 24		/* trace header: the in-flight count */
#define FIRST_SIZE_OFF 36	/* the first record's size (0: none yet) */

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_us(long us)
{
	struct timespec ts = { 0, us * 1000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/* The state letter of /proc/.../stat ('\0' if unreadable) and the ppid. */
static char stat_state(const char *path, pid_t *ppid)
{
	char buf[512], *rp;

	if (read_small(path, buf, sizeof(buf)))
		return '\0';
	rp = strrchr(buf, ')');	/* comm may hold ')' and blanks */
	if (!rp || strlen(rp) < 4)
		return '\0';
	if (ppid)
		*ppid = (pid_t)strtol(rp + 4, NULL, 10);
	return rp[2];
}

size_t avs_tree_descendants(pid_t self, pid_t *out, size_t max)
{
	struct pp { pid_t pid, ppid; } *all = NULL;
	size_t n = 0, cap = 0, nout = 0, i;
	bool grew = true;
	struct dirent *de;
	DIR *d = opendir("/proc");

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char path[64], *rp;
		pid_t pid = (pid_t)strtol(de->d_name, &rp, 10), ppid;

		if (*rp || pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
		if (!stat_state(path, &ppid))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			all = realloc(all, cap * sizeof(*all));
			if (!all)
				abort();
		}
		all[n].pid = pid;
		all[n++].ppid = ppid;
	}
	closedir(d);
	/* the tree under self: add children of what is in until stable */
	while (grew) {
		grew = false;
		for (i = 0; i < n; i++) {
			size_t j;
			bool under = all[i].ppid == self, dup = false;

			for (j = 0; j < nout && !under; j++)
				under = all[i].ppid == out[j];
			for (j = 0; j < nout && under && !dup; j++)
				dup = out[j] == all[i].pid;
			if (under && !dup && nout < max) {
				out[nout++] = all[i].pid;
				grew = true;
			}
		}
	}
	free(all);
	return nout;
}

enum run_state { RS_GONE, RS_STOPPED, RS_RUNNING };

/* Stopped means every thread: a group stop reaches threads one by one. */
static enum run_state run_state(pid_t pid)
{
	char path[320];
	struct dirent *de;
	enum run_state rs = RS_STOPPED;
	char s;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	s = stat_state(path, NULL);
	if (!s || s == 'Z' || s == 'X' || s == 'x')
		return RS_GONE;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return RS_GONE;
	while (rs == RS_STOPPED && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/stat", (int)pid,
			 de->d_name);
		s = stat_state(path, NULL);
		if (s && s != 'T' && s != 't' && s != 'Z' && s != 'X')
			rs = RS_RUNNING;
	}
	closedir(d);
	return rs;
}

static uint64_t read_u64(const char *dir, const char *name, off_t off,
			 bool *ok)
{
	char path[4096];
	uint64_t v = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	*ok = fd >= 0 && pread(fd, &v, 8, off) == 8;
	if (fd >= 0)
		close(fd);
	return v;
}

/*
 * Is pid in the middle of recording?  Its newest trace (<pid>-<seq>.trace,
 * highest seq) says so in its in-flight count; a newest trace without a
 * record yet, after an older one, is an exec whose new image has not
 * written its start: the kernel already has the new mm, the trace not.
 */
static bool busy(const char *dir, pid_t pid, bool *traced)
{
	char newest[300] = "";
	unsigned long long best = 0, seq;
	size_t older = 0;
	struct dirent *de;
	bool ok;
	DIR *d = opendir(dir);
	uint64_t v;

	*traced = false;
	if (!d)
		return false;
	while ((de = readdir(d))) {
		int p, len = 0;

		if (sscanf(de->d_name, "%d-%llu.trace%n", &p, &seq, &len) != 2 ||
		    p != pid || de->d_name[len])
			continue;
		if (*newest)
			older++;
		if (!*newest || seq > best) {
			best = seq;
			snprintf(newest, sizeof(newest), "%s", de->d_name);
		}
	}
	closedir(d);
	if (!*newest)
		return false;
	*traced = true;
	v = read_u64(dir, newest, INFLIGHT_OFF, &ok);
	if (ok && v)
		return true;
	v = read_u64(dir, newest, FIRST_SIZE_OFF - 4, &ok);
	return older && (!ok || !(v >> 32));
}

static struct avs_tree_proc *find(struct avs_tree *t, pid_t pid)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->p[i].pid == pid)
			return &t->p[i];
	return NULL;
}

/* Add and stop the descendants not seen yet; returns how many. */
static size_t add_new(struct avs_tree *t)
{
	pid_t pids[4096];
	size_t n = avs_tree_descendants(t->self, pids, 4096), i, added = 0;

	for (i = 0; i < n; i++) {
		struct avs_tree_proc *p;

		if (find(t, pids[i]))
			continue;
		if (t->n == t->cap) {
			t->cap = t->cap ? t->cap * 2 : 64;
			t->p = realloc(t->p, t->cap * sizeof(*t->p));
			if (!t->p)
				abort();
		}
		p = &t->p[t->n++];
		memset(p, 0, sizeof(*p));
		p->pid = pids[i];
		p->state = AVS_TREE_UNSETTLED;
		p->was_stopped = run_state(p->pid) == RS_STOPPED;
		if (!p->was_stopped)
			p->sent_stop = kill(p->pid, SIGSTOP) == 0;
		added++;
	}
	return added;
}

/* Wait for every process to be stopped or gone; false at the deadline. */
static bool wait_stopped(struct avs_tree *t, long long deadline)
{
	for (;;) {
		bool all = true;
		size_t i;

		for (i = 0; i < t->n; i++) {
			enum run_state rs;

			if (t->p[i].state == AVS_TREE_GONE)
				continue;
			rs = run_state(t->p[i].pid);
			if (rs == RS_GONE)
				t->p[i].state = AVS_TREE_GONE;
			else if (rs == RS_RUNNING)
				all = false;
		}
		if (all)
			return true;
		if (now_ms() > deadline)
			return false;
		sleep_us(200);
	}
}

static size_t try_stop(struct avs_tree *t)
{
	long long deadline = now_ms() + ATTEMPT_MS;

	for (;;) {
		size_t i, nbusy = 0;

		add_new(t);
		wait_stopped(t, deadline);
		/* a fork that completed before its parent stopped */
		if (add_new(t))
			continue;
		for (i = 0; i < t->n; i++) {
			struct avs_tree_proc *p = &t->p[i];

			if (p->state == AVS_TREE_GONE)
				continue;
			if (run_state(p->pid) == RS_STOPPED &&
			    !busy(t->dir, p->pid, &p->traced))
				p->state = AVS_TREE_SETTLED;
			else {
				p->state = AVS_TREE_UNSETTLED;
				nbusy++;
			}
		}
		if (!nbusy || now_ms() > deadline)
			return nbusy;
		/* let the ones in flight run out of the runtime */
		for (i = 0; i < t->n; i++)
			if (t->p[i].state == AVS_TREE_UNSETTLED &&
			    t->p[i].sent_stop)
				kill(t->p[i].pid, SIGCONT);
		sleep_us(500);
		for (i = 0; i < t->n; i++)
			if (t->p[i].state == AVS_TREE_UNSETTLED &&
			    t->p[i].sent_stop)
				kill(t->p[i].pid, SIGSTOP);
	}
}

static void cont_all(struct avs_tree *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->p[i].sent_stop && t->p[i].state != AVS_TREE_GONE)
			kill(t->p[i].pid, SIGCONT);
}

size_t avs_tree_stop(struct avs_tree *t)
{
	size_t left = 0;
	int a;

	for (a = 0; a < ATTEMPTS; a++) {
		t->n = 0;
		left = try_stop(t);
		if (!left || a == ATTEMPTS - 1)
			break;
		/* e.g. a vfork parent waits for a child we stopped: let the
		 * tree run a little and start over */
		cont_all(t);
		sleep_us(5000);
	}
	return left;
}

void avs_tree_resume(struct avs_tree *t)
{
	cont_all(t);
	free(t->p);
	t->p = NULL;
	t->n = t->cap = 0;
}
