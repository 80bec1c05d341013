/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The line loop of the Containerfile parser: parser directives at the
 * top, comments, continuation lines, heredoc bodies, and the grouping
 * of instructions into stages. The arguments of each instruction are
 * parsed in instruction.c.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "build/containerfile-internal.h"
#include "build/strbuf.h"
#include "build/words.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"
#include "util/xalloc.h"

struct line_cursor {
	const char *data;
	size_t len;
	size_t pos;
	unsigned int line; /* number of the line last returned */
};

struct parse_state {
	struct line_cursor cur;
	struct containerfile *cf;
	bool seen_escape;
	bool seen_syntax;
	bool seen_check;
};

/* Return the next physical line without its "\n" or "\r\n". */
static bool next_line(struct line_cursor *c, const char **ret, size_t *ret_len)
{
	const char *start = c->data + c->pos;
	const char *nl;
	size_t n;

	if (c->pos >= c->len)
		return false;

	nl = memchr(start, '\n', c->len - c->pos);
	n = nl != NULL ? (size_t)(nl - start) : c->len - c->pos;
	c->pos += n + (nl != NULL ? 1 : 0);
	c->line++;

	if (n > 0 && start[n - 1] == '\r')
		n--;
	*ret = start;
	*ret_len = n;
	return true;
}

static bool is_blank_line(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!build_is_blank(s[i]))
			return false;
	}
	return true;
}

static bool is_comment_line(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && build_is_blank(s[i]))
		i++;
	return i < n && s[i] == '#';
}

/*
 * Whether the line ends with the escape character followed only by
 * blanks; *ret_len is then the length before the escape character.
 */
static bool continues(const char *s, size_t n, char escape, size_t *ret_len)
{
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n == 0 || s[n - 1] != escape)
		return false;
	*ret_len = n - 1;
	return true;
}

static int set_directive(struct parse_state *st, const char *name,
			 const char *value, struct berth_error **err)
{
	struct containerfile *cf = st->cf;
	bool *seen = strcmp(name, "escape") == 0 ? &st->seen_escape :
		     strcmp(name, "syntax") == 0 ? &st->seen_syntax :
						   &st->seen_check;

	if (*seen)
		return berth_error_set(
			err, 0, "%s:%u: only one '%s' directive is allowed",
			cf->path, st->cur.line, name);
	*seen = true;

	if (strcmp(name, "syntax") == 0) {
		cf->syntax = xstrdup(value);
	} else if (strcmp(name, "escape") == 0) {
		if (strcmp(value, "\\") != 0 && strcmp(value, "`") != 0)
			return berth_error_set(
				err, 0,
				"%s:%u: invalid escape directive '%s': use "
				"'\\' or '`'",
				cf->path, st->cur.line, value);
		cf->escape = value[0];
	}
	return 0;
}

/*
 * Parse "# name=value" into a known directive name (lowercased) and
 * value. Returns false for any other line, which ends the directives.
 */
static bool parse_directive(const char *s, size_t n, char **ret_name,
			    char **ret_value)
{
	_cleanup_free_ char *line = xstrndup(s, n);
	const char *p = build_skip_blanks(line);
	const char *name;
	size_t name_len;
	char *lower;
	char *value;

	if (*p != '#')
		return false;
	p = build_skip_blanks(p + 1);

	name = p;
	while (isalnum((unsigned char)*p))
		p++;
	name_len = (size_t)(p - name);
	p = build_skip_blanks(p);
	if (name_len == 0 || !isalpha((unsigned char)*name) || *p != '=')
		return false;

	value = build_strip(p + 1, strlen(p + 1));
	lower = xstrndup(name, name_len);
	for (char *c = lower; *c != '\0'; c++)
		*c = (char)tolower((unsigned char)*c);

	if (*value == '\0' ||
	    (strcmp(lower, "escape") != 0 && strcmp(lower, "syntax") != 0 &&
	     strcmp(lower, "check") != 0)) {
		free(lower);
		free(value);
		return false;
	}
	*ret_name = lower;
	*ret_value = value;
	return true;
}

/* Read the directives at the top; stop before the first other line. */
static int read_directives(struct parse_state *st, struct berth_error **err)
{
	for (;;) {
		struct line_cursor saved = st->cur;
		_cleanup_free_ char *name = NULL;
		_cleanup_free_ char *value = NULL;
		const char *s;
		size_t n;

		if (!next_line(&st->cur, &s, &n))
			return 0;
		if (!parse_directive(s, n, &name, &value)) {
			st->cur = saved;
			return 0;
		}
		if (set_directive(st, name, value, err) < 0)
			return -1;
	}
}

/*
 * Join the first line s and its continuation lines into one logical
 * line. Comment and blank lines inside a continuation are dropped, and
 * continuation lines keep their leading blanks, as in docker build.
 */
static char *read_logical_line(struct parse_state *st, const char *s, size_t n)
{
	struct strbuf out = STRBUF_INIT;
	char escape = st->cf->escape;
	size_t keep;
	bool more = continues(s, n, escape, &keep);

	strbuf_append_len(&out, s, more ? keep : n);
	while (more && next_line(&st->cur, &s, &n)) {
		if (is_comment_line(s, n) || is_blank_line(s, n))
			continue;
		more = continues(s, n, escape, &keep);
		strbuf_append_len(&out, s, more ? keep : n);
	}
	return strbuf_take(&out);
}

/* Read the body of each heredoc of in from the lines that follow. */
static int read_heredocs(struct parse_state *st, struct build_instruction *in,
			 struct berth_error **err)
{
	for (size_t i = 0; i < in->n_heredocs; i++) {
		struct build_heredoc *doc = &in->heredocs[i];
		struct strbuf body = STRBUF_INIT;
		bool done = false;
		const char *s;
		size_t n;

		while (!done && next_line(&st->cur, &s, &n)) {
			while (doc->strip_tabs && n > 0 && *s == '\t') {
				s++;
				n--;
			}
			done = n == strlen(doc->name) &&
			       memcmp(s, doc->name, n) == 0;
			if (!done) {
				strbuf_append_len(&body, s, n);
				strbuf_append_char(&body, '\n');
			}
		}
		doc->content = strbuf_take(&body);
		if (!done)
			return berth_error_set(err, 0,
					       "%s:%u: %s: heredoc '%s' has no "
					       "terminating '%s' line",
					       st->cf->path, in->line,
					       build_instruction_name(in->kind),
					       doc->name, doc->name);
	}
	return 0;
}

static struct build_instruction *
append_instruction(struct build_instruction **list, size_t *n)
{
	*list = xreallocarray(*list, *n + 1, sizeof(**list));
	(*list)[*n] = (struct build_instruction){0};
	return &(*list)[(*n)++];
}

static void start_stage(struct containerfile *cf, struct build_instruction *in)
{
	struct build_stage *stage;
	const char *platform = build_instruction_flag(in, "platform");

	cf->stages = xreallocarray(cf->stages, cf->n_stages + 1,
				   sizeof(*cf->stages));
	stage = &cf->stages[cf->n_stages];
	*stage = (struct build_stage){
		.index = cf->n_stages,
		.base = xstrdup(in->args[0]),
		.name = in->args[1] != NULL ? xstrdup(in->args[1]) : NULL,
		.platform = platform != NULL ? xstrdup(platform) : NULL,
	};
	cf->n_stages++;

	*append_instruction(&stage->instructions, &stage->n_instructions) = *in;
}

/* Move the parsed instruction in into its stage or the global ARGs. */
static int place_instruction(struct containerfile *cf,
			     struct build_instruction *in,
			     struct berth_error **err)
{
	struct build_stage *stage;

	if (in->kind == BUILD_FROM) {
		start_stage(cf, in);
		return 0;
	}

	if (cf->n_stages == 0 && in->kind != BUILD_ARG)
		return berth_error_set(
			err, 0,
			"%s:%u: %s: no FROM before this instruction: only ARG "
			"may come before the first FROM",
			cf->path, in->line, build_instruction_name(in->kind));

	if (cf->n_stages == 0) {
		*append_instruction(&cf->global_args, &cf->n_global_args) = *in;
		return 0;
	}

	stage = &cf->stages[cf->n_stages - 1];
	*append_instruction(&stage->instructions, &stage->n_instructions) = *in;
	return 0;
}

/* Parse the instruction that starts with line s. */
static int parse_instruction(struct parse_state *st, const char *s, size_t n,
			     struct berth_error **err)
{
	struct build_instruction in = {.line = st->cur.line};
	_cleanup_free_ char *logical = read_logical_line(st, s, n);

	if (cf_parse_line(logical, st->cf->escape, &in, err) < 0) {
		berth_error_wrap(err, "%s:%u", st->cf->path, in.line);
		cf_instruction_clear(&in);
		return -1;
	}

	if (read_heredocs(st, &in, err) < 0 ||
	    place_instruction(st->cf, &in, err) < 0) {
		cf_instruction_clear(&in);
		return -1;
	}
	return 0;
}

static int parse_lines(struct parse_state *st, struct berth_error **err)
{
	const char *s;
	size_t n;

	if (read_directives(st, err) < 0)
		return -1;

	while (next_line(&st->cur, &s, &n)) {
		size_t skip = 0;

		while (skip < n && build_is_blank(s[skip]))
			skip++;
		if (skip == n || s[skip] == '#')
			continue;

		if (parse_instruction(st, s + skip, n - skip, err) < 0)
			return -1;
	}

	if (st->cf->n_stages == 0)
		return berth_error_set(err, 0,
				       "%s: no FROM instruction: a build needs "
				       "at least one stage",
				       st->cf->path);
	return 0;
}

int containerfile_parse(const char *data, size_t len, const char *path,
			struct containerfile **ret, struct berth_error **err)
{
	struct containerfile *cf = xzalloc(sizeof(*cf));
	struct parse_state st = {.cf = cf};
	const void *nul = memchr(data, '\0', len);

	cf->path = xstrdup(path);
	cf->escape = '\\';

	if (len > CONTAINERFILE_MAX_SIZE) {
		containerfile_free(cf);
		return berth_error_set(err, 0,
				       "%s: the file has %zu bytes, more than "
				       "the limit of %d",
				       path, len, CONTAINERFILE_MAX_SIZE);
	}
	if (nul != NULL) {
		containerfile_free(cf);
		return berth_error_set(
			err, 0, "%s: invalid NUL byte at offset %zu", path,
			(size_t)((const char *)nul - data));
	}

	/* A UTF-8 byte order mark is not part of the first line. */
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
		data += 3;
		len -= 3;
	}
	st.cur = (struct line_cursor){.data = data, .len = len};

	if (parse_lines(&st, err) < 0 ||
	    containerfile_check_stages(cf, err) < 0) {
		containerfile_free(cf);
		return -1;
	}

	*ret = cf;
	return 0;
}

int containerfile_load(const char *path, struct containerfile **ret,
		       struct berth_error **err)
{
	_cleanup_free_ char *data = NULL;
	size_t len;

	if (fs_read_file(path, &data, &len, err) < 0)
		return -1;
	return containerfile_parse(data, len, path, ret, err);
}

static void free_instructions(struct build_instruction *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cf_instruction_clear(&list[i]);
	free(list);
}

void containerfile_free(struct containerfile *cf)
{
	if (cf == NULL)
		return;

	for (size_t i = 0; i < cf->n_stages; i++) {
		struct build_stage *stage = &cf->stages[i];

		free(stage->base);
		free(stage->name);
		free(stage->platform);
		free_instructions(stage->instructions, stage->n_instructions);
	}
	free(cf->stages);
	free_instructions(cf->global_args, cf->n_global_args);
	free(cf->syntax);
	free(cf->path);
	free(cf);
}

int containerfile_find(const char *context, const char *file, char **ret_path,
		       struct berth_error **err)
{
	static const char *const names[] = {"Containerfile", "Dockerfile"};

	if (file != NULL) {
		if (strcmp(file, "-") != 0 && !fs_exists(file))
			return berth_error_set(err, 0,
					       "Containerfile '%s' not found: "
					       "check the -f path",
					       file);
		*ret_path = xstrdup(file);
		return 0;
	}

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		char *path = fs_path_join(context, names[i]);

		if (fs_exists(path)) {
			*ret_path = path;
			return 0;
		}
		free(path);
	}
	return berth_error_set(
		err, 0,
		"no Containerfile or Dockerfile found in '%s': pass -f FILE",
		context);
}
