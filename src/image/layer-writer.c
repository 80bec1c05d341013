/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "image/layer-writer.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "image/blob.h"
#include "image/gzip-writer.h"
#include "image/layer-tar.h"
#include "image/store-internal.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/xalloc.h"

/* The tar's destination: a diff_id hash, then the gzip compressor. */
struct blob_sink {
	struct digest_ctx *diff_id;
	struct gzip_writer *gzip;
};

static int blob_sink_write(void *opaque, const void *buf, size_t len,
			   struct berth_error **err)
{
	struct blob_sink *s = opaque;

	digest_update(s->diff_id, buf, len);
	return gzip_writer_write(s->gzip, buf, len, err);
}

static int fd_sink_write(void *opaque, const void *buf, size_t len,
			 struct berth_error **err)
{
	return fs_write_all(*(int *)opaque, buf, len, err);
}

void layer_write_options_init(struct layer_write_options *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->timestamp = LAYER_NO_TIMESTAMP;
}

int layer_write_tar(int dir_fd, int out_fd, unsigned int flags,
		    int64_t timestamp, uint64_t *ret_entries,
		    struct berth_error **err)
{
	return layer_tar_write(dir_fd, flags, timestamp, NULL, fd_sink_write,
			       &out_fd, ret_entries, err);
}

/* Compress the tar of dir_fd into a new blob; fills all but chain_id. */
static int write_blob(struct image_store *store, int dir_fd,
		      const struct layer_write_options *opts,
		      struct layer_blob *ret, struct berth_error **err)
{
	_cleanup_blob_writer_ struct blob_writer *blob = NULL;
	_cleanup_digest_ struct digest_ctx *diff_id = digest_new();
	struct blob_sink sink = {.diff_id = diff_id};
	int r;

	if (blob_writer_open(store->root, &blob, err) < 0 ||
	    gzip_writer_new(blob, &sink.gzip, err) < 0)
		return -1;

	r = layer_tar_write(dir_fd, opts->flags, opts->timestamp, opts->exclude,
			    blob_sink_write, &sink, &ret->entries, err);
	if (r == 0)
		r = gzip_writer_finish(sink.gzip, err);
	gzip_writer_free(sink.gzip);
	if (r < 0 || blob_writer_commit(blob, NULL, -1, ret->digest, err) < 0)
		return -1;

	digest_final(diff_id, ret->diff_id);
	ret->size = (int64_t)blob_writer_size(blob);
	return 0;
}

/*
 * Extract the new blob rather than moving the source tree: the tree
 * carries overlayfs's bookkeeping xattrs and unclamped times, and the
 * extraction also proves that the blob reads back to its diff_id.
 */
static int extract(struct image_store *store, const struct layer_blob *layer,
		   struct berth_error **err)
{
	const char *hex = layer->chain_id + strlen(DIGEST_PREFIX);
	_cleanup_free_ char *dir = fs_path_join(store->layers_dir, hex);

	if (fs_exists(dir))
		return 0;
	return store_extract_layer(store, layer->digest, layer->diff_id, hex,
				   err);
}

static int check_options(const struct layer_write_options *opts,
			 struct berth_error **err)
{
	if (opts->parent_chain_id != NULL &&
	    digest_parse(opts->parent_chain_id, NULL, err) < 0)
		return berth_error_wrap(err, "parent layer");
	if (opts->timestamp < 0 && opts->timestamp != LAYER_NO_TIMESTAMP)
		return berth_error_set(err, 0, "timestamp %lld is before 1970",
				       (long long)opts->timestamp);
	return 0;
}

int layer_write_dir(struct image_store *store, const char *dir,
		    const struct layer_write_options *opts,
		    struct layer_blob *ret, struct berth_error **err)
{
	_cleanup_lock_ int lock = -1;
	_cleanup_close_ int dir_fd = -1;
	struct layer_blob layer = {0};

	if (check_options(opts, err) < 0)
		return -1;

	dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir_fd < 0)
		return berth_error_set(err, errno, "open layer source '%s'",
				       dir);

	/* Held throughout: open() treats temp files seen unlocked as stale. */
	if (store_lock(store, LOCK_MODE_EXCLUSIVE, &lock, err) < 0)
		return -1;

	if (write_blob(store, dir_fd, opts, &layer, err) < 0)
		return berth_error_wrap(err, "write layer from '%s'", dir);

	digest_chain_id(opts->parent_chain_id, layer.diff_id, layer.chain_id);
	if ((opts->flags & LAYER_WRITE_EXTRACT) &&
	    extract(store, &layer, err) < 0)
		return berth_error_wrap(err, "write layer from '%s'", dir);

	*ret = layer;
	return 0;
}
