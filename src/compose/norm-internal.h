/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_COMPOSE_NORM_INTERNAL_H
#define BERTH_COMPOSE_NORM_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>

#include "compose/normalize.h"
#include "compose/path.h"
#include "util/error.h"
#include "util/json.h"

struct norm {
	const struct normalize_options *opts;
	struct path path;
};

/*
 * A normalizer checks "in" at the current path and stores its canonical
 * form in *out, or NULL to drop the key.
 */
typedef int (*norm_fn)(struct norm *n, const json_t *in, json_t **out,
		       struct berth_error **err);

struct norm_field {
	const char *key;
	norm_fn fn;
};

/* Error "FILE: PATH: MSG". */
int norm_fail(struct norm *n, struct berth_error **err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int norm_type_error(struct norm *n, const char *expected,
		    struct berth_error **err);
void norm_warn(struct norm *n, const char *what);

/* Normalize a mapping field by field; a null mapping counts as empty. */
int norm_object(struct norm *n, const json_t *in,
		const struct norm_field *fields, json_t **out,
		struct berth_error **err);
/* Run fn on child key of in (a mapping) under the path KEY. */
int norm_child(struct norm *n, const char *key, const json_t *in, norm_fn fn,
	       json_t **out, struct berth_error **err);

/* Scalars. */
int norm_string(struct norm *n, const json_t *in, json_t **out,
		struct berth_error **err);
int norm_bool(struct norm *n, const json_t *in, json_t **out,
	      struct berth_error **err);
int norm_uint(struct norm *n, const json_t *in, json_t **out,
	      struct berth_error **err);
int norm_int(struct norm *n, const json_t *in, json_t **out,
	     struct berth_error **err);
int norm_number(struct norm *n, const json_t *in, json_t **out,
		struct berth_error **err);
int norm_duration(struct norm *n, const json_t *in, json_t **out,
		  struct berth_error **err);
int norm_bytes(struct norm *n, const json_t *in, json_t **out,
	       struct berth_error **err);
int norm_strlist(struct norm *n, const json_t *in, json_t **out,
		 struct berth_error **err);
int norm_command(struct norm *n, const json_t *in, json_t **out,
		 struct berth_error **err);
int norm_environment(struct norm *n, const json_t *in, json_t **out,
		     struct berth_error **err);
int norm_labels(struct norm *n, const json_t *in, json_t **out,
		struct berth_error **err);
int norm_passthrough(struct norm *n, const json_t *in, json_t **out,
		     struct berth_error **err);

/* Text of a string or number scalar, or NULL for other types. */
char *norm_scalar_text(const json_t *in);
/* Absolute, lexically clean path of p against the project directory. */
char *norm_resolve_path(struct norm *n, const char *p);

/* Service fields with a syntax of their own. */
int norm_ports(struct norm *n, const json_t *in, json_t **out,
	       struct berth_error **err);
int norm_expose(struct norm *n, const json_t *in, json_t **out,
		struct berth_error **err);
int norm_volumes(struct norm *n, const json_t *in, json_t **out,
		 struct berth_error **err);

#endif
