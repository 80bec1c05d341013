/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "registry/auth-challenge.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/xalloc.h"

/* RFC 9110 tchar */
static bool is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* RFC 9110 token68 characters, without the trailing '=' padding. */
static bool is_token68_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("-._~+/", c) != NULL);
}

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static const char *skip_ws_commas(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == ',')
		p++;
	return p;
}

static size_t token_len(const char *p)
{
	size_t n = 0;

	while (is_tchar(p[n]))
		n++;
	return n;
}

static char *lower_dup(const char *p, size_t n)
{
	char *s = xstrndup(p, n);

	for (size_t i = 0; i < n; i++)
		s[i] = (char)tolower((unsigned char)s[i]);
	return s;
}

static int invalid(const char *reason, struct berth_error **err)
{
	return berth_error_set(err, 0, "invalid WWW-Authenticate header: %s",
			       reason);
}

/*
 * Parse a quoted-string starting at the opening quote into *ret;
 * return the position after the closing quote, NULL when unterminated.
 */
static const char *parse_quoted(const char *p, char **ret)
{
	size_t cap = strlen(p);
	_cleanup_free_ char *out = xmalloc(cap + 1);
	size_t n = 0;

	for (p++; *p != '"'; p++) {
		if (*p == '\0')
			return NULL;
		if (*p == '\\') {
			p++;
			if (*p == '\0')
				return NULL;
		}
		out[n++] = *p;
	}
	out[n] = '\0';
	*ret = TAKE_PTR(out);
	return p + 1;
}

/*
 * Whether p starts "name BWS = BWS" with a value following, which makes
 * it an auth-param rather than the next challenge's scheme or a token68.
 */
static bool at_param(const char *p)
{
	size_t n = token_len(p);
	const char *q;

	if (n == 0)
		return false;
	q = skip_ws(p + n);
	if (*q != '=')
		return false;
	q = skip_ws(q + 1);
	return *q == '"' || is_tchar(*q);
}

static void add_param(struct auth_challenge *c, char *name, char *value)
{
	c->params =
		xreallocarray(c->params, c->n_params + 1, sizeof(*c->params));
	c->params[c->n_params].name = name;
	c->params[c->n_params].value = value;
	c->n_params++;
}

/* Parse name=value at p into c; return the position after the value. */
static const char *parse_param(const char *p, struct auth_challenge *c,
			       struct berth_error **err)
{
	size_t n = token_len(p);
	_cleanup_free_ char *name = lower_dup(p, n);
	_cleanup_free_ char *v = NULL;

	if (c->n_params >= AUTH_CHALLENGE_MAX_PARAMS) {
		invalid("too many parameters", err);
		return NULL;
	}

	p = skip_ws(skip_ws(p + n) + 1);
	if (*p == '"') {
		p = parse_quoted(p, &v);
		if (p == NULL) {
			invalid("unterminated quoted string", err);
			return NULL;
		}
	} else {
		n = token_len(p);
		v = xstrndup(p, n);
		p += n;
	}

	add_param(c, TAKE_PTR(name), TAKE_PTR(v));
	return p;
}

/* A token68 right after the scheme: chars, '=' padding, then end or ','. */
static const char *parse_token68(const char *p, struct auth_challenge *c)
{
	const char *q = p;

	while (is_token68_char(*q))
		q++;
	if (q == p)
		return NULL;
	while (*q == '=')
		q++;
	if (*skip_ws(q) != '\0' && *skip_ws(q) != ',')
		return NULL;

	add_param(c, xstrdup(""), xstrndup(p, (size_t)(q - p)));
	return q;
}

/* Parse the parameters that follow a scheme; p is after the scheme. */
static const char *parse_params(const char *p, struct auth_challenge *c,
				struct berth_error **err)
{
	const char *q;

	if (*p != ' ' && *p != '\t')
		return p;
	p = skip_ws(p);

	if (!at_param(p)) {
		q = parse_token68(p, c);
		return q != NULL ? q : p;
	}

	for (;;) {
		p = parse_param(p, c, err);
		if (p == NULL)
			return NULL;
		p = skip_ws(p);
		if (*p == '\0')
			return p;
		if (*p != ',') {
			invalid("expected ',' after a parameter", err);
			return NULL;
		}
		q = skip_ws_commas(p);
		if (!at_param(q))
			return q;
		p = q;
	}
}

static void challenge_clear(struct auth_challenge *c)
{
	for (size_t i = 0; i < c->n_params; i++) {
		free(c->params[i].name);
		free(c->params[i].value);
	}
	free(c->params);
	free(c->scheme);
}

void auth_challenges_free(struct auth_challenge *c, size_t n)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		challenge_clear(&c[i]);
	free(c);
}

int auth_challenges_parse(const char *value, struct auth_challenge **ret,
			  size_t *ret_n, struct berth_error **err)
{
	struct auth_challenge *list = NULL;
	size_t n = 0;
	const char *p = value;

	if (strlen(value) > AUTH_CHALLENGE_MAX_LEN)
		return invalid("longer than 16384 bytes", err);

	for (p = skip_ws_commas(p); *p != '\0'; p = skip_ws_commas(p)) {
		size_t len = token_len(p);
		struct auth_challenge *c;

		if (len == 0) {
			auth_challenges_free(list, n);
			return invalid("expected an auth scheme", err);
		}
		if (n >= AUTH_CHALLENGE_MAX_PARAMS) {
			auth_challenges_free(list, n);
			return invalid("too many challenges", err);
		}

		list = xreallocarray(list, n + 1, sizeof(*list));
		c = &list[n++];
		memset(c, 0, sizeof(*c));
		c->scheme = lower_dup(p, len);

		p = parse_params(p + len, c, err);
		if (p == NULL) {
			auth_challenges_free(list, n);
			return -1;
		}
		p = skip_ws(p);
		if (*p != '\0' && *p != ',' && !is_tchar(*p)) {
			auth_challenges_free(list, n);
			return invalid("unexpected character", err);
		}
	}

	if (n == 0)
		return invalid("no challenge", err);

	*ret = list;
	*ret_n = n;
	return 0;
}

const struct auth_challenge *
auth_challenges_find(const struct auth_challenge *c, size_t n,
		     const char *scheme)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(c[i].scheme, scheme) == 0)
			return &c[i];
	return NULL;
}

const char *auth_challenge_param(const struct auth_challenge *c,
				 const char *name)
{
	for (size_t i = 0; i < c->n_params; i++)
		if (strcmp(c->params[i].name, name) == 0)
			return c->params[i].value;
	return NULL;
}
