/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compose/path.h"
#include "util/xalloc.h"

static void path_append(struct path *p, const char *s)
{
	size_t n = strlen(s);

	if (p->len + n + 1 > p->alloc) {
		p->alloc = (p->len + n + 1) * 2;
		p->buf = xrealloc(p->buf, p->alloc);
	}
	memcpy(p->buf + p->len, s, n + 1);
	p->len += n;
}

static void path_mark(struct path *p)
{
	p->marks = xreallocarray(p->marks, p->depth + 1, sizeof(*p->marks));
	p->marks[p->depth++] = p->len;
}

void path_push_key(struct path *p, const char *key)
{
	path_mark(p);
	if (p->len > 0)
		path_append(p, ".");
	path_append(p, key);
}

void path_push_index(struct path *p, size_t index)
{
	char text[32];

	path_mark(p);
	snprintf(text, sizeof(text), "[%zu]", index);
	path_append(p, text);
}

void path_pop(struct path *p)
{
	if (p->depth == 0)
		return;
	p->len = p->marks[--p->depth];
	p->buf[p->len] = '\0';
}

const char *path_text(const struct path *p)
{
	return p->len > 0 ? p->buf : "top level";
}

void path_release(struct path *p)
{
	free(p->buf);
	free(p->marks);
	*p = (struct path)PATH_INIT;
}
