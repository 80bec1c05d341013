/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_IMAGE_LAYER_TAR_H
#define BERTH_IMAGE_LAYER_TAR_H

/*
 * The reproducible tar writer behind layer-writer.h: walk a tree, sort
 * it, and hand the tar bytes to a sink. See layer-writer.h for what the
 * tar holds.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "util/error.h"

enum layer_node_kind {
	LAYER_NODE_PLAIN,
	LAYER_NODE_WHITEOUT, /* ".wh.NAME" for an overlay whiteout */
	LAYER_NODE_OPAQUE,   /* "DIR/.wh..wh..opq" for an opaque dir */
};

struct layer_xattr {
	char *name;
	void *value;
	size_t size;
};

/* One tar entry to be, found by the walk. */
struct layer_node {
	char *path; /* relative to the root, without leading "./" */
	enum layer_node_kind kind;
	struct stat st;
	char *symlink;	/* target of a symlink */
	char *hardlink; /* earlier path of the same inode, or NULL */
	struct layer_xattr *xattrs;
	size_t n_xattrs;
};

struct layer_tree {
	struct layer_node *nodes; /* sorted bytewise by path */
	size_t n_nodes;
};

/*
 * Walk the tree below dir_fd without following symlinks, translating
 * overlay whiteouts and opaque directories when overlay is set. The
 * paths in exclude (NULL-terminated, or NULL) are left out with what is
 * below them. Sort the nodes and link later paths of a shared inode to
 * the first one.
 */
int layer_tree_walk(int dir_fd, bool overlay, char *const *exclude,
		    struct layer_tree *ret, struct berth_error **err);
void layer_tree_clear(struct layer_tree *tree);

/* Receives the tar in order; returns -1 with *err set to stop. */
typedef int (*layer_tar_sink_fn)(void *opaque, const void *buf, size_t len,
				 struct berth_error **err);

/*
 * Write the tree below dir_fd through sink. flags are those of
 * layer_write_options (only LAYER_WRITE_OVERLAY matters here), and
 * exclude is passed to layer_tree_walk().
 */
int layer_tar_write(int dir_fd, unsigned int flags, int64_t timestamp,
		    char *const *exclude, layer_tar_sink_fn sink, void *opaque,
		    uint64_t *ret_entries, struct berth_error **err);

#endif
