/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_REGISTRY_PUSH_H
#define BERTH_REGISTRY_PUSH_H

/*
 * Push an image of the store to a registry: each layer and the config
 * blob (at most REGISTRY_PUSH_PARALLEL at once), then the manifest.
 *
 * A blob that the repository has already is skipped (HEAD). A blob that
 * another image of the store, named in another repository of the same
 * registry, contains is mounted from there (POST ?mount=&from=). A
 * registry that cannot mount starts an upload instead, which push then
 * uses. A mounted blob is reported DONE like an uploaded one and logged
 * at debug level. Other blobs are uploaded: one PUT for blobs up to
 * REGISTRY_PUSH_CHUNK_SIZE, PATCH requests of that size otherwise. The
 * manifest goes up last with the exact bytes of the store, so its digest
 * is the same on the registry.
 *
 * The blobs are opened while the store is locked, so an image removed
 * during a push still pushes whole. A failure leaves the tag unchanged
 * on the registry; blobs that were already uploaded stay there.
 */

#include <stddef.h>
#include <stdint.h>

#include "image/store.h"
#include "registry/client.h"
#include "registry/progress.h"
#include "util/error.h"

#define REGISTRY_PUSH_PARALLEL 3
#define REGISTRY_PUSH_CHUNK_SIZE (16 * 1024 * 1024)

struct registry_push_options {
	struct registry_options registry;
	registry_progress_fn progress; /* NULL: no reports */
	void *progress_data;
};

struct registry_push_result {
	char *destination;     /* "REGISTRY/REPOSITORY[:TAG]" pushed to */
	char *manifest_digest; /* "sha256:<hex>", the same as in the store */
	int64_t manifest_size;
	char *tag; /* the tag pushed, or NULL for a digest */
};

/*
 * Push image (a name, id or digest of the store) to destination
 * ("[REGISTRY/]REPOSITORY[:TAG]" or "...@DIGEST"). destination NULL
 * pushes to the image's name as written, which must then be a name.
 */
int registry_push(struct image_store *store, const char *image,
		  const char *destination,
		  const struct registry_push_options *opts,
		  struct registry_push_result *ret, struct berth_error **err);

void registry_push_result_clear(struct registry_push_result *r);

#endif
