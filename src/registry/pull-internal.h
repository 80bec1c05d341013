/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_REGISTRY_PULL_INTERNAL_H
#define BERTH_REGISTRY_PULL_INTERNAL_H

#include "registry/client.h"
#include "registry/manifest-remote.h"
#include "registry/progress.h"
#include "util/error.h"

struct pull_blob {
	const struct remote_descriptor *desc;
	const char *kind; /* "layer" or "config" */
};

struct pull_blobs {
	struct registry_client *client;
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
 * The first failure stops the others and is returned.
 */
int pull_fetch_blobs(const struct pull_blobs *p, struct berth_error **err);

#endif
