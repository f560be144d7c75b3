/* SPDX-License-Identifier: MIT */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "hazard_explain.h"
#include "shadow/event_text.h"

void avs_hazard_describe(const struct avs_hazard *h, char *buf, size_t len)
{
	const char *what = avs_event_type_name(h->event_type);

	if (!what)
		what = "event";
	if (h->kind == AVS_HAZ_STRANDED)
		snprintf(buf, len, "pid %u maps page 0x%" PRIx64 " whose "
			 "anon_vma av%" PRIu64 " was freed by event %" PRIu64
			 " (%s of pid %u): an rmap walk of the page would follow "
			 "freed memory", h->pid, h->addr, h->anon_vma_id,
			 h->event_no, what, h->event_pid);
	else
		snprintf(buf, len, "pid %u maps page 0x%" PRIx64 " but a walk "
			 "of its anon_vma av%" PRIu64 " does not reach that "
			 "mapping (found at event %" PRIu64 ", %s of pid %u): "
			 "reclaim cannot unmap it", h->pid, h->addr,
			 h->anon_vma_id, h->event_no, what, h->event_pid);
}

/* Does replaying these events produce a hazard of this kind? */
static bool shows(const struct avs_event *const *ev, const size_t *idx,
		  size_t n, const struct avs_rules *rules,
		  enum avs_hazard_kind kind)
{
	struct avs_shadow *sh = avs_shadow_new(rules);
	const struct avs_hazard *h;
	bool found = false;
	size_t i, nh;

	if (!sh)
		abort();
	for (i = 0; i < n && !found; i++) {
		avs_shadow_apply(sh, ev[idx[i]]);
		h = avs_shadow_hazards(sh, &nh);
		found = nh && h[nh - 1].kind == kind;
	}
	avs_shadow_free(sh);
	return found;
}

size_t avs_hazard_minimize(const struct avs_event *const *ev, size_t n,
			   const struct avs_rules *rules,
			   enum avs_hazard_kind kind, size_t budget,
			   size_t *keep, bool *exhausted)
{
	size_t *trial = malloc((n ? n : 1) * sizeof(*trial));
	size_t len = n, gran = 2, used = 0, i;

	if (!trial)
		abort();
	for (i = 0; i < n; i++)
		keep[i] = i;
	*exhausted = false;
	while (len >= 2) {
		size_t chunk = (len + gran - 1) / gran, start;
		bool reduced = false;

		for (start = 0; start < len; start += chunk) {
			size_t end = start + chunk < len ? start + chunk : len;
			size_t t = 0;

			if (used++ >= budget) {
				*exhausted = true;
				goto out;
			}
			for (i = 0; i < len; i++)	/* the complement */
				if (i < start || i >= end)
					trial[t++] = keep[i];
			if (shows(ev, trial, t, rules, kind)) {
				memcpy(keep, trial, t * sizeof(*keep));
				len = t;
				gran = gran > 2 ? gran - 1 : 2;
				reduced = true;
				break;
			}
		}
		if (!reduced) {
			if (gran >= len)
				break;
			gran = gran * 2 < len ? gran * 2 : len;
		}
	}
out:
	free(trial);
	return len;
}

void avs_print_events(FILE *out, const struct avs_event *const *ev,
		      const size_t *idx, size_t n, const char *indent)
{
	char line[512];
	size_t i;

	for (i = 0; i < n; i++) {
		const struct avs_event *e = ev[idx ? idx[i] : i];

		if (avs_event_format(e, line, sizeof(line)) < 0)
			snprintf(line, sizeof(line), "(unprintable event)\n");
		fprintf(out, "%s%s", indent, line);
		if (!strchr(line, '\n'))
			fputc('\n', out);
	}
}
