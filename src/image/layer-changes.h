/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_IMAGE_LAYER_CHANGES_H
#define BERTH_IMAGE_LAYER_CHANGES_H

/*
 * The changes of an overlayfs upper dir against its lower layers, as
 * "docker diff" reports them. 'A' is a path the lower layers lack, 'C'
 * a path they have, and 'D' a path removed by a whiteout. A directory
 * counts as changed when anything below it changed, and everything
 * below an opaque directory is 'A'. Paths are absolute and sorted
 * bytewise.
 */

#include <stddef.h>

#include "util/error.h"

struct layer_change {
	char kind; /* 'A', 'C' or 'D' */
	char *path;
};

/*
 * lowers: layer directories, top first, NULL-terminated. exclude: paths
 * relative to upper that are no changes (mount targets), or NULL. A
 * directory that the lower layers have is no change either when the
 * only entries below it are excluded ones.
 */
int layer_changes(const char *upper, char *const *lowers, char *const *exclude,
		  struct layer_change **ret, size_t *ret_n,
		  struct berth_error **err);
void layer_changes_free(struct layer_change *changes, size_t n);

#endif
