/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/container-image.h"
#include "engine/image-use.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/strv.h"
#include "util/xalloc.h"

/* Bytes in ROOT/blobs/sha256, to tell what a prune freed. */
static int64_t blobs_size(const char *root)
{
	_cleanup_free_ char *path = fs_path_join(root, "blobs/sha256");
	_cleanup_closedir_ DIR *d = opendir(path);
	struct dirent *de;
	int64_t total = 0;

	while (d != NULL && (de = readdir(d)) != NULL) {
		struct stat st;

		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) ==
			    0 &&
		    S_ISREG(st.st_mode))
			total += st.st_size;
	}
	return total;
}

static bool in_use(struct engine *engine, const char *image_id)
{
	_cleanup_strv_ char **users = NULL;
	struct berth_error *err = NULL;

	/* When the containers cannot be read, keep the image. */
	if (engine_image_users(engine->root, image_id, &users, &err) < 0) {
		log_warning("keeping image '%s': %s", image_id, err->msg);
		berth_error_free(&err);
		return true;
	}
	return users != NULL && users[0] != NULL;
}

static void prune_one(struct image_store *store, const char *image_id,
		      struct engine_prune_result *ret)
{
	struct image_removal removal = {0};
	struct berth_error *err = NULL;
	_cleanup_free_ char *ref = NULL;

	xasprintf(&ref, "sha256:%s", image_id);
	if (image_store_remove_image(store, ref, true, &removal, &err) < 0) {
		log_warning("cannot remove image '%s': %s", image_id, err->msg);
		berth_error_free(&err);
		return;
	}

	for (size_t i = 0; removal.untagged != NULL && removal.untagged[i]; i++)
		strv_push(&ret->untagged, removal.untagged[i]);
	if (removal.deleted_id != NULL)
		strv_push_take(&ret->deleted, TAKE_PTR(ref));
	image_removal_clear(&removal);
}

int engine_image_prune(struct engine *engine, struct image_store *store,
		       bool all, struct engine_prune_result *ret,
		       struct berth_error **err)
{
	struct image_info **images = NULL;
	int64_t before = blobs_size(engine->root);
	size_t n = 0;

	memset(ret, 0, sizeof(*ret));
	if (image_store_list(store, &images, &n, err) < 0)
		return -1;

	for (size_t i = 0; i < n; i++) {
		const struct image_info *image = images[i];

		if (!all && image->names[0] != NULL)
			continue;
		if (in_use(engine, image->id))
			continue;
		prune_one(store, image->id, ret);
	}
	image_info_list_free(images, n);

	ret->reclaimed = before - blobs_size(engine->root);
	if (ret->reclaimed < 0)
		ret->reclaimed = 0;
	return 0;
}

void engine_prune_result_clear(struct engine_prune_result *result)
{
	strv_free(result->untagged);
	strv_free(result->deleted);
	memset(result, 0, sizeof(*result));
}
