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
	      "      2 if it cannot be preloaded (static, set-uid);\n"
	      "      --checkpoint-signal (SIGUSR1) or --checkpoint-every SEC:\n"
	      "      checkpoints of the whole tree taken by the launcher\n"
	      "  verify [-o DIR] [--model M] [--] PROGRAM [ARGS...]\n"
	      "      run PROGRAM as run does and compare the shadow with the\n"
	      "      kernel's anon_vma graph (root, BPF) at every checkpoint,\n"
	      "      fork and exit; status 1 on a divergence, 77 if the\n"
	      "      kernel's graph cannot be read here\n"
	      "  report [--model M ...] [--check] [--top N] [--at-end | --at LABEL]\n"
	      "         [--format text|json|dot|svg|folded] DIR|INPUT\n"
	      "      the report of a capture folder (its traces merged by seq)\n"
	      "      or of one INPUT: summary, costliest families and the call\n"
	      "      stacks that built them; JSON (docs/REPORTS.md), the graph\n"
	      "      for Graphviz, or rmap cost as folded stacks\n"
	      "  diff [--model M ...] [--max-increase METRIC=PCT ...] BASE NEW\n"
	      "      compare two reports (JSON, or inputs reported first);\n"
	      "      status 1 if a METRIC grew by more than PCT percent\n"
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
	if (!strcmp(cmd, "verify"))
		return cmd_verify(argc - 1, argv + 1);
	if (!strcmp(cmd, "report"))
		return cmd_report(argc - 1, argv + 1);
	if (!strcmp(cmd, "diff"))
		return cmd_diff(argc - 1, argv + 1);
	if (!strcmp(cmd, "stats"))
		return cmd_stats(argc - 1, argv + 1);
	fprintf(stderr, "avshadow: unknown command '%s'\n", cmd);
	usage(stderr);
	return 2;
}
