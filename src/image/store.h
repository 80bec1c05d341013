/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_IMAGE_STORE_H
#define BERTH_IMAGE_STORE_H

/*
 * The image store: an OCI image layout at ROOT (oci-layout, index.json,
 * blobs/sha256/) that skopeo and umoci read as oci:ROOT:NAME, plus
 * layers/<chain-id>/ holding each layer extracted once.
 *
 * Names are index.json entries with the annotation
 * org.opencontainers.image.ref.name set to the full "name:tag". An image
 * id is the hex sha256 of its config blob, as in Docker.
 *
 * Invariants:
 * - a blob is written to a temp file, verified against its digest, then
 *   renamed into blobs/sha256/; a reader never sees a partial blob;
 * - index.json is replaced atomically under the store lock;
 * - a layer directory appears under its final name only once extraction
 *   finished; a crash leaves only temp directories that the next open
 *   removes.
 *
 * Locking: functions that change the store take ROOT/store.lock
 * exclusively for their duration; readers take it shared.
 *
 * Removing an image deletes every blob and layer directory that no
 * manifest listed in index.json references. A blob kept for another
 * reason must be reachable from an index entry to survive.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"

struct image_store;

struct image_info {
	char *id;	       /* hex sha256 of the config blob */
	char *manifest_digest; /* "sha256:..." */
	char **names;	       /* "name:tag" entries, NULL-terminated */
	char *created;	       /* RFC 3339, from the config */
	int64_t size;	       /* sum of compressed layer sizes */
	json_t *manifest;      /* the manifest object */
	json_t *config;	       /* the whole image config object */
	char **diff_ids;       /* "sha256:..." lowest layer first */
	char **chain_ids;      /* "sha256:..." lowest layer first */
};

int image_store_open(const char *root, struct image_store **ret,
		     struct berth_error **err);
void image_store_close(struct image_store *store);

const char *image_store_root(const struct image_store *store);

/*
 * Import a root file system tarball (plain, gzip or zstd) read from fd as
 * a one-layer image named name ("name[:tag]", tag defaults to latest).
 * Returns the new image id.
 */
int image_store_import(struct image_store *store, int fd, const char *name,
		       char **ret_id, struct berth_error **err);

/*
 * Like image_store_import(); source names the input ("FILE" or "-") in
 * the image history, as "berth import SOURCE". name may be NULL: the
 * image is then listed without a name.
 */
int image_store_import_from(struct image_store *store, int fd,
			    const char *source, const char *name, char **ret_id,
			    struct berth_error **err);

/*
 * Find an image by name[:tag] (tag defaults to latest), name@digest,
 * full id, unique id prefix of at least 3 hex digits, "sha256:<id>" or
 * manifest digest. A name is tried before an id prefix.
 */
int image_store_lookup(struct image_store *store, const char *ref,
		       struct image_info **ret, struct berth_error **err);

/*
 * Like image_store_lookup(), but an image that is not there is not an
 * error: *ret is set to NULL. An invalid ref still is an error.
 */
int image_store_find(struct image_store *store, const char *ref,
		     struct image_info **ret, struct berth_error **err);

/* List every image once, newest first; free with image_info_list_free. */
int image_store_list(struct image_store *store, struct image_info ***ret,
		     size_t *ret_n, struct berth_error **err);
void image_info_list_free(struct image_info **list, size_t n);

/* Add the name new_name ("name[:tag]") to the image ref. */
int image_store_tag(struct image_store *store, const char *ref,
		    const char *new_name, struct berth_error **err);

/*
 * Remove a name, or, when ref is an id or the image's last name, the
 * image with its blobs and unused layer directories. The engine checks
 * first that no container uses the image.
 */
int image_store_remove(struct image_store *store, const char *ref,
		       struct berth_error **err);

/* Result of image_store_remove_image(), for "Untagged:" and "Deleted:". */
struct image_removal {
	char **untagged;  /* names removed, NULL-terminated, may be NULL */
	char *deleted_id; /* hex id of the deleted image, or NULL */
};

/*
 * Remove as image_store_remove() does. An id that names an image with
 * several names is an error unless force is set, as in Docker. Deleting
 * an image also deletes the blobs and layer directories that no other
 * image uses.
 */
int image_store_remove_image(struct image_store *store, const char *ref,
			     bool force, struct image_removal *ret,
			     struct berth_error **err);
void image_removal_clear(struct image_removal *removal);

/*
 * Take the store lock shared; release it with lock_release(). While a
 * command holds it, no other command removes temp files or unreferenced
 * blobs, so a pull can write blobs and extract layers (layer-feed.h)
 * before it names the image.
 * image_store_add_image() takes the lock exclusively: release this one
 * before calling it.
 */
int image_store_lock_shared(struct image_store *store, int *ret_fd,
			    struct berth_error **err);

/*
 * Name an image whose manifest, config and layer blobs are already in
 * blobs/sha256/ (written with blob.h, as a pull does): check them,
 * extract its layers and add manifest_digest to index.json under name
 * ("name[:tag]", or NULL for no name). Returns the image id.
 */
int image_store_add_image(struct image_store *store,
			  const char *manifest_digest, const char *name,
			  char **ret_id, struct berth_error **err);

/*
 * Make sure every layer of the image is extracted and return the layer
 * directories, top layer first, ready for an overlay lowerdir.
 */
int image_store_layer_dirs(struct image_store *store,
			   const struct image_info *image, char ***ret_dirs,
			   struct berth_error **err);

void image_info_free(struct image_info *image);

/*
 * Describe an image the way "docker image inspect" does: Id
 * ("sha256:<id>"), RepoTags, Digest (of the manifest), Created, Size,
 * Architecture, Os, Config, RootFS {Type, Layers (the diff_ids)} and
 * History. Returns a new reference.
 */
json_t *image_info_to_json(const struct image_info *image);

#endif
