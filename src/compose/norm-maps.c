/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "build/strbuf.h"
#include "compose/norm-internal.h"
#include "util/cleanup.h"
#include "util/strv.h"
#include "util/xalloc.h"

/*
 * Keys of the specification that berth does not implement. They are
 * dropped with a warning that calls them unsupported, not unknown.
 */
static const char *const unsupported_keys[] = {
	"blkio_config",
	"cgroup",
	"configs",
	"cpu_count",
	"cpu_percent",
	"cpu_period",
	"cpu_quota",
	"cpu_rt_period",
	"cpu_rt_runtime",
	"cpu_shares",
	"cpuset",
	"credential_spec",
	"develop",
	"device_cgroup_rules",
	"extends",
	"gpus",
	"group_add",
	"isolation",
	"links",
	"external_links",
	"logging",
	"models",
	"oom_kill_disable",
	"oom_score_adj",
	"post_start",
	"pre_stop",
	"provider",
	"runtime",
	"scale",
	"secrets",
	"storage_opt",
	"ulimits",
	"uts",
	"volumes_from",
	"include",
};

static bool is_unsupported(const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(unsupported_keys); i++) {
		if (strcmp(key, unsupported_keys[i]) == 0)
			return true;
	}
	return false;
}

static norm_fn find_field(const struct norm_field *fields, const char *key)
{
	for (size_t i = 0; fields[i].key != NULL; i++) {
		if (strcmp(fields[i].key, key) == 0)
			return fields[i].fn;
	}
	return NULL;
}

int norm_child(struct norm *n, const char *key, const json_t *in, norm_fn fn,
	       json_t **out, struct berth_error **err)
{
	int r;

	path_push_key(&n->path, key);
	r = fn(n, in, out, err);
	if (r == 0)
		path_pop(&n->path);
	return r;
}

int norm_object(struct norm *n, const json_t *in,
		const struct norm_field *fields, json_t **out,
		struct berth_error **err)
{
	_cleanup_json_ json_t *obj = json_object();
	const char *key;
	json_t *v;

	if (json_is_null(in)) {
		*out = TAKE_PTR(obj);
		return 0;
	}
	if (!json_is_object(in))
		return norm_type_error(n, "a mapping", err);

	json_object_foreach ((json_t *)in, key, v) {
		norm_fn fn = find_field(fields, key);
		json_t *value = NULL;

		if (strncmp(key, "x-", 2) == 0) {
			json_object_set(obj, key, v);
			continue;
		}
		if (fn == NULL) {
			path_push_key(&n->path, key);
			norm_warn(n, is_unsupported(key) ?
					     "not supported by berth, ignored" :
					     "unknown key, ignored");
			path_pop(&n->path);
			continue;
		}
		if (norm_child(n, key, v, fn, &value, err) < 0)
			return -1;
		if (value != NULL)
			json_object_set_new(obj, key, value);
	}

	*out = TAKE_PTR(obj);
	return 0;
}

/* Split "K=V" or "K" into the key and the value or NULL. */
static void split_pair(const char *s, char **key, char **value)
{
	const char *eq = strchr(s, '=');

	if (eq == NULL) {
		*key = xstrdup(s);
		*value = NULL;
		return;
	}
	*key = xstrndup(s, eq - s);
	*value = xstrdup(eq + 1);
}

/*
 * Build a mapping from a list of "K=V" strings or a mapping of scalars.
 * A key without value takes the project variable when lookup is set
 * (null when unset there) and the empty string otherwise.
 */
static int norm_pairs(struct norm *n, const json_t *in, bool lookup,
		      json_t **out, struct berth_error **err)
{
	_cleanup_json_ json_t *map = json_object();
	const char *key;
	json_t *v;
	size_t i;

	if (json_is_array(in)) {
		json_array_foreach (in, i, v) {
			_cleanup_free_ char *k = NULL;
			_cleanup_free_ char *value = NULL;

			if (!json_is_string(v)) {
				path_push_index(&n->path, i);
				return norm_type_error(n, "a KEY=VALUE string",
						       err);
			}
			split_pair(json_string_value(v), &k, &value);
			if (*k == '\0') {
				path_push_index(&n->path, i);
				return norm_fail(n, err, "empty name in '%s'",
						 json_string_value(v));
			}
			json_object_set_new(map, k,
					    value != NULL ? json_string(value) :
							    json_null());
		}
	} else if (json_is_object(in)) {
		json_object_foreach ((json_t *)in, key, v) {
			_cleanup_free_ char *text = NULL;

			if (json_is_object(v) || json_is_array(v)) {
				path_push_key(&n->path, key);
				return norm_type_error(n, "a scalar value",
						       err);
			}
			text = norm_scalar_text(v);
			json_object_set_new(map, key,
					    text != NULL ? json_string(text) :
							   json_null());
		}
	} else if (!json_is_null(in)) {
		return norm_type_error(n, "a mapping or a list of KEY=VALUE",
				       err);
	}

	json_object_foreach (map, key, v) {
		if (!json_is_null(v))
			continue;
		if (!lookup) {
			json_object_set_new(map, key, json_string(""));
			continue;
		}

		json_t *from = json_object_get(n->opts->vars, key);

		if (json_is_string(from))
			json_object_set(map, key, from);
	}

	*out = TAKE_PTR(map);
	return 0;
}

int norm_environment(struct norm *n, const json_t *in, json_t **out,
		     struct berth_error **err)
{
	return norm_pairs(n, in, true, out, err);
}

int norm_labels(struct norm *n, const json_t *in, json_t **out,
		struct berth_error **err)
{
	return norm_pairs(n, in, false, out, err);
}

static void push_word(char ***words, struct strbuf *word, bool *in_word)
{
	if (*in_word)
		strv_push_take(words, strbuf_take(word));
	*in_word = false;
}

int compose_shell_split(const char *s, char ***ret, struct berth_error **err)
{
	_cleanup_strv_ char **words = NULL;
	struct strbuf word = STRBUF_INIT;
	bool in_word = false;
	char quote = 0;

	for (const char *p = s; *p != '\0'; p++) {
		if (quote == '\'') {
			if (*p == '\'')
				quote = 0;
			else
				strbuf_append_char(&word, *p);
		} else if (quote == '"') {
			if (*p == '"')
				quote = 0;
			else if (*p == '\\' && p[1] != '\0' &&
				 strchr("\"\\$`", p[1]) != NULL)
				strbuf_append_char(&word, *++p);
			else
				strbuf_append_char(&word, *p);
		} else if (*p == ' ' || *p == '\t' || *p == '\n') {
			push_word(&words, &word, &in_word);
		} else if (*p == '\'' || *p == '"') {
			quote = *p;
			in_word = true;
		} else if (*p == '\\' && p[1] != '\0') {
			strbuf_append_char(&word, *++p);
			in_word = true;
		} else {
			strbuf_append_char(&word, *p);
			in_word = true;
		}
	}

	if (quote != 0) {
		strbuf_release(&word);
		return berth_error_set(err, 0, "unterminated quote in '%s'", s);
	}
	push_word(&words, &word, &in_word);
	strbuf_release(&word);
	if (words == NULL)
		words = calloc(1, sizeof(char *));
	*ret = TAKE_PTR(words);
	return 0;
}

int norm_command(struct norm *n, const json_t *in, json_t **out,
		 struct berth_error **err)
{
	_cleanup_strv_ char **words = NULL;
	_cleanup_error_ struct berth_error *split_err = NULL;
	json_t *list;

	if (json_is_null(in)) {
		*out = json_null();
		return 0;
	}
	if (!json_is_string(in))
		return norm_strlist(n, in, out, err);

	if (compose_shell_split(json_string_value(in), &words, &split_err) < 0)
		return norm_fail(n, err, "%s", split_err->msg);
	list = json_array();
	for (size_t i = 0; words[i] != NULL; i++)
		json_array_append_new(list, json_string(words[i]));
	*out = list;
	return 0;
}

/* Lexically clean an absolute path: no ".", "..", or doubled '/'. */
static char *clean_path(const char *p)
{
	_cleanup_strv_ char **parts = NULL;
	struct strbuf out = STRBUF_INIT;
	const char *s = p;

	while (*s != '\0') {
		const char *slash = strchr(s, '/');
		size_t len = slash != NULL ? (size_t)(slash - s) : strlen(s);

		if (len == 0 || (len == 1 && s[0] == '.')) {
			/* skip */
		} else if (len == 2 && s[0] == '.' && s[1] == '.') {
			size_t count = strv_length(parts);

			if (count > 0) {
				free(parts[count - 1]);
				parts[count - 1] = NULL;
			}
		} else {
			strv_push_take(&parts, xstrndup(s, len));
		}
		s += len;
		if (*s == '/')
			s++;
	}

	for (size_t i = 0; parts != NULL && parts[i] != NULL; i++) {
		strbuf_append_char(&out, '/');
		strbuf_append(&out, parts[i]);
	}
	if (out.len == 0)
		strbuf_append_char(&out, '/');
	return strbuf_take(&out);
}

char *norm_resolve_path(struct norm *n, const char *p)
{
	_cleanup_free_ char *joined = NULL;
	const char *home = getenv("HOME");

	if (p[0] == '~' && (p[1] == '/' || p[1] == '\0') && home != NULL)
		xasprintf(&joined, "%s/%s", home, p + 1);
	else if (p[0] == '/')
		joined = xstrdup(p);
	else
		xasprintf(&joined, "%s/%s", n->opts->project_dir, p);
	return clean_path(joined);
}
