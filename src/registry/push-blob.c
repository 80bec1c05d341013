/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "registry/push-internal.h"
#include "registry/push.h"
#include "util/cleanup.h"
#include "util/log.h"
#include "util/xalloc.h"

#define OCTET_STREAM "Content-Type: application/octet-stream"

char *push_resolve_location(const char *request_path, const char *location)
{
	/*
	 * A fragment is never sent, so a "?digest=" appended after it
	 * would not reach the registry.
	 */
	int len = (int)strcspn(location, "#");
	const char *query;
	const char *slash;
	char *url;

	if (location[0] == '/' || strncmp(location, "http://", 7) == 0 ||
	    strncmp(location, "https://", 8) == 0)
		return xstrndup(location, (size_t)len);

	query = strchr(request_path, '?');
	if (query == NULL)
		query = request_path + strlen(request_path);
	slash = memrchr(request_path, '/', query - request_path);
	if (slash == NULL)
		return xstrndup(location, (size_t)len);

	xasprintf(&url, "%.*s/%.*s", (int)(slash - request_path), request_path,
		  len, location);
	return url;
}

/* "sha256%3Ahex": ':' escaped as Docker does, which registries accept. */
static char *digest_query_value(const char *digest)
{
	const char *colon = strchr(digest, ':');
	char *ret;

	if (colon == NULL)
		return xstrdup(digest);
	xasprintf(&ret, "%.*s%%3A%s", (int)(colon - digest), digest, colon + 1);
	return ret;
}

char *push_url_with_digest(const char *url, const char *digest)
{
	_cleanup_free_ char *value = digest_query_value(digest);
	char *ret;

	xasprintf(&ret, "%s%sdigest=%s", url,
		  strchr(url, '?') != NULL ? "&" : "?", value);
	return ret;
}

/* Send req. A transport failure gets what as its context. */
static int send_request(const struct push_target *target,
			const struct registry_request *req,
			struct registry_response *resp, const char *what,
			struct berth_error **err)
{
	if (registry_request(target->client, req, resp, err) < 0)
		return berth_error_wrap(err, "%s", what);
	return 0;
}

/* Whether location starts with a URL scheme other than http or https. */
static bool has_other_scheme(const char *location)
{
	size_t len =
		strspn(location, "abcdefghijklmnopqrstuvwxyz"
				 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");

	if (len == 0 || location[len] != ':')
		return false;
	return strncasecmp(location, "http:", 5) != 0 &&
	       strncasecmp(location, "https:", 6) != 0;
}

/* Take the Location of an upload response, resolved against path. */
static int upload_location(const struct push_target *target,
			   const struct registry_response *resp,
			   const char *path, const char *what, char **ret,
			   struct berth_error **err)
{
	const char *location = registry_response_header(resp, "location");

	if (location == NULL || location[0] == '\0')
		return berth_error_set_status(
			err, BERTH_EXIT_ENGINE, 0,
			"%s: registry '%s' returned %ld without a Location "
			"header",
			what, registry_client_host(target->client),
			resp->status);
	if (has_other_scheme(location))
		return berth_error_set_status(
			err, BERTH_EXIT_ENGINE, 0,
			"%s: registry '%s' returned an upload Location with a "
			"scheme other than http or https",
			what, registry_client_host(target->client));
	*ret = push_resolve_location(path, location);
	return 0;
}

int push_blob_exists(const struct push_target *target,
		     const struct push_blob *blob, bool *ret,
		     struct berth_error **err)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *what = NULL;
	struct registry_response resp = {0};
	struct registry_request req = {
		.method = "HEAD",
		.scope = target->scope,
		.body_fd = -1,
	};
	int r = 0;

	xasprintf(&path, "/v2/%s/blobs/%s", target->repository, blob->digest);
	xasprintf(&what, "check blob '%s'", blob->digest);
	req.path = path;
	if (send_request(target, &req, &resp, what, err) < 0)
		return -1;

	if (resp.status == 200)
		*ret = true;
	else if (resp.status == 404)
		*ret = false;
	else
		r = registry_error_from_response(target->client, &resp, what,
						 err);
	registry_response_clear(&resp);
	return r;
}

/*
 * Ask for a mount of blob from repository from. Returns 1 when mounted.
 * Returns 0 with *ret_location set when the registry started an upload
 * instead, or NULL when it rejected the mount, because it does not have
 * the source or this account may not read it.
 */
static int try_mount(const struct push_target *target,
		     const struct push_blob *blob, const char *from,
		     char **ret_location, struct berth_error **err)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *scope = NULL;
	_cleanup_free_ char *what = NULL;
	_cleanup_free_ char *mount = NULL;
	struct registry_response resp = {0};
	struct registry_request req = {
		.method = "POST",
		.body = "",
		.body_fd = -1,
	};
	int r = 0;

	mount = digest_query_value(blob->digest);
	xasprintf(&path, "/v2/%s/blobs/uploads/?from=%s&mount=%s",
		  target->repository, from, mount);
	xasprintf(&scope, "%s repository:%s:pull", target->scope, from);
	xasprintf(&what, "mount blob '%s' from '%s'", blob->digest, from);
	req.path = path;
	req.scope = scope;
	if (send_request(target, &req, &resp, what, err) < 0)
		return -1;

	*ret_location = NULL;
	if (resp.status == 201) {
		r = 1;
	} else if (resp.status == 202) {
		r = upload_location(target, &resp, path, what, ret_location,
				    err);
	} else if (resp.status == 401 || resp.status == 403 ||
		   resp.status == 404) {
		log_debug("%s: status %ld, uploading instead", what,
			  resp.status);
	} else {
		r = registry_error_from_response(target->client, &resp, what,
						 err);
	}
	registry_response_clear(&resp);
	return r;
}

static int start_upload(const struct push_target *target,
			const struct push_blob *blob, char **ret_location,
			struct berth_error **err)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *what = NULL;
	struct registry_response resp = {0};
	struct registry_request req = {
		.method = "POST",
		.scope = target->scope,
		.body = "",
		.body_fd = -1,
	};
	int r;

	xasprintf(&path, "/v2/%s/blobs/uploads/", target->repository);
	xasprintf(&what, "start upload of blob '%s'", blob->digest);
	req.path = path;
	if (send_request(target, &req, &resp, what, err) < 0)
		return -1;

	if (resp.status == 202)
		r = upload_location(target, &resp, path, what, ret_location,
				    err);
	else
		r = registry_error_from_response(target->client, &resp, what,
						 err);
	registry_response_clear(&resp);
	return r;
}

/* PUT url?digest=..., with the whole blob or (chunked) no body. */
static int finish_upload(const struct push_target *target,
			 const struct push_blob *blob, const char *url,
			 bool with_body, struct berth_error **err)
{
	_cleanup_free_ char *put_url = NULL;
	_cleanup_free_ char *what = NULL;
	const char *headers[] = {OCTET_STREAM, NULL};
	struct registry_response resp = {0};
	struct registry_request req = {
		.method = "PUT",
		.scope = target->scope,
		.headers = headers,
		.body = "",
		.body_fd = -1,
	};
	int r = 0;

	put_url = push_url_with_digest(url, blob->digest);
	xasprintf(&what, "upload blob '%s'", blob->digest);
	req.path = put_url;
	if (with_body) {
		req.body = NULL;
		req.body_fd = blob->fd;
		req.body_fd_offset = 0;
		req.body_fd_len = blob->size;
	}
	if (send_request(target, &req, &resp, what, err) < 0)
		return -1;

	if (resp.status != 201)
		r = registry_error_from_response(target->client, &resp, what,
						 err);
	registry_response_clear(&resp);
	return r;
}

/* PATCH one chunk to *url and move *url to the Location returned. */
static int send_chunk(const struct push_target *target,
		      const struct push_blob *blob, char **url, int64_t offset,
		      int64_t len, struct berth_error **err)
{
	_cleanup_free_ char *range = NULL;
	_cleanup_free_ char *what = NULL;
	char *next = NULL;
	struct registry_response resp = {0};
	struct registry_request req = {
		.method = "PATCH",
		.path = *url,
		.scope = target->scope,
		.body_fd = blob->fd,
		.body_fd_offset = offset,
		.body_fd_len = len,
	};
	int r;

	xasprintf(&range, "Content-Range: %lld-%lld", (long long)offset,
		  (long long)(offset + len - 1));
	const char *headers[] = {OCTET_STREAM, range, NULL};

	xasprintf(&what, "upload blob '%s' at offset %lld", blob->digest,
		  (long long)offset);
	req.headers = headers;
	if (send_request(target, &req, &resp, what, err) < 0)
		return -1;

	if (resp.status == 202)
		r = upload_location(target, &resp, *url, what, &next, err);
	else
		r = registry_error_from_response(target->client, &resp, what,
						 err);
	registry_response_clear(&resp);
	if (r < 0)
		return -1;

	free(*url);
	*url = next;
	return 0;
}

static int upload(const struct push_target *target,
		  const struct push_blob *blob, char *location,
		  push_advance_fn advance, void *advance_data,
		  struct berth_error **err)
{
	_cleanup_free_ char *url = location;
	int64_t offset = 0;

	advance(advance_data, 0);
	if (blob->size <= REGISTRY_PUSH_CHUNK_SIZE) {
		if (finish_upload(target, blob, url, true, err) < 0)
			return -1;
		advance(advance_data, blob->size);
		return 0;
	}

	while (offset < blob->size) {
		int64_t len = blob->size - offset;

		if (len > REGISTRY_PUSH_CHUNK_SIZE)
			len = REGISTRY_PUSH_CHUNK_SIZE;
		if (send_chunk(target, blob, &url, offset, len, err) < 0)
			return -1;
		offset += len;
		advance(advance_data, offset);
	}
	return finish_upload(target, blob, url, false, err);
}

int push_blob_send(const struct push_target *target,
		   const struct push_blob *blob, bool checked,
		   push_advance_fn advance, void *advance_data,
		   enum push_blob_outcome *ret, const char **ret_from,
		   struct berth_error **err)
{
	char *location = NULL;
	bool exists = false;

	if (!checked && push_blob_exists(target, blob, &exists, err) < 0)
		return -1;
	if (exists) {
		*ret = PUSH_BLOB_EXISTED;
		return 0;
	}

	for (char **from = blob->mount_sources; from && *from; from++) {
		int r = try_mount(target, blob, *from, &location, err);

		if (r < 0)
			return -1;
		if (r == 1) {
			*ret = PUSH_BLOB_MOUNTED;
			*ret_from = *from;
			return 0;
		}
		if (location != NULL)
			break;
	}

	if (location == NULL && start_upload(target, blob, &location, err) < 0)
		return -1;
	if (upload(target, blob, location, advance, advance_data, err) < 0)
		return -1;

	*ret = PUSH_BLOB_UPLOADED;
	return 0;
}
