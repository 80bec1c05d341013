/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "image/digest.h"
#include "image/layout.h"
#include "image/reference.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/json.h"

#define HEX_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HEX_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define DIGEST_A "sha256:" HEX_A
#define DIGEST_B "sha256:" HEX_B

static void digest_of_empty_buffer(void **state)
{
	char out[DIGEST_STRING_SIZE];

	digest_buffer("", 0, out);
	assert_string_equal(out, "sha256:e3b0c44298fc1c149afbf4c8996fb924"
				 "27ae41e4649b934ca495991b7852b855");
}

static void digest_streaming_matches_buffer(void **state)
{
	struct digest_ctx *ctx = digest_new();
	char streamed[DIGEST_STRING_SIZE];
	char whole[DIGEST_STRING_SIZE];

	digest_update(ctx, "hello ", 6);
	digest_update(ctx, "world", 5);
	digest_final(ctx, streamed);
	digest_free(ctx);

	digest_buffer("hello world", 11, whole);
	assert_string_equal(streamed, whole);
	assert_string_equal(whole, "sha256:b94d27b9934d3e08a52e52d7da7dabfa"
				   "c484efe37a5380ee9088f7ace2efcde9");
}

static void digest_parse_accepts_sha256(void **state)
{
	struct berth_error *err = NULL;
	const char *hex = NULL;

	assert_int_equal(digest_parse(DIGEST_A, &hex, &err), 0);
	assert_null(err);
	assert_string_equal(hex, HEX_A);
}

static void expect_digest_error(const char *digest, const char *fragment)
{
	struct berth_error *err = NULL;

	assert_int_equal(digest_parse(digest, NULL, &err), -1);
	assert_non_null(err);
	if (strstr(err->msg, fragment) == NULL)
		fail_msg("digest '%s': message '%s' lacks '%s'", digest,
			 err->msg, fragment);
	berth_error_free(&err);
}

static void digest_parse_rejects_bad_input(void **state)
{
	expect_digest_error("sha512:" HEX_A HEX_A,
			    "unsupported digest algorithm 'sha512'");
	expect_digest_error("md5:abc", "unsupported digest algorithm 'md5'");
	expect_digest_error(HEX_A, "expected 'sha256:'");
	expect_digest_error("sha256:" HEX_A "a", "64 lowercase hex");
	expect_digest_error("sha256:abc", "64 lowercase hex");
	expect_digest_error("sha256:", "64 lowercase hex");
	expect_digest_error(
		"sha256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		"AAAAAAAAAAAAAAAAAAAA",
		"64 lowercase hex");
	expect_digest_error("sha256:gaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
			    "aaaaaaaaaaaaaaaaaaaaa",
			    "64 lowercase hex");
}

static void chain_id_of_layers(void **state)
{
	char first[DIGEST_STRING_SIZE];
	char second[DIGEST_STRING_SIZE];
	char expected[DIGEST_STRING_SIZE];
	const char *joined = DIGEST_A " " DIGEST_B;

	digest_chain_id(NULL, DIGEST_A, first);
	assert_string_equal(first, DIGEST_A);

	digest_chain_id(first, DIGEST_B, second);
	digest_buffer(joined, strlen(joined), expected);
	assert_string_equal(second, expected);
}

static void expect_ref(const char *s, const char *name, const char *tag,
		       const char *digest)
{
	_cleanup_reference_ struct image_ref *ref = NULL;
	struct berth_error *err = NULL;

	if (reference_parse(s, &ref, &err) < 0)
		fail_msg("reference '%s' rejected: %s", s, err->msg);
	assert_string_equal(ref->name, name);
	assert_string_equal(ref->tag, tag);
	if (digest == NULL)
		assert_null(ref->digest);
	else
		assert_string_equal(ref->digest, digest);
}

static void reference_valid_forms(void **state)
{
	expect_ref("busybox", "busybox", "latest", NULL);
	expect_ref("debian:bookworm", "debian", "bookworm", NULL);
	expect_ref("library/debian:12.5", "library/debian", "12.5", NULL);
	expect_ref("a/b/c/d", "a/b/c/d", "latest", NULL);
	expect_ref("my-app_x.y__z", "my-app_x.y__z", "latest", NULL);
	expect_ref("a---b", "a---b", "latest", NULL);
	expect_ref("localhost/app", "localhost/app", "latest", NULL);
	expect_ref("localhost:5000/app:v1", "localhost:5000/app", "v1", NULL);
	expect_ref("registry.example.com/team/app:1.0-rc_1",
		   "registry.example.com/team/app", "1.0-rc_1", NULL);
	expect_ref("Registry.Example.com/app", "Registry.Example.com/app",
		   "latest", NULL);
	expect_ref("[::1]:5000/app", "[::1]:5000/app", "latest", NULL);
	expect_ref("app:_tag", "app", "_tag", NULL);
	expect_ref("app@" DIGEST_A, "app", "latest", DIGEST_A);
	expect_ref("app:v2@" DIGEST_A, "app", "v2", DIGEST_A);
	expect_ref("0123", "0123", "latest", NULL);
}

static void expect_ref_error(const char *s, const char *fragment)
{
	_cleanup_reference_ struct image_ref *ref = NULL;
	struct berth_error *err = NULL;

	if (reference_parse(s, &ref, &err) == 0)
		fail_msg("reference '%s' accepted", s);
	assert_non_null(err);
	if (strstr(err->msg, fragment) == NULL)
		fail_msg("reference '%s': message '%s' lacks '%s'", s, err->msg,
			 fragment);
	assert_null(ref);
	berth_error_free(&err);
}

static void reference_invalid_forms(void **state)
{
	char long_tag[200];
	char long_name[300];

	expect_ref_error("Foo", "invalid reference format 'Foo': repository "
				"name must be lowercase");
	expect_ref_error("library/Debian", "must be lowercase");
	expect_ref_error("", "repository name is empty");
	expect_ref_error("app:", "empty tag");
	expect_ref_error("app:-x", "tag must start");
	expect_ref_error("app:a+b", "tag may contain only");
	expect_ref_error("-app", "start and end with a letter or digit");
	expect_ref_error("app-", "start and end with a letter or digit");
	expect_ref_error("a..b", "start and end with a letter or digit");
	expect_ref_error("a___b", "start and end with a letter or digit");
	expect_ref_error("a//b", "empty path component");
	expect_ref_error("/app", "empty path component");
	expect_ref_error("app/", "empty path component");
	expect_ref_error("a b", "may contain only");
	expect_ref_error("app@sha256:abc", "64 lowercase hex");
	expect_ref_error("app@md5:abc", "unsupported digest algorithm");
	expect_ref_error("localhost:port/app", "registry port must be a");
	expect_ref_error("-bad.com/app", "invalid registry host name");
	expect_ref_error("bad-.com/app", "invalid registry host name");
	expect_ref_error("[::1/app", "invalid IPv6 registry address");
	expect_ref_error(HEX_A, "64 hex digits are an image id");

	memset(long_tag, 'a', sizeof(long_tag));
	memcpy(long_tag, "app:", 4);
	long_tag[4 + 129] = '\0';
	expect_ref_error(long_tag, "tag is longer than 128");

	memset(long_name, 'a', sizeof(long_name));
	long_name[256] = '\0';
	expect_ref_error(long_name, "longer than 255 bytes");
}

static void reference_normalize_forms(void **state)
{
	struct berth_error *err = NULL;
	_cleanup_free_ char *a = NULL;
	_cleanup_free_ char *b = NULL;
	_cleanup_free_ char *c = NULL;

	assert_int_equal(reference_normalize("debian", &a, &err), 0);
	assert_string_equal(a, "debian:latest");
	assert_int_equal(reference_normalize("localhost:5000/x", &b, &err), 0);
	assert_string_equal(b, "localhost:5000/x:latest");

	assert_int_equal(reference_normalize("x@" DIGEST_A, &c, &err), -1);
	assert_non_null(strstr(err->msg, "cannot carry a digest"));
	berth_error_free(&err);

	assert_int_equal(reference_normalize("sha256:" HEX_A, &c, &err), -1);
	assert_non_null(strstr(err->msg, "'sha256:' starts an image id"));
	berth_error_free(&err);
	assert_int_equal(reference_normalize("sha256", &c, &err), -1);
	berth_error_free(&err);
}

static json_t *empty_index(void)
{
	return json_pack("{s:i, s:[]}", "schemaVersion", 2, "manifests");
}

static const char *entry_name(json_t *index, size_t i)
{
	return layout_entry_name(
		json_array_get(layout_index_manifests(index), i));
}

static void index_name_moves_between_images(void **state)
{
	_cleanup_json_ json_t *index = empty_index();
	json_t *manifests = layout_index_manifests(index);

	layout_index_set_name(index, DIGEST_A, 100, "app:v1");
	layout_index_set_name(index, DIGEST_A, 100, "app:v1");
	assert_int_equal(json_array_size(manifests), 1);

	/* The name moves; the old image stays listed without a name. */
	layout_index_set_name(index, DIGEST_B, 200, "app:v1");
	assert_int_equal(json_array_size(manifests), 2);
	assert_null(entry_name(index, 0));
	assert_string_equal(layout_entry_digest(json_array_get(manifests, 0)),
			    DIGEST_A);
	assert_string_equal(entry_name(index, 1), "app:v1");

	/* Naming the unnamed image reuses its descriptor. */
	layout_index_set_name(index, DIGEST_A, 100, "app:old");
	assert_int_equal(json_array_size(manifests), 2);
	assert_string_equal(entry_name(index, 0), "app:old");
}

static void index_second_name_and_removal(void **state)
{
	_cleanup_json_ json_t *index = empty_index();
	json_t *manifests = layout_index_manifests(index);

	layout_index_set_name(index, DIGEST_A, 100, "a:1");
	layout_index_set_name(index, DIGEST_A, 100, "a:2");
	assert_int_equal(json_array_size(manifests), 2);

	/* Moving one of two names away leaves no unnamed descriptor. */
	layout_index_set_name(index, DIGEST_B, 100, "a:2");
	assert_int_equal(json_array_size(manifests), 2);
	assert_string_equal(entry_name(index, 0), "a:1");

	assert_true(layout_index_remove_name(index, "a:1"));
	assert_false(layout_index_remove_name(index, "a:1"));
	assert_false(layout_index_has_digest(index, DIGEST_A));
	assert_true(layout_index_has_digest(index, DIGEST_B));

	layout_index_set_name(index, DIGEST_B, 100, NULL);
	assert_int_equal(json_array_size(manifests), 1);
	layout_index_remove_digest(index, DIGEST_B);
	assert_int_equal(json_array_size(manifests), 0);
}

static void index_unnamed_image(void **state)
{
	_cleanup_json_ json_t *index = empty_index();
	json_t *manifests = layout_index_manifests(index);
	json_t *entry;

	layout_index_set_name(index, DIGEST_A, 42, NULL);
	assert_int_equal(json_array_size(manifests), 1);
	entry = json_array_get(manifests, 0);
	assert_null(layout_entry_name(entry));
	assert_string_equal(
		json_string_value(json_object_get(entry, "mediaType")),
		MEDIA_TYPE_MANIFEST);
	assert_int_equal(json_integer_value(json_object_get(entry, "size")),
			 42);
}

/* A hand-edited index may carry a name on a descriptor without digest. */
static void index_name_on_entry_without_digest(void **state)
{
	_cleanup_json_ json_t *index = NULL;
	json_t *manifests;

	index = json_pack("{s:i, s:[{s:{s:s}}]}", "schemaVersion", 2,
			  "manifests", "annotations", LAYOUT_REF_NAME,
			  "app:v1");
	manifests = layout_index_manifests(index);

	layout_index_set_name(index, DIGEST_A, 100, "app:v1");
	assert_int_equal(json_array_size(manifests), 1);
	assert_string_equal(layout_entry_digest(json_array_get(manifests, 0)),
			    DIGEST_A);
	assert_string_equal(entry_name(index, 0), "app:v1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(digest_of_empty_buffer),
		cmocka_unit_test(digest_streaming_matches_buffer),
		cmocka_unit_test(digest_parse_accepts_sha256),
		cmocka_unit_test(digest_parse_rejects_bad_input),
		cmocka_unit_test(chain_id_of_layers),
		cmocka_unit_test(reference_valid_forms),
		cmocka_unit_test(reference_invalid_forms),
		cmocka_unit_test(reference_normalize_forms),
		cmocka_unit_test(index_name_moves_between_images),
		cmocka_unit_test(index_second_name_and_removal),
		cmocka_unit_test(index_unnamed_image),
		cmocka_unit_test(index_name_on_entry_without_digest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
