/* SPDX-License-Identifier: MIT */
/* The text and binary event codecs: round trips, truncation, corruption. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include "shadow/event.h"
#include "shadow/event_text.h"
#include "shadow/event_bin.h"
#include "shadow/crc32c.h"
#include "shadow/vm_flags.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Canonical lines: every type, every optional key, flag and page letter. */
static const char *const corpus[] = {
	"start 100\n",
	"start 100 ppid=1 start_brk=0x555555559000 brk=0x55555557a000 comm=bash\n",
	"start 101 comm=my%20prog%25%3D%09%0A%C3%A9%7F#x\n",
	"exec 100\n",
	"exec 100 start_brk=0x5000 brk=0x6000 path=/usr/bin/ls\n",
	"exec 100 path=/tmp/with%20space\n",
	"vma 100 0x1000-0x3000 rw-p\n",
	"vma 100 0x1000-0x3000 rw-p anon_vma\n",
	"vma 100 0x400000-0x401000 r-xp file=803:1a2b\n",
	"vma 100 0x400000-0x401000 r-xp pgoff=0x10 file=803:1a2b vmflags=0x875\n",
	"vma 100 0x7ffd0000-0x7ffe0000 rw-p pgoff=0x0 vmflags=0x100173 anon_vma\n",
	"vma 100 0x7f0000000000-0x7f0000200000 rw-s pgoff=0x200 file=5:abc\n",
	"vma 100 0x2000-0x3000 ---p pgoff=0x7 vmflags=0x0\n",
	"fork 100 101\n",
	"fork 100 102 vm\n",
	"exit 101\n",
	"exit 101 status=-9\n",
	"exit 101 status=3\n",
	"exit 101 status=-2147483648\n",
	"mmap 100 0x7f0000000000-0x7f0000002000 rw-p anon\n",
	"mmap 100 0x7f0000000000-0x7f0000002000 r--s file=803:1a2b off=0x1000 flags=fixed,populate fmode=rw\n",
	"mmap 100 0x10000-0x20000 r-xp file=803:1a2b flags=fixed,growsdown,denywrite,executable,locked,noreserve,populate,nonblock,stack,hugetlb,sync,fixed_noreplace,0x8000000 fmode=r\n",
	"mmap 100 0x10000-0x20000 rw-s anon flags=0x2 fmode=w\n",
	"mmap 100 0x10000-0x20000 ---- file=0:0 fmode=0x8\n",
	"mmap 100 0x10000-0x20000 rwxp anon file=1:2 xprot=0x1000000\n",
	"munmap 100 0x1000-0x3000\n",
	"mprotect 100 0x1000-0x2000 r--\n",
	"mprotect 100 0x1000-0x2000 ---\n",
	"mprotect 100 0x1000-0x2000 rwx xprot=0x1000000\n",
	"mremap 100 0x1000-0x2000 0x5000-0x7000\n",
	"mremap 100 0x1000-0x2000 0x5000-0x7000 flags=maymove,fixed,dontunmap\n",
	"mremap 100 0x1000-0x2000 0x5000-0x7000 flags=maymove,0x10\n",
	"madvise 100 0x1000-0x2000 normal\n",
	"madvise 100 0x1000-0x2000 random\n",
	"madvise 100 0x1000-0x2000 sequential\n",
	"madvise 100 0x1000-0x2000 willneed\n",
	"madvise 100 0x1000-0x2000 dontneed\n",
	"madvise 100 0x1000-0x2000 free\n",
	"madvise 100 0x1000-0x2000 remove\n",
	"madvise 100 0x1000-0x2000 dontfork\n",
	"madvise 100 0x1000-0x2000 dofork\n",
	"madvise 100 0x1000-0x2000 mergeable\n",
	"madvise 100 0x1000-0x2000 unmergeable\n",
	"madvise 100 0x1000-0x2000 hugepage\n",
	"madvise 100 0x1000-0x2000 nohugepage\n",
	"madvise 100 0x1000-0x2000 dontdump\n",
	"madvise 100 0x1000-0x2000 dodump\n",
	"madvise 100 0x1000-0x2000 wipeonfork\n",
	"madvise 100 0x1000-0x2000 keeponfork\n",
	"madvise 100 0x1000-0x2000 cold\n",
	"madvise 100 0x1000-0x2000 pageout\n",
	"madvise 100 0x1000-0x2000 populate_read\n",
	"madvise 100 0x1000-0x2000 populate_write\n",
	"madvise 100 0x1000-0x2000 dontneed_locked\n",
	"madvise 100 0x1000-0x2000 collapse\n",
	"madvise 100 0x1000-0x2000 guard_install\n",
	"madvise 100 0x1000-0x2000 guard_remove\n",
	"madvise 100 0x1000-0x2000 77\n",
	"brk 100 0x555555559000 0x55555557a123\n",
	"mlock 100 0x1000-0x2000\n",
	"mlock 100 0x1000-0x2000 onfault\n",
	"munlock 100 0x1000-0x2000\n",
	"mlockall 100 current,future,onfault\n",
	"mlockall 100 current\n",
	"mlockall 100 0x0\n",
	"mlockall 100 future,0x40\n",
	"munlockall 100\n",
	"fault 100 0x1234 r\n",
	"fault 100 0x7ffd0000 w\n",
	"fault 100 0x0 f\n",
	"fault 100 0x0 9\n",
	"pages 100 0x1000 - z s f F a A\n",
	"pages 100 0x1000 a@1f3 A@0 F@7fffffffffffff s@abc -@5 z@1 f@2 #8080000000000000 #1\n",
	"pages 100 0x0 a\n",
	"swapout 100 0x1000-0x9000\n",
	"swapin 100 0x1000-0x9000\n",
	"checkpoint 100 after-fork\n",
	"checkpoint 100 label%20with%20spaces%3Dand%25\n",
	"checkpoint 100 failed\n",
	"@42 mmap 100 0x1000-0x2000 rw-p anon inferred\n",
	"@7 munmap 100 0x1000-0x2000 runtime\n",
	"mprotect 100 0x1000-0x2000 r-x failed\n",
	"@18446744073709551615 fault 4294967295 0xffffffffffffffff w inferred runtime failed\n",
	"pages 100 0x1000 a A failed\n",
	"checkpoint 100 x inferred\n",
	"frame 100 1 0 0x401234\n",
	"frame 100 4294967295 7 0xffffffffffffffff\n",
	"load 100 0x7f0000000000-0x7f0000020000\n",
	"load 100 0x7f0000001000-0x7f0000020000 off=0x1000 file=803:1a2b path=/usr/lib/libc.so.6\n",
	"@9 mmap 100 0x1000-0x2000 rw-p anon stack=3\n",
	"@10 munmap 100 0x1000-0x2000 runtime stack=4294967295\n",
};

static struct avs_text_parser *parser;

static void setup(void)
{
	parser = avs_text_parser_new();
	cr_assert_not_null(parser);
}

static void teardown(void)
{
	avs_text_parser_free(parser);
}

static void parse_ok(const char *line, struct avs_event *ev)
{
	int r = avs_text_parse_line(parser, line, strlen(line), ev);

	cr_assert_eq(r, 1, "parse '%s': %d %s", line, r,
		     avs_text_parser_error(parser));
}

static void format_ok(const struct avs_event *ev, char *buf, size_t size)
{
	int n = avs_event_format(ev, buf, size);

	cr_assert_geq(n, 0, "format failed");
	cr_assert_lt((size_t)n, size);
	cr_assert_eq(strlen(buf), (size_t)n);
}

TestSuite(event_codec, .init = setup, .fini = teardown);

Test(event_codec, text_round_trip)
{
	char buf[1024];
	struct avs_event ev;

	for (size_t i = 0; i < ARRAY_SIZE(corpus); i++) {
		parse_ok(corpus[i], &ev);
		format_ok(&ev, buf, sizeof(buf));
		cr_expect_str_eq(buf, corpus[i]);
	}
}

Test(event_codec, binary_round_trip)
{
	uint64_t rec[256];
	char buf[1024];
	struct avs_event ev, dec;
	size_t n, used;

	for (size_t i = 0; i < ARRAY_SIZE(corpus); i++) {
		parse_ok(corpus[i], &ev);
		n = avs_event_encode(&ev, rec, sizeof(rec));
		cr_assert_gt(n, 0, "encode '%s'", corpus[i]);
		cr_assert_eq(n, avs_event_encoded_size(&ev));
		cr_assert_eq(n % 8, 0);
		cr_assert_eq(avs_event_encode(&ev, rec, n - 1), 0,
			     "encode must fail when cap is short");
		cr_assert_eq(avs_event_decode(rec, n, &dec, &used), 1,
			     "decode '%s'", corpus[i]);
		cr_assert_eq(used, n);
		format_ok(&dec, buf, sizeof(buf));
		cr_expect_str_eq(buf, corpus[i]);
	}
}

/* The header-less concatenation of every corpus record; returns its size. */
static size_t encode_all(uint64_t *buf, size_t cap, size_t *ends,
			 size_t *nrec)
{
	struct avs_event ev;
	size_t off = 0, n;

	*nrec = 0;
	for (size_t i = 0; i < ARRAY_SIZE(corpus); i++) {
		parse_ok(corpus[i], &ev);
		n = avs_event_encode(&ev, (char *)buf + off, cap - off);
		cr_assert_gt(n, 0);
		off += n;
		ends[(*nrec)++] = off;
	}
	return off;
}

Test(event_codec, every_prefix_is_truncation)
{
	static uint64_t all[4096];
	size_t ends[ARRAY_SIZE(corpus)], nrec, total;

	total = encode_all(all, sizeof(all), ends, &nrec);
	for (size_t cut = 0; cut < total; cut++) {
		/* exactly cut bytes, so ASan sees any read past the end */
		char *b = malloc(cut ? cut : 1);
		struct avs_event ev;
		size_t off = 0, used, whole = 0, got = 0;
		int r;

		cr_assert_not_null(b);
		memcpy(b, all, cut);
		while (whole < nrec && ends[whole] <= cut)
			whole++;
		while ((r = avs_event_decode(b + off, cut - off, &ev, &used)) == 1) {
			off += used;
			got++;
		}
		cr_assert_eq(r, 0, "cut %zu: decode returned %d (%s)", cut, r,
			     avs_decode_strerror(r));
		cr_assert_eq(got, whole, "cut %zu: %zu records, want %zu", cut,
			     got, whole);
		free(b);
	}
}

Test(event_codec, every_byte_flip_detected)
{
	static const unsigned char masks[] = { 0x01, 0x80, 0xff, 0x5a };
	uint64_t rec[256], bad[256], re[256];
	struct avs_event ev, dec;
	size_t n, used;
	int r, negatives = 0;

	for (size_t i = 0; i < ARRAY_SIZE(corpus); i++) {
		parse_ok(corpus[i], &ev);
		n = avs_event_encode(&ev, rec, sizeof(rec));
		cr_assert_gt(n, 0);
		for (size_t pos = 0; pos < n; pos++) {
			for (size_t m = 0; m < ARRAY_SIZE(masks); m++) {
				memcpy(bad, rec, n);
				((unsigned char *)bad)[pos] ^= masks[m];
				r = avs_event_decode(bad, n, &dec, &used);
				negatives += r < 0;
				if (r != 1)
					continue;
				/* accepted: it must at least differ */
				cr_assert_eq(avs_event_encode(&dec, re, sizeof(re)), n);
				cr_assert_neq(memcmp(re, rec, n), 0,
					      "'%s': flip at %zu accepted",
					      corpus[i], pos);
			}
		}
	}
	cr_expect_gt(negatives, 0);
}

Test(event_codec, decode_errors)
{
	uint64_t rec[32];
	struct avs_event ev;
	size_t n, used;
	uint32_t v, crc;
	const int codes[] = { AVS_EBADSIZE, AVS_EBADTYPE, AVS_EBADCRC,
			      AVS_EBADLEN, AVS_EBADALIGN };

	parse_ok("munmap 1 0x1000-0x2000", &ev);
	n = avs_event_encode(&ev, rec, sizeof(rec));
	cr_assert_eq(n, 56);

	/* the size field: too small, unaligned, too large */
	v = 32;
	memcpy((char *)rec + 4, &v, 4);
	cr_expect_eq(avs_event_decode(rec, n, &ev, &used), AVS_EBADSIZE);
	v = 52;
	memcpy((char *)rec + 4, &v, 4);
	cr_expect_eq(avs_event_decode(rec, n, &ev, &used), AVS_EBADSIZE);
	v = (16u << 20) + 8;
	memcpy((char *)rec + 4, &v, 4);
	cr_expect_eq(avs_event_decode(rec, 8, &ev, &used), AVS_EBADSIZE);
	v = 56;
	memcpy((char *)rec + 4, &v, 4);
	cr_expect_eq(avs_event_decode(rec, n, &ev, &used), 1);

	/* a payload change the crc no longer covers */
	((unsigned char *)rec)[48] ^= 0x10;
	cr_expect_eq(avs_event_decode(rec, n, &ev, &used), AVS_EBADCRC);
	((unsigned char *)rec)[48] ^= 0x10;

	/* a bad type with a valid crc */
	v = AVS_EV_NR_TYPES;
	memcpy(rec, &v, 2);
	memset((char *)rec + 12, 0, 4);
	crc = avs_crc32c(0, rec, n);
	memcpy((char *)rec + 12, &crc, 4);
	cr_expect_eq(avs_event_decode(rec, n, &ev, &used), AVS_EBADTYPE);

	/* a str_len that disagrees with the size, valid crc */
	n = avs_event_encode(&(struct avs_event){ .type = AVS_EV_MUNLOCKALL,
						  .pid = 1 }, rec, sizeof(rec));
	cr_assert_eq(n, 40);
	v = 9;
	memcpy((char *)rec + 24, &v, 4);
	memset((char *)rec + 12, 0, 4);
	crc = avs_crc32c(0, rec, n);
	memcpy((char *)rec + 12, &crc, 4);
	cr_expect_eq(avs_event_decode(rec, n, &ev, &used), AVS_EBADLEN);

	cr_expect_eq(avs_event_decode((char *)rec + 4, n, &ev, &used),
		     AVS_EBADALIGN);

	for (size_t i = 0; i < ARRAY_SIZE(codes); i++) {
		cr_expect_lt(codes[i], 0);
		for (size_t j = 0; j < i; j++) {
			cr_expect_neq(codes[i], codes[j]);
			cr_expect_str_neq(avs_decode_strerror(codes[i]),
					  avs_decode_strerror(codes[j]));
		}
	}
}

Test(event_codec, encode_invalid)
{
	uint64_t rec[32];
	struct avs_event ev = { .type = AVS_EV_NR_TYPES };

	cr_expect_eq(avs_event_encoded_size(&ev), 0);
	cr_expect_eq(avs_event_encode(&ev, rec, sizeof(rec)), 0);
	ev.type = AVS_EV_NONE;
	cr_expect_eq(avs_event_encode(&ev, rec, sizeof(rec)), 0);
	ev = (struct avs_event){ .type = AVS_EV_CHECKPOINT, .str_len = 3 };
	cr_expect_eq(avs_event_encode(&ev, rec, sizeof(rec)), 0);
	ev = (struct avs_event){ .type = AVS_EV_PAGES, .nwords = 1u << 21 };
	ev.words = (const uint64_t *)rec;	/* never read: too large */
	cr_expect_eq(avs_event_encoded_size(&ev), 0);
}

Test(event_codec, encode_zeroes_padding)
{
	uint64_t a[32], b[32];
	struct avs_event ev;
	size_t n;

	/* garbage in the union's pad and tail bytes must not reach the record */
	memset(&ev, 0xa5, sizeof(ev));
	ev.type = AVS_EV_EXIT;
	ev.flags = 0;
	ev.str_len = ev.nwords = 0;
	ev.u.exit.status = -1;
	n = avs_event_encode(&ev, a, sizeof(a));
	memset(&ev.u, 0, sizeof(ev.u));
	ev.u.exit.status = -1;
	cr_assert_eq(avs_event_encode(&ev, b, sizeof(b)), n);
	cr_expect_eq(memcmp(a, b, n), 0);
	cr_expect_eq(avs_event_payload_size(AVS_EV_EXIT), 8);
	cr_expect_eq(avs_event_payload_size(AVS_EV_VMA), 56);
	cr_expect_eq(avs_event_payload_size(AVS_EV_CHECKPOINT), 0);
}

Test(event_codec, crc32c_vectors)
{
	static const char digits[] = "123456789";
	unsigned char zeros[32] = { 0 };

	cr_expect_eq(avs_crc32c(0, digits, 9), 0xe3069283u);
	cr_expect_eq(avs_crc32c(avs_crc32c(0, digits, 4), digits + 4, 5),
		     0xe3069283u);
	cr_expect_eq(avs_crc32c(0, zeros, 32), 0x8a9136aau);	/* RFC 3720 */
	cr_expect_eq(avs_crc32c(0, NULL, 0), 0);
}

Test(event_codec, trace_header)
{
	unsigned char h[32];
	char err[128];
	uint32_t v;

	avs_trace_header_init(h);
	cr_expect_eq(memcmp(h, "AVSTRACE", 8), 0);
	cr_expect_eq(avs_trace_header_check(h, sizeof(h), err, sizeof(err)), 0);
	cr_expect_eq(avs_trace_header_check(h, 31, err, sizeof(err)), -1);
	cr_expect_not_null(strstr(err, "short"));
	v = 1;
	memcpy(h + 8, &v, 4);
	cr_expect_eq(avs_trace_header_check(h, sizeof(h), err, sizeof(err)), -1);
	cr_expect_not_null(strstr(err, "version 1"), "%s", err);
	avs_trace_header_init(h);
	h[0] = 'X';
	cr_expect_eq(avs_trace_header_check(h, sizeof(h), err, sizeof(err)), -1);
	cr_expect_not_null(strstr(err, "magic"), "%s", err);
}

Test(event_codec, parse_errors)
{
	static const struct {
		const char *line, *token;
	} bad[] = {
		{ "mmap 1 0x12z-0x2000 rw-p", "'0x12z'" },
		{ "bogus 1", "'bogus'" },
		{ "munmap 1 0x1000-0x2000 extra", "'extra'" },
		{ "munmap 1 0x3000-0x1000", "'0x3000-0x1000'" },
		{ "munmap 1 0x1001-0x2000", "'0x1001-0x2000'" },
		{ "munmap 1 0x1000", "'0x1000'" },
		{ "mmap 1 0x1000-0x2000 rw-p flags=fixed,bogus", "'bogus'" },
		{ "mmap 1 0x1000-0x2000 rw-p color=red", "'color'" },
		{ "mmap 1 0x1000-0x2000 rw-q", "'rw-q'" },
		{ "vma 1 0x1000-0x2000 rw-p vmflags=0x75", "'0x75'" },
		{ "vma 1 0x1000-0x2000 rw-p file=12", "'12'" },
		{ "madvise 1 0x1000-0x2000 sideways", "'sideways'" },
		{ "fault 1 0x1000 q", "'q'" },
		{ "pages 1 0x1000 a Z", "'Z'" },
		{ "pages 1 0x1000 a@80000000000000", "'a@80000000000000'" },
		{ "pages 1 0x1001 a", "'0x1001'" },
		{ "exit 1 status=abc", "'abc'" },
		{ "exit 1 status=2147483648", "'2147483648'" },
		{ "start 1 comm=bad%zz", "'bad%zz'" },
		{ "start 1 comm=x%4", "'x%4'" },
		{ "start 1 comm=a%20b%zz", "'a%20b%zz'" },
		{ "checkpoint 1 a=b", "'a=b'" },
		{ "munmap x1 0x1000-0x2000", "'x1'" },
		{ "fork 1 2 vm vm", "'vm'" },
		{ "fork 1 2 failed failed", "'failed'" },
		{ "mprotect 1 0x1000-0x2000 rw-p", "'rw-p'" },
		{ "mprotect 1 0x1000-0x2000 rw- xprot=0x1", "'0x1'" },
		{ "brk 1 0x1000 12", "'12'" },
		{ "@x munmap 1 0x1000-0x2000", "'@x'" },
		{ "fault 1 0x10000000000000000 r", "'0x10000000000000000'" },
		{ "mlockall 1 current,,future", "''" },
		{ "munmap 4294967296 0x1000-0x2000", "'4294967296'" },
		{ "pages 1 0x1000 failed", "pages" },
		{ "munmap 1", "munmap" },
		{ "mprotect 1 0x1000-0x2000", "mprotect" },
		{ "frame 1 0 0 0x1", "'0'" },
		{ "frame 1 2 1", "frame" },
		{ "munmap 1 0x1000-0x2000 stack=0", "'stack=0'" },
		{ "munmap 1 0x1000-0x2000 stack=1 stack=2", "'stack=2'" },
		{ "load 1 0x1000-0x2000 file=x", "'x'" },
	};
	struct avs_event ev;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		int r = avs_text_parse_line(parser, bad[i].line,
					    strlen(bad[i].line), &ev);
		const char *msg = avs_text_parser_error(parser);

		cr_expect_eq(r, -1, "'%s' parsed", bad[i].line);
		cr_expect_not_null(strstr(msg, bad[i].token),
				   "'%s': message '%s' lacks %s", bad[i].line,
				   msg, bad[i].token);
	}
}

Test(event_codec, blank_and_comment_lines)
{
	static const char *const lines[] = { "", "   ", "\t\r\n", "# x",
					     "   # mmap 1", "#" };
	struct avs_event ev;

	for (size_t i = 0; i < ARRAY_SIZE(lines); i++)
		cr_expect_eq(avs_text_parse_line(parser, lines[i],
						 strlen(lines[i]), &ev), 0);
	/* only len bytes count, and CRLF is fine */
	cr_expect_eq(avs_text_parse_line(parser, "munlockall 5 garbage", 12,
					 &ev), 1);
	cr_expect_eq(ev.type, AVS_EV_MUNLOCKALL);
	cr_expect_eq(ev.pid, 5);
	cr_expect_eq(avs_text_parse_line(parser, "exit 5\r\n", 8, &ev), 1);
	cr_expect_eq(avs_text_parse_line(parser, "exit 5\0 x", 9, &ev), -1);
}

Test(event_codec, vma_defaults)
{
	const char *line = "vma 1 0x1000-0x3000 rw-p";
	struct avs_event ev;
	char buf[256];

	parse_ok(line, &ev);
	cr_expect_eq(ev.type, AVS_EV_VMA);
	cr_expect_eq(ev.seq, 0);
	cr_expect_eq(ev.flags, 0);
	cr_expect_eq(ev.u.vma.start, 0x1000);
	cr_expect_eq(ev.u.vma.end, 0x3000);
	cr_expect_eq(ev.u.vma.pgoff, 1);
	cr_expect_eq(ev.u.vma.vm_flags, avs_vm_flags_default("rw-p", true));
	cr_expect_eq(ev.u.vma.vm_flags, VM_DATA_DEFAULT_FLAGS | VM_ACCOUNT);
	cr_expect_eq(ev.u.vma.dev, 0);
	cr_expect_eq(ev.u.vma.ino, 0);
	cr_expect_eq(ev.u.vma.state, 0);
	format_ok(&ev, buf, sizeof(buf));
	cr_expect_str_eq(buf, "vma 1 0x1000-0x3000 rw-p\n");

	/* file-backed: pgoff 0, no VM_ACCOUNT */
	parse_ok("vma 1 0x1000-0x3000 rw-p file=8:9", &ev);
	cr_expect_eq(ev.u.vma.pgoff, 0);
	cr_expect_eq(ev.u.vma.vm_flags, avs_vm_flags_default("rw-p", false));
	cr_expect_eq(ev.u.vma.dev, 8);
	cr_expect_eq(ev.u.vma.ino, 9);
}

Test(event_codec, parsed_fields)
{
	struct avs_event ev;

	parse_ok("mmap 3 0x1000-0x2000 rw-s fmode=rw", &ev);
	cr_expect_eq(ev.u.mmap.prot, AVS_PROT_READ | AVS_PROT_WRITE);
	cr_expect_eq(ev.u.mmap.flags, AVS_MAP_SHARED | AVS_MAP_ANONYMOUS);
	cr_expect_eq(ev.u.mmap.fmode, AVS_FMODE_READ | AVS_FMODE_WRITE);

	parse_ok("mmap 3 0x1000-0x2000 r-xp file=a:b flags=fixed,denywrite", &ev);
	cr_expect_eq(ev.u.mmap.flags, AVS_MAP_PRIVATE | AVS_MAP_FIXED |
				      AVS_MAP_DENYWRITE);
	cr_expect_eq(ev.u.mmap.dev, 0xa);
	cr_expect_eq(ev.u.mmap.ino, 0xb);

	/* options in any order, flag words anywhere after the positionals */
	parse_ok("@9 fork 1 2 failed vm inferred", &ev);
	cr_expect_eq(ev.seq, 9);
	cr_expect_eq(ev.u.fork.child, 2);
	cr_expect_eq(ev.u.fork.clone_flags, AVS_FORK_VM);
	cr_expect_eq(ev.flags, AVS_EVF_FAILED | AVS_EVF_INFERRED);

	parse_ok("start 7 comm=a%20b%3d%25 ppid=3", &ev);
	cr_expect_eq(ev.u.start.ppid, 3);
	cr_expect_eq(ev.str_len, 5);
	cr_expect_str_eq(ev.str, "a b=%");	/* also NUL-terminated */

	parse_ok("exit 7 status=-9", &ev);
	cr_expect_eq(ev.u.exit.status, -9);

	parse_ok("pages 7 0x5000 - z s f F a A a@12 #3", &ev);
	cr_assert_eq(ev.nwords, 9);
	cr_expect_eq(ev.u.pages.start, 0x5000);
	cr_expect_eq(ev.words[0], 0);
	cr_expect_eq(ev.words[1], AVS_PAGE_PRESENT | AVS_PAGE_ZERO);
	cr_expect_eq(ev.words[2], AVS_PAGE_SWAPPED);
	cr_expect_eq(ev.words[3], AVS_PAGE_PRESENT | AVS_PAGE_FILE);
	cr_expect_eq(ev.words[4], AVS_PAGE_PRESENT | AVS_PAGE_FILE |
				  AVS_PAGE_EXCLUSIVE);
	cr_expect_eq(ev.words[5], AVS_PAGE_PRESENT);
	cr_expect_eq(ev.words[6], AVS_PAGE_PRESENT | AVS_PAGE_EXCLUSIVE);
	cr_expect_eq(ev.words[7], AVS_PAGE_PRESENT | AVS_PAGE_PFN_KNOWN | 0x12);
	cr_expect_eq(ev.words[8], 3);

	parse_ok("mlockall 1 future,current", &ev);
	cr_expect_eq(ev.u.mlock.flags, AVS_MCL_CURRENT | AVS_MCL_FUTURE);
	parse_ok("madvise 1 0x1000-0x2000 guard_install", &ev);
	cr_expect_eq(ev.u.madvise.advice, AVS_MADV_GUARD_INSTALL);
	parse_ok("fault 1 0x1234 f", &ev);
	cr_expect_eq(ev.u.fault.access, AVS_FAULT_FORCE_WRITE);
}

Test(event_codec, format_buffer_convention)
{
	struct avs_event ev;
	char buf[8];
	int full;

	parse_ok("munmap 100 0x1000-0x3000", &ev);
	full = avs_event_format(&ev, NULL, 0);
	cr_assert_eq(full, (int)strlen("munmap 100 0x1000-0x3000\n"));
	memset(buf, 'X', sizeof(buf));
	cr_expect_eq(avs_event_format(&ev, buf, sizeof(buf)), full);
	cr_expect_str_eq(buf, "munmap ");

	ev.type = AVS_EV_NR_TYPES;
	cr_expect_eq(avs_event_format(&ev, buf, sizeof(buf)), -1);
	ev = (struct avs_event){ .type = AVS_EV_PAGES };	/* no words */
	cr_expect_eq(avs_event_format(&ev, buf, sizeof(buf)), -1);
	ev = (struct avs_event){ .type = AVS_EV_EXIT, .flags = 0x8 };
	cr_expect_eq(avs_event_format(&ev, buf, sizeof(buf)), -1);
}

struct collect {
	int n;
	int stop_at;
	uint16_t types[8];
};

static int collect_cb(const struct avs_event *ev, void *arg)
{
	struct collect *c = arg;

	if (c->n < 8)
		c->types[c->n] = ev->type;
	c->n++;
	return c->n == c->stop_at ? 42 : 0;
}

Test(event_codec, text_foreach)
{
	const char *text = "start 1\n\n  # comment\nmmap 1 0x1000-0x2000 rw-p\n"
			   "bogus 2\nexit 1\n";
	struct collect c = { 0 };
	char err[128];

	cr_expect_eq(avs_text_foreach(text, collect_cb, &c, err, sizeof(err)), -1);
	cr_expect_eq(c.n, 2);
	cr_expect_eq(strncmp(err, "line 5: ", 8), 0, "%s", err);
	cr_expect_not_null(strstr(err, "'bogus'"), "%s", err);

	c = (struct collect){ 0 };
	cr_expect_eq(avs_text_foreach("start 1\nexit 1", collect_cb, &c, err,
				      sizeof(err)), 0);
	cr_expect_eq(c.n, 2);
	cr_expect_eq(c.types[0], AVS_EV_START);
	cr_expect_eq(c.types[1], AVS_EV_EXIT);

	c = (struct collect){ .stop_at = 1 };
	cr_expect_eq(avs_text_foreach("start 1\nexit 1\n", collect_cb, &c, err,
				      sizeof(err)), 42);
	cr_expect_eq(c.n, 1);
}

Test(event_codec, type_names)
{
	for (unsigned t = 1; t < AVS_EV_NR_TYPES; t++) {
		const char *name = avs_event_type_name(t);

		cr_assert_not_null(name);
		cr_expect_eq(avs_event_type_from_name(name, strlen(name)), t);
	}
	cr_expect_null(avs_event_type_name(AVS_EV_NONE));
	cr_expect_null(avs_event_type_name(AVS_EV_NR_TYPES));
	cr_expect_eq(avs_event_type_from_name("mma", 3), AVS_EV_NONE);
	cr_expect_eq(avs_event_type_from_name("mmapx", 4), AVS_EV_MMAP);
	cr_expect_eq(avs_madvise_from_name("cold", 4), AVS_MADV_COLD);
	cr_expect_eq(avs_madvise_from_name("hot", 3), -1);
	cr_expect_str_eq(avs_madvise_name(AVS_MADV_COLLAPSE), "collapse");
	cr_expect_null(avs_madvise_name(5));
}
