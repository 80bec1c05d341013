/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz the Compose front end: the input is YAML, parsed, interpolated
 * and normalized twice, merged onto itself and built into a project.
 * Every rejection must carry a message; an accepted project must have a
 * start order that lists each service once.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compose/compose.h"
#include "compose/merge.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/json.h"
#include "util/strv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_error(struct berth_error **err)
{
	if (*err == NULL || (*err)->msg == NULL || (*err)->msg[0] == '\0')
		abort();
	berth_error_free(err);
}

static void check_order(const struct compose_project *p)
{
	_cleanup_free_ size_t *order = NULL;
	_cleanup_free_ bool *seen = calloc(p->n_services + 1, sizeof(bool));
	struct berth_error *err = NULL;

	if (compose_start_order(p, &order, &err) < 0)
		abort();
	for (size_t i = 0; i < p->n_services; i++) {
		if (order[i] >= p->n_services || seen[order[i]])
			abort();
		seen[order[i]] = true;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_json_ json_t *vars =
		json_pack("{s:s,s:s}", "A", "value", "EMPTY", "");
	_cleanup_json_ json_t *doc = NULL;
	_cleanup_json_ json_t *again = NULL;
	_cleanup_strv_ char **warnings = NULL;
	struct compose_project *p = NULL;
	struct berth_error *err = NULL;

	if (compose_parse_data((const char *)data, size, "fuzz.yaml", "/proj",
			       vars, &warnings, &doc, &err) < 0) {
		check_error(&err);
		return 0;
	}
	if (compose_parse_data((const char *)data, size, "fuzz.yaml", "/proj",
			       vars, &warnings, &again, &err) < 0)
		abort();
	compose_merge(doc, again);

	if (compose_project_build(doc, "fuzz", "/proj", vars, &p, &err) < 0) {
		check_error(&err);
		return 0;
	}
	check_order(p);
	compose_project_free(p);
	return 0;
}
