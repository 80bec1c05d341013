/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * COPY and ADD sources: path cleaning, wildcard expansion inside a root
 * and the content hash of the build cache.
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
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "build/context.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"
#include "util/xalloc.h"

struct tree {
	char path[64];
	int fd;
	struct build_source_root root;
};

static void write_file(struct tree *t, const char *name, const char *data)
{
	_cleanup_free_ char *path = fs_path_join(t->path, name);

	assert_int_equal(fs_write_atomic(path, data, strlen(data), 0644, NULL),
			 0);
}

static int tree_setup(void **state)
{
	struct tree *t = xzalloc(sizeof(*t));
	_cleanup_free_ char *sub = NULL;

	snprintf(t->path, sizeof(t->path), "/tmp/berth-context-XXXXXX");
	assert_non_null(mkdtemp(t->path));
	sub = fs_path_join(t->path, "dir");
	assert_int_equal(mkdir(sub, 0755), 0);
	write_file(t, "a.txt", "a");
	write_file(t, "b.txt", "b");
	write_file(t, "c.log", "c");
	write_file(t, "dir/inner", "inner");

	t->fd = open(t->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(t->fd >= 0);
	t->root = (struct build_source_root){.fd = t->fd, .what = "test"};
	*state = t;
	return 0;
}

static int tree_teardown(void **state)
{
	struct tree *t = *state;

	close(t->fd);
	assert_int_equal(fs_rm_rf(t->path, NULL), 0);
	free(t);
	return 0;
}

static void assert_clean(const char *in, const char *expected)
{
	_cleanup_free_ char *out = NULL;

	assert_int_equal(build_path_clean(in, &out, NULL), 0);
	assert_string_equal(out, expected);
}

static void test_path_clean(void **state)
{
	struct berth_error *err = NULL;
	char *out = NULL;

	assert_clean("/", "");
	assert_clean(".", "");
	assert_clean("./a//b/", "a/b");
	assert_clean("/a/./b/../c", "a/c");
	assert_clean("a/..", "");

	assert_int_equal(build_path_clean("a/../../etc", &out, &err), -1);
	assert_non_null(strstr(err->msg, "'a/../../etc'"));
	assert_null(out);
	berth_error_free(&err);
}

static char *join_paths(char **paths)
{
	char *joined = xstrdup("");

	for (size_t i = 0; paths[i] != NULL; i++) {
		char *next;

		xasprintf(&next, "%s%s%s", joined, i > 0 ? "," : "", paths[i]);
		free(joined);
		joined = next;
	}
	return joined;
}

/* Expand pattern and return the matches joined by ',', or NULL. */
static char *expand_one(struct tree *t, const char *pattern,
			struct berth_error **err)
{
	char *patterns[] = {(char *)pattern, NULL};
	_cleanup_strv_ char **paths = NULL;

	if (build_sources_expand(&t->root, patterns, &paths, err) < 0)
		return NULL;
	return join_paths(paths);
}

static void test_expand_wildcards(void **state)
{
	struct tree *t = *state;
	_cleanup_free_ char *txt = expand_one(t, "*.txt", NULL);
	_cleanup_free_ char *any = expand_one(t, "/?.*", NULL);
	_cleanup_free_ char *nested = expand_one(t, "d*/in*", NULL);
	_cleanup_free_ char *plain = expand_one(t, "./dir", NULL);

	assert_string_equal(txt, "a.txt,b.txt");
	assert_string_equal(any, "a.txt,b.txt,c.log");
	assert_string_equal(nested, "dir/inner");
	assert_string_equal(plain, "dir");
}

static void test_expand_missing(void **state)
{
	struct tree *t = *state;
	struct berth_error *err = NULL;

	assert_null(expand_one(t, "*.none", &err));
	assert_non_null(err);
	assert_non_null(strstr(err->msg, "'*.none' not found in the test"));
	berth_error_free(&err);

	assert_null(expand_one(t, "../outside", &err));
	assert_non_null(err);
	berth_error_free(&err);
}

static bool exclude_logs(const char *path, bool is_dir, void *data)
{
	size_t len = strlen(path);

	return !is_dir && len > 4 && strcmp(path + len - 4, ".log") == 0;
}

static void test_expand_exclude(void **state)
{
	struct tree *t = *state;
	struct berth_error *err = NULL;
	_cleanup_free_ char *all = NULL;

	t->root.exclude = exclude_logs;
	all = expand_one(t, "*", NULL);
	assert_string_equal(all, "a.txt,b.txt,dir");

	assert_null(expand_one(t, "c.log", &err));
	assert_non_null(err);
	berth_error_free(&err);
}

/* A symlink to an absolute path resolves inside the root. */
static void test_expand_symlink_stays_inside(void **state)
{
	struct tree *t = *state;
	_cleanup_free_ char *link = fs_path_join(t->path, "escape");
	struct berth_error *err = NULL;
	char *paths[] = {"escape/passwd", NULL};
	char hash[DIGEST_STRING_SIZE];
	_cleanup_strv_ char **found = NULL;

	assert_int_equal(symlink("/etc", link), 0);
	assert_int_equal(build_sources_expand(&t->root, paths, &found, &err),
			 -1);
	berth_error_free(&err);

	assert_int_equal(unlink(link), 0);
	assert_int_equal(symlink("/dir", link), 0);
	paths[0] = "escape/inner";
	assert_int_equal(build_sources_hash(&t->root, paths, false, hash, NULL),
			 0);
}

static void hash_of(struct tree *t, char *path, bool ignore_owner,
		    char out[DIGEST_STRING_SIZE])
{
	char *paths[] = {path, NULL};

	assert_int_equal(
		build_sources_hash(&t->root, paths, ignore_owner, out, NULL),
		0);
}

static void test_hash_content_not_times(void **state)
{
	struct tree *t = *state;
	_cleanup_free_ char *inner = fs_path_join(t->path, "dir/inner");
	struct timespec old[2] = {{.tv_sec = 1000}, {.tv_sec = 1000}};
	char h1[DIGEST_STRING_SIZE], h2[DIGEST_STRING_SIZE];

	hash_of(t, "dir", false, h1);
	assert_int_equal(utimensat(AT_FDCWD, inner, old, 0), 0);
	hash_of(t, "dir", false, h2);
	assert_string_equal(h1, h2);

	write_file(t, "dir/inner", "changed");
	hash_of(t, "dir", false, h2);
	assert_string_not_equal(h1, h2);
}

static void test_hash_mode_and_owner(void **state)
{
	struct tree *t = *state;
	_cleanup_free_ char *path = fs_path_join(t->path, "a.txt");
	char before[DIGEST_STRING_SIZE], after[DIGEST_STRING_SIZE];
	char no_owner1[DIGEST_STRING_SIZE], no_owner2[DIGEST_STRING_SIZE];

	hash_of(t, "a.txt", false, before);
	assert_int_equal(chmod(path, 0600), 0);
	hash_of(t, "a.txt", false, after);
	assert_string_not_equal(before, after);

	hash_of(t, "a.txt", true, no_owner1);
	assert_int_equal(chown(path, 1234, 1234), 0);
	hash_of(t, "a.txt", true, no_owner2);
	assert_string_equal(no_owner1, no_owner2);
	hash_of(t, "a.txt", false, before);
	assert_string_not_equal(before, after);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_clean),
		cmocka_unit_test_setup_teardown(test_expand_wildcards,
						tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_expand_missing, tree_setup,
						tree_teardown),
		cmocka_unit_test_setup_teardown(test_expand_exclude, tree_setup,
						tree_teardown),
		cmocka_unit_test_setup_teardown(
			test_expand_symlink_stays_inside, tree_setup,
			tree_teardown),
		cmocka_unit_test_setup_teardown(test_hash_content_not_times,
						tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_hash_mode_and_owner,
						tree_setup, tree_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
