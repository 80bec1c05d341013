/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/archive-internal.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"
#include "util/xalloc.h"

struct archive_sink {
	struct archive *ar; /* tar output, or NULL */
	int dir_fd;	    /* directory output, or -1 */
	int file_fd;	    /* the file being written to dir_fd */
	char **written;
};

int archive_sink_open_tar(int fd, struct archive_sink **ret,
			  struct berth_error **err)
{
	struct archive_sink *sink = xzalloc(sizeof(*sink));

	sink->dir_fd = -1;
	sink->file_fd = -1;
	sink->ar = archive_write_new();
	if (sink->ar == NULL)
		abort();
	archive_write_set_format_pax_restricted(sink->ar);
	if (archive_write_open_fd(sink->ar, fd) != ARCHIVE_OK) {
		berth_error_set(err, archive_errno(sink->ar),
				"write archive: %s",
				archive_error_string(sink->ar));
		archive_sink_free(sink);
		return -1;
	}

	*ret = sink;
	return 0;
}

void archive_sink_open_dir(int dir_fd, struct archive_sink **ret)
{
	struct archive_sink *sink = xzalloc(sizeof(*sink));

	sink->dir_fd = dir_fd;
	sink->file_fd = -1;
	*ret = sink;
}

bool archive_sink_has(const struct archive_sink *sink, const char *path)
{
	return strv_contains(sink->written, path);
}

static int tar_fail(struct archive_sink *sink, const char *path,
		    struct berth_error **err)
{
	return berth_error_set(err, archive_errno(sink->ar), "write '%s': %s",
			       path, archive_error_string(sink->ar));
}

static int tar_header(struct archive_sink *sink, const char *path, mode_t type,
		      int64_t size, struct berth_error **err)
{
	struct archive_entry *entry = archive_entry_new();
	int r;

	archive_entry_set_pathname(entry, path);
	archive_entry_set_filetype(entry, type);
	archive_entry_set_perm(entry, type == AE_IFDIR ? 0755 : 0644);
	archive_entry_set_size(entry, size);
	archive_entry_set_mtime(entry, 0, 0);
	r = archive_write_header(sink->ar, entry);
	archive_entry_free(entry);
	if (r != ARCHIVE_OK)
		return tar_fail(sink, path, err);
	return 0;
}

/* Finish the file being written to the directory. */
static int dir_close_file(struct archive_sink *sink, struct berth_error **err)
{
	int fd = sink->file_fd;

	if (fd < 0)
		return 0;
	sink->file_fd = -1;
	if (fsync(fd) < 0) {
		berth_error_set(err, errno, "fsync");
		close(fd);
		return -1;
	}
	return close(fd) < 0 ? berth_error_set(err, errno, "close") : 0;
}

int archive_sink_add_dir(struct archive_sink *sink, const char *path,
			 struct berth_error **err)
{
	if (archive_sink_has(sink, path))
		return 0;

	if (sink->ar != NULL) {
		if (tar_header(sink, path, AE_IFDIR, 0, err) < 0)
			return -1;
	} else if (mkdirat(sink->dir_fd, path, 0755) < 0) {
		return berth_error_set(err, errno, "create directory '%s'",
				       path);
	}

	strv_push(&sink->written, path);
	return 0;
}

int archive_sink_add_file(struct archive_sink *sink, const char *path,
			  int64_t size, struct berth_error **err)
{
	if (sink->ar != NULL) {
		if (tar_header(sink, path, AE_IFREG, size, err) < 0)
			return -1;
	} else {
		if (dir_close_file(sink, err) < 0)
			return berth_error_wrap(err, "write file before '%s'",
						path);
		sink->file_fd = openat(sink->dir_fd, path,
				       O_WRONLY | O_CREAT | O_EXCL |
					       O_NOFOLLOW | O_CLOEXEC,
				       0644);
		if (sink->file_fd < 0)
			return berth_error_set(err, errno, "create '%s'", path);
	}

	strv_push(&sink->written, path);
	return 0;
}

int archive_sink_write(struct archive_sink *sink, const char *path,
		       const void *buf, size_t len, struct berth_error **err)
{
	if (len == 0)
		return 0;
	if (sink->ar == NULL)
		return fs_write_all(sink->file_fd, buf, len, err) < 0 ?
			       berth_error_wrap(err, "write '%s'", path) :
			       0;
	if (archive_write_data(sink->ar, buf, len) != (la_ssize_t)len)
		return tar_fail(sink, path, err);
	return 0;
}

int archive_sink_close(struct archive_sink *sink, struct berth_error **err)
{
	if (sink->ar == NULL)
		return dir_close_file(sink, err);
	if (archive_write_close(sink->ar) != ARCHIVE_OK)
		return tar_fail(sink, "archive", err);
	return 0;
}

void archive_sink_free(struct archive_sink *sink)
{
	if (sink == NULL)
		return;
	if (sink->ar != NULL)
		archive_write_free(sink->ar);
	if (sink->file_fd >= 0)
		close(sink->file_fd);
	strv_free(sink->written);
	free(sink);
}
