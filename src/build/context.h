/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_BUILD_CONTEXT_H
#define BERTH_BUILD_CONTEXT_H

/*
 * Sources of COPY and ADD: the build context directory, or the root of
 * another stage or image (--from). Every path is resolved inside its
 * root with openat2(RESOLVE_IN_ROOT), so neither ".." nor a symlink in
 * the context reaches a file outside it.
 */

#include <stdbool.h>

#include "image/digest.h"
#include "util/error.h"

/*
 * Whether the context path (relative, without leading '/') is left out
 * of the build by .containerignore or .dockerignore.
 */
typedef bool (*build_exclude_fn)(const char *path, bool is_dir, void *userdata);

struct build_source_root {
	int fd;			  /* directory descriptor of the root */
	const char *what;	  /* "build context" or "stage 'NAME'" */
	build_exclude_fn exclude; /* NULL: nothing is left out */
	void *exclude_data;
};

/*
 * Clean path lexically into a relative path: drop leading '/', empty
 * and "." components and apply "..". Fails when ".." climbs above the
 * root. The root itself is "".
 */
int build_path_clean(const char *path, char **ret, struct berth_error **err);

/*
 * Expand the source patterns (paths that may hold the wildcards of
 * fnmatch(3): '*', '?', '[...]') into the paths they match, each
 * sorted per pattern. A pattern that matches nothing, or only excluded
 * files, is an error naming it.
 */
int build_sources_expand(const struct build_source_root *root,
			 char *const *patterns, char ***ret_paths,
			 struct berth_error **err);

/*
 * Hash the content of the sources: names, types, permission bits, file
 * contents and symlink targets, the owners unless ignore_owner, never
 * the times. Directories are walked in sorted order, skipping excluded
 * entries. Returns "sha256:<hex>".
 */
int build_sources_hash(const struct build_source_root *root, char *const *paths,
		       bool ignore_owner, char ret[DIGEST_STRING_SIZE],
		       struct berth_error **err);

#endif
