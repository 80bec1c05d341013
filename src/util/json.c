/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "util/json.h"

#include <errno.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"
#include "util/xalloc.h"

int json_parse_buffer(const char *data, size_t len, const char *what,
		      json_t **ret, struct berth_error **err)
{
	json_error_t jerr;
	json_t *j;

	j = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (j == NULL)
		return berth_error_set(err, 0,
				       "invalid JSON in %s at line %d, column "
				       "%d: %s",
				       what, jerr.line, jerr.column, jerr.text);
	*ret = j;
	return 0;
}

int json_parse_file(const char *path, json_t **ret, struct berth_error **err)
{
	_cleanup_free_ char *data = NULL;
	_cleanup_free_ char *what = NULL;
	size_t len;

	if (fs_read_file(path, &data, &len, err) < 0)
		return -1;

	xasprintf(&what, "'%s'", path);
	return json_parse_buffer(data, len, what, ret, err);
}

char *json_dump_canonical(const json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);

	if (s == NULL)
		abort();
	return s;
}

int json_write_file_atomic(const char *path, const json_t *j,
			   struct berth_error **err)
{
	_cleanup_free_ char *s = NULL;

	s = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
	if (s == NULL)
		return berth_error_set(err, ENOMEM, "serialize '%s'", path);
	return fs_write_atomic(path, s, strlen(s), 0644, err);
}

static int wrong_type(const char *where, const char *key, const char *what,
		      struct berth_error **err)
{
	if (where != NULL && where[0] != '\0')
		return berth_error_set(err, 0, "%s.%s: expected %s", where, key,
				       what);
	return berth_error_set(err, 0, "%s: expected %s", key, what);
}

int json_get_string_opt(const json_t *obj, const char *key, const char *where,
			const char **ret, struct berth_error **err)
{
	json_t *v = json_object_get(obj, key);

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return wrong_type(where, key, "a string", err);
	*ret = json_string_value(v);
	return 0;
}

int json_get_string(const json_t *obj, const char *key, const char *where,
		    const char **ret, struct berth_error **err)
{
	const char *s = NULL;

	if (json_get_string_opt(obj, key, where, &s, err) < 0)
		return -1;
	if (s == NULL) {
		if (where != NULL && where[0] != '\0')
			return berth_error_set(err, 0,
					       "%s.%s: missing required field",
					       where, key);
		return berth_error_set(err, 0, "%s: missing required field",
				       key);
	}
	*ret = s;
	return 0;
}

int json_get_bool_opt(const json_t *obj, const char *key, const char *where,
		      bool *ret, struct berth_error **err)
{
	json_t *v = json_object_get(obj, key);

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_boolean(v))
		return wrong_type(where, key, "a boolean", err);
	*ret = json_is_true(v);
	return 0;
}

int json_get_int64_opt(const json_t *obj, const char *key, const char *where,
		       int64_t *ret, struct berth_error **err)
{
	json_t *v = json_object_get(obj, key);

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_integer(v))
		return wrong_type(where, key, "an integer", err);
	*ret = json_integer_value(v);
	return 0;
}

int json_get_uint64_opt(const json_t *obj, const char *key, const char *where,
			uint64_t max, uint64_t *ret, struct berth_error **err)
{
	json_t *v = json_object_get(obj, key);
	json_int_t n;

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_integer(v))
		return wrong_type(where, key, "an unsigned integer", err);

	n = json_integer_value(v);
	if (n < 0 || (uint64_t)n > max) {
		if (where != NULL && where[0] != '\0')
			return berth_error_set(err, ERANGE,
					       "%s.%s: value %lld out of range "
					       "0..%llu",
					       where, key, (long long)n,
					       (unsigned long long)max);
		return berth_error_set(
			err, ERANGE, "%s: value %lld out of range 0..%llu", key,
			(long long)n, (unsigned long long)max);
	}
	*ret = (uint64_t)n;
	return 0;
}

int json_get_object_opt(const json_t *obj, const char *key, const char *where,
			json_t **ret, struct berth_error **err)
{
	json_t *v = json_object_get(obj, key);

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return wrong_type(where, key, "an object", err);
	*ret = v;
	return 0;
}

int json_get_array_opt(const json_t *obj, const char *key, const char *where,
		       json_t **ret, struct berth_error **err)
{
	json_t *v = json_object_get(obj, key);

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return wrong_type(where, key, "an array", err);
	*ret = v;
	return 0;
}

int json_get_strv_opt(const json_t *obj, const char *key, const char *where,
		      char ***ret, struct berth_error **err)
{
	_cleanup_strv_ char **strv = NULL;
	json_t *arr = NULL;
	json_t *v;
	size_t i;

	if (json_get_array_opt(obj, key, where, &arr, err) < 0)
		return -1;
	if (arr == NULL)
		return 0;

	strv = xcalloc(1, sizeof(char *));
	json_array_foreach (arr, i, v) {
		if (!json_is_string(v))
			return berth_error_set(
				err, 0, "%s%s%s[%zu]: expected a string",
				where ? where : "", where && *where ? "." : "",
				key, i);
		strv_push(&strv, json_string_value(v));
	}

	strv_free(*ret);
	*ret = TAKE_PTR(strv);
	return 0;
}

json_t *json_strv_array(char *const *strv)
{
	json_t *arr = json_array();

	for (size_t i = 0; strv != NULL && strv[i] != NULL; i++)
		json_array_append_new(arr, json_string(strv[i]));
	return arr;
}
