/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_REGISTRY_PUSH_INTERNAL_H
#define BERTH_REGISTRY_PUSH_INTERNAL_H

/*
 * The steps of registry_push(): push-image.c reads the image from the
 * store, push-blob.c moves one blob, push.c runs the blobs in parallel
 * and puts the manifest.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image/digest.h"
#include "image/store.h"
#include "registry/client.h"
#include "util/error.h"

struct push_blob {
	char digest[DIGEST_STRING_SIZE];
	int64_t size;
	const char *kind; /* "layer" or "config" */
	int fd;		  /* the store's blob, opened under the store lock */
	/*
	 * Repositories of the destination registry whose images in the store
	 * contain this blob, NULL-terminated; candidates for a mount.
	 */
	char **mount_sources;
};

struct push_image {
	char *manifest; /* the exact bytes of the store's manifest blob */
	size_t manifest_len;
	char manifest_digest[DIGEST_STRING_SIZE];
	char *media_type; /* of the manifest, for its Content-Type */
	size_t n_blobs;
	struct push_blob *blobs; /* layers lowest first, then the config */
	char *name;		 /* the store name that ref matched, or NULL */
};

/*
 * Read image ref from the store: its manifest bytes, media type and open
 * blobs, and for each blob the repositories of registry (other than
 * repository) that it could be mounted from.
 */
int push_image_load(struct image_store *store, const char *ref,
		    const char *registry, const char *repository,
		    struct push_image **ret, struct berth_error **err);

void push_image_free(struct push_image *image);

static inline void cleanup_push_image_freep(struct push_image **image)
{
	push_image_free(*image);
}

#define _cleanup_push_image_ __attribute__((cleanup(cleanup_push_image_freep)))

/* Where one blob is in its transfer; the callback serializes reports. */
typedef void (*push_advance_fn)(void *data, int64_t done);

struct push_target {
	struct registry_client *client;
	const char *repository;
	const char *scope; /* "repository:REPOSITORY:pull,push" */
};

enum push_blob_outcome {
	PUSH_BLOB_EXISTED,
	PUSH_BLOB_MOUNTED,
	PUSH_BLOB_UPLOADED,
};

/* HEAD the blob in the target repository. */
int push_blob_exists(const struct push_target *target,
		     const struct push_blob *blob, bool *ret,
		     struct berth_error **err);

/*
 * Make blob present in the target repository: HEAD unless checked says
 * that the caller did it already, then a mount from one of its sources,
 * then an upload. *ret_from is the repository it was mounted from
 * (pointing into blob) for PUSH_BLOB_MOUNTED.
 */
int push_blob_send(const struct push_target *target,
		   const struct push_blob *blob, bool checked,
		   push_advance_fn advance, void *advance_data,
		   enum push_blob_outcome *ret, const char **ret_from,
		   struct berth_error **err);

/*
 * Resolve an upload's Location header against the request path that
 * returned it: an absolute URL or "/path" stays as it is, any other
 * value replaces the last segment of request_path. A fragment is dropped.
 */
char *push_resolve_location(const char *request_path, const char *location);

/* Append "digest=DIGEST" to url, after its existing query if any. */
char *push_url_with_digest(const char *url, const char *digest);

#endif
