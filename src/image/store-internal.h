/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_IMAGE_STORE_INTERNAL_H
#define BERTH_IMAGE_STORE_INTERNAL_H

/* Shared by the files that implement store.h. */

#include <jansson.h>

#include "image/manifest.h"
#include "image/store.h"
#include "util/lock.h"

struct image_store {
	char *root;
	char *layers_dir;
	char *lock_path;
};

/* Take ROOT/store.lock in mode; the caller releases it with lock_release. */
int store_lock(struct image_store *store, enum lock_mode mode, int *ret_fd,
	       struct berth_error **err);

/* Build an image_info for manifest m, with its names taken from index. */
struct image_info *image_info_new(const json_t *index,
				  const struct image_manifest *m);

/*
 * Resolve ref to a manifest digest in index (see image_store_lookup for
 * the accepted forms). Returns 1 and sets *ret_digest when found, 0 when
 * not found, -1 when ref is invalid or the search failed. When ref
 * matched a name, *ret_by_name is set to that normalized name.
 */
int store_resolve(struct image_store *store, const json_t *index,
		  const char *ref, char **ret_digest, char **ret_by_name,
		  struct berth_error **err);

/* This host's architecture, by the GOARCH names image configs use. */
const char *image_architecture(void);

/*
 * Unpack the layer tarball read from fd (a blob or a pipe) into dir_fd,
 * reading it to its end; its uncompressed content must match diff_id.
 */
int store_unpack_layer(int fd, int dir_fd, const char *diff_id,
		       struct berth_error **err);

/*
 * Extract the layer blob digest into layers/<chain_hex>, checking its
 * content against diff_id. Runs under the exclusive store lock.
 */
int store_extract_layer(struct image_store *store, const char *digest,
			const char *diff_id, const char *chain_hex,
			struct berth_error **err);

/* Extract the layers of m that are missing, under the exclusive lock. */
int store_extract_missing(struct image_store *store,
			  const struct image_manifest *m,
			  struct berth_error **err);

#endif
