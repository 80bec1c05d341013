/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "build/strbuf.h"
#include "util/xalloc.h"

static void strbuf_grow(struct strbuf *sb, size_t extra)
{
	size_t need = sb->len + extra + 1;

	if (need <= sb->alloc)
		return;

	sb->alloc = sb->alloc < 64 ? 64 : sb->alloc;
	while (sb->alloc < need)
		sb->alloc *= 2;
	sb->buf = xrealloc(sb->buf, sb->alloc);
}

void strbuf_append_len(struct strbuf *sb, const char *s, size_t n)
{
	strbuf_grow(sb, n);
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void strbuf_append(struct strbuf *sb, const char *s)
{
	strbuf_append_len(sb, s, strlen(s));
}

void strbuf_append_char(struct strbuf *sb, char c)
{
	strbuf_append_len(sb, &c, 1);
}

const char *strbuf_str(const struct strbuf *sb)
{
	return sb->buf != NULL ? sb->buf : "";
}

char *strbuf_take(struct strbuf *sb)
{
	char *s = sb->buf != NULL ? sb->buf : xstrdup("");

	sb->buf = NULL;
	sb->len = 0;
	sb->alloc = 0;
	return s;
}

void strbuf_release(struct strbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = 0;
	sb->alloc = 0;
}
