/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_IMAGE_DIGEST_H
#define BERTH_IMAGE_DIGEST_H

/*
 * Content digests. berth stores and accepts only sha256, written as
 * "sha256:" followed by 64 lowercase hex digits (OCI image-spec,
 * descriptor digests). The hex part alone names blobs and image ids.
 */

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

#define DIGEST_HEX_LEN 64
#define DIGEST_PREFIX "sha256:"
/* "sha256:" + 64 hex digits + NUL */
#define DIGEST_STRING_SIZE (sizeof(DIGEST_PREFIX) + DIGEST_HEX_LEN)

/* A streaming sha256 computation (an OpenSSL EVP context). */
struct digest_ctx;

/* Start a computation; aborts when OpenSSL cannot allocate. */
struct digest_ctx *digest_new(void);
void digest_update(struct digest_ctx *ctx, const void *buf, size_t len);
/* Finish into "sha256:<hex>"; the context may be reused after it. */
void digest_final(struct digest_ctx *ctx, char out[DIGEST_STRING_SIZE]);
void digest_free(struct digest_ctx *ctx);

static inline void cleanup_digest_freep(struct digest_ctx **ctx)
{
	digest_free(*ctx);
}

#define _cleanup_digest_ __attribute__((cleanup(cleanup_digest_freep)))

/* Digest of a buffer, as "sha256:<hex>". */
void digest_buffer(const void *buf, size_t len, char out[DIGEST_STRING_SIZE]);

/* True for exactly 64 lowercase hex digits. */
bool digest_hex_valid(const char *hex);

/*
 * Check that digest is "sha256:<64 lowercase hex>" and return a pointer
 * to its hex part. Other algorithms are rejected by name.
 */
int digest_parse(const char *digest, const char **ret_hex,
		 struct berth_error **err);

/*
 * Chain id of a layer (OCI image-spec, image config "layer chain id"):
 * the diff_id for the lowest layer, sha256("PARENT_CHAIN DIFF_ID") above
 * it. parent is NULL for the lowest layer.
 */
void digest_chain_id(const char *parent, const char *diff_id,
		     char out[DIGEST_STRING_SIZE]);

#endif
