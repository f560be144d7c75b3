/* SPDX-License-Identifier: MIT */
/*
 * What the parser and the formatter of the text form share
 * (event_text_common.c): the words, letters and escapes both must agree on,
 * and the number scanners.  Only for the event_text_*.c files.
 */
#ifndef AVS_EVENT_TEXT_INTERNAL_H
#define AVS_EVENT_TEXT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "event_text.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
#define PROT_RWX (AVS_PROT_READ | AVS_PROT_WRITE | AVS_PROT_EXEC)

/* Trailing bare words that set avs_event.flags, in canonical order. */
#define AVS_TEXT_NR_EVFLAGS 3
extern const struct avs_flag_name avs_text_evflag_names[AVS_TEXT_NR_EVFLAGS];

/* Page entry letters of "pages": each stands for exactly one word.
 * Both return false when there is none. */
bool avs_text_page_letter_word(char letter, uint64_t *word);
bool avs_text_page_word_letter(uint64_t word, char *letter);

/* Bytes a string must percent-escape to stay one whitespace-free token
 * with no '=' (so it is never taken for a key=value). */
bool avs_text_needs_escape(unsigned char ch);
/*
 * Percent-decode s[0..n) in place and NUL-terminate it; *len gets the
 * decoded length.  -1, leaving s untouched, if it holds a '=' or a '%' not
 * followed by two hex digits.
 */
int avs_text_unescape(char *s, size_t n, size_t *len);

/* One or more hex digits, no prefix, fitting 64 bits. */
int avs_text_parse_hex_digits(const char *s, size_t n, uint64_t *v);
/* "0x" then hex digits. */
int avs_text_parse_hex(const char *s, size_t n, uint64_t *v);
/* Decimal digits, value <= max. */
int avs_text_parse_dec(const char *s, size_t n, uint64_t max, uint64_t *v);

/* "rwx"-style: three chars, each the letter or '-'; PROT_* bit i. */
int avs_text_parse_rwx(const char *s, uint32_t *prot);
void avs_text_rwx_string(uint32_t prot, char out[4]);

#endif
