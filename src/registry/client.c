/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <strings.h>
#include <string.h>
#include <time.h>

#include "registry/auth-challenge.h"
#include "registry/auth-file.h"
#include "registry/client-internal.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"
#include "util/xalloc.h"

#define CONNECT_TIMEOUT_DEFAULT 10
#define STALL_TIMEOUT_DEFAULT 30
#define REDIRECTS_MAX 10
/* Attempts of a GET or HEAD that gets a 429, 500, 502, 503 or 504. */
#define TRANSIENT_ATTEMPTS 3

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_code;

/* curl_global_init() is not thread-safe; run it once per process. */
static void curl_init(void)
{
	curl_init_code = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void share_lock(CURL *handle, curl_lock_data data,
		       curl_lock_access access, void *userp)
{
	struct registry_client *c = userp;

	pthread_mutex_lock(&c->share_locks[data]);
}

static void share_unlock(CURL *handle, curl_lock_data data, void *userp)
{
	struct registry_client *c = userp;

	pthread_mutex_unlock(&c->share_locks[data]);
}

/* Share connections, DNS and TLS sessions between the client's requests. */
static int share_init(struct registry_client *c, struct berth_error **err)
{
	for (size_t i = 0; i < ARRAY_SIZE(c->share_locks); i++)
		pthread_mutex_init(&c->share_locks[i], NULL);

	c->share = curl_share_init();
	if (c->share == NULL)
		return berth_error_set(err, ENOMEM, "registry '%s'", c->host);

	curl_share_setopt(c->share, CURLSHOPT_LOCKFUNC, share_lock);
	curl_share_setopt(c->share, CURLSHOPT_UNLOCKFUNC, share_unlock);
	curl_share_setopt(c->share, CURLSHOPT_USERDATA, c);
	curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
	curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(c->share, CURLSHOPT_SHARE,
			  CURL_LOCK_DATA_SSL_SESSION);
	return 0;
}

static int env_seconds(const char *name, long fallback, long *ret,
		       struct berth_error **err)
{
	const char *v = getenv(name);
	char *end = NULL;
	long n;

	*ret = fallback;
	if (v == NULL || v[0] == '\0')
		return 0;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || *end != '\0' || n <= 0 || n > 24 * 3600)
		return berth_error_set(err, 0,
				       "invalid %s '%s': expected a number of "
				       "seconds from 1 to 86400",
				       name, v);
	*ret = n;
	return 0;
}

/* A certs.d file of the host, if it exists. */
static char *certs_file(const char *dir, const char *host, const char *name)
{
	_cleanup_free_ char *hostdir = fs_path_join(dir, host);
	char *path = fs_path_join(hostdir, name);

	if (fs_exists(path))
		return path;
	free(path);
	return NULL;
}

static void load_certs(struct registry_client *c, const char *certs_dir)
{
	const char *dir = certs_dir;

	if (dir == NULL)
		dir = getenv(REGISTRY_CERTS_DIR_ENV);
	if (dir == NULL || dir[0] == '\0')
		dir = REGISTRY_CERTS_DIR;
	c->certs_dir = xstrdup(dir);

	c->ca_file = certs_file(dir, c->host, "ca.crt");
	c->cert_file = certs_file(dir, c->host, "client.cert");
	c->key_file = certs_file(dir, c->host, "client.key");

	/* podman's --cert-dir names the files directly. */
	if (certs_dir != NULL && c->ca_file == NULL)
		c->ca_file = certs_file(certs_dir, "", "ca.crt");
	if (certs_dir != NULL && c->cert_file == NULL)
		c->cert_file = certs_file(certs_dir, "", "client.cert");
	if (certs_dir != NULL && c->key_file == NULL)
		c->key_file = certs_file(certs_dir, "", "client.key");
}

static int load_credentials(struct registry_client *c,
			    const struct registry_options *opts,
			    struct berth_error **err)
{
	_cleanup_free_ char *path = NULL;

	if (opts->username != NULL) {
		c->username = xstrdup(opts->username);
		c->password =
			xstrdup(opts->password != NULL ? opts->password : "");
		return 0;
	}

	path = opts->auth_file != NULL ? xstrdup(opts->auth_file) :
					 auth_file_default_path();
	return auth_file_get(path, c->host, &c->username, &c->password, err);
}

static int check_host(const char *host, struct berth_error **err)
{
	size_t len = strlen(host);

	if (len == 0 || len > 255 || strpbrk(host, "/@?#\\ \t\r\n") != NULL)
		return berth_error_set(err, 0,
				       "invalid registry host '%s': expected "
				       "NAME[:PORT]",
				       host);
	return 0;
}

int registry_client_new(const char *host, const struct registry_options *opts,
			struct registry_client **ret, struct berth_error **err)
{
	static const struct registry_options no_options;
	struct registry_client *c;

	if (opts == NULL)
		opts = &no_options;
	if (check_host(host, err) < 0)
		return -1;

	pthread_once(&curl_once, curl_init);
	if (curl_init_code != CURLE_OK)
		return berth_error_set(err, 0, "cannot initialize libcurl: %s",
				       curl_easy_strerror(curl_init_code));

	c = xzalloc(sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
	c->host = xstrdup(host);
	c->api_host = xstrdup(strcmp(host, REGISTRY_DEFAULT_HOST) == 0 ?
				      REGISTRY_DEFAULT_API_HOST :
				      host);
	c->insecure = opts->insecure;
	c->loopback = http_host_is_loopback(host);
	load_certs(c, opts->certs_dir);

	if (share_init(c, err) < 0 ||
	    env_seconds(REGISTRY_CONNECT_TIMEOUT_ENV, CONNECT_TIMEOUT_DEFAULT,
			&c->connect_timeout, err) < 0 ||
	    env_seconds(REGISTRY_STALL_TIMEOUT_ENV, STALL_TIMEOUT_DEFAULT,
			&c->stall_timeout, err) < 0 ||
	    load_credentials(c, opts, err) < 0) {
		registry_client_free(c);
		return -1;
	}

	*ret = c;
	return 0;
}

static void free_secret(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

void registry_client_free(struct registry_client *c)
{
	if (c == NULL)
		return;

	token_cache_clear(c);
	if (c->share != NULL)
		curl_share_cleanup(c->share);
	for (size_t i = 0; i < ARRAY_SIZE(c->share_locks); i++)
		pthread_mutex_destroy(&c->share_locks[i]);
	pthread_mutex_destroy(&c->lock);

	free_secret(c->username);
	free_secret(c->password);
	free(c->host);
	free(c->api_host);
	free(c->certs_dir);
	free(c->ca_file);
	free(c->cert_file);
	free(c->key_file);
	free(c->base_url);
	free(c->realm);
	free(c->service);
	free(c);
}

const char *registry_client_host(const struct registry_client *c)
{
	return c->host;
}

const char *registry_client_base_url(const struct registry_client *c)
{
	return c->base_url;
}

bool registry_client_has_credentials(const struct registry_client *c)
{
	return c->username != NULL;
}

int registry_unauthorized(const struct registry_client *c,
			  struct berth_error **err)
{
	if (c->username != NULL)
		return berth_error_set_status(
			err, BERTH_EXIT_ENGINE, 0,
			"unauthorized: check the user name and password, or "
			"run berth login %s",
			c->host);
	return berth_error_set_status(err, BERTH_EXIT_ENGINE, 0,
				      "unauthorized: authentication required, "
				      "run berth login %s",
				      c->host);
}

/* Whether s is printable ASCII, safe to show in a message. */
static bool printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return false;
	return true;
}

/*
 * Learn how the registry wants to be authenticated from the challenge
 * of a 401. Bearer wins over Basic when both are offered. Call with the
 * lock held.
 */
/*
 * Every WWW-Authenticate header of resp joined into one list, as RFC 9110
 * allows; some registries send Basic and Bearer in separate headers.
 */
static char *challenge_value(const struct registry_response *resp)
{
	static const char name[] = "www-authenticate:";
	char *value = NULL;

	for (size_t i = 0; resp->headers != NULL && resp->headers[i]; i++) {
		const char *h = resp->headers[i];
		char *joined;

		if (strncmp(h, name, sizeof(name) - 1) != 0)
			continue;
		h += sizeof(name) - 1;
		h += strspn(h, " \t");
		if (value == NULL) {
			value = xstrdup(h);
			continue;
		}
		xasprintf(&joined, "%s, %s", value, h);
		free(value);
		value = joined;
	}
	return value;
}

static int learn_challenge(struct registry_client *c,
			   const struct registry_response *resp,
			   char **ret_scope, struct berth_error **err)
{
	_cleanup_free_ char *value = challenge_value(resp);
	struct auth_challenge *list = NULL;
	const struct auth_challenge *ch;
	const char *realm;
	size_t n = 0;

	if (value == NULL)
		return berth_error_set(err, 0,
				       "registry '%s' returned 401 without a "
				       "WWW-Authenticate header",
				       c->host);
	if (auth_challenges_parse(value, &list, &n, err) < 0)
		return berth_error_wrap(err, "registry '%s'", c->host);

	ch = auth_challenges_find(list, n, "bearer");
	if (ch == NULL) {
		ch = auth_challenges_find(list, n, "basic");
		c->auth = ch != NULL ? REGISTRY_AUTH_BASIC : REGISTRY_AUTH_NONE;
		auth_challenges_free(list, n);
		if (c->auth == REGISTRY_AUTH_NONE)
			return berth_error_set(err, 0,
					       "registry '%s' asks for an "
					       "unsupported authentication "
					       "scheme: '%s'",
					       c->host, value);
		return 0;
	}

	realm = auth_challenge_param(ch, "realm");
	if (realm == NULL || (strncmp(realm, "https://", 8) != 0 &&
			      strncmp(realm, "http://", 7) != 0)) {
		auth_challenges_free(list, n);
		return berth_error_set(err, 0,
				       "registry '%s': the Bearer challenge "
				       "has no http or https realm: '%s'",
				       c->host, value);
	}

	c->auth = REGISTRY_AUTH_BEARER;
	free(c->realm);
	c->realm = xstrdup(realm);
	free(c->service);
	c->service = auth_challenge_param(ch, "service") != NULL ?
			     xstrdup(auth_challenge_param(ch, "service")) :
			     NULL;
	if (ret_scope != NULL && auth_challenge_param(ch, "scope") != NULL)
		*ret_scope = xstrdup(auth_challenge_param(ch, "scope"));
	auth_challenges_free(list, n);
	return 0;
}

static int probe_url(struct registry_client *c, const char *scheme,
		     struct registry_response *resp, CURLcode *code,
		     struct berth_error **err)
{
	_cleanup_free_ char *url = NULL;
	struct http_exchange x = {
		.method = "GET",
		.body_fd = -1,
	};

	xasprintf(&url, "%s://%s/v2/", scheme, c->api_host);
	x.url = url;
	return http_perform(c, &x, resp, code, err);
}

/*
 * Find the scheme and the authentication of the registry. https comes
 * first; plain http only where allowed, when the TLS handshake fails
 * because the server does not speak TLS.
 */
static int probe_locked(struct registry_client *c, struct berth_error **err)
{
	bool http_allowed = c->insecure || (c->loopback && c->ca_file == NULL);
	struct registry_response resp = {0};
	const char *scheme = "https";
	CURLcode code = CURLE_OK;
	int r;

	r = probe_url(c, scheme, &resp, &code, err);
	if (r < 0 && http_allowed &&
	    (code == CURLE_SSL_CONNECT_ERROR || code == CURLE_RECV_ERROR ||
	     code == CURLE_GOT_NOTHING)) {
		berth_error_free(err);
		scheme = "http";
		r = probe_url(c, scheme, &resp, &code, err);
	}
	if (r < 0)
		return berth_error_wrap(err, "cannot reach registry '%s'",
					c->host);

	xasprintf(&c->base_url, "%s://%s", scheme, c->api_host);
	log_debug("registry '%s': %s returned HTTP %ld", c->host, c->base_url,
		  resp.status);

	if (resp.status == 401)
		r = learn_challenge(c, &resp, NULL, err);
	registry_response_clear(&resp);
	if (r < 0)
		return -1;

	c->probed = true;
	return 0;
}

static int probe(struct registry_client *c, struct berth_error **err)
{
	int r = 0;

	pthread_mutex_lock(&c->lock);
	if (!c->probed)
		r = probe_locked(c, err);
	pthread_mutex_unlock(&c->lock);
	return r;
}

/* The Authorization header for a request to the registry, or NULL. */
static int auth_header(struct registry_client *c, const char *scope,
		       const char *extra_scope, char **ret,
		       struct berth_error **err)
{
	int r = 0;

	*ret = NULL;
	pthread_mutex_lock(&c->lock);
	if (c->auth == REGISTRY_AUTH_BEARER)
		r = token_header(c, scope, extra_scope, ret, err);
	pthread_mutex_unlock(&c->lock);
	return r;
}

static bool is_redirect(long status)
{
	return status == 301 || status == 302 || status == 303 ||
	       status == 307 || status == 308;
}

/*
 * Send req to url and follow redirects. The registry's credentials go
 * only to the registry's own origin; a blob store that the registry
 * redirects to authenticates the request by its URL.
 */
static int request_follow(struct registry_client *c,
			  const struct registry_request *req, const char *url,
			  const char *authorization,
			  struct registry_response *resp,
			  struct berth_error **err)
{
	_cleanup_free_ char *current = xstrdup(url);
	struct http_exchange x = {
		.method = req->method,
		.headers = req->headers,
		.body = req->body,
		.body_len = req->body_len,
		.body_fd = req->body_fd,
		.body_fd_offset = req->body_fd_offset,
		.body_fd_len = req->body_fd_len,
		.write = req->write,
		.write_data = req->write_data,
		.max_body = req->max_body,
	};

	for (int hop = 0; hop <= REDIRECTS_MAX; hop++) {
		bool own = http_same_origin(current, c->base_url);
		const char *location;
		char *next;

		x.url = current;
		x.authorization = own ? authorization : NULL;
		x.basic_auth = own && c->auth == REGISTRY_AUTH_BASIC;
		if (http_perform(c, &x, resp, NULL, err) < 0)
			return -1;

		location = registry_response_header(resp, "location");
		if (!is_redirect(resp->status) || location == NULL)
			return 0;

		next = http_resolve(current, location);
		if (next == NULL)
			return berth_error_set(err, 0,
					       "registry '%s': %s '%s' "
					       "redirects to an invalid "
					       "location '%s'",
					       c->host, x.method, current,
					       location);
		free(current);
		current = next;

		if (resp->status == 303) {
			x.method = "GET";
			x.body = NULL;
			x.body_fd = -1;
		}
	}

	return berth_error_set(
		err, 0, "registry '%s': more than %d redirects from '%s'",
		c->host, REDIRECTS_MAX, url);
}

/*
 * A 401: learn the challenge and tell whether one more attempt can
 * succeed.
 */
static int handle_unauthorized(struct registry_client *c,
			       const struct registry_request *req,
			       const struct registry_response *resp,
			       char **ret_extra_scope, bool *ret_retry,
			       struct berth_error **err)
{
	enum registry_auth before;
	int r;

	*ret_retry = false;
	if (registry_response_header(resp, "www-authenticate") == NULL)
		return 0;

	pthread_mutex_lock(&c->lock);
	before = c->auth;
	r = learn_challenge(c, resp, ret_extra_scope, err);
	if (r == 0 && c->auth == REGISTRY_AUTH_BEARER) {
		token_forget(c, req->scope);
		*ret_retry = true;
	} else if (r == 0 && c->auth == REGISTRY_AUTH_BASIC) {
		*ret_retry =
			before != REGISTRY_AUTH_BASIC && c->username != NULL;
	}
	pthread_mutex_unlock(&c->lock);
	return r;
}

static char *request_url(const struct registry_client *c, const char *path)
{
	char *url;

	if (strncmp(path, "https://", 8) == 0 ||
	    strncmp(path, "http://", 7) == 0)
		return xstrdup(path);
	xasprintf(&url, "%s%s", c->base_url, path);
	return url;
}

/* One request, with one more attempt after a 401 that a token may fix. */
static int request_authorized(struct registry_client *c,
			      const struct registry_request *req,
			      struct registry_response *resp,
			      struct berth_error **err)
{
	_cleanup_free_ char *url = request_url(c, req->path);
	_cleanup_free_ char *extra_scope = NULL;

	for (int attempt = 0;; attempt++) {
		_cleanup_free_ char *authorization = NULL;
		bool retry = false;

		if (auth_header(c, req->scope, extra_scope, &authorization,
				err) < 0)
			return -1;
		if (request_follow(c, req, url, authorization, resp, err) < 0)
			return -1;
		if (resp->status != 401 || attempt > 0)
			return 0;

		free(extra_scope);
		extra_scope = NULL;
		if (handle_unauthorized(c, req, resp, &extra_scope, &retry,
					err) < 0) {
			registry_response_clear(resp);
			return -1;
		}
		if (!retry)
			return 0;
		registry_response_clear(resp);
	}
}

static bool is_transient(long status)
{
	return status == 429 || status == 500 || status == 502 ||
	       status == 503 || status == 504;
}

/*
 * GET and HEAD change nothing on the registry, and write callbacks see
 * only 2xx bodies, so a transient server error can be retried. Docker
 * makes up to 5 attempts per layer download (maxDownloadAttempts in
 * moby's distribution/xfer/download.go). Other methods are not retried,
 * because an upload session may have moved on.
 */
int registry_request(struct registry_client *c,
		     const struct registry_request *req,
		     struct registry_response *resp, struct berth_error **err)
{
	bool idempotent = strcmp(req->method, "GET") == 0 ||
			  strcmp(req->method, "HEAD") == 0;

	if (probe(c, err) < 0)
		return -1;

	for (int attempt = 1;; attempt++) {
		struct timespec pause = {
			.tv_nsec = 500L * 1000 * 1000,
		};

		if (request_authorized(c, req, resp, err) < 0)
			return -1;
		if (!idempotent || !is_transient(resp->status) ||
		    attempt == TRANSIENT_ATTEMPTS)
			return 0;

		log_warning("registry '%s': %s '%s' returned HTTP %ld, "
			    "retrying (attempt %d of %d)",
			    c->host, req->method, req->path, resp->status,
			    attempt + 1, TRANSIENT_ATTEMPTS);
		registry_response_clear(resp);
		pause.tv_sec = attempt - 1;
		nanosleep(&pause, NULL);
	}
}

int registry_client_check_login(struct registry_client *c,
				struct berth_error **err)
{
	struct registry_request req = {
		.method = "GET",
		.path = "/v2/",
		.body_fd = -1,
	};
	struct registry_response resp = {0};
	int r;

	if (registry_request(c, &req, &resp, err) < 0)
		return -1;

	if (resp.status == 401 || resp.status == 403)
		r = registry_unauthorized(c, err);
	else if (resp.status != 200)
		r = registry_error_from_response(c, &resp, "login", err);
	else
		r = 0;
	registry_response_clear(&resp);
	return r;
}

const char *registry_response_header(const struct registry_response *resp,
				     const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; resp->headers != NULL && resp->headers[i]; i++) {
		const char *h = resp->headers[i];

		if (strncasecmp(h, name, len) == 0 && h[len] == ':') {
			h += len + 1;
			while (*h == ' ' || *h == '\t')
				h++;
			return h;
		}
	}
	return NULL;
}

void registry_response_clear(struct registry_response *resp)
{
	free(resp->body);
	strv_free(resp->headers);
	resp->body = NULL;
	resp->body_len = 0;
	resp->headers = NULL;
	resp->status = 0;
}

/* The first entry of a distribution error document: code and message. */
static void error_document(const struct registry_response *resp,
			   char **ret_code, char **ret_message)
{
	_cleanup_error_ struct berth_error *ignored = NULL;
	_cleanup_json_ json_t *doc = NULL;
	json_t *errors, *first;
	const char *code, *message;

	*ret_code = NULL;
	*ret_message = NULL;
	if (resp->body == NULL ||
	    json_parse_buffer(resp->body, resp->body_len, "error", &doc,
			      &ignored) < 0)
		return;

	errors = json_object_get(doc, "errors");
	first = json_is_array(errors) ? json_array_get(errors, 0) : NULL;
	code = json_string_value(json_object_get(first, "code"));
	message = json_string_value(json_object_get(first, "message"));
	if (code != NULL && printable(code) && strlen(code) < 128)
		*ret_code = xstrdup(code);
	if (message != NULL && printable(message) && strlen(message) < 512)
		*ret_message = xstrdup(message);
}

int registry_error_from_response(const struct registry_client *c,
				 const struct registry_response *resp,
				 const char *what, struct berth_error **err)
{
	_cleanup_free_ char *code = NULL;
	_cleanup_free_ char *message = NULL;

	if (resp->status == 401) {
		registry_unauthorized(c, err);
		return berth_error_wrap(err, "%s", what);
	}

	error_document(resp, &code, &message);
	if (resp->status == 403)
		return berth_error_set_status(
			err, BERTH_EXIT_ENGINE, 0,
			"%s: denied: %s; run berth login %s with an account "
			"that has access",
			what, message != NULL ? message : "access forbidden",
			c->host);

	if (message == NULL && code != NULL) {
		message = xstrdup(code);
		for (char *p = message; *p != '\0'; p++)
			*p = *p == '_' ? ' ' : (char)tolower((unsigned char)*p);
	}
	if (message != NULL)
		return berth_error_set_status(err, BERTH_EXIT_ENGINE, 0,
					      "%s: %s", what, message);
	return berth_error_set_status(err, BERTH_EXIT_ENGINE, 0,
				      "%s: registry '%s' returned HTTP %ld",
				      what, c->host, resp->status);
}
