/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Layer extraction, including hostile archives. Each test builds a tar
 * with libarchive's writer, unpacks it into SANDBOX/layer and checks
 * that SANDBOX/outside, the target of every escape attempt, stays empty.
 */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
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

#include "image/layer.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/xalloc.h"

struct sandbox {
	char path[64];
	char *layer;
	char *outside;
	int layer_fd;
};

struct tar_entry {
	const char *path;
	mode_t type;
	mode_t mode;
	const char *data;   /* regular file content */
	const char *target; /* symlink target */
	const char *link;   /* hard link target */
	const char *xattr;  /* "name=value" */
	int uid, gid;
	unsigned major, minor;
	time_t mtime;
};

static int sandbox_setup(void **state)
{
	struct sandbox *sb = xzalloc(sizeof(*sb));

	snprintf(sb->path, sizeof(sb->path), "/tmp/berth-layer-XXXXXX");
	assert_non_null(mkdtemp(sb->path));
	sb->layer = fs_path_join(sb->path, "layer");
	sb->outside = fs_path_join(sb->path, "outside");
	assert_int_equal(mkdir(sb->layer, 0755), 0);
	assert_int_equal(mkdir(sb->outside, 0755), 0);
	sb->layer_fd = open(sb->layer, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(sb->layer_fd >= 0);
	*state = sb;
	return 0;
}

static int sandbox_teardown(void **state)
{
	struct sandbox *sb = *state;

	close(sb->layer_fd);
	assert_int_equal(fs_rm_rf(sb->path, NULL), 0);
	free(sb->layer);
	free(sb->outside);
	free(sb);
	return 0;
}

static void add_entry(struct archive *w, const struct tar_entry *e)
{
	struct archive_entry *ae = archive_entry_new();
	size_t len = e->data != NULL ? strlen(e->data) : 0;

	archive_entry_set_pathname(ae, e->path);
	archive_entry_set_filetype(ae, e->type != 0 ? e->type : AE_IFREG);
	archive_entry_set_perm(ae, e->mode != 0 ? e->mode : 0644);
	archive_entry_set_uid(ae, e->uid);
	archive_entry_set_gid(ae, e->gid);
	archive_entry_set_mtime(ae, e->mtime != 0 ? e->mtime : 1000000000, 0);
	if (e->target != NULL)
		archive_entry_set_symlink(ae, e->target);
	if (e->link != NULL)
		archive_entry_set_hardlink(ae, e->link);
	if (e->type == AE_IFCHR || e->type == AE_IFBLK)
		archive_entry_set_rdev(ae, makedev(e->major, e->minor));
	if (e->xattr != NULL) {
		const char *eq = strchr(e->xattr, '=');
		_cleanup_free_ char *name = xstrndup(e->xattr, eq - e->xattr);

		archive_entry_xattr_add_entry(ae, name, eq + 1, strlen(eq + 1));
	}
	if (e->type == 0 || e->type == AE_IFREG)
		archive_entry_set_size(ae, e->link != NULL ? 0 : len);

	assert_int_equal(archive_write_header(w, ae), ARCHIVE_OK);
	if (len > 0 && e->link == NULL)
		assert_int_equal(archive_write_data(w, e->data, len),
				 (la_ssize_t)len);
	archive_entry_free(ae);
}

/* Write entries as a pax tar into a memfd positioned at its start. */
static int build_tar(const struct tar_entry *entries, size_t n)
{
	struct archive *w = archive_write_new();
	int fd = memfd_create("layer.tar", MFD_CLOEXEC);

	assert_true(fd >= 0);
	archive_write_set_format_pax_restricted(w);
	assert_int_equal(archive_write_open_fd(w, fd), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++)
		add_entry(w, &entries[i]);
	assert_int_equal(archive_write_close(w), ARCHIVE_OK);
	archive_write_free(w);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

static int unpack(struct sandbox *sb, const struct tar_entry *entries, size_t n,
		  struct berth_error **err)
{
	_cleanup_close_ int fd = build_tar(entries, n);

	return layer_unpack_fd(fd, sb->layer_fd, err);
}

static void assert_outside_empty(struct sandbox *sb)
{
	_cleanup_closedir_ DIR *d = opendir(sb->outside);
	struct dirent *de;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			fail_msg("'%s' was written outside the layer",
				 de->d_name);
}

static void expect_failure(struct sandbox *sb, const struct tar_entry *entries,
			   size_t n, const char *fragment)
{
	struct berth_error *err = NULL;

	assert_int_equal(unpack(sb, entries, n, &err), -1);
	assert_non_null(err);
	if (strstr(err->msg, fragment) == NULL)
		fail_msg("message '%s' lacks '%s'", err->msg, fragment);
	berth_error_free(&err);
	assert_outside_empty(sb);
}

static struct stat lstat_in(struct sandbox *sb, const char *path)
{
	struct stat st;

	if (fstatat(sb->layer_fd, path, &st, AT_SYMLINK_NOFOLLOW) < 0)
		fail_msg("'%s' missing from the layer", path);
	return st;
}

static void layer_regular_entries(void **state)
{
	struct sandbox *sb = *state;
	const struct tar_entry entries[] = {
		{.path = "./", .type = AE_IFDIR, .mode = 0755},
		{.path = "bin/",
		 .type = AE_IFDIR,
		 .mode = 0711,
		 .mtime = 1234567890},
		{.path = "bin/su", .mode = 04755, .data = "#!su", .uid = 0},
		{.path = "bin/sh", .type = AE_IFLNK, .target = "/bin/su"},
		{.path = "bin/hl", .link = "bin/su"},
		{.path = "home/user/file",
		 .data = "hello",
		 .uid = 1000,
		 .gid = 1001,
		 .mode = 0600},
		{.path = "/abs/file", .data = "x"},
		{.path = "./dot/./file", .data = "y"},
		{.path = "a/b/../c", .data = "z"},
	};
	struct berth_error *err = NULL;
	char target[64] = {0};
	struct stat st;

	assert_int_equal(unpack(sb, entries, ARRAY_SIZE(entries), &err), 0);
	assert_null(err);

	st = lstat_in(sb, "bin/su");
	assert_int_equal(st.st_mode & 07777, 04755);
	assert_int_equal(st.st_size, 4);
	assert_int_equal(st.st_nlink, 2);

	st = lstat_in(sb, "bin");
	assert_int_equal(st.st_mode & 07777, 0711);
	assert_int_equal(st.st_mtime, 1234567890);

	st = lstat_in(sb, "bin/sh");
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(
		readlinkat(sb->layer_fd, "bin/sh", target, sizeof(target) - 1),
		7);
	assert_string_equal(target, "/bin/su");

	st = lstat_in(sb, "home/user/file");
	assert_int_equal(st.st_uid, 1000);
	assert_int_equal(st.st_gid, 1001);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_mtime, 1000000000);

	lstat_in(sb, "abs/file");
	lstat_in(sb, "dot/file");
	lstat_in(sb, "a/c");
	assert_outside_empty(sb);
}

static void layer_rejects_dotdot_entry(void **state)
{
	const struct tar_entry entries[] = {
		{.path = "ok", .data = "fine"},
		{.path = "../outside/evil", .data = "bad"},
	};

	expect_failure(*state, entries, ARRAY_SIZE(entries),
		       "layer entry '../outside/evil' points outside");
}

static void layer_rejects_nested_dotdot(void **state)
{
	const struct tar_entry entries[] = {
		{.path = "a/../../outside/evil", .data = "bad"},
	};

	expect_failure(*state, entries, ARRAY_SIZE(entries), "points outside");
}

static void layer_rejects_absolute_symlink_parent(void **state)
{
	struct sandbox *sb = *state;
	const struct tar_entry entries[] = {
		{.path = "escape", .type = AE_IFLNK, .target = sb->outside},
		{.path = "escape/evil", .data = "bad"},
	};

	expect_failure(sb, entries, ARRAY_SIZE(entries),
		       "layer entry 'escape/evil'");
}

static void layer_rejects_relative_symlink_parent(void **state)
{
	const struct tar_entry entries[] = {
		{.path = "up", .type = AE_IFLNK, .target = "../outside"},
		{.path = "up/evil", .data = "bad"},
	};

	expect_failure(*state, entries, ARRAY_SIZE(entries),
		       "symbolic link or leads outside");
}

static void layer_rejects_hardlink_to_host_file(void **state)
{
	const struct tar_entry entries[] = {
		{.path = "passwd", .link = "/etc/passwd"},
	};

	expect_failure(*state, entries, ARRAY_SIZE(entries),
		       "hard link target '/etc/passwd' is not in the layer");
}

static void layer_rejects_hardlink_escape(void **state)
{
	struct sandbox *sb = *state;
	_cleanup_free_ char *victim = fs_path_join(sb->path, "victim");
	const struct tar_entry entries[] = {
		{.path = "link", .link = "../victim"},
	};

	assert_int_equal(fs_write_atomic(victim, "v", 1, 0644, NULL), 0);
	expect_failure(sb, entries, ARRAY_SIZE(entries), "points outside");
}

static void layer_rejects_hardlink_through_symlink(void **state)
{
	struct sandbox *sb = *state;
	_cleanup_free_ char *victim = fs_path_join(sb->path, "victim");
	const struct tar_entry entries[] = {
		{.path = "s", .type = AE_IFLNK, .target = sb->path},
		{.path = "link", .link = "s/victim"},
	};

	assert_int_equal(fs_write_atomic(victim, "v", 1, 0644, NULL), 0);
	expect_failure(sb, entries, ARRAY_SIZE(entries),
		       "hard link target 's/victim'");
}

static void layer_whiteouts_become_overlay_form(void **state)
{
	struct sandbox *sb = *state;
	const struct tar_entry entries[] = {
		{.path = "etc/.wh.gone", .data = ""},
		{.path = "var/cache/.wh..wh..opq", .data = ""},
		{.path = "var/cache/kept", .data = "k"},
		{.path = "keep", .data = "mine"},
		{.path = ".wh.keep", .data = ""},
	};
	struct berth_error *err = NULL;
	char value[8] = {0};
	_cleanup_close_ int fd = -1;
	struct stat st;

	assert_int_equal(unpack(sb, entries, ARRAY_SIZE(entries), &err), 0);

	st = lstat_in(sb, "etc/gone");
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(st.st_rdev, makedev(0, 0));
	assert_int_equal(faccessat(sb->layer_fd, "etc/.wh.gone", F_OK,
				   AT_SYMLINK_NOFOLLOW),
			 -1);

	fd = openat(sb->layer_fd, "var/cache", O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	assert_int_equal(
		fgetxattr(fd, "trusted.overlay.opaque", value, sizeof(value)),
		1);
	assert_string_equal(value, "y");
	lstat_in(sb, "var/cache/kept");

	/* A whiteout does not hide an entry of its own layer. */
	st = lstat_in(sb, "keep");
	assert_true(S_ISREG(st.st_mode));
}

static void layer_device_nodes_and_fifo(void **state)
{
	struct sandbox *sb = *state;
	const struct tar_entry entries[] = {
		{.path = "dev/null",
		 .type = AE_IFCHR,
		 .mode = 0666,
		 .major = 1,
		 .minor = 3},
		{.path = "dev/loop0",
		 .type = AE_IFBLK,
		 .mode = 0660,
		 .major = 7,
		 .minor = 0},
		{.path = "run/fifo", .type = AE_IFIFO, .mode = 0620},
	};
	struct berth_error *err = NULL;
	struct stat st;

	assert_int_equal(unpack(sb, entries, ARRAY_SIZE(entries), &err), 0);

	st = lstat_in(sb, "dev/null");
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(st.st_rdev, makedev(1, 3));
	assert_int_equal(st.st_mode & 07777, 0666);

	st = lstat_in(sb, "dev/loop0");
	assert_true(S_ISBLK(st.st_mode));
	assert_int_equal(st.st_rdev, makedev(7, 0));

	st = lstat_in(sb, "run/fifo");
	assert_true(S_ISFIFO(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0620);
}

static void layer_xattrs_kept_overlay_dropped(void **state)
{
	struct sandbox *sb = *state;
	const struct tar_entry entries[] = {
		{.path = "f", .data = "x", .xattr = "user.berth=yes"},
		{.path = "g",
		 .data = "x",
		 .xattr = "trusted.overlay.redirect=/etc"},
	};
	struct berth_error *err = NULL;
	_cleanup_free_ char *f = fs_path_join(sb->layer, "f");
	_cleanup_free_ char *g = fs_path_join(sb->layer, "g");
	char value[8] = {0};

	assert_int_equal(unpack(sb, entries, ARRAY_SIZE(entries), &err), 0);
	assert_int_equal(lgetxattr(f, "user.berth", value, sizeof(value)), 3);
	assert_string_equal(value, "yes");
	assert_int_equal(
		lgetxattr(g, "trusted.overlay.redirect", value, sizeof(value)),
		-1);
}

static void layer_later_entry_replaces_earlier(void **state)
{
	struct sandbox *sb = *state;
	const struct tar_entry entries[] = {
		{.path = "x/y/file", .data = "1"},
		{.path = "x", .data = "now a file"},
		{.path = "x", .type = AE_IFDIR, .mode = 0700},
		{.path = "x/z", .data = "2"},
	};
	struct berth_error *err = NULL;
	struct stat st;

	if (unpack(sb, entries, ARRAY_SIZE(entries), &err) < 0)
		fail_msg("unpack failed: %s", err->msg);
	st = lstat_in(sb, "x");
	assert_true(S_ISDIR(st.st_mode));
	lstat_in(sb, "x/z");
	assert_int_equal(
		faccessat(sb->layer_fd, "x/y", F_OK, AT_SYMLINK_NOFOLLOW), -1);
}

static void layer_rejects_garbage(void **state)
{
	struct sandbox *sb = *state;
	struct berth_error *err = NULL;
	int fd = memfd_create("garbage", MFD_CLOEXEC);
	char junk[4096];

	memset(junk, 'j', sizeof(junk));
	assert_int_equal(write(fd, junk, sizeof(junk)), sizeof(junk));
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(layer_unpack_fd(fd, sb->layer_fd, &err), -1);
	assert_non_null(err);
	berth_error_free(&err);
	close(fd);
}

#define SANDBOXED(f) \
	cmocka_unit_test_setup_teardown(f, sandbox_setup, sandbox_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		SANDBOXED(layer_regular_entries),
		SANDBOXED(layer_rejects_dotdot_entry),
		SANDBOXED(layer_rejects_nested_dotdot),
		SANDBOXED(layer_rejects_absolute_symlink_parent),
		SANDBOXED(layer_rejects_relative_symlink_parent),
		SANDBOXED(layer_rejects_hardlink_to_host_file),
		SANDBOXED(layer_rejects_hardlink_escape),
		SANDBOXED(layer_rejects_hardlink_through_symlink),
		SANDBOXED(layer_whiteouts_become_overlay_form),
		SANDBOXED(layer_device_nodes_and_fifo),
		SANDBOXED(layer_xattrs_kept_overlay_dropped),
		SANDBOXED(layer_later_entry_replaces_earlier),
		SANDBOXED(layer_rejects_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
