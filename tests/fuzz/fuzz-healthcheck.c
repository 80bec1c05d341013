/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz what a health check is made of: an image's Healthcheck (JSON
 * from an untrusted image) and the durations of the --health-* flags.
 * The first byte picks the parser. An accepted Healthcheck has a Test
 * with a command; an accepted duration is not negative.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/health.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_image_healthcheck(const char *text, size_t len)
{
	struct engine_create_options opts;
	json_t *image = json_loadb(text, len, 0, NULL);
	struct berth_error *err = NULL;
	json_t *hc = NULL;

	engine_create_options_init(&opts);
	if (health_config_build(image, &opts, &hc, &err) < 0) {
		if (hc != NULL)
			abort();
		berth_error_free(&err);
	} else if (hc != NULL &&
		   json_array_size(json_object_get(hc, "Test")) < 2) {
		abort();
	}
	json_decref(hc);
	json_decref(image);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *text = NULL;
	struct berth_error *err = NULL;
	int64_t ns = -1;

	if (size < 1)
		return 0;
	text = xstrndup((const char *)data + 1, size - 1);

	if (data[0] & 1) {
		fuzz_image_healthcheck(text, strlen(text));
		return 0;
	}
	if (health_parse_duration("--health-interval", text, &ns, &err) < 0)
		berth_error_free(&err);
	else if (ns < 0)
		abort();
	return 0;
}
