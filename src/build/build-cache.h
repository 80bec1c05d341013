/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_BUILD_BUILD_CACHE_H
#define BERTH_BUILD_BUILD_CACHE_H

/*
 * The build cache, ROOT/cache/build/<key-hex>.json: what one step
 * produced, keyed by everything the step's result depends on:
 *
 *	key = sha256(previous key (or the base image's id), the
 *	             instruction text with the values it expands to, the
 *	             build arguments in effect, the content hash of COPY
 *	             and ADD sources, the timestamp)
 *
 * An entry stores the step's layer (or none) and the image config
 * after the step. An entry whose layer blob is gone (removed with its
 * last image) is a miss. Entries are written atomically, so a reader
 * sees a whole entry or none.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "image/digest.h"
#include "image/layer-writer.h"
#include "util/error.h"

struct build_cache_entry {
	bool has_layer;
	struct layer_blob layer;
	char *created_by;
	json_t *config; /* the image config's "config" object */
};

/* Compute the key of a step; any of the strings may be NULL. */
void build_cache_key(const char *parent, const char *instruction,
		     char *const *args, const char *content_hash,
		     int64_t timestamp, char ret[DIGEST_STRING_SIZE]);

/*
 * Look key up. Returns 1 and fills *ret on a hit, 0 on a miss. A
 * damaged entry counts as a miss.
 */
int build_cache_get(const char *root, const char *key,
		    struct build_cache_entry *ret);

int build_cache_put(const char *root, const char *key,
		    const struct build_cache_entry *entry,
		    struct berth_error **err);

void build_cache_entry_clear(struct build_cache_entry *entry);

/*
 * The image that a build whose every step came from the cache
 * committed before, under the key of its last step: an unchanged
 * rebuild then names that image again instead of making a new one.
 * Returns 1 and sets *ret_id (hex) on a hit, 0 on a miss.
 */
int build_cache_get_image(const char *root, const char *key, char **ret_id);
int build_cache_put_image(const char *root, const char *key, const char *id,
			  struct berth_error **err);

#endif
