/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "image/digest.h"
#include "image/layout.h"
#include "image/reference.h"
#include "image/store-internal.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/strv.h"
#include "util/xalloc.h"

/* Shortest id prefix accepted, as in Docker. */
#define ID_PREFIX_MIN 3

static bool is_hex_prefix(const char *s)
{
	size_t len = strlen(s);

	if (len < ID_PREFIX_MIN || len > DIGEST_HEX_LEN)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* Collect the distinct manifest digests of index, in index order. */
static char **index_digests(const json_t *index)
{
	char **digests = NULL;
	json_t *entry;
	size_t i;

	json_array_foreach (layout_index_manifests(index), i, entry) {
		const char *d = layout_entry_digest(entry);

		if (d != NULL && !strv_contains(digests, d))
			strv_push(&digests, d);
	}
	return digests;
}

/*
 * Find the image whose id (config digest hex) starts with prefix, or
 * whose manifest digest equals full. Returns 1 found, 0 not, -1 error.
 */
static int find_by_id(struct image_store *store, const json_t *index,
		      const char *prefix, const char *full, char **ret_digest,
		      struct berth_error **err)
{
	_cleanup_strv_ char **digests = index_digests(index);
	_cleanup_free_ char *match = NULL;
	_cleanup_free_ char *match_id = NULL;
	size_t plen = strlen(prefix);

	for (size_t i = 0; digests != NULL && digests[i] != NULL; i++) {
		_cleanup_manifest_ struct image_manifest *m = NULL;
		struct berth_error *cause = NULL;
		const char *id;

		if (full != NULL && strcmp(digests[i], full) == 0) {
			*ret_digest = xstrdup(digests[i]);
			return 1;
		}

		if (manifest_load(store->root, digests[i], &m, &cause) < 0) {
			log_warning("%s, ignoring", cause->msg);
			berth_error_free(&cause);
			continue;
		}

		id = m->config_digest + strlen(DIGEST_PREFIX);
		if (strncmp(id, prefix, plen) != 0)
			continue;
		/*
		 * Two manifests of one config (an image loaded from two
		 * archive formats) are one image id: keep the first.
		 */
		if (match != NULL) {
			if (strcmp(match_id, id) == 0)
				continue;
			return berth_error_set(err, 0,
					       "short id '%s' matches several "
					       "images: give more characters",
					       prefix);
		}
		match = xstrdup(digests[i]);
		match_id = xstrdup(id);
	}

	if (match == NULL)
		return 0;
	*ret_digest = TAKE_PTR(match);
	return 1;
}

/* Match name:tag, or name@digest against the names of that digest. */
static int find_by_name(const json_t *index, const struct image_ref *ref,
			char **ret_digest, char **ret_by_name)
{
	_cleanup_free_ char *name_tag = reference_name_tag(ref);
	size_t nlen = strlen(ref->name);
	json_t *entry;
	size_t i;

	json_array_foreach (layout_index_manifests(index), i, entry) {
		const char *name = layout_entry_name(entry);
		const char *digest = layout_entry_digest(entry);

		if (name == NULL || digest == NULL)
			continue;

		if (ref->digest != NULL) {
			if (strcmp(digest, ref->digest) != 0 ||
			    strncmp(name, ref->name, nlen) != 0 ||
			    name[nlen] != ':')
				continue;
			if (ref->has_tag && strcmp(name, name_tag) != 0)
				continue;
		} else if (strcmp(name, name_tag) != 0) {
			continue;
		}

		*ret_digest = xstrdup(digest);
		if (ret_by_name != NULL && ref->digest == NULL)
			*ret_by_name = xstrdup(name);
		return 1;
	}
	return 0;
}

int store_resolve(struct image_store *store, const json_t *index,
		  const char *ref, char **ret_digest, char **ret_by_name,
		  struct berth_error **err)
{
	_cleanup_reference_ struct image_ref *parsed = NULL;
	struct berth_error *parse_err = NULL;
	const char *hex;
	int r;

	if (strncmp(ref, DIGEST_PREFIX, strlen(DIGEST_PREFIX)) == 0) {
		if (digest_parse(ref, &hex, err) < 0)
			return -1;
		return find_by_id(store, index, hex, ref, ret_digest, err);
	}

	if (reference_parse(ref, &parsed, &parse_err) == 0) {
		r = find_by_name(index, parsed, ret_digest, ret_by_name);
		if (r != 0)
			return r;
	}

	if (is_hex_prefix(ref)) {
		berth_error_free(&parse_err);
		return find_by_id(store, index, ref, NULL, ret_digest, err);
	}

	if (parse_err != NULL) {
		berth_error_move(err, &parse_err);
		return -1;
	}
	return 0;
}
