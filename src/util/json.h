/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_UTIL_JSON_H
#define BERTH_UTIL_JSON_H

/*
 * Typed access to jansson objects for parsers of untrusted JSON. Each
 * getter checks the type and reports a wrong one with the field's full
 * path, for example "process.user.uid: expected an unsigned integer".
 * A missing field is not an error for the *_opt getters; they leave the
 * out-parameter unchanged and return 0.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"

static inline void cleanup_json_decrefp(json_t **j)
{
	if (*j != NULL)
		json_decref(*j);
}

#define _cleanup_json_ __attribute__((cleanup(cleanup_json_decrefp)))

/* Parse a JSON document; the error names "what", line and column. */
int json_parse_buffer(const char *data, size_t len, const char *what,
		      json_t **ret, struct berth_error **err);
int json_parse_file(const char *path, json_t **ret, struct berth_error **err);

/* Serialize compactly with sorted keys, so equal objects give equal bytes. */
char *json_dump_canonical(const json_t *j);

/* Write j to path atomically, indented for people to read. */
int json_write_file_atomic(const char *path, const json_t *j,
			   struct berth_error **err);

int json_get_string_opt(const json_t *obj, const char *key, const char *where,
			const char **ret, struct berth_error **err);
int json_get_string(const json_t *obj, const char *key, const char *where,
		    const char **ret, struct berth_error **err);
int json_get_bool_opt(const json_t *obj, const char *key, const char *where,
		      bool *ret, struct berth_error **err);
int json_get_int64_opt(const json_t *obj, const char *key, const char *where,
		       int64_t *ret, struct berth_error **err);
/* Accept integers in [0, max] only. */
int json_get_uint64_opt(const json_t *obj, const char *key, const char *where,
			uint64_t max, uint64_t *ret, struct berth_error **err);
int json_get_object_opt(const json_t *obj, const char *key, const char *where,
			json_t **ret, struct berth_error **err);
int json_get_array_opt(const json_t *obj, const char *key, const char *where,
		       json_t **ret, struct berth_error **err);
/* Read an array of strings into a new NULL-terminated vector. */
int json_get_strv_opt(const json_t *obj, const char *key, const char *where,
		      char ***ret, struct berth_error **err);

/* A new array of the strings of a NULL-terminated vector (NULL: empty). */
json_t *json_strv_array(char *const *strv);

#endif
