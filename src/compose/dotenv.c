/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "build/strbuf.h"
#include "compose/dotenv.h"
#include "compose/interpolate.h"
#include "compose/read-file.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/xalloc.h"

#define DOTENV_MAX_SIZE (1024 * 1024)

struct reader {
	const char *p;
	const char *end;
	const char *name;
	size_t line;
	json_t *vars;	/* parsed so far */
	json_t *lookup; /* outer, overlaid by vars */
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static void skip_blanks(struct reader *r)
{
	while (r->p < r->end && is_blank(*r->p))
		r->p++;
}

/* Skip the rest of the line, counting it. */
static void skip_line(struct reader *r)
{
	while (r->p < r->end && *r->p != '\n')
		r->p++;
	if (r->p < r->end) {
		r->p++;
		r->line++;
	}
}

static bool is_key_char(char c, bool first)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
		return true;
	return !first && ((c >= '0' && c <= '9') || c == '.' || c == '-');
}

static int fail(struct reader *r, const char *what, struct berth_error **err)
{
	return berth_error_set(err, 0, "%s:%zu: %s", r->name, r->line, what);
}

static int read_key(struct reader *r, char **ret, struct berth_error **err)
{
	const char *start;

	if (r->end - r->p > 7 && strncmp(r->p, "export", 6) == 0 &&
	    is_blank(r->p[6])) {
		r->p += 7;
		skip_blanks(r);
	}

	start = r->p;
	while (r->p < r->end && is_key_char(*r->p, r->p == start))
		r->p++;
	if (r->p == start)
		return fail(r,
			    "invalid variable name: names start with a "
			    "letter or '_'",
			    err);
	*ret = xstrndup(start, r->p - start);
	return 0;
}

/* After a closing quote only blanks and a comment may follow. */
static int finish_line(struct reader *r, struct berth_error **err)
{
	skip_blanks(r);
	if (r->p < r->end && *r->p != '\n' && *r->p != '#')
		return fail(r, "unexpected text after the closing quote", err);
	skip_line(r);
	return 0;
}

static int read_single(struct reader *r, struct strbuf *out,
		       struct berth_error **err)
{
	size_t start_line = r->line;

	for (r->p++; r->p < r->end && *r->p != '\''; r->p++) {
		if (*r->p == '\n')
			r->line++;
		/* A literal '$' must survive the interpolation pass. */
		if (*r->p == '$')
			strbuf_append_char(out, '$');
		strbuf_append_char(out, *r->p);
	}
	if (r->p >= r->end) {
		r->line = start_line;
		return fail(r, "unterminated single quote", err);
	}
	r->p++;
	return finish_line(r, err);
}

static void append_escape(struct strbuf *out, char c)
{
	switch (c) {
	case 'n':
		strbuf_append_char(out, '\n');
		break;
	case 'r':
		strbuf_append_char(out, '\r');
		break;
	case 't':
		strbuf_append_char(out, '\t');
		break;
	case '\\':
	case '"':
		strbuf_append_char(out, c);
		break;
	case '$':
		strbuf_append(out, "$$");
		break;
	default:
		strbuf_append_char(out, '\\');
		strbuf_append_char(out, c);
	}
}

static int read_double(struct reader *r, struct strbuf *out,
		       struct berth_error **err)
{
	size_t start_line = r->line;

	for (r->p++; r->p < r->end && *r->p != '"'; r->p++) {
		if (*r->p == '\n')
			r->line++;
		if (*r->p == '\\' && r->p + 1 < r->end) {
			r->p++;
			append_escape(out, *r->p);
			continue;
		}
		strbuf_append_char(out, *r->p);
	}
	if (r->p >= r->end) {
		r->line = start_line;
		return fail(r, "unterminated double quote", err);
	}
	r->p++;
	return finish_line(r, err);
}

static void read_bare(struct reader *r, struct strbuf *out)
{
	const char *start = r->p;
	const char *stop;

	while (r->p < r->end && *r->p != '\n') {
		if (*r->p == '#' && (r->p == start || is_blank(r->p[-1])))
			break;
		r->p++;
	}
	stop = r->p;
	while (stop > start && is_blank(stop[-1]))
		stop--;
	strbuf_append_len(out, start, stop - start);
	skip_line(r);
}

static int store(struct reader *r, const char *key, const char *raw,
		 struct berth_error **err)
{
	struct interp_env env = {.vars = r->lookup};
	_cleanup_free_ char *where = NULL;
	_cleanup_free_ char *value = NULL;
	json_t *string;

	xasprintf(&where, "%s:%zu", r->name, r->line);
	if (interpolate_string(raw, &env, where, &value, err) < 0)
		return -1;
	/* jansson, and so the model, accepts UTF-8 strings only. */
	string = json_string(value);
	if (string == NULL)
		return fail(r, "the value is not valid UTF-8", err);
	json_object_set(r->vars, key, string);
	json_object_set_new(r->lookup, key, string);
	return 0;
}

static int read_entry(struct reader *r, struct berth_error **err)
{
	_cleanup_free_ char *key = NULL;
	struct strbuf raw = STRBUF_INIT;
	size_t line = r->line;
	int ret;

	if (read_key(r, &key, err) < 0)
		return -1;
	skip_blanks(r);

	if (r->p >= r->end || *r->p == '\n' || *r->p == '#') {
		json_t *outer = json_object_get(r->lookup, key);

		skip_line(r);
		if (json_is_string(outer))
			json_object_set(r->vars, key, outer);
		return 0;
	}
	/* "KEY: value" is the YAML-like form that docker compose reads. */
	if (*r->p != '=' && *r->p != ':')
		return fail(r, "expected '=' after the variable name", err);
	r->p++;
	skip_blanks(r);

	ret = 0;
	if (r->p < r->end && *r->p == '\'')
		ret = read_single(r, &raw, err);
	else if (r->p < r->end && *r->p == '"')
		ret = read_double(r, &raw, err);
	else
		read_bare(r, &raw);

	if (ret == 0) {
		size_t end_line = r->line;

		r->line = line;
		ret = store(r, key, strbuf_str(&raw), err);
		r->line = end_line;
	}
	strbuf_release(&raw);
	return ret;
}

int dotenv_parse(const char *data, size_t len, const char *name,
		 const json_t *outer, json_t **ret, struct berth_error **err)
{
	_cleanup_json_ json_t *vars = json_object();
	_cleanup_json_ json_t *lookup = NULL;
	struct reader r = {
		.p = data,
		.end = data + len,
		.name = name,
		.line = 1,
		.vars = vars,
	};

	if (memchr(data, '\0', len) != NULL)
		return berth_error_set(err, 0, "%s: contains a NUL byte", name);

	lookup = outer != NULL ? json_copy((json_t *)outer) : json_object();
	r.lookup = lookup;

	while (r.p < r.end) {
		skip_blanks(&r);
		if (r.p >= r.end)
			break;
		if (*r.p == '\n' || *r.p == '#') {
			skip_line(&r);
			continue;
		}
		if (read_entry(&r, err) < 0)
			return -1;
	}

	*ret = TAKE_PTR(vars);
	return 0;
}

int dotenv_read_file(const char *path, const json_t *outer, json_t **ret,
		     struct berth_error **err)
{
	_cleanup_free_ char *data = NULL;
	size_t len;

	if (read_file_capped(path, DOTENV_MAX_SIZE, &data, &len, err) < 0)
		return -1;
	return dotenv_parse(data, len, path, outer, ret, err);
}
