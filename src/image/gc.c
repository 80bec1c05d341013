/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "image/layout.h"
#include "image/manifest.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"
#include "util/xalloc.h"

/* Strip "sha256:"; the digests here were validated by manifest_load(). */
static const char *hex_of(const char *digest)
{
	return digest + strlen(DIGEST_PREFIX);
}

static int collect_references(const char *root, const json_t *index,
			      char ***blobs, char ***layers,
			      struct berth_error **err)
{
	json_t *entry;
	size_t i;

	json_array_foreach (layout_index_manifests(index), i, entry) {
		_cleanup_manifest_ struct image_manifest *m = NULL;
		const char *digest = layout_entry_digest(entry);

		if (digest == NULL)
			return berth_error_set(err, 0,
					       "index.json manifests[%zu] has "
					       "no digest",
					       i);

		if (manifest_load(root, digest, &m, err) < 0)
			return -1;

		strv_push(blobs, hex_of(m->digest));
		strv_push(blobs, hex_of(m->config_digest));
		for (size_t l = 0; l < m->n_layers; l++) {
			strv_push(blobs, hex_of(m->layers[l].digest));
			strv_push(layers, hex_of(m->layers[l].chain_id));
		}
	}
	return 0;
}

/*
 * Remove dir_fd/name. A directory is first renamed to a temp name: a
 * layer directory that a kill left half removed must not keep its final
 * name, because a later extraction of the same layer would take it as
 * complete. The next store open removes leftover temp entries.
 */
static int remove_entry(int dir_fd, const char *name, struct berth_error **err)
{
	_cleanup_free_ char *tmp = NULL;

	/* Files go in one step; only directories need the detour. */
	if (unlinkat(dir_fd, name, 0) == 0 || errno == ENOENT)
		return 0;

	if (errno != EISDIR || strncmp(name, ".tmp-", 5) == 0)
		return fs_rm_rf_at(dir_fd, name, err);

	xasprintf(&tmp, ".tmp-%s", name);
	if (fs_rm_rf_at(dir_fd, tmp, err) < 0)
		return -1;

	if (renameat(dir_fd, name, dir_fd, tmp) < 0)
		return berth_error_set(err, errno, "rename '%s'", name);

	return fs_rm_rf_at(dir_fd, tmp, err);
}

/* Remove every entry of dir whose name is not in keep. */
static int sweep(const char *dir, char **keep, struct berth_error **err)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;

	d = opendir(dir);
	if (d == NULL && errno == ENOENT)
		return 0;
	if (d == NULL)
		return berth_error_set(err, errno, "open '%s'", dir);

	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (strv_contains(keep, de->d_name))
			continue;
		if (remove_entry(dirfd(d), de->d_name, err) < 0)
			return berth_error_wrap(err, "clean up '%s'", dir);
	}
	return 0;
}

int layout_gc(const char *root, const json_t *index, struct berth_error **err)
{
	_cleanup_strv_ char **blobs = NULL;
	_cleanup_strv_ char **layers = NULL;
	_cleanup_free_ char *blob_dir = fs_path_join(root, "blobs/sha256");
	_cleanup_free_ char *layer_dir = fs_path_join(root, "layers");

	if (collect_references(root, index, &blobs, &layers, err) < 0)
		return berth_error_wrap(err, "garbage collection skipped");

	if (sweep(blob_dir, blobs, err) < 0)
		return -1;

	return sweep(layer_dir, layers, err);
}
