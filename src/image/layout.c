/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "image/layout.h"

#include <errno.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/xalloc.h"

static const char oci_layout_content[] = "{\"imageLayoutVersion\":\"1.0.0\"}";

int layout_init(const char *root, struct berth_error **err)
{
	_cleanup_free_ char *layout = fs_path_join(root, "oci-layout");
	_cleanup_free_ char *index = fs_path_join(root, "index.json");
	_cleanup_json_ json_t *empty = NULL;

	if (!fs_exists(layout) &&
	    fs_write_atomic(layout, oci_layout_content,
			    strlen(oci_layout_content), 0644, err) < 0)
		return -1;

	if (fs_exists(index))
		return 0;

	empty = json_pack("{s:i, s:[]}", "schemaVersion", 2, "manifests");
	return json_write_file_atomic(index, empty, err);
}

/* Append the fix to an error about an unparsable index.json. */
static int index_damaged(struct berth_error **err)
{
	_cleanup_free_ char *cause = NULL;

	if (err == NULL)
		return -1;

	cause = berth_error_text(*err);
	berth_error_free(err);
	return berth_error_set(err, 0,
			       "%s; repair the file, or move it away to "
			       "start with an empty image list",
			       cause);
}

int layout_index_load(const char *root, json_t **ret, struct berth_error **err)
{
	_cleanup_free_ char *path = fs_path_join(root, "index.json");
	_cleanup_free_ char *data = NULL;
	_cleanup_free_ char *what = NULL;
	_cleanup_json_ json_t *index = NULL;
	json_t *manifests = NULL;
	int64_t version = 0;
	size_t len;

	if (fs_read_file(path, &data, &len, err) < 0)
		return -1;

	xasprintf(&what, "'%s'", path);
	if (json_parse_buffer(data, len, what, &index, err) < 0)
		return index_damaged(err);

	if (!json_is_object(index)) {
		berth_error_set(err, 0, "'%s': expected a JSON object", path);
		return index_damaged(err);
	}

	if (json_get_int64_opt(index, "schemaVersion", "", &version, err) < 0 ||
	    json_get_array_opt(index, "manifests", "", &manifests, err) < 0) {
		berth_error_wrap(err, "'%s'", path);
		return index_damaged(err);
	}

	if (version != 2) {
		berth_error_set(err, 0,
				"'%s': unsupported schemaVersion %lld, "
				"expected 2",
				path, (long long)version);
		return index_damaged(err);
	}

	if (manifests == NULL)
		json_object_set_new(index, "manifests", json_array());

	*ret = TAKE_PTR(index);
	return 0;
}

int layout_index_save(const char *root, const json_t *index,
		      struct berth_error **err)
{
	_cleanup_free_ char *path = fs_path_join(root, "index.json");

	return json_write_file_atomic(path, index, err);
}

json_t *layout_index_manifests(const json_t *index)
{
	return json_object_get(index, "manifests");
}

const char *layout_entry_digest(const json_t *entry)
{
	return json_string_value(json_object_get(entry, "digest"));
}

const char *layout_entry_name(const json_t *entry)
{
	json_t *annotations = json_object_get(entry, "annotations");

	return json_string_value(json_object_get(annotations, LAYOUT_REF_NAME));
}

static size_t count_digest(const json_t *manifests, const char *digest)
{
	size_t i, n = 0;
	json_t *entry;

	json_array_foreach (manifests, i, entry) {
		const char *d = layout_entry_digest(entry);

		if (d != NULL && strcmp(d, digest) == 0)
			n++;
	}
	return n;
}

/* Return the index of an unnamed descriptor of digest, or -1. */
static ssize_t find_unnamed(const json_t *manifests, const char *digest)
{
	size_t i;
	json_t *entry;

	json_array_foreach (manifests, i, entry) {
		const char *d = layout_entry_digest(entry);

		if (d != NULL && strcmp(d, digest) == 0 &&
		    layout_entry_name(entry) == NULL)
			return (ssize_t)i;
	}
	return -1;
}

static ssize_t find_name(const json_t *manifests, const char *name)
{
	size_t i;
	json_t *entry;

	json_array_foreach (manifests, i, entry) {
		const char *n = layout_entry_name(entry);

		if (n != NULL && strcmp(n, name) == 0)
			return (ssize_t)i;
	}
	return -1;
}

/* Detach name from its descriptor, keeping the image listed. */
static void release_name(json_t *manifests, const char *name)
{
	ssize_t i = find_name(manifests, name);
	json_t *entry;
	const char *digest;

	if (i < 0)
		return;

	entry = json_array_get(manifests, i);
	digest = layout_entry_digest(entry);
	if (digest == NULL || count_digest(manifests, digest) > 1) {
		json_array_remove(manifests, i);
		return;
	}

	json_object_del(json_object_get(entry, "annotations"), LAYOUT_REF_NAME);
	if (json_object_size(json_object_get(entry, "annotations")) == 0)
		json_object_del(entry, "annotations");
}

void layout_index_set_name(json_t *index, const char *digest, int64_t size,
			   const char *name)
{
	json_t *manifests = layout_index_manifests(index);
	json_t *entry;
	ssize_t i;

	if (name != NULL) {
		const char *current = NULL;

		i = find_name(manifests, name);
		if (i >= 0)
			current = layout_entry_digest(
				json_array_get(manifests, i));
		if (current != NULL && strcmp(current, digest) == 0)
			return;
		release_name(manifests, name);
	} else if (count_digest(manifests, digest) > 0) {
		return;
	}

	i = find_unnamed(manifests, digest);
	if (i >= 0) {
		entry = json_array_get(manifests, i);
	} else {
		entry = json_pack("{s:s, s:s, s:I}", "mediaType",
				  MEDIA_TYPE_MANIFEST, "digest", digest, "size",
				  (json_int_t)size);
		json_array_append_new(manifests, entry);
	}

	if (name != NULL)
		json_object_set_new(entry, "annotations",
				    json_pack("{s:s}", LAYOUT_REF_NAME, name));
}

void layout_index_set_media_type(json_t *index, const char *digest,
				 const char *media_type)
{
	json_t *entry;
	size_t i;

	json_array_foreach (layout_index_manifests(index), i, entry) {
		const char *d = layout_entry_digest(entry);

		if (d != NULL && strcmp(d, digest) == 0)
			json_object_set_new(entry, "mediaType",
					    json_string(media_type));
	}
}

bool layout_index_remove_name(json_t *index, const char *name)
{
	json_t *manifests = layout_index_manifests(index);
	ssize_t i = find_name(manifests, name);

	if (i < 0)
		return false;

	json_array_remove(manifests, i);
	return true;
}

void layout_index_remove_digest(json_t *index, const char *digest)
{
	json_t *manifests = layout_index_manifests(index);

	for (size_t i = json_array_size(manifests); i > 0; i--) {
		const char *d =
			layout_entry_digest(json_array_get(manifests, i - 1));

		if (d != NULL && strcmp(d, digest) == 0)
			json_array_remove(manifests, i - 1);
	}
}

bool layout_index_has_digest(const json_t *index, const char *digest)
{
	return count_digest(layout_index_manifests(index), digest) > 0;
}
