/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writing layers and images: a tree written as a layer and extracted
 * again must come back the same, overlay whiteouts must become OCI
 * ones, and the same tree must always give the same digest.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cmocka.h>

#include "image/layer-writer.h"
#include "image/store.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/strv.h"
#include "util/xalloc.h"

/* 2023-11-14T22:13:20Z */
#define TIMESTAMP INT64_C(1700000000)

struct fixture {
	char dir[64];
	char *root; /* the store */
	char *src;  /* trees to write */
	struct image_store *store;
};

static int fixture_setup(void **state)
{
	struct fixture *f = xzalloc(sizeof(*f));
	struct berth_error *err = NULL;

	snprintf(f->dir, sizeof(f->dir), "/tmp/berth-lw-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->root = fs_path_join(f->dir, "root");
	f->src = fs_path_join(f->dir, "src");
	assert_int_equal(mkdir(f->root, 0700), 0);
	assert_int_equal(mkdir(f->src, 0755), 0);
	assert_int_equal(image_store_open(f->root, &f->store, &err), 0);
	*state = f;
	return 0;
}

static int fixture_teardown(void **state)
{
	struct fixture *f = *state;

	image_store_close(f->store);
	assert_int_equal(fs_rm_rf(f->dir, NULL), 0);
	free(f->root);
	free(f->src);
	free(f);
	return 0;
}

static char *src_path(struct fixture *f, const char *tree, const char *path)
{
	char *p;

	xasprintf(&p, "%s/%s/%s", f->src, tree, path);
	return p;
}

static void put_file(struct fixture *f, const char *tree, const char *path,
		     const char *data, mode_t mode)
{
	_cleanup_free_ char *p = src_path(f, tree, path);

	assert_int_equal(fs_write_atomic(p, data, strlen(data), 0644, NULL), 0);
	assert_int_equal(chmod(p, mode), 0);
}

static void put_dir(struct fixture *f, const char *tree, const char *path)
{
	_cleanup_free_ char *p = src_path(f, tree, path);

	assert_int_equal(fs_mkdir_p(p, 0755, NULL), 0);
}

static void put_xattr(struct fixture *f, const char *tree, const char *path,
		      const char *name, const char *value)
{
	_cleanup_free_ char *p = src_path(f, tree, path);

	assert_int_equal(lsetxattr(p, name, value, strlen(value), 0), 0);
}

/* security.capability "cap_net_bind_service=ep", format v2. */
static const unsigned char net_bind_cap[20] = {
	0x01, 0x00, 0x00, 0x02, /* revision 2, effective */
	0x00, 0x04, 0x00, 0x00, /* permitted: bit 10 */
};

static void put_capability(struct fixture *f, const char *tree,
			   const char *path)
{
	_cleanup_free_ char *p = src_path(f, tree, path);

	assert_int_equal(setxattr(p, "security.capability", net_bind_cap,
				  sizeof(net_bind_cap), 0),
			 0);
}

/*
 * An overlay upper dir with one of everything: a setuid file, a hard
 * link, a symlink, devices, a fifo, xattrs, a whiteout and an opaque
 * directory, plus overlayfs bookkeeping that must not reach the layer.
 */
static void make_upper(struct fixture *f, const char *tree)
{
	_cleanup_free_ char *link_src = src_path(f, tree, "bin/su");
	_cleanup_free_ char *link_dst = src_path(f, tree, "bin/su-link");
	_cleanup_free_ char *sym = src_path(f, tree, "bin/sh");
	_cleanup_free_ char *null = src_path(f, tree, "dev/null");
	_cleanup_free_ char *loop = src_path(f, tree, "dev/loop0");
	_cleanup_free_ char *fifo = src_path(f, tree, "run/fifo");
	_cleanup_free_ char *gone = src_path(f, tree, "etc/gone");

	put_dir(f, tree, "bin");
	put_dir(f, tree, "dev");
	put_dir(f, tree, "run");
	put_dir(f, tree, "etc/opaque");
	put_file(f, tree, "bin/su", "#!/bin/su\n", 04755);
	put_file(f, tree, "etc/opaque/kept", "kept\n", 0640);
	put_file(f, tree, "etc/hostname", "box\n", 0644);
	assert_int_equal(link(link_src, link_dst), 0);
	assert_int_equal(symlink("/bin/su", sym), 0);
	assert_int_equal(mknod(null, S_IFCHR | 0666, makedev(1, 3)), 0);
	assert_int_equal(mknod(loop, S_IFBLK | 0660, makedev(7, 0)), 0);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(mknod(gone, S_IFCHR, makedev(0, 0)), 0);

	put_xattr(f, tree, "etc/hostname", "user.note", "hello");
	put_xattr(f, tree, "etc/hostname", "trusted.overlay.origin", "x");
	put_xattr(f, tree, "etc/opaque", "trusted.overlay.opaque", "y");
	put_file(f, tree, "bin/ping", "ping\n", 0755);
	put_capability(f, tree, "bin/ping");
}

static void write_layer(struct fixture *f, const char *tree, unsigned int flags,
			int64_t timestamp, struct layer_blob *ret)
{
	_cleanup_free_ char *dir = src_path(f, tree, "");
	struct layer_write_options opts;
	struct berth_error *err = NULL;

	layer_write_options_init(&opts);
	opts.flags = flags;
	opts.timestamp = timestamp;
	if (layer_write_dir(f->store, dir, &opts, ret, &err) < 0)
		fail_msg("write layer: %s", err->msg);
}

static char *layer_path(struct fixture *f, const struct layer_blob *layer,
			const char *path)
{
	char *p;

	xasprintf(&p, "%s/layers/%s/%s", f->root, layer->chain_id + 7, path);
	return p;
}

static struct stat lstat_layer(struct fixture *f,
			       const struct layer_blob *layer, const char *path)
{
	_cleanup_free_ char *p = layer_path(f, layer, path);
	struct stat st;

	if (lstat(p, &st) < 0)
		fail_msg("'%s' is missing: %s", p, strerror(errno));
	return st;
}

static ssize_t get_xattr(struct fixture *f, const struct layer_blob *layer,
			 const char *path, const char *name, char *buf,
			 size_t size)
{
	_cleanup_free_ char *p = layer_path(f, layer, path);

	return lgetxattr(p, name, buf, size);
}

static void round_trip(void **state)
{
	struct fixture *f = *state;
	struct layer_blob layer;
	char buf[64] = {0};
	struct stat st, st2;
	_cleanup_free_ char *sym = NULL;

	make_upper(f, "upper");
	write_layer(f, "upper", LAYER_WRITE_OVERLAY | LAYER_WRITE_EXTRACT,
		    LAYER_NO_TIMESTAMP, &layer);
	assert_int_equal(layer.entries, 16);
	assert_true(layer.size > 0);
	assert_string_equal(layer.chain_id, layer.diff_id);

	st = lstat_layer(f, &layer, "bin/su");
	assert_int_equal(st.st_mode, S_IFREG | 04755);
	st2 = lstat_layer(f, &layer, "bin/su-link");
	assert_int_equal(st.st_ino, st2.st_ino);

	sym = layer_path(f, &layer, "bin/sh");
	assert_int_equal(readlink(sym, buf, sizeof(buf) - 1), 7);
	assert_string_equal(buf, "/bin/su");

	st = lstat_layer(f, &layer, "dev/null");
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(st.st_rdev, makedev(1, 3));
	st = lstat_layer(f, &layer, "dev/loop0");
	assert_true(S_ISBLK(st.st_mode));
	assert_int_equal(st.st_rdev, makedev(7, 0));
	assert_true(S_ISFIFO(lstat_layer(f, &layer, "run/fifo").st_mode));

	/* The whiteout and the opaque dir are back in overlayfs form. */
	st = lstat_layer(f, &layer, "etc/gone");
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(st.st_rdev, makedev(0, 0));
	assert_int_equal(get_xattr(f, &layer, "etc/opaque",
				   "trusted.overlay.opaque", buf, sizeof(buf)),
			 1);
	assert_int_equal(buf[0], 'y');
	assert_int_equal(lstat_layer(f, &layer, "etc/opaque/kept").st_mode,
			 S_IFREG | 0640);

	assert_int_equal(get_xattr(f, &layer, "etc/hostname", "user.note", buf,
				   sizeof(buf)),
			 5);
	assert_memory_equal(buf, "hello", 5);

	/* A file capability survives the owner change of the extraction. */
	assert_int_equal(get_xattr(f, &layer, "bin/ping", "security.capability",
				   buf, sizeof(buf)),
			 sizeof(net_bind_cap));
	assert_memory_equal(buf, net_bind_cap, sizeof(net_bind_cap));
	assert_int_equal(get_xattr(f, &layer, "etc/hostname",
				   "trusted.overlay.origin", buf, sizeof(buf)),
			 -1);
}

/* Collect the entry names of the tar that layer_write_tar() writes. */
static char **tar_names(struct fixture *f, const char *tree, unsigned int flags)
{
	_cleanup_free_ char *dir = src_path(f, tree, "");
	_cleanup_close_ int dir_fd = open(dir, O_RDONLY | O_DIRECTORY);
	int fd = memfd_create("layer.tar", MFD_CLOEXEC);
	struct archive *ar = archive_read_new();
	struct archive_entry *entry;
	struct berth_error *err = NULL;
	char **names = xzalloc(sizeof(char *));

	assert_true(dir_fd >= 0 && fd >= 0);
	if (layer_write_tar(dir_fd, fd, flags, LAYER_NO_TIMESTAMP, NULL, &err) <
	    0)
		fail_msg("write tar: %s", err->msg);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);

	archive_read_support_format_tar(ar);
	assert_int_equal(archive_read_open_fd(ar, fd, 10240), ARCHIVE_OK);
	while (archive_read_next_header(ar, &entry) == ARCHIVE_OK) {
		const char *uname = archive_entry_uname(entry);
		const char *gname = archive_entry_gname(entry);

		assert_true(uname == NULL || uname[0] == '\0');
		assert_true(gname == NULL || gname[0] == '\0');
		strv_push(&names, archive_entry_pathname(entry));
	}
	archive_read_free(ar);
	close(fd);
	return names;
}

static void whiteouts(void **state)
{
	struct fixture *f = *state;
	_cleanup_strv_ char **names = NULL;
	_cleanup_strv_ char **plain = NULL;

	make_upper(f, "upper");
	names = tar_names(f, "upper", LAYER_WRITE_OVERLAY);
	assert_true(strv_contains(names, "etc/.wh.gone"));
	assert_true(strv_contains(names, "etc/opaque/.wh..wh..opq"));
	assert_false(strv_contains(names, "etc/gone"));

	/* Sorted bytewise, parents first. */
	for (size_t i = 1; names[i] != NULL; i++)
		if (strcmp(names[i - 1], names[i]) >= 0)
			fail_msg("'%s' before '%s'", names[i - 1], names[i]);

	/* A plain tree keeps its device 0:0 as a device. */
	plain = tar_names(f, "upper", 0);
	assert_true(strv_contains(plain, "etc/gone"));
	assert_false(strv_contains(plain, "etc/opaque/.wh..wh..opq"));
}

static void determinism(void **state)
{
	struct fixture *f = *state;
	struct layer_blob a, b, c, d;
	_cleanup_free_ char *file = NULL;
	struct timespec later[2] = {{.tv_sec = TIMESTAMP + 1000},
				    {.tv_sec = TIMESTAMP + 5000, .tv_nsec = 7}};

	make_upper(f, "one");
	make_upper(f, "two");

	write_layer(f, "one", LAYER_WRITE_OVERLAY, LAYER_NO_TIMESTAMP, &a);
	write_layer(f, "one", LAYER_WRITE_OVERLAY, LAYER_NO_TIMESTAMP, &b);
	assert_string_equal(a.digest, b.digest);
	assert_string_equal(a.diff_id, b.diff_id);

	/* Different mtimes, both after the timestamp: the same layer. */
	file = src_path(f, "two", "etc/hostname");
	assert_int_equal(utimensat(AT_FDCWD, file, later, 0), 0);
	write_layer(f, "one", LAYER_WRITE_OVERLAY, TIMESTAMP, &c);
	write_layer(f, "two", LAYER_WRITE_OVERLAY, TIMESTAMP, &d);
	assert_string_equal(c.digest, d.digest);
	assert_string_equal(c.diff_id, d.diff_id);

	/* Without the timestamp, the mtime shows. */
	write_layer(f, "two", LAYER_WRITE_OVERLAY, LAYER_NO_TIMESTAMP, &d);
	assert_string_not_equal(a.diff_id, d.diff_id);
}

/* Names that ustar cannot hold, or that are not UTF-8, come back. */
static void unusual_names(void **state)
{
	struct fixture *f = *state;
	char long_name[241];
	const char *deep = "d1/d2/d3/d4/d5/d6/d7/d8/d9/d10/d11/d12/d13";
	_cleanup_free_ char *long_path = NULL;
	_cleanup_free_ char *deep_path = NULL;
	_cleanup_free_ char *link_src = NULL, *link_dst = NULL;
	struct layer_blob layer;

	memset(long_name, 'n', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	xasprintf(&long_path, "%s/%s", deep, long_name);
	xasprintf(&deep_path, "%s/%s", deep, "\xff\xfe latin1");

	put_dir(f, "names", deep);
	put_file(f, "names", long_path, "long\n", 0644);
	put_file(f, "names", deep_path, "bytes\n", 0644);
	put_file(f, "names", "new\nline", "nl\n", 0644);
	link_src = src_path(f, "names", long_path);
	link_dst = src_path(f, "names", "a-link");
	assert_int_equal(link(link_src, link_dst), 0);

	write_layer(f, "names", LAYER_WRITE_OVERLAY | LAYER_WRITE_EXTRACT,
		    TIMESTAMP, &layer);

	assert_int_equal(lstat_layer(f, &layer, long_path).st_size, 5);
	assert_int_equal(lstat_layer(f, &layer, deep_path).st_size, 6);
	assert_int_equal(lstat_layer(f, &layer, "new\nline").st_size, 3);
	/* "a-link" sorts first, so it carries the data and the other links. */
	assert_int_equal(lstat_layer(f, &layer, "a-link").st_ino,
			 lstat_layer(f, &layer, long_path).st_ino);
	assert_int_equal(lstat_layer(f, &layer, "a-link").st_nlink, 2);
}

static void excluded_paths(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *dir = src_path(f, "upper", "");
	char *const exclude[] = {"etc/hostname", "etc/opaque", "no/such", NULL};
	_cleanup_free_ char *hostname = NULL, *opaque = NULL;
	struct layer_write_options opts;
	struct berth_error *err = NULL;
	struct layer_blob layer;

	make_upper(f, "upper");
	layer_write_options_init(&opts);
	opts.flags = LAYER_WRITE_OVERLAY | LAYER_WRITE_EXTRACT;
	opts.exclude = exclude;
	if (layer_write_dir(f->store, dir, &opts, &layer, &err) < 0)
		fail_msg("write layer: %s", err->msg);

	/* etc/hostname, and etc/opaque with its marker and its file. */
	assert_int_equal(layer.entries, 16 - 4);
	hostname = layer_path(f, &layer, "etc/hostname");
	opaque = layer_path(f, &layer, "etc/opaque");
	assert_false(fs_exists(hostname));
	assert_false(fs_exists(opaque));
	assert_true(S_ISCHR(lstat_layer(f, &layer, "etc/gone").st_mode));
}

static void overlay_redirect_rejected(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *dir = src_path(f, "upper", "");
	struct layer_write_options opts;
	struct berth_error *err = NULL;
	struct layer_blob layer;

	put_dir(f, "upper", "moved");
	put_xattr(f, "upper", "moved", "trusted.overlay.redirect", "/old");
	layer_write_options_init(&opts);
	opts.flags = LAYER_WRITE_OVERLAY;
	assert_int_equal(layer_write_dir(f->store, dir, &opts, &layer, &err),
			 -1);
	assert_non_null(strstr(err->msg, "redirect"));
	berth_error_free(&err);
}

static void commit_draft(struct fixture *f, const char *base,
			 const struct layer_blob *layer, const char *name,
			 char **ret_id)
{
	_cleanup_image_draft_ struct image_draft *draft = NULL;
	struct berth_error *err = NULL;

	if (image_draft_new(f->store, base, &draft, &err) < 0 ||
	    image_draft_add(draft, layer, "COPY . /", NULL, &err) < 0 ||
	    image_draft_add(draft, NULL, "CMD [\"sh\"]", NULL, &err) < 0)
		fail_msg("draft: %s", err->msg);
	json_object_set_new(image_draft_config(draft), "Cmd",
			    json_pack("[s]", "sh"));
	if (image_draft_commit(f->store, draft, name, TIMESTAMP, NULL, ret_id,
			       &err) < 0)
		fail_msg("commit: %s", err->msg);
}

static void image_from_layers(void **state)
{
	struct fixture *f = *state;
	struct layer_blob base, top;
	_cleanup_free_ char *id = NULL, *again = NULL, *child = NULL;
	struct image_info *image = NULL;
	struct berth_error *err = NULL;
	_cleanup_strv_ char **dirs = NULL;
	struct layer_write_options opts;
	_cleanup_free_ char *top_dir = src_path(f, "top", "");
	_cleanup_image_draft_ struct image_draft *draft = NULL;

	put_dir(f, "base", "etc");
	put_file(f, "base", "etc/hostname", "base\n", 0644);
	write_layer(f, "base", 0, TIMESTAMP, &base);
	commit_draft(f, NULL, &base, "made:one", &id);
	commit_draft(f, NULL, &base, "made:two", &again);
	assert_string_equal(id, again);

	assert_int_equal(image_store_lookup(f->store, "made:one", &image, &err),
			 0);
	assert_int_equal(
		json_array_size(json_object_get(image->config, "history")), 2);
	assert_string_equal(image->created, "2023-11-14T22:13:20Z");
	assert_string_equal(image->chain_ids[0], base.chain_id);

	/* A second layer on top, written against the image's top layer. */
	assert_int_equal(image_draft_new(f->store, "made:one", &draft, &err),
			 0);
	put_dir(f, "top", "etc");
	put_file(f, "top", "etc/motd", "hi\n", 0644);
	layer_write_options_init(&opts);
	opts.flags = LAYER_WRITE_EXTRACT;
	opts.parent_chain_id = image_draft_top_chain_id(draft);
	assert_int_equal(layer_write_dir(f->store, top_dir, &opts, &top, &err),
			 0);
	assert_int_equal(image_draft_add(draft, &top, "RUN motd", NULL, &err),
			 0);
	assert_int_equal(image_draft_layer_dirs(f->store, draft, &dirs, &err),
			 0);
	assert_int_equal(strv_length(dirs), 2);
	assert_non_null(strstr(dirs[0], top.chain_id + 7));
	assert_int_equal(image_draft_commit(f->store, draft, "made:child",
					    LAYER_NO_TIMESTAMP, NULL, &child,
					    &err),
			 0);
	assert_string_not_equal(child, id);

	/* A layer written over another parent is refused. */
	assert_int_equal(image_draft_add(draft, &base, NULL, NULL, &err), -1);
	berth_error_free(&err);
	image_info_free(image);
}

#define T(t) cmocka_unit_test_setup_teardown(t, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(round_trip),	      T(whiteouts),
		T(determinism),	      T(unusual_names),
		T(excluded_paths),    T(overlay_redirect_rejected),
		T(image_from_layers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
