/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * KEY=VALUE lists of ENV, LABEL and ARG. The words stay raw because the
 * builder expands keys and values later, with quotes removed then.
 */
#include <stdlib.h>
#include <string.h>

#include "build/expand.h"
#include "build/words.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

struct pair_list {
	struct build_pair *pairs;
	size_t n;
};

static void pair_list_add(struct pair_list *list, char *key, char *value,
			  bool has_value)
{
	list->pairs =
		xreallocarray(list->pairs, list->n + 1, sizeof(*list->pairs));
	list->pairs[list->n++] = (struct build_pair){
		.key = key,
		.value = value,
		.has_value = has_value,
	};
}

void build_pairs_free(struct build_pair *pairs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(pairs[i].key);
		free(pairs[i].value);
	}
	free(pairs);
}

/* "KEY rest of the line": the value is everything after the key. */
static int split_legacy(const char *text, char escape, struct pair_list *list,
			struct berth_error **err)
{
	const char *p = text;
	char *key = build_next_word(&p, escape);
	char *value = build_strip(p, strlen(p));

	if (*value == '\0') {
		int r = berth_error_set(
			err, 0,
			"missing value for '%s': use KEY=VALUE or KEY VALUE",
			key);

		free(key);
		free(value);
		return r;
	}

	pair_list_add(list, key, value, true);
	return 0;
}

/* One "KEY=VALUE" word, or a bare "NAME" when allow_no_value. */
static int split_word(char *word, bool allow_no_value, struct pair_list *list,
		      struct berth_error **err)
{
	char *eq = strchr(word, '=');

	if (eq == NULL && allow_no_value) {
		pair_list_add(list, word, NULL, false);
		return 0;
	}
	if (eq == NULL) {
		int r = berth_error_set(
			err, 0, "'%s' is not of the form KEY=VALUE", word);

		free(word);
		return r;
	}
	if (eq == word) {
		int r = berth_error_set(err, 0, "empty name in '%s'", word);

		free(word);
		return r;
	}

	pair_list_add(list, xstrndup(word, (size_t)(eq - word)),
		      xstrdup(eq + 1), true);
	free(word);
	return 0;
}

int build_split_pairs(const char *text, char escape, bool allow_legacy,
		      bool allow_no_value, struct build_pair **ret_pairs,
		      size_t *ret_n, struct berth_error **err)
{
	struct pair_list list = {0};
	const char *p = text;
	char *first = build_next_word(&p, escape);
	int r = 0;

	if (first == NULL)
		return berth_error_set(err, 0, "missing KEY=VALUE");

	if (allow_legacy && strchr(first, '=') == NULL) {
		free(first);
		r = split_legacy(text, escape, &list, err);
	} else {
		char *word = first;

		p = text;
		free(word);
		while (r == 0 && (word = build_next_word(&p, escape)) != NULL)
			r = split_word(word, allow_no_value, &list, err);
	}

	if (r < 0) {
		build_pairs_free(list.pairs, list.n);
		return -1;
	}

	*ret_pairs = list.pairs;
	*ret_n = list.n;
	return 0;
}
