/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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
#include "util/fs.h"
#include "util/json.h"
#include "util/strv.h"
#include "util/xalloc.h"

static const char *media_type_of(enum layer_compression compression)
{
	switch (compression) {
	case LAYER_COMPRESSION_GZIP:
		return MEDIA_TYPE_LAYER_GZIP;
	case LAYER_COMPRESSION_ZSTD:
		return MEDIA_TYPE_LAYER_ZSTD;
	case LAYER_COMPRESSION_NONE:
		break;
	}
	return MEDIA_TYPE_LAYER_TAR;
}

int archive_layer_check(const char *root,
			const struct archive_contents *contents,
			const char *digest, const char *diff_id,
			const char **ret_media_type, struct berth_error **err)
{
	_cleanup_layer_stream_ struct layer_stream *s = NULL;
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *key = NULL;
	char actual[DIGEST_STRING_SIZE];
	json_t *checked = NULL;

	xasprintf(&key, "%s %s", digest, diff_id);
	checked = json_object_get(contents->checked_layers, key);
	if (checked != NULL) {
		*ret_media_type = media_type_of(
			(enum layer_compression)json_integer_value(checked));
		return 0;
	}

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

	json_object_set_new(contents->checked_layers, key,
			    json_integer(layer_stream_compression(s)));
	*ret_media_type = media_type_of(layer_stream_compression(s));
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

/* Read the archive, write its blobs and check its images. */
static int import_contents(struct image_store *store, int fd,
			   struct archive_image **ret, size_t *ret_n,
			   struct berth_error **err)
{
	struct archive_contents contents = {0};
	int r;

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
 * Extract the layers of every image and add the blobs and layer
 * directories each needs to keep, before any image is named, so a layer
 * that fails extraction leaves no image behind.
 */
static int extract_layers(struct image_store *store,
			  const struct archive_image *images, size_t n,
			  char ***keep, struct berth_error **err)
{
	for (size_t i = 0; i < n; i++) {
		_cleanup_manifest_ struct image_manifest *m = NULL;

		if (manifest_load(store->root, images[i].manifest_digest, &m,
				  err) < 0 ||
		    store_extract_missing(store, m, err) < 0)
			return -1;

		strv_push(keep, m->digest + strlen(DIGEST_PREFIX));
		strv_push(keep, m->config_digest + strlen(DIGEST_PREFIX));
		for (size_t l = 0; l < m->n_layers; l++) {
			strv_push(keep,
				  m->layers[l].digest + strlen(DIGEST_PREFIX));
			strv_push(keep, m->layers[l].chain_id +
						strlen(DIGEST_PREFIX));
		}
	}
	return 0;
}

static void set_names(json_t *index, const struct image_manifest *m,
		      char **names)
{
	const char *media_type =
		json_string_value(json_object_get(m->manifest, "mediaType"));

	if (names == NULL)
		layout_index_set_name(index, m->digest, m->manifest_size, NULL);
	for (size_t i = 0; names != NULL && names[i] != NULL; i++)
		layout_index_set_name(index, m->digest, m->manifest_size,
				      names[i]);
	if (media_type != NULL)
		layout_index_set_media_type(index, m->digest, media_type);
}

/* Name every image in one index.json update. */
static int name_images(struct image_store *store,
		       const struct archive_image *images, size_t n,
		       struct image_archive_loaded *loaded,
		       struct berth_error **err)
{
	_cleanup_json_ json_t *index = NULL;

	if (layout_index_load(store->root, &index, err) < 0)
		return -1;

	for (size_t i = 0; i < n; i++) {
		_cleanup_manifest_ struct image_manifest *m = NULL;

		if (manifest_load(store->root, images[i].manifest_digest, &m,
				  err) < 0)
			return -1;
		set_names(index, m, images[i].names);
		loaded[i].id =
			xstrdup(m->config_digest + strlen(DIGEST_PREFIX));
		if (images[i].names != NULL)
			loaded[i].names = strv_copy(images[i].names);
	}
	return layout_index_save(store->root, index, err);
}

/* The names in dir, or none when it cannot be read. */
static char **list_dir(const char *dir)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	char **names = xzalloc(sizeof(char *));
	struct dirent *de;

	while (d != NULL && (de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			strv_push(&names, de->d_name);
	return names;
}

/* The blob and layer directory names the store had before the load. */
struct store_entries {
	char **blobs;
	char **layers;
};

static void store_entries_list(struct image_store *store,
			       struct store_entries *ret)
{
	_cleanup_free_ char *blob_dir =
		fs_path_join(store->root, "blobs/sha256");

	ret->blobs = list_dir(blob_dir);
	ret->layers = list_dir(store->layers_dir);
}

/*
 * Remove what the load added to dir and keep does not list. A layer
 * directory is renamed to a temp name first, so a removal cut short
 * leaves no directory that looks complete. Opening the store removes
 * such leftovers.
 */
static void remove_added(const char *dir, char **before, char **keep)
{
	_cleanup_strv_ char **now = list_dir(dir);
	_cleanup_close_ int dir_fd =
		open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	for (size_t i = 0; dir_fd >= 0 && now[i] != NULL; i++) {
		_cleanup_free_ char *tmp = NULL;

		if (strv_contains(before, now[i]) ||
		    strv_contains(keep, now[i]))
			continue;
		if (unlinkat(dir_fd, now[i], 0) == 0 || errno != EISDIR)
			continue;

		xasprintf(&tmp, ".tmp-%s", now[i]);
		if (renameat(dir_fd, now[i], dir_fd, tmp) == 0)
			(void)fs_rm_rf_at(dir_fd, tmp, NULL);
	}
}

static void store_entries_restore(struct image_store *store,
				  const struct store_entries *before,
				  char **keep)
{
	_cleanup_free_ char *blob_dir =
		fs_path_join(store->root, "blobs/sha256");

	remove_added(blob_dir, before->blobs, keep);
	remove_added(store->layers_dir, before->layers, keep);
	strv_free(before->blobs);
	strv_free(before->layers);
}

/*
 * The whole load runs under the exclusive store lock: the new blobs stay
 * unreferenced until the images are named, and another command's
 * garbage collection must not see them in between. Afterwards only what
 * this load added and no loaded image uses is removed, everything when
 * the load failed, so the store is left as it was.
 */
int image_archive_load(struct image_store *store, int fd, const char *source,
		       struct image_archive_loaded **ret, size_t *ret_n,
		       struct berth_error **err)
{
	_cleanup_lock_ int lock = -1;
	_cleanup_strv_ char **keep = NULL;
	struct archive_image *images = NULL;
	struct image_archive_loaded *loaded = NULL;
	struct store_entries before = {0};
	size_t n = 0;
	int r;

	if (store_lock(store, LOCK_MODE_EXCLUSIVE, &lock, err) < 0)
		return berth_error_wrap(err, "load '%s'", source);
	store_entries_list(store, &before);

	r = import_contents(store, fd, &images, &n, err);
	if (r == 0)
		r = extract_layers(store, images, n, &keep, err);
	if (r == 0) {
		loaded = xcalloc(n, sizeof(*loaded));
		r = name_images(store, images, n, loaded, err);
	}

	archive_images_free(images, n);
	if (r < 0)
		strv_free(TAKE_PTR(keep));
	store_entries_restore(store, &before, keep);
	if (r < 0) {
		image_archive_loaded_free(loaded, n);
		return berth_error_wrap(err, "load '%s'", source);
	}

	*ret = loaded;
	*ret_n = n;
	return 0;
}
