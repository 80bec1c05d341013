/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * COPY destination rules and owners, on plain directories standing in
 * for the build context and a step's root.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "build/build-copy.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/xalloc.h"

struct dirs {
	char path[64];
	char *context;
	char *root;
	int context_fd;
	int root_fd;
	struct build_source_root source;
};

static void put(const char *dir, const char *name, const char *data)
{
	_cleanup_free_ char *path = fs_path_join(dir, name);

	assert_int_equal(fs_write_atomic(path, data, strlen(data), 0644, NULL),
			 0);
}

static int dirs_setup(void **state)
{
	struct dirs *d = xzalloc(sizeof(*d));
	_cleanup_free_ char *sub = NULL;

	snprintf(d->path, sizeof(d->path), "/tmp/berth-copy-XXXXXX");
	assert_non_null(mkdtemp(d->path));
	d->context = fs_path_join(d->path, "context");
	d->root = fs_path_join(d->path, "root");
	sub = fs_path_join(d->context, "dir");
	assert_int_equal(fs_mkdir_p(sub, 0755, NULL), 0);
	assert_int_equal(mkdir(d->root, 0755), 0);
	put(d->context, "a", "A");
	put(d->context, "b", "B");
	put(d->context, "dir/inner", "I");

	d->context_fd = open(d->context, O_RDONLY | O_DIRECTORY);
	d->root_fd = open(d->root, O_RDONLY | O_DIRECTORY);
	assert_true(d->context_fd >= 0 && d->root_fd >= 0);
	d->source = (struct build_source_root){.fd = d->context_fd,
					       .what = "build context"};
	*state = d;
	return 0;
}

static int dirs_teardown(void **state)
{
	struct dirs *d = *state;

	close(d->context_fd);
	close(d->root_fd);
	assert_int_equal(fs_rm_rf(d->path, NULL), 0);
	free(d->context);
	free(d->root);
	free(d);
	return 0;
}

static int copy(struct dirs *d, char **paths, const char *dest,
		const char *workdir, struct berth_error **err)
{
	struct build_copy c = {
		.source = &d->source,
		.paths = paths,
		.dest = dest,
		.workdir = workdir,
	};

	return build_copy_run(d->root_fd, &c, err);
}

static void assert_content(struct dirs *d, const char *path,
			   const char *expected)
{
	_cleanup_free_ char *full = fs_path_join(d->root, path);
	_cleanup_free_ char *data = NULL;
	size_t len;

	assert_int_equal(fs_read_file(full, &data, &len, NULL), 0);
	assert_string_equal(data, expected);
}

static void test_file_destinations(void **state)
{
	struct dirs *d = *state;
	char *a[] = {"a", NULL};

	assert_int_equal(copy(d, a, "/renamed", "", NULL), 0);
	assert_content(d, "renamed", "A");

	assert_int_equal(copy(d, a, "/into/", "", NULL), 0);
	assert_content(d, "into/a", "A");

	/* An existing directory takes the file by its name. */
	assert_int_equal(copy(d, a, "/into", "", NULL), 0);
	assert_content(d, "into/a", "A");

	assert_int_equal(copy(d, a, "rel", "/work/dir", NULL), 0);
	assert_content(d, "work/dir/rel", "A");

	assert_int_equal(copy(d, a, ".", "/work", NULL), 0);
	assert_content(d, "work/a", "A");
}

static void test_directory_content(void **state)
{
	struct dirs *d = *state;
	char *dir[] = {"dir", NULL};
	_cleanup_free_ char *nested = fs_path_join(d->root, "target/dir");

	assert_int_equal(copy(d, dir, "/target", "", NULL), 0);
	assert_content(d, "target/inner", "I");
	assert_false(fs_exists(nested));
}

static void test_several_sources(void **state)
{
	struct dirs *d = *state;
	char *both[] = {"a", "b", NULL};
	struct berth_error *err = NULL;

	assert_int_equal(copy(d, both, "/x", "", &err), -1);
	assert_non_null(strstr(err->msg, "must be a directory"));
	berth_error_free(&err);

	assert_int_equal(copy(d, both, "/x/", "", NULL), 0);
	assert_content(d, "x/a", "A");
	assert_content(d, "x/b", "B");
}

/*
 * A symlink in the root is resolved inside the root: an absolute target
 * that names a host directory never receives the copy.
 */
static void test_symlink_in_root(void **state)
{
	struct dirs *d = *state;
	_cleanup_free_ char *link = fs_path_join(d->root, "out");
	_cleanup_free_ char *outside = fs_path_join(d->path, "outside");
	_cleanup_free_ char *escaped = fs_path_join(outside, "a");
	struct berth_error *err = NULL;
	char *a[] = {"a", NULL};

	assert_int_equal(mkdir(outside, 0755), 0);
	assert_int_equal(symlink(outside, link), 0);

	(void)copy(d, a, "/out/", "", &err);
	berth_error_free(&err);
	assert_false(fs_exists(escaped));
}

static void test_owner_and_mode(void **state)
{
	struct dirs *d = *state;
	char *a[] = {"a", NULL};
	struct build_copy c = {
		.source = &d->source,
		.paths = a,
		.dest = "/owned",
		.workdir = "",
		.has_owner = true,
		.uid = 123,
		.gid = 456,
		.has_mode = true,
		.mode = 0600,
	};
	_cleanup_free_ char *path = fs_path_join(d->root, "owned");
	struct stat st;

	assert_int_equal(build_copy_run(d->root_fd, &c, NULL), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_uid, 123);
	assert_int_equal(st.st_gid, 456);
	assert_int_equal(st.st_mode & 07777, 0600);
}

static void test_parse_mode(void **state)
{
	struct berth_error *err = NULL;
	mode_t mode;

	assert_int_equal(build_copy_parse_mode("0755", &mode, NULL), 0);
	assert_int_equal(mode, 0755);
	assert_int_equal(build_copy_parse_mode("644", &mode, NULL), 0);
	assert_int_equal(mode, 0644);
	assert_int_equal(build_copy_parse_mode("u+x", &mode, &err), -1);
	assert_non_null(strstr(err->msg, "'u+x'"));
	berth_error_free(&err);
	assert_int_equal(build_copy_parse_mode("17777", &mode, &err), -1);
	berth_error_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_file_destinations,
						dirs_setup, dirs_teardown),
		cmocka_unit_test_setup_teardown(test_directory_content,
						dirs_setup, dirs_teardown),
		cmocka_unit_test_setup_teardown(test_several_sources,
						dirs_setup, dirs_teardown),
		cmocka_unit_test_setup_teardown(test_symlink_in_root,
						dirs_setup, dirs_teardown),
		cmocka_unit_test_setup_teardown(test_owner_and_mode, dirs_setup,
						dirs_teardown),
		cmocka_unit_test(test_parse_mode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
