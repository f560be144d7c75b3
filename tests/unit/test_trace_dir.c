/* SPDX-License-Identifier: MIT */
/* Capture folders: per-process traces merged by seq (reports/trace_dir.h). */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "reports/input.h"
#include "reports/trace_dir.h"
#include "shadow/event_bin.h"
#include "shadow/event_text.h"

/* A trace file being built in memory. */
struct tw {
	unsigned char buf[16384];
	size_t len;
};

static void tw_init(struct tw *t)
{
	avs_trace_header_init(t->buf);
	t->len = AVS_TRACE_HEADER_SIZE;
}

/* Append the event of a text line ("@SEQ type pid ..."); its offset. */
static size_t tw_add(struct tw *t, const char *line)
{
	struct avs_text_parser *p = avs_text_parser_new();
	struct avs_event ev;
	size_t off = t->len, n;

	cr_assert_eq(avs_text_parse_line(p, line, strlen(line), &ev), 1,
		     "%s: %s", line, avs_text_parser_error(p));
	n = avs_event_encode(&ev, t->buf + t->len, sizeof(t->buf) - t->len);
	cr_assert_gt(n, 0);
	t->len += n;
	avs_text_parser_free(p);
	return off;
}

static void tw_zeros(struct tw *t, size_t n)
{
	memset(t->buf + t->len, 0, n);
	t->len += n;
}

static void tw_write(const char *dir, const char *name, const struct tw *t,
		     size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(t->buf, 1, len, f), len);
	fclose(f);
}

static void write_text(const char *dir, const char *name, const char *s)
{
	struct tw t;

	memcpy(t.buf, s, strlen(s));
	tw_write(dir, name, &t, strlen(s));
}

static char *mkfolder(void)
{
	char *d = strdup("/tmp/avs_trace_dir_XXXXXX");

	cr_assert_not_null(mkdtemp(d));
	return d;
}

static void rmfolder(char *d)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d);
	cr_assert_eq(system(cmd), 0);
	free(d);
}

/* The merged stream in the text form, one line per event. */
struct collect {
	char out[16384];
	size_t len;
	int stop_after;		/* stop with 7 after this many, 0: never */
	int n;
};

static int collect_cb(void *arg, const struct avs_event *ev)
{
	struct collect *c = arg;
	int n = avs_event_format(ev, c->out + c->len, sizeof(c->out) - c->len);

	cr_assert(n > 0 && (size_t)n < sizeof(c->out) - c->len);
	c->len += (size_t)n;
	if (c->stop_after && ++c->n == c->stop_after)
		return 7;
	return 0;
}

/*
 * Two processes: 100 forks 101, which then execs (its new image starts
 * its own trace with `start`).  Records interleave by seq across the files
 * and are out of order inside 101's; 100's has a cut record and then the
 * zero tail of its mapping, 101's ends in a partial record; the launcher's
 * exits repeat the exit_group hook's for 101.
 */
static void write_capture(const char *dir, size_t *lost)
{
	struct tw a, b, x;
	size_t off, cut;

	tw_init(&a);
	tw_add(&a, "@1 start 100 comm=parent");
	tw_add(&a, "@3 mmap 100 0x7f0000000000-0x7f0000004000 rw-p anon");
	tw_add(&a, "@4 fork 100 101");
	off = tw_add(&a, "@6 munmap 100 0x7f0000000000-0x7f0000001000");
	a.buf[off + 40] ^= 0x10;	/* a record cut by a crash */
	tw_add(&a, "@7 fault 100 0x7f0000000000 w");
	tw_zeros(&a, 512);		/* the unused tail of the mapping */
	tw_add(&a, "@99 checkpoint 100 after%20the%20tail");	/* unread */
	tw_write(dir, "100-1.trace", &a, a.len);

	tw_init(&b);
	tw_add(&b, "@5 fault 101 0x7f0000001000 w");
	tw_add(&b, "@3 checkpoint 101 early");	/* ties with 100's mmap */
	tw_add(&b, "@8 start 101 start_brk=0x5000 brk=0x6000 comm=child");
	tw_add(&b, "@9 vma 101 0x400000-0x401000 r-xp file=803:1a2b");
	tw_add(&b, "@9 vma 101 0x7ffd0000-0x7ffe0000 rw-p");
	tw_add(&b, "@10 exit 101");
	cut = tw_add(&b, "@13 mmap 101 0x1000-0x2000 rw-p anon");
	*lost = b.len - cut - 8;
	tw_write(dir, "101-5.trace", &b, b.len - 8);	/* a partial record */

	tw_init(&x);
	tw_add(&x, "@11 exit 100");
	tw_add(&x, "@12 exit 101 status=0");	/* already gone: dropped */
	tw_write(dir, "exits.trace", &x, x.len);

	write_text(dir, "seq", "12345678");
	write_text(dir, "report.txt", "not a trace\n");
}

static const char merged[] =
	"@1 start 100 comm=parent\n"
	"@3 mmap 100 0x7f0000000000-0x7f0000004000 rw-p anon\n"
	"@3 checkpoint 101 early\n"
	"@4 fork 100 101\n"
	"@5 fault 101 0x7f0000001000 w\n"
	"@7 fault 100 0x7f0000000000 w\n"
	"@8 exec 101 start_brk=0x5000 brk=0x6000 path=child\n"
	"@9 vma 101 0x400000-0x401000 r-xp file=803:1a2b\n"
	"@9 vma 101 0x7ffd0000-0x7ffe0000 rw-p\n"
	"@10 exit 101\n"
	"@11 exit 100\n";

Test(trace_dir, merge_order_and_accounting)
{
	char *dir = mkfolder(), err[256] = "";
	struct avs_trace_dir_status st;
	struct collect c = { .len = 0 };
	size_t lost;
	int ret;

	write_capture(dir, &lost);
	ret = avs_read_trace_dir(dir, collect_cb, &c, &st, err, sizeof(err));
	cr_assert_eq(ret, 0, "%s", err);
	c.out[c.len] = '\0';
	cr_expect_str_eq(c.out, merged);

	cr_assert_eq(st.nfiles, 3);
	cr_expect_str_eq(st.files[0].name, "100-1.trace");
	cr_expect_str_eq(st.files[1].name, "101-5.trace");
	cr_expect_str_eq(st.files[2].name, "exits.trace");
	cr_expect_eq(st.files[0].records, 4);
	cr_expect_eq(st.files[0].skipped, 1);
	cr_expect(!st.files[0].truncated);
	cr_expect_eq(st.files[1].records, 6);
	cr_expect_eq(st.files[1].skipped, 0);
	cr_expect(st.files[1].truncated);
	cr_expect_eq(st.files[1].bytes_lost, lost);
	cr_expect_eq(st.files[2].records, 2);
	cr_expect(!st.files[2].truncated);

	cr_expect_eq(st.records, 12);
	cr_expect_eq(st.events, 11);
	cr_expect_eq(st.skipped, 1);
	cr_expect_eq(st.truncated_files, 1);
	cr_expect_eq(st.bytes_lost, lost);
	cr_expect_eq(st.starts_to_exec, 1);
	cr_expect_eq(st.exits_dropped, 1);
	avs_trace_dir_status_free(&st);
	rmfolder(dir);
}

Test(trace_dir, read_input_takes_a_folder)
{
	char *dir = mkfolder(), err[256] = "";
	struct avs_input_status st;
	struct collect c = { .len = 0 };
	size_t lost;

	write_capture(dir, &lost);
	cr_assert_eq(avs_read_input(dir, collect_cb, &c, &st, err,
				    sizeof(err)), 0, "%s", err);
	c.out[c.len] = '\0';
	cr_expect_str_eq(c.out, merged);
	cr_expect(st.binary);
	cr_expect_eq(st.events, 11);
	cr_expect(st.truncated);
	cr_expect_eq(st.bytes_lost, lost);
	rmfolder(dir);
}

Test(trace_dir, callback_stops_the_merge)
{
	char *dir = mkfolder(), err[256] = "";
	struct avs_trace_dir_status st;
	struct collect c = { .stop_after = 4 };
	size_t lost;

	write_capture(dir, &lost);
	cr_expect_eq(avs_read_trace_dir(dir, collect_cb, &c, &st, err,
					sizeof(err)), 7);
	cr_expect_eq(st.events, 4);
	avs_trace_dir_status_free(&st);
	rmfolder(dir);
}

Test(trace_dir, pid_reused_after_exit_starts_again)
{
	char *dir = mkfolder(), err[256] = "";
	struct avs_trace_dir_status st;
	struct collect c = { .len = 0 };
	struct tw a, b;

	tw_init(&a);
	tw_add(&a, "@1 start 7");
	tw_add(&a, "@2 exit 7");
	tw_write(dir, "7-1.trace", &a, a.len);
	tw_init(&b);
	tw_add(&b, "@3 start 7 comm=again");	/* a new process, same pid */
	tw_add(&b, "@4 start 7 comm=exec");	/* its exec */
	tw_write(dir, "7-3.trace", &b, b.len);
	cr_assert_eq(avs_read_trace_dir(dir, collect_cb, &c, &st, err,
					sizeof(err)), 0, "%s", err);
	c.out[c.len] = '\0';
	cr_expect_str_eq(c.out, "@1 start 7\n@2 exit 7\n@3 start 7 comm=again\n"
			 "@4 exec 7 path=exec\nexit 7 inferred\n");
	cr_expect_eq(st.starts_to_exec, 1);
	avs_trace_dir_status_free(&st);
	rmfolder(dir);
}

Test(trace_dir, empty_and_headerless_files)
{
	char *dir = mkfolder(), err[256] = "";
	struct avs_trace_dir_status st;
	struct collect c = { .len = 0 };
	struct tw a, z = { .len = 0 };

	/* no trace at all */
	cr_expect_eq(avs_read_trace_dir(dir, collect_cb, &c, &st, err,
					sizeof(err)), -1);
	cr_expect(strstr(err, "no *.trace files"), "%s", err);
	avs_trace_dir_status_free(&st);

	tw_init(&a);
	tw_add(&a, "@1 start 1");
	tw_write(dir, "1-1.trace", &a, a.len);
	tw_write(dir, "2-5.trace", &a, 12);	/* a cut header */
	tw_zeros(&z, 4096);			/* a mapping never written */
	tw_write(dir, "3-9.trace", &z, z.len);
	cr_assert_eq(avs_read_trace_dir(dir, collect_cb, &c, &st, err,
					sizeof(err)), 0, "%s", err);
	cr_expect_eq(st.nfiles, 3);
	cr_expect_eq(st.events, 2, "the start and its inferred exit");
	cr_expect_eq(st.exits_inferred, 1);
	cr_expect_eq(st.truncated_files, 2);
	cr_expect(st.files[1].no_header && st.files[1].truncated);
	cr_expect_eq(st.files[1].bytes_lost, 12);
	cr_expect(st.files[2].no_header);
	avs_trace_dir_status_free(&st);
	rmfolder(dir);
}

Test(trace_dir, recorder_stopped_early)
{
	char *dir = mkfolder(), err[256] = "";
	struct avs_trace_dir_status st;
	struct collect c = { .len = 0 };
	uint64_t flags = AVS_TRACE_TRUNCATED;
	struct tw a;

	tw_init(&a);
	memcpy(a.buf + 16, &flags, 8);	/* set by the recorder: disk full */
	tw_add(&a, "@1 start 1");
	tw_add(&a, "@2 fault 1 0x1000 r");
	tw_zeros(&a, 64);
	tw_write(dir, "1-1.trace", &a, a.len);
	cr_assert_eq(avs_read_trace_dir(dir, collect_cb, &c, &st, err,
					sizeof(err)), 0, "%s", err);
	cr_expect_eq(st.events, 3, "two recorded, the exit inferred");
	cr_expect(st.files[0].stopped && st.files[0].truncated);
	cr_expect_eq(st.files[0].bytes_lost, 0);
	cr_expect_eq(st.truncated_files, 1);
	avs_trace_dir_status_free(&st);
	rmfolder(dir);
}

Test(trace_dir, corruption_is_an_error)
{
	char *dir = mkfolder(), err[256] = "";
	struct avs_trace_dir_status st;
	struct collect c = { .len = 0 };
	struct tw a;
	size_t off;

	tw_init(&a);
	tw_add(&a, "@1 start 1");
	off = tw_add(&a, "@2 fault 1 0x1000 r");
	a.buf[off + 4] = 3;	/* size field: not a multiple of 8 */
	tw_write(dir, "1-1.trace", &a, a.len);
	cr_expect_eq(avs_read_trace_dir(dir, collect_cb, &c, &st, err,
					sizeof(err)), -1);
	cr_expect(strstr(err, "1-1.trace: corrupt record at byte 96: bad "
			 "record size"), "%s", err);
	cr_expect_eq(c.len, 0, "nothing is passed on from a corrupt folder");
	avs_trace_dir_status_free(&st);

	write_text(dir, "1-1.trace", "start 1\n");	/* short, not a trace */
	cr_expect_eq(avs_read_trace_dir(dir, collect_cb, &c, &st, err,
					sizeof(err)), -1);
	cr_expect(strstr(err, "1-1.trace: short trace header"), "%s", err);
	avs_trace_dir_status_free(&st);

	write_text(dir, "1-1.trace", "start 1\nmmap 1 0x1000-0x2000 rw-p anon\n");
	cr_expect_eq(avs_read_trace_dir(dir, collect_cb, &c, &st, err,
					sizeof(err)), -1);
	cr_expect(strstr(err, "1-1.trace: bad magic"), "%s", err);
	avs_trace_dir_status_free(&st);
	rmfolder(dir);
}

Test(trace_dir, missing_folder)
{
	char err[256] = "";
	struct avs_trace_dir_status st;
	struct collect c = { .len = 0 };

	cr_expect_eq(avs_read_trace_dir("/nonexistent/avs", collect_cb, &c,
					&st, err, sizeof(err)), -1);
	cr_expect(strstr(err, "No such file"), "%s", err);
	avs_trace_dir_status_free(&st);
}
