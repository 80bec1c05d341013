/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The -v, --mount and --tmpfs parsers and the volume name check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "engine/mount-spec.h"
#include "util/cleanup.h"
#include "util/error.h"

static void volume_names_follow_docker(void **state)
{
	static const char *const good[] = {"ab", "a1", "1.b", "x_y-z.0",
					   "DATA"};
	static const char *const bad[] = {"",	 "a",	"_a",  ".a", "-a",
					  "a/b", "a b", "a:b", "..", "é1"};
	char long_name[VOLUME_NAME_MAX + 2];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(good); i++)
		assert_int_equal(volume_name_validate(good[i], NULL), 0);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(volume_name_validate(bad[i], NULL), -1);

	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	assert_int_equal(volume_name_validate(long_name, NULL), -1);
	long_name[VOLUME_NAME_MAX] = '\0';
	assert_int_equal(volume_name_validate(long_name, NULL), 0);
}

static void destination_is_normalized(void **state)
{
	_cleanup_error_ struct berth_error *err = NULL;
	char *out = NULL;

	(void)state;
	assert_int_equal(mount_destination_normalize("volume", "//a/./b//", "x",
						     &out, NULL),
			 0);
	assert_string_equal(out, "/a/b");
	free(out);

	assert_int_equal(mount_destination_normalize("volume", "/./", "spec",
						     &out, &err),
			 -1);
	assert_non_null(strstr(err->msg, "must not be '/'"));
	assert_int_equal(
		mount_destination_normalize("volume", "rel", "x", &out, NULL),
		-1);
	assert_int_equal(mount_destination_normalize("volume", "/a/../b", "x",
						     &out, NULL),
			 -1);
	assert_int_equal(mount_destination_normalize("volume", "/proc/sys", "x",
						     &out, NULL),
			 -1);
	assert_int_equal(mount_destination_normalize("volume", "/procfs", "x",
						     &out, NULL),
			 0);
	assert_string_equal(out, "/procfs");
	free(out);
}

static void volume_flag_forms(void **state)
{
	struct mount_spec m;

	(void)state;
	assert_int_equal(mount_spec_parse_volume("/anon", &m, NULL), 0);
	assert_int_equal(m.type, MOUNT_TYPE_VOLUME);
	assert_null(m.source);
	assert_string_equal(m.destination, "/anon");
	mount_spec_clear(&m);

	assert_int_equal(mount_spec_parse_volume("data:/d:ro,nocopy", &m, NULL),
			 0);
	assert_int_equal(m.type, MOUNT_TYPE_VOLUME);
	assert_string_equal(m.source, "data");
	assert_true(m.read_only);
	assert_true(m.nocopy);
	mount_spec_clear(&m);

	assert_int_equal(mount_spec_parse_volume("/h:/d:rslave,Z,rw", &m, NULL),
			 0);
	assert_int_equal(m.type, MOUNT_TYPE_BIND);
	assert_string_equal(m.source, "/h");
	assert_string_equal(m.propagation, "rslave");
	assert_true(m.create_source);
	assert_false(m.read_only);
	mount_spec_clear(&m);
}

static void volume_flag_errors(void **state)
{
	static const char *const bad[] = {
		"",
		"a:",
		":/d",
		"/d:ro",
		"a:b:c:d",
		"a:/d:xx",
		"a:/d:ro,rw",
		"a:/d:z,Z",
		"a:/d:shared",
		"/h:/d:nocopy",
		"v:rel",
		"v:/",
		"x:/d",
	};
	struct mount_spec m;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct berth_error *err = NULL;

		assert_int_equal(mount_spec_parse_volume(bad[i], &m, &err), -1);
		assert_non_null(err);
		berth_error_free(&err);
	}
}

static void mount_flag_keys_and_aliases(void **state)
{
	struct mount_spec m;

	(void)state;
	assert_int_equal(mount_spec_parse_mount("type=bind,src=/h,dst=/d,ro,"
						"bind-propagation=shared",
						&m, NULL),
			 0);
	assert_int_equal(m.type, MOUNT_TYPE_BIND);
	assert_string_equal(m.source, "/h");
	assert_string_equal(m.destination, "/d");
	assert_true(m.read_only);
	assert_string_equal(m.propagation, "shared");
	assert_false(m.create_source);
	mount_spec_clear(&m);

	assert_int_equal(mount_spec_parse_mount("target=/v,volume-nocopy,"
						"readonly=false,"
						"volume-label=a=b",
						&m, NULL),
			 0);
	assert_int_equal(m.type, MOUNT_TYPE_VOLUME);
	assert_null(m.source);
	assert_true(m.nocopy);
	assert_false(m.read_only);
	assert_string_equal(m.volume_labels[0], "a=b");
	mount_spec_clear(&m);

	assert_int_equal(mount_spec_parse_mount("type=tmpfs,destination=/t,"
						"tmpfs-size=2m,"
						"tmpfs-mode=1777",
						&m, NULL),
			 0);
	assert_int_equal(m.type, MOUNT_TYPE_TMPFS);
	assert_string_equal(m.tmpfs_options, "size=2097152,mode=1777");
	mount_spec_clear(&m);
}

static void mount_flag_errors(void **state)
{
	static const char *const bad[] = {
		"type=bind,target=/d",
		"type=bind,source=rel,target=/d",
		"type=tmpfs,source=x,target=/d",
		"type=volume,source=v",
		"type=other,target=/d",
		"type=volume,target=/d,bind-propagation=shared",
		"type=bind,source=/h,target=/d,volume-nocopy",
		"type=volume,target=/d,tmpfs-size=1m",
		"type=tmpfs,target=/d,tmpfs-size=1x",
		"type=tmpfs,target=/d,tmpfs-size=99999999999999999999",
		"type=tmpfs,target=/d,tmpfs-mode=8",
		"type=tmpfs,target=/d,tmpfs-mode=17777",
		"type=volume,target=/d,readonly=maybe",
		"type=volume,target=/d,volume-driver=nfs",
		"type=volume,target=/d,source",
		"type=volume,target=/d,colour=red",
	};
	struct mount_spec m;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct berth_error *err = NULL;

		assert_int_equal(mount_spec_parse_mount(bad[i], &m, &err), -1);
		assert_non_null(err);
		berth_error_free(&err);
	}
}

static void tmpfs_flag_keeps_options(void **state)
{
	struct mount_spec m;

	(void)state;
	assert_int_equal(mount_spec_parse_tmpfs("/run/:size=1m,exec", &m, NULL),
			 0);
	assert_string_equal(m.destination, "/run");
	assert_string_equal(m.tmpfs_options, "size=1m,exec");
	mount_spec_clear(&m);

	assert_int_equal(mount_spec_parse_tmpfs("/", &m, NULL), -1);
	assert_int_equal(mount_spec_parse_tmpfs("run", &m, NULL), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(volume_names_follow_docker),
		cmocka_unit_test(destination_is_normalized),
		cmocka_unit_test(volume_flag_forms),
		cmocka_unit_test(volume_flag_errors),
		cmocka_unit_test(mount_flag_keys_and_aliases),
		cmocka_unit_test(mount_flag_errors),
		cmocka_unit_test(tmpfs_flag_keeps_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
