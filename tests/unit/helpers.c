/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include "helpers.h"
#include "reports/graph.h"
#include "shadow/event_text.h"

struct avs_shadow *t_shadow(void)
{
	struct avs_shadow *sh = avs_shadow_new(NULL);

	cr_assert_not_null(sh);
	avs_shadow_set_check_each_event(sh, true);
	return sh;
}

static int apply_one(const struct avs_event *ev, void *arg)
{
	struct avs_shadow *sh = arg;
	int ret = avs_shadow_apply(sh, ev);

	cr_assert_eq(ret, 0, "event %llu did not apply cleanly: %s",
		     (unsigned long long)avs_shadow_events(sh),
		     avs_shadow_last_warning(sh));
	return 0;
}

void t_apply(struct avs_shadow *sh, const char *events)
{
	char err[256];
	int ret = avs_text_foreach(events, apply_one, sh, err, sizeof(err));

	cr_assert_eq(ret, 0, "bad events: %s", err);
}

char *t_graph(const struct avs_shadow *sh)
{
	return avs_graph_text_string(sh);
}

struct avs_walk t_walk(const struct avs_shadow *sh, uint32_t pid,
		       uint64_t addr)
{
	struct avs_walk w;

	cr_assert_eq(avs_rmap_walk(sh, pid, addr, &w), 0,
		     "no anon folio at %u:0x%llx", pid,
		     (unsigned long long)addr);
	return w;
}
