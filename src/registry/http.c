/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "registry/client-internal.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

/* Error documents are only read for their message. */
#define ERROR_BODY_MAX (64 * 1024)
#define HEADERS_MAX 256
/*
 * Receive buffer: larger than libcurl's 16 KiB default, so that a blob
 * reaches the blob writer in fewer, larger writes.
 */
#define RECEIVE_BUFFER_SIZE (512L * 1024)

struct transfer {
	const struct http_exchange *x;
	CURL *curl;
	struct registry_response *resp;
	size_t n_headers;
	size_t max_body;
	bool too_large;
	/*
	 * The body of an error or a redirect reached ERROR_BODY_MAX and the
	 * transfer stopped there: the response is complete enough to use.
	 */
	bool body_capped;
	size_t skipped;
	struct berth_error *write_err;
	int64_t sent;
};

static void headers_reset(struct transfer *t)
{
	strv_free(t->resp->headers);
	t->resp->headers = NULL;
	t->n_headers = 0;
}

/*
 * Copy len bytes of s with control characters except tab and bytes above
 * 0x7e written as "\\xNN".
 */
static char *escape_bytes(const char *s, size_t len)
{
	char *out = xmalloc(len * 4 + 1);
	char *o = out;

	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if ((ch >= 0x20 && ch < 0x7f) || ch == '\t')
			*o++ = (char)ch;
		else
			o += snprintf(o, 5, "\\x%02x", ch);
	}
	*o = '\0';
	return out;
}

/*
 * Header values reach messages and URLs, so control characters, which
 * RFC 9110 does not allow in them anyway, are stored escaped: a hostile
 * registry cannot send escape sequences to the terminal.
 */
static void headers_add(struct transfer *t, const char *line, size_t len)
{
	const char *colon = memchr(line, ':', len);
	char *h;

	if (colon == NULL || t->n_headers >= HEADERS_MAX)
		return;

	h = escape_bytes(line, len);
	for (char *p = h; *p != ':'; p++)
		*p = (char)tolower((unsigned char)*p);

	t->resp->headers = xreallocarray(t->resp->headers, t->n_headers + 2,
					 sizeof(char *));
	t->resp->headers[t->n_headers++] = h;
	t->resp->headers[t->n_headers] = NULL;
}

/* Each response (a redirect, 100 Continue, the final one) starts afresh. */
static size_t header_cb(char *buf, size_t size, size_t n, void *data)
{
	struct transfer *t = data;
	size_t len = size * n;
	size_t l = len;

	while (l > 0 && (buf[l - 1] == '\r' || buf[l - 1] == '\n'))
		l--;

	if (l >= 5 && memcmp(buf, "HTTP/", 5) == 0) {
		headers_reset(t);
		free(t->resp->body);
		t->resp->body = NULL;
		t->resp->body_len = 0;
	} else if (l > 0) {
		headers_add(t, buf, l);
	}
	return len;
}

static size_t buffer_body(struct transfer *t, const char *buf, size_t len,
			  bool success)
{
	struct registry_response *r = t->resp;
	size_t cap = success ? t->max_body : ERROR_BODY_MAX;
	size_t keep = len;

	if (r->body_len + len > cap) {
		if (success)
			t->too_large = true;
		else
			t->body_capped = true;
		keep = success ? 0 : cap - r->body_len;
	}

	r->body = xrealloc(r->body, r->body_len + keep + 1);
	memcpy(r->body + r->body_len, buf, keep);
	r->body_len += keep;
	r->body[r->body_len] = '\0';

	/* Returning less than len stops a body that may never end. */
	return keep;
}

static size_t write_cb(char *buf, size_t size, size_t n, void *data)
{
	struct transfer *t = data;
	size_t len = size * n;
	long code = 0;

	curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &code);

	/* A redirect's body is of no use, but it may never end either. */
	if (code >= 300 && code < 400) {
		t->skipped += len;
		if (t->skipped <= ERROR_BODY_MAX)
			return len;
		t->body_capped = true;
		return 0;
	}

	if (code >= 200 && code < 300 && t->x->write != NULL) {
		if (t->x->write(t->x->write_data, buf, len, &t->write_err) < 0)
			return 0;
		return len;
	}

	return buffer_body(t, buf, len, code >= 200 && code < 300);
}

static bool has_body(const struct http_exchange *x)
{
	return x->body_fd >= 0 || x->body != NULL;
}

static curl_off_t body_length(const struct http_exchange *x)
{
	if (x->body_fd >= 0)
		return x->body_fd_len;
	return (curl_off_t)x->body_len;
}

static size_t read_cb(char *buf, size_t size, size_t n, void *data)
{
	struct transfer *t = data;
	const struct http_exchange *x = t->x;
	size_t want = size * n;
	int64_t total = body_length(x);
	ssize_t got;

	if ((int64_t)want > total - t->sent)
		want = (size_t)(total - t->sent);
	if (want == 0)
		return 0;

	if (x->body_fd < 0) {
		memcpy(buf, (const char *)x->body + t->sent, want);
		t->sent += (int64_t)want;
		return want;
	}

	do {
		got = pread(x->body_fd, buf, want, x->body_fd_offset + t->sent);
	} while (got < 0 && errno == EINTR);
	if (got <= 0)
		return CURL_READFUNC_ABORT;
	t->sent += got;
	return (size_t)got;
}

static void set_method(CURL *curl, const struct http_exchange *x,
		       struct transfer *t)
{
	if (strcmp(x->method, "HEAD") == 0) {
		curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
		return;
	}

	if (!has_body(x) && (strcmp(x->method, "GET") == 0 ||
			     strcmp(x->method, "DELETE") == 0)) {
		curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, x->method);
		return;
	}

	/*
	 * UPLOAD sends the body through read_cb with a Content-Length;
	 * the custom request turns its PUT into the method asked for.
	 * POST and PATCH without a body still send "Content-Length: 0",
	 * which registries expect when an upload starts.
	 */
	curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(curl, CURLOPT_READDATA, t);
	curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, body_length(x));
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, x->method);
}

static void set_tls(CURL *curl, const struct registry_client *c)
{
	if (c->insecure) {
		curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	/* With OpenSSL, CAINFO adds to the CAPATH directory of the system. */
	if (c->ca_file != NULL)
		curl_easy_setopt(curl, CURLOPT_CAINFO, c->ca_file);
	if (c->cert_file != NULL && c->key_file != NULL) {
		curl_easy_setopt(curl, CURLOPT_SSLCERT, c->cert_file);
		curl_easy_setopt(curl, CURLOPT_SSLKEY, c->key_file);
	}
}

static struct curl_slist *build_headers(const struct http_exchange *x)
{
	struct curl_slist *list = NULL;

	/* No 100-continue round trip before an upload. */
	list = curl_slist_append(list, "Expect:");
	if (x->authorization != NULL)
		list = curl_slist_append(list, x->authorization);
	for (size_t i = 0; x->headers != NULL && x->headers[i] != NULL; i++)
		list = curl_slist_append(list, x->headers[i]);
	return list;
}

static CURL *setup_easy(struct registry_client *c,
			const struct http_exchange *x, struct transfer *t,
			struct curl_slist *headers, char *errbuf)
{
	CURL *curl = curl_easy_init();

	if (curl == NULL)
		return NULL;

	curl_easy_setopt(curl, CURLOPT_URL, x->url);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_SHARE, c->share);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "berth/" BERTH_VERSION);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, c->connect_timeout);
	curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, c->stall_timeout);
	curl_easy_setopt(curl, CURLOPT_BUFFERSIZE, RECEIVE_BUFFER_SIZE);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, t);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, t);
	set_tls(curl, c);
	set_method(curl, x, t);

	if (x->basic_auth && c->username != NULL) {
		curl_easy_setopt(curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(curl, CURLOPT_USERNAME, c->username);
		curl_easy_setopt(curl, CURLOPT_PASSWORD,
				 c->password != NULL ? c->password : "");
	}
	return curl;
}

static int transfer_error(struct registry_client *c,
			  const struct http_exchange *x, struct transfer *t,
			  CURLcode code, const char *errbuf,
			  struct berth_error **err)
{
	const char *msg = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(code);

	if (t->write_err != NULL) {
		berth_error_move(err, &t->write_err);
		return -1;
	}
	if (t->too_large)
		return berth_error_set(
			err, 0, "%s '%s': response larger than %zu bytes",
			x->method, x->url, t->max_body);
	if (code == CURLE_OPERATION_TIMEDOUT)
		return berth_error_set(err, 0,
				       "%s '%s': the registry sent nothing "
				       "for %ld seconds",
				       x->method, x->url, c->stall_timeout);
	if (code == CURLE_PARTIAL_FILE)
		return berth_error_set(err, 0,
				       "%s '%s': truncated response: %s",
				       x->method, x->url, msg);
	if (code == CURLE_PEER_FAILED_VERIFICATION)
		return berth_error_set(err, 0,
				       "%s '%s': %s: put the CA certificate of "
				       "the registry in '%s/%s/ca.crt', or use "
				       "--tls-verify=false",
				       x->method, x->url, msg, c->certs_dir,
				       c->host);
	return berth_error_set(err, 0, "%s '%s': %s", x->method, x->url, msg);
}

int http_perform(struct registry_client *c, const struct http_exchange *x,
		 struct registry_response *resp, CURLcode *ret_code,
		 struct berth_error **err)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct transfer t = {
		.x = x,
		.resp = resp,
		.max_body = x->max_body != 0 ? x->max_body :
					       REGISTRY_BODY_MAX_DEFAULT,
	};
	struct curl_slist *headers = build_headers(x);
	CURLcode code;

	registry_response_clear(resp);

	t.curl = setup_easy(c, x, &t, headers, errbuf);
	if (t.curl == NULL) {
		curl_slist_free_all(headers);
		return berth_error_set(err, ENOMEM, "%s '%s'", x->method,
				       x->url);
	}

	code = curl_easy_perform(t.curl);
	if (code == CURLE_WRITE_ERROR && t.body_capped)
		code = CURLE_OK;
	curl_easy_getinfo(t.curl, CURLINFO_RESPONSE_CODE, &resp->status);
	if (ret_code != NULL)
		*ret_code = code;

	if (code != CURLE_OK)
		transfer_error(c, x, &t, code, errbuf, err);
	berth_error_free(&t.write_err);
	curl_easy_cleanup(t.curl);
	curl_slist_free_all(headers);

	if (code != CURLE_OK) {
		registry_response_clear(resp);
		return -1;
	}
	return 0;
}

static char *url_part(CURLU *u, CURLUPart part, unsigned int flags)
{
	char *v = NULL;
	char *copy;

	if (curl_url_get(u, part, &v, flags) != CURLUE_OK)
		return NULL;
	copy = xstrdup(v);
	curl_free(v);
	return copy;
}

bool http_same_origin(const char *a, const char *b)
{
	CURLU *ua = curl_url();
	CURLU *ub = curl_url();
	static const CURLUPart parts[] = {CURLUPART_SCHEME, CURLUPART_HOST,
					  CURLUPART_PORT};
	bool same = ua != NULL && ub != NULL &&
		    curl_url_set(ua, CURLUPART_URL, a, 0) == CURLUE_OK &&
		    curl_url_set(ub, CURLUPART_URL, b, 0) == CURLUE_OK;

	for (size_t i = 0; same && i < ARRAY_SIZE(parts); i++) {
		_cleanup_free_ char *pa =
			url_part(ua, parts[i], CURLU_DEFAULT_PORT);
		_cleanup_free_ char *pb =
			url_part(ub, parts[i], CURLU_DEFAULT_PORT);

		same = pa != NULL && pb != NULL && strcasecmp(pa, pb) == 0;
	}

	curl_url_cleanup(ua);
	curl_url_cleanup(ub);
	return same;
}

char *http_resolve(const char *url, const char *location)
{
	CURLU *u = curl_url();
	char *out = NULL;

	if (u == NULL)
		return NULL;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_URL, location, 0) == CURLUE_OK)
		out = url_part(u, CURLUPART_URL, 0);
	curl_url_cleanup(u);

	if (out != NULL && strncmp(out, "http://", 7) != 0 &&
	    strncmp(out, "https://", 8) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

bool http_host_is_loopback(const char *host)
{
	size_t len = strlen(host);
	const char *colon = strrchr(host, ':');

	if (host[0] == '[')
		return strncmp(host, "[::1]", 5) == 0;
	if (colon != NULL)
		len = (size_t)(colon - host);

	if (len == 9 && strncmp(host, "localhost", 9) == 0)
		return true;
	return len > 4 && strncmp(host, "127.", 4) == 0;
}
