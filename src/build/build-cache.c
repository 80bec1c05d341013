/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "build/build-cache.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "image/blob.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/xalloc.h"

#define CACHE_DIR "cache/build"
/* Part of every key, so a change of the entry format starts afresh. */
#define CACHE_VERSION "berth-build-cache-1"

static void update_field(struct digest_ctx *d, const char *s)
{
	/* The NUL separates fields, so no two field lists hash alike. */
	if (s == NULL)
		s = "";
	digest_update(d, s, strlen(s) + 1);
}

void build_cache_key(const char *parent, const char *instruction,
		     char *const *args, const char *content_hash,
		     int64_t timestamp, char ret[DIGEST_STRING_SIZE])
{
	_cleanup_digest_ struct digest_ctx *d = digest_new();
	char ts[32];

	update_field(d, CACHE_VERSION);
	update_field(d, parent);
	update_field(d, instruction);
	for (size_t i = 0; args != NULL && args[i] != NULL; i++)
		update_field(d, args[i]);
	update_field(d, "");
	update_field(d, content_hash);
	snprintf(ts, sizeof(ts), "%" PRId64, timestamp);
	update_field(d, ts);
	digest_final(d, ret);
}

static char *entry_path(const char *root, const char *key)
{
	const char *hex = strchr(key, ':');
	char *path;

	xasprintf(&path, "%s/" CACHE_DIR "/%s.json", root,
		  hex != NULL ? hex + 1 : key);
	return path;
}

static bool copy_digest(char out[DIGEST_STRING_SIZE], const json_t *obj,
			const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	if (s == NULL || digest_parse(s, NULL, NULL) < 0)
		return false;
	snprintf(out, DIGEST_STRING_SIZE, "%s", s);
	return true;
}

static bool parse_layer(const json_t *j, struct layer_blob *layer)
{
	json_t *size = json_object_get(j, "size");

	if (!copy_digest(layer->digest, j, "digest") ||
	    !copy_digest(layer->diff_id, j, "diff_id") ||
	    !copy_digest(layer->chain_id, j, "chain_id") ||
	    !json_is_integer(size))
		return false;
	layer->size = json_integer_value(size);
	layer->entries = 1;
	return true;
}

int build_cache_get(const char *root, const char *key,
		    struct build_cache_entry *ret)
{
	_cleanup_free_ char *path = entry_path(root, key);
	_cleanup_json_ json_t *j = NULL;
	json_t *layer, *config;
	const char *created_by;

	*ret = (struct build_cache_entry){0};
	if (!fs_exists(path) || json_parse_file(path, &j, NULL) < 0)
		return 0;

	layer = json_object_get(j, "layer");
	config = json_object_get(j, "config");
	created_by = json_string_value(json_object_get(j, "created_by"));
	if (!json_is_object(config) || created_by == NULL)
		return 0;

	if (json_is_object(layer)) {
		if (!parse_layer(layer, &ret->layer) ||
		    !blob_exists(root, ret->layer.digest))
			return 0;
		ret->has_layer = true;
	}

	ret->created_by = xstrdup(created_by);
	ret->config = json_deep_copy(config);
	return 1;
}

int build_cache_put(const char *root, const char *key,
		    const struct build_cache_entry *e, struct berth_error **err)
{
	_cleanup_free_ char *dir = fs_path_join(root, CACHE_DIR);
	_cleanup_free_ char *path = entry_path(root, key);
	_cleanup_json_ json_t *j = json_pack(
		"{s:s, s:O}", "created_by", e->created_by, "config", e->config);

	if (e->has_layer)
		json_object_set_new(j, "layer",
				    json_pack("{s:s, s:s, s:s, s:I}", "digest",
					      e->layer.digest, "diff_id",
					      e->layer.diff_id, "chain_id",
					      e->layer.chain_id, "size",
					      (json_int_t)e->layer.size));

	if (fs_mkdir_p(dir, 0700, err) < 0)
		return -1;
	return json_write_file_atomic(path, j, err);
}

void build_cache_entry_clear(struct build_cache_entry *e)
{
	free(e->created_by);
	if (e->config != NULL)
		json_decref(e->config);
	*e = (struct build_cache_entry){0};
}

int build_cache_get_image(const char *root, const char *key, char **ret_id)
{
	_cleanup_free_ char *path = entry_path(root, key);
	_cleanup_json_ json_t *j = NULL;
	const char *id;

	*ret_id = NULL;
	if (!fs_exists(path) || json_parse_file(path, &j, NULL) < 0)
		return 0;

	id = json_string_value(json_object_get(j, "image_id"));
	if (id == NULL || !digest_hex_valid(id))
		return 0;
	*ret_id = xstrdup(id);
	return 1;
}

int build_cache_put_image(const char *root, const char *key, const char *id,
			  struct berth_error **err)
{
	_cleanup_free_ char *dir = fs_path_join(root, CACHE_DIR);
	_cleanup_free_ char *path = entry_path(root, key);
	_cleanup_json_ json_t *j = json_pack("{s:s}", "image_id", id);

	if (fs_mkdir_p(dir, 0700, err) < 0)
		return -1;
	return json_write_file_atomic(path, j, err);
}
