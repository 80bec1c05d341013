/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_CLI_INSPECT_FORMAT_H
#define BERTH_CLI_INSPECT_FORMAT_H

#include <jansson.h>
#include <stdio.h>

#include "util/error.h"

/*
 * Print value with a template as "docker inspect -f" takes it, a subset
 * of Go's text/template: text is copied, {{.}} and {{.A.B}} print a
 * field, and {{json .A.B}} prints it as JSON. A string prints without
 * quotes and a missing field as "<no value>". Other actions are an
 * error that names them.
 */
int inspect_format_print(FILE *out, const char *template, const json_t *value,
			 struct berth_error **err);

/* Check template without printing, so that no output precedes an error. */
int inspect_format_check(const char *template, struct berth_error **err);

#endif
