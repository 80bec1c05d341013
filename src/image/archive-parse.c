/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "image/archive-internal.h"
#include "image/layout.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/strv.h"
#include "util/xalloc.h"

/* Set by Docker 25 and later, and by containerd, to the full name. */
#define CONTAINERD_IMAGE_NAME "io.containerd.image.name"

static int parse_json_array(const char *data, size_t len, const char *what,
			    json_t **ret, struct berth_error **err)
{
	json_t *doc = NULL;

	if (json_parse_buffer(data, len, what, &doc, err) < 0)
		return -1;
	if (!json_is_array(doc)) {
		json_decref(doc);
		return berth_error_set(err, 0, "%s: expected a JSON array",
				       what);
	}
	*ret = doc;
	return 0;
}

static int parse_docker_item(const json_t *obj, const char *where,
			     struct docker_manifest_item *item,
			     struct berth_error **err)
{
	const char *config = NULL;

	if (!json_is_object(obj))
		return berth_error_set(err, 0, "%s: expected an object", where);

	if (json_get_string(obj, "Config", where, &config, err) < 0 ||
	    json_get_strv_opt(obj, "RepoTags", where, &item->repo_tags, err) <
		    0 ||
	    json_get_strv_opt(obj, "Layers", where, &item->layers, err) < 0)
		return -1;

	item->config = xstrdup(config);
	return 0;
}

int archive_docker_manifest_parse(const char *data, size_t len,
				  struct docker_manifest_item **ret,
				  size_t *ret_n, struct berth_error **err)
{
	_cleanup_json_ json_t *doc = NULL;
	struct docker_manifest_item *items;
	size_t n;

	if (parse_json_array(data, len, "manifest.json", &doc, err) < 0)
		return -1;

	n = json_array_size(doc);
	if (n == 0)
		return berth_error_set(err, 0, "manifest.json lists no image");

	items = xcalloc(n, sizeof(*items));
	for (size_t i = 0; i < n; i++) {
		char where[48];

		snprintf(where, sizeof(where), "manifest.json [%zu]", i);
		if (parse_docker_item(json_array_get(doc, i), where, &items[i],
				      err) < 0) {
			archive_docker_manifest_free(items, n);
			return -1;
		}
	}

	*ret = items;
	*ret_n = n;
	return 0;
}

void archive_docker_manifest_free(struct docker_manifest_item *items, size_t n)
{
	if (items == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(items[i].config);
		strv_free(items[i].repo_tags);
		strv_free(items[i].layers);
	}
	free(items);
}

static int check_media_type(const json_t *desc, const char *where,
			    struct berth_error **err)
{
	const char *media_type = NULL;

	if (json_get_string_opt(desc, "mediaType", where, &media_type, err) < 0)
		return -1;

	if (media_type == NULL ||
	    strcmp(media_type, MEDIA_TYPE_MANIFEST) == 0 ||
	    strcmp(media_type, MEDIA_TYPE_DOCKER_MANIFEST) == 0)
		return 0;

	return berth_error_set(err, 0,
			       "%s: unsupported media type '%s': berth loads "
			       "image manifests, not image indexes for "
			       "several platforms",
			       where, media_type);
}

/* A ref.name without ':' or '/' is only a tag and names no repository. */
static const char *descriptor_name(const json_t *desc)
{
	json_t *annotations = json_object_get(desc, "annotations");
	const char *name;

	name = json_string_value(
		json_object_get(annotations, CONTAINERD_IMAGE_NAME));
	if (name != NULL)
		return name;

	name = json_string_value(json_object_get(annotations, LAYOUT_REF_NAME));
	if (name != NULL && strpbrk(name, ":/") != NULL)
		return name;
	return NULL;
}

static int parse_oci_item(const json_t *desc, const char *where,
			  struct oci_index_item *item, struct berth_error **err)
{
	const char *digest = NULL;
	uint64_t size = 0;
	const char *name;

	if (!json_is_object(desc))
		return berth_error_set(err, 0, "%s: expected an object", where);

	if (check_media_type(desc, where, err) < 0 ||
	    json_get_string(desc, "digest", where, &digest, err) < 0 ||
	    json_get_uint64_opt(desc, "size", where, INT64_MAX, &size, err) < 0)
		return -1;

	if (json_object_get(desc, "size") == NULL)
		return berth_error_set(err, 0, "%s.size: missing", where);
	if (digest_parse(digest, NULL, err) < 0)
		return berth_error_wrap(err, "%s.digest", where);

	snprintf(item->digest, sizeof(item->digest), "%s", digest);
	item->size = (int64_t)size;
	name = descriptor_name(desc);
	item->name = name != NULL ? xstrdup(name) : NULL;
	return 0;
}

int archive_oci_index_parse(const char *data, size_t len,
			    struct oci_index_item **ret, size_t *ret_n,
			    struct berth_error **err)
{
	_cleanup_json_ json_t *doc = NULL;
	json_t *manifests = NULL;
	struct oci_index_item *items;
	int64_t version = 0;
	size_t n;

	if (json_parse_buffer(data, len, "index.json", &doc, err) < 0)
		return -1;
	if (!json_is_object(doc))
		return berth_error_set(err, 0,
				       "index.json: expected a JSON object");

	if (json_get_int64_opt(doc, "schemaVersion", "index.json", &version,
			       err) < 0 ||
	    json_get_array_opt(doc, "manifests", "index.json", &manifests,
			       err) < 0)
		return -1;
	if (version != 2)
		return berth_error_set(err, 0,
				       "index.json: unsupported schemaVersion "
				       "%lld, expected 2",
				       (long long)version);

	n = json_array_size(manifests);
	if (n == 0)
		return berth_error_set(err, 0, "index.json lists no image");

	items = xcalloc(n, sizeof(*items));
	for (size_t i = 0; i < n; i++) {
		char where[48];

		snprintf(where, sizeof(where), "index.json manifests[%zu]", i);
		if (parse_oci_item(json_array_get(manifests, i), where,
				   &items[i], err) < 0) {
			archive_oci_index_free(items, n);
			return -1;
		}
	}

	*ret = items;
	*ret_n = n;
	return 0;
}

void archive_oci_index_free(struct oci_index_item *items, size_t n)
{
	if (items == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(items[i].name);
	free(items);
}
