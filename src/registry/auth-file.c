/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "registry/auth-file.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <openssl/evp.h>
#include <string.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/xalloc.h"

#define AUTH_FILE_MAX_SIZE (1024 * 1024)

char *auth_file_default_path(void)
{
	const char *env = getenv(AUTH_FILE_ENV);
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	char *path;

	if (env != NULL && env[0] != '\0')
		return xstrdup(env);
	if (getuid() != 0 && xdg != NULL && xdg[0] != '\0') {
		xasprintf(&path, "%s/containers/auth.json", xdg);
		return path;
	}
	xasprintf(&path, "/run/containers/%u/auth.json", (unsigned)getuid());
	return path;
}

static void free_secret(char *s, size_t len)
{
	if (s == NULL)
		return;
	explicit_bzero(s, len);
	free(s);
}

/*
 * Load the file; a missing one gives an empty object. A parse error
 * reports only the position: the text near it may be a secret.
 */
static int load(const char *path, json_t **ret, struct berth_error **err)
{
	char *data = NULL;
	size_t len = 0;
	json_error_t jerr;
	json_t *doc;

	if (fs_read_file(path, &data, &len, err) < 0) {
		if ((*err)->errnum != ENOENT)
			return -1;
		berth_error_free(err);
		*ret = json_object();
		return 0;
	}
	if (len > AUTH_FILE_MAX_SIZE) {
		free_secret(data, len);
		return berth_error_set(
			err, 0, "auth file '%s' is larger than 1 MiB", path);
	}

	doc = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	free_secret(data, len);
	if (doc == NULL)
		return berth_error_set(err, 0,
				       "invalid JSON in auth file '%s' at line "
				       "%d, column %d: fix or remove the file",
				       path, jerr.line, jerr.column);
	if (!json_is_object(doc)) {
		json_decref(doc);
		return berth_error_set(
			err, 0, "auth file '%s': expected a JSON object", path);
	}
	*ret = doc;
	return 0;
}

/* The "auths" object, created when missing when create is set. */
static int get_auths(json_t *doc, const char *path, bool create, json_t **ret,
		     struct berth_error **err)
{
	json_t *auths = json_object_get(doc, "auths");

	if (auths == NULL && create) {
		auths = json_object();
		json_object_set_new(doc, "auths", auths);
	}
	if (auths != NULL && !json_is_object(auths))
		return berth_error_set(err, 0,
				       "auth file '%s': auths: expected an "
				       "object",
				       path);
	*ret = auths;
	return 0;
}

/*
 * The host a key names. docker writes "https://index.docker.io/v1/";
 * a key with a path but no scheme names one namespace of a registry,
 * which berth does not use (NULL).
 */
static char *key_host(const char *key)
{
	const char *p = key;
	const char *slash;
	char *host;

	if (strncmp(p, "https://", 8) == 0)
		p += 8;
	else if (strncmp(p, "http://", 7) == 0)
		p += 7;
	else if (strchr(p, '/') != NULL)
		return NULL;

	slash = strchr(p, '/');
	host = slash != NULL ? xstrndup(p, (size_t)(slash - p)) : xstrdup(p);
	if (strcmp(host, "index.docker.io") == 0 ||
	    strcmp(host, "registry-1.docker.io") == 0) {
		free(host);
		host = xstrdup("docker.io");
	}
	return host;
}

static bool key_matches(const char *key, const char *host)
{
	_cleanup_free_ char *h = key_host(key);

	return h != NULL && strcmp(h, host) == 0;
}

/* The entry for host: an exact key first, then a key naming it. */
static json_t *find_entry(json_t *auths, const char *host)
{
	const char *key;
	json_t *v;

	v = json_object_get(auths, host);
	if (v != NULL)
		return v;
	json_object_foreach (auths, key, v)
		if (key_matches(key, host))
			return v;
	return NULL;
}

static int decode(const char *path, const char *host, const char *b64,
		  char **ret_user, char **ret_password,
		  struct berth_error **err)
{
	size_t len = strlen(b64);
	size_t pad = 0;
	char *raw;
	char *colon;
	int n;

	if (len == 0 || len % 4 != 0 || len > 16384)
		goto invalid;
	while (pad < 2 && b64[len - 1 - pad] == '=')
		pad++;

	raw = xmalloc(len / 4 * 3 + 1);
	n = EVP_DecodeBlock((unsigned char *)raw, (const unsigned char *)b64,
			    (int)len);
	if (n < 0 || (size_t)n < pad) {
		free_secret(raw, len / 4 * 3);
		goto invalid;
	}
	n -= (int)pad;
	raw[n] = '\0';

	colon = memchr(raw, ':', (size_t)n);
	if (colon == NULL || colon == raw || strlen(raw) != (size_t)n) {
		free_secret(raw, len / 4 * 3);
		goto invalid;
	}
	*colon = '\0';
	*ret_user = xstrdup(raw);
	*ret_password = xstrdup(colon + 1);
	free_secret(raw, len / 4 * 3);
	return 0;

invalid:
	return berth_error_set(err, 0,
			       "auth file '%s': auths.%s.auth: expected "
			       "base64 of USER:PASSWORD; run berth login %s",
			       path, host, host);
}

int auth_file_get(const char *path, const char *host, char **ret_user,
		  char **ret_password, struct berth_error **err)
{
	_cleanup_json_ json_t *doc = NULL;
	json_t *auths, *entry, *auth;

	*ret_user = NULL;
	*ret_password = NULL;
	if (load(path, &doc, err) < 0 ||
	    get_auths(doc, path, false, &auths, err) < 0)
		return -1;

	entry = auths != NULL ? find_entry(auths, host) : NULL;
	auth = json_is_object(entry) ? json_object_get(entry, "auth") : NULL;
	if (auth == NULL)
		return 0;
	if (!json_is_string(auth))
		return berth_error_set(err, 0,
				       "auth file '%s': auths.%s.auth: "
				       "expected a string",
				       path, host);
	return decode(path, host, json_string_value(auth), ret_user,
		      ret_password, err);
}

/*
 * Write doc to path, or to the file that path links to: replacing a
 * symbolic link would cut it from its target, which other tools (a
 * Docker config.json, say) still read.
 */
static int save(const char *path, const json_t *doc, struct berth_error **err)
{
	_cleanup_free_ char *target = realpath(path, NULL);
	_cleanup_free_ char *copy = NULL;
	const char *dir;
	char *data;
	int r;

	if (target != NULL)
		path = target;
	copy = xstrdup(path);
	dir = dirname(copy);

	if (fs_mkdir_p(dir, 0700, err) < 0)
		return -1;

	data = json_dumps(doc, JSON_INDENT(1) | JSON_SORT_KEYS);
	if (data == NULL)
		abort();
	r = fs_write_atomic(path, data, strlen(data), 0600, err);
	free_secret(data, strlen(data));
	return r;
}

static char *encode(const char *user, const char *password)
{
	_cleanup_free_ char *plain = NULL;
	size_t len = (size_t)xasprintf(&plain, "%s:%s", user, password);
	char *out = xmalloc((len + 2) / 3 * 4 + 1);

	EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)plain,
			(int)len);
	explicit_bzero(plain, len);
	return out;
}

int auth_file_set(const char *path, const char *host, const char *user,
		  const char *password, struct berth_error **err)
{
	_cleanup_json_ json_t *doc = NULL;
	json_t *auths, *entry;
	char *b64;

	if (strchr(user, ':') != NULL)
		return berth_error_set(err, 0,
				       "invalid user name '%s': it must not "
				       "contain ':'",
				       user);
	if (load(path, &doc, err) < 0 ||
	    get_auths(doc, path, true, &auths, err) < 0)
		return -1;

	entry = json_object_get(auths, host);
	if (!json_is_object(entry)) {
		entry = json_object();
		json_object_set_new(auths, host, entry);
	}
	b64 = encode(user, password);
	json_object_set_new(entry, "auth", json_string(b64));
	free_secret(b64, strlen(b64));
	return save(path, doc, err);
}

int auth_file_remove(const char *path, const char *host, bool *ret_found,
		     struct berth_error **err)
{
	_cleanup_json_ json_t *doc = NULL;
	json_t *auths, *v;
	const char *key;
	void *tmp;

	*ret_found = false;
	if (load(path, &doc, err) < 0 ||
	    get_auths(doc, path, false, &auths, err) < 0)
		return -1;
	if (auths == NULL)
		return 0;

	json_object_foreach_safe(auths, tmp, key, v)
	{
		if (strcmp(key, host) == 0 || key_matches(key, host)) {
			json_object_del(auths, key);
			*ret_found = true;
		}
	}
	if (!*ret_found)
		return 0;
	return save(path, doc, err);
}

int auth_file_remove_all(const char *path, struct berth_error **err)
{
	_cleanup_json_ json_t *doc = NULL;
	json_t *auths;

	if (load(path, &doc, err) < 0 ||
	    get_auths(doc, path, false, &auths, err) < 0)
		return -1;
	if (auths == NULL || json_object_size(auths) == 0)
		return 0;
	json_object_clear(auths);
	return save(path, doc, err);
}
