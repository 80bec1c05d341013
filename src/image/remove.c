/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "image/layout.h"
#include "image/store-internal.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/log.h"
#include "util/strv.h"
#include "util/xalloc.h"

/* Return the names of digest in *ret_names and their count. */
static size_t names_of(const json_t *index, const char *digest,
		       char ***ret_names)
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
	*ret_names = names;
	return strv_length(names);
}

static char *join_names(char **names)
{
	char *joined = xstrdup("");

	for (size_t i = 0; names[i] != NULL; i++) {
		char *next = NULL;

		xasprintf(&next, "%s%s%s", joined, i > 0 ? ", " : "", names[i]);
		free(joined);
		joined = next;
	}
	return joined;
}

/*
 * Drop the index entries: only by_name when the ref was a name, else
 * every name of the image. Records the removed names in removal.
 */
static int remove_entries(json_t *index, const char *digest,
			  const char *by_name, bool force, const char *ref,
			  struct image_removal *removal,
			  struct berth_error **err)
{
	_cleanup_strv_ char **names = NULL;
	size_t n = names_of(index, digest, &names);

	if (by_name != NULL) {
		layout_index_remove_name(index, by_name);
		strv_push(&removal->untagged, by_name);
		return 0;
	}

	if (n > 1 && !force) {
		_cleanup_free_ char *joined = join_names(names);

		return berth_error_set(err, 0,
				       "image '%s' has several names (%s): "
				       "remove them by name, or use -f to "
				       "remove the image with all of them",
				       ref, joined);
	}

	for (size_t i = 0; i < n; i++)
		strv_push(&removal->untagged, names[i]);
	layout_index_remove_digest(index, digest);
	return 0;
}

int image_store_remove_image(struct image_store *store, const char *ref,
			     bool force, struct image_removal *ret,
			     struct berth_error **err)
{
	_cleanup_lock_ int lock = -1;
	_cleanup_json_ json_t *index = NULL;
	_cleanup_free_ char *digest = NULL;
	_cleanup_free_ char *by_name = NULL;
	_cleanup_manifest_ struct image_manifest *m = NULL;
	struct image_removal removal = {0};
	struct berth_error *gc_err = NULL;
	int r;

	if (store_lock(store, LOCK_MODE_EXCLUSIVE, &lock, err) < 0 ||
	    layout_index_load(store->root, &index, err) < 0)
		return -1;

	r = store_resolve(store, index, ref, &digest, &by_name, err);
	if (r < 0)
		return -1;
	if (r == 0)
		return berth_error_set(err, 0, "image '%s' not found", ref);

	/*
	 * A damaged image can still be removed with force. Its id is then
	 * unknown, so only its names are reported.
	 */
	if (manifest_load(store->root, digest, &m, err) < 0) {
		if (!force)
			return berth_error_wrap(err,
						"image '%s' is damaged (remove "
						"it with 'berth rmi -f %s')",
						ref, ref);
		berth_error_free(err);
	}

	if (remove_entries(index, digest, by_name, force, ref, &removal, err) <
		    0 ||
	    layout_index_save(store->root, index, err) < 0) {
		image_removal_clear(&removal);
		return -1;
	}

	if (!layout_index_has_digest(index, digest)) {
		if (m != NULL)
			removal.deleted_id = xstrdup(m->config_digest +
						     strlen(DIGEST_PREFIX));

		/* The image is gone from the index; leftovers are harmless. */
		if (layout_gc(store->root, index, &gc_err) < 0) {
			log_warning("%s, ignoring", gc_err->msg);
			berth_error_free(&gc_err);
		}
	}

	if (ret != NULL)
		*ret = removal;
	else
		image_removal_clear(&removal);
	return 0;
}

int image_store_remove(struct image_store *store, const char *ref,
		       struct berth_error **err)
{
	return image_store_remove_image(store, ref, false, NULL, err);
}

void image_removal_clear(struct image_removal *removal)
{
	strv_free(removal->untagged);
	free(removal->deleted_id);
	removal->untagged = NULL;
	removal->deleted_id = NULL;
}
