/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The volume store, the copy-up and the mounts of a new container. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine/container-config.h"
#include "engine/engine.h"
#include "engine/volume.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/strv.h"
#include "util/xalloc.h"

struct fixture {
	char dir[64];
	struct engine engine;
};

static int setup(void **state)
{
	struct fixture *f = xzalloc(sizeof(*f));
	_cleanup_free_ char *root = NULL, *run = NULL;

	snprintf(f->dir, sizeof(f->dir), "/tmp/test-volume-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	root = fs_path_join(f->dir, "root");
	run = fs_path_join(f->dir, "run");
	engine_init(&f->engine, root, run, NULL);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	engine_clear(&f->engine);
	(void)fs_rm_rf(f->dir, NULL);
	free(f);
	return 0;
}

static void create_load_list_remove(void **state)
{
	struct fixture *f = *state;
	char *labels[] = {"team=db", "empty=", NULL};
	_cleanup_volume_ struct volume *v = NULL, *again = NULL;
	_cleanup_volume_ struct volume *loaded = NULL;
	_cleanup_strv_ char **names = NULL;
	_cleanup_json_ json_t *j = NULL;
	bool created = false;

	assert_int_equal(volume_create(&f->engine, "data", labels, false, &v,
				       &created, NULL),
			 0);
	assert_true(created);
	assert_true(fs_exists(v->mountpoint));

	assert_int_equal(volume_create(&f->engine, "data", NULL, false, &again,
				       &created, NULL),
			 0);
	assert_false(created);
	assert_string_equal(again->created, v->created);

	assert_int_equal(volume_load(&f->engine, "data", &loaded, NULL), 0);
	assert_false(loaded->anonymous);
	assert_true(strv_contains(loaded->labels, "team=db"));
	assert_true(strv_contains(loaded->labels, "empty="));

	j = volume_inspect_json(loaded);
	assert_string_equal(json_string_value(json_object_get(j, "Name")),
			    "data");
	assert_string_equal(json_string_value(json_object_get(j, "Scope")),
			    "local");

	assert_int_equal(volume_list(&f->engine, &names, NULL), 0);
	assert_int_equal(strv_length(names), 1);
	assert_string_equal(names[0], "data");

	assert_int_equal(volume_remove(&f->engine, "data", NULL), 0);
	assert_false(volume_exists(&f->engine, "data"));
	assert_int_equal(volume_remove(&f->engine, "data", NULL), -1);
}

static void anonymous_gets_hex_name(void **state)
{
	struct fixture *f = *state;
	_cleanup_volume_ struct volume *v = NULL;

	assert_int_equal(
		volume_create(&f->engine, NULL, NULL, true, &v, NULL, NULL), 0);
	assert_int_equal(strlen(v->name), VOLUME_ANONYMOUS_NAME_LEN);
	assert_int_equal(strspn(v->name, "0123456789abcdef"),
			 VOLUME_ANONYMOUS_NAME_LEN);
	assert_true(v->anonymous);
	assert_true(strv_contains(v->labels, VOLUME_ANONYMOUS_LABEL "="));
}

static void create_rejects_bad_name(void **state)
{
	struct fixture *f = *state;
	_cleanup_volume_ struct volume *v = NULL;
	_cleanup_strv_ char **names = NULL;
	struct berth_error *err = NULL;

	assert_int_equal(
		volume_create(&f->engine, "../x", NULL, false, &v, NULL, &err),
		-1);
	assert_non_null(strstr(err->msg, "invalid volume name"));
	berth_error_free(&err);

	assert_int_equal(volume_list(&f->engine, &names, NULL), 0);
	assert_null(names[0]);
}

/* Build a small tree with every kind of entry the copy handles. */
static void make_tree(const char *dir)
{
	_cleanup_free_ char *sub = fs_path_join(dir, "sub");
	_cleanup_free_ char *file = fs_path_join(dir, "sub/file");
	_cleanup_free_ char *symlink_path = fs_path_join(dir, "link");
	_cleanup_free_ char *fifo = fs_path_join(dir, "fifo");
	_cleanup_free_ char *hard = fs_path_join(dir, "hard");

	assert_int_equal(mkdir(sub, 0750), 0);
	assert_int_equal(fs_write_atomic(file, "hello", 5, 0640, NULL), 0);
	assert_int_equal(chown(file, 1000, 1001), 0);
	assert_int_equal(chmod(file, 04750), 0);
	assert_int_equal(symlink("/etc/passwd", symlink_path), 0);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(link(file, hard), 0);
	/* tmpfs and most file systems take trusted.* from root. */
	if (setxattr(file, "trusted.berth", "v", 1, 0) < 0)
		assert_true(errno == ENOTSUP || errno == EPERM);
	assert_int_equal(chmod(dir, 0711), 0);
}

static void copy_tree_keeps_metadata(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *src = fs_path_join(f->dir, "src");
	_cleanup_free_ char *dst = fs_path_join(f->dir, "dst");
	_cleanup_free_ char *file = fs_path_join(dst, "sub/file");
	_cleanup_free_ char *link = fs_path_join(dst, "link");
	_cleanup_free_ char *fifo = fs_path_join(dst, "fifo");
	_cleanup_free_ char *hard = fs_path_join(dst, "hard");
	_cleanup_free_ char *data = NULL, *src_file = NULL;
	_cleanup_close_ int sfd = -1, dfd = -1;
	char target[64] = "", value[8] = "";
	bool has_xattr;
	struct stat st, hard_st;
	size_t len;

	assert_int_equal(mkdir(src, 0755), 0);
	assert_int_equal(mkdir(dst, 0755), 0);
	make_tree(src);
	src_file = fs_path_join(src, "sub/file");
	has_xattr =
		getxattr(src_file, "trusted.berth", value, sizeof(value)) == 1;

	sfd = open(src, O_RDONLY | O_DIRECTORY);
	dfd = open(dst, O_RDONLY | O_DIRECTORY);
	assert_int_equal(volume_copy_tree(sfd, dfd, NULL), 0);

	assert_int_equal(stat(dst, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0711);
	assert_int_equal(lstat(file, &st), 0);
	assert_int_equal(st.st_uid, 1000);
	assert_int_equal(st.st_gid, 1001);
	assert_int_equal(st.st_mode & 07777, 04750);
	assert_int_equal(fs_read_file(file, &data, &len, NULL), 0);
	assert_string_equal(data, "hello");

	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(readlink(link, target, sizeof(target) - 1), 11);
	assert_string_equal(target, "/etc/passwd");
	assert_int_equal(lstat(fifo, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));

	assert_int_equal(stat(file, &st), 0);
	assert_int_equal(stat(hard, &hard_st), 0);
	assert_int_equal(st.st_ino, hard_st.st_ino);
	assert_int_equal(st.st_nlink, 2);

	if (has_xattr) {
		memset(value, 0, sizeof(value));
		assert_int_equal(
			getxattr(file, "trusted.berth", value, sizeof(value)),
			1);
		assert_string_equal(value, "v");
	}
}

static void prepare_rejects_duplicates(void **state)
{
	struct container_config c = {0};
	struct engine_create_options opts;
	char *volumes[] = {"a1:/data", NULL};
	char *tmpfs[] = {"/data/", NULL};
	struct berth_error *err = NULL;

	(void)state;
	engine_create_options_init(&opts);
	opts.volumes = volumes;
	opts.tmpfs = tmpfs;
	assert_int_equal(volume_mounts_prepare(&c, &opts, NULL, &err), -1);
	assert_non_null(strstr(err->msg, "duplicate mount point '/data'"));
	berth_error_free(&err);
	assert_int_equal(c.n_volumes, 0);
}

static void prepare_adds_image_volumes(void **state)
{
	struct container_config *c = xzalloc(sizeof(*c));
	struct engine_create_options opts;
	char *volumes[] = {"named:/a", NULL};
	_cleanup_json_ json_t *image =
		json_pack("{s:{s:{}, s:{}}}", "Volumes", "/a/", "/b");

	(void)state;
	engine_create_options_init(&opts);
	opts.volumes = volumes;
	assert_int_equal(volume_mounts_prepare(c, &opts, image, NULL), 0);
	assert_int_equal(c->n_volumes, 2);
	assert_string_equal(c->volumes[0].name, "named");
	assert_string_equal(c->volumes[0].destination, "/a");
	assert_string_equal(c->volumes[1].name, "");
	assert_string_equal(c->volumes[1].destination, "/b");
	container_config_free(c);
}

static void attach_and_remove_anonymous(void **state)
{
	struct fixture *f = *state;
	struct container_config *c = xzalloc(sizeof(*c));
	struct engine_create_options opts;
	char *volumes[] = {"keep1:/k", "/anon", NULL};
	_cleanup_strv_ char **names = NULL;

	engine_create_options_init(&opts);
	opts.volumes = volumes;
	assert_int_equal(volume_mounts_prepare(c, &opts, NULL, NULL), 0);
	assert_int_equal(volume_mounts_attach(&f->engine, c, NULL), 0);
	assert_true(c->volumes[1].anonymous);
	assert_non_null(c->volumes[1].source);

	assert_int_equal(volume_remove_anonymous_locked(&f->engine, c, NULL),
			 0);
	assert_int_equal(volume_list(&f->engine, &names, NULL), 0);
	assert_int_equal(strv_length(names), 1);
	assert_string_equal(names[0], "keep1");
	container_config_free(c);
}

static void config_keeps_volume_fields(void **state)
{
	struct container_config *c = xzalloc(sizeof(*c));
	_cleanup_container_config_ struct container_config *back = NULL;
	_cleanup_json_ json_t *j = NULL;

	(void)state;
	c->id = xstrdup("id");
	c->name = xstrdup("n");
	c->image = xstrdup("busybox");
	c->image_id = xstrdup("0");
	c->created = xstrdup("2024-01-01T00:00:00Z");
	c->workdir = xstrdup("/");
	c->user = xstrdup("");
	c->hostname = xstrdup("h");
	c->network = xstrdup("none");
	c->lowerdir = xstrdup("/l");
	c->volumes = xcalloc(2, sizeof(*c->volumes));
	c->n_volumes = 2;
	c->volumes[0] = (struct container_volume){
		.source = xstrdup("/root/volumes/v1/_data"),
		.destination = xstrdup("/v"),
		.name = xstrdup("v1"),
	};
	c->volumes[1] = (struct container_volume){
		.source = xstrdup("/h"),
		.destination = xstrdup("/b"),
		.read_only = true,
		.propagation = xstrdup("rslave"),
	};

	j = container_config_to_json(c);
	assert_int_equal(container_config_from_json(j, "test", &back, NULL), 0);
	assert_int_equal(back->n_volumes, 2);
	assert_string_equal(back->volumes[0].name, "v1");
	assert_null(back->volumes[0].propagation);
	assert_null(back->volumes[1].name);
	assert_string_equal(back->volumes[1].propagation, "rslave");
	assert_true(back->volumes[1].read_only);
	container_config_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(create_load_list_remove, setup,
						teardown),
		cmocka_unit_test_setup_teardown(anonymous_gets_hex_name, setup,
						teardown),
		cmocka_unit_test_setup_teardown(create_rejects_bad_name, setup,
						teardown),
		cmocka_unit_test_setup_teardown(copy_tree_keeps_metadata, setup,
						teardown),
		cmocka_unit_test(prepare_rejects_duplicates),
		cmocka_unit_test(prepare_adds_image_volumes),
		cmocka_unit_test(config_keeps_volume_fields),
		cmocka_unit_test_setup_teardown(attach_and_remove_anonymous,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
