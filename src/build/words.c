/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "build/strbuf.h"
#include "build/words.h"
#include "util/xalloc.h"

bool build_is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	       c == '\f';
}

const char *build_skip_blanks(const char *p)
{
	while (build_is_blank(*p))
		p++;
	return p;
}

char *build_next_word(const char **p, char escape)
{
	const char *s = build_skip_blanks(*p);
	const char *start = s;
	char quote = '\0';

	if (*s == '\0') {
		*p = s;
		return NULL;
	}

	for (; *s != '\0'; s++) {
		if (quote == '\0' && build_is_blank(*s))
			break;
		if (*s == escape && quote != '\'' && s[1] != '\0') {
			s++;
			continue;
		}
		if (quote == '\0' && (*s == '"' || *s == '\''))
			quote = *s;
		else if (*s == quote)
			quote = '\0';
	}

	*p = s;
	return xstrndup(start, (size_t)(s - start));
}

char *build_unquote(const char *word, char escape)
{
	struct strbuf out = STRBUF_INIT;
	char quote = '\0';

	for (const char *s = word; *s != '\0'; s++) {
		if (quote != '\'' && *s == escape && s[1] != '\0') {
			s++;
			strbuf_append_char(&out, *s);
			continue;
		}
		if (quote == '\0' && (*s == '"' || *s == '\'')) {
			quote = *s;
			continue;
		}
		if (quote != '\0' && *s == quote) {
			quote = '\0';
			continue;
		}
		strbuf_append_char(&out, *s);
	}
	return strbuf_take(&out);
}

char *build_strip(const char *s, size_t n)
{
	while (n > 0 && build_is_blank(*s)) {
		s++;
		n--;
	}
	while (n > 0 && build_is_blank(s[n - 1]))
		n--;
	return xstrndup(s, n);
}
