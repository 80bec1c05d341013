/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "image/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/layout.h"
#include "image/reference.h"
#include "image/store-internal.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/log.h"
#include "util/fs.h"
#include "util/strv.h"
#include "util/xalloc.h"

static int store_mkdirs(const char *root, struct berth_error **err)
{
	static const char *const dirs[] = {"blobs/sha256", "layers", "tmp"};

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		_cleanup_free_ char *path = fs_path_join(root, dirs[i]);

		if (fs_mkdir_p(path, 0700, err) < 0)
			return -1;
	}
	return 0;
}

/* Remove the entries of dir named ".tmp-*SUFFIX". */
static void remove_temp_entries(const char *dir, const char *suffix)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	size_t slen = strlen(suffix);
	struct dirent *de;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);

		if (strncmp(de->d_name, ".tmp-", 5) == 0 && len >= 5 + slen &&
		    strcmp(de->d_name + len - slen, suffix) == 0)
			(void)fs_rm_rf_at(dirfd(d), de->d_name, NULL);
	}
}

/*
 * Remove leftovers of interrupted writers: ROOT/tmp/, layers/.tmp-* and
 * the temp file of an unfinished atomic write of index.json.
 */
static void store_remove_stale(struct image_store *store)
{
	_cleanup_free_ char *tmp = fs_path_join(store->root, "tmp");

	(void)fs_rm_rf(tmp, NULL);
	(void)mkdir(tmp, 0700);
	remove_temp_entries(store->layers_dir, "");
	remove_temp_entries(store->root, "-index.json");
}

static int store_init(struct image_store *store, struct berth_error **err)
{
	_cleanup_lock_ int lock = -1;

	if (fs_mkdir_p(store->root, 0700, err) < 0)
		return berth_error_wrap(err, "open image store");

	/*
	 * Every writer holds the lock exclusively while it has temp files,
	 * so whatever is left when we get the lock belongs to a dead
	 * process. When another command holds the lock, leave it alone.
	 */
	if (lock_try_acquire(store->lock_path, LOCK_MODE_EXCLUSIVE, &lock,
			     NULL) < 0)
		return 0;

	if (store_mkdirs(store->root, err) < 0 ||
	    layout_init(store->root, err) < 0)
		return berth_error_wrap(err, "open image store '%s'",
					store->root);

	store_remove_stale(store);
	return 0;
}

int image_store_open(const char *root, struct image_store **ret,
		     struct berth_error **err)
{
	struct image_store *store = xzalloc(sizeof(*store));

	store->root = xstrdup(root);
	store->layers_dir = fs_path_join(root, "layers");
	store->lock_path = fs_path_join(root, "store.lock");

	if (store_init(store, err) < 0) {
		image_store_close(store);
		return -1;
	}

	*ret = store;
	return 0;
}

void image_store_close(struct image_store *store)
{
	if (store == NULL)
		return;
	free(store->lock_path);
	free(store->layers_dir);
	free(store->root);
	free(store);
}

const char *image_store_root(const struct image_store *store)
{
	return store->root;
}

int store_lock(struct image_store *store, enum lock_mode mode, int *ret_fd,
	       struct berth_error **err)
{
	if (lock_acquire(store->lock_path, mode, ret_fd, err) < 0)
		return berth_error_wrap(err, "lock image store");
	return 0;
}

int image_store_lock_shared(struct image_store *store, int *ret_fd,
			    struct berth_error **err)
{
	return store_lock(store, LOCK_MODE_SHARED, ret_fd, err);
}

static int load_image(struct image_store *store, const json_t *index,
		      const char *digest, struct image_info **ret,
		      struct berth_error **err)
{
	_cleanup_manifest_ struct image_manifest *m = NULL;

	if (manifest_load(store->root, digest, &m, err) < 0)
		return -1;

	*ret = image_info_new(index, m);
	return 0;
}

int image_store_find(struct image_store *store, const char *ref,
		     struct image_info **ret, struct berth_error **err)
{
	_cleanup_lock_ int lock = -1;
	_cleanup_json_ json_t *index = NULL;
	_cleanup_free_ char *digest = NULL;
	struct image_info *image = NULL;
	int r;

	if (store_lock(store, LOCK_MODE_SHARED, &lock, err) < 0 ||
	    layout_index_load(store->root, &index, err) < 0)
		return -1;

	r = store_resolve(store, index, ref, &digest, NULL, err);
	if (r < 0)
		return -1;

	if (r > 0 && load_image(store, index, digest, &image, err) < 0)
		return berth_error_wrap(err,
					"image '%s' is damaged (remove it with "
					"'berth rmi -f %s')",
					ref, ref);

	*ret = image;
	return 0;
}

int image_store_lookup(struct image_store *store, const char *ref,
		       struct image_info **ret, struct berth_error **err)
{
	struct image_info *image = NULL;

	if (image_store_find(store, ref, &image, err) < 0)
		return -1;

	if (image == NULL)
		return berth_error_set(err, 0,
				       "image '%s' not found: see 'berth "
				       "images' for the images in the store",
				       ref);

	*ret = image;
	return 0;
}

static int compare_created(const void *a, const void *b)
{
	const struct image_info *x = *(struct image_info *const *)a;
	const struct image_info *y = *(struct image_info *const *)b;

	/* RFC 3339 times in UTC sort as strings; newest first. */
	return strcmp(y->created != NULL ? y->created : "",
		      x->created != NULL ? x->created : "");
}

int image_store_list(struct image_store *store, struct image_info ***ret,
		     size_t *ret_n, struct berth_error **err)
{
	_cleanup_lock_ int lock = -1;
	_cleanup_json_ json_t *index = NULL;
	_cleanup_strv_ char **seen = NULL;
	struct image_info **list = NULL;
	struct berth_error *cause = NULL;
	size_t n = 0;
	json_t *entry;
	size_t i;

	if (store_lock(store, LOCK_MODE_SHARED, &lock, err) < 0 ||
	    layout_index_load(store->root, &index, err) < 0)
		return -1;

	json_array_foreach (layout_index_manifests(index), i, entry) {
		const char *digest = layout_entry_digest(entry);
		struct image_info *image;

		if (digest == NULL || strv_contains(seen, digest))
			continue;
		strv_push(&seen, digest);

		/* One damaged image must not hide the others. */
		if (load_image(store, index, digest, &image, &cause) < 0) {
			const char *name = layout_entry_name(entry);

			log_warning("image '%s' is damaged (remove it with "
				    "'berth rmi -f %s'): %s, ignoring",
				    name != NULL ? name : digest,
				    name != NULL ? name : digest, cause->msg);
			berth_error_free(&cause);
			continue;
		}
		list = xreallocarray(list, n + 1, sizeof(*list));
		list[n++] = image;
	}

	if (n > 1)
		qsort(list, n, sizeof(*list), compare_created);
	*ret = list;
	*ret_n = n;
	return 0;
}

void image_info_list_free(struct image_info **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		image_info_free(list[i]);
	free(list);
}

int image_store_tag(struct image_store *store, const char *ref,
		    const char *new_name, struct berth_error **err)
{
	_cleanup_lock_ int lock = -1;
	_cleanup_json_ json_t *index = NULL;
	_cleanup_free_ char *digest = NULL;
	_cleanup_free_ char *name = NULL;
	_cleanup_manifest_ struct image_manifest *m = NULL;
	int r;

	if (reference_normalize(new_name, &name, err) < 0)
		return -1;

	if (store_lock(store, LOCK_MODE_EXCLUSIVE, &lock, err) < 0 ||
	    layout_index_load(store->root, &index, err) < 0)
		return -1;

	r = store_resolve(store, index, ref, &digest, NULL, err);
	if (r < 0)
		return -1;
	if (r == 0)
		return berth_error_set(err, 0, "image '%s' not found", ref);

	if (manifest_load(store->root, digest, &m, err) < 0)
		return -1;

	layout_index_set_name(index, digest, m->manifest_size, name);
	return layout_index_save(store->root, index, err);
}

void image_info_free(struct image_info *image)
{
	if (image == NULL)
		return;
	free(image->id);
	free(image->manifest_digest);
	strv_free(image->names);
	free(image->created);
	json_decref(image->manifest);
	json_decref(image->config);
	strv_free(image->diff_ids);
	strv_free(image->chain_ids);
	free(image);
}
