/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_UTIL_FS_H
#define BERTH_UTIL_FS_H

/*
 * File system helpers. All descriptors are opened O_CLOEXEC. Paths that
 * come from an image, a Containerfile, a compose file or a config.json go
 * through the *_in_root() helpers, which resolve every component inside
 * the given root directory (openat2 RESOLVE_IN_ROOT), so a symlink or
 * ".." can never lead outside it.
 */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util/error.h"

/* Read a whole file; the buffer is NUL-terminated past *ret_len. */
int fs_read_file(const char *path, char **ret_data, size_t *ret_len,
		 struct berth_error **err);
int fs_read_file_at(int dir_fd, const char *path, char **ret_data,
		    size_t *ret_len, struct berth_error **err);

/* Read all bytes from fd until EOF. */
int fs_read_all(int fd, char **ret_data, size_t *ret_len,
		struct berth_error **err);

/* Write all of buf to fd, retrying short writes and EINTR. */
int fs_write_all(int fd, const void *buf, size_t len, struct berth_error **err);

/*
 * Replace dirfd/name atomically: write a temp file in the same directory,
 * fsync it, rename it over name and fsync the directory. A crash leaves
 * either the old or the new content, never a mix.
 */
int fs_write_atomic_at(int dir_fd, const char *name, const void *buf,
		       size_t len, mode_t mode, struct berth_error **err);
int fs_write_atomic(const char *path, const void *buf, size_t len, mode_t mode,
		    struct berth_error **err);

/*
 * Replace path atomically like fs_write_atomic() but without fsync: for
 * runtime state under /run, which a reboot discards anyway, so paying
 * for durability would only slow every container start.
 */
int fs_write_replace(const char *path, const void *buf, size_t len, mode_t mode,
		     struct berth_error **err);

/* Create path and its missing parents, like mkdir -p. */
int fs_mkdir_p(const char *path, mode_t mode, struct berth_error **err);

/* Remove path recursively; a missing path is not an error. */
int fs_rm_rf(const char *path, struct berth_error **err);
int fs_rm_rf_at(int dir_fd, const char *name, struct berth_error **err);

/*
 * Open path below rootfd, resolving every component as if rootfd were
 * "/". flags are open(2) flags; O_CLOEXEC is always added.
 */
int fs_open_in_root(int rootfd, const char *path, int flags, mode_t mode,
		    struct berth_error **err);

/*
 * Create the directory path and its missing parents below rootfd, each
 * component resolved inside the root, and return an O_PATH descriptor of
 * the last one in *ret_fd.
 */
int fs_mkdir_p_in_root(int rootfd, const char *path, mode_t mode, int *ret_fd,
		       struct berth_error **err);

bool fs_exists(const char *path);

/* Return a path made of the parts joined with '/', without doubled '/'. */
char *fs_path_join(const char *a, const char *b);

#endif
