/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <jansson.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/blob.h"
#include "image/layout.h"
#include "image/manifest.h"
#include "image/reference.h"
#include "registry/push-internal.h"
#include "registry/remote-reference.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/lock.h"
#include "util/strv.h"
#include "util/xalloc.h"

void push_image_free(struct push_image *image)
{
	if (image == NULL)
		return;

	for (size_t i = 0; i < image->n_blobs; i++) {
		if (image->blobs[i].fd >= 0)
			close(image->blobs[i].fd);
		strv_free(image->blobs[i].mount_sources);
	}
	free(image->blobs);
	free(image->manifest);
	free(image->media_type);
	free(image->name);
	free(image);
}

/*
 * The manifest's own mediaType, else the one of its index.json
 * descriptor (a pulled Docker manifest may omit the field), else OCI.
 */
static int manifest_media_type(const char *root, const json_t *manifest,
			       const char *digest, char **ret,
			       struct berth_error **err)
{
	json_t *index = NULL;
	json_t *entry;
	const char *type;
	size_t i;

	type = json_string_value(json_object_get(manifest, "mediaType"));
	if (type != NULL) {
		*ret = xstrdup(type);
		return 0;
	}

	if (layout_index_load(root, &index, err) < 0)
		return -1;
	json_array_foreach (layout_index_manifests(index), i, entry) {
		const char *d = layout_entry_digest(entry);

		type = json_string_value(json_object_get(entry, "mediaType"));
		if (d != NULL && strcmp(d, digest) == 0 && type != NULL)
			break;
		type = NULL;
	}
	*ret = xstrdup(type != NULL ? type : MEDIA_TYPE_MANIFEST);
	json_decref(index);
	return 0;
}

/* Open the blob and check that the store's file has the expected size. */
static int open_blob(const char *root, struct push_blob *blob,
		     struct berth_error **err)
{
	struct stat st;

	if (blob_open(root, blob->digest, &blob->fd, err) < 0)
		return -1;
	if (fstat(blob->fd, &st) < 0)
		return berth_error_set(err, errno, "stat blob '%s'",
				       blob->digest);
	if (st.st_size != blob->size)
		return berth_error_set(err, 0,
				       "blob '%s' has %lld bytes in the store, "
				       "but the manifest says %lld; remove the "
				       "image and pull or import it again",
				       blob->digest, (long long)st.st_size,
				       (long long)blob->size);
	return 0;
}

static int collect_blobs(const char *root, const struct image_manifest *m,
			 struct push_image *image, struct berth_error **err)
{
	json_t *config = json_object_get(m->manifest, "config");

	image->blobs = xcalloc(m->n_layers + 1, sizeof(*image->blobs));
	for (size_t i = 0; i < m->n_layers + 1; i++)
		image->blobs[i].fd = -1;

	for (size_t i = 0; i < m->n_layers; i++) {
		struct push_blob *blob = &image->blobs[i];

		snprintf(blob->digest, sizeof(blob->digest), "%s",
			 m->layers[i].digest);
		blob->size = m->layers[i].size;
		blob->kind = "layer";
		image->n_blobs++;
		if (open_blob(root, blob, err) < 0)
			return -1;
	}

	struct push_blob *blob = &image->blobs[m->n_layers];

	snprintf(blob->digest, sizeof(blob->digest), "%s", m->config_digest);
	blob->size = json_integer_value(json_object_get(config, "size"));
	blob->kind = "config";
	image->n_blobs++;
	return open_blob(root, blob, err);
}

/* Add repository as a mount source of every blob that image contains. */
static void add_sources_of(struct push_image *image, const json_t *manifest,
			   const char *repository)
{
	const json_t *layers = json_object_get(manifest, "layers");
	const json_t *config = json_object_get(manifest, "config");
	const json_t *desc;
	size_t i;

	for (size_t b = 0; b < image->n_blobs; b++) {
		struct push_blob *blob = &image->blobs[b];
		const char *d;
		bool found = false;

		d = json_string_value(json_object_get(config, "digest"));
		found = d != NULL && strcmp(d, blob->digest) == 0;
		json_array_foreach (layers, i, desc) {
			d = json_string_value(json_object_get(desc, "digest"));
			if (d != NULL && strcmp(d, blob->digest) == 0)
				found = true;
		}

		if (found && !strv_contains(blob->mount_sources, repository))
			strv_push(&blob->mount_sources, repository);
	}
}

/*
 * A store name "REGISTRY/REPOSITORY:TAG" says that the image was pulled
 * from or pushed to that repository, so the registry has its blobs
 * there unless someone deleted them; a failed mount then falls back to
 * an upload.
 */
static int find_mount_sources(struct image_store *store, const char *registry,
			      const char *repository, struct push_image *image,
			      struct berth_error **err)
{
	struct image_info **list = NULL;
	size_t n = 0;

	if (image_store_list(store, &list, &n, err) < 0)
		return -1;

	for (size_t i = 0; i < n; i++) {
		for (char **name = list[i]->names; name && *name; name++) {
			struct remote_ref *ref = NULL;
			struct berth_error *parse_err = NULL;

			if (remote_ref_parse(*name, &ref, &parse_err) < 0) {
				berth_error_free(&parse_err);
				continue;
			}
			if (strcmp(ref->registry, registry) == 0 &&
			    strcmp(ref->repository, repository) != 0)
				add_sources_of(image, list[i]->manifest,
					       ref->repository);
			remote_ref_free(ref);
		}
	}

	image_info_list_free(list, n);
	return 0;
}

static int load_locked(struct image_store *store, const char *ref,
		       const char *registry, const char *repository,
		       struct push_image *image, struct berth_error **err)
{
	const char *root = image_store_root(store);
	_cleanup_manifest_ struct image_manifest *m = NULL;
	struct image_info *info = NULL;
	_cleanup_free_ char *normalized = NULL;
	struct berth_error *name_err = NULL;
	int r;

	if (image_store_lookup(store, ref, &info, err) < 0)
		return -1;
	snprintf(image->manifest_digest, sizeof(image->manifest_digest), "%s",
		 info->manifest_digest);

	/* Only a name (not an id) can serve as the destination. */
	if (reference_normalize(ref, &normalized, &name_err) == 0 &&
	    strv_contains(info->names, normalized))
		image->name = TAKE_PTR(normalized);
	berth_error_free(&name_err);
	image_info_free(info);

	r = manifest_load(root, image->manifest_digest, &m, err);
	if (r < 0)
		return -1;
	if (blob_read(root, image->manifest_digest, MANIFEST_MAX_SIZE,
		      &image->manifest, &image->manifest_len, err) < 0 ||
	    manifest_media_type(root, m->manifest, image->manifest_digest,
				&image->media_type, err) < 0 ||
	    collect_blobs(root, m, image, err) < 0)
		return berth_error_wrap(err, "image '%s'", ref);

	return find_mount_sources(store, registry, repository, image, err);
}

int push_image_load(struct image_store *store, const char *ref,
		    const char *registry, const char *repository,
		    struct push_image **ret, struct berth_error **err)
{
	_cleanup_push_image_ struct push_image *image = NULL;
	_cleanup_free_ char *lock_path = NULL;
	_cleanup_lock_ int lock = -1;

	/*
	 * Hold the store lock shared until every blob is open, so that an
	 * rmi in between cannot delete them; the upload itself then runs
	 * without the lock.
	 */
	lock_path = fs_path_join(image_store_root(store), "store.lock");
	if (lock_acquire(lock_path, LOCK_MODE_SHARED, &lock, err) < 0)
		return berth_error_wrap(err, "lock image store");

	image = xzalloc(sizeof(*image));
	if (load_locked(store, ref, registry, repository, image, err) < 0)
		return -1;

	*ret = TAKE_PTR(image);
	return 0;
}
