/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Heredoc markers in RUN, COPY and ADD ("<<EOF", "<<-EOF", "0<<'EOF'").
 * The bodies follow the instruction's last line and are read by the
 * line loop in containerfile.c.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "build/containerfile-internal.h"
#include "build/words.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

static bool is_name_start(char c)
{
	return isalpha((unsigned char)c) || c == '_';
}

static bool is_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

bool cf_heredoc_marker(const char *word, char **ret_name, bool *strip_tabs,
		       bool *expand)
{
	const char *p = word;
	const char *name;
	char quote = '\0';
	size_t n;

	while (isdigit((unsigned char)*p))
		p++;
	if (strncmp(p, "<<", 2) != 0)
		return false;
	p += 2;

	*strip_tabs = *p == '-';
	if (*p == '-')
		p++;
	if (*p == '"' || *p == '\'')
		quote = *p++;

	name = p;
	if (!is_name_start(*p))
		return false;
	while (is_name_char(*p))
		p++;
	n = (size_t)(p - name);

	if (quote != '\0' && *p++ != quote)
		return false;
	if (*p != '\0')
		return false;

	*expand = quote == '\0';
	*ret_name = xstrndup(name, n);
	return true;
}

void cf_collect_heredocs(const char *text, char escape,
			 struct build_instruction *in)
{
	const char *p = text;
	char *word;

	while ((word = build_next_word(&p, escape)) != NULL) {
		struct build_heredoc doc = {0};

		if (cf_heredoc_marker(word, &doc.name, &doc.strip_tabs,
				      &doc.expand)) {
			in->heredocs =
				xreallocarray(in->heredocs, in->n_heredocs + 1,
					      sizeof(*in->heredocs));
			in->heredocs[in->n_heredocs++] = doc;
		}
		free(word);
	}
}

const struct build_heredoc *
build_instruction_heredoc(const struct build_instruction *in, const char *word)
{
	_cleanup_free_ char *name = NULL;
	bool strip_tabs;
	bool expand;

	if (!cf_heredoc_marker(word, &name, &strip_tabs, &expand))
		return NULL;

	for (size_t i = 0; i < in->n_heredocs; i++) {
		if (strcmp(in->heredocs[i].name, name) == 0)
			return &in->heredocs[i];
	}
	return NULL;
}
