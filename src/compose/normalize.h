/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_COMPOSE_NORMALIZE_H
#define BERTH_COMPOSE_NORMALIZE_H

/*
 * Checking one interpolated Compose file against the specification and
 * rewriting it into the canonical long form that merging and the model
 * read: environment, labels and build args as mappings, ports, volumes,
 * depends_on, networks and env_file in their long syntax, command and
 * entrypoint as lists, durations as Go duration strings and sizes as
 * bytes. Relative paths become absolute against the project directory.
 * Unknown keys are dropped with a warning; wrong types are errors that
 * name the file and the path.
 */

#include <jansson.h>

#include "util/error.h"

struct normalize_options {
	const char *file;	 /* name for messages */
	const char *project_dir; /* base of relative paths */
	const json_t *vars;	 /* for environment entries without value */
	char ***warnings;
};

int compose_normalize(const json_t *in, const struct normalize_options *opts,
		      json_t **ret, struct berth_error **err);

/* Split a command line as a POSIX shell does, without expansions. */
int compose_shell_split(const char *s, char ***ret, struct berth_error **err);

/* Parse "1m30s", "10s", "500ms", "1.5h" into nanoseconds. */
int compose_parse_duration(const char *s, long long *ret);
/* Format nanoseconds like Go's time.Duration: "1m30s", "1h0m0s". */
char *compose_format_duration(long long ns);

#endif
