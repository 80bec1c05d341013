/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "registry/client-internal.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/xalloc.h"

#define TOKEN_BODY_MAX (1024 * 1024)
#define TOKEN_REDIRECTS_MAX 10
/* The token specification's default lifetime when expires_in is absent. */
#define TOKEN_DEFAULT_LIFETIME 60
/* Renew a token this many seconds before it expires. */
#define TOKEN_MARGIN 10

static struct registry_token *token_find(struct registry_client *c,
					 const char *key)
{
	for (size_t i = 0; i < c->n_tokens; i++)
		if (strcmp(c->tokens[i].scope, key) == 0)
			return &c->tokens[i];
	return NULL;
}

void token_forget(struct registry_client *c, const char *scope)
{
	struct registry_token *t = token_find(c, scope != NULL ? scope : "");

	if (t == NULL)
		return;
	free(t->scope);
	free(t->token);
	*t = c->tokens[--c->n_tokens];
}

void token_cache_clear(struct registry_client *c)
{
	for (size_t i = 0; i < c->n_tokens; i++) {
		free(c->tokens[i].scope);
		free(c->tokens[i].token);
	}
	free(c->tokens);
	c->tokens = NULL;
	c->n_tokens = 0;
}

static void append_param(char **url, const char *name, const char *value)
{
	char *esc = curl_easy_escape(NULL, value, 0);
	char *next;

	xasprintf(&next, "%s%s%s=%s", *url, strchr(*url, '?') ? "&" : "?", name,
		  esc != NULL ? esc : "");
	curl_free(esc);
	free(*url);
	*url = next;
}

/* Each space-separated scope becomes a scope parameter of its own. */
static void append_scopes(char **url, const char *scopes)
{
	_cleanup_free_ char *copy = NULL;
	char *save = NULL;

	if (scopes == NULL)
		return;
	copy = xstrdup(scopes);
	for (char *s = strtok_r(copy, " ", &save); s != NULL;
	     s = strtok_r(NULL, " ", &save))
		append_param(url, "scope", s);
}

/*
 * Send credentials to the realm only over https, on the loopback
 * interface, or for a registry marked insecure (--tls-verify=false),
 * because plain http elsewhere exposes them on the network.
 */
static bool realm_may_see_credentials(const struct registry_client *c)
{
	CURLU *u = curl_url();
	char *host = NULL;
	bool ok = false;

	if (strncmp(c->realm, "https://", 8) == 0 || c->insecure)
		ok = true;
	else if (u != NULL &&
		 curl_url_set(u, CURLUPART_URL, c->realm, 0) == CURLUE_OK &&
		 curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
		ok = http_host_is_loopback(host) || strcmp(host, "[::1]") == 0;

	curl_free(host);
	curl_url_cleanup(u);
	return ok;
}

static char *token_url(const struct registry_client *c, const char *scope,
		       const char *extra_scope, bool with_credentials)
{
	char *url = xstrdup(c->realm);

	if (c->service != NULL)
		append_param(&url, "service", c->service);
	append_scopes(&url, scope);
	if (extra_scope != NULL &&
	    (scope == NULL || strcmp(scope, extra_scope) != 0))
		append_scopes(&url, extra_scope);
	if (with_credentials)
		append_param(&url, "account", c->username);
	return url;
}

static int token_parse(const struct registry_response *resp, const char *url,
		       char **ret_token, long *ret_lifetime,
		       struct berth_error **err)
{
	_cleanup_json_ json_t *doc = NULL;
	const char *token = NULL;
	int64_t expires_in = TOKEN_DEFAULT_LIFETIME;

	if (json_parse_buffer(resp->body != NULL ? resp->body : "",
			      resp->body_len, "token response", &doc,
			      err) < 0 ||
	    json_get_string_opt(doc, "token", "", &token, err) < 0 ||
	    (token == NULL &&
	     json_get_string_opt(doc, "access_token", "", &token, err) < 0) ||
	    json_get_int64_opt(doc, "expires_in", "", &expires_in, err) < 0)
		return berth_error_wrap(err, "token from '%s'", url);

	if (token == NULL || token[0] == '\0' || strpbrk(token, "\r\n"))
		return berth_error_set(err, 0,
				       "token from '%s': no usable token in "
				       "the response",
				       url);

	if (expires_in < TOKEN_MARGIN * 2)
		expires_in = TOKEN_MARGIN * 2;
	if (expires_in > 24 * 3600)
		expires_in = 24 * 3600;

	*ret_token = xstrdup(token);
	*ret_lifetime = (long)expires_in;
	return 0;
}

/*
 * GET url and follow redirects, as Docker's Go HTTP client does. The
 * credentials go only to the realm's own origin.
 */
static int token_get(struct registry_client *c, const char *url,
		     bool with_credentials, struct registry_response *resp,
		     struct berth_error **err)
{
	_cleanup_free_ char *current = xstrdup(url);
	struct http_exchange x = {
		.method = "GET",
		.body_fd = -1,
		.max_body = TOKEN_BODY_MAX,
	};

	for (int hop = 0; hop <= TOKEN_REDIRECTS_MAX; hop++) {
		const char *location;
		char *next;

		x.url = current;
		x.basic_auth =
			with_credentials && http_same_origin(current, c->realm);
		if (http_perform(c, &x, resp, NULL, err) < 0)
			return -1;

		location = registry_response_header(resp, "location");
		if (resp->status < 300 || resp->status > 308 ||
		    location == NULL)
			return 0;

		next = http_resolve(current, location);
		if (next == NULL) {
			berth_error_set(err, 0,
					"'%s' redirects to an invalid location "
					"'%s'",
					current, location);
			registry_response_clear(resp);
			return -1;
		}
		free(current);
		current = next;
	}

	registry_response_clear(resp);
	return berth_error_set(err, 0, "more than %d redirects from '%s'",
			       TOKEN_REDIRECTS_MAX, url);
}

static int token_fetch(struct registry_client *c, const char *scope,
		       const char *extra_scope, char **ret_token,
		       long *ret_lifetime, struct berth_error **err)
{
	bool with_credentials = c->username != NULL;
	_cleanup_free_ char *url = NULL;
	struct registry_response resp = {0};
	int r;

	if (with_credentials && !realm_may_see_credentials(c))
		return berth_error_set(err, 0,
				       "registry '%s': the token realm '%s' "
				       "uses plain http, which would expose "
				       "the password: use --tls-verify=false "
				       "to send it anyway",
				       c->host, c->realm);

	url = token_url(c, scope, extra_scope, with_credentials);
	if (token_get(c, url, with_credentials, &resp, err) < 0)
		return berth_error_wrap(err, "registry '%s': token", c->host);

	if (resp.status == 401 || resp.status == 403) {
		registry_response_clear(&resp);
		return registry_unauthorized(c, err);
	}
	if (resp.status != 200) {
		r = registry_error_from_response(c, &resp, "token", err);
		registry_response_clear(&resp);
		return r;
	}

	r = token_parse(&resp, c->realm, ret_token, ret_lifetime, err);
	registry_response_clear(&resp);
	return r;
}

int token_header(struct registry_client *c, const char *scope,
		 const char *extra_scope, char **ret, struct berth_error **err)
{
	const char *key = scope != NULL ? scope : "";
	struct registry_token *t = token_find(c, key);
	time_t now = time(NULL);
	_cleanup_free_ char *token = NULL;
	long lifetime = 0;

	if (t != NULL && t->expires > now && extra_scope == NULL) {
		xasprintf(ret, "Authorization: Bearer %s", t->token);
		return 0;
	}

	if (token_fetch(c, scope, extra_scope, &token, &lifetime, err) < 0)
		return -1;

	token_forget(c, key);
	c->tokens =
		xreallocarray(c->tokens, c->n_tokens + 1, sizeof(*c->tokens));
	c->tokens[c->n_tokens].scope = xstrdup(key);
	c->tokens[c->n_tokens].token = xstrdup(token);
	c->tokens[c->n_tokens].expires = now + lifetime - TOKEN_MARGIN;
	c->n_tokens++;

	xasprintf(ret, "Authorization: Bearer %s", token);
	return 0;
}
