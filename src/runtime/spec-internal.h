/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_RUNTIME_SPEC_INTERNAL_H
#define BERTH_RUNTIME_SPEC_INTERNAL_H

/*
 * Helpers shared by the config.json parser files. "where" is the JSON
 * path of the enclosing object ("process.user", "linux.devices[2]"), or
 * "" at the top level; errors name "where.key".
 */

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "runtime/spec.h"
#include "util/error.h"

/* Return "where.key", or "key" when where is empty. */
char *spec_field_path(const char *where, const char *key);

/* Return "where[index]". */
char *spec_index_path(const char *where, size_t index);

/*
 * Return path with "//", "." and ".." resolved lexically, like Go's
 * filepath.Clean. ".." never climbs above "/" in an absolute path.
 */
char *spec_clean_path(const char *path);

/* Return whether obj has key with a value other than null. */
bool spec_has_field(const json_t *obj, const char *key);

/* Fail with "where.key: missing required field" unless obj has key. */
int spec_require_field(const json_t *obj, const char *key, const char *where,
		       struct berth_error **err);

/* Reject a path that is not absolute, naming the field. */
int spec_check_absolute(const char *path, const char *where, const char *key,
			struct berth_error **err);

int spec_get_uint32_opt(const json_t *obj, const char *key, const char *where,
			uint32_t *ret, struct berth_error **err);

/*
 * Return a copy of the JSON text with ".0" after each integer above
 * INT64_MAX that spec_get_uint64_opt() can read back exactly, or NULL
 * when there is none. jansson rejects such integers otherwise.
 */
char *spec_widen_large_integers(const char *data, size_t len, size_t *ret_len);

/* Read an unsigned 64-bit integer, including widened ones. */
int spec_get_uint64_opt(const json_t *obj, const char *key, const char *where,
			uint64_t *ret, struct berth_error **err);

/*
 * Parse one element of a JSON array into elem, zeroed storage of the
 * element type. where is the element's path, "mounts[2]".
 */
typedef int (*spec_element_parser)(const json_t *v, const char *where,
				   void *elem, struct berth_error **err);

/*
 * Parse the array obj[key] into a new array of *ret_n elements of size
 * bytes each, followed by one zeroed element. A missing or null array
 * leaves *ret and *ret_n unchanged. On failure they are set all the
 * same, every element zeroed or parsed, so that the owner's free
 * function releases what was parsed.
 */
int spec_parse_array(const json_t *obj, const char *key, const char *where,
		     size_t size, spec_element_parser parse, void **ret,
		     size_t *ret_n, struct berth_error **err);

/*
 * Get the object obj[key], whose values must all be strings, into *ret.
 * A missing or null object leaves *ret unchanged.
 */
int spec_get_string_map_opt(const json_t *obj, const char *key,
			    const char *where, json_t **ret,
			    struct berth_error **err);

/* Copy a string field into *ret (freeing the old value) when present. */
int spec_dup_string_opt(const json_t *obj, const char *key, const char *where,
			char **ret, struct berth_error **err);

/* Parse the "linux" object into lx, which the caller has zeroed. */
int spec_parse_linux(const json_t *obj, struct spec_linux *linux,
		     struct berth_error **err);
void spec_linux_free(struct spec_linux *linux);

/* Parse "linux.resources" into lx->resources. */
int spec_parse_linux_resources(const json_t *obj, struct spec_linux *lx,
			       struct berth_error **err);

/* Parse and free "linux.seccomp". */
int spec_parse_seccomp(const json_t *obj, const char *where,
		       struct spec_seccomp **ret, struct berth_error **err);
void spec_seccomp_free(struct spec_seccomp *seccomp);

#endif
