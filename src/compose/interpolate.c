/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "build/strbuf.h"
#include "compose/interpolate.h"
#include "compose/path.h"
#include "util/cleanup.h"
#include "util/strv.h"
#include "util/xalloc.h"

/* Bound on ${A:-${B:-...}} nesting, so hostile input cannot recurse deep. */
#define INTERP_MAX_DEPTH 16

static bool is_name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_name_char(char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9');
}

static void warn_unset(const struct interp_env *env, const char *name)
{
	_cleanup_free_ char *msg = NULL;

	if (env->warnings == NULL)
		return;
	xasprintf(&msg, "variable '%s' is not set, using an empty string",
		  name);
	if (!strv_contains(*env->warnings, msg))
		strv_push_take(env->warnings, TAKE_PTR(msg));
}

static const char *lookup(const struct interp_env *env, const char *name)
{
	json_t *v = json_object_get(env->vars, name);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Return the offset of the '}' closing a "${" that starts before s. */
static const char *find_close(const char *s)
{
	int level = 1;

	for (const char *p = s; *p != '\0'; p++) {
		if (p[0] == '$' && p[1] == '$') {
			p++;
		} else if (p[0] == '$' && p[1] == '{') {
			level++;
			p++;
		} else if (*p == '}' && --level == 0) {
			return p;
		}
	}
	return NULL;
}

static int expand(const char *s, const struct interp_env *env,
		  const char *where, int depth, struct strbuf *out,
		  struct berth_error **err);

static int invalid(const char *where, const char *s, struct berth_error **err)
{
	return berth_error_set(err, 0,
			       "%s: invalid interpolation format in '%s': "
			       "write '$$' for a literal '$'",
			       where, s);
}

/* Apply the braced expression body "NAME[OP WORD]". */
static int expand_braced(const char *body, const struct interp_env *env,
			 const char *where, int depth, struct strbuf *out,
			 struct berth_error **err)
{
	const char *p = body;
	_cleanup_free_ char *name = NULL;
	const char *value;
	bool colon = false;
	bool set;
	char op;

	if (!is_name_start(*p))
		return invalid(where, body, err);
	while (is_name_char(*p))
		p++;
	name = xstrndup(body, p - body);
	value = lookup(env, name);

	if (*p == '\0') {
		if (value == NULL)
			warn_unset(env, name);
		strbuf_append(out, value != NULL ? value : "");
		return 0;
	}

	if (*p == ':') {
		colon = true;
		p++;
	}
	op = *p++;
	set = value != NULL && (!colon || *value != '\0');

	switch (op) {
	case '-':
		if (set) {
			strbuf_append(out, value);
			return 0;
		}
		return expand(p, env, where, depth + 1, out, err);
	case '+':
		if (!set)
			return 0;
		return expand(p, env, where, depth + 1, out, err);
	case '?':
		if (set) {
			strbuf_append(out, value);
			return 0;
		}
		if (*p == '\0')
			return berth_error_set(err, 0,
					       "%s: required variable '%s' is "
					       "missing a value",
					       where, name);
		return berth_error_set(err, 0,
				       "%s: required variable '%s' is missing "
				       "a value: %s",
				       where, name, p);
	default:
		return invalid(where, body, err);
	}
}

static int expand(const char *s, const struct interp_env *env,
		  const char *where, int depth, struct strbuf *out,
		  struct berth_error **err)
{
	if (depth > INTERP_MAX_DEPTH)
		return berth_error_set(err, 0,
				       "%s: interpolation nested more than %d "
				       "levels deep",
				       where, INTERP_MAX_DEPTH);

	for (const char *p = s; *p != '\0';) {
		if (*p != '$') {
			strbuf_append_len(out, p, 1);
			p++;
			continue;
		}

		if (p[1] == '$') {
			strbuf_append_len(out, "$", 1);
			p += 2;
		} else if (p[1] == '{') {
			const char *close = find_close(p + 2);
			_cleanup_free_ char *body = NULL;

			if (close == NULL)
				return invalid(where, s, err);
			body = xstrndup(p + 2, close - (p + 2));
			if (expand_braced(body, env, where, depth, out, err) <
			    0)
				return -1;
			p = close + 1;
		} else if (is_name_start(p[1])) {
			const char *q = p + 1;
			_cleanup_free_ char *name = NULL;
			const char *value;

			while (is_name_char(*q))
				q++;
			name = xstrndup(p + 1, q - (p + 1));
			value = lookup(env, name);
			if (value == NULL)
				warn_unset(env, name);
			strbuf_append(out, value != NULL ? value : "");
			p = q;
		} else {
			return invalid(where, s, err);
		}
	}
	return 0;
}

int interpolate_string(const char *s, const struct interp_env *env,
		       const char *where, char **ret, struct berth_error **err)
{
	struct strbuf out = STRBUF_INIT;

	if (expand(s, env, where, 0, &out, err) < 0) {
		strbuf_release(&out);
		return -1;
	}
	*ret = strbuf_take(&out);
	return 0;
}

static int walk(json_t *node, const struct interp_env *env, struct path *path,
		struct berth_error **err)
{
	const char *key;
	json_t *v;
	size_t i;

	if (json_is_object(node)) {
		json_object_foreach (node, key, v) {
			int r;

			path_push_key(path, key);
			r = walk(v, env, path, err);
			path_pop(path);
			if (r < 0)
				return -1;
		}
	} else if (json_is_array(node)) {
		json_array_foreach (node, i, v) {
			int r;

			path_push_index(path, i);
			r = walk(v, env, path, err);
			path_pop(path);
			if (r < 0)
				return -1;
		}
	} else if (json_is_string(node)) {
		_cleanup_free_ char *out = NULL;

		if (interpolate_string(json_string_value(node), env,
				       path_text(path), &out, err) < 0)
			return -1;
		json_string_set(node, out);
	}
	return 0;
}

int interpolate_tree(json_t *root, const struct interp_env *env,
		     const char *file, struct berth_error **err)
{
	struct path path = PATH_INIT;
	int r;

	r = walk(root, env, &path, err);
	path_release(&path);
	if (r < 0)
		return berth_error_wrap(err, "%s", file);
	return 0;
}
