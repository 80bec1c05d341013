/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "image/layer-tar.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "image/layer-writer.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

#define READ_CHUNK (256 * 1024)

struct tar_out {
	struct archive *ar;
	int root_fd;
	int64_t timestamp;
	layer_tar_sink_fn sink;
	void *opaque;
	/* The sink's error, kept until libarchive's call returns. */
	struct berth_error *sink_error;
	char *buf;
};

static la_ssize_t tar_out_write(struct archive *ar, void *opaque,
				const void *buf, size_t len)
{
	struct tar_out *out = opaque;

	if (out->sink(out->opaque, buf, len, &out->sink_error) < 0) {
		archive_set_error(ar, EIO, "write layer");
		return -1;
	}
	return (la_ssize_t)len;
}

/* Report a libarchive failure, preferring the sink's own error. */
static int tar_error(struct tar_out *out, const char *what,
		     struct berth_error **err)
{
	if (out->sink_error != NULL) {
		berth_error_move(err, &out->sink_error);
		return -1;
	}
	return berth_error_set(err, 0, "%s: %s", what,
			       archive_error_string(out->ar));
}

/* A later mtime becomes the timestamp, for reproducible layers. */
static void entry_set_mtime(struct archive_entry *entry, const struct stat *st,
			    int64_t timestamp)
{
	int64_t sec = st->st_mtim.tv_sec;
	long nsec = st->st_mtim.tv_nsec;

	if (timestamp != LAYER_NO_TIMESTAMP &&
	    (sec > timestamp || (sec == timestamp && nsec > 0))) {
		sec = timestamp;
		nsec = 0;
	}
	archive_entry_set_mtime(entry, (time_t)sec, nsec);
}

static void entry_fill(struct archive_entry *entry,
		       const struct layer_node *node, int64_t timestamp)
{
	const struct stat *st = &node->st;

	archive_entry_set_pathname(entry, node->path);
	archive_entry_set_uid(entry, st->st_uid);
	archive_entry_set_gid(entry, st->st_gid);
	entry_set_mtime(entry, st, timestamp);

	if (node->kind == LAYER_NODE_WHITEOUT) {
		archive_entry_set_filetype(entry, AE_IFREG);
		archive_entry_set_perm(entry, 0600);
		archive_entry_set_size(entry, 0);
		return;
	}
	if (node->kind == LAYER_NODE_OPAQUE) {
		archive_entry_set_filetype(entry, AE_IFREG);
		archive_entry_set_perm(entry, st->st_mode & 0777);
		archive_entry_set_size(entry, 0);
		return;
	}

	archive_entry_set_filetype(entry, st->st_mode & S_IFMT);
	archive_entry_set_perm(entry, st->st_mode & 07777);
	for (size_t i = 0; i < node->n_xattrs; i++)
		archive_entry_xattr_add_entry(entry, node->xattrs[i].name,
					      node->xattrs[i].value,
					      node->xattrs[i].size);

	if (node->hardlink != NULL) {
		archive_entry_set_hardlink(entry, node->hardlink);
		archive_entry_set_size(entry, 0);
	} else if (S_ISREG(st->st_mode)) {
		archive_entry_set_size(entry, st->st_size);
	} else if (S_ISLNK(st->st_mode)) {
		archive_entry_set_symlink(entry, node->symlink);
	} else if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode)) {
		archive_entry_set_rdevmajor(entry, major(st->st_rdev));
		archive_entry_set_rdevminor(entry, minor(st->st_rdev));
	}
}

static int open_beneath(int root_fd, const char *path)
{
	struct open_how how = {
		.flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
			   RESOLVE_NO_MAGICLINKS,
	};
	long fd;

	do
		fd = syscall(SYS_openat2, root_fd, path, &how, sizeof(how));
	while (fd < 0 && errno == EAGAIN);
	return (int)fd;
}

/*
 * Copy the file's data. A file that shrank meanwhile is padded with
 * zeros by libarchive, one that grew is cut at its size from the walk.
 */
static int write_data(struct tar_out *out, const struct layer_node *node,
		      struct berth_error **err)
{
	_cleanup_close_ int fd = open_beneath(out->root_fd, node->path);
	int64_t left = node->st.st_size;

	if (fd < 0)
		return berth_error_set(err, errno, "open");

	while (left > 0) {
		size_t want = left < READ_CHUNK ? (size_t)left : READ_CHUNK;
		ssize_t n = read(fd, out->buf, want);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return berth_error_set(err, errno, "read");
		if (n == 0)
			break;
		if (archive_write_data(out->ar, out->buf, n) < 0)
			return tar_error(out, "write layer data", err);
		left -= n;
	}
	return 0;
}

static int write_node(struct tar_out *out, const struct layer_node *node,
		      struct berth_error **err)
{
	struct archive_entry *entry = archive_entry_new();
	bool data;
	int r;

	if (entry == NULL)
		abort();
	entry_fill(entry, node, out->timestamp);
	data = node->kind == LAYER_NODE_PLAIN && node->hardlink == NULL &&
	       S_ISREG(node->st.st_mode) && node->st.st_size > 0;

	/* Names that are not UTF-8 are a warning: they go out as bytes. */
	r = archive_write_header(out->ar, entry);
	archive_entry_free(entry);
	if (r < ARCHIVE_WARN)
		return tar_error(out, "write layer entry", err);

	if (data && write_data(out, node, err) < 0)
		return -1;

	if (archive_write_finish_entry(out->ar) < ARCHIVE_WARN)
		return tar_error(out, "write layer entry", err);
	return 0;
}

static int write_tree(struct tar_out *out, const struct layer_tree *tree,
		      struct berth_error **err)
{
	for (size_t i = 0; i < tree->n_nodes; i++)
		if (write_node(out, &tree->nodes[i], err) < 0)
			return berth_error_wrap(err, "'%s'",
						tree->nodes[i].path);
	return 0;
}

static struct archive *tar_writer_new(struct tar_out *out)
{
	struct archive *ar = archive_write_new();

	if (ar == NULL)
		abort();
	/* ustar headers, with a PAX header only where ustar falls short. */
	archive_write_set_format_pax_restricted(ar);
	/*
	 * SCHILY.xattr alone, the form GNU tar and Go's archive/tar read;
	 * the LIBARCHIVE.xattr copy would only make GNU tar warn.
	 */
	if (archive_write_set_format_option(ar, "pax", "xattrheader",
					    "SCHILY") != ARCHIVE_OK) {
		archive_write_free(ar);
		return NULL;
	}
	archive_write_add_filter_none(ar);
	if (archive_write_open2(ar, out, NULL, tar_out_write, NULL, NULL) !=
	    ARCHIVE_OK) {
		archive_write_free(ar);
		return NULL;
	}
	return ar;
}

int layer_tar_write(int dir_fd, unsigned int flags, int64_t timestamp,
		    char *const *exclude, layer_tar_sink_fn sink, void *opaque,
		    uint64_t *ret_entries, struct berth_error **err)
{
	struct layer_tree tree;
	struct tar_out out = {
		.root_fd = dir_fd,
		.timestamp = timestamp,
		.sink = sink,
		.opaque = opaque,
	};
	int r = -1;

	if (layer_tree_walk(dir_fd, flags & LAYER_WRITE_OVERLAY, exclude, &tree,
			    err) < 0)
		return -1;

	out.buf = xmalloc(READ_CHUNK);
	out.ar = tar_writer_new(&out);
	if (out.ar == NULL) {
		berth_error_set(err, 0, "set up the tar writer");
		goto out;
	}

	if (write_tree(&out, &tree, err) < 0)
		goto out;
	if (archive_write_close(out.ar) != ARCHIVE_OK) {
		tar_error(&out, "finish layer", err);
		goto out;
	}

	if (ret_entries != NULL)
		*ret_entries = tree.n_nodes;
	r = 0;
out:
	if (out.ar != NULL)
		archive_write_free(out.ar);
	berth_error_free(&out.sink_error);
	free(out.buf);
	layer_tree_clear(&tree);
	return r;
}
