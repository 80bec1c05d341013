/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_COMPOSE_YAML_LOAD_H
#define BERTH_COMPOSE_YAML_LOAD_H

/*
 * Loading a YAML document into a jansson tree. Plain scalars resolve as
 * in the YAML 1.2 core schema (null, booleans, integers, floats), quoted
 * ones stay strings. Anchors, aliases and "<<" merge keys are expanded;
 * the expansion is bounded by YAML_MAX_NODES and YAML_MAX_BYTES so that
 * nested aliases ("billion laughs") or a long string aliased many times
 * fail instead of exhausting memory.
 */

#include <jansson.h>
#include <stddef.h>

#include "util/error.h"

/* Nodes of the expanded tree, counting every copy an alias makes. */
#define YAML_MAX_NODES 200000
/*
 * Bytes of the strings (keys and scalars) of the expanded tree, counting
 * every copy an alias makes: twice the largest compose file.
 */
#define YAML_MAX_BYTES (32 * 1024 * 1024)
/* Nesting depth of sequences and mappings. */
#define YAML_MAX_DEPTH 64

/*
 * Parse the first document of data into *ret (an empty object when the
 * stream has no document). Errors read "NAME:LINE:COLUMN: problem".
 */
int yaml_load_buffer(const char *data, size_t len, const char *name,
		     json_t **ret, struct berth_error **err);

/*
 * Parse every document of data into *ret, an array with one root per
 * document. An empty document gives an empty object, and a stream without
 * documents an empty array. The bounds apply to the whole stream.
 */
int yaml_load_documents(const char *data, size_t len, const char *name,
			json_t **ret, struct berth_error **err);

#endif
