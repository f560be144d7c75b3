/* SPDX-License-Identifier: MIT */
/*
 * Reading a capture folder (docs/CAPTURE.md): every `*.trace` file of the
 * folder, merged into one stream by seq.
 *
 * Per file: the 32-byte trace header, then records.  A record whose size is
 * plausible but whose checksum fails was cut by a crash: it is skipped and
 * counted.  A zero size field ends the file's stream (the unused tail of
 * the file mapping).  A file that ends inside a record (or inside its
 * header) is truncated: what came before is kept; so is one whose header
 * says the recorder stopped early (AVS_TRACE_TRUNCATED).  Anything else (a bad
 * magic, an implausible size, a valid record of an unknown type) is an
 * error, as for a single trace.
 *
 * The merge: all records ordered by seq; equal seqs keep the order of the
 * files (by name, strcmp) and of the records within a file.  Then, in that
 * order, with the set of live pids (start, fork's child: live; exit: not):
 *   - a `start` of a pid that is already live becomes `exec` (the new
 *     image of an exec'd process starts its own trace with `start`);
 *   - an `exit` of a pid that is not live is dropped: the launcher records
 *     one for every pid it reaps, which duplicates the exit_group hook's.
 */
#ifndef AVS_REPORTS_TRACE_DIR_H
#define AVS_REPORTS_TRACE_DIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "input.h"

struct avs_trace_file_status {
	char *name;		/* file name inside the folder */
	unsigned long records;	/* whole, valid records read */
	unsigned long skipped;	/* cut records (checksum mismatch) skipped */
	bool truncated;		/* ends inside a record or its header */
	bool no_header;		/* shorter than the header, or a zero one */
	bool stopped;		/* the recorder stopped early (header flag
				 * AVS_TRACE_TRUNCATED: full disk...) */
	size_t bytes_lost;	/* bytes of that partial record or header */
};

struct avs_trace_dir_status {
	struct avs_trace_file_status *files;	/* sorted by name */
	size_t nfiles;
	unsigned long records;		/* valid records of all files */
	unsigned long events;		/* events passed to the callback */
	unsigned long skipped;		/* cut records of all files */
	size_t truncated_files;
	size_t bytes_lost;
	unsigned long starts_to_exec;	/* `start`s turned into `exec` */
	unsigned long exits_dropped;	/* exits of pids not live */
	unsigned long exits_inferred;	/* processes with no exit record */
};

/*
 * Read the folder dir and pass its merged stream to cb, event by event.
 * Returns 0 at the end, the callback's nonzero value if it stopped, or -1
 * with a message in err (the folder or a file unreadable, a corrupt
 * record, no `*.trace` file at all).  st is filled in every case (what
 * was read so far); release it with avs_trace_dir_status_free().
 */
int avs_read_trace_dir(const char *dir, avs_event_cb cb, void *arg,
		       struct avs_trace_dir_status *st, char *err,
		       size_t errlen);

void avs_trace_dir_status_free(struct avs_trace_dir_status *st);

/* Is path a directory (following symlinks)? */
bool avs_is_dir(const char *path);

/*
 * For a report: "capture DIR: N trace files, E events ..." and, indented
 * below, one line per damaged file (cut records, truncation).
 */
void avs_trace_dir_describe(const char *dir,
			    const struct avs_trace_dir_status *st, FILE *out);

#endif
