/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/cleanup.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/strv.h"
#include "util/xalloc.h"

static void error_set_and_wrap(void **state)
{
	struct berth_error *err = NULL;
	_cleanup_free_ char *text = NULL;

	assert_int_equal(berth_error_set(&err, ENOENT, "open '%s'", "/x"), -1);
	assert_int_equal(berth_error_wrap(&err, "load image '%s'", "a"), -1);

	text = berth_error_text(err);
	assert_string_equal(
		text, "load image 'a': open '/x': No such file or directory");
	assert_int_equal(err->errnum, ENOENT);
	berth_error_free(&err);
	assert_null(err);
}

static void error_keeps_first_cause(void **state)
{
	struct berth_error *err = NULL;

	berth_error_set(&err, EINVAL, "first");
	berth_error_set(&err, EPERM, "second");
	assert_string_equal(err->msg, "first");
	assert_int_equal(err->errnum, EINVAL);
	berth_error_free(&err);
}

static void error_report_status(void **state)
{
	struct berth_error *err = NULL;
	FILE *sink = fopen("/dev/null", "w");

	berth_error_set(&err, 0, "engine failure");
	assert_int_equal(berth_error_report(&err, "berth", sink), 125);

	berth_error_set_status(&err, 127, ENOENT, "not found");
	assert_int_equal(berth_error_report(&err, "berth", sink), 127);
	assert_null(err);
	fclose(sink);
}

static void strv_push_copy_contains(void **state)
{
	_cleanup_strv_ char **v = NULL;
	_cleanup_strv_ char **copy = NULL;

	strv_push(&v, "a");
	strv_push(&v, "b");
	assert_int_equal(strv_length(v), 2);
	assert_true(strv_contains(v, "b"));
	assert_false(strv_contains(v, "c"));

	copy = strv_copy(v);
	assert_int_equal(strv_length(copy), 2);
	assert_string_equal(copy[1], "b");
}

static void fs_atomic_write_and_read(void **state)
{
	char dir[] = "/tmp/berth-test-XXXXXX";
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *data = NULL;
	struct berth_error *err = NULL;
	struct stat st;
	size_t len;

	assert_non_null(mkdtemp(dir));
	path = fs_path_join(dir, "file.json");

	assert_int_equal(fs_write_atomic(path, "hello", 5, 0600, &err), 0);
	assert_int_equal(fs_read_file(path, &data, &len, &err), 0);
	assert_int_equal(len, 5);
	assert_string_equal(data, "hello");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);

	assert_int_equal(fs_rm_rf(dir, &err), 0);
	assert_false(fs_exists(dir));
}

static void fs_in_root_contains_symlinks(void **state)
{
	char dir[] = "/tmp/berth-test-XXXXXX";
	_cleanup_free_ char *link = NULL;
	_cleanup_free_ char *outside = NULL;
	struct berth_error *err = NULL;
	_cleanup_close_ int root = -1;
	_cleanup_close_ int fd = -1;

	assert_non_null(mkdtemp(dir));
	root = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(root >= 0);

	/* An absolute symlink must resolve inside the root, not the host. */
	link = fs_path_join(dir, "etc");
	outside = fs_path_join(dir, "tmp");
	assert_int_equal(mkdir(outside, 0755), 0);
	free(outside);
	assert_int_equal(symlink("/tmp", link), 0);
	assert_int_equal(fs_mkdir_p_in_root(root, "/etc/sub", 0755, &fd, &err),
			 0);
	outside = fs_path_join(dir, "tmp/sub");
	assert_true(fs_exists(outside));
	assert_false(fs_exists("/tmp/sub"));

	assert_int_equal(fs_rm_rf(dir, &err), 0);
}

static void json_getters_name_fields(void **state)
{
	_cleanup_json_ json_t *j = NULL;
	struct berth_error *err = NULL;
	const char *s = NULL;
	uint64_t u = 0;

	assert_int_equal(json_parse_buffer("{\"a\": 5, \"b\": \"x\"}", 18,
					   "test", &j, &err),
			 0);
	assert_int_equal(json_get_string(j, "b", "root", &s, &err), 0);
	assert_string_equal(s, "x");

	assert_int_equal(json_get_string(j, "a", "root", &s, &err), -1);
	assert_string_equal(err->msg, "root.a: expected a string");
	berth_error_free(&err);

	assert_int_equal(json_get_uint64_opt(j, "a", "root", 4, &u, &err), -1);
	assert_non_null(strstr(err->msg, "out of range"));
	berth_error_free(&err);

	assert_int_equal(json_get_string(j, "c", "root", &s, &err), -1);
	assert_string_equal(err->msg, "root.c: missing required field");
	berth_error_free(&err);
}

static void json_parse_error_position(void **state)
{
	json_t *j = NULL;
	struct berth_error *err = NULL;

	assert_int_equal(
		json_parse_buffer("{\n\"a\": }", 8, "'config.json'", &j, &err),
		-1);
	assert_non_null(strstr(err->msg, "'config.json' at line 2"));
	berth_error_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(error_set_and_wrap),
		cmocka_unit_test(error_keeps_first_cause),
		cmocka_unit_test(error_report_status),
		cmocka_unit_test(strv_push_copy_contains),
		cmocka_unit_test(fs_atomic_write_and_read),
		cmocka_unit_test(fs_in_root_contains_symlinks),
		cmocka_unit_test(json_getters_name_fields),
		cmocka_unit_test(json_parse_error_position),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
