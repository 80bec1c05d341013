/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_UTIL_XALLOC_H
#define BERTH_UTIL_XALLOC_H

/*
 * Allocation wrappers that abort on failure. An engine that cannot
 * allocate a few bytes cannot report the failure in any useful way, and
 * checking every small allocation would bury the real error paths.
 */

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t size);
void *xzalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *ptr, size_t size);
/* Grow an array of n elements of size bytes, checking for overflow. */
void *xreallocarray(void *ptr, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
int xasprintf(char **ret, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int xvasprintf(char **ret, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

#endif
