/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>
#include <unistd.h>

#include "image/archive-internal.h"
#include "image/archive.h"
#include "image/blob.h"
#include "image/layer-stream.h"
#include "image/layout.h"
#include "image/reference.h"
#include "image/store-internal.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/strv.h"
#include "util/xalloc.h"

int archive_layer_check(const char *root, const char *digest,
			const char *diff_id, const char **ret_media_type,
			struct berth_error **err)
{
	_cleanup_layer_stream_ struct layer_stream *s = NULL;
	_cleanup_close_ int fd = -1;
	char actual[DIGEST_STRING_SIZE];

	if (blob_open(root, digest, &fd, err) < 0 ||
	    layer_stream_new(fd, NULL, &s, err) < 0 ||
	    layer_stream_finish(s, actual, err) < 0)
		return -1;

	if (strcmp(actual, diff_id) != 0)
		return berth_error_set(err, 0,
				       "layer '%s' has the uncompressed "
				       "digest '%s', but the config lists "
				       "'%s' in rootfs.diff_ids",
				       digest, actual, diff_id);

	switch (layer_stream_compression(s)) {
	case LAYER_COMPRESSION_GZIP:
		*ret_media_type = MEDIA_TYPE_LAYER_GZIP;
		break;
	case LAYER_COMPRESSION_ZSTD:
		*ret_media_type = MEDIA_TYPE_LAYER_ZSTD;
		break;
	case LAYER_COMPRESSION_NONE:
		*ret_media_type = MEDIA_TYPE_LAYER_TAR;
		break;
	}
	return 0;
}

/*
 * Docker Hub names lose "docker.io/" and "docker.io/library/", the form
 * Docker shows and berth's own names use: Podman and skopeo write
 * "docker.io/library/busybox:latest" where Docker writes
 * "busybox:latest".
 */
static const char *familiar_name(const char *name)
{
	static const char *const prefixes[] = {"docker.io/library/",
					       "docker.io/"};

	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++) {
		size_t len = strlen(prefixes[i]);

		if (strncmp(name, prefixes[i], len) == 0 &&
		    (i > 0 || strchr(name + len, '/') == NULL))
			return name + len;
	}
	return name;
}

int archive_name_add(char ***names, const char *name, const char *what,
		     struct berth_error **err)
{
	_cleanup_free_ char *normalized = NULL;

	if (reference_normalize(familiar_name(name), &normalized, err) < 0)
		return berth_error_wrap(err, "%s", what);

	if (!strv_contains(*names, normalized))
		strv_push(names, normalized);
	return 0;
}

void archive_images_free(struct archive_image *images, size_t n)
{
	if (images == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		strv_free(images[i].names);
	free(images);
}

void image_archive_loaded_free(struct image_archive_loaded *list, size_t n)
{
	if (list == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(list[i].id);
		strv_free(list[i].names);
	}
	free(list);
}

/*
 * Read the archive and write its images' blobs, under the exclusive
 * lock because the blob writers keep temp files in ROOT/tmp.
 */
static int import_contents(struct image_store *store, int fd,
			   struct archive_image **ret, size_t *ret_n,
			   struct berth_error **err)
{
	_cleanup_lock_ int lock = -1;
	struct archive_contents contents = {0};
	int r;

	if (store_lock(store, LOCK_MODE_EXCLUSIVE, &lock, err) < 0)
		return -1;

	r = archive_contents_read(store->root, fd, &contents, err);
	if (r == 0 && archive_contents_has(&contents, "manifest.json"))
		r = archive_docker_import(store->root, &contents, ret, ret_n,
					  err);
	else if (r == 0 && archive_contents_has(&contents, "index.json"))
		r = archive_oci_import(store->root, &contents, ret, ret_n, err);
	else if (r == 0)
		r = berth_error_set(err, 0,
				    "neither manifest.json nor index.json "
				    "found: not a docker-archive or "
				    "oci-archive");

	archive_contents_clear(&contents);
	return r;
}

/*
 * Extract the layers of every image before any is named, so a layer
 * that fails extraction leaves no image behind.
 */
static int extract_layers(struct image_store *store,
			  const struct archive_image *images, size_t n,
			  struct berth_error **err)
{
	for (size_t i = 0; i < n; i++) {
		struct image_info info = {
			.manifest_digest = (char *)images[i].manifest_digest,
		};
		char **dirs = NULL;

		if (image_store_layer_dirs(store, &info, &dirs, err) < 0)
			return -1;
		strv_free(dirs);
	}
	return 0;
}

static int name_image(struct image_store *store,
		      const struct archive_image *image,
		      struct image_archive_loaded *loaded,
		      struct berth_error **err)
{
	if (image->names == NULL)
		return image_store_add_image(store, image->manifest_digest,
					     NULL, &loaded->id, err);

	for (size_t i = 0; image->names[i] != NULL; i++) {
		free(loaded->id);
		loaded->id = NULL;
		if (image_store_add_image(store, image->manifest_digest,
					  image->names[i], &loaded->id,
					  err) < 0)
			return -1;
	}
	loaded->names = strv_copy(image->names);
	return 0;
}

/* Delete what no index.json entry references: blobs this load wrote. */
static void remove_unused(struct image_store *store)
{
	_cleanup_lock_ int lock = -1;
	_cleanup_json_ json_t *index = NULL;

	if (store_lock(store, LOCK_MODE_EXCLUSIVE, &lock, NULL) == 0 &&
	    layout_index_load(store->root, &index, NULL) == 0)
		(void)layout_gc(store->root, index, NULL);
}

int image_archive_load(struct image_store *store, int fd, const char *source,
		       struct image_archive_loaded **ret, size_t *ret_n,
		       struct berth_error **err)
{
	struct archive_image *images = NULL;
	struct image_archive_loaded *loaded = NULL;
	size_t n = 0;
	int r;

	/*
	 * NOTE: the new blobs stay unreferenced until they are named, so a
	 * concurrent "berth rmi" may collect them in between. The load then
	 * fails on a missing blob.
	 */
	r = import_contents(store, fd, &images, &n, err);
	if (r == 0)
		r = extract_layers(store, images, n, err);

	if (r == 0) {
		loaded = xcalloc(n, sizeof(*loaded));
		for (size_t i = 0; i < n && r == 0; i++)
			r = name_image(store, &images[i], &loaded[i], err);
	}

	archive_images_free(images, n);
	remove_unused(store);
	if (r < 0) {
		image_archive_loaded_free(loaded, n);
		return berth_error_wrap(err, "load '%s'", source);
	}

	*ret = loaded;
	*ret_n = n;
	return 0;
}
