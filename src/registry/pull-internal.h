/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_REGISTRY_PULL_INTERNAL_H
#define BERTH_REGISTRY_PULL_INTERNAL_H

#include <stdbool.h>

#include "image/digest.h"
#include "image/store.h"
#include "registry/client.h"
#include "registry/manifest-remote.h"
#include "registry/progress.h"
#include "util/error.h"

struct pull_blob {
	const struct remote_descriptor *desc;
	const char *kind; /* "layer" or "config" */

	/* Set by pull_plan_layers() for a layer to extract as it arrives. */
	bool extract;
	char diff_id[DIGEST_STRING_SIZE];
	char chain_id[DIGEST_STRING_SIZE];
};

struct pull_blobs {
	struct registry_client *client;
	struct image_store *store;
	const char *root;	/* the store's root, for blob.h */
	const char *repository; /* the API's NAME */
	const char *scope;
	struct pull_blob *blobs;
	size_t n_blobs;
	registry_progress_fn progress;
	void *progress_data;
};

/*
 * Fetch every blob that the store does not have, at most
 * REGISTRY_PULL_PARALLEL at once, each verified against its descriptor.
 * The config, the last blob, comes first: it names the diff_ids, so
 * each layer is then extracted while it downloads (layer-feed.h). The
 * first failure stops the others and is returned.
 */
int pull_fetch_blobs(const struct pull_blobs *p, struct berth_error **err);

/*
 * Read the stored config blob of p and mark each layer whose directory
 * is missing for extraction, with its diff_id and chain id. A config
 * that does not fit the manifest marks nothing: naming the image
 * reports it.
 */
void pull_plan_layers(const struct pull_blobs *p);

#endif
