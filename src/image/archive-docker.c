/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "image/archive-internal.h"
#include "image/blob.h"
#include "image/layout.h"
#include "image/manifest.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/strv.h"
#include "util/xalloc.h"

/* A manifest.json item while it is turned into an OCI manifest. */
struct docker_image {
	const struct docker_manifest_item *item;
	const char *where; /* "manifest.json [N]" */
	char config_digest[DIGEST_STRING_SIZE];
	int64_t config_size;
	json_t *config;
	json_t *layers; /* OCI layer descriptors */
};

/* A config named HEX.json must have that digest, as Docker names it. */
static int check_config_name(const struct archive_member *m, const char *digest,
			     struct berth_error **err)
{
	const char *base = strrchr(m->path, '/');
	char hex[DIGEST_HEX_LEN + 1];

	base = base != NULL ? base + 1 : m->path;
	if (strlen(base) != DIGEST_HEX_LEN + strlen(".json"))
		return 0;

	memcpy(hex, base, DIGEST_HEX_LEN);
	hex[DIGEST_HEX_LEN] = '\0';
	if (!digest_hex_valid(hex))
		return 0;

	if (strcmp(hex, digest + strlen(DIGEST_PREFIX)) != 0)
		return berth_error_set(err, 0,
				       "entry '%s' has the digest '%s', not "
				       "the one its name gives",
				       m->path, digest);
	return 0;
}

static int load_config(const char *root, const struct archive_contents *c,
		       struct docker_image *img, struct berth_error **err)
{
	const struct archive_member *m = NULL;
	_cleanup_free_ char *data = NULL;
	_cleanup_free_ char *what = NULL;
	size_t len = 0;

	xasprintf(&what, "%s Config", img->where);
	if (archive_contents_find(c, img->item->config, what, &m, err) < 0)
		return -1;

	if (m->kind == ARCHIVE_MEMBER_JSON) {
		if (blob_write_buffer(root, m->data, (size_t)m->size,
				      img->config_digest, err) < 0 ||
		    check_config_name(m, img->config_digest, err) < 0)
			return -1;
	} else {
		snprintf(img->config_digest, sizeof(img->config_digest), "%s",
			 m->digest);
	}

	if (blob_read(root, img->config_digest, CONFIG_MAX_SIZE, &data, &len,
		      err) < 0 ||
	    json_parse_buffer(data, len, m->path, &img->config, err) < 0)
		return -1;
	if (!json_is_object(img->config))
		return berth_error_set(err, 0, "%s: expected a JSON object",
				       m->path);

	img->config_size = (int64_t)len;
	return 0;
}

static int config_diff_ids(const struct docker_image *img, char ***ret,
			   struct berth_error **err)
{
	json_t *rootfs = NULL;

	if (json_get_object_opt(img->config, "rootfs", "config", &rootfs, err) <
		    0 ||
	    json_get_strv_opt(rootfs, "diff_ids", "config.rootfs", ret, err) <
		    0)
		return berth_error_wrap(err, "%s", img->item->config);
	if (*ret == NULL)
		*ret = xzalloc(sizeof(char *));
	return 0;
}

static int add_layer(const char *root, const struct archive_contents *c,
		     struct docker_image *img, size_t i, const char *diff_id,
		     struct berth_error **err)
{
	const struct archive_member *m = NULL;
	_cleanup_free_ char *what = NULL;
	const char *media_type = NULL;

	xasprintf(&what, "%s Layers[%zu]", img->where, i);
	if (archive_contents_find(c, img->item->layers[i], what, &m, err) < 0)
		return -1;
	if (m->kind != ARCHIVE_MEMBER_BLOB)
		return berth_error_set(err, 0, "%s names '%s', not a layer tar",
				       what, m->path);

	if (digest_parse(diff_id, NULL, err) < 0)
		return berth_error_wrap(err, "%s rootfs.diff_ids[%zu]",
					img->item->config, i);
	if (archive_layer_check(root, c, m->digest, diff_id, &media_type, err) <
	    0)
		return berth_error_wrap(err, "%s '%s'", what, m->path);

	json_array_append_new(img->layers,
			      json_pack("{s:s, s:s, s:I}", "mediaType",
					media_type, "digest", m->digest, "size",
					(json_int_t)m->size));
	return 0;
}

static int add_layers(const char *root, const struct archive_contents *c,
		      struct docker_image *img, struct berth_error **err)
{
	_cleanup_strv_ char **diff_ids = NULL;
	size_t n = strv_length(img->item->layers);

	if (config_diff_ids(img, &diff_ids, err) < 0)
		return -1;

	if (n > ARCHIVE_MAX_LAYERS)
		return berth_error_set(err, 0,
				       "%s lists %zu layers, more than the "
				       "limit of %d",
				       img->where, n, ARCHIVE_MAX_LAYERS);
	if (strv_length(diff_ids) != n)
		return berth_error_set(err, 0,
				       "%s lists %zu layers, but its config "
				       "'%s' lists %zu rootfs.diff_ids",
				       img->where, n, img->item->config,
				       strv_length(diff_ids));

	img->layers = json_array();
	for (size_t i = 0; i < n; i++)
		if (add_layer(root, c, img, i, diff_ids[i], err) < 0)
			return -1;
	return 0;
}

static int write_manifest(const char *root, const struct docker_image *img,
			  char ret_digest[DIGEST_STRING_SIZE],
			  struct berth_error **err)
{
	_cleanup_json_ json_t *manifest = NULL;
	_cleanup_free_ char *data = NULL;

	manifest = json_pack(
		"{s:i, s:s, s:{s:s, s:s, s:I}, s:O}", "schemaVersion", 2,
		"mediaType", MEDIA_TYPE_MANIFEST, "config", "mediaType",
		MEDIA_TYPE_CONFIG, "digest", img->config_digest, "size",
		(json_int_t)img->config_size, "layers", img->layers);
	data = json_dump_canonical(manifest);
	return blob_write_buffer(root, data, strlen(data), ret_digest, err);
}

static int import_item(const char *root, const struct archive_contents *c,
		       const struct docker_manifest_item *item, size_t i,
		       struct archive_image *image, struct berth_error **err)
{
	_cleanup_free_ char *where = NULL;
	struct docker_image img = {.item = item};
	int r;

	xasprintf(&where, "manifest.json [%zu]", i);
	img.where = where;

	r = load_config(root, c, &img, err);
	if (r == 0)
		r = add_layers(root, c, &img, err);
	if (r == 0)
		r = write_manifest(root, &img, image->manifest_digest, err);

	json_decref(img.config);
	json_decref(img.layers);
	return r;
}

/* The Config and Layers of an item, which identify the image it makes. */
static char *item_key(const struct docker_manifest_item *item)
{
	char *key = xstrdup(item->config);

	for (size_t i = 0; item->layers != NULL && item->layers[i] != NULL;
	     i++) {
		char *next = NULL;

		xasprintf(&next, "%s\n%s", key, item->layers[i]);
		free(key);
		key = next;
	}
	return key;
}

static int add_names(const struct docker_manifest_item *item, size_t i,
		     struct archive_image *image, struct berth_error **err)
{
	for (size_t t = 0;
	     item->repo_tags != NULL && item->repo_tags[t] != NULL; t++) {
		_cleanup_free_ char *what = NULL;

		xasprintf(&what, "manifest.json [%zu] RepoTags[%zu]", i, t);
		if (archive_name_add(&image->names, item->repo_tags[t], what,
				     err) < 0)
			return -1;
	}
	return 0;
}

/*
 * Items with the same Config and Layers become one image with the names
 * of all, imported once.
 */
static int import_items(const char *root, const struct archive_contents *c,
			const struct docker_manifest_item *items, size_t n,
			struct archive_image *images, size_t *n_images,
			struct berth_error **err)
{
	_cleanup_json_ json_t *seen = json_object();

	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *key = item_key(&items[i]);
		json_t *index = json_object_get(seen, key);
		struct archive_image *image;

		if (index != NULL) {
			image = &images[json_integer_value(index)];
		} else {
			image = &images[*n_images];
			if (import_item(root, c, &items[i], i, image, err) < 0)
				return -1;
			json_object_set_new_nocheck(
				seen, key, json_integer((json_int_t)*n_images));
			(*n_images)++;
		}

		if (add_names(&items[i], i, image, err) < 0)
			return -1;
	}
	return 0;
}

int archive_docker_import(const char *root,
			  const struct archive_contents *contents,
			  struct archive_image **ret, size_t *ret_n,
			  struct berth_error **err)
{
	struct docker_manifest_item *items = NULL;
	struct archive_image *images = NULL;
	const struct archive_member *m = NULL;
	size_t n_images = 0;
	size_t n = 0;
	int r = 0;

	if (archive_contents_find(contents, "manifest.json", "the archive", &m,
				  err) < 0)
		return -1;
	if (m->kind != ARCHIVE_MEMBER_JSON)
		return berth_error_set(err, 0, "manifest.json: not a file");
	if (archive_docker_manifest_parse(m->data, (size_t)m->size, &items, &n,
					  err) < 0)
		return -1;

	images = xcalloc(n, sizeof(*images));
	r = import_items(root, contents, items, n, images, &n_images, err);

	archive_docker_manifest_free(items, n);
	if (r < 0) {
		archive_images_free(images, n);
		return -1;
	}
	*ret = images;
	*ret_n = n_images;
	return 0;
}
