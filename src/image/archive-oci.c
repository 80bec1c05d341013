/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "image/archive-internal.h"
#include "image/layout.h"
#include "image/manifest.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/strv.h"
#include "util/xalloc.h"

#define DOCKER_LAYER_GZIP "application/vnd.docker.image.rootfs.diff.tar.gzip"
#define DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"

static int check_layout_file(const struct archive_contents *c,
			     struct berth_error **err)
{
	const struct archive_member *m = NULL;
	_cleanup_json_ json_t *doc = NULL;
	const char *version = NULL;

	if (archive_contents_find(c, "oci-layout", "an OCI image layout", &m,
				  err) < 0)
		return -1;
	if (m->kind != ARCHIVE_MEMBER_JSON ||
	    json_parse_buffer(m->data, (size_t)m->size, "oci-layout", &doc,
			      err) < 0 ||
	    !json_is_object(doc) ||
	    json_get_string(doc, "imageLayoutVersion", "oci-layout", &version,
			    err) < 0)
		return berth_error_set(err, 0,
				       "oci-layout: expected "
				       "{\"imageLayoutVersion\": \"1.0.0\"}");

	if (strcmp(version, "1.0.0") != 0)
		return berth_error_set(err, 0,
				       "oci-layout: unsupported "
				       "imageLayoutVersion '%s', expected "
				       "'1.0.0'",
				       version);
	return 0;
}

/* Find the blob of digest in the archive and check its size. */
static int find_blob(const struct archive_contents *c, const char *digest,
		     int64_t size, const char *what, struct berth_error **err)
{
	const struct archive_member *m = NULL;
	_cleanup_free_ char *path = NULL;

	if (digest_parse(digest, NULL, err) < 0)
		return berth_error_wrap(err, "%s", what);

	xasprintf(&path, ARCHIVE_BLOB_DIR "%s", digest + strlen(DIGEST_PREFIX));
	if (archive_contents_find(c, path, what, &m, err) < 0)
		return -1;
	if (m->kind != ARCHIVE_MEMBER_BLOB || strcmp(m->digest, digest) != 0)
		return berth_error_set(err, 0, "%s: '%s' is not the blob '%s'",
				       what, m->path, digest);
	if (m->size != size)
		return berth_error_set(err, 0,
				       "%s gives the size %lld, but the blob "
				       "'%s' has %lld bytes",
				       what, (long long)size, m->path,
				       (long long)m->size);
	return 0;
}

static const char *compression_of(const char *media_type)
{
	size_t len = strlen(media_type);

	if (len >= 5 && strcmp(media_type + len - 5, "+zstd") == 0)
		return "zstd";
	if ((len >= 5 && strcmp(media_type + len - 5, "+gzip") == 0) ||
	    (len >= 5 && strcmp(media_type + len - 5, ".gzip") == 0))
		return "gzip";
	return "none";
}

static int check_layer_type(const char *media_type, const char *actual,
			    const char *what, struct berth_error **err)
{
	if (strcmp(media_type, MEDIA_TYPE_LAYER_TAR) != 0 &&
	    strcmp(media_type, MEDIA_TYPE_LAYER_GZIP) != 0 &&
	    strcmp(media_type, MEDIA_TYPE_LAYER_ZSTD) != 0 &&
	    strcmp(media_type, DOCKER_LAYER_GZIP) != 0)
		return berth_error_set(err, 0,
				       "%s: unsupported layer media type '%s'",
				       what, media_type);

	if (strcmp(compression_of(media_type), compression_of(actual)) != 0)
		return berth_error_set(err, 0,
				       "%s: the media type '%s' does not match "
				       "the content, which has the "
				       "compression '%s'",
				       what, media_type,
				       compression_of(actual));
	return 0;
}

/*
 * An artifact such as a Helm chart is stored as an OCI manifest too,
 * with a config of its own media type, and is no image to run.
 */
static int check_config_type(const json_t *config, const char *what,
			     struct berth_error **err)
{
	const char *media_type =
		json_string_value(json_object_get(config, "mediaType"));

	if (media_type == NULL)
		return berth_error_set(err, 0, "%s.mediaType: missing", what);
	if (strcmp(media_type, MEDIA_TYPE_CONFIG) != 0 &&
	    strcmp(media_type, DOCKER_CONFIG) != 0)
		return berth_error_set(err, 0,
				       "%s: unsupported media type '%s', "
				       "expected an image config ('%s')",
				       what, media_type, MEDIA_TYPE_CONFIG);
	return 0;
}

static int check_config(const struct archive_contents *c,
			const struct image_manifest *m, const char *where,
			struct berth_error **err)
{
	json_t *config = json_object_get(m->manifest, "config");
	_cleanup_free_ char *what = NULL;
	uint64_t size = 0;

	xasprintf(&what, "manifest '%s' config", m->digest);
	if (check_config_type(config, what, err) < 0)
		return berth_error_wrap(err, "%s", where);
	if (json_object_get(config, "size") == NULL)
		return berth_error_set(err, 0, "%s.size: missing", what);
	if (json_get_uint64_opt(config, "size", what, INT64_MAX, &size, err) <
	    0)
		return -1;

	if (find_blob(c, m->config_digest, (int64_t)size, what, err) < 0)
		return berth_error_wrap(err, "%s", where);
	return 0;
}

static int check_layers(const char *root, const struct archive_contents *c,
			const struct image_manifest *m,
			struct berth_error **err)
{
	for (size_t i = 0; i < m->n_layers; i++) {
		const struct manifest_layer *layer = &m->layers[i];
		_cleanup_free_ char *what = NULL;
		const char *actual = NULL;

		xasprintf(&what, "manifest '%s' layers[%zu]", m->digest, i);
		if (find_blob(c, layer->digest, layer->size, what, err) < 0 ||
		    archive_layer_check(root, c, layer->digest, layer->diff_id,
					&actual, err) < 0)
			return berth_error_wrap(err, "%s", what);
		if (check_layer_type(layer->media_type, actual, what, err) < 0)
			return -1;
	}
	return 0;
}

static int check_image(const char *root, const struct archive_contents *c,
		       const struct oci_index_item *item, const char *where,
		       struct berth_error **err)
{
	_cleanup_manifest_ struct image_manifest *m = NULL;

	if (find_blob(c, item->digest, item->size, where, err) < 0 ||
	    manifest_load(root, item->digest, &m, err) < 0)
		return -1;

	if (m->n_layers > ARCHIVE_MAX_LAYERS)
		return berth_error_set(err, 0,
				       "%s: manifest '%s' lists %zu layers, "
				       "more than the limit of %d",
				       where, m->digest, m->n_layers,
				       ARCHIVE_MAX_LAYERS);
	if (check_config(c, m, where, err) < 0 ||
	    check_layers(root, c, m, err) < 0)
		return berth_error_wrap(err, "%s", where);
	return 0;
}

/*
 * Descriptors of one manifest with several names become one image,
 * checked once. seen maps a manifest digest to its index in images.
 */
static struct archive_image *image_seen(struct archive_image *images,
					json_t *seen, const char *digest)
{
	json_t *i = json_object_get(seen, digest);

	return i != NULL ? &images[json_integer_value(i)] : NULL;
}

static struct archive_image *image_add(struct archive_image *images, size_t *n,
				       json_t *seen, const char *digest)
{
	snprintf(images[*n].manifest_digest, sizeof(images[*n].manifest_digest),
		 "%s", digest);
	json_object_set_new(seen, digest, json_integer((json_int_t)*n));
	return &images[(*n)++];
}

static int import_items(const char *root, const struct archive_contents *c,
			const struct oci_index_item *items, size_t n_items,
			struct archive_image *images, size_t *n,
			struct berth_error **err)
{
	_cleanup_json_ json_t *seen = json_object();

	for (size_t i = 0; i < n_items; i++) {
		struct archive_image *image;
		char where[48];

		snprintf(where, sizeof(where), "index.json manifests[%zu]", i);
		image = image_seen(images, seen, items[i].digest);
		if (image == NULL &&
		    check_image(root, c, &items[i], where, err) < 0)
			return -1;
		if (image == NULL)
			image = image_add(images, n, seen, items[i].digest);
		if (items[i].name != NULL &&
		    archive_name_add(&image->names, items[i].name, where, err) <
			    0)
			return -1;
	}
	return 0;
}

int archive_oci_import(const char *root,
		       const struct archive_contents *contents,
		       struct archive_image **ret, size_t *ret_n,
		       struct berth_error **err)
{
	const struct archive_member *index = NULL;
	struct oci_index_item *items = NULL;
	struct archive_image *images = NULL;
	size_t n_items = 0;
	size_t n = 0;
	int r;

	if (check_layout_file(contents, err) < 0 ||
	    archive_contents_find(contents, "index.json", "the archive", &index,
				  err) < 0)
		return -1;
	if (index->kind != ARCHIVE_MEMBER_JSON)
		return berth_error_set(err, 0, "index.json: not a file");
	if (archive_oci_index_parse(index->data, (size_t)index->size, &items,
				    &n_items, err) < 0)
		return -1;

	images = xcalloc(n_items, sizeof(*images));
	r = import_items(root, contents, items, n_items, images, &n, err);
	archive_oci_index_free(items, n_items);
	if (r < 0) {
		archive_images_free(images, n);
		return -1;
	}

	*ret = images;
	*ret_n = n;
	return 0;
}
