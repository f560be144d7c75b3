/* SPDX-License-Identifier: MIT */
/* Names of event types, madvise advices and flag bits in the text form. */
#include <string.h>
#include "shadow/event.h"
#include "shadow/event_text.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const type_names[AVS_EV_NR_TYPES] = {
	[AVS_EV_START] = "start",
	[AVS_EV_VMA] = "vma",
	[AVS_EV_FORK] = "fork",
	[AVS_EV_EXEC] = "exec",
	[AVS_EV_EXIT] = "exit",
	[AVS_EV_MMAP] = "mmap",
	[AVS_EV_MUNMAP] = "munmap",
	[AVS_EV_MPROTECT] = "mprotect",
	[AVS_EV_MREMAP] = "mremap",
	[AVS_EV_MADVISE] = "madvise",
	[AVS_EV_BRK] = "brk",
	[AVS_EV_MLOCK] = "mlock",
	[AVS_EV_MUNLOCK] = "munlock",
	[AVS_EV_MLOCKALL] = "mlockall",
	[AVS_EV_MUNLOCKALL] = "munlockall",
	[AVS_EV_FAULT] = "fault",
	[AVS_EV_PAGES] = "pages",
	[AVS_EV_SWAPOUT] = "swapout",
	[AVS_EV_SWAPIN] = "swapin",
	[AVS_EV_CHECKPOINT] = "checkpoint",
	[AVS_EV_FRAME] = "frame",
	[AVS_EV_LOAD] = "load",
};

/* True if name[0..len) is exactly the NUL-terminated s. */
static int name_eq(const char *name, size_t len, const char *s)
{
	return strlen(s) == len && memcmp(name, s, len) == 0;
}

const char *avs_event_type_name(unsigned type)
{
	return type < AVS_EV_NR_TYPES ? type_names[type] : NULL;
}

unsigned avs_event_type_from_name(const char *name, size_t len)
{
	for (unsigned t = 1; t < AVS_EV_NR_TYPES; t++)
		if (name_eq(name, len, type_names[t]))
			return t;
	return AVS_EV_NONE;
}

static const struct avs_flag_name madvise_names[] = {
	{ "normal", AVS_MADV_NORMAL },
	{ "random", AVS_MADV_RANDOM },
	{ "sequential", AVS_MADV_SEQUENTIAL },
	{ "willneed", AVS_MADV_WILLNEED },
	{ "dontneed", AVS_MADV_DONTNEED },
	{ "free", AVS_MADV_FREE },
	{ "remove", AVS_MADV_REMOVE },
	{ "dontfork", AVS_MADV_DONTFORK },
	{ "dofork", AVS_MADV_DOFORK },
	{ "mergeable", AVS_MADV_MERGEABLE },
	{ "unmergeable", AVS_MADV_UNMERGEABLE },
	{ "hugepage", AVS_MADV_HUGEPAGE },
	{ "nohugepage", AVS_MADV_NOHUGEPAGE },
	{ "dontdump", AVS_MADV_DONTDUMP },
	{ "dodump", AVS_MADV_DODUMP },
	{ "wipeonfork", AVS_MADV_WIPEONFORK },
	{ "keeponfork", AVS_MADV_KEEPONFORK },
	{ "cold", AVS_MADV_COLD },
	{ "pageout", AVS_MADV_PAGEOUT },
	{ "populate_read", AVS_MADV_POPULATE_READ },
	{ "populate_write", AVS_MADV_POPULATE_WRITE },
	{ "dontneed_locked", AVS_MADV_DONTNEED_LOCKED },
	{ "collapse", AVS_MADV_COLLAPSE },
	{ "guard_install", AVS_MADV_GUARD_INSTALL },
	{ "guard_remove", AVS_MADV_GUARD_REMOVE },
};

const char *avs_madvise_name(uint32_t advice)
{
	for (size_t i = 0; i < ARRAY_SIZE(madvise_names); i++)
		if (madvise_names[i].bit == advice)
			return madvise_names[i].name;
	return NULL;
}

int64_t avs_madvise_from_name(const char *name, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(madvise_names); i++)
		if (name_eq(name, len, madvise_names[i].name))
			return madvise_names[i].bit;
	return -1;
}

/* In bit order, which is the canonical order of a flag list. */
static const struct avs_flag_name mmap_flags[] = {
	{ "fixed", AVS_MAP_FIXED },
	{ "growsdown", AVS_MAP_GROWSDOWN },
	{ "denywrite", AVS_MAP_DENYWRITE },
	{ "executable", AVS_MAP_EXECUTABLE },
	{ "locked", AVS_MAP_LOCKED },
	{ "noreserve", AVS_MAP_NORESERVE },
	{ "populate", AVS_MAP_POPULATE },
	{ "nonblock", AVS_MAP_NONBLOCK },
	{ "stack", AVS_MAP_STACK },
	{ "hugetlb", AVS_MAP_HUGETLB },
	{ "sync", AVS_MAP_SYNC },
	{ "fixed_noreplace", AVS_MAP_FIXED_NOREPLACE },
};

static const struct avs_flag_name mremap_flags[] = {
	{ "maymove", AVS_MREMAP_MAYMOVE },
	{ "fixed", AVS_MREMAP_FIXED },
	{ "dontunmap", AVS_MREMAP_DONTUNMAP },
};

static const struct avs_flag_name mlockall_flags[] = {
	{ "current", AVS_MCL_CURRENT },
	{ "future", AVS_MCL_FUTURE },
	{ "onfault", AVS_MCL_ONFAULT },
};

const struct avs_flag_names avs_mmap_flag_names = {
	mmap_flags, ARRAY_SIZE(mmap_flags)
};
const struct avs_flag_names avs_mremap_flag_names = {
	mremap_flags, ARRAY_SIZE(mremap_flags)
};
const struct avs_flag_names avs_mlockall_flag_names = {
	mlockall_flags, ARRAY_SIZE(mlockall_flags)
};
