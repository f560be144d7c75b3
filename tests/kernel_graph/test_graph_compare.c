/* SPDX-License-Identifier: MIT */
/* graph_compare: graph documents equal up to renaming of anon_vma IDs. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "reports/kernel/graph_compare.h"
#include "reports/graph.h"
#include "shadow/event_text.h"
#include "shadow/shadow.h"

/* A parent 100 and its fork child 101, shadow names. */
static const char SHADOW[] =
	"{\"processes\":["
	"{\"pid\":100,\"vmas\":["
	"{\"start\":\"0x10000\",\"end\":\"0x14000\",\"pgoff\":16,\"perms\":\"rw-p\","
	"\"anon_vma\":\"av1\",\"chain\":[\"av1\"]},"
	"{\"start\":\"0x14000\",\"end\":\"0x20000\",\"pgoff\":20,\"perms\":\"---p\","
	"\"anon_vma\":null,\"chain\":[]}]},"
	"{\"pid\":101,\"vmas\":["
	"{\"start\":\"0x10000\",\"end\":\"0x14000\",\"pgoff\":16,\"perms\":\"rw-p\","
	"\"anon_vma\":\"av2\",\"chain\":[\"av2\",\"av1\"]},"
	"{\"start\":\"0x14000\",\"end\":\"0x20000\",\"pgoff\":20,\"perms\":\"---p\","
	"\"anon_vma\":null,\"chain\":[]}]}],"
	"\"anon_vmas\":["
	"{\"id\":\"av1\",\"root\":\"av1\",\"parent\":\"av1\",\"num_children\":2,"
	"\"num_active_vmas\":1},"
	"{\"id\":\"av2\",\"root\":\"av1\",\"parent\":\"av1\",\"num_children\":0,"
	"\"num_active_vmas\":1}]}";

/* The same graph with kernel names, anon_vmas in another order. */
#define K1 "kffff888100000010"
#define K2 "kffff888100000ab0"
static const char KERNEL[] =
	"{\"processes\":["
	"{\"pid\":100,\"vmas\":["
	"{\"start\":\"0x10000\",\"end\":\"0x14000\",\"pgoff\":16,\"perms\":\"rw-p\","
	"\"anon_vma\":\"" K1 "\",\"chain\":[\"" K1 "\"]},"
	"{\"start\":\"0x14000\",\"end\":\"0x20000\",\"pgoff\":20,\"perms\":\"---p\","
	"\"anon_vma\":null,\"chain\":[]}]},"
	"{\"pid\":101,\"vmas\":["
	"{\"start\":\"0x10000\",\"end\":\"0x14000\",\"pgoff\":16,\"perms\":\"rw-p\","
	"\"anon_vma\":\"" K2 "\",\"chain\":[\"" K2 "\",\"" K1 "\"]},"
	"{\"start\":\"0x14000\",\"end\":\"0x20000\",\"pgoff\":20,\"perms\":\"---p\","
	"\"anon_vma\":null,\"chain\":[]}]}],"
	"\"anon_vmas\":["
	"{\"id\":\"" K2 "\",\"root\":\"" K1 "\",\"parent\":\"" K1 "\","
	"\"num_children\":0,\"num_active_vmas\":1},"
	"{\"id\":\"" K1 "\",\"root\":\"" K1 "\",\"parent\":\"" K1 "\","
	"\"num_children\":2,\"num_active_vmas\":1}]}";

/* s with the first occurrence of from replaced by to (malloc'd). */
static char *subst(const char *s, const char *from, const char *to)
{
	const char *p = strstr(s, from);
	size_t n = strlen(s) - strlen(from) + strlen(to) + 1;
	char *r = malloc(n);

	cr_assert_not_null(p, "'%s' not in the document", from);
	memcpy(r, s, (size_t)(p - s));
	strcpy(r + (p - s), to);
	strcat(r, p + strlen(from));
	return r;
}

struct result {
	int n;
	struct avs_graph_agreement ag;
	char *report;
};

static struct result compare(const char *a, const char *b)
{
	struct result r;
	size_t len = 0;
	FILE *f;

	r.report = NULL;
	f = open_memstream(&r.report, &len);
	cr_assert_not_null(f);
	r.n = avs_graph_compare(a, b, "shadow", "kernel", f, &r.ag);
	fclose(f);
	return r;
}

#define expect_line(r, s)                                                   \
	cr_expect(strstr((r).report, (s)) != NULL,                          \
		  "report lacks '%s':\n%s", (s), (r).report)

Test(graph_compare, equal_up_to_renaming)
{
	struct result r = compare(SHADOW, KERNEL);

	cr_expect_eq(r.n, 0, "%s", r.report);
	cr_expect_eq(r.ag.pids, 2);
	cr_expect_eq(r.ag.vmas, 4);
	cr_expect_eq(r.ag.vmas_agree, 4);
	cr_expect_eq(r.ag.anon_vmas, 2);
	cr_expect_eq(r.ag.anon_vmas_agree, 2);
	cr_expect_eq(r.ag.chains, 2);
	cr_expect_eq(r.ag.chains_agree, 2);
	expect_line(r, "agree: VMAS 4/4, ANON_VMAS 2/2, CHAINS 2/2\n");
	free(r.report);
	r = compare(KERNEL, SHADOW);
	cr_expect_eq(r.n, 0, "%s", r.report);
	free(r.report);
	r = compare(SHADOW, SHADOW);
	cr_expect_eq(r.n, 0, "%s", r.report);
	free(r.report);
}

Test(graph_compare, swapped_chain_order)
{
	char *k = subst(KERNEL, "[\"" K2 "\",\"" K1 "\"]",
			"[\"" K1 "\",\"" K2 "\"]");
	struct result r = compare(SHADOW, k);

	cr_expect_geq(r.n, 1);
	expect_line(r, "pid 101 vma 0x10000-0x14000: chain[0] av2 vs " K1
		       ": maps to a different anon_vma");
	expect_line(r, "pid 101 vma 0x10000-0x14000: chain[1] av1 vs " K2
		       ": maps to a different anon_vma");
	cr_expect_eq(r.ag.chains_agree, 1);
	cr_expect_eq(r.ag.chains, 2);
	free(r.report);
	free(k);
}

Test(graph_compare, wrong_num_children)
{
	char *k = subst(KERNEL, "\"num_children\":2", "\"num_children\":3");
	struct result r = compare(SHADOW, k);

	cr_expect_eq(r.n, 1, "%s", r.report);
	expect_line(r, "pid 100 vma 0x10000-0x14000: anon_vma av1 ~ " K1
		       ": num_children 2 vs 3\n");
	expect_line(r, "agree: VMAS 4/4, ANON_VMAS 1/2, CHAINS 2/2\n");
	free(r.report);
	free(k);
}

Test(graph_compare, wrong_num_active_vmas_and_root)
{
	char *k = subst(KERNEL, "\"root\":\"" K1 "\",\"parent\":\"" K1 "\","
			"\"num_children\":0,\"num_active_vmas\":1",
			"\"root\":\"" K2 "\",\"parent\":\"" K1 "\","
			"\"num_children\":0,\"num_active_vmas\":2");
	struct result r = compare(SHADOW, k);

	cr_expect_eq(r.n, 2, "%s", r.report);
	expect_line(r, "pid 101 vma 0x10000-0x14000: anon_vma av2 ~ " K2
		       ": root av1 vs " K2 ": maps to a different anon_vma");
	expect_line(r, "pid 101 vma 0x10000-0x14000: anon_vma av2 ~ " K2
		       ": num_active_vmas 1 vs 2\n");
	free(r.report);
	free(k);
}

Test(graph_compare, different_vma_end)
{
	char *k = subst(KERNEL, "\"end\":\"0x14000\"", "\"end\":\"0x15000\"");
	struct result r = compare(SHADOW, k);
	char *k2;

	cr_expect_eq(r.n, 1, "%s", r.report);
	expect_line(r, "pid 100 vma 0x10000-0x14000: end 0x14000 vs 0x15000\n");
	expect_line(r, "agree: VMAS 3/4,");
	free(r.report);
	/* a VMA the other side does not have */
	k2 = subst(k, "\"start\":\"0x14000\"", "\"start\":\"0x15000\"");
	r = compare(SHADOW, k2);
	expect_line(r, "pid 100 vma 0x14000-0x20000: only in shadow (---p, "
		       "anon_vma null)\n");
	expect_line(r, "pid 100 vma 0x15000-0x20000: only in kernel (---p, "
		       "anon_vma null)\n");
	cr_expect_eq(r.n, 3, "%s", r.report);
	free(r.report);
	free(k2);
	free(k);
}

Test(graph_compare, perms_and_pgoff)
{
	char *k = subst(KERNEL, "\"pgoff\":16,\"perms\":\"rw-p\"",
			"\"pgoff\":17,\"perms\":\"r--p\"");
	struct result r = compare(SHADOW, k);

	cr_expect_eq(r.n, 2, "%s", r.report);
	expect_line(r, "pid 100 vma 0x10000-0x14000: perms rw-p vs r--p\n");
	expect_line(r, "pid 100 vma 0x10000-0x14000: pgoff 16 vs 17\n");
	free(r.report);
	free(k);
}

/* Both of A's anon_vmas named by one kernel anon_vma. */
Test(graph_compare, inconsistent_renaming)
{
	char *k = subst(KERNEL, "\"anon_vma\":\"" K2 "\",\"chain\":[\"" K2
			"\",\"" K1 "\"]", "\"anon_vma\":\"" K1 "\",\"chain\":[\""
			K1 "\",\"" K1 "\"]");
	struct result r = compare(SHADOW, k);

	cr_expect_geq(r.n, 2, "%s", r.report);
	expect_line(r, "pid 101 vma 0x10000-0x14000: anon_vma av2 vs " K1
		       ": maps to a different anon_vma (kernel " K1
		       " corresponds to shadow av1)\n");
	expect_line(r, "pid 101 vma 0x10000-0x14000: chain[0] av2 vs " K1
		       ": maps to a different anon_vma");
	free(r.report);
	free(k);
}

Test(graph_compare, null_anon_vma_and_chain_length)
{
	char *k = subst(KERNEL, "\"anon_vma\":\"" K1 "\",\"chain\":[\"" K1
			"\"]", "\"anon_vma\":null,\"chain\":[]");
	struct result r = compare(SHADOW, k);

	expect_line(r, "pid 100 vma 0x10000-0x14000: anon_vma av1 vs null\n");
	expect_line(r, "pid 100 vma 0x10000-0x14000: chain length 1 vs 0: "
		       "[av1] vs []\n");
	cr_expect_eq(r.n, 2, "%s", r.report);
	free(r.report);
	free(k);
}

Test(graph_compare, pid_in_one_document_only)
{
	char *k = subst(KERNEL, "\"pid\":101", "\"pid\":102");
	struct result r = compare(SHADOW, k);

	cr_expect_eq(r.n, 0, "%s", r.report);
	cr_expect_eq(r.ag.pids, 1);
	expect_line(r, "note: pid 101 only in shadow\n");
	expect_line(r, "note: pid 102 only in kernel\n");
	free(r.report);
	free(k);
}

Test(graph_compare, malformed_documents)
{
	struct result r = compare("{\"processes\":", KERNEL);

	cr_expect_eq(r.n, -1);
	expect_line(r, "graph compare: shadow: not JSON");
	free(r.report);
	r = compare(SHADOW, "{\"processes\":[{\"pid\":1,\"vmas\":[{\"start\":"
			    "\"0x1000\"}]}],\"anon_vmas\":[]}");
	cr_expect_eq(r.n, -1);
	expect_line(r, "graph compare: kernel: pid 1 vmas[0]: needs");
	free(r.report);
	r = compare(SHADOW, "[]");
	cr_expect_eq(r.n, -1);
	free(r.report);
	cr_expect_eq(avs_graph_compare(NULL, SHADOW, NULL, NULL, NULL, NULL), -1);
}

Test(graph_compare, filter_region_and_pids)
{
	int pids[] = { 101 };
	char err[256];
	char *f = avs_graph_filter(SHADOW, pids, 1, 0x10000, 0x14000, err,
				   sizeof(err));
	struct result r;

	cr_assert_not_null(f, "%s", err);
	cr_expect_str_eq(f,
		"{\"processes\":[{\"pid\":101,\"vmas\":["
		"{\"start\":\"0x10000\",\"end\":\"0x14000\",\"pgoff\":16,"
		"\"perms\":\"rw-p\",\"anon_vma\":\"av2\",\"chain\":[\"av2\","
		"\"av1\"]}]}],\"anon_vmas\":["
		"{\"id\":\"av1\",\"root\":\"av1\",\"parent\":\"av1\","
		"\"num_children\":2,\"num_active_vmas\":1},"
		"{\"id\":\"av2\",\"root\":\"av1\",\"parent\":\"av1\","
		"\"num_children\":0,\"num_active_vmas\":1}]}");
	/* a filtered kernel document compares equal to the filtered shadow */
	{
		char *g = avs_graph_filter(KERNEL, pids, 1, 0x10000, 0x14000,
					   err, sizeof(err));

		cr_assert_not_null(g, "%s", err);
		r = compare(f, g);
		cr_expect_eq(r.n, 0, "%s", r.report);
		expect_line(r, "agree: VMAS 1/1, ANON_VMAS 2/2, CHAINS 1/1\n");
		free(r.report);
		free(g);
	}
	free(f);
	f = avs_graph_filter(SHADOW, NULL, 0, 0x14000, 0x20000, err,
			     sizeof(err));
	cr_assert_not_null(f, "%s", err);
	cr_expect(strstr(f, "\"anon_vmas\":[]}") != NULL, "%s", f);
	cr_expect(strstr(f, "\"pid\":100") && strstr(f, "\"pid\":101"), "%s", f);
	free(f);
	cr_expect_null(avs_graph_filter("nope", NULL, 0, 0, 1, err,
					sizeof(err)));
}

/* The shadow's own JSON (avs_graph_json) against itself renamed the way
 * avshadow-kgraph names anon_vmas. */
static int apply_cb(const struct avs_event *ev, void *arg)
{
	cr_assert_eq(avs_shadow_apply(arg, ev), 0, "%s",
		     avs_shadow_last_warning(arg));
	return 0;
}

Test(graph_compare, shadow_json_renamed)
{
	static const char events[] =
		"start 100\n"
		"mmap 100 0x10000000-0x10010000 rw-p anon\n"
		"fault 100 0x10000000 w\n"
		"mprotect 100 0x10004000-0x10008000 r--\n"
		"fork 100 101\n"
		"fault 101 0x10000000 w\n"
		"fork 101 102\n"
		"exit 101\n"
		"fork 102 103\n";
	struct avs_shadow *sh = avs_shadow_new(NULL);
	char err[256], *buf = NULL, *ren, *o;
	size_t len = 0, cap;
	FILE *f;
	const char *p;
	struct result r;

	cr_assert_not_null(sh);
	cr_assert_eq(avs_text_foreach(events, apply_cb, sh, err, sizeof(err)),
		     0, "%s", err);
	f = open_memstream(&buf, &len);
	avs_graph_json(sh, f);
	fclose(f);
	/* "avN" -> "kffff8881000N00" */
	cap = 2 * len + 1;
	ren = malloc(cap);
	for (p = buf, o = ren; *p;) {
		if (p[0] == '"' && p[1] == 'a' && p[2] == 'v') {
			unsigned long n = strtoul(p + 3, (char **)&p, 10);

			o += sprintf(o, "\"kffff8881%04lx00", n * 7);
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	r = compare(buf, ren);
	cr_expect_eq(r.n, 0, "%s\n%s\n%s", r.report, buf, ren);
	cr_expect_gt(r.ag.chains, 3);
	cr_expect_eq(r.ag.chains, r.ag.chains_agree);
	cr_expect_eq(r.ag.anon_vmas, r.ag.anon_vmas_agree);
	free(r.report);
	free(ren);
	free(buf);
	avs_shadow_free(sh);
}
