/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>
#include <time.h>

#include "image/blob.h"
#include "image/layer-writer.h"
#include "image/layout.h"
#include "image/reference.h"
#include "image/store-internal.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/strv.h"
#include "util/xalloc.h"

#define DEFAULT_PATH \
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define MEDIA_TYPE_DOCKER_LAYER_GZIP \
	"application/vnd.docker.image.rootfs.diff.tar.gzip"

struct image_draft {
	json_t *config; /* the whole image config */
	json_t *layers; /* manifest layer descriptors, lowest first */
	char **chain_ids;
	size_t n_base_history; /* entries from the base, left as they are */
	char *author;
};

static void format_time(int64_t sec, long nsec, char *buf, size_t size)
{
	time_t t = (time_t)sec;
	struct tm tm;
	size_t len;

	gmtime_r(&t, &tm);
	len = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	if (nsec > 0)
		snprintf(buf + len, size - len, ".%09ldZ", nsec);
	else
		snprintf(buf + len, size - len, "Z");
}

static void format_now(char *buf, size_t size)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	format_time(ts.tv_sec, ts.tv_nsec, buf, size);
}

/* Make sure the config has the members a draft edits, of their types. */
static void draft_fill_config(struct image_draft *d)
{
	json_t *rootfs;

	if (!json_is_object(json_object_get(d->config, "config")))
		json_object_set_new(d->config, "config", json_object());
	if (!json_is_array(json_object_get(d->config, "history")))
		json_object_set_new(d->config, "history", json_array());

	rootfs = json_object_get(d->config, "rootfs");
	if (!json_is_object(rootfs)) {
		rootfs = json_object();
		json_object_set_new(d->config, "rootfs", rootfs);
	}
	json_object_set_new(rootfs, "type", json_string("layers"));
	if (!json_is_array(json_object_get(rootfs, "diff_ids")))
		json_object_set_new(rootfs, "diff_ids", json_array());

	d->n_base_history =
		json_array_size(json_object_get(d->config, "history"));
}

static json_t *scratch_config(void)
{
	return json_pack("{s:s, s:s, s:{s:[s]}}", "architecture",
			 image_architecture(), "os", "linux", "config", "Env",
			 DEFAULT_PATH);
}

/* The manifest written is an OCI one, so Docker layer types change. */
static void convert_layer_types(json_t *layers)
{
	json_t *desc;
	size_t i;

	json_array_foreach (layers, i, desc) {
		const char *type =
			json_string_value(json_object_get(desc, "mediaType"));

		if (type != NULL &&
		    strcmp(type, MEDIA_TYPE_DOCKER_LAYER_GZIP) == 0)
			json_object_set_new(desc, "mediaType",
					    json_string(MEDIA_TYPE_LAYER_GZIP));
	}
}

static int draft_from_base(struct image_store *store, const char *base,
			   struct image_draft *d, struct berth_error **err)
{
	struct image_info *image = NULL;
	json_t *layers;

	if (image_store_lookup(store, base, &image, err) < 0)
		return -1;

	d->config = json_deep_copy(image->config);
	layers = json_object_get(image->manifest, "layers");
	d->layers =
		json_is_array(layers) ? json_deep_copy(layers) : json_array();
	d->chain_ids = strv_copy(image->chain_ids);
	image_info_free(image);

	convert_layer_types(d->layers);
	return 0;
}

int image_draft_new(struct image_store *store, const char *base,
		    struct image_draft **ret, struct berth_error **err)
{
	struct image_draft *d = xzalloc(sizeof(*d));

	if (base != NULL) {
		if (draft_from_base(store, base, d, err) < 0) {
			image_draft_free(d);
			return -1;
		}
	} else {
		d->config = scratch_config();
		d->layers = json_array();
		d->chain_ids = xzalloc(sizeof(char *));
	}

	draft_fill_config(d);
	*ret = d;
	return 0;
}

void image_draft_free(struct image_draft *draft)
{
	if (draft == NULL)
		return;
	json_decref(draft->config);
	json_decref(draft->layers);
	strv_free(draft->chain_ids);
	free(draft->author);
	free(draft);
}

json_t *image_draft_config(struct image_draft *draft)
{
	return json_object_get(draft->config, "config");
}

const char *image_draft_top_chain_id(const struct image_draft *draft)
{
	size_t n = strv_length(draft->chain_ids);

	return n > 0 ? draft->chain_ids[n - 1] : NULL;
}

void image_draft_set_author(struct image_draft *draft, const char *author)
{
	free(draft->author);
	draft->author = author != NULL ? xstrdup(author) : NULL;
}

static json_t *draft_diff_ids(const struct image_draft *d)
{
	return json_object_get(json_object_get(d->config, "rootfs"),
			       "diff_ids");
}

static int draft_add_layer(struct image_draft *d,
			   const struct layer_blob *layer,
			   struct berth_error **err)
{
	char expected[DIGEST_STRING_SIZE];

	if (digest_parse(layer->digest, NULL, err) < 0 ||
	    digest_parse(layer->diff_id, NULL, err) < 0)
		return berth_error_wrap(err, "add layer");

	digest_chain_id(image_draft_top_chain_id(d), layer->diff_id, expected);
	if (strcmp(expected, layer->chain_id) != 0)
		return berth_error_set(err, 0,
				       "layer '%s' was written over another "
				       "parent than the image's top layer",
				       layer->digest);

	json_array_append_new(d->layers,
			      json_pack("{s:s, s:s, s:I}", "mediaType",
					MEDIA_TYPE_LAYER_GZIP, "digest",
					layer->digest, "size",
					(json_int_t)layer->size));
	json_array_append_new(draft_diff_ids(d), json_string(layer->diff_id));
	strv_push(&d->chain_ids, layer->chain_id);
	return 0;
}

int image_draft_add(struct image_draft *draft, const struct layer_blob *layer,
		    const char *created_by, const char *comment,
		    struct berth_error **err)
{
	json_t *entry = json_object();
	char created[64];

	if (layer != NULL && draft_add_layer(draft, layer, err) < 0) {
		json_decref(entry);
		return -1;
	}

	format_now(created, sizeof(created));
	json_object_set_new(entry, "created", json_string(created));
	if (created_by != NULL)
		json_object_set_new(entry, "created_by",
				    json_string(created_by));
	if (comment != NULL)
		json_object_set_new(entry, "comment", json_string(comment));
	if (draft->author != NULL)
		json_object_set_new(entry, "author",
				    json_string(draft->author));
	if (layer == NULL)
		json_object_set_new(entry, "empty_layer", json_true());

	json_array_append_new(json_object_get(draft->config, "history"), entry);
	return 0;
}

static char *draft_layer_dir(struct image_store *store,
			     const struct image_draft *d, size_t i)
{
	return fs_path_join(store->layers_dir,
			    d->chain_ids[i] + strlen(DIGEST_PREFIX));
}

static const char *draft_layer_digest(const struct image_draft *d, size_t i)
{
	return json_string_value(
		json_object_get(json_array_get(d->layers, i), "digest"));
}

static int draft_extract(struct image_store *store, const struct image_draft *d,
			 size_t i, struct berth_error **err)
{
	const char *digest = draft_layer_digest(d, i);
	const char *diff_id =
		json_string_value(json_array_get(draft_diff_ids(d), i));

	if (digest == NULL || diff_id == NULL)
		return berth_error_set(
			err, 0, "layer %zu of the image has no digest", i);
	return store_extract_layer(store, digest, diff_id,
				   d->chain_ids[i] + strlen(DIGEST_PREFIX),
				   err);
}

/* Extract the layers that are missing; the caller holds the lock. */
static int draft_extract_missing(struct image_store *store,
				 const struct image_draft *d,
				 struct berth_error **err)
{
	size_t n = strv_length(d->chain_ids);

	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *dir = draft_layer_dir(store, d, i);

		if (!fs_exists(dir) && draft_extract(store, d, i, err) < 0)
			return -1;
	}
	return 0;
}

int image_draft_layer_dirs(struct image_store *store, struct image_draft *draft,
			   char ***ret_dirs, struct berth_error **err)
{
	_cleanup_lock_ int lock = -1;
	_cleanup_strv_ char **dirs = xzalloc(sizeof(char *));
	size_t n = strv_length(draft->chain_ids);

	if (store_lock(store, LOCK_MODE_EXCLUSIVE, &lock, err) < 0 ||
	    draft_extract_missing(store, draft, err) < 0)
		return -1;

	for (size_t i = n; i > 0; i--)
		strv_push_take(&dirs, draft_layer_dir(store, draft, i - 1));

	*ret_dirs = TAKE_PTR(dirs);
	return 0;
}

/* Give the config its final times and author. */
static void draft_finish_config(struct image_draft *d, int64_t timestamp)
{
	json_t *history = json_object_get(d->config, "history");
	char created[64];

	if (timestamp != LAYER_NO_TIMESTAMP)
		format_time(timestamp, 0, created, sizeof(created));
	else
		format_now(created, sizeof(created));

	json_object_set_new(d->config, "created", json_string(created));
	if (d->author != NULL)
		json_object_set_new(d->config, "author",
				    json_string(d->author));

	if (timestamp == LAYER_NO_TIMESTAMP)
		return;
	for (size_t i = d->n_base_history; i < json_array_size(history); i++)
		json_object_set_new(json_array_get(history, i), "created",
				    json_string(created));
}

static int check_layer_blobs(struct image_store *store,
			     const struct image_draft *d,
			     struct berth_error **err)
{
	for (size_t i = 0; i < json_array_size(d->layers); i++) {
		const char *digest = draft_layer_digest(d, i);

		if (digest == NULL || !blob_exists(store->root, digest))
			return berth_error_set(err, 0,
					       "layer blob '%s' is missing: "
					       "an image removal deleted it "
					       "meanwhile; run the command "
					       "again",
					       digest != NULL ? digest : "?");
	}
	return 0;
}

static int write_json_blob(struct image_store *store, const json_t *j,
			   char digest[DIGEST_STRING_SIZE], size_t *ret_size,
			   struct berth_error **err)
{
	_cleanup_free_ char *data = json_dump_canonical(j);

	*ret_size = strlen(data);
	return blob_write_buffer(store->root, data, *ret_size, digest, err);
}

static int write_blobs(struct image_store *store, const struct image_draft *d,
		       char manifest_digest[DIGEST_STRING_SIZE],
		       size_t *ret_manifest_size, struct berth_error **err)
{
	_cleanup_json_ json_t *manifest = NULL;
	char config_digest[DIGEST_STRING_SIZE];
	size_t config_size;

	if (write_json_blob(store, d->config, config_digest, &config_size,
			    err) < 0)
		return -1;

	manifest = json_pack("{s:i, s:s, s:{s:s, s:s, s:I}, s:O}",
			     "schemaVersion", 2, "mediaType",
			     MEDIA_TYPE_MANIFEST, "config", "mediaType",
			     MEDIA_TYPE_CONFIG, "digest", config_digest, "size",
			     (json_int_t)config_size, "layers", d->layers);
	return write_json_blob(store, manifest, manifest_digest,
			       ret_manifest_size, err);
}

/* Check what was written the way every reader will, then name it. */
static int add_to_index(struct image_store *store, const char *digest,
			size_t size, const char *name, char **ret_id,
			struct berth_error **err)
{
	_cleanup_manifest_ struct image_manifest *m = NULL;
	_cleanup_json_ json_t *index = NULL;

	if (manifest_load(store->root, digest, &m, err) < 0 ||
	    store_extract_missing(store, m, err) < 0 ||
	    layout_index_load(store->root, &index, err) < 0)
		return -1;

	layout_index_set_name(index, digest, (int64_t)size, name);
	if (layout_index_save(store->root, index, err) < 0)
		return -1;

	if (ret_id != NULL)
		*ret_id = xstrdup(m->config_digest + strlen(DIGEST_PREFIX));
	return 0;
}

int image_draft_commit(struct image_store *store, struct image_draft *draft,
		       const char *name, int64_t timestamp,
		       char ret_manifest_digest[DIGEST_STRING_SIZE],
		       char **ret_id, struct berth_error **err)
{
	_cleanup_lock_ int lock = -1;
	_cleanup_free_ char *normalized = NULL;
	char digest[DIGEST_STRING_SIZE];
	size_t size;

	if (name != NULL && reference_normalize(name, &normalized, err) < 0)
		return -1;

	draft_finish_config(draft, timestamp);

	/* Held throughout: open() treats temp files seen unlocked as stale. */
	if (store_lock(store, LOCK_MODE_EXCLUSIVE, &lock, err) < 0 ||
	    check_layer_blobs(store, draft, err) < 0 ||
	    write_blobs(store, draft, digest, &size, err) < 0 ||
	    add_to_index(store, digest, size, normalized, ret_id, err) < 0)
		return berth_error_wrap(err, "commit image");

	if (ret_manifest_digest != NULL)
		memcpy(ret_manifest_digest, digest, DIGEST_STRING_SIZE);
	return 0;
}
