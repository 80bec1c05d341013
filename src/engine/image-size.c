/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "engine/image-size.h"

#include <errno.h>
#include <fts.h>
#include <search.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/digest.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/xalloc.h"

static int compare_inode(const void *a, const void *b)
{
	ino_t x = *(const ino_t *)a, y = *(const ino_t *)b;

	return x < y ? -1 : x > y;
}

static void free_inode(void *node)
{
	free(node);
}

/* Record ino in *seen; returns false when it was there already. */
static bool first_link(void **seen, ino_t ino)
{
	ino_t *key = xmalloc(sizeof(*key));
	ino_t **found;

	*key = ino;
	found = tsearch(key, seen, compare_inode);
	if (found == NULL)
		abort();

	if (*found != key) {
		free(key);
		return false;
	}
	return true;
}

static int64_t entry_size(const FTSENT *e, void **seen)
{
	const struct stat *st = e->fts_statp;

	if (e->fts_info == FTS_D || e->fts_info == FTS_DP || st->st_size <= 0)
		return 0;

	/* A layer lives on one file system, so the inode alone is unique. */
	if (st->st_nlink > 1 && !first_link(seen, st->st_ino))
		return 0;
	return st->st_size;
}

int image_tree_size(const char *dir, int64_t *ret, struct berth_error **err)
{
	char *paths[] = {(char *)dir, NULL};
	FTS *fts = fts_open(paths, FTS_PHYSICAL | FTS_NOCHDIR | FTS_XDEV, NULL);
	void *seen = NULL;
	int64_t total = 0;
	FTSENT *e;
	int r = 0;

	if (fts == NULL)
		return berth_error_set(err, errno, "open '%s'", dir);

	while ((e = fts_read(fts)) != NULL) {
		if (e->fts_info == FTS_DNR || e->fts_info == FTS_ERR ||
		    e->fts_info == FTS_NS) {
			r = berth_error_set(err, e->fts_errno, "read '%s'",
					    e->fts_path);
			break;
		}
		total += entry_size(e, &seen);
	}
	if (r == 0 && errno != 0 && e == NULL)
		r = berth_error_set(err, errno, "read '%s'", dir);

	tdestroy(seen, free_inode);
	fts_close(fts);
	if (r == 0)
		*ret = total;
	return r;
}

int image_unpacked_size(const char *root, const struct image_info *image,
			int64_t *ret, struct berth_error **err)
{
	int64_t total = 0;

	for (size_t i = 0; image->chain_ids[i] != NULL; i++) {
		const char *hex = image->chain_ids[i] + strlen(DIGEST_PREFIX);
		_cleanup_free_ char *dir = NULL;
		int64_t size;

		xasprintf(&dir, "%s/layers/%s", root, hex);
		if (access(dir, F_OK) < 0 && errno == ENOENT) {
			*ret = image->size;
			return 0;
		}

		if (image_tree_size(dir, &size, err) < 0)
			return -1;
		total += size;
	}

	*ret = total;
	return 0;
}
