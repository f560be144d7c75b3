/* SPDX-License-Identifier: MIT */
/* The text form's shared vocabulary: flag words, page letters, escapes,
 * numbers and "rwx" (docs/EVENTS.md). */
#include "shadow/event_text_internal.h"

const struct avs_flag_name avs_text_evflag_names[AVS_TEXT_NR_EVFLAGS] = {
	{ "inferred", AVS_EVF_INFERRED },
	{ "runtime", AVS_EVF_RUNTIME },
	{ "failed", AVS_EVF_FAILED },
};

static const struct {
	char c;
	uint64_t word;
} page_letters[] = {
	{ '-', 0 },
	{ 'z', AVS_PAGE_PRESENT | AVS_PAGE_ZERO },
	{ 's', AVS_PAGE_SWAPPED },
	{ 'f', AVS_PAGE_PRESENT | AVS_PAGE_FILE },
	{ 'F', AVS_PAGE_PRESENT | AVS_PAGE_FILE | AVS_PAGE_EXCLUSIVE },
	{ 'a', AVS_PAGE_PRESENT },
	{ 'A', AVS_PAGE_PRESENT | AVS_PAGE_EXCLUSIVE },
};

bool avs_text_page_letter_word(char letter, uint64_t *word)
{
	for (size_t i = 0; i < ARRAY_SIZE(page_letters); i++) {
		if (page_letters[i].c == letter) {
			*word = page_letters[i].word;
			return true;
		}
	}
	return false;
}

bool avs_text_page_word_letter(uint64_t word, char *letter)
{
	for (size_t i = 0; i < ARRAY_SIZE(page_letters); i++) {
		if (page_letters[i].word == word) {
			*letter = page_letters[i].c;
			return true;
		}
	}
	return false;
}

bool avs_text_needs_escape(unsigned char ch)
{
	return ch < 0x21 || ch >= 0x7f || ch == '%' || ch == '=';
}

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

int avs_text_unescape(char *s, size_t n, size_t *len)
{
	char *d = s;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '=' ||
		    (s[i] == '%' && (i + 2 >= n ||
				     hexval((unsigned char)s[i + 1]) < 0 ||
				     hexval((unsigned char)s[i + 2]) < 0)))
			return -1;
	}
	for (i = 0; i < n; i++) {
		if (s[i] == '%') {
			*d++ = (char)(hexval((unsigned char)s[i + 1]) << 4 |
				      hexval((unsigned char)s[i + 2]));
			i += 2;
		} else {
			*d++ = s[i];
		}
	}
	*d = '\0';
	*len = (size_t)(d - s);
	return 0;
}

int avs_text_parse_hex_digits(const char *s, size_t n, uint64_t *v)
{
	uint64_t x = 0;
	int d;

	if (!n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		d = hexval((unsigned char)s[i]);
		if (d < 0 || x >> 60)
			return -1;
		x = x << 4 | (unsigned)d;
	}
	*v = x;
	return 0;
}

int avs_text_parse_hex(const char *s, size_t n, uint64_t *v)
{
	if (n < 3 || s[0] != '0' || s[1] != 'x')
		return -1;
	return avs_text_parse_hex_digits(s + 2, n - 2, v);
}

int avs_text_parse_dec(const char *s, size_t n, uint64_t max, uint64_t *v)
{
	uint64_t x = 0;

	if (!n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned char)s[i] - '0';

		if (d > 9 || x > (max - d) / 10)
			return -1;
		x = x * 10 + d;
	}
	*v = x;
	return 0;
}

int avs_text_parse_rwx(const char *s, uint32_t *prot)
{
	*prot = 0;
	for (int i = 0; i < 3; i++) {
		if (s[i] == "rwx"[i])
			*prot |= 1u << i;
		else if (s[i] != '-')
			return -1;
	}
	return 0;
}

void avs_text_rwx_string(uint32_t prot, char out[4])
{
	for (int i = 0; i < 3; i++)
		out[i] = prot & (1u << i) ? "rwx"[i] : '-';
	out[3] = '\0';
}
