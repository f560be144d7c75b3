/* SPDX-License-Identifier: MIT */
/* Call stacks of a trace (reports/stacks.c) and their symbolization
 * (reports/symbolize.c), on frame and load events written by hand that
 * point into this test program (built with -g). */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "reports/stacks.h"
#include "reports/symbolize.h"
#include "shadow/event_text.h"

static uint64_t ret_inner, ret_outer;

__attribute__((noinline)) static void stack_fixture_inner(void)
{
	ret_inner = (uint64_t)(uintptr_t)__builtin_return_address(0);
	__asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) static void stack_fixture_outer(void)
{
	ret_outer = (uint64_t)(uintptr_t)__builtin_return_address(0);
	stack_fixture_inner();	/* ret_inner: the line after this call */
	__asm__ volatile("" ::: "memory");
}

/* `load` lines for this program's executable mappings, from its maps. */
static size_t load_lines(char *buf, size_t len, char *exe, size_t exelen)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[4096], path[4096], perms[5];
	unsigned long long s, e, off, ino;
	unsigned maj, min;
	size_t n = 0;
	ssize_t l = readlink("/proc/self/exe", exe, exelen - 1);

	cr_assert(f && l > 0);
	exe[l] = '\0';
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx-%llx %4s %llx %x:%x %llu %4095s", &s, &e,
			   perms, &off, &maj, &min, &ino, path) == 8 &&
		    perms[2] == 'x' && !strcmp(path, exe))
			n += (size_t)snprintf(buf + n, len - n, "load 500 0x%llx-0x%llx "
				      "off=0x%llx file=%x:%llx path=%s\n", s, e,
				      off, (maj << 8) | min, ino, path);
	fclose(f);
	return n;
}

static void feed(struct avs_stacks *st, const char *text, uint32_t *last)
{
	struct avs_text_parser *p = avs_text_parser_new();
	const char *line = text;

	while (*line) {
		const char *nl = strchr(line, '\n');
		struct avs_event ev;
		int r = avs_text_parse_line(p, line, (size_t)(nl - line), &ev);

		cr_assert_geq(r, 0, "%s", avs_text_parser_error(p));
		if (r > 0)
			*last = avs_stacks_event(st, &ev);
		line = nl + 1;
	}
	avs_text_parser_free(p);
}

Test(report_stacks, frames_and_loads_symbolized)
{
	struct avs_stacks *st = avs_stacks_new();
	struct avs_symbolizer *sym = avs_symbolizer_new();
	char loads[8192], text[16384], exe[4096];
	struct avs_symbol s;
	struct avs_stack stack;
	uint32_t id = 0;

	stack_fixture_outer();
	cr_assert_gt(load_lines(loads, sizeof(loads), exe, sizeof(exe)), 0,
		     "no executable mapping of %s", exe);
	/* start empties the tables: the loads and frames come after it */
	snprintf(text, sizeof(text),
		 "start 500 comm=t\n"
		 "%s"
		 "frame 500 1 0 0x%llx\n"
		 "frame 500 2 1 0x%llx\n"
		 "mmap 500 0x10000-0x12000 rw-p anon stack=2\n", loads,
		 (unsigned long long)ret_outer, (unsigned long long)ret_inner);
	feed(st, text, &id);
	cr_assert_eq(id, 1);
	stack = avs_stacks_get(st, id);
	cr_assert_eq(stack.depth, 2);
	cr_assert_eq(stack.frame[0].ip, ret_inner);
	cr_assert_str_eq(avs_stacks_module(st, stack.frame[0].module)->path, exe);

	cr_assert_eq(avs_symbolize(sym, avs_stacks_module(st, stack.frame[0].module),
				   stack.frame[0].offset, &s), 0);
	cr_assert_str_eq(s.function, "stack_fixture_outer");
	cr_assert(s.file && strstr(s.file, "test_report_stacks.c"), "%s", s.file);
	cr_assert_gt(s.line, 0);
	/* the second lookup of an address comes from the cache */
	{
		unsigned long lookups, cached;

		avs_symbolize(sym, avs_stacks_module(st, stack.frame[0].module),
			      stack.frame[0].offset, &s);
		avs_symbolizer_stats(sym, &lookups, &cached);
		cr_assert_eq(lookups, 2);
		cr_assert_eq(cached, 1);
	}
	avs_symbolizer_free(sym);
	avs_stacks_free(st);
}

Test(report_stacks, fork_child_and_exec_start_empty)
{
	struct avs_stacks *st = avs_stacks_new();
	uint32_t id = 0;

	feed(st, "start 7\nframe 7 1 0 0x1000\nmmap 7 0x10000-0x11000 rw-p anon stack=1\n",
	     &id);
	cr_assert_eq(id, 1);
	feed(st, "fork 7 8 stack=1\nmmap 8 0x20000-0x21000 rw-p anon stack=1\n", &id);
	cr_assert_eq(id, 0, "a fork child's table starts empty");
	feed(st, "exec 7\nmmap 7 0x30000-0x31000 rw-p anon stack=1\n", &id);
	cr_assert_eq(id, 0, "an exec empties the table");
	/* a cycle in a damaged trace ends at the depth limit */
	feed(st, "frame 7 1 2 0x1000\nframe 7 2 1 0x2000\n"
		 "mmap 7 0x40000-0x41000 rw-p anon stack=1\n", &id);
	cr_assert_eq(avs_stacks_get(st, id).depth, AVS_STACK_MAX_DEPTH);
	avs_stacks_free(st);
}
