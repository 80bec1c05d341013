/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The parts of push that need no registry: upload URLs, and reading an
 * image with its blobs and mount sources from a store.
 */
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "image/digest.h"
#include "image/store.h"
#include "registry/push-internal.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/strv.h"
#include "util/xalloc.h"

#define DIGEST_A  \
	"sha256:" \
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define DIGEST_A_QUERY \
	"sha256%"      \
	"3A0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void check_location(const char *path, const char *location,
			   const char *expected)
{
	_cleanup_free_ char *url = push_resolve_location(path, location);

	assert_string_equal(url, expected);
}

static void location_absolute_and_rooted(void **state)
{
	check_location("/v2/a/blobs/uploads/",
		       "http://127.0.0.1:5000/v2/a/blobs/uploads/u?_state=x",
		       "http://127.0.0.1:5000/v2/a/blobs/uploads/u?_state=x");
	check_location("/v2/a/blobs/uploads/", "https://other/v2/u",
		       "https://other/v2/u");
	check_location("https://r/v2/a/blobs/uploads/u1", "/v2/a/up/u2?s=1",
		       "/v2/a/up/u2?s=1");
}

static void location_relative(void **state)
{
	check_location("/v2/a/blobs/uploads/", "u1?_state=x",
		       "/v2/a/blobs/uploads/u1?_state=x");
	check_location("/v2/a/blobs/uploads/u1", "u2",
		       "/v2/a/blobs/uploads/u2");
	/* A '/' inside the request's query is not a path separator. */
	check_location("/v2/a/blobs/uploads/?mount=x&from=b/c", "u3",
		       "/v2/a/blobs/uploads/u3");
	check_location("http://r:5000/v2/a/blobs/uploads/u1?x=1", "u2",
		       "http://r:5000/v2/a/blobs/uploads/u2");
}

static void location_fragment_dropped(void **state)
{
	check_location("/v2/a/blobs/uploads/", "u1?_state=x#frag",
		       "/v2/a/blobs/uploads/u1?_state=x");
	check_location("/v2/a/blobs/uploads/", "/v2/a/up/u2#f", "/v2/a/up/u2");
	check_location("/v2/a/blobs/uploads/", "http://r/u3?s=1#x?y",
		       "http://r/u3?s=1");
}

static void url_digest_keeps_query(void **state)
{
	_cleanup_free_ char *plain = NULL;
	_cleanup_free_ char *with_query = NULL;

	plain = push_url_with_digest("/v2/a/blobs/uploads/u", DIGEST_A);
	assert_string_equal(plain,
			    "/v2/a/blobs/uploads/u?digest=" DIGEST_A_QUERY);

	with_query = push_url_with_digest("http://r/u?_state=a%3Db", DIGEST_A);
	assert_string_equal(with_query,
			    "http://r/u?_state=a%3Db&digest=" DIGEST_A_QUERY);
}

struct fixture {
	char root[64];
	struct image_store *store;
	char *id;
};

/* A one-file root file system tarball in a memfd. */
static int build_tar(const char *content)
{
	struct archive *w = archive_write_new();
	struct archive_entry *ae = archive_entry_new();
	int fd = memfd_create("rootfs.tar", MFD_CLOEXEC);
	size_t len = strlen(content);

	assert_true(fd >= 0);
	archive_write_set_format_pax_restricted(w);
	assert_int_equal(archive_write_open_fd(w, fd), ARCHIVE_OK);
	archive_entry_set_pathname(ae, "etc/content");
	archive_entry_set_filetype(ae, AE_IFREG);
	archive_entry_set_perm(ae, 0644);
	archive_entry_set_size(ae, (la_int64_t)len);
	assert_int_equal(archive_write_header(w, ae), ARCHIVE_OK);
	assert_int_equal(archive_write_data(w, content, len), (la_ssize_t)len);
	assert_int_equal(archive_write_close(w), ARCHIVE_OK);
	archive_write_free(w);
	archive_entry_free(ae);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

static int store_setup(void **state)
{
	struct fixture *f = xzalloc(sizeof(*f));
	struct berth_error *err = NULL;
	_cleanup_close_ int fd = build_tar("pushed\n");

	snprintf(f->root, sizeof(f->root), "/tmp/berth-push-XXXXXX");
	assert_non_null(mkdtemp(f->root));
	assert_int_equal(image_store_open(f->root, &f->store, &err), 0);
	if (image_store_import_from(f->store, fd, "rootfs.tar", "app:1", &f->id,
				    &err) < 0)
		fail_msg("import failed: %s", err->msg);
	*state = f;
	return 0;
}

static int store_teardown(void **state)
{
	struct fixture *f = *state;

	image_store_close(f->store);
	assert_int_equal(fs_rm_rf(f->root, NULL), 0);
	free(f->id);
	free(f);
	return 0;
}

static void image_load_blobs_and_manifest(void **state)
{
	struct fixture *f = *state;
	_cleanup_push_image_ struct push_image *image = NULL;
	struct berth_error *err = NULL;
	char digest[DIGEST_STRING_SIZE];
	struct stat st;

	assert_int_equal(push_image_load(f->store, "app:1", "127.0.0.1:5000",
					 "app", &image, &err),
			 0);
	assert_string_equal(image->name, "app:1");
	assert_string_equal(image->media_type,
			    "application/vnd.oci.image.manifest.v1+json");

	digest_buffer(image->manifest, image->manifest_len, digest);
	assert_string_equal(digest, image->manifest_digest);

	assert_int_equal(image->n_blobs, 2);
	assert_string_equal(image->blobs[0].kind, "layer");
	assert_string_equal(image->blobs[1].kind, "config");
	assert_string_equal(image->blobs[1].digest + strlen("sha256:"), f->id);
	for (size_t i = 0; i < image->n_blobs; i++) {
		assert_true(image->blobs[i].fd >= 0);
		assert_int_equal(fstat(image->blobs[i].fd, &st), 0);
		assert_int_equal(st.st_size, image->blobs[i].size);
		assert_null(image->blobs[i].mount_sources);
	}
}

static void image_load_by_id_has_no_name(void **state)
{
	struct fixture *f = *state;
	_cleanup_push_image_ struct push_image *image = NULL;
	struct berth_error *err = NULL;

	assert_int_equal(push_image_load(f->store, f->id, "docker.io",
					 "library/app", &image, &err),
			 0);
	assert_null(image->name);
}

static void image_load_mount_sources(void **state)
{
	struct fixture *f = *state;
	_cleanup_push_image_ struct push_image *image = NULL;
	struct berth_error *err = NULL;

	assert_int_equal(image_store_tag(f->store, "app:1",
					 "127.0.0.1:5000/team/app:1", &err),
			 0);
	assert_int_equal(image_store_tag(f->store, "app:1",
					 "127.0.0.1:5000/team/app:2", &err),
			 0);
	assert_int_equal(image_store_tag(f->store, "app:1",
					 "127.0.0.1:5000/copy:1", &err),
			 0);
	assert_int_equal(image_store_tag(f->store, "app:1",
					 "127.0.0.1:6000/elsewhere:1", &err),
			 0);

	assert_int_equal(push_image_load(f->store, "app:1", "127.0.0.1:5000",
					 "copy", &image, &err),
			 0);
	for (size_t i = 0; i < image->n_blobs; i++) {
		char **sources = image->blobs[i].mount_sources;

		/* Each repository once; not the destination, not another host. */
		assert_int_equal(strv_length(sources), 1);
		assert_string_equal(sources[0], "team/app");
	}
}

static void image_load_missing(void **state)
{
	struct fixture *f = *state;
	struct push_image *image = NULL;
	struct berth_error *err = NULL;

	assert_int_equal(push_image_load(f->store, "missing:1", "docker.io",
					 "library/missing", &image, &err),
			 -1);
	assert_null(image);
	assert_non_null(strstr(err->msg, "missing"));
	berth_error_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(location_absolute_and_rooted),
		cmocka_unit_test(location_relative),
		cmocka_unit_test(location_fragment_dropped),
		cmocka_unit_test(url_digest_keeps_query),
		cmocka_unit_test_setup_teardown(image_load_blobs_and_manifest,
						store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(image_load_by_id_has_no_name,
						store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(image_load_mount_sources,
						store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(image_load_missing, store_setup,
						store_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
