/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_COMPOSE_YAML_LOAD_H
#define BERTH_COMPOSE_YAML_LOAD_H

/*
 * Loading a YAML document into a jansson tree. Plain scalars resolve as
 * in the YAML 1.2 core schema (null, booleans, integers, floats), quoted
 * ones stay strings. Anchors, aliases and "<<" merge keys are expanded;
 * the expansion is bounded by YAML_MAX_NODES so that nested aliases
 * ("billion laughs") fail instead of exhausting memory.
 */

#include <jansson.h>
#include <stddef.h>

#include "util/error.h"

/* Nodes of the expanded tree, counting every copy an alias makes. */
#define YAML_MAX_NODES 200000
/* Nesting depth of sequences and mappings. */
#define YAML_MAX_DEPTH 64

/*
 * Parse the first document of data into *ret (an empty object when the
 * stream has no document). Errors read "NAME:LINE:COLUMN: problem".
 */
int yaml_load_buffer(const char *data, size_t len, const char *name,
		     json_t **ret, struct berth_error **err);

#endif
