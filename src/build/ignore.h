/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_BUILD_IGNORE_H
#define BERTH_BUILD_IGNORE_H

/*
 * .containerignore and .dockerignore files: which paths of the build
 * context are left out. One pattern per line, matched against paths
 * relative to the context root with '/' separators:
 *
 * - a line whose first character is '#' is a comment; blank lines are
 *   skipped; surrounding white space is trimmed;
 * - patterns are cleaned like a path ("./a//b/../c" is "a/c") and a
 *   leading '/' is dropped;
 * - '*' matches any run of characters but '/', '?' one character but
 *   '/', "[...]" a class ("[^...]" or "[!...]" negates, ranges allowed),
 *   and '\' makes the next character literal;
 * - a "**" segment matches any number of directories, zero included:
 *   "**" alone matches everything, "a/" followed by "**" everything
 *   below a, and "**" followed by "/x" matches x at any depth; "**"
 *   inside a longer segment acts as '*';
 * - a pattern also excludes everything below a directory it matches;
 * - a line starting with '!' is an exception that re-includes what it
 *   matches; the last matching line decides.
 *
 * The builder itself decides whether the Containerfile and the ignore
 * file are sent regardless; this matcher only answers for patterns.
 */

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

struct ignore_matcher;

/*
 * Parse an ignore file's content. path names the file in errors
 * ("PATH:LINE: ..."): an exception "!" without a pattern and an
 * unterminated "[" class are errors.
 */
int ignore_parse(const char *data, size_t len, const char *path,
		 struct ignore_matcher **ret, struct berth_error **err);

/* Read and parse path. */
int ignore_load(const char *path, struct ignore_matcher **ret,
		struct berth_error **err);

void ignore_matcher_free(struct ignore_matcher *m);

/* Number of patterns, exceptions included. */
size_t ignore_pattern_count(const struct ignore_matcher *m);

/*
 * Whether path (relative to the context root, cleaned the same way as
 * patterns) is excluded from the context. A NULL matcher excludes
 * nothing. "" and "." (the root) are never excluded.
 */
bool ignore_is_excluded(const struct ignore_matcher *m, const char *path);

/*
 * Whether an exception could re-include something below directory dir.
 * A walker may skip an excluded directory as a whole only when this is
 * false; it is conservative, so true means "look inside".
 */
bool ignore_dir_may_reinclude(const struct ignore_matcher *m, const char *dir);

/* ignore_is_excluded(dir) && !ignore_dir_may_reinclude(dir). */
bool ignore_can_skip_dir(const struct ignore_matcher *m, const char *dir);

/*
 * Find the ignore file of a build, first that exists of:
 * FILE.containerignore and FILE.dockerignore next to the Containerfile
 * (containerfile may be NULL), then CONTEXT/.containerignore and
 * CONTEXT/.dockerignore. *ret_path is NULL when there is none.
 */
int ignore_find_file(const char *context, const char *containerfile,
		     char **ret_path, struct berth_error **err);

/*
 * ignore_find_file() then ignore_load(); *ret is NULL (exclude nothing)
 * when no ignore file exists.
 */
int ignore_load_for_build(const char *context, const char *containerfile,
			  struct ignore_matcher **ret,
			  struct berth_error **err);

#endif
