/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_IMAGE_LAYER_H
#define BERTH_IMAGE_LAYER_H

/*
 * Layer extraction. A layer tar is unpacked into an empty directory that
 * later serves directly as an overlayfs lowerdir:
 *
 * - entry paths lose leading '/' and "./"; a ".." that climbs above the
 *   layer root is an error naming the entry;
 * - parents are opened with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS),
 *   so an entry below a symlink is an error, never a write through it;
 * - symlinks are created with their targets unchanged;
 * - a hard link must name an existing entry of the same layer;
 * - OCI whiteouts become overlayfs whiteouts: ".wh.NAME" a 0:0 character
 *   device NAME, ".wh..wh..opq" the xattr trusted.overlay.opaque="y" on
 *   its directory;
 * - owners, modes (with setuid/setgid/sticky), xattrs, device numbers
 *   and times are kept; directory times are set after their contents.
 *   Xattrs in the overlay namespaces are dropped because they would
 *   steer the overlay mount.
 */

#include <archive.h>

#include "util/error.h"

/* Unpack every entry of ar, a tar opened for reading, into root_fd. */
int layer_unpack(struct archive *ar, int root_fd, struct berth_error **err);

/*
 * Open a reader for a tar, plain or compressed with gzip or zstd, and
 * read it from fd. Used where no digest is computed (tests, fuzzing).
 */
struct archive *layer_archive_new(void);
int layer_unpack_fd(int fd, int root_fd, struct berth_error **err);

/*
 * Create layers_dir/.tmp-XXXXXX (mode 0755) for an extraction; returns
 * its path and an open descriptor.
 */
int layer_tmpdir_create(const char *layers_dir, char **ret_path, int *ret_fd,
			struct berth_error **err);

/*
 * Move a finished extraction to layers_dir/name. When that directory
 * already exists, it has the same content, so the temp one is removed.
 */
int layer_tmpdir_commit(const char *tmp_path, const char *layers_dir,
			const char *name, struct berth_error **err);

#endif
