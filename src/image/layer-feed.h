/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_IMAGE_LAYER_FEED_H
#define BERTH_IMAGE_LAYER_FEED_H

/*
 * Extract a layer while its blob arrives, so that a pull reads the bytes
 * once and the layer is ready when the download ends:
 *
 *	layer_feed_start(store, diff_id, chain_id, &f, err);
 *	layer_feed_write(f, buf, len, err);	(the blob as received)
 *	... verify and commit the blob ...
 *	layer_feed_end(f, err);			(the diff_id is checked)
 *	layer_feed_commit(f, err);		(layers/<chain-id> appears)
 *	layer_feed_free(f);
 *
 * A thread unpacks the bytes from a pipe into a temp directory under
 * layers/. Only layer_feed_commit() gives that directory its final name,
 * so the caller commits once the blob digest matched. Freeing a feed
 * that was not committed removes the temp directory.
 *
 * The caller holds the store lock, shared at least: it keeps the temp
 * directory from the clean-up of a newly opened store, and a layer
 * committed twice keeps the first copy.
 */

#include <stdbool.h>
#include <stddef.h>

#include "image/store.h"
#include "util/error.h"

struct layer_feed;

/* Return true when layers/<chain-id> is missing, so it needs extracting. */
bool layer_feed_needed(struct image_store *store, const char *chain_id);

int layer_feed_start(struct image_store *store, const char *diff_id,
		     const char *chain_id, struct layer_feed **ret,
		     struct berth_error **err);

/*
 * Pass the next bytes of the blob on. Once the extraction has failed,
 * the bytes are dropped, and layer_feed_end() reports the failure.
 */
int layer_feed_write(struct layer_feed *f, const void *buf, size_t len,
		     struct berth_error **err);

/* Signal the end of the blob and wait for the extraction to finish. */
int layer_feed_end(struct layer_feed *f, struct berth_error **err);

/* Publish the layer directory, once layer_feed_end() succeeded. */
int layer_feed_commit(struct layer_feed *f, struct berth_error **err);

void layer_feed_free(struct layer_feed *f);

static inline void cleanup_layer_feed_freep(struct layer_feed **f)
{
	layer_feed_free(*f);
}

#define _cleanup_layer_feed_ __attribute__((cleanup(cleanup_layer_feed_freep)))

#endif
