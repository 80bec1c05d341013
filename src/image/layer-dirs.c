/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <archive.h>
#include <string.h>
#include <unistd.h>

#include "image/blob.h"
#include "image/layer-stream.h"
#include "image/layer.h"
#include "image/layout.h"
#include "image/reference.h"
#include "image/store-internal.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/strv.h"
#include "util/xalloc.h"

int store_unpack_layer(int fd, int dir_fd, const char *diff_id,
		       struct berth_error **err)
{
	_cleanup_layer_stream_ struct layer_stream *s = NULL;
	char actual[DIGEST_STRING_SIZE];
	struct archive *ar = NULL;
	int r;

	if (layer_stream_new(fd, NULL, &s, err) < 0)
		return -1;

	/* The diff_id comparison below covers what the CRC would. */
	layer_stream_skip_crc(s);
	if (layer_stream_open_archive(s, &ar, err) < 0)
		return -1;

	r = layer_unpack(ar, dir_fd, err);
	archive_read_free(ar);
	if (r < 0) {
		layer_stream_take_error(s, err);
		return -1;
	}

	if (layer_stream_finish(s, actual, err) < 0)
		return -1;

	if (strcmp(actual, diff_id) != 0)
		return berth_error_set(err, 0,
				       "layer content has diff_id '%s', the "
				       "image config expects '%s'",
				       actual, diff_id);
	return 0;
}

int store_extract_layer(struct image_store *store, const char *digest,
			const char *diff_id, const char *chain_hex,
			struct berth_error **err)
{
	_cleanup_close_ int blob_fd = -1;
	_cleanup_close_ int tmp_fd = -1;
	_cleanup_free_ char *tmp = NULL;

	if (blob_open(store->root, digest, &blob_fd, err) < 0 ||
	    layer_tmpdir_create(store->layers_dir, &tmp, &tmp_fd, err) < 0)
		return -1;

	if (store_unpack_layer(blob_fd, tmp_fd, diff_id, err) < 0 ||
	    layer_tmpdir_commit(tmp, store->layers_dir, chain_hex, err) < 0) {
		(void)fs_rm_rf(tmp, NULL);
		return berth_error_wrap(err, "extract layer '%s'", digest);
	}
	return 0;
}

static char *layer_dir(struct image_store *store, const char *chain_id)
{
	return fs_path_join(store->layers_dir,
			    chain_id + strlen(DIGEST_PREFIX));
}

static bool all_extracted(struct image_store *store,
			  const struct image_manifest *m)
{
	for (size_t i = 0; i < m->n_layers; i++) {
		_cleanup_free_ char *dir =
			layer_dir(store, m->layers[i].chain_id);

		if (!fs_exists(dir))
			return false;
	}
	return true;
}

/*
 * Check under the shared lock; only when a layer is missing, take the
 * exclusive one, so concurrent container starts do not serialize.
 */
static int lock_for_layers(struct image_store *store,
			   const struct image_info *image, int *ret_lock,
			   struct image_manifest **ret_manifest,
			   struct berth_error **err)
{
	_cleanup_lock_ int lock = -1;
	_cleanup_manifest_ struct image_manifest *m = NULL;

	if (store_lock(store, LOCK_MODE_SHARED, &lock, err) < 0 ||
	    manifest_load(store->root, image->manifest_digest, &m, err) < 0)
		return -1;

	/*
	 * Between the two locks another command may remove the image; the
	 * extraction then fails to open its blobs.
	 */
	if (!all_extracted(store, m)) {
		lock_release(&lock);
		if (store_lock(store, LOCK_MODE_EXCLUSIVE, &lock, err) < 0)
			return -1;
	}

	*ret_lock = TAKE_FD(lock);
	*ret_manifest = TAKE_PTR(m);
	return 0;
}

int store_extract_missing(struct image_store *store,
			  const struct image_manifest *m,
			  struct berth_error **err)
{
	for (size_t i = 0; i < m->n_layers; i++) {
		const struct manifest_layer *layer = &m->layers[i];
		_cleanup_free_ char *dir = layer_dir(store, layer->chain_id);

		if (!fs_exists(dir) &&
		    store_extract_layer(store, layer->digest, layer->diff_id,
					layer->chain_id + strlen(DIGEST_PREFIX),
					err) < 0)
			return -1;
	}
	return 0;
}

int image_store_add_image(struct image_store *store,
			  const char *manifest_digest, const char *name,
			  char **ret_id, struct berth_error **err)
{
	_cleanup_lock_ int lock = -1;
	_cleanup_manifest_ struct image_manifest *m = NULL;
	_cleanup_json_ json_t *index = NULL;
	_cleanup_free_ char *normalized = NULL;
	const char *media_type;

	if (name != NULL && reference_normalize(name, &normalized, err) < 0)
		return -1;

	if (store_lock(store, LOCK_MODE_EXCLUSIVE, &lock, err) < 0 ||
	    manifest_load(store->root, manifest_digest, &m, err) < 0 ||
	    store_extract_missing(store, m, err) < 0 ||
	    layout_index_load(store->root, &index, err) < 0)
		return -1;

	layout_index_set_name(index, m->digest, m->manifest_size, normalized);
	media_type =
		json_string_value(json_object_get(m->manifest, "mediaType"));
	if (media_type != NULL)
		layout_index_set_media_type(index, m->digest, media_type);
	if (layout_index_save(store->root, index, err) < 0)
		return -1;

	*ret_id = xstrdup(m->config_digest + strlen(DIGEST_PREFIX));
	return 0;
}

int image_store_layer_dirs(struct image_store *store,
			   const struct image_info *image, char ***ret_dirs,
			   struct berth_error **err)
{
	_cleanup_lock_ int lock = -1;
	_cleanup_manifest_ struct image_manifest *m = NULL;
	_cleanup_strv_ char **dirs = NULL;

	if (lock_for_layers(store, image, &lock, &m, err) < 0)
		return -1;

	if (store_extract_missing(store, m, err) < 0)
		return -1;

	dirs = xzalloc(sizeof(char *));
	for (size_t i = m->n_layers; i > 0; i--)
		strv_push_take(&dirs,
			       layer_dir(store, m->layers[i - 1].chain_id));

	*ret_dirs = TAKE_PTR(dirs);
	return 0;
}
