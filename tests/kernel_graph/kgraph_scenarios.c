/* SPDX-License-Identifier: MIT */
/*
 * kgraph_scenarios: the shadow's anon_vma graph against the kernel's.
 *
 * Each scenario (kgraph_scen_list.c) runs in a process group of its own:
 * P reserves a PROT_NONE region, the scenario's processes do real
 * syscalls and writes in it, write the equivalent avshadow text events to
 * a pipe (real pids and addresses) and stop themselves with SIGSTOP.  The
 * driver then dumps the kernel's graph of the stopped processes with the
 * BPF iterator (avs_kgraph_dump), replays the events into a linux-6.18
 * shadow (invariants checked after every event), restricts both graphs to
 * the stopped processes' VMAs inside the region and compares them up to
 * renaming of anon_vmas (avs_graph_compare).
 *
 * usage: kgraph_scenarios [-v] [-l] [SCENARIO...]
 *   -v  print the events and both graphs of every scenario (they are
 *       always printed for a scenario that disagrees)
 *   -l  list the scenarios
 * Exit: 0 all agree, 1 a divergence or a failure, 2 usage, 77 skipped
 * (not root, no kernel BTF).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>

#include "kgraph_scen.h"
#include "reports/graph.h"
#include "reports/kernel/graph_compare.h"
#include "reports/kernel/kgraph.h"
#include "shadow/event_text.h"
#include "shadow/shadow.h"

#define SCEN_TIMEOUT_MS	15000
#define MAX_STOP	16

static bool opt_verbose;

struct run {
	const struct ks_scenario *sc;
	pid_t leader;
	char *text;			/* the stream */
	size_t len, cap;
	int stopped[MAX_STOP];
	size_t nstopped;
	bool failed;			/* a #F line */
	uint64_t lo, hi;		/* the region */
	unsigned long shadow_problems;
	char *problems;			/* messages, memstream */
	size_t problems_len;
	FILE *pf;
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool is_stopped(int pid)
{
	char path[64], buf[512], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && (p[2] == 'T' || p[2] == 't');
}

/* Look at the lines of the stream added since *scanned. */
static void scan_lines(struct run *r, size_t *scanned)
{
	char *nl;

	while ((nl = memchr(r->text + *scanned, '\n', r->len - *scanned))) {
		char *line = r->text + *scanned;
		unsigned long long lo, hi;
		int pid;

		*nl = '\0';
		if (sscanf(line, "#S %d", &pid) == 1) {
			if (r->nstopped < MAX_STOP)
				r->stopped[r->nstopped++] = pid;
		} else if (!strncmp(line, "#F ", 3)) {
			r->failed = true;
			fprintf(r->pf, "  scenario failed: %s\n", line + 3);
		} else if (sscanf(line, "#R %d 0x%llx 0x%llx", &pid, &lo,
				  &hi) == 3) {
			r->lo = lo;
			r->hi = hi;
		}
		*nl = '\n';
		*scanned = (size_t)(nl - r->text) + 1;
	}
}

static bool all_stopped(const struct run *r)
{
	size_t i;

	if ((int)r->nstopped < r->sc->nstop)
		return false;
	for (i = 0; i < r->nstopped; i++)
		if (!is_stopped(r->stopped[i]))
			return false;
	return true;
}

/* Start the scenario and read its stream until its processes stopped. */
static bool start_and_collect(struct run *r)
{
	long long t0 = now_ms();
	size_t scanned = 0;
	int pfd[2];
	bool eof = false;

	if (pipe2(pfd, O_CLOEXEC)) {
		fprintf(r->pf, "  pipe: %s\n", strerror(errno));
		return false;
	}
	fflush(NULL);
	r->leader = fork();
	if (r->leader < 0) {
		fprintf(r->pf, "  fork: %s\n", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return false;
	}
	if (r->leader == 0) {
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		alarm(KS_PROC_TIMEOUT);
		close(pfd[0]);
		ks_begin(pfd[1]);
		r->sc->fn();
		_exit(0);
	}
	setpgid(r->leader, r->leader);
	close(pfd[1]);
	for (;;) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		int pr = eof ? 0 : poll(&p, 1, 20);

		if (pr > 0) {
			ssize_t n;

			if (r->cap - r->len < 4096) {
				r->cap = r->cap ? r->cap * 2 : 65536;
				r->text = realloc(r->text, r->cap);
				if (!r->text)
					abort();
			}
			n = read(pfd[0], r->text + r->len, r->cap - r->len - 1);
			if (n > 0) {
				r->len += (size_t)n;
				r->text[r->len] = '\0';
				scan_lines(r, &scanned);
				continue;
			}
			if (n == 0)
				eof = true;	/* every writer is gone */
		}
		if (r->failed)
			break;
		if (all_stopped(r))
			break;
		if (eof) {
			fprintf(r->pf, "  the scenario's processes ended before "
				"%d of them stopped\n", r->sc->nstop);
			break;
		}
		if (now_ms() - t0 > SCEN_TIMEOUT_MS) {
			fprintf(r->pf, "  timeout: %zu of %d processes stopped\n",
				r->nstopped, r->sc->nstop);
			break;
		}
		if (eof)
			usleep(20000);
	}
	close(pfd[0]);
	if (!r->text) {
		r->text = strdup("");
		if (!r->text)
			abort();
	}
	return !r->failed && all_stopped(r) && r->hi;
}

static void kill_group(struct run *r)
{
	if (r->leader > 0) {
		kill(-r->leader, SIGKILL);
		/* P, and orphans (we are a subreaper) */
		while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
			;
	}
}

static void diag_cb(void *arg, const char *msg)
{
	struct run *r = arg;

	fprintf(r->pf, "  shadow: %s\n", msg);
}

/* The shadow's graph (JSON) after the stream; NULL on a parse error. */
static char *replay(struct run *r)
{
	struct avs_text_parser *tp = avs_text_parser_new();
	struct avs_shadow *sh = avs_shadow_new(NULL);
	char *line, *next, *copy = strdup(r->text), *doc = NULL;
	size_t doclen = 0;
	unsigned long lineno = 0;
	FILE *f;

	if (!tp || !sh || !copy)
		abort();
	avs_shadow_set_check_each_event(sh, true);
	avs_shadow_set_diag(sh, diag_cb, r);
	for (line = copy; line && *line; line = next) {
		struct avs_event ev;
		int rc;

		lineno++;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (line[0] == '#')
			continue;
		rc = avs_text_parse_line(tp, line, strlen(line), &ev);
		if (rc < 0) {
			fprintf(r->pf, "  event %lu '%s': %s\n", lineno, line,
				avs_text_parser_error(tp));
			r->shadow_problems++;
			continue;
		}
		if (rc == 0)
			continue;
		rc = avs_shadow_apply(sh, &ev);
		if (rc) {
			fprintf(r->pf, "  event %lu '%s': %s%s\n", lineno, line,
				rc < 0 ? "INVARIANT BROKEN: " : "did not fit: ",
				avs_shadow_last_warning(sh));
			r->shadow_problems++;
		}
	}
	f = open_memstream(&doc, &doclen);
	if (!f)
		abort();
	avs_graph_json(sh, f);
	fclose(f);
	free(copy);
	avs_text_parser_free(tp);
	avs_shadow_free(sh);
	return doc;
}

/* A filtered graph document as text, addresses as region offsets. */
static void print_graph(const char *json, uint64_t base, FILE *out)
{
	json_object *root = json_tokener_parse(json), *procs, *avs;
	size_t i, j, k;

	if (!root || !json_object_object_get_ex(root, "processes", &procs) ||
	    !json_object_object_get_ex(root, "anon_vmas", &avs)) {
		fprintf(out, "      (unreadable)\n");
		json_object_put(root);
		return;
	}
	for (i = 0; i < json_object_array_length(procs); i++) {
		json_object *p = json_object_array_get_idx(procs, i), *pid, *vs;

		json_object_object_get_ex(p, "pid", &pid);
		json_object_object_get_ex(p, "vmas", &vs);
		for (j = 0; j < json_object_array_length(vs); j++) {
			json_object *v = json_object_array_get_idx(vs, j), *x;
			json_object *ch;
			uint64_t s, e;

			json_object_object_get_ex(v, "start", &x);
			s = strtoull(json_object_get_string(x), NULL, 16);
			json_object_object_get_ex(v, "end", &x);
			e = strtoull(json_object_get_string(x), NULL, 16);
			fprintf(out, "      pid %d R+0x%" PRIx64 "-R+0x%" PRIx64,
				json_object_get_int(pid), s - base, e - base);
			json_object_object_get_ex(v, "perms", &x);
			fprintf(out, " %s", json_object_get_string(x));
			json_object_object_get_ex(v, "pgoff", &x);
			fprintf(out, " pgoff=0x%" PRIx64,
				(uint64_t)json_object_get_int64(x));
			json_object_object_get_ex(v, "anon_vma", &x);
			fprintf(out, " %s [", x ? json_object_get_string(x) : "-");
			json_object_object_get_ex(v, "chain", &ch);
			for (k = 0; k < json_object_array_length(ch); k++)
				fprintf(out, "%s%s", k ? " " : "",
					json_object_get_string(
						json_object_array_get_idx(ch, k)));
			fprintf(out, "]\n");
		}
	}
	for (i = 0; i < json_object_array_length(avs); i++) {
		json_object *a = json_object_array_get_idx(avs, i), *x;

		json_object_object_get_ex(a, "id", &x);
		fprintf(out, "      %s", json_object_get_string(x));
		json_object_object_get_ex(a, "root", &x);
		fprintf(out, " root=%s", json_object_get_string(x));
		json_object_object_get_ex(a, "parent", &x);
		fprintf(out, " parent=%s", json_object_get_string(x));
		json_object_object_get_ex(a, "num_children", &x);
		fprintf(out, " nc=%d", json_object_get_int(x));
		json_object_object_get_ex(a, "num_active_vmas", &x);
		fprintf(out, " na=%d\n", json_object_get_int(x));
	}
	json_object_put(root);
}

static void print_events(const struct run *r, FILE *out)
{
	const char *line = r->text;

	while (line && *line) {
		const char *nl = strchr(line, '\n');
		int n = (int)(nl ? nl - line : (long)strlen(line));

		if (line[0] != '#')
			fprintf(out, "      %.*s\n", n, line);
		line = nl ? nl + 1 : NULL;
	}
}

static int int_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static bool run_scenario(const struct ks_scenario *sc)
{
	struct run r = { .sc = sc };
	char *kdoc = NULL, *sdoc = NULL, *kf = NULL, *sf = NULL, err[1024];
	char *cmp = NULL;
	size_t klen = 0, cmplen = 0, i;
	struct avs_graph_agreement ag;
	int ndiv = -1;
	bool ok = false, collected;
	FILE *f;

	r.pf = open_memstream(&r.problems, &r.problems_len);
	if (!r.pf)
		abort();
	printf("%s: %s\n", sc->name, sc->what);
	collected = start_and_collect(&r);
	qsort(r.stopped, r.nstopped, sizeof(r.stopped[0]), int_cmp);
	if (collected) {
		f = open_memstream(&kdoc, &klen);
		if (!f)
			abort();
		if (avs_kgraph_dump(r.stopped, r.nstopped, f, err, sizeof(err))) {
			fprintf(r.pf, "  kernel graph: %s\n", err);
			collected = false;
		}
		fclose(f);
	}
	kill_group(&r);
	if (collected) {
		sdoc = replay(&r);
		kf = avs_graph_filter(kdoc, r.stopped, r.nstopped, r.lo, r.hi,
				      err, sizeof(err));
		if (!kf)
			fprintf(r.pf, "  kernel graph: %s\n", err);
		sf = avs_graph_filter(sdoc, r.stopped, r.nstopped, r.lo, r.hi,
				      err, sizeof(err));
		if (!sf)
			fprintf(r.pf, "  shadow graph: %s\n", err);
	}
	if (kf && sf) {
		f = open_memstream(&cmp, &cmplen);
		if (!f)
			abort();
		ndiv = avs_graph_compare(sf, kf, "shadow", "kernel", f, &ag);
		fclose(f);
		ok = ndiv == 0 && !r.shadow_problems;
	}
	fclose(r.pf);
	printf("  pids");
	for (i = 0; i < r.nstopped; i++)
		printf(" %d", r.stopped[i]);
	printf(", region R=0x%" PRIx64 "-0x%" PRIx64 "\n", r.lo, r.hi);
	if (cmp) {
		const char *line = cmp;

		while (line && *line) {
			const char *nl = strchr(line, '\n');

			printf("  %s%.*s\n", strncmp(line, "agree:", 6) &&
			       strncmp(line, "note:", 5) ? "DIVERGENCE " : "",
			       (int)(nl ? nl - line : (long)strlen(line)), line);
			line = nl ? nl + 1 : NULL;
		}
	}
	fputs(r.problems, stdout);
	if (!ok || opt_verbose) {
		printf("    events:\n");
		print_events(&r, stdout);
		if (sf) {
			printf("    shadow graph:\n");
			print_graph(sf, r.lo, stdout);
		}
		if (kf) {
			printf("    kernel graph:\n");
			print_graph(kf, r.lo, stdout);
		}
	}
	printf("  %s\n", ok ? "ok" : ndiv > 0 ? "DISAGREE" : "FAILED");
	fflush(stdout);
	free(cmp);
	free(kf);
	free(sf);
	free(kdoc);
	free(sdoc);
	free(r.text);
	free(r.problems);
	return ok;
}

int main(int argc, char **argv)
{
	struct utsname u;
	bool any_fail = false;
	unsigned i, ran = 0;
	int c, a;

	while ((c = getopt(argc, argv, "vl")) != -1) {
		switch (c) {
		case 'v':
			opt_verbose = true;
			break;
		case 'l':
			for (i = 0; i < ks_nr_scenarios; i++)
				printf("%-18s %s\n", ks_scenarios[i].name,
				       ks_scenarios[i].what);
			return 0;
		default:
			fprintf(stderr, "usage: %s [-v] [-l] [SCENARIO...]\n",
				argv[0]);
			return 2;
		}
	}
	for (a = optind; a < argc; a++) {
		for (i = 0; i < ks_nr_scenarios; i++)
			if (!strcmp(argv[a], ks_scenarios[i].name))
				break;
		if (i == ks_nr_scenarios) {
			fprintf(stderr, "kgraph-scenarios: no scenario '%s' (-l)\n",
				argv[a]);
			return 2;
		}
	}
	if (geteuid() != 0) {
		printf("kgraph-scenarios: skipped: needs root (BPF iterator)\n");
		return 77;
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		printf("kgraph-scenarios: skipped: no kernel BTF\n");
		return 77;
	}
	uname(&u);
	printf("kgraph-scenarios: shadow (linux-6.18 rules) vs kernel %s\n",
	       u.release);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	for (i = 0; i < ks_nr_scenarios; i++) {
		bool chosen = optind == argc;

		for (a = optind; a < argc && !chosen; a++)
			chosen = !strcmp(argv[a], ks_scenarios[i].name);
		if (!chosen)
			continue;
		ran++;
		if (!run_scenario(&ks_scenarios[i]))
			any_fail = true;
	}
	printf("kgraph-scenarios: %u scenarios, %s\n", ran,
	       any_fail ? "DISAGREEMENTS" : "all agree");
	return any_fail ? 1 : 0;
}
