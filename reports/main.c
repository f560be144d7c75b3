/* SPDX-License-Identifier: MIT */
/* The avshadow command: replay, graph, convert, hazards, run, report,
 * stats. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"

static void usage(FILE *out)
{
	fputs("usage: avshadow COMMAND [OPTIONS] ...\n"
	      "\n"
	      "commands:\n"
	      "  replay [--model M ...] [--check] [--top N] INPUT\n"
	      "      rebuild the shadow from INPUT (a trace or the text form)\n"
	      "      and print a summary of the rmap graph and its walk cost;\n"
	      "      with several --model, one column per rule set\n"
	      "  graph [--model M] [--at LABEL] [--format json|text] INPUT\n"
	      "      print the anon_vma graph at the end, or after the last\n"
	      "      checkpoint named LABEL\n"
	      "  convert --to text|binary INPUT OUTPUT\n"
	      "      convert an event stream between its two forms\n"
	      "  hazards [--model M ...] [--whatif] [--max-replays N]\n"
	      "          [--no-minimize] INPUT\n"
	      "      pages stranded on freed anon_vmas or unreachable by rmap,\n"
	      "      each with the shortest event sequence that shows it;\n"
	      "      --whatif also tries swap-outs and swap-ins where pages\n"
	      "      are shared; status 1 if any hazard is found\n"
	      "  run [-o DIR] [--] PROGRAM [ARGS...]\n"
	      "      run PROGRAM with libavshadow.so preloaded, recording its\n"
	      "      process tree into DIR (default avshadow.PID), then write\n"
	      "      DIR/report.txt; status: PROGRAM's (128+signal if killed),\n"
	      "      2 if it cannot be preloaded (static, set-uid)\n"
	      "  report [--model M ...] [--check] [--top N] DIR|INPUT\n"
	      "      the replay summary of a capture folder (its traces merged\n"
	      "      by seq) or of one INPUT\n"
	      "  stats DIR|INPUT\n"
	      "      JSON: events per kind and per process, inferred, runtime\n"
	      "      and failed ones, files, cut records, truncated files\n"
	      "\n"
	      "M is a rule set: auto (the running kernel's, the default),\n"
	      "linux-6.18, linux-6.0, linux-3.19, linux-3.7, linux-2.6.35,\n"
	      "linux-2.6.34, linux-2.6.34-rc3 or linux-2.6.33.\n"
	      "INPUT may be - for standard input, or a capture folder.\n"
	      "Exit status: 0 ok, 1 a check failed, 2 bad usage or\n"
	      "unreadable input.\n", out);
}

int main(int argc, char **argv)
{
	const char *cmd;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	cmd = argv[1];
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(cmd, "replay"))
		return cmd_replay(argc - 1, argv + 1);
	if (!strcmp(cmd, "graph"))
		return cmd_graph(argc - 1, argv + 1);
	if (!strcmp(cmd, "convert"))
		return cmd_convert(argc - 1, argv + 1);
	if (!strcmp(cmd, "hazards"))
		return cmd_hazards(argc - 1, argv + 1);
	if (!strcmp(cmd, "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(cmd, "report"))
		return cmd_report(argc - 1, argv + 1);
	if (!strcmp(cmd, "stats"))
		return cmd_stats(argc - 1, argv + 1);
	fprintf(stderr, "avshadow: unknown command '%s'\n", cmd);
	usage(stderr);
	return 2;
}
