/* SPDX-License-Identifier: MIT */
/*
 * avshadow run [-o DIR] -- PROGRAM ARGS...: record a process tree.
 *
 * The launcher (docs/CAPTURE.md): makes the capture folder, starts PROGRAM
 * with libavshadow.so preloaded (AVSHADOW_OUT=DIR), is the child subreaper
 * of the whole tree so every descendant, orphaned or not, is reaped here;
 * for each reaped pid it appends `exit PID status=S` to DIR/exits.trace
 * with the next seq of DIR/seq (status: the exit code, or minus the
 * signal).  At the end it builds the shadow from the folder into
 * DIR/report.txt.  Its status is PROGRAM's (128 + signal if killed).
 *
 * Programs the loader will not preload into are refused before anything
 * runs, with status 2: statically linked (no PT_INTERP), set-uid/set-gid
 * or with file capabilities (secure execution ignores LD_PRELOAD of a
 * non-system path), another ELF class or machine than libavshadow.so.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>
#include "capture_report.h"
#include "report.h"
#include "preload_check.h"
#include "commands.h"
#include "shadow/event_bin.h"
#include "trace_dir.h"
#include "launcher.h"
#include "tree_stop.h"

#define LIB_NAME "libavshadow.so"
#define EXITS_NAME "exits.trace"
#define SEQ_NAME "seq"
#define REPORT_NAME "report.txt"

static const char usage_text[] =
	"usage: avshadow run [-o DIR] [--checkpoint-signal] "
	"[--checkpoint-every SEC] [--] PROGRAM [ARGS...]\n";
static const char help_text[] =
	"  -o DIR                 the capture folder (default avshadow.PID)\n"
	"  --checkpoint-signal    on SIGUSR1 to avshadow, checkpoint the tree\n"
	"  --checkpoint-every SEC checkpoint the tree every SEC seconds\n"
	"A launcher checkpoint stops the tree where its traces agree with the\n"
	"kernel, records `checkpoint PID launcher.N` for every recorded\n"
	"process, saves its /proc/PID/maps as DIR/maps/PID-launcher.N.maps,\n"
	"then resumes it (docs/CAPTURE.md, \"Stopping the tree\").\n";


/* ---- the capture folder ---- */

static bool dir_empty(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	bool empty = true;

	if (!d)
		return false;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			empty = false;
	closedir(d);
	return empty;
}

static int make_dir(struct avs_launch *l, const char *dir)
{
	struct stat sb;

	if (!stat(dir, &sb)) {
		if (!S_ISDIR(sb.st_mode)) {
			fprintf(stderr, "avshadow: %s exists and is not a "
				"folder\n", dir);
			return -1;
		}
		if (!dir_empty(dir)) {
			fprintf(stderr, "avshadow: %s exists and is not empty: "
				"name another folder with -o\n", dir);
			return -1;
		}
	} else if (mkdir(dir, 0700)) {
		fprintf(stderr, "avshadow: cannot create %s: %s\n", dir,
			strerror(errno));
		return -1;
	} else {
		l->made_dir = true;
	}
	if (!realpath(dir, l->dir)) {
		fprintf(stderr, "avshadow: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	return 0;
}

static int open_in(const struct avs_launch *l, const char *name, int flags)
{
	char path[PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/%s", l->dir, name);
	return open(path, flags | O_CLOEXEC | O_NOFOLLOW, 0600);
}

/*
 * DIR/seq, created as 0 if absent.  Like the recorder (runtime/out.c), a
 * seq is the counter's value after the increment: the first is 1, and 0
 * stays "unknown".
 */
static int map_seq(struct avs_launch *l)
{
	struct stat sb;
	void *p;
	int fd;

	fd = open_in(l, SEQ_NAME, O_RDWR | O_CREAT);
	if (fd < 0 || fstat(fd, &sb))
		goto fail;
	if (sb.st_size < 8 && ftruncate(fd, 8))
		goto fail;
	p = mmap(NULL, 8, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		goto fail;
	close(fd);
	l->seq = p;
	return 0;
fail:
	fprintf(stderr, "avshadow: %s/%s: %s\n", l->dir, SEQ_NAME,
		strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

static int open_exits(struct avs_launch *l)
{
	unsigned char hdr[AVS_TRACE_HEADER_SIZE];

	l->exits_fd = open_in(l, EXITS_NAME, O_WRONLY | O_CREAT | O_EXCL |
			      O_APPEND);
	avs_trace_header_init(hdr);
	if (l->exits_fd < 0 || write(l->exits_fd, hdr, sizeof(hdr)) !=
	    (ssize_t)sizeof(hdr)) {
		fprintf(stderr, "avshadow: %s/%s: %s\n", l->dir, EXITS_NAME,
			strerror(errno));
		return -1;
	}
	return 0;
}

/* Leave no trace of a run that never started the program. */
static void remove_capture(struct avs_launch *l)
{
	char path[PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/%s", l->dir, SEQ_NAME);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%s", l->dir, EXITS_NAME);
	unlink(path);
	if (l->made_dir)
		rmdir(l->dir);
}

static void record_exit(struct avs_launch *l, pid_t pid, int status)
{
	struct avs_event ev = { .type = AVS_EV_EXIT, .pid = (uint32_t)pid };
	unsigned char rec[64];
	size_t n;

	ev.seq = __atomic_fetch_add(l->seq, 1, __ATOMIC_SEQ_CST) + 1;
	ev.u.exit.status = WIFEXITED(status) ? WEXITSTATUS(status) :
			   WIFSIGNALED(status) ? -WTERMSIG(status) : 0;
	n = avs_event_encode(&ev, rec, sizeof(rec));
	if (l->exits_failed || (n && write(l->exits_fd, rec, n) == (ssize_t)n))
		return;
	l->exits_failed = true;
	fprintf(stderr, "avshadow: warning: cannot record exits in %s/%s: "
		"%s\n", l->dir, EXITS_NAME, strerror(errno));
}

/* ---- the process tree ---- */

static void signal_tree(pid_t self, int sig)
{
	pid_t pids[4096];
	size_t n = avs_tree_descendants(self, pids, 4096), i;

	for (i = 0; i < n; i++)
		kill(pids[i], sig);
}

/*
 * Wait until no descendant is left, recording each exit.  Signals to stop
 * go to the program while it runs (unless the terminal already sent them
 * to its process group), then to whatever is left, SIGKILL the 3rd time.
 */
static int reap_all(struct avs_launch *l, const sigset_t *set,
		    const char *prog)
{
	pid_t self = getpid(), left;
	int prog_status = 0, stops = 0;
	bool prog_done = false;
	struct timespec last;

	clock_gettime(CLOCK_MONOTONIC, &last);
	for (;;) {
		struct timespec ts = { 1, 0 }, now;
		siginfo_t si;
		int status, sig;
		pid_t pid;

		while ((pid = waitpid(-1, &status, WNOHANG | __WALL)) > 0) {
			record_exit(l, pid, status);
			if (pid != l->child)
				continue;
			prog_done = true;
			prog_status = status;
			if (avs_tree_descendants(self, &left, 1))
				fprintf(stderr, "avshadow: %s has ended; waiting "
					"for its remaining descendants (interrupt "
					"avshadow to stop them)\n", prog);
		}
		if (pid < 0 && errno == ECHILD)
			break;
		if (l->tick_ms)
			ts = (struct timespec){ l->tick_ms / 1000,
						(l->tick_ms % 1000) * 1000000 };
		sig = sigtimedwait(set, &si, &ts);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (l->on_event && l->tick_ms &&
		    (now.tv_sec - last.tv_sec) * 1000 +
		    (now.tv_nsec - last.tv_nsec) / 1000000 >= l->tick_ms) {
			last = now;
			l->on_event(l, 0);
		}
		if (sig > 0 && (sig == l->sigs[0] || sig == l->sigs[1])) {
			if (l->on_event)
				l->on_event(l, sig);
			continue;
		}
		if (sig <= 0 || sig == SIGCHLD)
			continue;
		if (!prog_done) {
			/* Ctrl-C from the terminal reached the whole group */
			if (si.si_code != SI_KERNEL ||
			    getpgid(l->child) != getpgrp())
				kill(l->child, sig);
			continue;
		}
		stops++;
		signal_tree(self, stops >= 3 ? SIGKILL : sig);
	}
	if (WIFSIGNALED(prog_status))
		return 128 + WTERMSIG(prog_status);
	return WEXITSTATUS(prog_status);
}

/* ---- the end: the report ---- */

/* Is there a trace file other than the launcher's exits? */
static bool recorded_anything(const struct avs_launch *l)
{
	DIR *d = opendir(l->dir);
	struct dirent *de;
	bool any = false;

	if (!d)
		return true;	/* the report will say what is wrong */
	while ((de = readdir(d)) && !any) {
		size_t n = strlen(de->d_name);

		any = n > 6 && !strcmp(de->d_name + n - 6, ".trace") &&
		      strcmp(de->d_name, EXITS_NAME);
	}
	closedir(d);
	return any;
}

static void write_report(struct avs_launch *l)
{
	struct avs_report_opts o = { .top = 10 };
	char path[PATH_MAX + 32];
	FILE *f;
	int ret;

	if (!recorded_anything(l))
		fprintf(stderr, "avshadow: warning: nothing was recorded: the "
			"program did not load %s, or it could not record\n",
			LIB_NAME);
	snprintf(path, sizeof(path), "%s/%s", l->dir, REPORT_NAME);
	f = fopen(path, "wx");
	if (!f) {
		fprintf(stderr, "avshadow: %s: %s\n", path, strerror(errno));
		fprintf(stderr, "avshadow: capture in %s\n", l->dir);
		return;
	}
	ret = avs_report_path(l->dir, &o, f, stderr);
	if (fclose(f)) {
		fprintf(stderr, "avshadow: %s: %s\n", path, strerror(errno));
		ret = 2;
	}
	if (ret < 2) {	/* and as JSON (docs/REPORTS.md) */
		char json[PATH_MAX + 32];

		snprintf(json, sizeof(json), "%s/report.json", l->dir);
		if (avs_report_json_file(l->dir, json, stderr) == 2)
			ret = 2;
	}
	if (ret < 2)
		fprintf(stderr, "avshadow: capture in %s, report in %s\n",
			l->dir, path);
	else
		fprintf(stderr, "avshadow: capture in %s (no complete report)\n",
			l->dir);
}

/* ---- run ---- */

static int start_program(struct avs_launch *l, const char *path, char **argv,
			 const sigset_t *oldmask)
{
	pid_t parent = getpid();
	int pfd[2], e = 0;
	ssize_t n;

	if (pipe2(pfd, O_CLOEXEC)) {
		fprintf(stderr, "avshadow: pipe: %s\n", strerror(errno));
		return -1;
	}
	l->child = fork();
	if (l->child < 0) {
		fprintf(stderr, "avshadow: fork: %s\n", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (l->child == 0) {
		close(pfd[0]);
		/* never outlive the launcher */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		sigprocmask(SIG_SETMASK, oldmask, NULL);
		execv(path, argv);
		e = errno;
		if (write(pfd[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(pfd[1]);
	do
		n = read(pfd[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(pfd[0]);
	if (n == (ssize_t)sizeof(e)) {
		int status;

		fprintf(stderr, "avshadow: cannot run %s: %s\n", path,
			strerror(e));
		while (waitpid(l->child, &status, 0) < 0 && errno == EINTR)
			;
		return e == ENOENT ? -127 : -126;
	}
	return 0;
}

static int set_env(const struct avs_launch *l, const char *lib)
{
	const char *old = getenv("LD_PRELOAD");
	char *v;
	int ret;

	if (old && *old) {
		if (asprintf(&v, "%s:%s", lib, old) < 0)
			return -1;
	} else if (!(v = strdup(lib))) {
		return -1;
	}
	ret = setenv("LD_PRELOAD", v, 1) || setenv("AVSHADOW_OUT", l->dir, 1) ||
	      (l->sync ? setenv("AVSHADOW_SYNC", l->sync, 1)
		       : unsetenv("AVSHADOW_SYNC"));
	free(v);
	return ret ? -1 : 0;
}

int avs_launch_run(struct avs_launch *l)
{
	static const int fwd[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	char lib[PATH_MAX], prog[PATH_MAX], defdir[64], why[256];
	const char *outdir = l->outdir, *no;
	sigset_t set, oldmask;
	int ret;
	size_t i;

	l->exits_fd = -1;
	if (avs_find_lib(lib, sizeof(lib)))
		return 2;
	if (avs_resolve_program(l->argv[0], prog, sizeof(prog))) {
		fprintf(stderr, "avshadow: %s: command not found\n",
			l->argv[0]);
		return 127;
	}
	no = avs_why_not_preloadable(prog, lib, 0, why, sizeof(why));
	if (no) {
		fprintf(stderr, "avshadow: %s cannot be preloaded: %s; nothing "
			"would be recorded, not running it\n", prog, no);
		return 2;
	}
	if (!outdir) {
		snprintf(defdir, sizeof(defdir), "avshadow.%d", (int)getpid());
		outdir = defdir;
	}
	if (make_dir(l, outdir))
		return 2;
	if (map_seq(l) || open_exits(l) || set_env(l, lib) ||
	    (l->on_ready && l->on_ready(l))) {
		if (l->seq)
			munmap(l->seq, 8);
		if (l->exits_fd >= 0)
			close(l->exits_fd);
		remove_capture(l);
		return 2;
	}

	/* signals: taken synchronously by reap_all, default in the child */
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	for (i = 0; i < sizeof(fwd) / sizeof(fwd[0]); i++)
		sigaddset(&set, fwd[i]);
	for (i = 0; i < 2; i++)
		if (l->sigs[i])
			sigaddset(&set, l->sigs[i]);
	sigprocmask(SIG_BLOCK, &set, &oldmask);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1))
		fprintf(stderr, "avshadow: warning: cannot become the child "
			"subreaper (%s): orphaned processes will not be "
			"reaped here\n", strerror(errno));

	ret = start_program(l, prog, l->argv, &oldmask);
	if (ret < 0) {
		/* reap the failed child; nothing ran */
		while (waitpid(-1, NULL, WNOHANG | __WALL) > 0)
			;
		sigprocmask(SIG_SETMASK, &oldmask, NULL);
		munmap(l->seq, 8);
		close(l->exits_fd);
		remove_capture(l);
		return ret == -127 ? 127 : ret == -126 ? 126 : 2;
	}
	ret = reap_all(l, &set, l->argv[0]);
	sigprocmask(SIG_SETMASK, &oldmask, NULL);
	munmap(l->seq, 8);
	l->seq = NULL;
	close(l->exits_fd);
	if (!l->no_report)
		write_report(l);
	return ret;
}

static void run_checkpoint(struct avs_launch *l, int sig)
{
	(void)sig;
	avs_launch_checkpoint(l, l->arg);
}

int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "checkpoint-signal", no_argument, NULL, 's' },
		{ "checkpoint-every", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct avs_launch_checkpoints cp = { .fd = -1 };
	struct avs_launch l = { .arg = &cp };
	double every = 0;
	char *end;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			l.outdir = optarg;
			break;
		case 's':
			l.sigs[0] = SIGUSR1;
			break;
		case 'e':
			every = strtod(optarg, &end);
			if (*end || !(every >= 0.01 && every <= 86400)) {
				fprintf(stderr, "avshadow run: bad --checkpoint-every "
					"'%s' (seconds, 0.01 to 86400)\n", optarg);
				return 2;
			}
			l.tick_ms = (long)(every * 1000);
			break;
		case 'h':
			fputs(usage_text, stdout);
			fputs(help_text, stdout);
			return 0;
		default:
			fputs(usage_text, stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		fputs(usage_text, stderr);
		return 2;
	}
	l.argv = argv + optind;
	if (l.sigs[0] || l.tick_ms) {
		l.sync = "inflight";
		l.on_event = run_checkpoint;
	}
	c = avs_launch_run(&l);
	if (cp.fd >= 0)
		close(cp.fd);
	return c;
}
