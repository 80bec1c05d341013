/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_REGISTRY_CLIENT_H
#define BERTH_REGISTRY_CLIENT_H

/*
 * A client for one registry host speaking the OCI distribution API
 * (https://github.com/opencontainers/distribution-spec) over libcurl.
 *
 *	registry_client_new("127.0.0.1:5000", &opts, &client, err);
 *	struct registry_request req = {
 *		.method = "GET",
 *		.path = "/v2/library/busybox/manifests/latest",
 *		.scope = "repository:library/busybox:pull",
 *	};
 *	struct registry_response resp = {0};
 *	registry_request(client, &req, &resp, err);
 *	if (resp.status != 200)
 *		return registry_error_from_response(client, &resp, what, err);
 *	registry_response_clear(&resp);
 *	registry_client_free(client);
 *
 * Transport: https, with the system CA bundle plus HOST:PORT/ca.crt of
 * the certs directory. Plain http is allowed for "localhost" and
 * 127.0.0.0/8 hosts without a ca.crt (dockerd's default insecure
 * registries include 127.0.0.0/8) and when opts->insecure is set, which
 * also turns off certificate verification for https. The client tries
 * https first and falls back to http only where allowed and only when
 * the TLS handshake fails.
 *
 * Authentication: the first request probes GET /v2/. A 401 carries a
 * WWW-Authenticate challenge. For "Basic", every request sends the
 * credentials. For "Bearer", the client fetches a token for the
 * request's scope from the realm, anonymously or with the credentials,
 * and caches it per scope. A 401 on a request with another scope
 * fetches a new token for that scope.
 *
 * Redirects (blob downloads from a storage backend) are followed up to
 * 10 times; the Authorization header goes only to the registry host.
 *
 * Timeouts: connecting fails after 10 s ($BERTH_REGISTRY_CONNECT_TIMEOUT)
 * and a transfer that moves no byte for 30 s
 * ($BERTH_REGISTRY_STALL_TIMEOUT) fails, so an unresponsive registry
 * never hangs a command.
 *
 * Threads: registry_request() may run in several threads at once on the
 * same client; the token cache and the connection pool are locked.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

/* The registry that a name without a host refers to, as in Docker. */
#define REGISTRY_DEFAULT_HOST "docker.io"
/* The host that serves the API of REGISTRY_DEFAULT_HOST. */
#define REGISTRY_DEFAULT_API_HOST "registry-1.docker.io"

#define REGISTRY_CERTS_DIR "/etc/berth/certs.d"
#define REGISTRY_CERTS_DIR_ENV "BERTH_CERTS_DIR"
#define REGISTRY_CONNECT_TIMEOUT_ENV "BERTH_REGISTRY_CONNECT_TIMEOUT"
#define REGISTRY_STALL_TIMEOUT_ENV "BERTH_REGISTRY_STALL_TIMEOUT"

/* Cap for a buffered response body when the request sets none. */
#define REGISTRY_BODY_MAX_DEFAULT (4 * 1024 * 1024)

struct registry_options {
	/* --tls-verify=false: allow http, do not verify certificates */
	bool insecure;
	/*
	 * certs.d directory (HOST:PORT/ca.crt below it); NULL:
	 * $BERTH_CERTS_DIR, else /etc/berth/certs.d. A certs_dir given here
	 * may also hold ca.crt itself, as podman's --cert-dir does.
	 */
	const char *certs_dir;
	/* auth file; NULL: see auth_file_default_path() in auth-file.h */
	const char *auth_file;
	/*
	 * Credentials that take the place of the auth file's (berth
	 * login). NULL: read the auth file entry of the host, if any.
	 */
	const char *username;
	const char *password;
};

struct registry_client;

/*
 * Create a client for host ("name[:port]", as in a reference; "docker.io"
 * talks to registry-1.docker.io). Reads the auth file and the CA
 * certificate but sends nothing yet.
 */
int registry_client_new(const char *host, const struct registry_options *opts,
			struct registry_client **ret, struct berth_error **err);
void registry_client_free(struct registry_client *client);

static inline void cleanup_registry_client_freep(struct registry_client **c)
{
	registry_client_free(*c);
}

#define _cleanup_registry_client_ \
	__attribute__((cleanup(cleanup_registry_client_freep)))

/* The host as given to registry_client_new(), the auth file's key. */
const char *registry_client_host(const struct registry_client *client);

/* "https://HOST[:PORT]" or "http://...", once the client has probed. */
const char *registry_client_base_url(const struct registry_client *client);

/* Whether credentials (given or from the auth file) are set. */
bool registry_client_has_credentials(const struct registry_client *client);

/*
 * Probe GET /v2/ and, when the registry requires authentication, check
 * the credentials. A Basic registry must accept them, and a Bearer realm
 * must issue a token for them without a scope, as docker login requests
 * it. A rejection is an "unauthorized" error with exit status 125.
 */
int registry_client_check_login(struct registry_client *client,
				struct berth_error **err);

/*
 * Receives a 2xx response body as it arrives. Return 0 to go on, -1 to
 * abort the transfer; the callback then sets *err, which
 * registry_request() returns.
 */
typedef int (*registry_write_fn)(void *data, const void *buf, size_t len,
				 struct berth_error **err);

struct registry_request {
	const char *method; /* "GET", "HEAD", "PUT", "POST", "PATCH", ... */
	/*
	 * "/v2/..." relative to the registry, or an absolute URL such as a
	 * Location header of an upload. Credentials go only to the
	 * registry's own scheme, host and port.
	 */
	const char *path;
	/*
	 * Token scope(s), space-separated, for a Bearer registry:
	 * "repository:NAME:pull" or "repository:NAME:pull,push", several for
	 * a cross-repository mount. NULL: no scope.
	 */
	const char *scope;
	/* Extra "Name: value" request headers, NULL-terminated, or NULL. */
	const char *const *headers;

	/*
	 * Request body: body_fd >= 0 sends body_fd_len bytes read with
	 * pread() from offset body_fd_offset (so a retry after a 401 can
	 * send it again); otherwise body/body_len (body NULL: no body). The
	 * Content-Length follows from the length; set Content-Type in
	 * headers.
	 */
	const void *body;
	size_t body_len;
	int body_fd; /* set to -1 when unused: 0 is a valid fd */
	int64_t body_fd_offset;
	int64_t body_fd_len;

	/*
	 * Response body: when write is set, a 2xx body goes to it and
	 * resp->body stays NULL; any other body (an error document) is
	 * buffered. A buffered body larger than max_body (0: the default)
	 * fails the request.
	 */
	registry_write_fn write;
	void *write_data;
	size_t max_body;
};

struct registry_response {
	long status; /* HTTP status of the last response after redirects */
	char *body;  /* buffered body, NUL-terminated, or NULL */
	size_t body_len;
	/* "name: value" of the last response, name lowercased, NULL-ended */
	char **headers;
};

/*
 * Send the request, authenticating and following redirects. Returns -1
 * only for transport failures (connect, TLS, timeout, truncated transfer,
 * body too large, write callback failure); an HTTP error status is
 * returned in resp->status for the caller to interpret, except a 401
 * that persists after authenticating, which is returned as is too.
 * resp must be zeroed by the caller; clear it after use.
 */
int registry_request(struct registry_client *client,
		     const struct registry_request *req,
		     struct registry_response *resp, struct berth_error **err);

/* The first value of header name (case-insensitive), or NULL. */
const char *registry_response_header(const struct registry_response *resp,
				     const char *name);

void registry_response_clear(struct registry_response *resp);

/*
 * Turn an unexpected response into an error "WHAT: MESSAGE", MESSAGE
 * being the first message of the distribution error document
 * ({"errors":[{"code","message"}]}), else its code in words, else the
 * HTTP status. A 401 gives "unauthorized: check the user name and
 * password, or run berth login HOST" ("authentication required" when
 * the client has no credentials) and a 403 "denied". Always returns -1
 * with exit status 125.
 */
int registry_error_from_response(const struct registry_client *client,
				 const struct registry_response *resp,
				 const char *what, struct berth_error **err);

#endif
