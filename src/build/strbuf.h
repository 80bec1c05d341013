/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_BUILD_STRBUF_H
#define BERTH_BUILD_STRBUF_H

/*
 * A growable NUL-terminated string for the Containerfile parsers. The
 * buffer is always terminated, so strbuf_str() never returns NULL.
 */

#include <stddef.h>

struct strbuf {
	char *buf;
	size_t len;
	size_t alloc;
};

#define STRBUF_INIT        \
	{                  \
		NULL, 0, 0 \
	}

void strbuf_append_len(struct strbuf *sb, const char *s, size_t n);
void strbuf_append(struct strbuf *sb, const char *s);
void strbuf_append_char(struct strbuf *sb, char c);
/* The contents; "" for an empty buffer. Valid until the next append. */
const char *strbuf_str(const struct strbuf *sb);
/* Hand the string to the caller (never NULL) and reset sb. */
char *strbuf_take(struct strbuf *sb);
void strbuf_release(struct strbuf *sb);

#endif
