/* SPDX-License-Identifier: MIT */
/*
 * avshadow report: the report of a capture folder (its traces merged by
 * seq), a binary trace or the text form, as text, JSON, a Graphviz picture
 * of the graph (DOT or SVG) or folded stacks for flame graphs.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "commands.h"
#include "report.h"

extern char **environ;

int avs_report_path(const char *path, const struct avs_report_opts *o,
		    FILE *out, FILE *warn)
{
	struct avs_report_request rq = { .o = *o, .format = AVS_FMT_TEXT };
	struct avs_report *r;
	int status;

	r = avs_report_build(path, &rq, warn, &status);
	if (!r)
		return status;
	avs_report_print_text(r, out);
	avs_report_free(r);
	return status;
}

int avs_report_json_file(const char *input, const char *path, FILE *warn)
{
	struct avs_report_request rq = { .o.top = 10, .format = AVS_FMT_JSON };
	struct avs_report *r;
	int status;
	FILE *f;

	r = avs_report_build(input, &rq, NULL, &status);
	if (!r)
		return status;
	f = fopen(path, "w");
	if (!f || avs_report_print_json(r, f) < 0 || fclose(f)) {
		if (warn)
			fprintf(warn, "avshadow: %s: %s\n", path, strerror(errno));
		status = 2;
	}
	avs_report_free(r);
	return status;
}

/* DOT through Graphviz's dot into SVG on out. */
static int render_svg(const char *doc, FILE *out)
{
	char tmp[] = "/tmp/avshadow-dot-XXXXXX";
	char *argv[] = { "dot", "-Tsvg", NULL };
	posix_spawn_file_actions_t fa;
	int fd = mkstemp(tmp), ret, st;
	size_t len = strlen(doc);
	pid_t pid;

	if (fd < 0 || write(fd, doc, len) != (ssize_t)len) {
		fprintf(stderr, "avshadow: %s: %s\n", tmp, strerror(errno));
		if (fd >= 0)
			close(fd), unlink(tmp);
		return 2;
	}
	close(fd);
	fflush(out);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, tmp, O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fileno(out), 1);
	ret = posix_spawnp(&pid, "dot", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (ret) {
		unlink(tmp);
		fprintf(stderr, "avshadow: --format svg needs Graphviz's dot "
			"(Debian package graphviz): %s; --format dot writes "
			"the graph for it\n", strerror(ret));
		return 2;
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	unlink(tmp);
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "avshadow: dot failed to render the graph\n");
		return 2;
	}
	return 0;
}

static int parse_format(const char *s, enum avs_report_format *f)
{
	static const char *const names[] = { "text", "json", "dot", "svg",
					     "folded" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i])) {
			*f = (enum avs_report_format)i;
			return 0;
		}
	return -1;
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "check", no_argument, NULL, 'c' },
		{ "top", required_argument, NULL, 't' },
		{ "model", required_argument, NULL, 'm' },
		{ "at-end", no_argument, NULL, 'e' },
		{ "at", required_argument, NULL, 'a' },
		{ "format", required_argument, NULL, 'f' },
		{ 0 }
	};
	static const char usage[] =
		"usage: avshadow report [--model M ...] [--check] [--top N] "
		"[--at-end | --at LABEL]\n"
		"                       [--format text|json|dot|svg|folded] "
		"DIR|INPUT\n";
	struct avs_report_request rq = { .o.top = 10, .progress = true };
	struct avs_report *r;
	char *end;
	int c, status;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			rq.o.check = true;
			break;
		case 'e':
			rq.o.at_end = true;
			break;
		case 'a':
			rq.at_label = optarg;
			break;
		case 'f':
			if (parse_format(optarg, &rq.format)) {
				fprintf(stderr, "avshadow report: unknown format "
					"'%s'\n%s", optarg, usage);
				return 2;
			}
			break;
		case 't':
			rq.o.top = (unsigned)strtoul(optarg, &end, 10);
			if (!*optarg || *end) {
				fprintf(stderr, "avshadow: bad --top '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'm':
			if (rq.o.nmodels == AVS_REPORT_MAX_MODELS) {
				fprintf(stderr, "avshadow: at most %d models\n",
					AVS_REPORT_MAX_MODELS);
				return 2;
			}
			rq.o.models[rq.o.nmodels++] = optarg;
			break;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind != argc - 1 || (rq.at_label && rq.o.at_end)) {
		fputs(usage, stderr);
		return 2;
	}
	r = avs_report_build(argv[optind], &rq, stderr, &status);
	if (!r)
		return status;
	switch (rq.format) {
	case AVS_FMT_TEXT:
		avs_report_print_text(r, stdout);
		break;
	case AVS_FMT_JSON:
		if (avs_report_print_json(r, stdout) < 0)
			status = 2;
		break;
	case AVS_FMT_DOT:
		fputs(r->dot, stdout);
		break;
	case AVS_FMT_SVG:
		if (render_svg(r->dot, stdout))
			status = 2;
		break;
	case AVS_FMT_FOLDED:
		avs_report_print_folded(r, stdout);
		break;
	}
	avs_report_free(r);
	return status;
}
