/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Image archives: path checks, metadata parsers, save and load. */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "image/archive-internal.h"
#include "image/archive.h"
#include "image/blob.h"
#include "image/store.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/strv.h"
#include "util/xalloc.h"

#define MANIFEST_DIGEST \
	"sha256:"       \
	"ea2f37e6ccaa2dc0f3786137faec8544b70ea2b5d16e71459d0ab57f02bae582"

static void expect_clean(const char *path, const char *expected)
{
	_cleanup_free_ char *clean = NULL;
	struct berth_error *err = NULL;

	if (archive_path_clean(path, &clean, &err) < 0)
		fail_msg("'%s' rejected: %s", path, err->msg);
	assert_string_equal(clean, expected);
}

static void expect_path_error(const char *path, const char *message)
{
	_cleanup_free_ char *clean = NULL;
	struct berth_error *err = NULL;

	assert_int_equal(archive_path_clean(path, &clean, &err), -1);
	assert_non_null(strstr(err->msg, message));
	assert_non_null(strstr(err->msg, path));
	berth_error_free(&err);
}

static void path_clean_accepts_relative(void **state)
{
	(void)state;
	expect_clean("manifest.json", "manifest.json");
	expect_clean("./manifest.json", "manifest.json");
	expect_clean("blobs/./sha256/", "blobs/sha256");
	expect_clean("./", "");
}

static void path_clean_rejects_escapes(void **state)
{
	(void)state;
	expect_path_error("/etc/passwd", "absolute path");
	expect_path_error("../x", "'..' in the path");
	expect_path_error("a/../b", "'..' in the path");
	expect_path_error("a//b", "empty path component");
}

static void expect_link(const char *path, const char *target,
			const char *expected)
{
	_cleanup_free_ char *resolved = NULL;
	struct berth_error *err = NULL;

	if (expected == NULL) {
		assert_int_equal(
			archive_link_resolve(path, target, &resolved, &err),
			-1);
		assert_non_null(strstr(err->msg, path));
		berth_error_free(&err);
		return;
	}

	if (archive_link_resolve(path, target, &resolved, &err) < 0)
		fail_msg("'%s' -> '%s' rejected: %s", path, target, err->msg);
	assert_string_equal(resolved, expected);
}

static void link_resolve_stays_inside(void **state)
{
	(void)state;
	expect_link("abc/layer.tar", "../def.tar", "def.tar");
	expect_link("a/b/l", "./c/../d", "a/b/d");
	expect_link("l", "x/y", "x/y");
	expect_link("abc/layer.tar", "../../etc/passwd", NULL);
	expect_link("l", "..", NULL);
	expect_link("l", "/etc/passwd", NULL);
}

static void docker_manifest_parses_items(void **state)
{
	static const char doc[] =
		"[{\"Config\":\"c.json\",\"RepoTags\":[\"a:1\",\"b:2\"],"
		"\"Layers\":[\"l1/layer.tar\",\"l2.tar\"]},"
		"{\"Config\":\"d.json\",\"RepoTags\":null}]";
	struct docker_manifest_item *items = NULL;
	struct berth_error *err = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(archive_docker_manifest_parse(doc, strlen(doc), &items,
						       &n, &err),
			 0);
	assert_int_equal(n, 2);
	assert_string_equal(items[0].config, "c.json");
	assert_int_equal(strv_length(items[0].repo_tags), 2);
	assert_string_equal(items[0].repo_tags[1], "b:2");
	assert_string_equal(items[0].layers[1], "l2.tar");
	assert_null(items[1].repo_tags);
	assert_null(items[1].layers);
	archive_docker_manifest_free(items, n);
}

static void expect_docker_error(const char *doc, const char *message)
{
	struct docker_manifest_item *items = NULL;
	struct berth_error *err = NULL;
	size_t n = 0;

	assert_int_equal(archive_docker_manifest_parse(doc, strlen(doc), &items,
						       &n, &err),
			 -1);
	if (strstr(err->msg, message) == NULL)
		fail_msg("'%s' not in '%s'", message, err->msg);
	berth_error_free(&err);
}

static void docker_manifest_rejects_bad_input(void **state)
{
	(void)state;
	expect_docker_error("{}", "expected a JSON array");
	expect_docker_error("[]", "lists no image");
	expect_docker_error("[{\"RepoTags\":[]}]", "Config");
	expect_docker_error("[{\"Config\":\"c\",\"Layers\":[1]}]",
			    "manifest.json [0].Layers[0]");
	expect_docker_error("[1]", "manifest.json [0]: expected an object");
	expect_docker_error("[{", "manifest.json");
}

static char *index_doc(const char *media_type, const char *annotations)
{
	char *doc = NULL;

	xasprintf(&doc,
		  "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"%s\","
		  "\"digest\":\"" MANIFEST_DIGEST "\",\"size\":405,"
		  "\"annotations\":{%s}}]}",
		  media_type, annotations);
	return doc;
}

/* Parse a one-image index.json; return its name or "" for none. */
static char *index_name(const char *annotations)
{
	_cleanup_free_ char *doc = index_doc(
		"application/vnd.oci.image.manifest.v1+json", annotations);
	struct oci_index_item *items = NULL;
	struct berth_error *err = NULL;
	char *name;
	size_t n = 0;

	if (archive_oci_index_parse(doc, strlen(doc), &items, &n, &err) < 0)
		fail_msg("index.json rejected: %s", err->msg);
	assert_int_equal(n, 1);
	assert_string_equal(items[0].digest, MANIFEST_DIGEST);
	assert_int_equal(items[0].size, 405);
	name = xstrdup(items[0].name != NULL ? items[0].name : "");
	archive_oci_index_free(items, n);
	return name;
}

static void oci_index_names(void **state)
{
	_cleanup_free_ char *full = NULL;
	_cleanup_free_ char *bare = NULL;
	_cleanup_free_ char *containerd = NULL;
	_cleanup_free_ char *none = NULL;

	(void)state;
	full = index_name("\"org.opencontainers.image.ref.name\":\"a/b:1\"");
	assert_string_equal(full, "a/b:1");
	bare = index_name("\"org.opencontainers.image.ref.name\":\"latest\"");
	assert_string_equal(bare, "");
	containerd = index_name(
		"\"org.opencontainers.image.ref.name\":\"latest\","
		"\"io.containerd.image.name\":\"docker.io/library/x:2\"");
	assert_string_equal(containerd, "docker.io/library/x:2");
	none = index_name("");
	assert_string_equal(none, "");
}

static void expect_index_error(const char *doc, const char *message)
{
	struct oci_index_item *items = NULL;
	struct berth_error *err = NULL;
	size_t n = 0;

	assert_int_equal(
		archive_oci_index_parse(doc, strlen(doc), &items, &n, &err),
		-1);
	if (strstr(err->msg, message) == NULL)
		fail_msg("'%s' not in '%s'", message, err->msg);
	berth_error_free(&err);
}

static void oci_index_rejects_bad_input(void **state)
{
	_cleanup_free_ char *nested =
		index_doc("application/vnd.oci.image.index.v1+json", "");

	(void)state;
	expect_index_error(nested, "unsupported media type");
	expect_index_error("{\"schemaVersion\":1,\"manifests\":[]}",
			   "unsupported schemaVersion 1");
	expect_index_error("{\"schemaVersion\":2,\"manifests\":[]}",
			   "lists no image");
	expect_index_error("{\"schemaVersion\":2,\"manifests\":[{"
			   "\"digest\":\"sha512:00\",\"size\":1}]}",
			   "manifests[0].digest");
	expect_index_error("{\"schemaVersion\":2,\"manifests\":[{"
			   "\"digest\":\"" MANIFEST_DIGEST "\"}]}",
			   "manifests[0].size: missing");
	expect_index_error("{\"schemaVersion\":2,\"manifests\":[{"
			   "\"digest\":\"" MANIFEST_DIGEST "\",\"size\":-1}]}",
			   "size");
}

/* --- save and load through the store --- */

struct fixture {
	char root[64];
	char root2[64];
	struct image_store *store;
	struct image_store *store2;
	char *id;
};

static int memfd_rewind(int fd)
{
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

/* A tar with one file per path; a path "L>T" is a symlink L to T. */
static int build_tar(const char *const *paths, size_t n)
{
	struct archive *w = archive_write_new();
	struct archive_entry *ae = archive_entry_new();
	int fd = memfd_create("archive.tar", MFD_CLOEXEC);

	assert_true(fd >= 0);
	archive_write_set_format_pax_restricted(w);
	assert_int_equal(archive_write_open_fd(w, fd), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *path = xstrdup(paths[i]);
		char *target = strchr(path, '>');

		archive_entry_clear(ae);
		if (target != NULL) {
			*target++ = '\0';
			archive_entry_set_filetype(ae, AE_IFLNK);
			archive_entry_set_symlink(ae, target);
		} else {
			archive_entry_set_filetype(ae, AE_IFREG);
			archive_entry_set_size(ae, 5);
		}
		archive_entry_set_pathname(ae, path);
		archive_entry_set_perm(ae, 0755);
		assert_int_equal(archive_write_header(w, ae), ARCHIVE_OK);
		if (target == NULL)
			assert_int_equal(archive_write_data(w, "data\n", 5), 5);
	}
	assert_int_equal(archive_write_close(w), ARCHIVE_OK);
	archive_write_free(w);
	archive_entry_free(ae);
	return memfd_rewind(fd);
}

static int archive_setup(void **state)
{
	static const char *const rootfs[] = {"bin/sh", "etc/hostname"};
	struct fixture *f = xzalloc(sizeof(*f));
	struct berth_error *err = NULL;
	_cleanup_close_ int fd = build_tar(rootfs, ARRAY_SIZE(rootfs));

	snprintf(f->root, sizeof(f->root), "/tmp/berth-archive-XXXXXX");
	snprintf(f->root2, sizeof(f->root2), "/tmp/berth-archive-XXXXXX");
	assert_non_null(mkdtemp(f->root));
	assert_non_null(mkdtemp(f->root2));
	assert_int_equal(image_store_open(f->root, &f->store, &err), 0);
	assert_int_equal(image_store_open(f->root2, &f->store2, &err), 0);
	if (image_store_import(f->store, fd, "app:1", &f->id, &err) < 0)
		fail_msg("import failed: %s", err->msg);
	*state = f;
	return 0;
}

static int archive_teardown(void **state)
{
	struct fixture *f = *state;

	image_store_close(f->store);
	image_store_close(f->store2);
	assert_int_equal(fs_rm_rf(f->root, NULL), 0);
	assert_int_equal(fs_rm_rf(f->root2, NULL), 0);
	free(f->id);
	free(f);
	return 0;
}

static size_t count_blobs(const char *root)
{
	_cleanup_free_ char *path = fs_path_join(root, "blobs/sha256");
	_cleanup_closedir_ DIR *d = opendir(path);
	struct dirent *de;
	size_t n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	return n;
}

static void round_trip(struct fixture *f, enum image_archive_format format)
{
	char *refs[] = {"app:1", NULL};
	struct image_archive_loaded *loaded = NULL;
	struct berth_error *err = NULL;
	_cleanup_close_ int fd = memfd_create("save.tar", MFD_CLOEXEC);
	size_t n = 0;

	if (image_archive_save(f->store, refs, format, fd, &err) < 0)
		fail_msg("save failed: %s", err->msg);
	memfd_rewind(fd);

	if (image_archive_load(f->store2, fd, "save.tar", &loaded, &n, &err) <
	    0)
		fail_msg("load failed: %s", err->msg);
	assert_int_equal(n, 1);
	assert_string_equal(loaded[0].id, f->id);
	assert_non_null(loaded[0].names);
	assert_string_equal(loaded[0].names[0], "app:1");
	assert_null(loaded[0].names[1]);
	image_archive_loaded_free(loaded, n);
}

static void save_load_docker_archive(void **state)
{
	struct fixture *f = *state;

	round_trip(f, IMAGE_ARCHIVE_DOCKER);
	/* manifest, config and the uncompressed layer */
	assert_int_equal(count_blobs(f->root2), 3);
}

static void save_load_oci_archive(void **state)
{
	struct fixture *f = *state;

	round_trip(f, IMAGE_ARCHIVE_OCI);
	assert_int_equal(count_blobs(f->root2), 3);
}

static void save_oci_dir_writes_layout(void **state)
{
	struct fixture *f = *state;
	char *refs[] = {"app:1", NULL};
	struct berth_error *err = NULL;
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *dir = fs_path_join(f->root2, "layout");
	_cleanup_free_ char *index = fs_path_join(dir, "index.json");
	_cleanup_free_ char *layout = fs_path_join(dir, "oci-layout");

	assert_int_equal(mkdir(dir, 0755), 0);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	if (image_archive_save(f->store, refs, IMAGE_ARCHIVE_OCI_DIR, fd,
			       &err) < 0)
		fail_msg("save failed: %s", err->msg);

	assert_true(fs_exists(index));
	assert_true(fs_exists(layout));
	assert_int_equal(count_blobs(dir), 3);
}

static void save_rejects_unknown_image(void **state)
{
	struct fixture *f = *state;
	char *refs[] = {"app:1", "nosuch:2", NULL};
	struct berth_error *err = NULL;
	_cleanup_close_ int fd = memfd_create("save.tar", MFD_CLOEXEC);

	assert_int_equal(
		image_archive_save(f->store, refs, IMAGE_ARCHIVE_OCI, fd, &err),
		-1);
	assert_non_null(strstr(err->msg, "image 'nosuch:2' not found"));
	berth_error_free(&err);
	assert_int_equal(lseek(fd, 0, SEEK_END), 0);
}

static void expect_load_error(struct fixture *f, int fd, const char *message)
{
	struct image_archive_loaded *loaded = NULL;
	struct berth_error *err = NULL;
	size_t n = 0;

	assert_int_equal(
		image_archive_load(f->store2, fd, "bad.tar", &loaded, &n, &err),
		-1);
	if (strstr(err->msg, message) == NULL)
		fail_msg("'%s' not in '%s'", message, err->msg);
	assert_non_null(strstr(err->msg, "load 'bad.tar'"));
	berth_error_free(&err);
	assert_null(loaded);
	assert_int_equal(count_blobs(f->root2), 0);
}

static void load_rejects_hostile_entries(void **state)
{
	static const char *const escape[] = {"a.tar", "x/l>../../a.tar"};
	static const char *const dup[] = {"a.tar", "./a.tar"};
	static const char *const loop[] = {"manifest.json>b",
					   "b>manifest.json"};
	static const char *const none[] = {"a.tar"};
	struct fixture *f = *state;
	_cleanup_close_ int fd1 = build_tar(escape, ARRAY_SIZE(escape));
	_cleanup_close_ int fd2 = build_tar(dup, ARRAY_SIZE(dup));
	_cleanup_close_ int fd3 = build_tar(loop, ARRAY_SIZE(loop));
	_cleanup_close_ int fd4 = build_tar(none, ARRAY_SIZE(none));

	expect_load_error(f, fd1, "entry 'x/l': symlink to '../../a.tar'");
	expect_load_error(f, fd2, "entry 'a.tar' appears twice");
	expect_load_error(f, fd3, "more than 8 symlinks");
	expect_load_error(f, fd4, "neither manifest.json nor index.json");
}

/* A failed load removes the blobs it wrote and only those. */
static void load_failure_keeps_other_blobs(void **state)
{
	static const char *const none[] = {"a.tar"};
	struct fixture *f = *state;
	_cleanup_close_ int fd = build_tar(none, ARRAY_SIZE(none));
	struct image_archive_loaded *loaded = NULL;
	struct berth_error *err = NULL;
	char digest[DIGEST_STRING_SIZE];
	size_t n = 0;

	assert_int_equal(blob_write_buffer(f->root2, "stray", 5, digest, &err),
			 0);
	assert_int_equal(
		image_archive_load(f->store2, fd, "bad.tar", &loaded, &n, &err),
		-1);
	berth_error_free(&err);
	assert_true(blob_exists(f->root2, digest));
	assert_int_equal(count_blobs(f->root2), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(path_clean_accepts_relative),
		cmocka_unit_test(path_clean_rejects_escapes),
		cmocka_unit_test(link_resolve_stays_inside),
		cmocka_unit_test(docker_manifest_parses_items),
		cmocka_unit_test(docker_manifest_rejects_bad_input),
		cmocka_unit_test(oci_index_names),
		cmocka_unit_test(oci_index_rejects_bad_input),
		cmocka_unit_test_setup_teardown(save_load_docker_archive,
						archive_setup,
						archive_teardown),
		cmocka_unit_test_setup_teardown(
			save_load_oci_archive, archive_setup, archive_teardown),
		cmocka_unit_test_setup_teardown(save_oci_dir_writes_layout,
						archive_setup,
						archive_teardown),
		cmocka_unit_test_setup_teardown(save_rejects_unknown_image,
						archive_setup,
						archive_teardown),
		cmocka_unit_test_setup_teardown(load_failure_keeps_other_blobs,
						archive_setup,
						archive_teardown),
		cmocka_unit_test_setup_teardown(load_rejects_hostile_entries,
						archive_setup,
						archive_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
