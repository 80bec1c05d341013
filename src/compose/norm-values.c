/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "build/strbuf.h"
#include "compose/norm-internal.h"
#include "util/cleanup.h"
#include "util/strv.h"
#include "util/xalloc.h"

int norm_fail(struct norm *n, struct berth_error **err, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	return berth_error_set(err, 0, "%s: %s: %s", n->opts->file,
			       path_text(&n->path), msg);
}

static const char *type_name(const json_t *in)
{
	switch (json_typeof(in)) {
	case JSON_OBJECT:
		return "a mapping";
	case JSON_ARRAY:
		return "a sequence";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	default:
		return "null";
	}
}

int norm_type_error(struct norm *n, const char *expected,
		    struct berth_error **err)
{
	return norm_fail(n, err, "expected %s", expected);
}

void norm_warn(struct norm *n, const char *what)
{
	_cleanup_free_ char *msg = NULL;

	if (n->opts->warnings == NULL)
		return;
	xasprintf(&msg, "%s: %s: %s", n->opts->file, path_text(&n->path), what);
	if (!strv_contains(*n->opts->warnings, msg))
		strv_push_take(n->opts->warnings, TAKE_PTR(msg));
}

/*
 * The shortest text that reads back as v, as Go prints a float: 0.1,
 * not the 0.10000000000000001 of %.17g, which an environment variable
 * would carry.
 */
static char *real_text(double v)
{
	char *s = NULL;

	for (int precision = 1; precision < 17; precision++) {
		xasprintf(&s, "%.*g", precision, v);
		if (strtod(s, NULL) == v)
			return s;
		free(s);
	}
	xasprintf(&s, "%.17g", v);
	return s;
}

char *norm_scalar_text(const json_t *in)
{
	char *s = NULL;

	if (json_is_string(in))
		return xstrdup(json_string_value(in));
	if (json_is_integer(in)) {
		xasprintf(&s, "%" JSON_INTEGER_FORMAT, json_integer_value(in));
		return s;
	}
	if (json_is_real(in))
		return real_text(json_real_value(in));
	if (json_is_boolean(in))
		return xstrdup(json_is_true(in) ? "true" : "false");
	return NULL;
}

int norm_string(struct norm *n, const json_t *in, json_t **out,
		struct berth_error **err)
{
	_cleanup_free_ char *s = NULL;

	if (json_is_null(in)) {
		*out = NULL;
		return 0;
	}
	if (json_is_object(in) || json_is_array(in))
		return norm_fail(n, err, "expected a string, got %s",
				 type_name(in));
	s = norm_scalar_text(in);
	*out = json_string(s);
	return 0;
}

int norm_passthrough(struct norm *n, const json_t *in, json_t **out,
		     struct berth_error **err)
{
	*out = json_deep_copy(in);
	return 0;
}

int norm_bool(struct norm *n, const json_t *in, json_t **out,
	      struct berth_error **err)
{
	const char *s = json_string_value(in);

	if (json_is_boolean(in)) {
		*out = json_incref((json_t *)in);
		return 0;
	}
	if (s != NULL &&
	    (strcasecmp(s, "true") == 0 || strcasecmp(s, "yes") == 0)) {
		*out = json_true();
		return 0;
	}
	if (s != NULL &&
	    (strcasecmp(s, "false") == 0 || strcasecmp(s, "no") == 0)) {
		*out = json_false();
		return 0;
	}
	return norm_fail(n, err, "expected a boolean (true or false), got %s",
			 type_name(in));
}

static int parse_int(const char *s, long long *ret)
{
	char *end;

	if (s == NULL || *s == '\0' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	*ret = strtoll(s, &end, 10);
	return errno == 0 && *end == '\0' ? 0 : -1;
}

int norm_int(struct norm *n, const json_t *in, json_t **out,
	     struct berth_error **err)
{
	long long v;

	if (json_is_integer(in)) {
		*out = json_incref((json_t *)in);
		return 0;
	}
	if (parse_int(json_string_value(in), &v) == 0) {
		*out = json_integer(v);
		return 0;
	}
	return norm_fail(n, err, "expected an integer, got %s", type_name(in));
}

int norm_uint(struct norm *n, const json_t *in, json_t **out,
	      struct berth_error **err)
{
	if (norm_int(n, in, out, err) < 0)
		return -1;
	if (json_integer_value(*out) < 0) {
		json_decref(*out);
		*out = NULL;
		return norm_fail(n, err, "expected a non-negative integer");
	}
	return 0;
}

int norm_number(struct norm *n, const json_t *in, json_t **out,
		struct berth_error **err)
{
	const char *s = json_string_value(in);
	double v;
	char *end;

	if (json_is_number(in)) {
		v = json_number_value(in);
	} else if (s != NULL && *s != '\0') {
		errno = 0;
		v = strtod(s, &end);
		if (errno != 0 || *end != '\0')
			return norm_fail(n, err, "invalid number '%s'", s);
	} else {
		return norm_fail(n, err, "expected a number, got %s",
				 type_name(in));
	}
	if (!isfinite(v) || v < 0)
		return norm_fail(n, err, "expected a non-negative number");
	*out = json_real(v);
	return 0;
}

static const struct {
	const char *unit;
	long long ns;
} duration_units[] = {
	{"ns", 1LL},
	{"us", 1000LL},
	{"µs", 1000LL},
	{"ms", 1000000LL},
	{"s", 1000000000LL},
	{"m", 60000000000LL},
	{"h", 3600000000000LL},
};

int compose_parse_duration(const char *s, long long *ret)
{
	double total = 0;

	if (s == NULL || *s == '\0')
		return -1;
	if (strcmp(s, "0") == 0) {
		*ret = 0;
		return 0;
	}

	while (*s != '\0') {
		long long unit = 0;
		size_t unit_len = 0;
		double v;
		char *end;

		if (!isdigit((unsigned char)*s) && *s != '.')
			return -1;
		errno = 0;
		v = strtod(s, &end);
		if (errno != 0 || end == s)
			return -1;
		for (size_t i = 0; i < ARRAY_SIZE(duration_units); i++) {
			size_t len = strlen(duration_units[i].unit);

			if (strncmp(end, duration_units[i].unit, len) == 0 &&
			    len > unit_len) {
				unit = duration_units[i].ns;
				unit_len = len;
			}
		}
		if (unit == 0)
			return -1;
		total += v * (double)unit;
		s = end + unit_len;
	}
	if (total > (double)LLONG_MAX)
		return -1;
	*ret = (long long)total;
	return 0;
}

/* Append a seconds value without trailing zeros: 1.5, 30. */
static void append_seconds(struct strbuf *sb, long long ns)
{
	char text[48];
	size_t len;

	snprintf(text, sizeof(text), "%lld.%09lld", ns / 1000000000LL,
		 ns % 1000000000LL);
	len = strlen(text);
	while (text[len - 1] == '0')
		text[--len] = '\0';
	if (text[len - 1] == '.')
		text[--len] = '\0';
	strbuf_append(sb, text);
	strbuf_append_char(sb, 's');
}

char *compose_format_duration(long long ns)
{
	struct strbuf sb = STRBUF_INIT;
	char text[48];

	if (ns == 0)
		return xstrdup("0s");
	if (ns < 1000LL) {
		snprintf(text, sizeof(text), "%lldns", ns);
		return xstrdup(text);
	}
	if (ns < 1000000LL) {
		snprintf(text, sizeof(text), "%gus", (double)ns / 1e3);
		return xstrdup(text);
	}
	if (ns < 1000000000LL) {
		snprintf(text, sizeof(text), "%gms", (double)ns / 1e6);
		return xstrdup(text);
	}

	if (ns >= 3600000000000LL) {
		snprintf(text, sizeof(text), "%lldh", ns / 3600000000000LL);
		strbuf_append(&sb, text);
		ns %= 3600000000000LL;
		snprintf(text, sizeof(text), "%lldm", ns / 60000000000LL);
		strbuf_append(&sb, text);
		ns %= 60000000000LL;
	} else if (ns >= 60000000000LL) {
		snprintf(text, sizeof(text), "%lldm", ns / 60000000000LL);
		strbuf_append(&sb, text);
		ns %= 60000000000LL;
	}
	append_seconds(&sb, ns);
	return strbuf_take(&sb);
}

int norm_duration(struct norm *n, const json_t *in, json_t **out,
		  struct berth_error **err)
{
	_cleanup_free_ char *text = norm_scalar_text(in);
	long long ns;

	if (json_is_integer(in)) {
		/* A bare number counts as seconds. */
		if (json_integer_value(in) < 0 ||
		    json_integer_value(in) > LLONG_MAX / 1000000000LL)
			return norm_fail(n, err, "invalid duration '%s'", text);
		ns = json_integer_value(in) * 1000000000LL;
	} else if (!json_is_string(in) ||
		   compose_parse_duration(text, &ns) < 0) {
		return norm_fail(n, err,
				 "invalid duration '%s': use a number with "
				 "a unit, such as 10s or 1m30s",
				 text != NULL ? text : type_name(in));
	}

	_cleanup_free_ char *canon = compose_format_duration(ns);

	*out = json_string(canon);
	return 0;
}

static int parse_bytes(const char *s, long long *ret)
{
	static const struct {
		const char *suffix;
		long long factor;
	} units[] = {
		{"", 1},	   {"b", 1},	      {"k", 1LL << 10},
		{"kb", 1LL << 10}, {"m", 1LL << 20},  {"mb", 1LL << 20},
		{"g", 1LL << 30},  {"gb", 1LL << 30},
	};
	double v;
	char *end;

	errno = 0;
	if (!isdigit((unsigned char)*s))
		return -1;
	v = strtod(s, &end);
	if (errno != 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		if (strcasecmp(end, units[i].suffix) == 0) {
			double bytes = v * (double)units[i].factor;

			if (bytes > (double)LLONG_MAX)
				return -1;
			*ret = (long long)bytes;
			return 0;
		}
	}
	return -1;
}

int norm_bytes(struct norm *n, const json_t *in, json_t **out,
	       struct berth_error **err)
{
	long long v;

	if (json_is_integer(in) && json_integer_value(in) >= 0) {
		*out = json_incref((json_t *)in);
		return 0;
	}
	if (json_is_string(in) && parse_bytes(json_string_value(in), &v) == 0) {
		*out = json_integer(v);
		return 0;
	}

	_cleanup_free_ char *text = norm_scalar_text(in);

	return norm_fail(n, err,
			 "invalid size '%s': use bytes or a number with "
			 "b, k, m or g",
			 text != NULL ? text : type_name(in));
}

int norm_strlist(struct norm *n, const json_t *in, json_t **out,
		 struct berth_error **err)
{
	_cleanup_json_ json_t *list = json_array();
	json_t *v;
	size_t i;

	if (json_is_string(in) || json_is_number(in)) {
		_cleanup_free_ char *s = norm_scalar_text(in);

		json_array_append_new(list, json_string(s));
		*out = TAKE_PTR(list);
		return 0;
	}
	if (!json_is_array(in))
		return norm_type_error(n, "a string or a sequence of strings",
				       err);

	json_array_foreach (in, i, v) {
		_cleanup_free_ char *s = NULL;

		if (json_is_object(v) || json_is_array(v) || json_is_null(v)) {
			path_push_index(&n->path, i);
			return norm_type_error(n, "a string", err);
		}
		s = norm_scalar_text(v);
		json_array_append_new(list, json_string(s));
	}
	*out = TAKE_PTR(list);
	return 0;
}
