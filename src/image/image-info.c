/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "image/layout.h"
#include "image/store-internal.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/strv.h"
#include "util/xalloc.h"

static char **names_of(const json_t *index, const char *digest)
{
	char **names = NULL;
	json_t *entry;
	size_t i;

	json_array_foreach (layout_index_manifests(index), i, entry) {
		const char *d = layout_entry_digest(entry);
		const char *name = layout_entry_name(entry);

		if (d != NULL && name != NULL && strcmp(d, digest) == 0)
			strv_push(&names, name);
	}

	/* Callers iterate without a NULL check. */
	if (names == NULL)
		names = xzalloc(sizeof(char *));
	return names;
}

struct image_info *image_info_new(const json_t *index,
				  const struct image_manifest *m)
{
	struct image_info *image = xzalloc(sizeof(*image));
	const char *created;

	image->id = xstrdup(m->config_digest + strlen(DIGEST_PREFIX));
	image->manifest_digest = xstrdup(m->digest);
	image->names = names_of(index, m->digest);

	created = json_string_value(json_object_get(m->config, "created"));
	image->created = created != NULL ? xstrdup(created) : NULL;

	image->manifest = json_incref(m->manifest);
	image->config = json_incref(m->config);
	image->diff_ids = xzalloc(sizeof(char *));
	image->chain_ids = xzalloc(sizeof(char *));
	for (size_t i = 0; i < m->n_layers; i++) {
		image->size += m->layers[i].size;
		strv_push(&image->diff_ids, m->layers[i].diff_id);
		strv_push(&image->chain_ids, m->layers[i].chain_id);
	}
	return image;
}

static json_t *config_field(const struct image_info *image, const char *key)
{
	json_t *value = json_object_get(image->config, key);

	return value != NULL ? json_incref(value) : json_null();
}

json_t *image_info_to_json(const struct image_info *image)
{
	_cleanup_free_ char *id = NULL;
	json_t *config = json_object_get(image->config, "config");
	json_t *history = json_object_get(image->config, "history");
	json_t *j;

	xasprintf(&id, "sha256:%s", image->id);
	j = json_pack("{s:s, s:o, s:s, s:o, s:I, s:o, s:o, s:o, s:o, s:o}",
		      "Id", id, "RepoTags", json_strv_array(image->names),
		      "Digest", image->manifest_digest, "Created",
		      image->created != NULL ? json_string(image->created) :
					       json_null(),
		      "Size", (json_int_t)image->size, "Architecture",
		      config_field(image, "architecture"), "Os",
		      config_field(image, "os"), "Config",
		      config != NULL ? json_incref(config) : json_object(),
		      "RootFS",
		      json_pack("{s:s, s:o}", "Type", "layers", "Layers",
				json_strv_array(image->diff_ids)),
		      "History",
		      history != NULL ? json_incref(history) : json_array());
	if (j == NULL)
		abort();
	return j;
}
