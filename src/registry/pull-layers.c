/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>

#include "image/blob.h"
#include "image/layer-feed.h"
#include "image/manifest.h"
#include "registry/pull-internal.h"
#include "util/cleanup.h"
#include "util/json.h"

/* rootfs.diff_ids of the config blob, or NULL when it has none. */
static json_t *load_diff_ids(const char *root, const char *config_digest)
{
	_cleanup_free_ char *data = NULL;
	_cleanup_json_ json_t *config = NULL;
	json_t *diff_ids;
	size_t len;

	if (blob_read(root, config_digest, CONFIG_MAX_SIZE, &data, &len, NULL) <
		    0 ||
	    json_parse_buffer(data, len, "image config", &config, NULL) < 0)
		return NULL;

	diff_ids =
		json_object_get(json_object_get(config, "rootfs"), "diff_ids");
	if (!json_is_array(diff_ids))
		return NULL;
	return json_incref(diff_ids);
}

/* Fill in diff_id and chain_id of every layer, or return false. */
static bool pair_layers(const struct pull_blobs *p, const json_t *diff_ids)
{
	size_t n_layers = p->n_blobs - 1;

	if (json_array_size(diff_ids) != n_layers)
		return false;

	for (size_t i = 0; i < n_layers; i++) {
		struct pull_blob *b = &p->blobs[i];
		const char *diff_id =
			json_string_value(json_array_get(diff_ids, i));

		if (diff_id == NULL || digest_parse(diff_id, NULL, NULL) < 0)
			return false;
		snprintf(b->diff_id, sizeof(b->diff_id), "%s", diff_id);
		digest_chain_id(i > 0 ? p->blobs[i - 1].chain_id : NULL,
				diff_id, b->chain_id);
	}
	return true;
}

void pull_plan_layers(const struct pull_blobs *p)
{
	_cleanup_json_ json_t *diff_ids = NULL;

	if (p->store == NULL || p->n_blobs == 0)
		return;

	diff_ids =
		load_diff_ids(p->root, p->blobs[p->n_blobs - 1].desc->digest);
	if (diff_ids == NULL || !pair_layers(p, diff_ids))
		return;

	for (size_t i = 0; i + 1 < p->n_blobs; i++)
		p->blobs[i].extract =
			layer_feed_needed(p->store, p->blobs[i].chain_id);
}
