/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_COMPOSE_DOTENV_H
#define BERTH_COMPOSE_DOTENV_H

/*
 * The ".env" syntax Compose reads for the project's variables and for
 * env_file: KEY=VALUE lines with an optional "export " prefix, "#"
 * comments, and values that are bare (an inline comment starts at " #"),
 * 'single-quoted' (literal) or "double-quoted" (\n \t \r \\ \" \$
 * escapes). Quoted values may span lines. Bare and double-quoted values
 * are interpolated from the variables defined above them, then from
 * "outer". A line with a bare KEY takes the value of KEY from "outer"
 * and is skipped when "outer" has none.
 */

#include <jansson.h>
#include <stddef.h>

#include "util/error.h"

/* Parse into *ret, an object of strings. Errors read "NAME:LINE: ...". */
int dotenv_parse(const char *data, size_t len, const char *name,
		 const json_t *outer, json_t **ret, struct berth_error **err);

/* Read and parse the file at path (at most 1 MiB). */
int dotenv_read_file(const char *path, const json_t *outer, json_t **ret,
		     struct berth_error **err);

#endif
