/* SPDX-License-Identifier: MIT */
/*
 * The binary record form of events, as stored in trace files.  All fields
 * are little-endian and naturally aligned; records are multiples of 8 bytes.
 *
 * Trace file: a 32-byte header, then records back to back.
 *   0  magic "AVSTRACE"    8 bytes
 *   8  u32 version         2
 *  12  u32 header_size     32
 *  16  u64 flags           0
 *  24  u64 reserved        0
 *
 * Record: a 40-byte header,
 *   0  u16 type            enum avs_event_type
 *   2  u16 flags           AVS_EVF_*
 *   4  u32 size            whole record incl. padding, multiple of 8
 *   8  u32 pid
 *  12  u32 crc             CRC32C of the record with this field as 0
 *  16  u64 seq
 *  24  u32 str_len
 *  28  u32 nwords
 *  32  u32 stack           call-tree node (avs_event.stack), 0: none
 *  36  u32 reserved        0
 * then the fixed payload of the type (the bytes of the union member of
 * avs_event.u the type uses, avs_event_payload_size() bytes, padding fields
 * zeroed), then nwords * 8 bytes of words, then str_len bytes of string
 * (not NUL-terminated), then zero padding to a multiple of 8.
 */
#ifndef AVS_EVENT_BIN_H
#define AVS_EVENT_BIN_H

#include <stdint.h>
#include <stddef.h>
#include "event.h"

#define AVS_TRACE_MAGIC		"AVSTRACE"
#define AVS_TRACE_VERSION	2
#define AVS_TRACE_HEADER_SIZE	32
/* trace header flags (the u64 at offset 16) */
#define AVS_TRACE_TRUNCATED	0x1ULL	/* the recorder stopped early */
#define AVS_REC_HEADER_SIZE	40
#define AVS_REC_MAX_SIZE	(16u << 20)	/* sanity bound on one record */

/* avs_event_decode() errors: distinct negative values */
#define AVS_EBADSIZE	(-1)	/* size field < 40, unaligned or > max */
#define AVS_EBADTYPE	(-2)	/* unknown event type */
#define AVS_EBADCRC	(-3)	/* checksum mismatch */
#define AVS_EBADLEN	(-4)	/* str_len / nwords disagree with size */
#define AVS_EBADALIGN	(-5)	/* the buffer is not 8-byte aligned */

/* Write a version 2 trace header into buf (32 bytes). */
void avs_trace_header_init(void *buf);

/* 0 if buf starts with a header this code reads; else -1 and a message in
 * err (when errlen > 0). */
int avs_trace_header_check(const void *buf, size_t len, char *err,
			   size_t errlen);

/* Bytes of fixed payload of a type (multiple of 8, maybe 0); 0 if the type
 * is unknown. */
size_t avs_event_payload_size(unsigned type);

/* Size of the record for ev, 0 if ev is invalid (unknown type, NULL
 * str/words with a nonzero length, larger than AVS_REC_MAX_SIZE). */
size_t avs_event_encoded_size(const struct avs_event *ev);

/*
 * Encode ev into buf (any alignment).  Returns the bytes written, 0 if cap
 * is too small or ev is invalid.  Async-signal-safe: uses only memcpy,
 * memset and avs_crc32c().
 */
size_t avs_event_encode(const struct avs_event *ev, void *buf, size_t cap);

/*
 * Decode the record at buf, which must be 8-byte aligned (ev->words points
 * into it).  Returns 1 with *ev filled and *used = the record size; ev->str
 * (not NUL-terminated) and ev->words point into buf, NULL when empty.
 * Returns 0 if len is shorter than the record (a truncated tail: stop or
 * wait for more), or a negative AVS_E* on corruption.
 */
int avs_event_decode(const void *buf, size_t len, struct avs_event *ev,
		     size_t *used);

/* Message for an AVS_E* value. */
const char *avs_decode_strerror(int err);

#endif
