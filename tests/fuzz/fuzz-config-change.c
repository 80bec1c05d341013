/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz the "berth commit --change" parser. The input is applied to a
 * config with every member it edits; a failure must leave that config
 * exactly as it was.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/config-change.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/json.h"
#include "util/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *input = xstrndup((const char *)data, size);
	_cleanup_json_ json_t *config = json_pack(
		"{s:[s], s:[s], s:s, s:{s:s}, s:{}}", "Env", "PATH=/bin", "Cmd",
		"sh", "WorkingDir", "/srv", "Labels", "a", "b", "ExposedPorts");
	_cleanup_json_ json_t *before = json_deep_copy(config);
	struct berth_error *err = NULL;

	if (image_config_change(config, input, &err) < 0) {
		if (err == NULL || err->msg == NULL)
			abort();
		if (!json_equal(config, before))
			abort();
		berth_error_free(&err);
		return 0;
	}

	/* An accepted change leaves a config that serializes. */
	free(json_dump_canonical(config));
	return 0;
}
