/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The build cache: keys and entries under ROOT/cache/build. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "build/build-cache.h"
#include "image/blob.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/xalloc.h"

static void test_key_covers_every_field(void **state)
{
	char *args[] = {"A=1", NULL};
	char *other_args[] = {"A=2", NULL};
	char base[DIGEST_STRING_SIZE], k[DIGEST_STRING_SIZE];

	build_cache_key("p", "RUN x", args, "h", 5, base);
	build_cache_key("p", "RUN x", args, "h", 5, k);
	assert_string_equal(base, k);

	build_cache_key("q", "RUN x", args, "h", 5, k);
	assert_string_not_equal(base, k);
	build_cache_key("p", "RUN y", args, "h", 5, k);
	assert_string_not_equal(base, k);
	build_cache_key("p", "RUN x", other_args, "h", 5, k);
	assert_string_not_equal(base, k);
	build_cache_key("p", "RUN x", NULL, "h", 5, k);
	assert_string_not_equal(base, k);
	build_cache_key("p", "RUN x", args, "i", 5, k);
	assert_string_not_equal(base, k);
	build_cache_key("p", "RUN x", args, "h", -1, k);
	assert_string_not_equal(base, k);

	/* Fields are separated: moving text between them changes the key. */
	build_cache_key("pR", "UN x", args, "h", 5, k);
	assert_string_not_equal(base, k);
}

static void test_entry_roundtrip(void **state)
{
	char root[] = "/tmp/berth-cache-XXXXXX";
	char key[DIGEST_STRING_SIZE];
	struct build_cache_entry in = {0}, out;
	_cleanup_free_ char *blobs = NULL, *tmp = NULL;
	const char data[] = "layer";

	assert_non_null(mkdtemp(root));
	blobs = fs_path_join(root, "blobs/sha256");
	assert_int_equal(fs_mkdir_p(blobs, 0755, NULL), 0);
	tmp = fs_path_join(root, "tmp");
	assert_int_equal(fs_mkdir_p(tmp, 0700, NULL), 0);
	build_cache_key("parent", "COPY a b", NULL, "hash", -1, key);

	assert_int_equal(build_cache_get(root, key, &out), 0);

	in.created_by = xstrdup("/bin/sh -c #(nop) COPY");
	in.config = json_pack("{s:s}", "User", "app");
	assert_int_equal(build_cache_put(root, key, &in, NULL), 0);
	assert_int_equal(build_cache_get(root, key, &out), 1);
	assert_false(out.has_layer);
	assert_string_equal(out.created_by, in.created_by);
	assert_true(json_equal(out.config, in.config));
	build_cache_entry_clear(&out);

	/* An entry whose layer blob is gone is a miss. */
	in.has_layer = true;
	digest_buffer(data, sizeof(data), in.layer.digest);
	digest_buffer("diff", 4, in.layer.diff_id);
	digest_buffer("chain", 5, in.layer.chain_id);
	in.layer.size = sizeof(data);
	assert_int_equal(build_cache_put(root, key, &in, NULL), 0);
	assert_int_equal(build_cache_get(root, key, &out), 0);

	assert_int_equal(blob_write_buffer(root, data, sizeof(data),
					   in.layer.digest, NULL),
			 0);
	assert_int_equal(build_cache_get(root, key, &out), 1);
	assert_true(out.has_layer);
	assert_string_equal(out.layer.diff_id, in.layer.diff_id);
	assert_int_equal(out.layer.size, in.layer.size);
	build_cache_entry_clear(&out);
	build_cache_entry_clear(&in);

	assert_int_equal(fs_rm_rf(root, NULL), 0);
}

static void test_damaged_entry_is_a_miss(void **state)
{
	char root[] = "/tmp/berth-cache-XXXXXX";
	char key[DIGEST_STRING_SIZE];
	_cleanup_free_ char *path = NULL, *dir = NULL;
	struct build_cache_entry out;

	assert_non_null(mkdtemp(root));
	build_cache_key("parent", "RUN x", NULL, NULL, -1, key);
	dir = fs_path_join(root, "cache/build");
	assert_int_equal(fs_mkdir_p(dir, 0755, NULL), 0);
	xasprintf(&path, "%s/%s.json", dir, key + strlen(DIGEST_PREFIX));
	assert_int_equal(fs_write_atomic(path, "{\"config\":", 10, 0644, NULL),
			 0);

	assert_int_equal(build_cache_get(root, key, &out), 0);
	assert_null(out.config);
	assert_int_equal(fs_rm_rf(root, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_covers_every_field),
		cmocka_unit_test(test_entry_roundtrip),
		cmocka_unit_test(test_damaged_entry_is_a_miss),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
