/* SPDX-License-Identifier: MIT */
/*
 * kernel_layout: the shadow's VMA layout decisions against the running
 * kernel.
 *
 * Each scenario runs in a forked process P (and, where it needs fork, in
 * children of P).  P reserves a private PROT_NONE region at an address the
 * kernel chooses and places its test mappings inside it with MAP_FIXED, so
 * nothing merges with unrelated VMAs.  Every syscall and every first write
 * of a page is done for real AND written to a stream as the equivalent
 * avshadow text event (docs/EVENTS.md) with the real pids and addresses.
 * At each checkpoint the process copies the VMAs of its own
 * /proc/self/smaps (the maps lines plus VmFlags) inside the region (and,
 * for the brk scenario, its [heap] lines) into the stream as comment
 * lines:
 *
 *   checkpoint PID LABEL
 *   #K PID 0xS-0xE PERMS vmflags=0xF [heap]   one per kernel VMA
 *   #H PID START_BRK BRK              brk scenario only
 *   #E PID EXPECTED ACTUAL            accessible VMAs KERNEL_MODEL predicts
 *   #K PID end
 *
 * so the stream stays a valid event file (`avshadow replay` ignores the
 * comments).  Other comment lines: `#R PID START END` (the region), `#F PID
 * MSG` (the scenario itself failed).
 *
 * The driver then replays the stream through a linux-6.18 shadow that
 * checks its invariants after every event, and at each checkpoint compares
 * the shadow's VMAs of that pid inside the region (or the heap window) with
 * the kernel's lines: start, end, perms, and the vm_flags bits smaps shows
 * that avshadow models (CMP_FLAGS; VM_ACCOUNT, VM_DONTCOPY... decide
 * merges).  A difference prints both lists, the shadow's with pgoff,
 * anon_vma and chain.  A checkpoint whose kernel layout is not the one
 * KERNEL_MODEL predicts only prints a NOTE.
 *
 * Scenario processes never call malloc or stdio (no VMA appears behind
 * their back, and the brk scenario owns the break); they are bounded by
 * alarm(), their children die with them (PR_SET_PDEATHSIG), and the driver
 * kills and reaps the whole process group after each scenario.
 *
 * usage: kernel_layout [-v] [-k DIR] [-f] [-l] [SCENARIO...]
 *   -v  print the events and the shadow graph at each checkpoint
 *   -k  keep each scenario's stream as DIR/SCENARIO.events
 *   -f  run even if the kernel is not 6.18 (otherwise: skip, exit 77)
 *   -l  list the scenarios
 * Exit: 0 all agree, 1 a difference (or a warning, a broken invariant, a
 * failed scenario), 2 usage, 77 skipped.
 *
 * Files: layout_stream.c and layout_ops.c run in the scenario processes
 * (layout_harness.h), layout_scenarios*.c are the scenarios;
 * layout_run.c, layout_replay.c and layout_compare.c are the driver
 * (layout_driver.h); layout_vmflags.c maps smaps VmFlags to vm_flags.
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "layout_driver.h"

bool opt_verbose;
const char *opt_keep;

static bool kernel_is_618(void)
{
	struct utsname u;

	return !uname(&u) && !strncmp(u.release, "6.18", 4) &&
	       (u.release[4] == '.' || u.release[4] == '-' || !u.release[4]);
}

int main(int argc, char **argv)
{
	bool force = false, any_fail = false;
	size_t i, ran = 0;
	int c, a;

	while ((c = getopt(argc, argv, "vk:fl")) != -1) {
		switch (c) {
		case 'v':
			opt_verbose = true;
			break;
		case 'k':
			opt_keep = optarg;
			break;
		case 'f':
			force = true;
			break;
		case 'l':
			for (i = 0; i < nr_scenarios; i++)
				printf("%-28s %s\n", scenarios[i].name,
				       scenarios[i].what);
			return 0;
		default:
			fprintf(stderr, "usage: %s [-v] [-k DIR] [-f] [-l] "
				"[SCENARIO...]\n", argv[0]);
			return 2;
		}
	}
	if (!force && !kernel_is_618()) {
		printf("kernel-layout: skipped: the kernel is not Linux 6.18 "
		       "(-f runs anyway)\n");
		return 77;
	}
	for (a = optind; a < argc; a++) {
		for (i = 0; i < nr_scenarios; i++)
			if (!strcmp(argv[a], scenarios[i].name))
				break;
		if (i == nr_scenarios) {
			fprintf(stderr, "kernel-layout: no scenario '%s' (-l)\n",
				argv[a]);
			return 2;
		}
	}
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	for (i = 0; i < nr_scenarios; i++) {
		bool chosen = optind == argc;

		for (a = optind; a < argc && !chosen; a++)
			chosen = !strcmp(argv[a], scenarios[i].name);
		if (!chosen)
			continue;
		ran++;
		if (!run_scenario(&scenarios[i]))
			any_fail = true;
	}
	printf("kernel-layout: %zu scenarios, %s\n", ran,
	       any_fail ? "DISAGREEMENTS" : "all agree");
	return any_fail ? 1 : 0;
}
