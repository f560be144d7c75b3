/* SPDX-License-Identifier: MIT */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "model_option.h"
#include "replay.h"
#include "summary.h"

int cmd_replay(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "check", no_argument, NULL, 'c' },
		{ "top", required_argument, NULL, 't' },
		{ "model", required_argument, NULL, 'm' },
		{ 0 }
	};
	struct avs_replay r = { .diag = stderr, .max_diag = 20 };
	unsigned top = 10;
	const char *model = "auto";
	char err[512];
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			r.check = true;
			break;
		case 't':
			top = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'm':
			model = optarg;
			break;
		default:
			fprintf(stderr, "usage: avshadow replay [--model M] [--check] [--top N] INPUT\n");
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: avshadow replay [--model M] [--check] [--top N] INPUT\n");
		return 2;
	}
	r.rules = avs_model_option(model, err, sizeof(err));
	if (!r.rules) {
		fprintf(stderr, "avshadow: %s\n", err);
		return 2;
	}
	ret = avs_replay_file(argv[optind], &r, err, sizeof(err));
	if (ret < 0)
		fprintf(stderr, "avshadow: %s\n", err);
	avs_report_summary(r.sh, stdout, top);
	if (r.check)
		printf("  invariants       %s (%lu events broke one)\n",
		       r.invariant_failures ? "BROKEN" : "hold after every event",
		       r.invariant_failures);
	avs_shadow_free(r.sh);
	if (ret < 0)
		return 2;
	return r.invariant_failures ? 1 : 0;
}
