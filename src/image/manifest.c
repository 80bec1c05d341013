/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "image/manifest.h"

#include <string.h>

#include "image/blob.h"
#include "image/layout.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/xalloc.h"

static int load_json_blob(const char *root, const char *digest, size_t max_size,
			  json_t **ret, size_t *ret_len,
			  struct berth_error **err)
{
	_cleanup_free_ char *data = NULL;
	_cleanup_free_ char *what = NULL;
	size_t len;

	if (blob_read(root, digest, max_size, &data, &len, err) < 0)
		return -1;

	xasprintf(&what, "blob '%s'", digest);
	if (json_parse_buffer(data, len, what, ret, err) < 0)
		return -1;

	if (!json_is_object(*ret)) {
		json_decref(*ret);
		return berth_error_set(err, 0, "%s: expected a JSON object",
				       what);
	}

	if (ret_len != NULL)
		*ret_len = len;
	return 0;
}

static int parse_layer(const json_t *desc, size_t i,
		       struct manifest_layer *layer, struct berth_error **err)
{
	char where[32];
	uint64_t size = 0;

	snprintf(where, sizeof(where), "layers[%zu]", i);

	if (!json_is_object(desc))
		return berth_error_set(err, 0, "%s: expected an object", where);

	if (json_get_string(desc, "digest", where, &layer->digest, err) < 0 ||
	    json_get_string(desc, "mediaType", where, &layer->media_type, err) <
		    0 ||
	    json_get_uint64_opt(desc, "size", where, INT64_MAX, &size, err) < 0)
		return -1;

	if (digest_parse(layer->digest, NULL, err) < 0)
		return berth_error_wrap(err, "%s.digest", where);

	layer->size = (int64_t)size;
	return 0;
}

static int parse_layers(struct image_manifest *m, struct berth_error **err)
{
	json_t *layers = NULL;
	json_t *rootfs = NULL;
	json_t *diff_ids = NULL;
	json_t *desc;
	size_t i;

	if (json_get_array_opt(m->manifest, "layers", "", &layers, err) < 0 ||
	    json_get_object_opt(m->config, "rootfs", "", &rootfs, err) < 0 ||
	    json_get_array_opt(rootfs, "diff_ids", "rootfs", &diff_ids, err) <
		    0)
		return -1;

	if (json_array_size(layers) != json_array_size(diff_ids))
		return berth_error_set(err, 0,
				       "manifest lists %zu layers but the "
				       "config lists %zu diff_ids",
				       json_array_size(layers),
				       json_array_size(diff_ids));

	m->n_layers = json_array_size(layers);
	m->layers = xcalloc(m->n_layers + 1, sizeof(*m->layers));
	json_array_foreach (layers, i, desc) {
		struct manifest_layer *layer = &m->layers[i];

		if (parse_layer(desc, i, layer, err) < 0)
			return -1;

		layer->diff_id = json_string_value(json_array_get(diff_ids, i));
		if (layer->diff_id == NULL ||
		    digest_parse(layer->diff_id, NULL, err) < 0)
			return berth_error_set(err, 0,
					       "config rootfs.diff_ids[%zu]: "
					       "expected a sha256 digest",
					       i);

		digest_chain_id(i > 0 ? m->layers[i - 1].chain_id : NULL,
				layer->diff_id, layer->chain_id);
	}
	return 0;
}

static int parse_manifest(const char *root, struct image_manifest *m,
			  struct berth_error **err)
{
	const char *media_type = NULL;
	json_t *config = NULL;

	if (json_get_string_opt(m->manifest, "mediaType", "", &media_type,
				err) < 0 ||
	    json_get_object_opt(m->manifest, "config", "", &config, err) < 0)
		return -1;

	if (media_type != NULL &&
	    strcmp(media_type, MEDIA_TYPE_MANIFEST) != 0 &&
	    strcmp(media_type, MEDIA_TYPE_DOCKER_MANIFEST) != 0)
		return berth_error_set(err, 0,
				       "unsupported manifest media type '%s'",
				       media_type);

	if (config == NULL || json_get_string(config, "digest", "config",
					      &m->config_digest, err) < 0)
		return berth_error_set(err, 0, "config.digest: missing");

	if (load_json_blob(root, m->config_digest, CONFIG_MAX_SIZE, &m->config,
			   NULL, err) < 0)
		return berth_error_wrap(err, "load config");

	return parse_layers(m, err);
}

int manifest_load(const char *root, const char *digest,
		  struct image_manifest **ret, struct berth_error **err)
{
	_cleanup_manifest_ struct image_manifest *m = NULL;
	size_t len = 0;

	if (digest_parse(digest, NULL, err) < 0)
		return -1;

	m = xzalloc(sizeof(*m));
	snprintf(m->digest, sizeof(m->digest), "%s", digest);

	if (load_json_blob(root, digest, MANIFEST_MAX_SIZE, &m->manifest, &len,
			   err) < 0)
		return berth_error_wrap(err, "load manifest '%s'", digest);
	m->manifest_size = (int64_t)len;

	if (parse_manifest(root, m, err) < 0)
		return berth_error_wrap(err, "manifest '%s'", digest);

	*ret = TAKE_PTR(m);
	return 0;
}

void manifest_free(struct image_manifest *m)
{
	if (m == NULL)
		return;
	free(m->layers);
	json_decref(m->config);
	json_decref(m->manifest);
	free(m);
}
