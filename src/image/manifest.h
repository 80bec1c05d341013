/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_IMAGE_MANIFEST_H
#define BERTH_IMAGE_MANIFEST_H

/*
 * An image as stored: an OCI image manifest, its config and
 * its layers, read from verified blobs. Layer i of the manifest pairs
 * with diff_id i of the config's rootfs; chain ids follow from the
 * diff_ids.
 */

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "image/digest.h"
#include "util/error.h"

/* Limits for JSON blobs read into memory. */
#define MANIFEST_MAX_SIZE (4 * 1024 * 1024)
#define CONFIG_MAX_SIZE (8 * 1024 * 1024)

struct manifest_layer {
	const char *digest;	/* compressed blob, points into manifest */
	const char *media_type; /* points into manifest */
	int64_t size;
	const char *diff_id; /* uncompressed tar, points into config */
	char chain_id[DIGEST_STRING_SIZE];
};

struct image_manifest {
	char digest[DIGEST_STRING_SIZE]; /* of the manifest blob */
	int64_t manifest_size;
	json_t *manifest;
	json_t *config;
	const char *config_digest; /* points into manifest */
	size_t n_layers;
	struct manifest_layer *layers; /* lowest layer first */
};

/* Read, verify and check the manifest digest and its config blob. */
int manifest_load(const char *root, const char *digest,
		  struct image_manifest **ret, struct berth_error **err);

void manifest_free(struct image_manifest *m);

static inline void cleanup_manifest_freep(struct image_manifest **m)
{
	manifest_free(*m);
}

#define _cleanup_manifest_ __attribute__((cleanup(cleanup_manifest_freep)))

#endif
