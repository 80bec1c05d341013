/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "registry/auth-challenge.h"
#include "registry/auth-file.h"
#include "registry/client-internal.h"
#include "registry/manifest-remote.h"
#include "registry/remote-reference.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/xalloc.h"

#define HEX_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define DIGEST_A "sha256:" HEX_A

static void challenge_bearer(void **state)
{
	struct auth_challenge *list = NULL;
	struct berth_error *err = NULL;
	size_t n = 0;

	assert_int_equal(
		auth_challenges_parse(
			"Bearer realm=\"https://auth.example/token\","
			"service=\"registry.example\","
			"scope=\"repository:library/busybox:pull,push\"",
			&list, &n, &err),
		0);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].scheme, "bearer");
	assert_string_equal(auth_challenge_param(&list[0], "realm"),
			    "https://auth.example/token");
	assert_string_equal(auth_challenge_param(&list[0], "service"),
			    "registry.example");
	assert_string_equal(auth_challenge_param(&list[0], "scope"),
			    "repository:library/busybox:pull,push");
	assert_null(auth_challenge_param(&list[0], "error"));
	auth_challenges_free(list, n);
}

static void challenge_several_and_case(void **state)
{
	struct auth_challenge *list = NULL;
	struct berth_error *err = NULL;
	const struct auth_challenge *basic;
	size_t n = 0;

	assert_int_equal(auth_challenges_parse("BEARER Realm=tok , "
					       "error=\"x\\\"y\", "
					       "Basic realm=\"Registry\"",
					       &list, &n, &err),
			 0);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].scheme, "bearer");
	assert_string_equal(auth_challenge_param(&list[0], "realm"), "tok");
	assert_string_equal(auth_challenge_param(&list[0], "error"), "x\"y");
	basic = auth_challenges_find(list, n, "basic");
	assert_non_null(basic);
	assert_string_equal(auth_challenge_param(basic, "realm"), "Registry");
	auth_challenges_free(list, n);
}

static void challenge_token68(void **state)
{
	struct auth_challenge *list = NULL;
	struct berth_error *err = NULL;
	size_t n = 0;

	assert_int_equal(auth_challenges_parse("Negotiate YWJjZA==, Basic",
					       &list, &n, &err),
			 0);
	assert_int_equal(n, 2);
	assert_string_equal(auth_challenge_param(&list[0], ""), "YWJjZA==");
	assert_string_equal(list[1].scheme, "basic");
	assert_int_equal(list[1].n_params, 0);
	auth_challenges_free(list, n);
}

static void expect_challenge_error(const char *value, const char *fragment)
{
	struct auth_challenge *list = NULL;
	struct berth_error *err = NULL;
	size_t n = 0;

	assert_int_equal(auth_challenges_parse(value, &list, &n, &err), -1);
	assert_non_null(err);
	assert_non_null(strstr(err->msg, fragment));
	assert_null(list);
	berth_error_free(&err);
}

static void challenge_errors(void **state)
{
	expect_challenge_error("", "no challenge");
	expect_challenge_error(" , ,", "no challenge");
	expect_challenge_error("Bearer realm=\"x", "unterminated");
	expect_challenge_error("=x", "expected an auth scheme");
	expect_challenge_error("Bearer realm=\"x\" service=\"y\"",
			       "expected ','");
}

static void expect_remote(const char *s, const char *registry,
			  const char *repository, const char *tag,
			  const char *digest, const char *full)
{
	_cleanup_remote_ref_ struct remote_ref *ref = NULL;
	_cleanup_free_ char *str = NULL;
	struct berth_error *err = NULL;

	assert_int_equal(remote_ref_parse(s, &ref, &err), 0);
	assert_string_equal(ref->registry, registry);
	assert_string_equal(ref->repository, repository);
	if (tag == NULL)
		assert_null(ref->tag);
	else
		assert_string_equal(ref->tag, tag);
	if (digest == NULL)
		assert_null(ref->digest);
	else
		assert_string_equal(ref->digest, digest);
	str = remote_ref_string(ref);
	assert_string_equal(str, full);
}

static void remote_reference_normalization(void **state)
{
	_cleanup_remote_ref_ struct remote_ref *ref = NULL;
	_cleanup_free_ char *scope = NULL;
	struct berth_error *err = NULL;

	expect_remote("busybox", "docker.io", "library/busybox", "latest", NULL,
		      "docker.io/library/busybox:latest");
	expect_remote("user/app:1", "docker.io", "user/app", "1", NULL,
		      "docker.io/user/app:1");
	expect_remote("index.docker.io/busybox", "docker.io", "library/busybox",
		      "latest", NULL, "docker.io/library/busybox:latest");
	expect_remote("127.0.0.1:5000/app", "127.0.0.1:5000", "app", "latest",
		      NULL, "127.0.0.1:5000/app:latest");
	expect_remote("localhost/a/b:v2", "localhost", "a/b", "v2", NULL,
		      "localhost/a/b:v2");
	expect_remote("quay.io/a/b@" DIGEST_A, "quay.io", "a/b", NULL, DIGEST_A,
		      "quay.io/a/b@" DIGEST_A);
	expect_remote("busybox:1.36@" DIGEST_A, "docker.io", "library/busybox",
		      "1.36", DIGEST_A,
		      "docker.io/library/busybox:1.36@" DIGEST_A);

	assert_int_equal(remote_ref_parse("host:5000/x@" DIGEST_A, &ref, &err),
			 0);
	assert_string_equal(remote_ref_manifest_id(ref), DIGEST_A);
	scope = remote_ref_scope(ref, "pull,push");
	assert_string_equal(scope, "repository:x:pull,push");

	assert_int_equal(remote_ref_parse("Busybox", &ref, &err), -1);
	assert_non_null(err);
	berth_error_free(&err);
}

static const char oci_manifest[] =
	"{\"schemaVersion\":2,"
	"\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+"
	"json\",\"digest\":\"" DIGEST_A "\",\"size\":580},"
	"\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1."
	"tar+gzip\",\"digest\":\"" DIGEST_A "\",\"size\":1024}]}";

static const char docker_list[] =
	"{\"schemaVersion\":2,\"mediaType\":\"application/"
	"vnd.docker.distribution.manifest.list.v2+json\",\"manifests\":["
	"{\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+"
	"json\",\"digest\":\"" DIGEST_A "\",\"size\":1,\"platform\":"
	"{\"os\":\"linux\",\"architecture\":\"arm\",\"variant\":\"v7\"}},"
	"{\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+"
	"json\",\"digest\":\"sha256:"
	"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\","
	"\"size\":2,\"platform\":{\"os\":\"linux\",\"architecture\":"
	"\"arm64\",\"variant\":\"v8\"}},"
	"{\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+"
	"json\",\"digest\":\"" DIGEST_A "\",\"size\":3,\"platform\":"
	"{\"os\":\"linux\",\"architecture\":\"amd64\"}}]}";

static void manifest_image(void **state)
{
	struct remote_manifest *m = NULL;
	struct berth_error *err = NULL;

	assert_int_equal(remote_manifest_parse(oci_manifest,
					       strlen(oci_manifest),
					       "application/json", &m, &err),
			 0);
	assert_int_equal(m->kind, REMOTE_MANIFEST_IMAGE);
	assert_string_equal(m->media_type, MEDIA_TYPE_OCI_MANIFEST);
	assert_int_equal(m->config.size, 580);
	assert_int_equal(m->n_layers, 1);
	assert_int_equal(m->layers[0].size, 1024);
	assert_string_equal(m->layers[0].digest, DIGEST_A);
	remote_manifest_free(m);
}

static void select_platform(const struct remote_manifest *m, const char *p,
			    int64_t want_size)
{
	const struct remote_descriptor *d = NULL;
	struct berth_error *err = NULL;
	struct platform plat = {0};

	assert_int_equal(platform_parse(p, &plat, &err), 0);
	assert_int_equal(remote_manifest_select(m, &plat, &d, &err), 0);
	assert_int_equal(d->size, want_size);
	platform_clear(&plat);
}

static void manifest_index_platforms(void **state)
{
	struct remote_manifest *m = NULL;
	struct berth_error *err = NULL;
	const struct remote_descriptor *d = NULL;
	struct platform plat = {0};

	assert_int_equal(remote_manifest_parse(docker_list, strlen(docker_list),
					       MEDIA_TYPE_DOCKER_MANIFEST_LIST
					       "; charset=utf-8",
					       &m, &err),
			 0);
	assert_int_equal(m->kind, REMOTE_MANIFEST_INDEX);
	assert_int_equal(m->n_manifests, 3);

	select_platform(m, "linux/amd64", 3);
	select_platform(m, "linux/x86_64", 3);
	select_platform(m, "linux/arm64", 2);
	select_platform(m, "linux/aarch64/v8", 2);
	select_platform(m, "linux/arm/v7", 1);
	select_platform(m, "linux/arm", 1);

	assert_int_equal(platform_parse("linux/s390x", &plat, &err), 0);
	assert_int_equal(remote_manifest_select(m, &plat, &d, &err), -1);
	assert_non_null(strstr(err->msg, "linux/s390x"));
	assert_non_null(strstr(err->msg, "linux/arm/v7, linux/arm64/v8, "
					 "linux/amd64"));
	berth_error_free(&err);
	platform_clear(&plat);
	remote_manifest_free(m);
}

static void expect_manifest_error(const char *doc, const char *content_type,
				  const char *fragment)
{
	struct remote_manifest *m = NULL;
	struct berth_error *err = NULL;

	assert_int_equal(
		remote_manifest_parse(doc, strlen(doc), content_type, &m, &err),
		-1);
	assert_non_null(err);
	if (strstr(err->msg, fragment) == NULL)
		fail_msg("'%s' lacks '%s'", err->msg, fragment);
	assert_null(m);
	berth_error_free(&err);
}

static void manifest_errors(void **state)
{
	expect_manifest_error("[]", NULL, "expected a JSON object");
	expect_manifest_error(
		"{\"schemaVersion\":1,\"mediaType\":\"application/"
		"vnd.docker.distribution.manifest.v1+prettyjws\"}",
		NULL, "schemaVersion");
	expect_manifest_error(
		"{\"schemaVersion\":2,\"mediaType\":\"application/"
		"vnd.docker.distribution.manifest.v1+json\"}",
		NULL, "schema 1");
	expect_manifest_error(oci_manifest, MEDIA_TYPE_DOCKER_MANIFEST_V2,
			      "mediaType: missing");
	expect_manifest_error("{\"schemaVersion\":2,\"layers\":[]}", NULL,
			      "config: missing");
	expect_manifest_error(
		"{\"schemaVersion\":2,\"config\":{\"mediaType\":\"application/"
		"vnd.oci.image.config.v1+json\",\"digest\":\"" DIGEST_A "\"},"
		"\"layers\":[]}",
		NULL, "config.size: missing");
	expect_manifest_error(
		"{\"schemaVersion\":2,\"config\":{\"mediaType\":\"application/"
		"x-other\",\"digest\":\"" DIGEST_A "\",\"size\":1},"
		"\"layers\":[]}",
		NULL, "not a container image configuration");
	expect_manifest_error(
		"{\"schemaVersion\":2,\"config\":{\"mediaType\":\"application/"
		"vnd.oci.image.config.v1+json\",\"digest\":\"" DIGEST_A "\","
		"\"size\":1},\"layers\":[{\"mediaType\":\"text/plain\","
		"\"digest\":\"" DIGEST_A "\",\"size\":1}]}",
		NULL, "layers[0].mediaType");
	expect_manifest_error(
		"{\"schemaVersion\":2,\"config\":{\"mediaType\":\"application/"
		"vnd.oci.image.config.v1+json\",\"digest\":\"md5:00\","
		"\"size\":1},\"layers\":[]}",
		NULL, "config.digest");
	expect_manifest_error(
		"{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"x\","
		"\"digest\":\"" DIGEST_A "\",\"size\":-1}]}",
		MEDIA_TYPE_OCI_INDEX, "manifests[0]");
}

static void platform_errors(void **state)
{
	static const char *const bad[] = {"linux",	 "linux/",
					  "/amd64",	 "linux/amd64/v1/x",
					  "Linux/amd64", ""};
	struct berth_error *err = NULL;
	struct platform p = {0};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(platform_parse(bad[i], &p, &err), -1);
		assert_non_null(strstr(err->msg, "OS/ARCH"));
		berth_error_free(&err);
	}
	platform_host(&p);
	assert_string_equal(p.os, "linux");
	assert_non_null(p.architecture);
	platform_clear(&p);
}

static char *temp_dir(void)
{
	char *dir = xstrdup("/tmp/berth-test-registry-XXXXXX");

	assert_non_null(mkdtemp(dir));
	return dir;
}

static void auth_file_round_trip(void **state)
{
	_cleanup_free_ char *dir = temp_dir();
	_cleanup_free_ char *path = fs_path_join(dir, "sub/auth.json");
	_cleanup_free_ char *user = NULL;
	_cleanup_free_ char *password = NULL;
	_cleanup_free_ char *data = NULL;
	struct berth_error *err = NULL;
	struct stat st;
	bool found = true;
	size_t len;

	assert_int_equal(auth_file_get(path, "h:1", &user, &password, &err), 0);
	assert_null(user);
	assert_null(password);

	assert_int_equal(auth_file_set(path, "h:1", "alice", "s3:cr=t", &err),
			 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(fs_read_file(path, &data, &len, &err), 0);
	/* base64("alice:s3:cr=t") */
	assert_non_null(strstr(data, "\"YWxpY2U6czM6Y3I9dA==\""));

	assert_int_equal(auth_file_get(path, "h:1", &user, &password, &err), 0);
	assert_string_equal(user, "alice");
	assert_string_equal(password, "s3:cr=t");

	assert_int_equal(auth_file_remove(path, "other", &found, &err), 0);
	assert_false(found);
	assert_int_equal(auth_file_remove(path, "h:1", &found, &err), 0);
	assert_true(found);
	free(user);
	free(password);
	assert_int_equal(auth_file_get(path, "h:1", &user, &password, &err), 0);
	assert_null(user);

	assert_int_equal(fs_rm_rf(dir, &err), 0);
}

static void auth_file_docker_keys(void **state)
{
	_cleanup_free_ char *dir = temp_dir();
	_cleanup_free_ char *path = fs_path_join(dir, "config.json");
	_cleanup_free_ char *user = NULL;
	_cleanup_free_ char *password = NULL;
	_cleanup_free_ char *data = NULL;
	struct berth_error *err = NULL;
	size_t len;
	static const char doc[] =
		"{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":"
		"\"Ym9iOnB3\"},\"quay.io/org\":{\"auth\":\"eDp5\"}},"
		"\"credsStore\":\"keep-me\"}";

	assert_int_equal(fs_write_atomic(path, doc, strlen(doc), 0600, &err),
			 0);
	assert_int_equal(
		auth_file_get(path, "docker.io", &user, &password, &err), 0);
	assert_string_equal(user, "bob");
	assert_string_equal(password, "pw");

	free(user);
	free(password);
	assert_int_equal(auth_file_get(path, "quay.io", &user, &password, &err),
			 0);
	assert_null(user);

	assert_int_equal(auth_file_set(path, "127.0.0.1:5000", "u", "p", &err),
			 0);
	assert_int_equal(fs_read_file(path, &data, &len, &err), 0);
	assert_non_null(strstr(data, "keep-me"));
	assert_non_null(strstr(data, "https://index.docker.io/v1/"));

	assert_int_equal(auth_file_remove_all(path, &err), 0);
	assert_int_equal(
		auth_file_get(path, "127.0.0.1:5000", &user, &password, &err),
		0);
	assert_null(user);
	assert_int_equal(fs_rm_rf(dir, &err), 0);
}

static void auth_file_errors_hide_secrets(void **state)
{
	_cleanup_free_ char *dir = temp_dir();
	_cleanup_free_ char *path = fs_path_join(dir, "auth.json");
	char *user = NULL;
	char *password = NULL;
	struct berth_error *err = NULL;
	static const char broken[] = "{\"auths\":{\"h\":{\"auth\":\"SECRET";
	static const char not_b64[] = "{\"auths\":{\"h\":{\"auth\":\"@@@@\"}}}";

	assert_int_equal(
		fs_write_atomic(path, broken, strlen(broken), 0600, &err), 0);
	assert_int_equal(auth_file_get(path, "h", &user, &password, &err), -1);
	assert_non_null(strstr(err->msg, "line 1"));
	assert_null(strstr(err->msg, "SECRET"));
	berth_error_free(&err);

	assert_int_equal(
		fs_write_atomic(path, not_b64, strlen(not_b64), 0600, &err), 0);
	assert_int_equal(auth_file_get(path, "h", &user, &password, &err), -1);
	assert_non_null(strstr(err->msg, "auths.h.auth"));
	assert_null(strstr(err->msg, "@@@@"));
	berth_error_free(&err);

	assert_int_equal(auth_file_set(path, "h", "a:b", "p", &err), -1);
	berth_error_free(&err);
	assert_int_equal(fs_rm_rf(dir, &err), 0);
}

static void http_urls(void **state)
{
	_cleanup_free_ char *a = NULL;
	_cleanup_free_ char *b = NULL;
	_cleanup_free_ char *c = NULL;

	assert_true(http_same_origin("https://r.example/v2/x",
				     "https://r.example:443"));
	assert_false(http_same_origin("https://r.example/v2/x",
				      "https://s3.example/v2/x"));
	assert_false(
		http_same_origin("http://r.example/v2/", "https://r.example"));
	assert_false(http_same_origin("http://127.0.0.1:5000/",
				      "http://127.0.0.1:5001/"));

	a = http_resolve("http://127.0.0.1:5000/v2/x/blobs/uploads/",
			 "/v2/x/blobs/uploads/123?state=abc");
	assert_string_equal(a, "http://127.0.0.1:5000/v2/x/blobs/uploads/123?"
			       "state=abc");
	b = http_resolve("https://r.example/v2/", "https://cdn.example/b?s=1");
	assert_string_equal(b, "https://cdn.example/b?s=1");
	c = http_resolve("https://r.example/v2/", "file:///etc/passwd");
	assert_null(c);

	assert_true(http_host_is_loopback("localhost:5000"));
	assert_true(http_host_is_loopback("127.0.0.1"));
	assert_true(http_host_is_loopback("[::1]:5000"));
	assert_false(http_host_is_loopback("localhost.example:5000"));
	assert_false(http_host_is_loopback("docker.io"));
}

static void expect_response_error(struct registry_client *c, long status,
				  const char *body, const char *expected)
{
	struct registry_response resp = {.status = status};
	struct berth_error *err = NULL;

	resp.body = body != NULL ? xstrdup(body) : NULL;
	resp.body_len = body != NULL ? strlen(body) : 0;
	assert_int_equal(registry_error_from_response(c, &resp, "what", &err),
			 -1);
	assert_string_equal(err->msg, expected);
	assert_int_equal(err->status, BERTH_EXIT_ENGINE);
	berth_error_free(&err);
	registry_response_clear(&resp);
}

static void response_errors(void **state)
{
	struct registry_options opts = {.auth_file = "/nonexistent/auth"};
	struct registry_client *c = NULL;
	struct berth_error *err = NULL;

	assert_int_equal(registry_client_new("h:1", &opts, &c, &err), 0);
	expect_response_error(c, 404,
			      "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\","
			      "\"message\":\"manifest unknown\"}]}",
			      "what: manifest unknown");
	expect_response_error(c, 404,
			      "{\"errors\":[{\"code\":\"BLOB_UNKNOWN\"}]}",
			      "what: blob unknown");
	expect_response_error(c, 500, "<html>oops</html>",
			      "what: registry 'h:1' returned HTTP 500");
	expect_response_error(c, 502, NULL,
			      "what: registry 'h:1' returned HTTP 502");
	expect_response_error(c, 401, NULL,
			      "what: unauthorized: authentication required, "
			      "run berth login h:1");
	expect_response_error(c, 403,
			      "{\"errors\":[{\"code\":\"DENIED\","
			      "\"message\":\"requested access to the "
			      "resource is denied\"}]}",
			      "what: denied: requested access to the resource "
			      "is denied; run berth login h:1 with an account "
			      "that has access");
	registry_client_free(c);

	opts.username = "u";
	opts.password = "p";
	assert_int_equal(registry_client_new("h:1", &opts, &c, &err), 0);
	assert_true(registry_client_has_credentials(c));
	expect_response_error(c, 401, NULL,
			      "what: unauthorized: check the user name and "
			      "password, or run berth login h:1");
	registry_client_free(c);

	assert_int_equal(registry_client_new("h/x", &opts, &c, &err), -1);
	assert_non_null(strstr(err->msg, "invalid registry host 'h/x'"));
	berth_error_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(challenge_bearer),
		cmocka_unit_test(challenge_several_and_case),
		cmocka_unit_test(challenge_token68),
		cmocka_unit_test(challenge_errors),
		cmocka_unit_test(remote_reference_normalization),
		cmocka_unit_test(manifest_image),
		cmocka_unit_test(manifest_index_platforms),
		cmocka_unit_test(manifest_errors),
		cmocka_unit_test(platform_errors),
		cmocka_unit_test(auth_file_round_trip),
		cmocka_unit_test(auth_file_docker_keys),
		cmocka_unit_test(auth_file_errors_hide_secrets),
		cmocka_unit_test(http_urls),
		cmocka_unit_test(response_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
