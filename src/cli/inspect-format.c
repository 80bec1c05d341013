/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "cli/inspect-format.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/xalloc.h"

/* Look up ".A.B" in value; NULL when a field is missing. */
static const json_t *lookup(const json_t *value, const char *path)
{
	_cleanup_free_ char *copy = xstrdup(path + 1);
	char *save = NULL;

	for (char *key = strtok_r(copy, ".", &save); key != NULL;
	     key = strtok_r(NULL, ".", &save)) {
		value = json_object_get(value, key);
		if (value == NULL)
			return NULL;
	}
	return value;
}

/*
 * NOTE: Go prints an object as map[key:value] and an array as [a b];
 * berth prints both as JSON instead.
 */
static void print_plain(FILE *out, const json_t *v)
{
	_cleanup_free_ char *text = NULL;

	if (v == NULL) {
		fputs("<no value>", out);
	} else if (json_is_string(v)) {
		fwrite(json_string_value(v), 1, json_string_length(v), out);
	} else if (json_is_null(v)) {
		fputs("<nil>", out);
	} else {
		text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT |
					     JSON_PRESERVE_ORDER);
		if (text != NULL)
			fputs(text, out);
	}
}

static void print_json(FILE *out, const json_t *v)
{
	_cleanup_free_ char *text = NULL;

	if (v == NULL) {
		fputs("null", out);
		return;
	}

	text = json_dumps(v,
			  JSON_ENCODE_ANY | JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (text != NULL)
		fputs(text, out);
}

static bool is_path(const char *s)
{
	if (s[0] != '.')
		return false;

	for (const char *p = s + 1; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.')
			return false;
	return strstr(s + 1, "..") == NULL;
}

/* Run one action, the text between {{ and }} without blanks around it. */
static int run_action(FILE *out, const char *action, const json_t *value,
		      struct berth_error **err)
{
	if (is_path(action)) {
		if (out != NULL)
			print_plain(out, lookup(value, action));
		return 0;
	}

	if (strncmp(action, "json ", 5) == 0) {
		const char *path = action + 5;

		path += strspn(path, " ");
		if (is_path(path)) {
			if (out != NULL)
				print_json(out, lookup(value, path));
			return 0;
		}
	}

	return berth_error_set(err, 0,
			       "unsupported template action '{{%s}}': berth "
			       "supports {{.Field.Field}} and {{json .Field}}",
			       action);
}

/* out NULL only checks the template. */
static int render(FILE *out, const char *template, const json_t *value,
		  struct berth_error **err)
{
	const char *p = template;

	for (;;) {
		const char *open = strstr(p, "{{");
		const char *close;
		_cleanup_free_ char *action = NULL;
		size_t start, len;

		if (open == NULL) {
			if (out != NULL)
				fputs(p, out);
			return 0;
		}

		close = strstr(open + 2, "}}");
		if (close == NULL)
			return berth_error_set(err, 0,
					       "invalid template '%s': '{{' "
					       "without '}}'",
					       template);

		if (out != NULL)
			fwrite(p, 1, (size_t)(open - p), out);

		start = strspn(open + 2, " ");
		len = (size_t)(close - (open + 2));
		while (len > start && open[2 + len - 1] == ' ')
			len--;
		action = xstrndup(open + 2 + start, len - start);
		if (run_action(out, action, value, err) < 0)
			return -1;

		p = close + 2;
	}
}

int inspect_format_check(const char *template, struct berth_error **err)
{
	return render(NULL, template, NULL, err);
}

int inspect_format_print(FILE *out, const char *template, const json_t *value,
			 struct berth_error **err)
{
	if (render(out, template, value, err) < 0)
		return -1;

	fputc('\n', out);
	return 0;
}
