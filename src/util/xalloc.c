/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "util/xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *check(void *ptr)
{
	if (ptr == NULL) {
		fputs("berth: out of memory\n", stderr);
		abort();
	}
	return ptr;
}

void *xmalloc(size_t size)
{
	return check(malloc(size ? size : 1));
}

void *xzalloc(size_t size)
{
	return check(calloc(1, size ? size : 1));
}

void *xcalloc(size_t n, size_t size)
{
	return check(calloc(n ? n : 1, size ? size : 1));
}

void *xrealloc(void *ptr, size_t size)
{
	return check(realloc(ptr, size ? size : 1));
}

void *xreallocarray(void *ptr, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size) {
		fputs("berth: allocation size overflow\n", stderr);
		abort();
	}
	return xrealloc(ptr, n * size);
}

char *xstrdup(const char *s)
{
	return check(strdup(s));
}

char *xstrndup(const char *s, size_t n)
{
	return check(strndup(s, n));
}

int xvasprintf(char **ret, const char *fmt, va_list ap)
{
	int len = vasprintf(ret, fmt, ap);

	if (len < 0)
		check(NULL);
	return len;
}

int xasprintf(char **ret, const char *fmt, ...)
{
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = xvasprintf(ret, fmt, ap);
	va_end(ap);
	return len;
}
