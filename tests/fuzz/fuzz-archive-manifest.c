/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz the parsers of image archive metadata: docker-archive
 * manifest.json, oci-archive index.json, and the tar entry path and
 * symlink target checks. The input goes whole to both JSON parsers; its
 * first line is also an entry path and its second a symlink target. A
 * path that passes must stay inside the archive.
 *
 * An input that is a tar (or gzip or zstd data) is also loaded into a
 * fresh store in a sandbox. A failed load must leave no blob, layer or
 * name, and nothing may appear in SANDBOX/outside.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/archive-internal.h"
#include "image/archive.h"
#include "image/store.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_error(int r, struct berth_error **err)
{
	if (r < 0 && (*err == NULL || (*err)->msg == NULL))
		abort();
	berth_error_free(err);
}

static void check_inside(const char *path)
{
	size_t len = strlen(path);

	if (path[0] == '/' || strcmp(path, "..") == 0 ||
	    strncmp(path, "../", 3) == 0 || strstr(path, "/../") != NULL ||
	    (len >= 3 && strcmp(path + len - 3, "/..") == 0) ||
	    strstr(path, "//") != NULL)
		abort();
}

static void fuzz_docker(const char *input, size_t size)
{
	struct docker_manifest_item *items = NULL;
	struct berth_error *err = NULL;
	size_t n = 0;
	int r;

	r = archive_docker_manifest_parse(input, size, &items, &n, &err);
	check_error(r, &err);
	for (size_t i = 0; r == 0 && i < n; i++)
		if (items[i].config == NULL)
			abort();
	archive_docker_manifest_free(items, n);
}

static void fuzz_oci(const char *input, size_t size)
{
	struct oci_index_item *items = NULL;
	struct berth_error *err = NULL;
	size_t n = 0;
	int r;

	r = archive_oci_index_parse(input, size, &items, &n, &err);
	check_error(r, &err);
	for (size_t i = 0; r == 0 && i < n; i++)
		if (digest_parse(items[i].digest, NULL, NULL) < 0 ||
		    items[i].size < 0)
			abort();
	archive_oci_index_free(items, n);
}

static void fuzz_paths(const char *input)
{
	_cleanup_free_ char *path = xstrdup(input);
	_cleanup_free_ char *clean = NULL;
	_cleanup_free_ char *resolved = NULL;
	struct berth_error *err = NULL;
	char *target = strchr(path, '\n');
	int r;

	if (target != NULL) {
		*target++ = '\0';
		target[strcspn(target, "\n")] = '\0';
	}

	r = archive_path_clean(path, &clean, &err);
	check_error(r, &err);
	if (r < 0)
		return;
	check_inside(clean);

	if (target == NULL)
		return;
	r = archive_link_resolve(clean, target, &resolved, &err);
	check_error(r, &err);
	if (r == 0)
		check_inside(resolved);
}

static bool is_archive(const uint8_t *data, size_t size)
{
	static const uint8_t zstd_magic[] = {0x28, 0xb5, 0x2f, 0xfd};

	return (size >= 262 && memcmp(data + 257, "ustar", 5) == 0) ||
	       (size >= 2 && data[0] == 0x1f && data[1] == 0x8b) ||
	       (size >= 4 && memcmp(data, zstd_magic, 4) == 0);
}

static bool dir_is_empty(const char *path)
{
	_cleanup_closedir_ DIR *d = opendir(path);
	struct dirent *de;

	if (d == NULL)
		return false;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			return false;
	return true;
}

static void check_store_empty(const char *root)
{
	static const char *const dirs[] = {"blobs/sha256", "layers", "tmp"};
	_cleanup_free_ char *index = fs_path_join(root, "index.json");
	_cleanup_free_ char *data = NULL;
	size_t len;

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		_cleanup_free_ char *path = fs_path_join(root, dirs[i]);

		if (!dir_is_empty(path)) {
			fprintf(stderr, "failed load left files in '%s'\n",
				path);
			abort();
		}
	}
	if (fs_read_file(index, &data, &len, NULL) < 0 ||
	    strstr(data, "\"digest\"") != NULL)
		abort();
}

static void load_into_sandbox(const uint8_t *data, size_t size)
{
	char sandbox[] = "/tmp/berth-fuzz-archive-XXXXXX";
	_cleanup_free_ char *root = NULL;
	_cleanup_free_ char *outside = NULL;
	_cleanup_close_ int input = -1;
	struct image_store *store = NULL;
	struct image_archive_loaded *loaded = NULL;
	struct berth_error *err = NULL;
	size_t n = 0;
	int r;

	if (mkdtemp(sandbox) == NULL)
		abort();
	root = fs_path_join(sandbox, "root");
	outside = fs_path_join(sandbox, "outside");
	input = memfd_create("fuzz-archive", MFD_CLOEXEC);
	if (mkdir(outside, 0755) < 0 || input < 0 ||
	    fs_write_all(input, data, size, NULL) < 0 ||
	    lseek(input, 0, SEEK_SET) != 0 ||
	    image_store_open(root, &store, NULL) < 0)
		abort();

	r = image_archive_load(store, input, "fuzz", &loaded, &n, &err);
	check_error(r, &err);
	if (r < 0)
		check_store_empty(root);
	image_archive_loaded_free(loaded, n);
	image_store_close(store);

	if (!dir_is_empty(outside)) {
		fprintf(stderr, "load wrote outside its store\n");
		abort();
	}
	if (fs_rm_rf(sandbox, NULL) < 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *input = xstrndup((const char *)data, size);

	fuzz_docker((const char *)data, size);
	fuzz_oci((const char *)data, size);
	fuzz_paths(input);
	if (is_archive(data, size))
		load_into_sandbox(data, size);
	return 0;
}
