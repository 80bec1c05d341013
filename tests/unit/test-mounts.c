/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Mount option parsing: flags, propagation, recursive attributes, data. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mount.h>

#include <cmocka.h>

#include "runtime/rootfs-internal.h"
#include "util/cleanup.h"
#include "util/error.h"

#define PARSE(o, ...)                                                      \
	do {                                                               \
		char *opts_[] = {__VA_ARGS__, NULL};                       \
		struct berth_error *e_ = NULL;                             \
		assert_int_equal(mount_options_parse(opts_, (o), &e_), 0); \
		assert_null(e_);                                           \
	} while (0)

static void test_parse_empty(void **state)
{
	struct berth_error *err = NULL;
	struct mount_options o;

	assert_int_equal(mount_options_parse(NULL, &o, &err), 0);
	assert_int_equal(o.flags, 0);
	assert_int_equal(o.propagation, 0);
	assert_int_equal(o.attr_set, 0);
	assert_int_equal(o.attr_clr, 0);
	assert_false(o.atime_set);
	assert_null(o.data);
}

static void test_parse_flags(void **state)
{
	static const struct {
		const char *name;
		unsigned long flag;
	} cases[] = {
		{"ro", MS_RDONLY},
		{"nosuid", MS_NOSUID},
		{"nodev", MS_NODEV},
		{"noexec", MS_NOEXEC},
		{"sync", MS_SYNCHRONOUS},
		{"dirsync", MS_DIRSYNC},
		{"remount", MS_REMOUNT},
		{"mand", MS_MANDLOCK},
		{"bind", MS_BIND},
		{"rbind", MS_BIND | MS_REC},
		{"nodiratime", MS_NODIRATIME},
		{"nosymfollow", MS_NOSYMFOLLOW},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct mount_options o;

		PARSE(&o, (char *)cases[i].name);
		assert_int_equal(o.flags, cases[i].flag);
		assert_null(o.data);
		mount_options_clear(&o);
	}
}

static void test_parse_clearing_options(void **state)
{
	static const char *const pairs[][2] = {
		{"ro", "rw"},
		{"nosuid", "suid"},
		{"nodev", "dev"},
		{"noexec", "exec"},
		{"sync", "async"},
		{"mand", "nomand"},
		{"nodiratime", "diratime"},
		{"nosymfollow", "symfollow"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(pairs); i++) {
		struct mount_options o;

		PARSE(&o, (char *)pairs[i][0], (char *)pairs[i][1]);
		assert_int_equal(o.flags, 0);
		mount_options_clear(&o);
	}
}

static void test_parse_last_wins(void **state)
{
	struct mount_options o;

	PARSE(&o, "rw", "ro");
	assert_int_equal(o.flags, MS_RDONLY);
	mount_options_clear(&o);

	PARSE(&o, "ro", "rw", "nosuid");
	assert_int_equal(o.flags, MS_NOSUID);
	mount_options_clear(&o);
}

static void test_parse_typical_proc(void **state)
{
	struct mount_options o;

	PARSE(&o, "nosuid", "noexec", "nodev");
	assert_int_equal(o.flags, MS_NOSUID | MS_NOEXEC | MS_NODEV);
	assert_null(o.data);
	mount_options_clear(&o);
}

static void test_parse_data_in_order(void **state)
{
	struct mount_options o;

	PARSE(&o, "nosuid", "newinstance", "ptmxmode=0666", "mode=0620",
	      "gid=5");
	assert_int_equal(o.flags, MS_NOSUID);
	assert_string_equal(o.data,
			    "newinstance,ptmxmode=0666,mode=0620,gid=5");
	mount_options_clear(&o);

	PARSE(&o, "mode=755", "size=65536k", "strictatime");
	assert_int_equal(o.flags, MS_STRICTATIME);
	assert_string_equal(o.data, "mode=755,size=65536k");
	mount_options_clear(&o);
}

static void test_parse_skips_empty_option(void **state)
{
	struct mount_options o;

	PARSE(&o, "", "mode=755", "");
	assert_string_equal(o.data, "mode=755");
	mount_options_clear(&o);
}

static void test_parse_atime_last_wins(void **state)
{
	struct mount_options o;

	PARSE(&o, "noatime", "relatime");
	assert_int_equal(o.flags, MS_RELATIME);
	assert_true(o.atime_set);
	mount_options_clear(&o);

	PARSE(&o, "relatime", "strictatime");
	assert_int_equal(o.flags, MS_STRICTATIME);
	mount_options_clear(&o);

	PARSE(&o, "strictatime", "noatime", "nodiratime");
	assert_int_equal(o.flags, MS_NOATIME | MS_NODIRATIME);
	mount_options_clear(&o);
}

static void test_parse_atime_clearing(void **state)
{
	struct mount_options o;

	PARSE(&o, "noatime", "atime");
	assert_int_equal(o.flags, 0);
	assert_true(o.atime_set);
	mount_options_clear(&o);

	PARSE(&o, "relatime", "norelatime");
	assert_int_equal(o.flags, 0);
	mount_options_clear(&o);

	PARSE(&o, "strictatime", "nostrictatime");
	assert_int_equal(o.flags, 0);
	mount_options_clear(&o);

	/* Clearing one mode leaves another one named before it. */
	PARSE(&o, "noatime", "norelatime");
	assert_int_equal(o.flags, MS_NOATIME);
	mount_options_clear(&o);
}

static void test_parse_atime_not_set(void **state)
{
	struct mount_options o;

	PARSE(&o, "ro", "nodiratime");
	assert_false(o.atime_set);
	mount_options_clear(&o);
}

static void test_parse_propagation(void **state)
{
	static const struct {
		const char *name;
		unsigned long flags;
	} cases[] = {
		{"private", MS_PRIVATE},
		{"rprivate", MS_PRIVATE | MS_REC},
		{"shared", MS_SHARED},
		{"rshared", MS_SHARED | MS_REC},
		{"slave", MS_SLAVE},
		{"rslave", MS_SLAVE | MS_REC},
		{"unbindable", MS_UNBINDABLE},
		{"runbindable", MS_UNBINDABLE | MS_REC},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct mount_options o;

		PARSE(&o, (char *)cases[i].name);
		assert_int_equal(o.propagation, cases[i].flags);
		assert_int_equal(o.flags, 0);
		mount_options_clear(&o);
	}
}

static void test_parse_propagation_last_wins(void **state)
{
	struct mount_options o;

	PARSE(&o, "rbind", "rshared", "private");
	assert_int_equal(o.propagation, MS_PRIVATE);
	/* rbind's MS_REC stays in flags, apart from the propagation. */
	assert_int_equal(o.flags, MS_BIND | MS_REC);
	mount_options_clear(&o);
}

static void test_parse_recursive_attrs(void **state)
{
	struct mount_options o;

	PARSE(&o, "rbind", "rro", "rnosuid", "rnodev", "rnoexec");
	assert_int_equal(o.attr_set, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
					     MOUNT_ATTR_NODEV |
					     MOUNT_ATTR_NOEXEC);
	assert_int_equal(o.attr_clr, 0);
	assert_int_equal(o.flags, MS_BIND | MS_REC);
	mount_options_clear(&o);

	PARSE(&o, "rro", "rrw");
	assert_int_equal(o.attr_set, 0);
	assert_int_equal(o.attr_clr, MOUNT_ATTR_RDONLY);
	mount_options_clear(&o);

	PARSE(&o, "rsuid", "rdev", "rexec", "rdiratime", "rsymfollow");
	assert_int_equal(o.attr_set, 0);
	assert_int_equal(o.attr_clr, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
					     MOUNT_ATTR_NOEXEC |
					     MOUNT_ATTR_NODIRATIME |
					     MOUNT_ATTR_NOSYMFOLLOW);
	mount_options_clear(&o);
}

static void test_parse_recursive_atime(void **state)
{
	struct mount_options o;

	PARSE(&o, "rnoatime", "rrelatime");
	assert_int_equal(o.attr_set & MOUNT_ATTR__ATIME, MOUNT_ATTR_RELATIME);
	assert_int_equal(o.attr_clr & MOUNT_ATTR__ATIME, MOUNT_ATTR__ATIME);
	mount_options_clear(&o);

	PARSE(&o, "rstrictatime");
	assert_int_equal(o.attr_set & MOUNT_ATTR__ATIME,
			 MOUNT_ATTR_STRICTATIME);
	mount_options_clear(&o);
}

static void test_parse_tmpcopyup_ignored(void **state)
{
	struct mount_options o;

	PARSE(&o, "tmpcopyup", "mode=755");
	assert_int_equal(o.flags, 0);
	assert_string_equal(o.data, "mode=755");
	mount_options_clear(&o);
}

static void test_parse_idmap_rejected(void **state)
{
	const char *names[] = {"idmap", "ridmap"};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		char *opts[] = {"mode=755", (char *)names[i], NULL};
		struct berth_error *err = NULL;
		struct mount_options o = {.flags = 42};

		assert_int_equal(mount_options_parse(opts, &o, &err), -1);
		assert_non_null(err);
		assert_int_equal(err->errnum, ENOTSUP);
		assert_non_null(strstr(err->msg, names[i]));
		/* ret is untouched on failure. */
		assert_int_equal(o.flags, 42);
		berth_error_free(&err);
	}
}

static void test_parse_unknown_to_data(void **state)
{
	struct mount_options o;

	PARSE(&o, "ro", "context=\"system_u:object_r:container_file_t:s0\"",
	      "uid=1000");
	assert_int_equal(o.flags, MS_RDONLY);
	assert_string_equal(o.data,
			    "context=\"system_u:object_r:container_file_t:s0\","
			    "uid=1000");
	mount_options_clear(&o);
}

static void test_split_path(void **state)
{
	static const char *const cases[][3] = {
		{"/dev/null", "/dev", "null"},
		{"/dev", "/", "dev"},
		{"/a/b/c/", "/a/b", "c"},
		{"a", "", "a"},
		{"a/b", "a", "b"},
		{"/", "/", ""},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		_cleanup_free_ char *parent = NULL;
		_cleanup_free_ char *base = NULL;

		rootfs_split_path(cases[i][0], &parent, &base);
		assert_string_equal(parent, cases[i][1]);
		assert_string_equal(base, cases[i][2]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_empty),
		cmocka_unit_test(test_parse_flags),
		cmocka_unit_test(test_parse_clearing_options),
		cmocka_unit_test(test_parse_last_wins),
		cmocka_unit_test(test_parse_typical_proc),
		cmocka_unit_test(test_parse_data_in_order),
		cmocka_unit_test(test_parse_skips_empty_option),
		cmocka_unit_test(test_parse_atime_last_wins),
		cmocka_unit_test(test_parse_atime_clearing),
		cmocka_unit_test(test_parse_atime_not_set),
		cmocka_unit_test(test_parse_propagation),
		cmocka_unit_test(test_parse_propagation_last_wins),
		cmocka_unit_test(test_parse_recursive_attrs),
		cmocka_unit_test(test_parse_recursive_atime),
		cmocka_unit_test(test_parse_tmpcopyup_ignored),
		cmocka_unit_test(test_parse_idmap_rejected),
		cmocka_unit_test(test_parse_unknown_to_data),
		cmocka_unit_test(test_split_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
