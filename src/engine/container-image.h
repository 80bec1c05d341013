/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_ENGINE_CONTAINER_IMAGE_H
#define BERTH_ENGINE_CONTAINER_IMAGE_H

/*
 * Between containers and images: commit a container's changes as an
 * image, list those changes, export its root file system, and prune
 * images no container needs.
 */

#include <stdbool.h>
#include <stddef.h>

#include "engine/engine.h"
#include "image/layer-changes.h"
#include "image/store.h"
#include "util/error.h"

/*
 * The files the engine bind-mounts into every container, relative to
 * its root. The runtime creates their mount targets in the upper dir
 * when the image lacks them. Those are no changes of the container, so
 * commit and diff leave them out (with the empty mount point
 * directories, see container-excludes.h). NULL-terminated.
 */
extern char *const engine_mount_targets[];

struct engine_commit_options {
	const char *name;    /* "name[:tag]", or NULL for an unnamed image */
	const char *message; /* history comment, or NULL */
	const char *author;  /* or NULL */
	char **changes;	     /* image_config_change() instructions */
};

/*
 * Make an image of the container's image plus one layer holding the
 * container's changes (its overlay upper dir). The image keeps the
 * config of the container's image, edited by opts->changes. A running
 * container is committed as it is at that moment, without pausing it.
 * Returns the new image id.
 */
int engine_container_commit(struct engine *engine, const char *id,
			    const struct engine_commit_options *opts,
			    char **ret_image_id, struct berth_error **err);

/* The container's changes against its image, see layer-changes.h. */
int engine_container_diff(struct engine *engine, const char *id,
			  struct layer_change **ret, size_t *ret_n,
			  struct berth_error **err);

/*
 * Write the container's root file system, image and changes merged, as
 * a tar to out_fd. A stopped container's overlay is mounted for the
 * time of the export.
 */
int engine_container_export(struct engine *engine, const char *id, int out_fd,
			    struct berth_error **err);

struct engine_prune_result {
	char **untagged;   /* names removed, NULL-terminated, or NULL */
	char **deleted;	   /* "sha256:<id>" of each image deleted, or NULL */
	int64_t reclaimed; /* bytes of layer blobs deleted */
};

/*
 * Remove the images without a name (with all, every image) that no
 * container uses. An image that cannot be removed is skipped, and the
 * log gets a warning naming it.
 */
int engine_image_prune(struct engine *engine, struct image_store *store,
		       bool all, struct engine_prune_result *ret,
		       struct berth_error **err);
void engine_prune_result_clear(struct engine_prune_result *result);

#endif
