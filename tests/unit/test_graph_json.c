/* SPDX-License-Identifier: MIT */
/* avshadow graph's JSON: exactly the documented shape, parsed back. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "helpers.h"
#include "reports/graph.h"

static struct json_object *graph_json(const struct avs_shadow *sh)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json_object *o;

	avs_graph_json(sh, f);
	fclose(f);
	o = json_tokener_parse(buf);
	cr_assert_not_null(o, "not JSON: %s", buf);
	free(buf);
	return o;
}

/* The object has exactly these keys. */
static void expect_keys(struct json_object *o, const char *const *keys,
			size_t n)
{
	size_t i;

	cr_assert(json_object_is_type(o, json_type_object));
	cr_expect_eq((size_t)json_object_object_length(o), n);
	for (i = 0; i < n; i++)
		cr_expect(json_object_object_get_ex(o, keys[i], NULL),
			  "key %s missing", keys[i]);
}

static const char *str(struct json_object *o, const char *key)
{
	struct json_object *v;

	cr_assert(json_object_object_get_ex(o, key, &v), "%s", key);
	return json_object_get_string(v);
}

Test(graph_json, shape_and_values_after_fork)
{
	static const char *const top[] = { "processes", "anon_vmas" };
	static const char *const proc[] = { "pid", "vmas" };
	static const char *const vma[] = { "start", "end", "pgoff", "perms",
					   "anon_vma", "chain" };
	static const char *const av[] = { "id", "root", "parent",
					  "num_children", "num_active_vmas" };
	struct avs_shadow *sh = t_shadow();
	struct json_object *g, *procs, *avs, *p, *v, *chain, *a;
	size_t i;

	t_apply(sh, "start 100\n"
		    "mmap 100 0x10000000-0x10004000 rw-p anon\n"
		    "mmap 100 0x20000000-0x20001000 r--p file=801:1234 off=0x3000\n"
		    "fault 100 0x10000000 w\n"
		    "fork 100 101\n");
	g = graph_json(sh);
	expect_keys(g, top, 2);
	json_object_object_get_ex(g, "processes", &procs);
	json_object_object_get_ex(g, "anon_vmas", &avs);
	cr_assert_eq(json_object_array_length(procs), 2);
	for (i = 0; i < 2; i++) {
		p = json_object_array_get_idx(procs, i);
		expect_keys(p, proc, 2);
		json_object_object_get_ex(p, "vmas", &v);
		cr_assert_eq(json_object_array_length(v), 2,
			     "file-backed VMAs are listed too");
		expect_keys(json_object_array_get_idx(v, 0), vma, 6);
	}
	p = json_object_array_get_idx(procs, 1);
	json_object_object_get_ex(p, "vmas", &v);
	v = json_object_array_get_idx(v, 0);
	cr_expect_str_eq(str(v, "start"), "0x10000000");
	cr_expect_str_eq(str(v, "end"), "0x10004000");
	cr_expect_str_eq(str(v, "perms"), "rw-p");
	cr_expect_str_eq(str(v, "anon_vma"), "av2");
	json_object_object_get_ex(v, "pgoff", &a);
	cr_expect_eq(json_object_get_int64(a), 0x10000);
	json_object_object_get_ex(v, "chain", &chain);
	cr_assert_eq(json_object_array_length(chain), 2);
	cr_expect_str_eq(json_object_get_string(json_object_array_get_idx(chain, 0)), "av2");
	cr_expect_str_eq(json_object_get_string(json_object_array_get_idx(chain, 1)), "av1");
	/* the file mapping: no anon_vma (null), pgoff is the file offset */
	json_object_object_get_ex(p, "vmas", &v);
	v = json_object_array_get_idx(v, 1);
	json_object_object_get_ex(v, "anon_vma", &a);
	cr_expect(a == NULL || json_object_is_type(a, json_type_null));
	json_object_object_get_ex(v, "pgoff", &a);
	cr_expect_eq(json_object_get_int64(a), 3);

	cr_assert_eq(json_object_array_length(avs), 2);
	a = json_object_array_get_idx(avs, 0);
	expect_keys(a, av, 5);
	cr_expect_str_eq(str(a, "id"), "av1");
	cr_expect_str_eq(str(a, "root"), "av1");
	cr_expect_str_eq(str(a, "parent"), "av1", "a root is its own parent");
	a = json_object_array_get_idx(avs, 1);
	cr_expect_str_eq(str(a, "parent"), "av1");
	json_object_put(g);
	avs_shadow_free(sh);
}
