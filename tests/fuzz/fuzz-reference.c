/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz the image reference parser. An accepted reference must format
 * to "name:tag" and parse again to the same parts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/reference.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *input = xstrndup((const char *)data, size);
	_cleanup_reference_ struct image_ref *ref = NULL;
	_cleanup_reference_ struct image_ref *again = NULL;
	_cleanup_free_ char *name_tag = NULL;
	struct berth_error *err = NULL;

	if (reference_parse(input, &ref, &err) < 0) {
		if (err == NULL || err->msg == NULL)
			abort();
		berth_error_free(&err);
		return 0;
	}

	name_tag = reference_name_tag(ref);
	if (reference_parse(name_tag, &again, &err) < 0)
		abort();
	if (strcmp(ref->name, again->name) != 0 ||
	    strcmp(ref->tag, again->tag) != 0)
		abort();
	return 0;
}
