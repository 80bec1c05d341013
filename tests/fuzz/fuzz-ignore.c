/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz the .containerignore parser and matcher. Each input line is also
 * used as a path. A directory that ignore_can_skip_dir() lets a walker
 * skip must exclude every path below it, or the walker would drop files
 * that the patterns keep.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build/ignore.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/strv.h"
#include "util/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const fixed_paths[] = {
	"a", "a/b", "a/b/c", "keep", "x.md", "dir/sub/file.go", ".", "", NULL,
};

/* The input lines, at most 32 of at most 256 bytes, as candidate paths. */
static char **input_paths(const char *data, size_t size)
{
	char **paths = strv_copy((char *const *)fixed_paths);
	const char *end = data + size;
	size_t count = 0;

	while (data < end && count < 32) {
		const char *nl = memchr(data, '\n', (size_t)(end - data));
		size_t n =
			nl != NULL ? (size_t)(nl - data) : (size_t)(end - data);

		strv_push_take(&paths, xstrndup(data, n < 256 ? n : 256));
		data += n + 1;
		count++;
	}
	return paths;
}

static void check_skip_is_safe(const struct ignore_matcher *m,
			       char *const *paths, const char *dir)
{
	if (!ignore_can_skip_dir(m, dir))
		return;
	if (!ignore_is_excluded(m, dir))
		abort();

	for (size_t i = 0; paths[i] != NULL; i++) {
		_cleanup_free_ char *child = NULL;

		/* ".." would lead out of dir, so the child is not below it. */
		if (strstr(paths[i], "..") != NULL)
			continue;
		xasprintf(&child, "%s/%s", dir, paths[i]);
		if (!ignore_is_excluded(m, child))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ignore_matcher *m = NULL;
	struct berth_error *err = NULL;
	_cleanup_strv_ char **paths = NULL;

	if (ignore_parse((const char *)data, size, "fuzz", &m, &err) < 0) {
		if (m != NULL || err == NULL || err->msg == NULL ||
		    strncmp(err->msg, "fuzz:", 5) != 0)
			abort();
		berth_error_free(&err);
		return 0;
	}

	paths = input_paths((const char *)data, size);
	for (size_t i = 0; paths[i] != NULL; i++) {
		ignore_is_excluded(m, paths[i]);
		ignore_dir_may_reinclude(m, paths[i]);
		check_skip_is_safe(m, paths, paths[i]);
	}

	ignore_matcher_free(m);
	return 0;
}
