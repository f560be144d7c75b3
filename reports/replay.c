/* SPDX-License-Identifier: MIT */
#include "replay.h"

static void diag(void *arg, const char *msg)
{
	struct avs_replay *r = arg;

	if (!r->diag)
		return;
	if (r->diag_printed++ < r->max_diag)
		fprintf(r->diag, "avshadow: warning: %s\n", msg);
}

static int apply(void *arg, const struct avs_event *ev)
{
	struct avs_replay *r = arg;

	if (avs_shadow_apply(r->sh, ev) < 0)
		r->invariant_failures++;
	if (ev->type == AVS_EV_CHECKPOINT && r->on_checkpoint)
		r->on_checkpoint(r->arg, r->sh, ev);
	return 0;
}

int avs_replay_file(const char *path, struct avs_replay *r, char *err,
		    size_t errlen)
{
	int ret;

	r->sh = avs_shadow_new(r->rules);
	if (!r->sh) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	avs_shadow_set_diag(r->sh, diag, r);
	avs_shadow_set_check_each_event(r->sh, r->check);
	ret = avs_read_input(path, apply, r, &r->st, err, errlen);
	if (r->diag && r->diag_printed > r->max_diag)
		fprintf(r->diag, "avshadow: ... %lu more warnings\n",
			r->diag_printed - r->max_diag);
	if (r->diag && r->st.truncated)
		fprintf(r->diag, "avshadow: warning: %s is truncated: the last "
			"%zu bytes hold a partial record; %lu whole events used\n",
			path, r->st.bytes_lost, r->st.events);
	return ret < 0 ? -1 : 0;
}
