/* SPDX-License-Identifier: MIT */
/* Subcommands of avshadow: each parses its own options (argv[0] is the
 * command name) and returns the exit status. */
#ifndef AVS_REPORTS_COMMANDS_H
#define AVS_REPORTS_COMMANDS_H

int cmd_replay(int argc, char **argv);
int cmd_graph(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_hazards(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_diff(int argc, char **argv);

#endif
