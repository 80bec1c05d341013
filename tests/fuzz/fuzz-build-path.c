/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz the cleaning of COPY and ADD paths and the --chmod parser. A
 * cleaned path must be relative, without empty, "." or ".."
 * components, and clean to itself again. An accepted mode must fit in
 * 07777.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "build/build-copy.h"
#include "build/context.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_components(const char *path)
{
	const char *p = path;

	if (path[0] == '/' || strstr(path, "//") != NULL)
		abort();
	while (*p != '\0') {
		size_t n = strcspn(p, "/");

		if (n == 0 || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			abort();
		p += n;
		if (*p == '/')
			p++;
		if (*p == '\0' && p[-1] == '/')
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *input = xstrndup((const char *)data, size);
	_cleanup_free_ char *clean = NULL, *again = NULL;
	struct berth_error *err = NULL;
	mode_t mode;

	if (build_path_clean(input, &clean, &err) < 0) {
		if (err == NULL || clean != NULL)
			abort();
		berth_error_free(&err);
	} else {
		check_components(clean);
		if (build_path_clean(clean, &again, NULL) < 0 ||
		    strcmp(clean, again) != 0)
			abort();
	}

	if (build_copy_parse_mode(input, &mode, &err) < 0) {
		if (err == NULL)
			abort();
		berth_error_free(&err);
	} else if (mode > 07777) {
		abort();
	}
	return 0;
}
