/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Docker's word expansion: quotes, escapes and ${...} forms, one pass
 * over the word with a cursor. The forms and their edge cases follow the
 * "Environment replacement" section of the Dockerfile reference.
 */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "build/expand.h"
#include "build/strbuf.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

/*
 * Nested "${a:-${b:-...}}" recurses once per level; the limit keeps a
 * hostile Containerfile from exhausting the stack.
 */
#define EXPAND_MAX_DEPTH 64

/*
 * Limit of an expanded word: the kernel's limit of one argument or
 * environment string (MAX_ARG_STRLEN), so a RUN could still take it.
 * It stops "ARG A=$A$A" repeated from doubling the memory use each line.
 */
#define EXPAND_MAX_SIZE (128 * 1024)

/* Longest prefix of the word that an error message quotes. */
#define EXPAND_QUOTE_MAX 80

struct expander {
	const char *p; /* cursor into the word */
	char escape;
	build_lookup_fn lookup;
	void *userdata;
	unsigned int depth;
	/* keep escape characters, for the patterns of '#', '%' and '/' */
	bool raw_escapes;
};

static int expand_until(struct expander *ex, char stop, struct strbuf *out,
			struct berth_error **err);
static int expand_pattern_until(struct expander *ex, char stop,
				struct strbuf *out, struct berth_error **err);

static int too_long(struct berth_error **err)
{
	return berth_error_set(err, 0, "the value is longer than %d bytes",
			       EXPAND_MAX_SIZE);
}

static bool is_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static bool is_special_param(char c)
{
	return c != '\0' && strchr("@*#?-$!0", c) != NULL;
}

/*
 * Read a variable name at the cursor: a run of digits, one special
 * parameter character, or letters, digits and '_'. Returns a new string,
 * "" when no name starts here.
 */
static char *read_name(struct expander *ex)
{
	const char *start = ex->p;

	if (isdigit((unsigned char)*ex->p)) {
		while (isdigit((unsigned char)*ex->p))
			ex->p++;
	} else if (is_special_param(*ex->p)) {
		ex->p++;
	} else {
		while (is_name_char(*ex->p))
			ex->p++;
	}
	return xstrndup(start, (size_t)(ex->p - start));
}

static const char *lookup(struct expander *ex, const char *name)
{
	if (ex->lookup == NULL || *name == '\0')
		return NULL;
	return ex->lookup(name, ex->userdata);
}

/*
 * Match s against a shell pattern with '*', '?' and '\' escapes. A star
 * remembers where it matched and widens that match on a mismatch, so
 * the cost stays at length(pattern) * length(s).
 */
static bool pattern_match(const char *pat, const char *pat_end, const char *s,
			  const char *s_end)
{
	const char *star = NULL;
	const char *star_s = NULL;

	while (s < s_end) {
		if (pat < pat_end && *pat == '*') {
			star = ++pat;
			star_s = s;
			continue;
		}
		if (pat < pat_end) {
			const char *q = pat;
			bool any = *q == '?';

			if (*q == '\\' && q + 1 < pat_end)
				q++;
			if (any || *q == *s) {
				pat = q + 1;
				s++;
				continue;
			}
		}
		if (star == NULL)
			return false;
		pat = star;
		s = ++star_s;
	}

	while (pat < pat_end && *pat == '*')
		pat++;
	return pat == pat_end;
}

/* ${VAR#pat} ${VAR##pat}: remove the shortest or longest matching prefix. */
static char *trim_prefix(const char *value, const char *pat, bool longest)
{
	size_t len = strlen(value);
	const char *pat_end = pat + strlen(pat);

	for (size_t i = 0; i <= len; i++) {
		size_t n = longest ? len - i : i;

		if (pattern_match(pat, pat_end, value, value + n))
			return xstrdup(value + n);
	}
	return xstrdup(value);
}

/* ${VAR%pat} ${VAR%%pat}: remove the shortest or longest matching suffix. */
static char *trim_suffix(const char *value, const char *pat, bool longest)
{
	size_t len = strlen(value);
	const char *pat_end = pat + strlen(pat);

	for (size_t i = 0; i <= len; i++) {
		size_t start = longest ? i : len - i;

		if (pattern_match(pat, pat_end, value + start, value + len))
			return xstrndup(value, start);
	}
	return xstrdup(value);
}

/* Find the longest non-empty match of pat at value + i; 0 when none. */
static size_t longest_match_at(const char *pat, const char *value, size_t i,
			       size_t len)
{
	const char *pat_end = pat + strlen(pat);

	for (size_t n = len - i; n > 0; n--) {
		if (pattern_match(pat, pat_end, value + i, value + i + n))
			return n;
	}
	return 0;
}

/* ${VAR/pat/repl} and ${VAR//pat/repl}, longest match at each position. */
static char *replace_pattern(const char *value, const char *pat,
			     const char *repl, bool all)
{
	struct strbuf out = STRBUF_INIT;
	size_t len = strlen(value);
	bool replaced = false;
	size_t i = 0;

	while (i < len) {
		size_t n = 0;

		if (out.len > EXPAND_MAX_SIZE) {
			strbuf_release(&out);
			return NULL;
		}
		if (*pat != '\0' && (all || !replaced))
			n = longest_match_at(pat, value, i, len);
		if (n > 0) {
			strbuf_append(&out, repl);
			i += n;
			replaced = true;
			continue;
		}
		strbuf_append_char(&out, value[i]);
		i++;
	}
	return strbuf_take(&out);
}

static int bad_substitution(struct berth_error **err, const char *what)
{
	return berth_error_set(err, 0, "bad substitution: %s", what);
}

/* Apply the operator op (":-", "-", ":+", "+", ":?", "?", "#", ...). */
static int apply_operator(const char *name, const char *op, const char *word,
			  const char *value, char **ret,
			  struct berth_error **err)
{
	bool colon = op[0] == ':';
	char kind = colon ? op[1] : op[0];
	bool unset = value == NULL || (colon && *value == '\0');

	switch (kind) {
	case '-':
		*ret = xstrdup(unset ? word : value);
		return 0;
	case '+':
		*ret = xstrdup(unset ? "" : word);
		return 0;
	case '?':
		if (!unset) {
			*ret = xstrdup(value);
			return 0;
		}
		if (*word != '\0')
			return berth_error_set(err, 0, "%s: %s", name, word);
		return berth_error_set(err, 0, "%s: is not allowed to be %s",
				       name, value == NULL ? "unset" : "empty");
	case '#':
		*ret = trim_prefix(value != NULL ? value : "",
				   word + (word[0] == '#'), word[0] == '#');
		return 0;
	case '%':
		*ret = trim_suffix(value != NULL ? value : "",
				   word + (word[0] == '%'), word[0] == '%');
		return 0;
	}
	return berth_error_set(err, 0,
			       "unsupported modifier '%s' in substitution", op);
}

/* Expand the text after "${NAME/" up to the closing '}'. */
static int expand_replace(struct expander *ex, const char *name,
			  struct strbuf *out, struct berth_error **err)
{
	struct strbuf pat = STRBUF_INIT;
	struct strbuf repl = STRBUF_INIT;
	_cleanup_free_ char *result = NULL;
	bool all = false;
	const char *value;

	if (*ex->p == '/') {
		all = true;
		ex->p++;
	}
	if (expand_pattern_until(ex, '/', &pat, err) < 0 ||
	    expand_pattern_until(ex, '}', &repl, err) < 0) {
		strbuf_release(&pat);
		strbuf_release(&repl);
		return -1;
	}

	value = lookup(ex, name);
	result = replace_pattern(value != NULL ? value : "", strbuf_str(&pat),
				 strbuf_str(&repl), all);
	strbuf_release(&pat);
	strbuf_release(&repl);
	if (result == NULL)
		return too_long(err);
	strbuf_append(out, result);
	return 0;
}

/* Expand "${...}" with the cursor after "${". */
static int expand_braced(struct expander *ex, struct strbuf *out,
			 struct berth_error **err)
{
	_cleanup_free_ char *name = NULL;
	_cleanup_free_ char *result = NULL;
	struct strbuf word = STRBUF_INIT;
	char op[3] = {0};
	char kind;
	int r;

	if (*ex->p == '\0')
		return berth_error_set(err, 0, "missing '}' after '${'");
	if (*ex->p == '{' || *ex->p == '}' || *ex->p == ':')
		return bad_substitution(err, "no variable name after '${'");

	name = read_name(ex);
	if (*ex->p == '\0')
		return berth_error_set(err, 0, "missing '}' after '${%s'",
				       name);
	if (*ex->p == '}') {
		const char *value = lookup(ex, name);

		ex->p++;
		strbuf_append(out, value != NULL ? value : "");
		return 0;
	}
	if (*ex->p == '/') {
		ex->p++;
		return expand_replace(ex, name, out, err);
	}

	op[0] = *ex->p++;
	if (op[0] == ':')
		op[1] = *ex->p != '\0' ? *ex->p++ : '\0';
	if (strchr("-+?#%", op[0] == ':' ? op[1] : op[0]) == NULL ||
	    (op[0] == ':' && op[1] == '\0'))
		return berth_error_set(
			err, 0, "unsupported modifier '%s' in substitution",
			op);

	kind = op[0] == ':' ? op[1] : op[0];
	if (kind == '#' || kind == '%')
		r = expand_pattern_until(ex, '}', &word, err);
	else
		r = expand_until(ex, '}', &word, err);
	if (r < 0) {
		strbuf_release(&word);
		return -1;
	}
	r = apply_operator(name, op, strbuf_str(&word), lookup(ex, name),
			   &result, err);
	strbuf_release(&word);
	if (r < 0)
		return -1;

	strbuf_append(out, result);
	return 0;
}

/* Expand "$NAME" or "${...}" with the cursor on '$'. */
static int expand_dollar(struct expander *ex, struct strbuf *out,
			 struct berth_error **err)
{
	_cleanup_free_ char *name = NULL;
	const char *value;
	int r;

	ex->p++;
	if (*ex->p == '{') {
		if (ex->depth >= EXPAND_MAX_DEPTH)
			return berth_error_set(err, 0,
					       "more than %d nested '${'",
					       EXPAND_MAX_DEPTH);
		ex->p++;
		ex->depth++;
		r = expand_braced(ex, out, err);
		ex->depth--;
		if (r == 0 && out->len > EXPAND_MAX_SIZE)
			return too_long(err);
		return r;
	}

	name = read_name(ex);
	if (*name == '\0') {
		strbuf_append_char(out, '$');
		return 0;
	}
	value = lookup(ex, name);
	strbuf_append(out, value != NULL ? value : "");
	return out->len > EXPAND_MAX_SIZE ? too_long(err) : 0;
}

/* Copy '...' literally, cursor on the opening quote. */
static int expand_single_quote(struct expander *ex, struct strbuf *out,
			       struct berth_error **err)
{
	const char *end = strchr(ex->p + 1, '\'');

	if (end == NULL)
		return berth_error_set(err, 0, "missing closing single quote");
	strbuf_append_len(out, ex->p + 1, (size_t)(end - ex->p - 1));
	ex->p = end + 1;
	return 0;
}

/* Expand "...", cursor on the opening quote. */
static int expand_double_quote(struct expander *ex, struct strbuf *out,
			       struct berth_error **err)
{
	ex->p++;
	for (;;) {
		char c = *ex->p;

		if (c == '\0')
			return berth_error_set(err, 0,
					       "missing closing double quote");
		if (c == '"') {
			ex->p++;
			return 0;
		}
		if (c == '$') {
			if (expand_dollar(ex, out, err) < 0)
				return -1;
			continue;
		}

		ex->p++;
		if (c == ex->escape) {
			char next = *ex->p;

			if (next == '\0')
				continue;
			if (next == '"' || next == '$' || next == ex->escape) {
				c = next;
				ex->p++;
			}
		}
		strbuf_append_char(out, c);
	}
}

/* Expand like expand_until(), keeping escape characters in the output. */
static int expand_pattern_until(struct expander *ex, char stop,
				struct strbuf *out, struct berth_error **err)
{
	bool saved = ex->raw_escapes;
	int r;

	ex->raw_escapes = true;
	r = expand_until(ex, stop, out, err);
	ex->raw_escapes = saved;
	return r;
}

/*
 * Expand from the cursor up to stop (consumed) or, with stop '\0', to the
 * end of the word.
 */
static int expand_until(struct expander *ex, char stop, struct strbuf *out,
			struct berth_error **err)
{
	while (*ex->p != '\0') {
		char c = *ex->p;
		int r = 0;

		if (stop != '\0' && c == stop) {
			ex->p++;
			return 0;
		}

		if (c == '$')
			r = expand_dollar(ex, out, err);
		else if (c == '\'')
			r = expand_single_quote(ex, out, err);
		else if (c == '"')
			r = expand_double_quote(ex, out, err);
		else if (c == ex->escape) {
			ex->p++;
			if (ex->raw_escapes)
				strbuf_append_char(out, c);
			if (*ex->p != '\0')
				strbuf_append_char(out, *ex->p++);
		} else {
			strbuf_append_char(out, c);
			ex->p++;
		}
		if (r < 0)
			return -1;
	}

	if (stop != '\0')
		return berth_error_set(err, 0, "missing '%c'", stop);
	return 0;
}

int build_expand_word(const char *word, char escape, build_lookup_fn fn,
		      void *userdata, char **ret, struct berth_error **err)
{
	struct expander ex = {
		.p = word,
		.escape = escape,
		.lookup = fn,
		.userdata = userdata,
	};
	struct strbuf out = STRBUF_INIT;

	if (expand_until(&ex, '\0', &out, err) < 0 ||
	    (out.len > EXPAND_MAX_SIZE && too_long(err) < 0)) {
		strbuf_release(&out);
		return berth_error_wrap(
			err, "expand '%.*s%s'", EXPAND_QUOTE_MAX, word,
			strlen(word) > EXPAND_QUOTE_MAX ? "..." : "");
	}

	*ret = strbuf_take(&out);
	return 0;
}

const char *build_env_lookup(const char *name, void *userdata)
{
	char *const *env = userdata;
	size_t len = strlen(name);
	const char *found = NULL;

	for (size_t i = 0; env != NULL && env[i] != NULL; i++) {
		if (strncmp(env[i], name, len) == 0 && env[i][len] == '=')
			found = env[i] + len + 1;
	}
	return found;
}

int build_expand_word_env(const char *word, char escape, char *const *env,
			  char **ret, struct berth_error **err)
{
	return build_expand_word(word, escape, build_env_lookup, (void *)env,
				 ret, err);
}
