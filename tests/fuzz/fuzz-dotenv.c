/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz the .env parser. Accepted variables must have names that start
 * with a letter or '_'; errors must name the file and a line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compose/dotenv.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_json_ json_t *outer = json_pack("{s:s}", "OUTER", "o");
	_cleanup_json_ json_t *vars = NULL;
	struct berth_error *err = NULL;
	const char *key;
	json_t *v;

	if (dotenv_parse((const char *)data, size, "fuzz.env", outer, &vars,
			 &err) < 0) {
		if (err == NULL || strncmp(err->msg, "fuzz.env:", 9) != 0)
			abort();
		berth_error_free(&err);
		return 0;
	}

	json_object_foreach (vars, key, v) {
		char c = key[0];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      c == '_'))
			abort();
		if (!json_is_string(v))
			abort();
	}
	return 0;
}
