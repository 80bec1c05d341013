/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The .containerignore / .dockerignore matcher. Patterns and paths are
 * both split into cleaned path segments; "**" segments are matched
 * against any number of path segments with a table over (pattern
 * segment, path segment) positions, so no input can make matching
 * exponential.
 */
#include <stdlib.h>
#include <string.h>

#include "build/ignore.h"
#include "build/words.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"
#include "util/xalloc.h"

struct ignore_pattern {
	char **segs;
	size_t n_segs;
	bool exception;
};

struct ignore_matcher {
	struct ignore_pattern *patterns;
	size_t n_patterns;
};

/*
 * Split a '/'-separated path into segments, dropping empty and "."
 * segments and resolving ".." against the segments before it. A ".."
 * with nothing left to remove stays, so such a path matches nothing
 * inside the context.
 */
static char **clean_segments(const char *path, size_t *ret_n)
{
	char **segs = NULL;
	size_t n = 0;
	const char *p = path;

	while (*p != '\0') {
		size_t len = strcspn(p, "/");

		if (len == 2 && strncmp(p, "..", 2) == 0 && n > 0 &&
		    strcmp(segs[n - 1], "..") != 0) {
			free(segs[--n]);
			segs[n] = NULL;
		} else if (len > 0 && !(len == 1 && *p == '.')) {
			strv_push_take(&segs, xstrndup(p, len));
			n++;
		}
		p += len;
		if (*p == '/')
			p++;
	}
	*ret_n = n;
	return segs;
}

/*
 * Match character c against the class at *pp ("[...]"), moving *pp past
 * the closing ']'. Returns 1 on a match, 0 on none, -1 when the class
 * is malformed.
 */
static int match_class(const char **pp, char c)
{
	const char *p = *pp + 1;
	bool negate = *p == '^' || *p == '!';
	bool found = false;
	bool empty = true;

	if (negate)
		p++;
	while (*p != ']') {
		char lo;
		char hi;

		if (*p == '\0')
			return -1;
		if (*p == '\\' && p[1] != '\0')
			p++;
		lo = *p++;
		hi = lo;
		if (*p == '-' && p[1] != ']' && p[1] != '\0') {
			p++;
			if (*p == '\\' && p[1] != '\0')
				p++;
			hi = *p++;
		}
		if (lo <= c && c <= hi)
			found = true;
		empty = false;
	}
	if (empty)
		return -1;

	*pp = p + 1;
	return found != negate && c != '/';
}

/*
 * Match one path segment against one pattern segment. A star remembers
 * where it matched and widens that match on a mismatch, which keeps the
 * cost at length(pattern) * length(segment).
 */
static bool match_segment(const char *pat, const char *s)
{
	const char *star_pat = NULL;
	const char *star_s = NULL;

	while (*s != '\0') {
		const char *next = pat + 1;
		bool ok = false;

		if (*pat == '*') {
			while (*pat == '*')
				pat++;
			star_pat = pat;
			star_s = s;
			continue;
		}

		if (*pat == '?')
			ok = true;
		else if (*pat == '[') {
			next = pat;
			ok = match_class(&next, *s) == 1;
		} else if (*pat == '\\' && pat[1] != '\0') {
			ok = pat[1] == *s;
			next = pat + 2;
		} else if (*pat != '\0')
			ok = *pat == *s;

		if (ok) {
			pat = next;
			s++;
			continue;
		}
		if (star_pat == NULL)
			return false;
		pat = star_pat;
		s = ++star_s;
	}

	while (*pat == '*')
		pat++;
	return *pat == '\0';
}

static bool is_globstar(const char *seg)
{
	return strcmp(seg, "**") == 0;
}

/*
 * Whether the pattern matches the path or one of its parent directories.
 * table[i][j] holds whether pattern segments i.. match path segments j..,
 * filled from the end; a consumed pattern matches whatever path is left,
 * because excluding a directory excludes everything below it.
 */
static bool pattern_matches(const struct ignore_pattern *pat, char **path,
			    size_t n_path)
{
	size_t cols = n_path + 1;
	_cleanup_free_ bool *table =
		xcalloc((pat->n_segs + 1) * cols, sizeof(bool));

	for (size_t i = pat->n_segs + 1; i-- > 0;) {
		for (size_t j = n_path + 1; j-- > 0;) {
			bool *cell = &table[i * cols + j];

			if (i == pat->n_segs)
				*cell = true;
			else if (is_globstar(pat->segs[i]))
				*cell = table[(i + 1) * cols + j] ||
					(j < n_path && table[i * cols + j + 1]);
			else
				*cell = j < n_path &&
					match_segment(pat->segs[i], path[j]) &&
					table[(i + 1) * cols + j + 1];
		}
	}
	return table[0];
}

/*
 * Whether the pattern could match the directory itself, a parent, or a
 * path below it. table[i][j] is that question for pattern segments i..
 * and directory segments j..; once either runs out the answer is yes.
 */
static bool pattern_may_match_below(const struct ignore_pattern *pat,
				    char **dir, size_t n_dir)
{
	size_t cols = n_dir + 1;
	_cleanup_free_ bool *table =
		xcalloc((pat->n_segs + 1) * cols, sizeof(bool));

	for (size_t i = pat->n_segs + 1; i-- > 0;) {
		for (size_t j = n_dir + 1; j-- > 0;) {
			bool *cell = &table[i * cols + j];

			if (i == pat->n_segs || j == n_dir)
				*cell = true;
			else if (is_globstar(pat->segs[i]))
				*cell = table[(i + 1) * cols + j] ||
					table[i * cols + j + 1];
			else
				*cell = match_segment(pat->segs[i], dir[j]) &&
					table[(i + 1) * cols + j + 1];
		}
	}
	return table[0];
}

/* Check that every "[" class of the pattern is closed and not empty. */
static bool pattern_valid(const char *pattern)
{
	for (const char *p = pattern; *p != '\0'; p++) {
		if (*p == '\\' && p[1] != '\0') {
			p++;
			continue;
		}
		if (*p == '[') {
			const char *q = p;

			if (match_class(&q, 'a') < 0)
				return false;
			p = q - 1;
		}
	}
	return true;
}

static int add_pattern(struct ignore_matcher *m, const char *line,
		       const char *path, unsigned int lineno,
		       struct berth_error **err)
{
	struct ignore_pattern pat = {0};
	_cleanup_free_ char *text = build_strip(line, strlen(line));
	const char *p = text;

	if (*p == '\0')
		return 0;
	if (*p == '!') {
		pat.exception = true;
		p = build_skip_blanks(p + 1);
		if (*p == '\0')
			return berth_error_set(err, 0,
					       "%s:%u: invalid exception '!': "
					       "a pattern must follow '!'",
					       path, lineno);
	}
	if (!pattern_valid(p))
		return berth_error_set(err, 0,
				       "%s:%u: invalid pattern '%s': "
				       "unterminated or empty '['",
				       path, lineno, p);

	pat.segs = clean_segments(p, &pat.n_segs);
	if (pat.n_segs == 0) {
		strv_free(pat.segs);
		return 0;
	}

	m->patterns = xreallocarray(m->patterns, m->n_patterns + 1,
				    sizeof(*m->patterns));
	m->patterns[m->n_patterns++] = pat;
	return 0;
}

int ignore_parse(const char *data, size_t len, const char *path,
		 struct ignore_matcher **ret, struct berth_error **err)
{
	struct ignore_matcher *m = xzalloc(sizeof(*m));
	const char *end = data + len;
	const char *s = data;
	unsigned int lineno = 0;

	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		s += 3;

	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl != NULL ? (size_t)(nl - s) : (size_t)(end - s);
		_cleanup_free_ char *line = xstrndup(s, n);

		lineno++;
		s += n + 1;
		/* Only a '#' in the first column starts a comment. */
		if (line[0] == '#')
			continue;
		if (add_pattern(m, line, path, lineno, err) < 0) {
			ignore_matcher_free(m);
			return -1;
		}
	}

	*ret = m;
	return 0;
}

int ignore_load(const char *path, struct ignore_matcher **ret,
		struct berth_error **err)
{
	_cleanup_free_ char *data = NULL;
	size_t len;

	if (fs_read_file(path, &data, &len, err) < 0)
		return -1;
	return ignore_parse(data, len, path, ret, err);
}

void ignore_matcher_free(struct ignore_matcher *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->n_patterns; i++)
		strv_free(m->patterns[i].segs);
	free(m->patterns);
	free(m);
}

size_t ignore_pattern_count(const struct ignore_matcher *m)
{
	return m != NULL ? m->n_patterns : 0;
}

bool ignore_is_excluded(const struct ignore_matcher *m, const char *path)
{
	_cleanup_strv_ char **segs = NULL;
	size_t n;
	bool excluded = false;

	if (m == NULL)
		return false;
	segs = clean_segments(path, &n);
	if (n == 0)
		return false;

	for (size_t i = 0; i < m->n_patterns; i++) {
		const struct ignore_pattern *pat = &m->patterns[i];

		/* Only a pattern that would flip the answer needs a match. */
		if (pat->exception != excluded)
			continue;
		if (pattern_matches(pat, segs, n))
			excluded = !pat->exception;
	}
	return excluded;
}

bool ignore_dir_may_reinclude(const struct ignore_matcher *m, const char *dir)
{
	_cleanup_strv_ char **segs = NULL;
	size_t n;

	if (m == NULL)
		return false;
	segs = clean_segments(dir, &n);

	for (size_t i = 0; i < m->n_patterns; i++) {
		if (m->patterns[i].exception &&
		    pattern_may_match_below(&m->patterns[i], segs, n))
			return true;
	}
	return false;
}

bool ignore_can_skip_dir(const struct ignore_matcher *m, const char *dir)
{
	return ignore_is_excluded(m, dir) && !ignore_dir_may_reinclude(m, dir);
}

static char *first_existing(char **candidates)
{
	for (size_t i = 0; candidates[i] != NULL; i++) {
		if (fs_exists(candidates[i]))
			return xstrdup(candidates[i]);
	}
	return NULL;
}

int ignore_find_file(const char *context, const char *containerfile,
		     char **ret_path, struct berth_error **err)
{
	_cleanup_strv_ char **candidates = NULL;
	char *path;

	if (containerfile != NULL && strcmp(containerfile, "-") != 0) {
		xasprintf(&path, "%s.containerignore", containerfile);
		strv_push_take(&candidates, path);
		xasprintf(&path, "%s.dockerignore", containerfile);
		strv_push_take(&candidates, path);
	}
	strv_push_take(&candidates, fs_path_join(context, ".containerignore"));
	strv_push_take(&candidates, fs_path_join(context, ".dockerignore"));

	*ret_path = first_existing(candidates);
	return 0;
}

int ignore_load_for_build(const char *context, const char *containerfile,
			  struct ignore_matcher **ret, struct berth_error **err)
{
	_cleanup_free_ char *path = NULL;

	*ret = NULL;
	if (ignore_find_file(context, containerfile, &path, err) < 0)
		return -1;
	if (path == NULL)
		return 0;
	return ignore_load(path, ret, err);
}
