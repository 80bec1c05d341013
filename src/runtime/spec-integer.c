/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unsigned 64-bit integers above INT64_MAX. config.json writes an
 * unlimited rlimit as 18446744073709551615 (RLIM_INFINITY, the uint64
 * maximum), but jansson stores integers as int64 and rejects larger ones
 * while parsing. Before parsing, each such
 * integer that a double represents exactly gets a ".0" suffix, so jansson
 * reads it as a real; spec_get_uint64_opt() turns it back into the same
 * integer. UINT64_MAX, which rounds to 2^64, is mapped back to itself.
 * Other large integers stay as written and fail to parse.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "runtime/spec-internal.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/xalloc.h"

/* 2^63 and 2^64 as doubles; both are exact. */
#define TWO_POW_63 9223372036854775808.0
#define TWO_POW_64 18446744073709551616.0

/* True when p is inside a number: after a sign, digit, point or exponent. */
static bool inside_number(const char *p, const char *data)
{
	return p > data && p[-1] != '\0' &&
	       strchr("+-.eE0123456789", p[-1]) != NULL;
}

/* Length of the integer at p, or 0 when the number has a fraction. */
static size_t integer_length(const char *p, const char *end)
{
	const char *q = p;

	while (q < end && *q >= '0' && *q <= '9')
		q++;

	if (q < end && (*q == '.' || *q == 'e' || *q == 'E'))
		return 0;
	return (size_t)(q - p);
}

/* True for an integer above INT64_MAX that maps back exactly. */
static bool needs_real(const char *digits, size_t n)
{
	char buf[24];
	unsigned long long v;
	char *end;
	double d;

	/* INT64_MAX has 19 digits, UINT64_MAX 20. */
	if (n < 19 || n > 20)
		return false;

	memcpy(buf, digits, n);
	buf[n] = '\0';
	errno = 0;
	v = strtoull(buf, &end, 10);
	if (errno != 0 || *end != '\0' || v <= INT64_MAX)
		return false;

	if (v == UINT64_MAX)
		return true;

	/* Values just below 2^64 round up to it, outside the uint64 range. */
	d = (double)v;
	return d < TWO_POW_64 && (unsigned long long)d == v;
}

/* Skip a JSON string starting at its opening quote; return past its end. */
static const char *skip_string(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p == '\\')
			p++;
		else if (*p == '"')
			return p + 1;
	}
	return end;
}

/* Append data[from..to) to out, which has room for it. */
static void append(char *out, size_t *out_len, const char *from, const char *to)
{
	memcpy(out + *out_len, from, (size_t)(to - from));
	*out_len += (size_t)(to - from);
}

char *spec_widen_large_integers(const char *data, size_t len, size_t *ret_len)
{
	static const char suffix[] = ".0";
	const char *end = data + len;
	const char *copied = data;
	const char *p = data;
	char *out = NULL;
	size_t out_len = 0;

	while (p < end) {
		size_t n;

		if (*p == '"') {
			p = skip_string(p, end);
			continue;
		}

		/* Negative numbers and fractions are never widened. */
		if (*p < '0' || *p > '9' || inside_number(p, data)) {
			p++;
			continue;
		}

		n = integer_length(p, end);
		if (n == 0) {
			p++;
			continue;
		}

		if (needs_real(p, n)) {
			/* Each rewrite adds 2 bytes; at most len / 19 occur. */
			if (out == NULL)
				out = xmalloc(len + len / 19 * 2 + 1);
			append(out, &out_len, copied, p + n);
			append(out, &out_len, suffix, suffix + 2);
			copied = p + n;
		}
		p += n;
	}

	if (out == NULL)
		return NULL;

	append(out, &out_len, copied, end);
	out[out_len] = '\0';
	*ret_len = out_len;
	return out;
}

int spec_get_uint64_opt(const json_t *obj, const char *key, const char *where,
			uint64_t *ret, struct berth_error **err)
{
	json_t *v = json_object_get(obj, key);
	double d;

	if (v == NULL || !json_is_real(v))
		return json_get_uint64_opt(obj, key, where, UINT64_MAX, ret,
					   err);

	/* Every double from 2^63 up is a whole number. */
	d = json_real_value(v);
	if (d < TWO_POW_63 || d > TWO_POW_64) {
		_cleanup_free_ char *field = spec_field_path(where, key);

		return berth_error_set(
			err, 0, "%s: expected an unsigned integer", field);
	}

	*ret = d == TWO_POW_64 ? UINT64_MAX : (uint64_t)d;
	return 0;
}
