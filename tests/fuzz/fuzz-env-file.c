/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz the --env-file parser. Every accepted entry must be "KEY=VALUE"
 * with a non-empty key free of '=' and white space.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/env.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/strv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_strv_ char **env = NULL;
	struct berth_error *err = NULL;

	if (env_file_parse((const char *)data, size, "fuzz", &env, &err) < 0) {
		if (err == NULL || err->msg == NULL ||
		    strncmp(err->msg, "fuzz:", 5) != 0)
			abort();
		berth_error_free(&err);
		return 0;
	}

	for (size_t i = 0; env != NULL && env[i] != NULL; i++) {
		const char *eq = strchr(env[i], '=');

		if (eq == NULL || eq == env[i] ||
		    strcspn(env[i], " \t") < (size_t)(eq - env[i]))
			abort();
	}
	return 0;
}
