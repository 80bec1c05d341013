/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_IMAGE_LAYOUT_H
#define BERTH_IMAGE_LAYOUT_H

/*
 * The OCI image layout files at ROOT: oci-layout and index.json.
 *
 * index.json lists one manifest descriptor per name: the annotation
 * org.opencontainers.image.ref.name contains "name:tag", which is how
 * skopeo and umoci find oci:ROOT:name:tag. An image whose last name
 * moved to another image keeps one descriptor without the annotation,
 * so it stays listed (as "<none>") until it is removed. A name appears
 * at most once in the index.
 *
 * The functions below edit an index object in memory; the caller loads
 * and saves it under the exclusive store lock.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"

#define LAYOUT_REF_NAME "org.opencontainers.image.ref.name"
#define MEDIA_TYPE_MANIFEST "application/vnd.oci.image.manifest.v1+json"
/* Docker image manifest v2 schema 2: same fields as the OCI manifest. */
#define MEDIA_TYPE_DOCKER_MANIFEST \
	"application/vnd.docker.distribution.manifest.v2+json"
#define MEDIA_TYPE_CONFIG "application/vnd.oci.image.config.v1+json"
#define MEDIA_TYPE_LAYER_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define MEDIA_TYPE_LAYER_TAR "application/vnd.oci.image.layer.v1.tar"
#define MEDIA_TYPE_LAYER_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"

/* Create ROOT/oci-layout and an empty ROOT/index.json when missing. */
int layout_init(const char *root, struct berth_error **err);

/* Load and check index.json: schemaVersion 2 and a manifests array. */
int layout_index_load(const char *root, json_t **ret, struct berth_error **err);
int layout_index_save(const char *root, const json_t *index,
		      struct berth_error **err);

/* The manifests array of a loaded index. */
json_t *layout_index_manifests(const json_t *index);

/* The digest and name of a descriptor; NULL when absent or mistyped. */
const char *layout_entry_digest(const json_t *entry);
const char *layout_entry_name(const json_t *entry);

/*
 * Give name to the manifest digest. The name leaves the image that had
 * it; that image keeps an unnamed descriptor if it has no other name.
 * name NULL only makes sure the digest is listed.
 */
void layout_index_set_name(json_t *index, const char *digest, int64_t size,
			   const char *name);

/* Set the mediaType of every descriptor of digest. */
void layout_index_set_media_type(json_t *index, const char *digest,
				 const char *media_type);

/* Remove the descriptor carrying name; false when no descriptor has it. */
bool layout_index_remove_name(json_t *index, const char *name);

/* Remove every descriptor of digest. */
void layout_index_remove_digest(json_t *index, const char *digest);

bool layout_index_has_digest(const json_t *index, const char *digest);

/*
 * Delete the blobs and layer directories that no manifest in index
 * references, and leftover temp directories under ROOT/layers. Must run
 * under the exclusive store lock. When a descriptor cannot be read, it
 * deletes nothing, because it cannot tell what that manifest needs.
 */
int layout_gc(const char *root, const json_t *index, struct berth_error **err);

#endif
