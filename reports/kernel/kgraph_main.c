/* SPDX-License-Identifier: MIT */
/* avshadow-kgraph: print the kernel's anon_vma graph of processes. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kgraph.h"

static const char use[] =
	"usage: avshadow-kgraph [--format json|text|raw] PID...\n"
	"Prints the running kernel's anon_vma graph of the processes, as\n"
	"`avshadow graph` prints the shadow's (json, the default), or as text\n"
	"with refcounts, or the BPF iterator's raw lines.  Needs root.\n";

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	enum avs_kgraph_format fmt = AVS_KGRAPH_JSON;
	char err[1024];
	int c, i, n, *pids;

	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (!strcmp(optarg, "json"))
				fmt = AVS_KGRAPH_JSON;
			else if (!strcmp(optarg, "text"))
				fmt = AVS_KGRAPH_TEXT;
			else if (!strcmp(optarg, "raw"))
				fmt = AVS_KGRAPH_RAW;
			else {
				fprintf(stderr, "avshadow-kgraph: unknown format "
					"'%s'\n%s", optarg, use);
				return 2;
			}
			break;
		case 'h':
			fputs(use, stdout);
			return 0;
		default:
			fputs(use, stderr);
			return 2;
		}
	}
	n = argc - optind;
	if (n < 1) {
		fputs(use, stderr);
		return 2;
	}
	pids = calloc((size_t)n, sizeof(*pids));
	if (!pids)
		return 1;
	for (i = 0; i < n; i++) {
		char *end;
		long v = strtol(argv[optind + i], &end, 10);

		if (*end || end == argv[optind + i] || v <= 0 || v > INT_MAX) {
			fprintf(stderr, "avshadow-kgraph: bad pid '%s'\n%s",
				argv[optind + i], use);
			free(pids);
			return 2;
		}
		pids[i] = (int)v;
	}
	if (avs_kgraph_write(pids, (size_t)n, fmt, stdout, err, sizeof(err))) {
		fprintf(stderr, "avshadow-kgraph: %s\n", err);
		free(pids);
		return 1;
	}
	free(pids);
	return fflush(stdout) ? 1 : 0;
}
