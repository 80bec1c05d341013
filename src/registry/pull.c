/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "registry/pull.h"

#include <string.h>

#include "image/blob.h"
#include "image/digest.h"
#include "image/manifest.h"
#include "image/reference.h"
#include "registry/manifest-remote.h"
#include "registry/pull-internal.h"
#include "registry/remote-reference.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/lock.h"
#include "util/xalloc.h"

struct pull {
	struct image_store *store;
	const struct registry_pull_options *opts;
	struct remote_ref *ref;
	struct registry_client *client;
	char *scope;
	struct platform platform;
	bool explicit_platform;
	bool from_index; /* the image manifest was chosen from an index */
};

/* A manifest as fetched: the bytes, their digest and the parsed form. */
struct fetched_manifest {
	char *data;
	size_t len;
	char digest[DIGEST_STRING_SIZE];
	struct remote_manifest *m;
};

static void fetched_clear(struct fetched_manifest *f)
{
	free(f->data);
	remote_manifest_free(f->m);
	memset(f, 0, sizeof(*f));
}

static int check_digest_header(const struct registry_response *resp,
			       const char *id, const char *computed,
			       struct berth_error **err)
{
	const char *header =
		registry_response_header(resp, "docker-content-digest");

	/* Only a sha256 value can be compared with what berth computes. */
	if (header == NULL ||
	    strncmp(header, DIGEST_PREFIX, strlen(DIGEST_PREFIX)) != 0)
		return 0;
	if (strcmp(header, computed) != 0)
		return berth_error_set(
			err, 0,
			"manifest '%s': the Docker-Content-Digest "
			"header gives '%s' but the content has "
			"digest '%s'",
			id, header, computed);
	return 0;
}

/*
 * GET a manifest by tag or digest. expected_digest (a pull by digest or
 * an index entry) must match the content; expected_size is -1 or the
 * size the index gives.
 */
static int fetch_manifest(struct pull *p, const char *id,
			  const char *expected_digest, int64_t expected_size,
			  struct fetched_manifest *f, struct berth_error **err)
{
	static const char *const headers[] = {REGISTRY_MANIFEST_ACCEPT, NULL};
	_cleanup_free_ char *path = NULL;
	struct registry_request req = {
		.method = "GET",
		.scope = p->scope,
		.headers = headers,
		.body_fd = -1,
		.max_body = REMOTE_MANIFEST_MAX_SIZE,
	};
	struct registry_response resp = {0};
	_cleanup_free_ char *what = NULL;
	int r = 0;

	xasprintf(&path, "/v2/%s/manifests/%s", p->ref->repository, id);
	xasprintf(&what, "manifest '%s'", id);
	req.path = path;
	if (registry_request(p->client, &req, &resp, err) < 0)
		return -1;
	if (resp.status != 200) {
		r = registry_error_from_response(p->client, &resp, what, err);
		registry_response_clear(&resp);
		return r;
	}

	f->len = resp.body_len;
	f->data = resp.body != NULL ? TAKE_PTR(resp.body) : xstrdup("");
	digest_buffer(f->data, f->len, f->digest);

	if (expected_digest != NULL && strcmp(expected_digest, f->digest) != 0)
		r = berth_error_set(err, 0,
				    "%s: digest mismatch: expected '%s', the "
				    "content has '%s'",
				    what, expected_digest, f->digest);
	else if (expected_size >= 0 && (int64_t)f->len != expected_size)
		r = berth_error_set(err, 0,
				    "%s: the index gives %lld bytes, the "
				    "registry sent %zu",
				    what, (long long)expected_size, f->len);
	else if (check_digest_header(&resp, id, f->digest, err) < 0)
		r = -1;
	else if (remote_manifest_parse(
			 f->data, f->len,
			 registry_response_header(&resp, "content-type"), &f->m,
			 err) < 0)
		r = berth_error_wrap(err, "%s", what);

	registry_response_clear(&resp);
	return r;
}

/* Resolve an index to the image manifest for the platform. */
static int resolve_image(struct pull *p, struct fetched_manifest *f,
			 struct berth_error **err)
{
	const struct remote_descriptor *d;
	struct fetched_manifest image = {0};
	_cleanup_free_ char *digest = NULL;

	if (f->m->kind == REMOTE_MANIFEST_IMAGE)
		return 0;

	if (remote_manifest_select(f->m, &p->platform, &d, err) < 0)
		return -1;
	digest = xstrdup(d->digest);
	if (fetch_manifest(p, digest, digest, d->size, &image, err) < 0)
		return -1;
	if (image.m->kind != REMOTE_MANIFEST_IMAGE) {
		fetched_clear(&image);
		return berth_error_set(err, 0,
				       "manifest '%s': an index inside an "
				       "index is not supported",
				       digest);
	}

	fetched_clear(f);
	*f = image;
	p->from_index = true;
	return 0;
}

static int check_config_size(const struct remote_manifest *m,
			     struct berth_error **err)
{
	if (m->config.size > CONFIG_MAX_SIZE)
		return berth_error_set(err, 0,
				       "config '%s': %lld bytes, more than the "
				       "%d that berth accepts",
				       m->config.digest,
				       (long long)m->config.size,
				       CONFIG_MAX_SIZE);
	return 0;
}

static int fetch_blobs(struct pull *p, const struct remote_manifest *m,
		       struct berth_error **err)
{
	_cleanup_free_ struct pull_blob *blobs =
		xcalloc(m->n_layers + 1, sizeof(*blobs));
	struct pull_blobs pb = {
		.client = p->client,
		.store = p->store,
		.root = image_store_root(p->store),
		.repository = p->ref->repository,
		.scope = p->scope,
		.blobs = blobs,
		.n_blobs = m->n_layers + 1,
		.progress = p->opts->progress,
		.progress_data = p->opts->progress_data,
	};

	for (size_t i = 0; i < m->n_layers; i++)
		blobs[i] = (struct pull_blob){&m->layers[i], "layer"};
	blobs[m->n_layers] = (struct pull_blob){&m->config, "config"};
	return pull_fetch_blobs(&pb, err);
}

/*
 * A manifest pulled without an index has no platform of its own:
 * compare the config's when the user asked for one.
 */
static int check_config_platform(struct pull *p, const char *config_digest,
				 struct berth_error **err)
{
	_cleanup_free_ char *data = NULL;
	_cleanup_json_ json_t *config = NULL;
	_cleanup_free_ char *want = NULL;
	_cleanup_free_ char *have = NULL;
	struct platform cp = {0};
	const char *os, *arch, *variant;
	size_t len;
	int r = 0;

	if (!p->explicit_platform || p->from_index)
		return 0;
	if (blob_read(image_store_root(p->store), config_digest,
		      CONFIG_MAX_SIZE, &data, &len, err) < 0 ||
	    json_parse_buffer(data, len, "image config", &config, err) < 0)
		return -1;

	os = json_string_value(json_object_get(config, "os"));
	arch = json_string_value(json_object_get(config, "architecture"));
	variant = json_string_value(json_object_get(config, "variant"));
	xasprintf(&have, "%s/%s%s%s", os != NULL ? os : "unknown",
		  arch != NULL ? arch : "unknown", variant != NULL ? "/" : "",
		  variant != NULL ? variant : "");
	if (platform_parse(have, &cp, NULL) < 0 ||
	    strcmp(cp.os, p->platform.os) != 0 ||
	    strcmp(cp.architecture, p->platform.architecture) != 0 ||
	    (p->platform.variant != NULL && cp.variant != NULL &&
	     strcmp(cp.variant, p->platform.variant) != 0)) {
		want = platform_string(&p->platform);
		r = berth_error_set(err, 0,
				    "the image is for platform '%s', not '%s'",
				    have, want);
	}
	platform_clear(&cp);
	return r;
}

/* The store name: as written, with its tag; none for a digest alone. */
static int local_name(const char *reference, char **ret,
		      struct berth_error **err)
{
	_cleanup_reference_ struct image_ref *ref = NULL;

	*ret = NULL;
	if (reference_parse(reference, &ref, err) < 0)
		return -1;
	if (ref->digest != NULL && !ref->has_tag)
		return 0;
	*ret = reference_name_tag(ref);
	return 0;
}

static int pull_setup(struct pull *p, const char *reference,
		      struct berth_error **err)
{
	const struct registry_pull_options *o = p->opts;

	if (remote_ref_parse(reference, &p->ref, err) < 0)
		return -1;
	if (o->platform != NULL) {
		if (platform_parse(o->platform, &p->platform, err) < 0)
			return -1;
		p->explicit_platform = true;
	} else {
		platform_host(&p->platform);
	}
	p->scope = remote_ref_scope(p->ref, "pull");
	return registry_client_new(p->ref->registry, &o->registry, &p->client,
				   err);
}

/*
 * Write the blobs under the shared store lock, so that no other command
 * removes them or their temp files before the image is named.
 */
static int store_blobs(struct pull *p, const struct fetched_manifest *f,
		       struct berth_error **err)
{
	_cleanup_lock_ int lock = -1;
	char stored[DIGEST_STRING_SIZE];

	if (image_store_lock_shared(p->store, &lock, err) < 0 ||
	    fetch_blobs(p, f->m, err) < 0 ||
	    check_config_platform(p, f->m->config.digest, err) < 0 ||
	    blob_write_buffer(image_store_root(p->store), f->data, f->len,
			      stored, err) < 0)
		return -1;
	return 0;
}

static int pull_run(struct pull *p, const char *reference,
		    struct registry_pull_result *ret, struct berth_error **err)
{
	struct fetched_manifest f = {0};
	_cleanup_free_ char *name = NULL;
	int r = -1;

	if (local_name(reference, &name, err) < 0 ||
	    pull_setup(p, reference, err) < 0)
		return -1;

	/*
	 * NOTE: between store_blobs() and the naming, the new blobs are
	 * unreferenced and a concurrent "berth rmi" may collect them; the
	 * pull then fails with a missing blob and names nothing.
	 */
	if (fetch_manifest(p, remote_ref_manifest_id(p->ref), p->ref->digest,
			   -1, &f, err) < 0 ||
	    resolve_image(p, &f, err) < 0 || check_config_size(f.m, err) < 0 ||
	    store_blobs(p, &f, err) < 0 ||
	    image_store_add_image(p->store, f.digest, name, &ret->id, err) < 0)
		goto out;

	ret->manifest_digest = xstrdup(f.digest);
	ret->name = TAKE_PTR(name);
	r = 0;
out:
	fetched_clear(&f);
	return r;
}

int registry_pull(struct image_store *store, const char *reference,
		  const struct registry_pull_options *opts,
		  struct registry_pull_result *ret, struct berth_error **err)
{
	static const struct registry_pull_options no_options;
	struct pull p = {
		.store = store,
		.opts = opts != NULL ? opts : &no_options,
	};
	int r;

	memset(ret, 0, sizeof(*ret));
	r = pull_run(&p, reference, ret, err);

	registry_client_free(p.client);
	remote_ref_free(p.ref);
	free(p.scope);
	platform_clear(&p.platform);
	if (r < 0) {
		registry_pull_result_clear(ret);
		return berth_error_wrap(err, "pull '%s'", reference);
	}
	return 0;
}

void registry_pull_result_clear(struct registry_pull_result *r)
{
	free(r->id);
	free(r->manifest_digest);
	free(r->name);
	memset(r, 0, sizeof(*r));
}
