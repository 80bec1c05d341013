/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "util/strv.h"

#include <string.h>

#include "util/xalloc.h"

void strv_free(char **strv)
{
	if (strv == NULL)
		return;
	for (char **p = strv; *p != NULL; p++)
		free(*p);
	free(strv);
}

size_t strv_length(char *const *strv)
{
	size_t n = 0;

	while (strv != NULL && strv[n] != NULL)
		n++;
	return n;
}

void strv_push_take(char ***strv, char *s)
{
	size_t n = strv_length(*strv);

	*strv = xreallocarray(*strv, n + 2, sizeof(char *));
	(*strv)[n] = s;
	(*strv)[n + 1] = NULL;
}

void strv_push(char ***strv, const char *s)
{
	strv_push_take(strv, xstrdup(s));
}

char **strv_copy(char *const *strv)
{
	size_t n = strv_length(strv);
	char **copy = xcalloc(n + 1, sizeof(char *));

	for (size_t i = 0; i < n; i++)
		copy[i] = xstrdup(strv[i]);
	return copy;
}

bool strv_contains(char *const *strv, const char *s)
{
	for (size_t i = 0; strv != NULL && strv[i] != NULL; i++)
		if (strcmp(strv[i], s) == 0)
			return true;
	return false;
}
