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
	const char *models[16] = { "auto" };
	size_t nmodels = 0, i;
	char err[512];
	int c, ret = 0, failed = 0;

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
			if (nmodels == 16) {
				fprintf(stderr, "avshadow: at most 16 models\n");
				return 2;
			}
			models[nmodels++] = optarg;
			break;
		default:
			fprintf(stderr, "usage: avshadow replay [--model M ...] [--check] [--top N] INPUT\n");
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: avshadow replay [--model M ...] [--check] [--top N] INPUT\n");
		return 2;
	}
	if (!nmodels)
		nmodels = 1;
	if (nmodels == 1) {
		r.rules = avs_model_option(models[0], err, sizeof(err));
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
			       r.invariant_failures ? "BROKEN" :
			       "hold after every event", r.invariant_failures);
		avs_shadow_free(r.sh);
		if (ret < 0)
			return 2;
		return r.invariant_failures ? 1 : 0;
	}
	/* several rule sets: the same stream under each, one column each */
	{
		struct avs_summary s[16];

		for (i = 0; i < nmodels; i++) {
			struct avs_replay ri = r;

			ri.rules = avs_model_option(models[i], err, sizeof(err));
			if (!ri.rules) {
				fprintf(stderr, "avshadow: %s\n", err);
				return 2;
			}
			ri.diag = i ? NULL : stderr;	/* warnings once */
			if (avs_replay_file(argv[optind], &ri, err, sizeof(err)) < 0) {
				fprintf(stderr, "avshadow: %s\n", err);
				ret = -1;
			}
			avs_summary_compute(ri.sh, &s[i]);
			failed += ri.invariant_failures != 0;
			avs_shadow_free(ri.sh);
			if (ret < 0)
				return 2;
		}
		printf("avshadow: %s under %zu rule sets\n", argv[optind], nmodels);
		avs_report_table(s, nmodels, stdout);
	}
	return failed ? 1 : 0;
}
