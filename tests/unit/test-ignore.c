/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "build/ignore.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/xalloc.h"

static struct ignore_matcher *parse_ok(const char *text)
{
	struct ignore_matcher *m = NULL;
	struct berth_error *err = NULL;

	if (ignore_parse(text, strlen(text), ".dockerignore", &m, &err) < 0)
		fail_msg("parse failed: %s", err->msg);
	return m;
}

struct match_case {
	const char *path;
	bool excluded;
};

static const char common_patterns[] = "# a comment line\n"
				      "*.md\n"
				      "!README.md\n"
				      "node_modules\n"
				      "**/*.tmp\n"
				      "/build\n"
				      "./dist/\n"
				      "docs/**/draft\n"
				      "  spaced  \n"
				      "\n"
				      "[a-c]x\n"
				      "foo?\n"
				      "lib/*/cache\n"
				      " #notcomment\n"
				      "a//b/../c\n"
				      "\\*lit\n"
				      "[!x]neg\n"
				      "crlf\r\n";

static const struct match_case common_cases[] = {
	{"a.md", true},
	{"README.md", false},
	{"sub/a.md", false},
	{"node_modules", true},
	{"node_modules/x/y.js", true},
	{"src/node_modules", false},
	{"x.tmp", true},
	{"a/b/c.tmp", true},
	{"a/b/c.tmpx", false},
	{"build", true},
	{"build/out/bin", true},
	{"src/build", false},
	{"dist", true},
	{"dist/x", true},
	{"docs/draft", true},
	{"docs/a/b/draft", true},
	{"docs/a/draft/x", true},
	{"docs/drafts", false},
	{"# a comment line", false},
	{"spaced", true},
	{"ax", true},
	{"cx", true},
	{"dx", false},
	{"foo1", true},
	{"foo", false},
	{"foo12", false},
	{"lib/x/cache", true},
	{"lib/x/y/cache", false},
	{"#notcomment", true},
	{"a/c", true},
	{"a/b", false},
	{"*lit", true},
	{"xlit", false},
	{"yneg", true},
	{"xneg", false},
	{"crlf", true},
	{"./a.md", true},
	{"/a.md", true},
	{"x/../a.md", true},
	{"ok.txt", false},
	{".", false},
	{"", false},
};

static void ignore_match_table(void **state)
{
	struct ignore_matcher *m = parse_ok(common_patterns);

	assert_int_equal(ignore_pattern_count(m), 16);
	for (size_t i = 0; i < ARRAY_SIZE(common_cases); i++) {
		const struct match_case *c = &common_cases[i];

		if (ignore_is_excluded(m, c->path) != c->excluded)
			fail_msg("'%s': expected excluded=%d", c->path,
				 c->excluded);
	}
	ignore_matcher_free(m);
}

static void ignore_exception_below_dir(void **state)
{
	struct ignore_matcher *m = parse_ok("a\n!a/keep\nb\n");

	assert_true(ignore_is_excluded(m, "a"));
	assert_true(ignore_is_excluded(m, "a/x"));
	assert_false(ignore_is_excluded(m, "a/keep"));
	assert_false(ignore_is_excluded(m, "a/keep/deeper"));

	assert_true(ignore_dir_may_reinclude(m, "a"));
	assert_false(ignore_can_skip_dir(m, "a"));
	assert_false(ignore_dir_may_reinclude(m, "b"));
	assert_true(ignore_can_skip_dir(m, "b"));
	assert_false(ignore_dir_may_reinclude(m, "a/other"));
	assert_false(ignore_can_skip_dir(m, "c"));
	ignore_matcher_free(m);
}

static void ignore_globstar_exception(void **state)
{
	struct ignore_matcher *m = parse_ok("vendor\n!**/*.go\n");

	assert_true(ignore_is_excluded(m, "vendor/x.c"));
	assert_false(ignore_is_excluded(m, "vendor/pkg/x.go"));
	assert_true(ignore_dir_may_reinclude(m, "vendor"));
	assert_true(ignore_dir_may_reinclude(m, "vendor/pkg/deep"));
	assert_false(ignore_can_skip_dir(m, "vendor/pkg"));
	ignore_matcher_free(m);
}

static void ignore_last_match_wins(void **state)
{
	struct ignore_matcher *first = parse_ok("!a\na\n");
	struct ignore_matcher *second = parse_ok("a\n!a\n");
	struct ignore_matcher *third = parse_ok("*\n!keep\n*\n");

	assert_true(ignore_is_excluded(first, "a"));
	assert_false(ignore_is_excluded(second, "a"));
	assert_true(ignore_is_excluded(third, "keep"));
	assert_true(ignore_is_excluded(third, "other"));
	ignore_matcher_free(first);
	ignore_matcher_free(second);
	ignore_matcher_free(third);
}

static void ignore_star_and_globstar(void **state)
{
	struct ignore_matcher *star = parse_ok("*\n");
	struct ignore_matcher *all = parse_ok("**\n!x/**/y\n");
	struct ignore_matcher *below = parse_ok("a/**\n");
	struct ignore_matcher *parent = parse_ok("../x\nmid**dle\n");

	assert_true(ignore_is_excluded(star, "file"));
	assert_true(ignore_is_excluded(star, "dir/file"));

	assert_true(ignore_is_excluded(all, "any/depth/file"));
	assert_false(ignore_is_excluded(all, "x/y"));
	assert_false(ignore_is_excluded(all, "x/1/2/y"));
	assert_true(ignore_is_excluded(all, "x/1/z"));

	assert_true(ignore_is_excluded(below, "a/b"));
	assert_true(ignore_is_excluded(below, "a/b/c"));
	assert_false(ignore_is_excluded(below, "ab"));

	assert_false(ignore_is_excluded(parent, "x"));
	assert_true(ignore_is_excluded(parent, "middle"));
	assert_true(ignore_is_excluded(parent, "mid-to-dle"));
	assert_false(ignore_is_excluded(parent, "mid/dle"));

	ignore_matcher_free(star);
	ignore_matcher_free(all);
	ignore_matcher_free(below);
	ignore_matcher_free(parent);
}

static void ignore_null_and_empty(void **state)
{
	struct ignore_matcher *empty = parse_ok("# only comments\n\n  \n");

	assert_false(ignore_is_excluded(NULL, "a"));
	assert_false(ignore_dir_may_reinclude(NULL, "a"));
	assert_false(ignore_can_skip_dir(NULL, "a"));
	assert_int_equal(ignore_pattern_count(NULL), 0);

	assert_int_equal(ignore_pattern_count(empty), 0);
	assert_false(ignore_is_excluded(empty, "a"));
	ignore_matcher_free(empty);
}

static void ignore_parse_errors(void **state)
{
	static const struct {
		const char *text;
		const char *message;
	} cases[] = {
		{"ok\n!\n", ".dockerignore:2: invalid exception '!': a pattern "
			    "must follow '!'"},
		{"!  \n", ".dockerignore:1: invalid exception '!': a pattern "
			  "must follow '!'"},
		{"a\nb\n[abc\n", ".dockerignore:3: invalid pattern '[abc': "
				 "unterminated or empty '['"},
		{"x[]\n", ".dockerignore:1: invalid pattern 'x[]': "
			  "unterminated or empty '['"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct ignore_matcher *m = NULL;
		struct berth_error *err = NULL;

		assert_int_equal(ignore_parse(cases[i].text,
					      strlen(cases[i].text),
					      ".dockerignore", &m, &err),
				 -1);
		assert_null(m);
		assert_string_equal(err->msg, cases[i].message);
		berth_error_free(&err);
	}
}

static void write_file(const char *dir, const char *name, const char *text)
{
	_cleanup_free_ char *path = fs_path_join(dir, name);
	struct berth_error *err = NULL;

	if (fs_write_atomic(path, text, strlen(text), 0644, &err) < 0)
		fail_msg("write %s: %s", path, err->msg);
}

static void remove_file(const char *dir, const char *name)
{
	_cleanup_free_ char *path = fs_path_join(dir, name);

	assert_int_equal(unlink(path), 0);
}

static void ignore_find_order(void **state)
{
	char dir[] = "/tmp/test-ignore-XXXXXX";
	_cleanup_free_ char *containerfile = NULL;
	struct berth_error *err = NULL;
	struct ignore_matcher *m = NULL;
	char *found = NULL;

	assert_non_null(mkdtemp(dir));
	containerfile = fs_path_join(dir, "Containerfile");

	assert_int_equal(ignore_find_file(dir, containerfile, &found, &err), 0);
	assert_null(found);
	assert_int_equal(ignore_load_for_build(dir, containerfile, &m, &err),
			 0);
	assert_null(m);

	write_file(dir, ".dockerignore", "from-dockerignore\n");
	write_file(dir, ".containerignore", "from-containerignore\n");
	write_file(dir, "Containerfile.dockerignore", "from-file-docker\n");
	write_file(dir, "Containerfile.containerignore", "from-file\n");

	static const char *const order[] = {
		"Containerfile.containerignore",
		"Containerfile.dockerignore",
		".containerignore",
		".dockerignore",
	};
	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		_cleanup_free_ char *expected = fs_path_join(dir, order[i]);

		assert_int_equal(
			ignore_find_file(dir, containerfile, &found, &err), 0);
		assert_non_null(found);
		assert_string_equal(found, expected);
		free(found);
		remove_file(dir, order[i]);
	}

	write_file(dir, ".dockerignore", "skipme\n");
	assert_int_equal(ignore_find_file(dir, NULL, &found, &err), 0);
	assert_non_null(strstr(found, "/.dockerignore"));
	free(found);

	assert_int_equal(ignore_load_for_build(dir, "-", &m, &err), 0);
	assert_non_null(m);
	assert_true(ignore_is_excluded(m, "skipme"));
	assert_false(ignore_is_excluded(m, "keep"));
	ignore_matcher_free(m);

	remove_file(dir, ".dockerignore");
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ignore_match_table),
		cmocka_unit_test(ignore_exception_below_dir),
		cmocka_unit_test(ignore_globstar_exception),
		cmocka_unit_test(ignore_last_match_wins),
		cmocka_unit_test(ignore_star_and_globstar),
		cmocka_unit_test(ignore_null_and_empty),
		cmocka_unit_test(ignore_parse_errors),
		cmocka_unit_test(ignore_find_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
