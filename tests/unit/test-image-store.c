/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The image store through its public API, on a temp directory. */
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
#include <errno.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "image/blob.h"
#include "image/digest.h"
#include "image/layer-feed.h"
#include "image/store.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/strv.h"
#include "util/xalloc.h"

struct fixture {
	char root[64];
	struct image_store *store;
};

static int store_setup(void **state)
{
	struct fixture *f = xzalloc(sizeof(*f));
	struct berth_error *err = NULL;

	snprintf(f->root, sizeof(f->root), "/tmp/berth-store-XXXXXX");
	assert_non_null(mkdtemp(f->root));
	assert_int_equal(image_store_open(f->root, &f->store, &err), 0);
	*state = f;
	return 0;
}

static int store_teardown(void **state)
{
	struct fixture *f = *state;

	image_store_close(f->store);
	assert_int_equal(fs_rm_rf(f->root, NULL), 0);
	free(f);
	return 0;
}

/* A small root file system; gzip selects the compression filter. */
static int build_rootfs_tar(bool gzip, const char *bad_entry)
{
	struct archive *w = archive_write_new();
	struct archive_entry *ae = archive_entry_new();
	int fd = memfd_create("rootfs.tar", MFD_CLOEXEC);
	const char *files[] = {"bin/sh", "etc/hostname", bad_entry};

	assert_true(fd >= 0);
	archive_write_set_format_pax_restricted(w);
	if (gzip)
		archive_write_add_filter_gzip(w);
	assert_int_equal(archive_write_open_fd(w, fd), ARCHIVE_OK);

	for (size_t i = 0; i < ARRAY_SIZE(files) && files[i] != NULL; i++) {
		archive_entry_clear(ae);
		archive_entry_set_pathname(ae, files[i]);
		archive_entry_set_filetype(ae, AE_IFREG);
		archive_entry_set_perm(ae, 0755);
		archive_entry_set_size(ae, 5);
		assert_int_equal(archive_write_header(w, ae), ARCHIVE_OK);
		assert_int_equal(archive_write_data(w, "data\n", 5), 5);
	}

	assert_int_equal(archive_write_close(w), ARCHIVE_OK);
	archive_write_free(w);
	archive_entry_free(ae);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

static char *import(struct fixture *f, bool gzip, const char *name)
{
	_cleanup_close_ int fd = build_rootfs_tar(gzip, NULL);
	struct berth_error *err = NULL;
	char *id = NULL;

	if (image_store_import_from(f->store, fd, "rootfs.tar", name, &id,
				    &err) < 0)
		fail_msg("import failed: %s", err->msg);
	return id;
}

static size_t count_entries(const char *root, const char *sub)
{
	_cleanup_free_ char *path = fs_path_join(root, sub);
	_cleanup_closedir_ DIR *d = opendir(path);
	struct dirent *de;
	size_t n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			n++;
	return n;
}

static void expect_lookup(struct fixture *f, const char *ref, const char *id)
{
	struct image_info *image = NULL;
	struct berth_error *err = NULL;

	if (image_store_lookup(f->store, ref, &image, &err) < 0)
		fail_msg("lookup '%s' failed: %s", ref, err->msg);
	assert_string_equal(image->id, id);
	image_info_free(image);
}

static void store_import_and_lookup(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *id = import(f, false, "app");
	_cleanup_free_ char *prefixed = NULL;
	_cleanup_free_ char *with_digest = NULL;
	struct image_info *image = NULL;
	struct berth_error *err = NULL;
	char short_id[8];

	assert_true(digest_hex_valid(id));
	snprintf(short_id, sizeof(short_id), "%.5s", id);
	xasprintf(&prefixed, "sha256:%s", id);

	expect_lookup(f, "app", id);
	expect_lookup(f, "app:latest", id);
	expect_lookup(f, id, id);
	expect_lookup(f, short_id, id);
	expect_lookup(f, prefixed, id);

	assert_int_equal(image_store_lookup(f->store, "app", &image, &err), 0);
	assert_string_equal(image->names[0], "app:latest");
	assert_null(image->names[1]);
	assert_int_equal(strv_length(image->diff_ids), 1);
	assert_string_equal(image->chain_ids[0], image->diff_ids[0]);
	assert_non_null(image->created);
	assert_true(image->size > 0);
	expect_lookup(f, image->manifest_digest, id);
	xasprintf(&with_digest, "app@%s", image->manifest_digest);
	expect_lookup(f, with_digest, id);
	image_info_free(image);
}

static void store_lookup_errors(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *id = import(f, false, "app:v1");
	struct image_info *image = NULL;
	struct berth_error *err = NULL;

	assert_int_equal(image_store_find(f->store, "app", &image, &err), 0);
	assert_null(image);

	assert_int_equal(image_store_lookup(f->store, "other", &image, &err),
			 -1);
	assert_non_null(strstr(err->msg, "image 'other' not found"));
	berth_error_free(&err);

	assert_int_equal(image_store_lookup(f->store, "App", &image, &err), -1);
	assert_non_null(strstr(err->msg, "must be lowercase"));
	berth_error_free(&err);

	assert_int_equal(
		image_store_lookup(f->store, "sha256:12", &image, &err), -1);
	assert_non_null(strstr(err->msg, "invalid digest"));
	berth_error_free(&err);
}

static void store_gzip_input_kept_as_blob(void **state)
{
	struct fixture *f = *state;
	_cleanup_close_ int fd = build_rootfs_tar(true, NULL);
	_cleanup_free_ char *input = NULL;
	_cleanup_free_ char *id = NULL;
	struct image_info *image = NULL;
	struct berth_error *err = NULL;
	char input_digest[DIGEST_STRING_SIZE];
	json_t *layer;
	size_t len;

	assert_int_equal(fs_read_all(fd, &input, &len, &err), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	digest_buffer(input, len, input_digest);

	assert_int_equal(image_store_import(f->store, fd, "gz", &id, &err), 0);
	assert_int_equal(image_store_lookup(f->store, "gz", &image, &err), 0);

	layer = json_array_get(json_object_get(image->manifest, "layers"), 0);
	assert_string_equal(json_string_value(json_object_get(layer, "digest")),
			    input_digest);
	assert_string_equal(
		json_string_value(json_object_get(layer, "mediaType")),
		"application/vnd.oci.image.layer.v1.tar+gzip");
	image_info_free(image);
}

static void store_same_layer_for_plain_and_gzip(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *a = import(f, false, "plain");
	_cleanup_free_ char *b = import(f, true, "gzip");
	struct image_info *x = NULL;
	struct image_info *y = NULL;
	struct berth_error *err = NULL;

	assert_int_equal(image_store_lookup(f->store, "plain", &x, &err), 0);
	assert_int_equal(image_store_lookup(f->store, "gzip", &y, &err), 0);
	assert_string_equal(x->diff_ids[0], y->diff_ids[0]);
	assert_int_equal(count_entries(f->root, "layers"), 1);
	image_info_free(x);
	image_info_free(y);
}

static void store_tag_and_remove(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *id = import(f, false, "app:v1");
	struct image_removal removal = {0};
	struct berth_error *err = NULL;

	assert_int_equal(image_store_tag(f->store, "app:v1", "app:v2", &err),
			 0);
	expect_lookup(f, "app:v2", id);

	assert_int_equal(
		image_store_remove_image(f->store, id, false, &removal, &err),
		-1);
	assert_non_null(strstr(err->msg, "has several names"));
	berth_error_free(&err);

	assert_int_equal(image_store_remove_image(f->store, "app:v1", false,
						  &removal, &err),
			 0);
	assert_string_equal(removal.untagged[0], "app:v1");
	assert_null(removal.deleted_id);
	image_removal_clear(&removal);
	expect_lookup(f, "app:v2", id);

	assert_int_equal(image_store_remove_image(f->store, "app:v2", false,
						  &removal, &err),
			 0);
	assert_string_equal(removal.deleted_id, id);
	image_removal_clear(&removal);

	assert_int_equal(count_entries(f->root, "blobs/sha256"), 0);
	assert_int_equal(count_entries(f->root, "layers"), 0);
}

static void store_force_remove_by_id(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *id = import(f, false, "a");
	_cleanup_free_ char *other = import(f, true, "b");
	struct image_removal removal = {0};
	struct berth_error *err = NULL;

	assert_int_equal(image_store_tag(f->store, "a", "c", &err), 0);
	assert_int_equal(
		image_store_remove_image(f->store, id, true, &removal, &err),
		0);
	assert_int_equal(strv_length(removal.untagged), 2);
	assert_string_equal(removal.deleted_id, id);
	image_removal_clear(&removal);

	/* The layer is shared with "b" and stays. */
	assert_int_equal(count_entries(f->root, "layers"), 1);
	expect_lookup(f, "b", other);
}

static void store_tag_moves_name(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *old = import(f, false, "app");
	_cleanup_free_ char *new = import(f, true, "app");
	struct image_info **list = NULL;
	struct berth_error *err = NULL;
	size_t n = 0;

	expect_lookup(f, "app", new);
	expect_lookup(f, old, old);
	assert_int_equal(image_store_list(f->store, &list, &n, &err), 0);
	assert_int_equal(n, 2);
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i]->id, old) == 0)
			assert_null(list[i]->names[0]);
	image_info_list_free(list, n);
}

static void store_layer_dirs_reextract(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *id = import(f, true, "app");
	_cleanup_strv_ char **dirs = NULL;
	_cleanup_strv_ char **again = NULL;
	_cleanup_free_ char *file = NULL;
	struct image_info *image = NULL;
	struct berth_error *err = NULL;

	assert_int_equal(image_store_lookup(f->store, "app", &image, &err), 0);
	assert_int_equal(image_store_layer_dirs(f->store, image, &dirs, &err),
			 0);
	assert_int_equal(strv_length(dirs), 1);
	file = fs_path_join(dirs[0], "etc/hostname");
	assert_true(fs_exists(file));

	assert_int_equal(fs_rm_rf(dirs[0], NULL), 0);
	if (image_store_layer_dirs(f->store, image, &again, &err) < 0)
		fail_msg("re-extraction failed: %s", err->msg);
	assert_string_equal(again[0], dirs[0]);
	assert_true(fs_exists(file));
	image_info_free(image);
}

/* A plain tar over 1 MiB becomes a blob of several gzip members. */
static void store_reextract_multi_member_blob(void **state)
{
	struct fixture *f = *state;
	struct archive *w = archive_write_new();
	struct archive_entry *ae = archive_entry_new();
	_cleanup_close_ int fd = memfd_create("big.tar", MFD_CLOEXEC);
	_cleanup_free_ char *big = xmalloc(3 << 20);
	_cleanup_free_ char *id = NULL;
	_cleanup_strv_ char **dirs = NULL;
	_cleanup_free_ char *file = NULL;
	struct image_info *image = NULL;
	struct berth_error *err = NULL;
	struct stat st;

	for (size_t i = 0; i < (3 << 20); i++)
		big[i] = (char)(i * 7 + i / 4096);
	archive_write_set_format_pax_restricted(w);
	assert_int_equal(archive_write_open_fd(w, fd), ARCHIVE_OK);
	archive_entry_set_pathname(ae, "big");
	archive_entry_set_filetype(ae, AE_IFREG);
	archive_entry_set_perm(ae, 0644);
	archive_entry_set_size(ae, 3 << 20);
	assert_int_equal(archive_write_header(w, ae), ARCHIVE_OK);
	assert_int_equal(archive_write_data(w, big, 3 << 20), 3 << 20);
	assert_int_equal(archive_write_close(w), ARCHIVE_OK);
	archive_write_free(w);
	archive_entry_free(ae);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);

	assert_int_equal(image_store_import(f->store, fd, "big", &id, &err), 0);
	assert_int_equal(image_store_lookup(f->store, "big", &image, &err), 0);
	assert_int_equal(image_store_layer_dirs(f->store, image, &dirs, &err),
			 0);
	assert_int_equal(fs_rm_rf(dirs[0], NULL), 0);
	strv_free(dirs);
	dirs = NULL;

	if (image_store_layer_dirs(f->store, image, &dirs, &err) < 0)
		fail_msg("re-extraction failed: %s", err->msg);
	file = fs_path_join(dirs[0], "big");
	assert_int_equal(stat(file, &st), 0);
	assert_int_equal(st.st_size, 3 << 20);
	image_info_free(image);
}

static void store_failed_import_leaves_nothing(void **state)
{
	struct fixture *f = *state;
	_cleanup_close_ int fd = build_rootfs_tar(false, "../escape");
	struct image_info **list = NULL;
	struct berth_error *err = NULL;
	char *id = NULL;
	size_t n = 0;

	assert_int_equal(image_store_import(f->store, fd, "bad", &id, &err),
			 -1);
	assert_non_null(strstr(err->msg, "'../escape'"));
	berth_error_free(&err);

	assert_int_equal(image_store_list(f->store, &list, &n, &err), 0);
	assert_int_equal(n, 0);
	image_info_list_free(list, n);
	assert_int_equal(count_entries(f->root, "blobs/sha256"), 0);
	assert_int_equal(count_entries(f->root, "layers"), 0);
	assert_int_equal(count_entries(f->root, "tmp"), 0);
}

/* Import until two ids share their first 3 hex digits (about 80 tries). */
static void store_ambiguous_short_id(void **state)
{
	struct fixture *f = *state;
	_cleanup_strv_ char **ids = NULL;
	struct image_info *image = NULL;
	struct berth_error *err = NULL;
	char prefix[4] = {0};

	for (int i = 0; i < 1000 && prefix[0] == '\0'; i++) {
		char *id = import(f, false, NULL);

		for (size_t j = 0; ids != NULL && ids[j] != NULL; j++)
			if (strncmp(ids[j], id, 3) == 0)
				memcpy(prefix, id, 3);
		strv_push_take(&ids, id);
	}
	assert_int_not_equal(prefix[0], '\0');

	assert_int_equal(image_store_lookup(f->store, prefix, &image, &err),
			 -1);
	assert_non_null(strstr(err->msg, "matches several images"));
	berth_error_free(&err);
}

static void store_open_removes_stale_temp_files(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *blob = fs_path_join(f->root, "tmp/blob-123456");
	_cleanup_free_ char *layer = fs_path_join(f->root, "layers/.tmp-abc");
	_cleanup_free_ char *index_tmp =
		fs_path_join(f->root, ".tmp-99-index.json");
	_cleanup_free_ char *id = import(f, false, "kept");
	struct image_store *again = NULL;
	struct berth_error *err = NULL;

	assert_int_equal(fs_write_atomic(blob, "x", 1, 0600, &err), 0);
	assert_int_equal(fs_mkdir_p(layer, 0755, &err), 0);
	assert_int_equal(fs_write_atomic(index_tmp, "{", 1, 0600, &err), 0);

	assert_int_equal(image_store_open(f->root, &again, &err), 0);
	assert_false(fs_exists(blob));
	assert_false(fs_exists(layer));
	assert_false(fs_exists(index_tmp));
	assert_int_equal(count_entries(f->root, "layers"), 1);
	expect_lookup(f, "kept", id);
	image_store_close(again);
}

/* Build a plain tar of regular files, each "path=content". */
static char *build_layer(const char *const *files, size_t *ret_len)
{
	struct archive *w = archive_write_new();
	struct archive_entry *ae = archive_entry_new();
	_cleanup_close_ int fd = memfd_create("layer.tar", MFD_CLOEXEC);
	char *data = NULL;

	archive_write_set_format_pax_restricted(w);
	assert_int_equal(archive_write_open_fd(w, fd), ARCHIVE_OK);
	for (size_t i = 0; files[i] != NULL; i++) {
		const char *eq = strchr(files[i], '=');
		_cleanup_free_ char *path = xstrndup(files[i], eq - files[i]);

		archive_entry_clear(ae);
		archive_entry_set_pathname(ae, path);
		archive_entry_set_filetype(ae, AE_IFREG);
		archive_entry_set_perm(ae, 0644);
		archive_entry_set_size(ae, strlen(eq + 1));
		assert_int_equal(archive_write_header(w, ae), ARCHIVE_OK);
		archive_write_data(w, eq + 1, strlen(eq + 1));
	}
	assert_int_equal(archive_write_close(w), ARCHIVE_OK);
	archive_write_free(w);
	archive_entry_free(ae);

	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(fs_read_all(fd, &data, ret_len, NULL), 0);
	return data;
}

static void write_blob(struct fixture *f, const char *data, size_t len,
		       char digest[DIGEST_STRING_SIZE])
{
	struct berth_error *err = NULL;

	assert_int_equal(blob_write_buffer(f->root, data, len, digest, &err),
			 0);
}

/* Write a two-layer image as a pull would and return its manifest digest. */
static void write_two_layer_image(struct fixture *f,
				  char manifest[DIGEST_STRING_SIZE])
{
	static const char *const lower[] = {"etc/keep=k", "etc/gone=g",
					    "var/cache/old=o", NULL};
	static const char *const upper[] = {
		"etc/.wh.gone=", "var/cache/.wh..wh..opq=", "var/cache/new=n",
		NULL};
	char l0[DIGEST_STRING_SIZE], l1[DIGEST_STRING_SIZE];
	char config[DIGEST_STRING_SIZE];
	_cleanup_free_ char *t0 = NULL, *t1 = NULL;
	_cleanup_free_ char *c = NULL, *m = NULL;
	size_t n0, n1;

	t0 = build_layer(lower, &n0);
	t1 = build_layer(upper, &n1);
	write_blob(f, t0, n0, l0);
	write_blob(f, t1, n1, l1);

	xasprintf(&c,
		  "{\"architecture\":\"amd64\",\"os\":\"linux\","
		  "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"%s\","
		  "\"%s\"]}}",
		  l0, l1);
	write_blob(f, c, strlen(c), config);

	xasprintf(&m,
		  "{\"schemaVersion\":2,\"mediaType\":\"%s\",\"config\":"
		  "{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%zu},"
		  "\"layers\":[{\"mediaType\":\"%s\",\"digest\":\"%s\","
		  "\"size\":%zu},{\"mediaType\":\"%s\",\"digest\":\"%s\","
		  "\"size\":%zu}]}",
		  "application/vnd.oci.image.manifest.v1+json",
		  "application/vnd.oci.image.config.v1+json", config, strlen(c),
		  "application/vnd.oci.image.layer.v1.tar", l0, n0,
		  "application/vnd.oci.image.layer.v1.tar", l1, n1);
	write_blob(f, m, strlen(m), manifest);
}

static void store_two_layers_stack_in_overlay(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *id = NULL;
	_cleanup_free_ char *mnt = fs_path_join(f->root, "mnt");
	_cleanup_free_ char *options = NULL;
	_cleanup_free_ char *keep = fs_path_join(mnt, "etc/keep");
	_cleanup_free_ char *gone = fs_path_join(mnt, "etc/gone");
	_cleanup_free_ char *old = fs_path_join(mnt, "var/cache/old");
	_cleanup_free_ char *new = fs_path_join(mnt, "var/cache/new");
	_cleanup_strv_ char **dirs = NULL;
	struct image_info *image = NULL;
	struct berth_error *err = NULL;
	char manifest[DIGEST_STRING_SIZE];
	bool seen_keep, seen_gone, seen_old, seen_new;

	write_two_layer_image(f, manifest);
	if (image_store_add_image(f->store, manifest, "multi:1", &id, &err) < 0)
		fail_msg("add image failed: %s", err->msg);
	assert_int_equal(image_store_lookup(f->store, "multi:1", &image, &err),
			 0);
	assert_int_equal(image_store_layer_dirs(f->store, image, &dirs, &err),
			 0);
	assert_int_equal(strv_length(dirs), 2);
	assert_string_equal(image->chain_ids[1] + strlen(DIGEST_PREFIX),
			    strrchr(dirs[0], '/') + 1);

	/* The layer directories stack as overlay lower directories. */
	assert_int_equal(mkdir(mnt, 0755), 0);
	xasprintf(&options, "lowerdir=%s:%s", dirs[0], dirs[1]);
	if (mount("overlay", mnt, "overlay", MS_RDONLY, options) < 0)
		fail_msg("mount overlay '%s': %s", options, strerror(errno));
	/* Unmount before checking, so a failed check leaves no mount. */
	seen_keep = fs_exists(keep);
	seen_gone = fs_exists(gone);
	seen_old = fs_exists(old);
	seen_new = fs_exists(new);
	assert_int_equal(umount2(mnt, MNT_DETACH), 0);

	assert_true(seen_keep);
	assert_false(seen_gone);
	assert_false(seen_old);
	assert_true(seen_new);
	image_info_free(image);
}

static void store_inspect_json(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *id = import(f, false, "app:v1");
	_cleanup_free_ char *expected_id = NULL;
	struct image_info *image = NULL;
	struct berth_error *err = NULL;
	_cleanup_json_ json_t *j = NULL;
	json_t *rootfs;

	assert_int_equal(image_store_lookup(f->store, "app:v1", &image, &err),
			 0);
	j = image_info_to_json(image);
	xasprintf(&expected_id, "sha256:%s", id);
	assert_string_equal(json_string_value(json_object_get(j, "Id")),
			    expected_id);
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(j, "RepoTags"), 0)),
			    "app:v1");
	assert_string_equal(json_string_value(json_object_get(j, "Os")),
			    "linux");
	assert_non_null(json_object_get(j, "Architecture"));
	assert_non_null(json_object_get(json_object_get(j, "Config"), "Env"));
	rootfs = json_object_get(j, "RootFS");
	assert_string_equal(json_string_value(json_object_get(rootfs, "Type")),
			    "layers");
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(rootfs, "Layers"), 0)),
			    image->diff_ids[0]);
	assert_int_equal(json_array_size(json_object_get(j, "History")), 1);
	image_info_free(image);
}

/* Feed data to a layer feed in pieces of step bytes, as a download does. */
static void feed_pieces(struct layer_feed *feed, const char *data, size_t len,
			size_t step)
{
	struct berth_error *err = NULL;

	for (size_t off = 0; off < len; off += step) {
		size_t n = len - off < step ? len - off : step;

		assert_int_equal(layer_feed_write(feed, data + off, n, &err),
				 0);
	}
}

/* A layer larger than the feed's pipe, so the writer has to wait. */
static char *build_big_layer(size_t *ret_len)
{
	size_t size = 3 << 20;
	_cleanup_free_ char *file = xmalloc(size + sizeof("big="));

	memcpy(file, "big=", 4);
	for (size_t i = 0; i < size; i++)
		file[4 + i] = 'a' + i % 26;
	file[4 + size] = '\0';
	return build_layer((const char *const[]){file, NULL}, ret_len);
}

static void store_layer_feed_commits_verified_layer(void **state)
{
	struct fixture *f = *state;
	_cleanup_layer_feed_ struct layer_feed *feed = NULL;
	struct berth_error *err = NULL;
	_cleanup_free_ char *data = NULL;
	_cleanup_free_ char *file = NULL;
	_cleanup_free_ char *content = NULL;
	char diff_id[DIGEST_STRING_SIZE];
	char chain_id[DIGEST_STRING_SIZE];
	size_t len, content_len;

	data = build_big_layer(&len);
	digest_buffer(data, len, diff_id);
	digest_chain_id(NULL, diff_id, chain_id);
	assert_true(layer_feed_needed(f->store, chain_id));

	assert_int_equal(
		layer_feed_start(f->store, diff_id, chain_id, &feed, &err), 0);
	feed_pieces(feed, data, len, 16384);
	assert_int_equal(count_entries(f->root, "layers"), 1);
	assert_int_equal(layer_feed_end(feed, &err), 0);
	assert_int_equal(layer_feed_commit(feed, &err), 0);

	assert_false(layer_feed_needed(f->store, chain_id));
	xasprintf(&file, "%s/layers/%s/big", f->root,
		  chain_id + strlen(DIGEST_PREFIX));
	assert_int_equal(fs_read_file(file, &content, &content_len, NULL), 0);
	assert_int_equal(content_len, 3 << 20);
	assert_int_equal(content[27], 'b');
	layer_feed_free(TAKE_PTR(feed));
	assert_int_equal(count_entries(f->root, "layers"), 1);
}

static void store_layer_feed_rejects_wrong_diff_id(void **state)
{
	struct fixture *f = *state;
	static const char *const files[] = {"a=1", NULL};
	struct layer_feed *feed = NULL;
	struct berth_error *err = NULL;
	_cleanup_free_ char *data = NULL;
	char wrong[DIGEST_STRING_SIZE];
	size_t len;

	data = build_layer(files, &len);
	digest_buffer("other", 5, wrong);
	assert_int_equal(layer_feed_start(f->store, wrong, wrong, &feed, &err),
			 0);
	feed_pieces(feed, data, len, 100);
	assert_int_equal(layer_feed_end(feed, &err), -1);
	assert_non_null(strstr(err->msg, "the image config expects"));
	berth_error_free(&err);

	layer_feed_free(feed);
	assert_int_equal(count_entries(f->root, "layers"), 0);
}

/* A feed takes bytes that do not unpack, and its end reports them. */
static void store_layer_feed_drops_bad_tar(void **state)
{
	struct fixture *f = *state;
	struct layer_feed *feed = NULL;
	struct berth_error *err = NULL;
	_cleanup_free_ char *junk = xmalloc(2 << 20);
	char diff_id[DIGEST_STRING_SIZE];

	memset(junk, 'x', 2 << 20);
	digest_buffer(junk, 2 << 20, diff_id);
	assert_int_equal(
		layer_feed_start(f->store, diff_id, diff_id, &feed, &err), 0);
	feed_pieces(feed, junk, 2 << 20, 1 << 20);
	assert_int_equal(layer_feed_end(feed, &err), -1);
	assert_non_null(err);
	berth_error_free(&err);
	assert_int_equal(layer_feed_commit(feed, &err), -1);
	berth_error_free(&err);

	layer_feed_free(feed);
	assert_int_equal(count_entries(f->root, "layers"), 0);
}

/* A feed dropped before its end, as a failed download does. */
static void store_layer_feed_free_midway(void **state)
{
	struct fixture *f = *state;
	struct layer_feed *feed = NULL;
	struct berth_error *err = NULL;
	_cleanup_free_ char *data = NULL;
	char diff_id[DIGEST_STRING_SIZE];
	size_t len;

	data = build_big_layer(&len);
	digest_buffer(data, len, diff_id);
	assert_int_equal(
		layer_feed_start(f->store, diff_id, diff_id, &feed, &err), 0);
	feed_pieces(feed, data, len / 2, 65536);
	layer_feed_free(feed);
	assert_int_equal(count_entries(f->root, "layers"), 0);
}

#define STORE_TEST(t) \
	cmocka_unit_test_setup_teardown(t, store_setup, store_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		STORE_TEST(store_import_and_lookup),
		STORE_TEST(store_lookup_errors),
		STORE_TEST(store_gzip_input_kept_as_blob),
		STORE_TEST(store_same_layer_for_plain_and_gzip),
		STORE_TEST(store_tag_and_remove),
		STORE_TEST(store_force_remove_by_id),
		STORE_TEST(store_tag_moves_name),
		STORE_TEST(store_layer_dirs_reextract),
		STORE_TEST(store_reextract_multi_member_blob),
		STORE_TEST(store_failed_import_leaves_nothing),
		STORE_TEST(store_ambiguous_short_id),
		STORE_TEST(store_open_removes_stale_temp_files),
		STORE_TEST(store_two_layers_stack_in_overlay),
		STORE_TEST(store_inspect_json),
		STORE_TEST(store_layer_feed_commits_verified_layer),
		STORE_TEST(store_layer_feed_rejects_wrong_diff_id),
		STORE_TEST(store_layer_feed_drops_bad_tar),
		STORE_TEST(store_layer_feed_free_midway),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
