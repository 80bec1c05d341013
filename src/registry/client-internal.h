/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_REGISTRY_CLIENT_INTERNAL_H
#define BERTH_REGISTRY_CLIENT_INTERNAL_H

/*
 * The parts of the registry client shared by client.c (object, probe,
 * request loop), http.c (one libcurl exchange) and token.c (Bearer
 * tokens). Fields below the lock are set by the probe or the token
 * code and read or changed only with the lock held.
 */

#include <curl/curl.h>
#include <pthread.h>
#include <stdbool.h>
#include <time.h>

#include "registry/client.h"

enum registry_auth {
	REGISTRY_AUTH_NONE,
	REGISTRY_AUTH_BASIC,
	REGISTRY_AUTH_BEARER,
};

struct registry_token {
	char *scope; /* the request's scope, "" for none */
	char *token;
	time_t expires;
};

struct registry_client {
	char *host;	/* as given: the auth file key, the certs.d name */
	char *api_host; /* what the URLs name */
	bool insecure;
	bool loopback;
	char *certs_dir; /* the certs.d directory in use */
	char *ca_file;
	char *cert_file;
	char *key_file;
	char *username;
	char *password;
	long connect_timeout;
	long stall_timeout;

	CURLSH *share;
	pthread_mutex_t share_locks[CURL_LOCK_DATA_LAST];

	pthread_mutex_t lock;
	bool probed;
	char *base_url;
	enum registry_auth auth;
	char *realm;
	char *service;
	struct registry_token *tokens;
	size_t n_tokens;
};

/* One HTTP exchange, no redirects followed, no authentication logic. */
struct http_exchange {
	const char *method;
	const char *url;
	const char *const *headers;
	const char *authorization; /* "Authorization: ..." header, or NULL */
	bool basic_auth;	   /* send the client's credentials as Basic */
	const void *body;
	size_t body_len;
	int body_fd;
	int64_t body_fd_offset;
	int64_t body_fd_len;
	registry_write_fn write;
	void *write_data;
	size_t max_body;
};

/*
 * Perform x; on a transport failure set *err and, when ret_code is not
 * NULL, the libcurl code in *ret_code.
 */
int http_perform(struct registry_client *c, const struct http_exchange *x,
		 struct registry_response *resp, CURLcode *ret_code,
		 struct berth_error **err);

/* Whether both URLs have the same scheme, host and port. */
bool http_same_origin(const char *a, const char *b);

/* Resolve a Location value against url; NULL when it cannot be parsed. */
char *http_resolve(const char *url, const char *location);

/* Whether host ("name[:port]") is localhost or a loopback address. */
bool http_host_is_loopback(const char *host);

/*
 * The "Authorization: Bearer ..." header for scope (NULL for none):
 * cached, or fetched from the realm, asking for scope plus extra_scope
 * (the scope of a challenge, or NULL). Call with the lock held.
 */
int token_header(struct registry_client *c, const char *scope,
		 const char *extra_scope, char **ret, struct berth_error **err);

/* Forget the token cached for scope. Call with the lock held. */
void token_forget(struct registry_client *c, const char *scope);

void token_cache_clear(struct registry_client *c);

/* The error for rejected or missing credentials. */
int registry_unauthorized(const struct registry_client *c,
			  struct berth_error **err);

#endif
