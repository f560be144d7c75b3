/* SPDX-License-Identifier: MIT */
/* The binary record form of events (layout in event_bin.h). */
#include <stdio.h>
#include <string.h>
#include "shadow/event_bin.h"
#include "shadow/crc32c.h"

/* Records are the in-memory bytes; words are used in place on decode. */
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the binary event form assumes a little-endian host"
#endif

#define ALIGN8(x) (((x) + 7) & ~(uint64_t)7)
#define MSIZE(m) sizeof(((struct avs_event *)0)->u.m)
#define UOFF(f) (offsetof(struct avs_event, u.f) - offsetof(struct avs_event, u))

/* Record header offsets */
#define R_TYPE		0
#define R_FLAGS		2
#define R_SIZE		4
#define R_PID		8
#define R_CRC		12
#define R_SEQ		16
#define R_STR_LEN	24
#define R_NWORDS	28
#define R_STACK		32
#define R_RESERVED	36

/*
 * The payload of a type: msize bytes of the union member, zero-filled to
 * size, with the member's pad field [pad_off, pad_off + pad_len) zeroed so
 * the record never carries uninitialised bytes.
 */
struct payload {
	uint8_t size, msize, pad_off, pad_len;
};

#define NOPAD(m) { ALIGN8(MSIZE(m)), MSIZE(m), 0, 0 }
#define PAD(m) { ALIGN8(MSIZE(m)), MSIZE(m), UOFF(m.pad), MSIZE(m.pad) }

static const struct payload payloads[AVS_EV_NR_TYPES] = {
	[AVS_EV_START] = PAD(start),
	[AVS_EV_VMA] = PAD(vma),
	[AVS_EV_FORK] = NOPAD(fork),
	[AVS_EV_EXEC] = PAD(start),
	[AVS_EV_EXIT] = NOPAD(exit),
	[AVS_EV_MMAP] = PAD(mmap),
	[AVS_EV_MUNMAP] = NOPAD(range),
	[AVS_EV_MPROTECT] = PAD(mprotect),
	[AVS_EV_MREMAP] = PAD(mremap),
	[AVS_EV_MADVISE] = PAD(madvise),
	[AVS_EV_BRK] = NOPAD(brk),
	[AVS_EV_MLOCK] = PAD(mlock),
	[AVS_EV_MUNLOCK] = NOPAD(range),
	[AVS_EV_MLOCKALL] = PAD(mlock),
	[AVS_EV_MUNLOCKALL] = { 0, 0, 0, 0 },
	[AVS_EV_FAULT] = PAD(fault),
	[AVS_EV_PAGES] = NOPAD(pages),
	[AVS_EV_SWAPOUT] = NOPAD(range),
	[AVS_EV_SWAPIN] = NOPAD(range),
	[AVS_EV_CHECKPOINT] = { 0, 0, 0, 0 },
	[AVS_EV_FRAME] = NOPAD(frame),
	[AVS_EV_LOAD] = NOPAD(load),
};

_Static_assert(sizeof(((struct avs_event *)0)->u) <= 255,
	       "payload sizes must fit in uint8_t");

static int type_valid(unsigned type)
{
	return type > AVS_EV_NONE && type < AVS_EV_NR_TYPES;
}

size_t avs_event_payload_size(unsigned type)
{
	return type_valid(type) ? payloads[type].size : 0;
}

void avs_trace_header_init(void *buf)
{
	unsigned char *p = buf;
	uint32_t version = AVS_TRACE_VERSION, hsize = AVS_TRACE_HEADER_SIZE;

	memset(p, 0, AVS_TRACE_HEADER_SIZE);
	memcpy(p, AVS_TRACE_MAGIC, 8);
	memcpy(p + 8, &version, 4);
	memcpy(p + 12, &hsize, 4);
}

int avs_trace_header_check(const void *buf, size_t len, char *err,
			   size_t errlen)
{
	const unsigned char *p = buf;
	uint32_t version, hsize;
	uint64_t flags;
	const char *msg = NULL;

	if (len < AVS_TRACE_HEADER_SIZE) {
		msg = "short trace header";
		goto fail;
	}
	if (memcmp(p, AVS_TRACE_MAGIC, 8) != 0) {
		msg = "bad magic: not an avshadow trace";
		goto fail;
	}
	memcpy(&version, p + 8, 4);
	memcpy(&hsize, p + 12, 4);
	memcpy(&flags, p + 16, 8);
	if (version != AVS_TRACE_VERSION) {
		if (errlen)
			snprintf(err, errlen, "unsupported trace version %u",
				 version);
		return -1;
	}
	if (hsize != AVS_TRACE_HEADER_SIZE) {
		msg = "bad trace header size";
		goto fail;
	}
	if (flags & ~AVS_TRACE_TRUNCATED) {
		msg = "unsupported trace flags";
		goto fail;
	}
	return 0;
fail:
	if (errlen)
		snprintf(err, errlen, "%s", msg);
	return -1;
}

size_t avs_event_encoded_size(const struct avs_event *ev)
{
	uint64_t size;

	if (!type_valid(ev->type) || (ev->str_len && !ev->str) ||
	    (ev->nwords && !ev->words))
		return 0;
	size = ALIGN8(AVS_REC_HEADER_SIZE + payloads[ev->type].size +
		      (uint64_t)ev->nwords * 8 + ev->str_len);
	return size <= AVS_REC_MAX_SIZE ? size : 0;
}

size_t avs_event_encode(const struct avs_event *ev, void *buf, size_t cap)
{
	const struct payload *pl;
	unsigned char *p = buf, *q;
	size_t size = avs_event_encoded_size(ev);
	uint32_t size32 = size, crc = 0;

	if (!size || size > cap)
		return 0;
	pl = &payloads[ev->type];

	memcpy(p + R_TYPE, &ev->type, 2);
	memcpy(p + R_FLAGS, &ev->flags, 2);
	memcpy(p + R_SIZE, &size32, 4);
	memcpy(p + R_PID, &ev->pid, 4);
	memcpy(p + R_CRC, &crc, 4);
	memcpy(p + R_SEQ, &ev->seq, 8);
	memcpy(p + R_STR_LEN, &ev->str_len, 4);
	memcpy(p + R_NWORDS, &ev->nwords, 4);
	memcpy(p + R_STACK, &ev->stack, 4);
	memset(p + R_RESERVED, 0, 4);

	q = p + AVS_REC_HEADER_SIZE;
	memcpy(q, &ev->u, pl->msize);
	memset(q + pl->msize, 0, pl->size - pl->msize);
	memset(q + pl->pad_off, 0, pl->pad_len);
	q += pl->size;
	if (ev->nwords)
		memcpy(q, ev->words, (size_t)ev->nwords * 8);
	q += (size_t)ev->nwords * 8;
	if (ev->str_len)
		memcpy(q, ev->str, ev->str_len);
	q += ev->str_len;
	memset(q, 0, p + size - q);

	crc = avs_crc32c(0, p, size);
	memcpy(p + R_CRC, &crc, 4);
	return size;
}

/* CRC of the record at p with its crc field taken as 0. */
static uint32_t record_crc(const unsigned char *p, size_t size)
{
	static const unsigned char zero[4];
	uint32_t crc;

	crc = avs_crc32c(0, p, R_CRC);
	crc = avs_crc32c(crc, zero, 4);
	return avs_crc32c(crc, p + R_CRC + 4, size - R_CRC - 4);
}

int avs_event_decode(const void *buf, size_t len, struct avs_event *ev,
		     size_t *used)
{
	const unsigned char *p = buf;
	uint32_t size, crc, str_len, nwords;
	uint16_t type;
	size_t psize;

	if ((uintptr_t)buf & 7)
		return AVS_EBADALIGN;
	/* The size field is in the first 8 bytes; check it before waiting
	 * for more so a corrupt size is never taken for a truncated tail. */
	if (len < 8)
		return 0;
	memcpy(&size, p + R_SIZE, 4);
	if (size < AVS_REC_HEADER_SIZE || size % 8 || size > AVS_REC_MAX_SIZE)
		return AVS_EBADSIZE;
	if (len < size)
		return 0;
	memcpy(&crc, p + R_CRC, 4);
	if (crc != record_crc(p, size))
		return AVS_EBADCRC;

	memcpy(&type, p + R_TYPE, 2);
	if (!type_valid(type))
		return AVS_EBADTYPE;
	memcpy(&str_len, p + R_STR_LEN, 4);
	memcpy(&nwords, p + R_NWORDS, 4);
	psize = payloads[type].size;
	if (ALIGN8(AVS_REC_HEADER_SIZE + psize + (uint64_t)nwords * 8 +
		   str_len) != size)
		return AVS_EBADLEN;

	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	memcpy(&ev->flags, p + R_FLAGS, 2);
	memcpy(&ev->pid, p + R_PID, 4);
	memcpy(&ev->seq, p + R_SEQ, 8);
	memcpy(&ev->stack, p + R_STACK, 4);
	ev->str_len = str_len;
	ev->nwords = nwords;
	p += AVS_REC_HEADER_SIZE;
	memcpy(&ev->u, p, psize);
	p += psize;
	if (ev->nwords)
		ev->words = (const uint64_t *)(const void *)p;
	p += (size_t)ev->nwords * 8;
	if (ev->str_len)
		ev->str = (const char *)p;
	if (used)
		*used = size;
	return 1;
}

const char *avs_decode_strerror(int err)
{
	switch (err) {
	case AVS_EBADSIZE:
		return "bad record size";
	case AVS_EBADTYPE:
		return "unknown record type";
	case AVS_EBADCRC:
		return "record checksum mismatch";
	case AVS_EBADLEN:
		return "record lengths disagree with its size";
	case AVS_EBADALIGN:
		return "record buffer not 8-byte aligned";
	default:
		return err < 0 ? "unknown decode error" : "no error";
	}
}
