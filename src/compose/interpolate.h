/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_COMPOSE_INTERPOLATE_H
#define BERTH_COMPOSE_INTERPOLATE_H

/*
 * Variable interpolation of the Compose Specification: $VAR, ${VAR},
 * ${VAR:-default}, ${VAR-default}, ${VAR:?message}, ${VAR?message},
 * ${VAR:+replacement}, ${VAR+replacement} and "$$" for a literal "$".
 * Defaults and replacements are interpolated themselves, so
 * ${A:-${B}} works. The forms with ':' treat an empty value as unset.
 */

#include <jansson.h>

#include "util/error.h"

/*
 * Variables (a JSON object of strings) and the warnings raised while
 * interpolating: one per variable that was unset and had no default.
 */
struct interp_env {
	const json_t *vars;
	char ***warnings;
};

/* Interpolate s; "where" names the value in errors. */
int interpolate_string(const char *s, const struct interp_env *env,
		       const char *where, char **ret, struct berth_error **err);

/*
 * Interpolate every string value of the tree in place; keys are left
 * alone. Errors name FILE and the path, "services.web.image".
 */
int interpolate_tree(json_t *root, const struct interp_env *env,
		     const char *file, struct berth_error **err);

#endif
