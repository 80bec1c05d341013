/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_BUILD_BUILD_COPY_H
#define BERTH_BUILD_BUILD_COPY_H

/*
 * COPY and ADD into a step's mounted root, with Docker's destination
 * rules:
 *
 * - a relative destination is relative to WORKDIR;
 * - a source directory copies its content, not the directory itself;
 * - a file goes to DEST/NAME when DEST ends with '/' or is an existing
 *   directory, else to DEST itself;
 * - several sources need a destination ending with '/';
 * - missing parents of the destination are created, mode 0755, root;
 * - copies belong to root (0:0) unless --chown; modes are the sources'
 *   unless --chmod; modification times are kept;
 * - ADD unpacks a local tar archive (plain, gzip, bzip2 or xz) into
 *   DEST with the layer extractor's path checks.
 *
 * The destination is resolved with openat2(RESOLVE_IN_ROOT), so a
 * symlink in the image cannot redirect a write outside the root.
 */

#include <stdbool.h>
#include <sys/types.h>

#include "build/context.h"
#include "util/error.h"

struct build_copy {
	const struct build_source_root *source;
	char *const *paths; /* from build_sources_expand() */
	const char *dest;   /* as written, variables expanded */
	const char *workdir;
	bool has_owner;
	uid_t uid;
	gid_t gid;
	bool has_mode;
	mode_t mode;
	bool unpack; /* ADD */
};

int build_copy_run(int root_fd, const struct build_copy *copy,
		   struct berth_error **err);

/*
 * Parse --chown (user[:group], names looked up in the root's
 * /etc/passwd and /etc/group; a user alone gives its uid as the gid,
 * as Docker does).
 */
int build_copy_parse_owner(int root_fd, const char *spec, uid_t *ret_uid,
			   gid_t *ret_gid, struct berth_error **err);

/* Parse --chmod: an octal mode of at most 07777. */
int build_copy_parse_mode(const char *spec, mode_t *ret,
			  struct berth_error **err);

#endif
