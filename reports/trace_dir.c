/* SPDX-License-Identifier: MIT */
/* Reading a capture folder: its trace files merged by seq (trace_dir.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "trace_dir.h"
#include "shadow/event_bin.h"

#define SUFFIX ".trace"

struct tfile {
	const unsigned char *base;	/* read-only mapping, NULL if empty */
	size_t len;
};

/* One valid record: where it is and its place in the merged order. */
struct entry {
	uint64_t seq;
	uint64_t off;
	uint32_t file;
	uint32_t pad;
};

struct reader {
	const char *dir;
	struct avs_trace_dir_status *st;
	struct tfile *tf;
	struct entry *ent;
	size_t nent, capent;
	char *err;
	size_t errlen;
};

/* The set of live pids: open addressing, key pid + 1 (0: empty slot). */
struct pidset {
	uint64_t *key;
	unsigned char *live;
	size_t cap, n;
};

static uint8_t *pidset_slot(struct pidset *s, uint32_t pid, bool add)
{
	size_t i, mask;

	if (add && (s->n + 1) * 2 > s->cap) {
		struct pidset ns = { 0 };
		size_t j;

		ns.cap = s->cap ? s->cap * 2 : 64;
		ns.key = calloc(ns.cap, sizeof(*ns.key));
		ns.live = calloc(ns.cap, 1);
		if (!ns.key || !ns.live)
			abort();
		for (j = 0; j < s->cap; j++)
			if (s->key[j])
				*pidset_slot(&ns, (uint32_t)(s->key[j] - 1), true) =
					s->live[j];
		free(s->key);
		free(s->live);
		*s = ns;
	}
	if (!s->cap)
		return NULL;
	mask = s->cap - 1;
	for (i = (pid * 2654435761u) & mask;; i = (i + 1) & mask) {
		if (s->key[i] == (uint64_t)pid + 1)
			return &s->live[i];
		if (!s->key[i]) {
			if (!add)
				return NULL;
			s->key[i] = (uint64_t)pid + 1;
			s->n++;
			return &s->live[i];
		}
	}
}

static bool pid_live(struct pidset *s, uint32_t pid)
{
	uint8_t *p = pidset_slot(s, pid, false);

	return p && *p;
}

static void pid_set(struct pidset *s, uint32_t pid, bool live)
{
	*pidset_slot(s, pid, true) = live;
}

static void pidset_free(struct pidset *s)
{
	free(s->key);
	free(s->live);
}

bool avs_is_dir(const char *path)
{
	struct stat sb;

	return !stat(path, &sb) && S_ISDIR(sb.st_mode);
}

static bool is_trace_name(const char *name)
{
	size_t n = strlen(name), k = sizeof(SUFFIX) - 1;

	return name[0] != '.' && n > k && !strcmp(name + n - k, SUFFIX);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct avs_trace_file_status *)a)->name,
		      ((const struct avs_trace_file_status *)b)->name);
}

static int cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	return x->off < y->off ? -1 : x->off > y->off;
}

/* The names of the folder's trace files, sorted, into st->files. */
static int list_files(struct reader *r, DIR *d)
{
	struct avs_trace_dir_status *st = r->st;
	size_t cap = 0;
	struct dirent *de;

	errno = 0;
	while ((de = readdir(d))) {
		if (!is_trace_name(de->d_name))
			continue;
		if (st->nfiles == cap) {
			cap = cap ? cap * 2 : 16;
			st->files = realloc(st->files, cap * sizeof(*st->files));
			if (!st->files)
				abort();
		}
		memset(&st->files[st->nfiles], 0, sizeof(*st->files));
		st->files[st->nfiles].name = strdup(de->d_name);
		if (!st->files[st->nfiles].name)
			abort();
		st->nfiles++;
	}
	if (errno) {
		snprintf(r->err, r->errlen, "%s: cannot list: %s", r->dir,
			 strerror(errno));
		return -1;
	}
	if (!st->nfiles) {
		snprintf(r->err, r->errlen, "%s: no *.trace files: nothing "
			 "was recorded there", r->dir);
		return -1;
	}
	if (st->nfiles)
		qsort(st->files, st->nfiles, sizeof(*st->files), cmp_name);
	return 0;
}

static int map_file(struct reader *r, int dfd, size_t i)
{
	const char *name = r->st->files[i].name;
	struct stat sb;
	void *p;
	int fd;

	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb)) {
		snprintf(r->err, r->errlen, "%s/%s: %s", r->dir, name,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		snprintf(r->err, r->errlen, "%s/%s: not a regular file",
			 r->dir, name);
		close(fd);
		return -1;
	}
	r->tf[i].len = (size_t)sb.st_size;
	if (sb.st_size > 0) {
		p = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED) {
			snprintf(r->err, r->errlen, "%s/%s: cannot map: %s",
				 r->dir, name, strerror(errno));
			close(fd);
			return -1;
		}
		r->tf[i].base = p;
	}
	close(fd);
	return 0;
}

static bool all_zero(const unsigned char *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

static void add_entry(struct reader *r, uint64_t seq, size_t file, size_t off)
{
	if (r->nent == r->capent) {
		r->capent = r->capent ? r->capent * 2 : 1024;
		r->ent = realloc(r->ent, r->capent * sizeof(*r->ent));
		if (!r->ent)
			abort();
	}
	r->ent[r->nent++] = (struct entry){ .seq = seq, .off = off,
					    .file = (uint32_t)file };
}

/* Index the valid records of file i. */
static int scan_file(struct reader *r, size_t i)
{
	struct avs_trace_file_status *fs = &r->st->files[i];
	const unsigned char *b = r->tf[i].base;
	size_t len = r->tf[i].len, off;
	uint64_t flags;
	char herr[128];

	/* A file the process created but never wrote, or cut in its
	 * header: nothing recorded. */
	if (len < AVS_TRACE_HEADER_SIZE ? all_zero(b, len) ||
	    !memcmp(b, AVS_TRACE_MAGIC, len < 8 ? len : 8) :
	    all_zero(b, AVS_TRACE_HEADER_SIZE)) {
		fs->truncated = fs->no_header = true;
		fs->bytes_lost = len < AVS_TRACE_HEADER_SIZE ? len : 0;
		r->st->truncated_files++;
		r->st->bytes_lost += fs->bytes_lost;
		return 0;
	}
	if (avs_trace_header_check(b, len, herr, sizeof(herr))) {
		snprintf(r->err, r->errlen, "%s/%s: %s", r->dir, fs->name, herr);
		return -1;
	}
	memcpy(&flags, b + 16, 8);
	fs->stopped = fs->truncated = (flags & AVS_TRACE_TRUNCATED) != 0;
	for (off = AVS_TRACE_HEADER_SIZE; off < len;) {
		struct avs_event ev;
		uint32_t size = 0;
		size_t used;
		int ret;

		if (len - off >= 8) {
			memcpy(&size, b + off + 4, 4);
			if (size == 0)
				break;	/* the unused tail: end of stream */
		}
		ret = avs_event_decode(b + off, len - off, &ev, &used);
		if (ret == 1) {
			fs->records++;
			add_entry(r, ev.seq, i, off);
			off += used;
		} else if (ret == 0) {
			fs->truncated = true;
			fs->bytes_lost = len - off;
			break;
		} else if (ret == AVS_EBADCRC) {
			fs->skipped++;	/* a cut record: size is plausible */
			off += size;
		} else {
			snprintf(r->err, r->errlen, "%s/%s: corrupt record at "
				 "byte %zu: %s", r->dir, fs->name, off,
				 avs_decode_strerror(ret));
			return -1;
		}
	}
	r->st->records += fs->records;
	r->st->skipped += fs->skipped;
	r->st->truncated_files += fs->truncated;
	r->st->bytes_lost += fs->bytes_lost;
	return 0;
}

/* The merged stream, with the start -> exec and repeated exit rules. */
static int merge(struct reader *r, avs_event_cb cb, void *arg)
{
	struct pidset live = { 0 };
	size_t i;
	int ret = 0;

	if (r->nent)
		qsort(r->ent, r->nent, sizeof(*r->ent), cmp_entry);
	for (i = 0; i < r->nent; i++) {
		const struct entry *e = &r->ent[i];
		const struct tfile *tf = &r->tf[e->file];
		struct avs_event ev;
		size_t used;

		if (avs_event_decode(tf->base + e->off, tf->len - e->off, &ev,
				     &used) != 1)
			abort();	/* was valid when scanned */
		switch (ev.type) {
		case AVS_EV_START:
			if (pid_live(&live, ev.pid)) {
				ev.type = AVS_EV_EXEC;
				r->st->starts_to_exec++;
			}
			pid_set(&live, ev.pid, true);
			break;
		case AVS_EV_EXEC:
			pid_set(&live, ev.pid, true);
			break;
		case AVS_EV_FORK:
			pid_set(&live, ev.u.fork.child, true);
			break;
		case AVS_EV_EXIT:
			if (!pid_live(&live, ev.pid)) {
				r->st->exits_dropped++;
				continue;
			}
			pid_set(&live, ev.pid, false);
			break;
		default:
			break;
		}
		r->st->events++;
		if ((ret = cb(arg, &ev)))
			break;
	}
	/* a process killed and reaped by its own parent left no exit record:
	 * it ends with its stream (docs/CAPTURE.md) */
	for (i = 0; !ret && i < live.cap; i++) {
		struct avs_event ex = { .type = AVS_EV_EXIT,
					.flags = AVS_EVF_INFERRED };

		if (!live.key[i] || !live.live[i])
			continue;
		ex.pid = (uint32_t)(live.key[i] - 1);
		r->st->events++;
		r->st->exits_inferred++;
		ret = cb(arg, &ex);
	}
	pidset_free(&live);
	return ret;
}

int avs_read_trace_dir(const char *dir, avs_event_cb cb, void *arg,
		       struct avs_trace_dir_status *st, char *err,
		       size_t errlen)
{
	struct reader r = { .dir = dir, .st = st, .err = err,
			    .errlen = errlen };
	DIR *d;
	size_t i;
	int ret = -1;

	memset(st, 0, sizeof(*st));
	d = opendir(dir);
	if (!d) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (list_files(&r, d))
		goto out;
	r.tf = calloc(st->nfiles, sizeof(*r.tf));
	if (!r.tf)
		abort();
	for (i = 0; i < st->nfiles; i++)
		if (map_file(&r, dirfd(d), i) || scan_file(&r, i))
			goto out;
	ret = merge(&r, cb, arg);
out:
	if (r.tf)
		for (i = 0; i < st->nfiles; i++)
			if (r.tf[i].base)
				munmap((void *)r.tf[i].base, r.tf[i].len);
	free(r.tf);
	free(r.ent);
	closedir(d);
	return ret;
}

void avs_trace_dir_status_free(struct avs_trace_dir_status *st)
{
	size_t i;

	for (i = 0; i < st->nfiles; i++)
		free(st->files[i].name);
	free(st->files);
	memset(st, 0, sizeof(*st));
}

void avs_trace_dir_describe(const char *dir,
			    const struct avs_trace_dir_status *st, FILE *out)
{
	size_t i;

	fprintf(out, "capture %s: %zu trace file%s, %lu events", dir,
		st->nfiles, st->nfiles == 1 ? "" : "s", st->events);
	if (st->starts_to_exec || st->exits_dropped)
		fprintf(out, " (%lu start%s read as exec, %lu exit%s of no "
			"live process dropped)", st->starts_to_exec,
			st->starts_to_exec == 1 ? "" : "s", st->exits_dropped,
			st->exits_dropped == 1 ? "" : "s");
	if (st->skipped || st->truncated_files)
		fprintf(out, "; %lu cut record%s skipped, %zu truncated file%s",
			st->skipped, st->skipped == 1 ? "" : "s",
			st->truncated_files, st->truncated_files == 1 ? "" : "s");
	fputc('\n', out);
	for (i = 0; i < st->nfiles; i++) {
		const struct avs_trace_file_status *f = &st->files[i];

		if (f->skipped)
			fprintf(out, "  %s: %lu cut record%s skipped (checksum "
				"mismatch)\n", f->name, f->skipped,
				f->skipped == 1 ? "" : "s");
		if (f->no_header)
			fprintf(out, "  %s: no trace header (%zu bytes): its "
				"process recorded nothing\n", f->name,
				f->bytes_lost);
		else if (f->truncated && f->bytes_lost)
			fprintf(out, "  %s: truncated: the last %zu bytes hold a "
				"partial record; %lu whole records used\n",
				f->name, f->bytes_lost, f->records);
		if (f->stopped)
			fprintf(out, "  %s: truncated: its recorder stopped "
				"early (full disk or trace window); %lu records "
				"used\n", f->name, f->records);
	}
}
