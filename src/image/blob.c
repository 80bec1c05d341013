/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "image/blob.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/xalloc.h"

struct blob_writer {
	char *root;
	char *tmp_path;
	int fd;
	uint64_t size;
	struct digest_ctx *digest;
};

char *blob_path(const char *root, const char *digest)
{
	const char *hex = NULL;
	char *path = NULL;

	if (digest_parse(digest, &hex, NULL) < 0)
		return NULL;

	xasprintf(&path, "%s/blobs/sha256/%s", root, hex);
	return path;
}

int blob_writer_open(const char *root, struct blob_writer **ret,
		     struct berth_error **err)
{
	_cleanup_free_ char *tmp_path = NULL;
	struct blob_writer *w;
	int fd;

	xasprintf(&tmp_path, "%s/tmp/blob-XXXXXX", root);
	fd = mkostemp(tmp_path, O_CLOEXEC);
	if (fd < 0)
		return berth_error_set(err, errno, "create temp file '%s'",
				       tmp_path);

	w = xzalloc(sizeof(*w));
	w->root = xstrdup(root);
	w->tmp_path = TAKE_PTR(tmp_path);
	w->fd = fd;
	w->digest = digest_new();
	*ret = w;
	return 0;
}

int blob_writer_write(struct blob_writer *w, const void *buf, size_t len,
		      struct berth_error **err)
{
	if (fs_write_all(w->fd, buf, len, err) < 0)
		return berth_error_wrap(err, "write '%s'", w->tmp_path);

	digest_update(w->digest, buf, len);
	w->size += len;
	return 0;
}

uint64_t blob_writer_size(const struct blob_writer *w)
{
	return w->size;
}

static int blob_writer_verify(struct blob_writer *w, const char *digest,
			      const char *expected_digest,
			      int64_t expected_size, struct berth_error **err)
{
	if (expected_size >= 0 && w->size != (uint64_t)expected_size)
		return berth_error_set(
			err, 0, "blob '%s' has %llu bytes, expected %lld",
			digest, (unsigned long long)w->size,
			(long long)expected_size);

	if (expected_digest != NULL && strcmp(digest, expected_digest) != 0)
		return berth_error_set(err, 0,
				       "blob content has digest '%s', expected "
				       "'%s'",
				       digest, expected_digest);
	return 0;
}

static void fsync_dir(const char *path)
{
	_cleanup_close_ int fd = -1;

	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0)
		(void)fsync(fd);
}

int blob_writer_commit(struct blob_writer *w, const char *expected_digest,
		       int64_t expected_size,
		       char ret_digest[DIGEST_STRING_SIZE],
		       struct berth_error **err)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *dir = NULL;
	char digest[DIGEST_STRING_SIZE];

	digest_final(w->digest, digest);
	if (blob_writer_verify(w, digest, expected_digest, expected_size, err) <
	    0)
		return -1;

	if (fchmod(w->fd, 0644) < 0 || fsync(w->fd) < 0)
		return berth_error_set(err, errno, "fsync '%s'", w->tmp_path);

	path = blob_path(w->root, digest);
	if (rename(w->tmp_path, path) < 0)
		return berth_error_set(err, errno, "rename '%s' to '%s'",
				       w->tmp_path, path);

	free(w->tmp_path);
	w->tmp_path = NULL;

	xasprintf(&dir, "%s/blobs/sha256", w->root);
	fsync_dir(dir);

	memcpy(ret_digest, digest, DIGEST_STRING_SIZE);
	return 0;
}

void blob_writer_free(struct blob_writer *w)
{
	if (w == NULL)
		return;

	if (w->fd >= 0)
		close(w->fd);
	if (w->tmp_path != NULL)
		(void)unlink(w->tmp_path);
	digest_free(w->digest);
	free(w->tmp_path);
	free(w->root);
	free(w);
}

int blob_write_buffer(const char *root, const void *buf, size_t len,
		      char ret_digest[DIGEST_STRING_SIZE],
		      struct berth_error **err)
{
	_cleanup_blob_writer_ struct blob_writer *w = NULL;

	if (blob_writer_open(root, &w, err) < 0)
		return -1;

	if (blob_writer_write(w, buf, len, err) < 0)
		return -1;

	return blob_writer_commit(w, NULL, -1, ret_digest, err);
}

bool blob_exists(const char *root, const char *digest)
{
	_cleanup_free_ char *path = blob_path(root, digest);

	return path != NULL && fs_exists(path);
}

int blob_open(const char *root, const char *digest, int *ret_fd,
	      struct berth_error **err)
{
	_cleanup_free_ char *path = NULL;
	int fd;

	if (digest_parse(digest, NULL, err) < 0)
		return -1;

	path = blob_path(root, digest);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return berth_error_set(err, errno, "open blob '%s'", digest);

	*ret_fd = fd;
	return 0;
}

int blob_read(const char *root, const char *digest, size_t max_size,
	      char **ret_data, size_t *ret_len, struct berth_error **err)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *data = NULL;
	char actual[DIGEST_STRING_SIZE];
	struct stat st;
	size_t len;

	if (blob_open(root, digest, &fd, err) < 0)
		return -1;

	if (fstat(fd, &st) < 0)
		return berth_error_set(err, errno, "stat blob '%s'", digest);

	if ((uint64_t)st.st_size > max_size)
		return berth_error_set(
			err, EFBIG,
			"blob '%s' has %lld bytes, more than the "
			"limit of %zu",
			digest, (long long)st.st_size, max_size);

	if (fs_read_all(fd, &data, &len, err) < 0)
		return berth_error_wrap(err, "read blob '%s'", digest);

	digest_buffer(data, len, actual);
	if (strcmp(actual, digest) != 0)
		return berth_error_set(err, 0,
				       "blob '%s' is corrupt: its content has "
				       "digest '%s'; remove the image and "
				       "import it again",
				       digest, actual);

	*ret_data = TAKE_PTR(data);
	if (ret_len != NULL)
		*ret_len = len;
	return 0;
}

int blob_remove(const char *root, const char *digest, struct berth_error **err)
{
	_cleanup_free_ char *path = blob_path(root, digest);

	if (path == NULL)
		return digest_parse(digest, NULL, err);

	if (unlink(path) < 0 && errno != ENOENT)
		return berth_error_set(err, errno, "remove blob '%s'", path);
	return 0;
}
