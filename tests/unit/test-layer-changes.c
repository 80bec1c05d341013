/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * "berth diff": an overlay upper dir against lower layer directories,
 * built by hand in overlayfs form.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cmocka.h>

#include "image/layer-changes.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/strv.h"
#include "util/xalloc.h"

struct fixture {
	char dir[64];
};

static int fixture_setup(void **state)
{
	struct fixture *f = xzalloc(sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/berth-changes-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	*state = f;
	return 0;
}

static int fixture_teardown(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(fs_rm_rf(f->dir, NULL), 0);
	free(f);
	return 0;
}

static char *path_in(struct fixture *f, const char *layer, const char *path)
{
	char *p;

	xasprintf(&p, "%s/%s/%s", f->dir, layer, path);
	return p;
}

static void put_dir(struct fixture *f, const char *layer, const char *path)
{
	_cleanup_free_ char *p = path_in(f, layer, path);

	assert_int_equal(fs_mkdir_p(p, 0755, NULL), 0);
}

static void put_file(struct fixture *f, const char *layer, const char *path)
{
	_cleanup_free_ char *p = path_in(f, layer, path);

	assert_int_equal(fs_write_atomic(p, "x", 1, 0644, NULL), 0);
}

static void put_whiteout(struct fixture *f, const char *layer, const char *path)
{
	_cleanup_free_ char *p = path_in(f, layer, path);

	assert_int_equal(mknod(p, S_IFCHR, makedev(0, 0)), 0);
}

static void put_opaque(struct fixture *f, const char *layer, const char *path)
{
	_cleanup_free_ char *p = path_in(f, layer, path);

	assert_int_equal(setxattr(p, "trusted.overlay.opaque", "y", 1, 0), 0);
}

/* The changes as "K /path" lines joined by '\n'. */
static char *changes_text(struct fixture *f, char *const *exclude)
{
	_cleanup_free_ char *upper = path_in(f, "upper", "");
	_cleanup_strv_ char **lowers = NULL;
	struct layer_change *changes = NULL;
	struct berth_error *err = NULL;
	char *text = xstrdup("");
	size_t n = 0;

	strv_push_take(&lowers, path_in(f, "top", ""));
	strv_push_take(&lowers, path_in(f, "base", ""));
	if (layer_changes(upper, lowers, exclude, &changes, &n, &err) < 0)
		fail_msg("changes: %s", err->msg);

	for (size_t i = 0; i < n; i++) {
		char *next;

		xasprintf(&next, "%s%c %s\n", text, changes[i].kind,
			  changes[i].path);
		free(text);
		text = next;
	}
	layer_changes_free(changes, n);
	return text;
}

/*
 * base: /etc/passwd, /etc/group, /var/log/old, /gone
 * top:  /etc/motd, a whiteout of /gone, /var/log opaque and empty
 */
static void make_lowers(struct fixture *f)
{
	put_dir(f, "base", "etc");
	put_dir(f, "base", "var/log");
	put_file(f, "base", "etc/passwd");
	put_file(f, "base", "etc/group");
	put_file(f, "base", "var/log/old");
	put_file(f, "base", "gone");
	put_dir(f, "top", "etc");
	put_dir(f, "top", "var/log");
	put_file(f, "top", "etc/motd");
	put_whiteout(f, "top", "gone");
	put_opaque(f, "top", "var/log");
	put_dir(f, "upper", "");
}

static void added_changed_deleted(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *text = NULL;

	make_lowers(f);
	put_dir(f, "upper", "etc");
	put_file(f, "upper", "etc/motd");
	put_file(f, "upper", "etc/passwd");
	put_file(f, "upper", "etc/new");
	put_whiteout(f, "upper", "etc/group");
	/* Hidden by a whiteout in top, so new again. */
	put_file(f, "upper", "gone");
	/* Hidden by top's opaque directory, so new again. */
	put_dir(f, "upper", "var/log");
	put_file(f, "upper", "var/log/old");

	text = changes_text(f, NULL);
	assert_string_equal(text, "C /etc\n"
				  "D /etc/group\n"
				  "C /etc/motd\n"
				  "A /etc/new\n"
				  "C /etc/passwd\n"
				  "A /gone\n"
				  "C /var\n"
				  "C /var/log\n"
				  "A /var/log/old\n");
}

static void opaque_upper_dir(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *text = NULL;

	make_lowers(f);
	/* A directory removed and made again: its contents are all new. */
	put_dir(f, "upper", "etc");
	put_opaque(f, "upper", "etc");
	put_file(f, "upper", "etc/passwd");

	text = changes_text(f, NULL);
	assert_string_equal(text, "C /etc\n"
				  "A /etc/passwd\n");
}

static void unchanged_is_empty(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *text = NULL;

	make_lowers(f);
	text = changes_text(f, NULL);
	assert_string_equal(text, "");
}

static void mount_targets_left_out(void **state)
{
	struct fixture *f = *state;
	char *const exclude[] = {"etc/hosts", "etc/resolv.conf", NULL};
	_cleanup_free_ char *only_targets = NULL;
	_cleanup_free_ char *with_change = NULL;

	make_lowers(f);
	put_dir(f, "upper", "etc");
	put_file(f, "upper", "etc/hosts");
	put_file(f, "upper", "etc/resolv.conf");
	only_targets = changes_text(f, exclude);
	assert_string_equal(only_targets, "");

	/* "/etc-old" sorts between "/etc" and "/etc/new". */
	put_file(f, "upper", "etc-old");
	put_file(f, "upper", "etc/new");
	with_change = changes_text(f, exclude);
	assert_string_equal(with_change, "C /etc\n"
					 "A /etc-old\n"
					 "A /etc/new\n");
}

#define T(t) cmocka_unit_test_setup_teardown(t, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(added_changed_deleted),
		T(opaque_upper_dir),
		T(unchanged_is_empty),
		T(mount_targets_left_out),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
