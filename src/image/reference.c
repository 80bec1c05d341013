/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "image/reference.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "image/digest.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

static bool is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool is_alnum(char c)
{
	return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

static int invalid(const char *s, const char *reason, struct berth_error **err)
{
	return berth_error_set(err, 0, "invalid reference format '%s': %s", s,
			       reason);
}

/* Check one path component of length len against the grammar. */
static int check_path_component(const char *s, const char *comp, size_t len,
				struct berth_error **err)
{
	size_t i = 0;

	if (len == 0)
		return invalid(s, "empty path component in repository name",
			       err);

	for (size_t j = 0; j < len; j++)
		if (comp[j] >= 'A' && comp[j] <= 'Z')
			return invalid(s, "repository name must be lowercase",
				       err);

	while (i < len) {
		size_t run = 0;

		while (i < len && is_lower_alnum(comp[i])) {
			i++;
			run++;
		}
		if (run == 0)
			return invalid(s,
				       "repository name components must start "
				       "and end with a letter or digit",
				       err);
		if (i == len)
			break;

		/* A separator: one '.', one or two '_', or any '-' run. */
		if (comp[i] == '.') {
			i++;
		} else if (comp[i] == '_') {
			i++;
			if (i < len && comp[i] == '_')
				i++;
		} else if (comp[i] == '-') {
			while (i < len && comp[i] == '-')
				i++;
		} else {
			return invalid(s,
				       "repository name may contain only "
				       "[a-z0-9], '.', '_', '-' and '/'",
				       err);
		}
		if (i == len)
			return invalid(s,
				       "repository name components must start "
				       "and end with a letter or digit",
				       err);
	}
	return 0;
}

static int check_domain_component(const char *s, const char *comp, size_t len,
				  struct berth_error **err)
{
	if (len == 0 || !is_alnum(comp[0]) || !is_alnum(comp[len - 1]))
		return invalid(s, "invalid registry host name", err);

	for (size_t i = 0; i < len; i++)
		if (!is_alnum(comp[i]) && comp[i] != '-')
			return invalid(s, "invalid registry host name", err);
	return 0;
}

/* Check "host[:port]": dotted host name labels, or a bracketed IPv6. */
static int check_domain(const char *s, const char *dom, size_t len,
			struct berth_error **err)
{
	const char *colon = NULL;
	size_t host_len = len;
	size_t start = 0;

	if (len > 0 && dom[0] == '[') {
		const char *close = memchr(dom, ']', len);

		if (close == NULL || close == dom + 1)
			return invalid(s, "invalid IPv6 registry address", err);
		for (const char *p = dom + 1; p < close; p++)
			if (!is_alnum(*p) && *p != ':' && *p != '.')
				return invalid(s,
					       "invalid IPv6 registry address",
					       err);
		host_len = close - dom + 1;
		if (host_len < len && dom[host_len] != ':')
			return invalid(s, "invalid IPv6 registry address", err);
		colon = host_len < len ? dom + host_len : NULL;
	} else {
		colon = memchr(dom, ':', len);
		if (colon != NULL)
			host_len = colon - dom;
		for (size_t i = 0; i <= host_len; i++) {
			if (i < host_len && dom[i] != '.')
				continue;
			if (check_domain_component(s, dom + start, i - start,
						   err) < 0)
				return -1;
			start = i + 1;
		}
	}

	if (colon != NULL) {
		size_t port_len = dom + len - colon - 1;

		if (port_len == 0)
			return invalid(s, "empty registry port", err);
		for (size_t i = 1; i <= port_len; i++)
			if (colon[i] < '0' || colon[i] > '9')
				return invalid(s,
					       "registry port must be a number",
					       err);
	}
	return 0;
}

static bool first_component_is_domain(const char *name, size_t len)
{
	if (len == 9 && strncmp(name, "localhost", 9) == 0)
		return true;
	return memchr(name, '.', len) != NULL || memchr(name, ':', len) != NULL;
}

static int check_name(const char *s, const char *name, struct berth_error **err)
{
	const char *p = name;
	const char *slash = strchr(name, '/');

	if (name[0] == '\0')
		return invalid(s, "repository name is empty", err);
	if (strlen(name) > REFERENCE_NAME_MAX)
		return invalid(s, "repository name is longer than 255 bytes",
			       err);

	if (slash != NULL && first_component_is_domain(name, slash - name)) {
		if (check_domain(s, name, slash - name, err) < 0)
			return -1;
		p = slash + 1;
	}

	for (;;) {
		const char *next = strchr(p, '/');
		size_t len = next != NULL ? (size_t)(next - p) : strlen(p);

		if (check_path_component(s, p, len, err) < 0)
			return -1;
		if (next == NULL)
			return 0;
		p = next + 1;
	}
}

static int check_tag(const char *s, const char *tag, struct berth_error **err)
{
	size_t len = strlen(tag);

	if (len == 0)
		return invalid(s, "empty tag", err);
	if (len > REFERENCE_TAG_MAX)
		return invalid(s, "tag is longer than 128 characters", err);
	if (!is_alnum(tag[0]) && tag[0] != '_')
		return invalid(s, "tag must start with a letter, digit or '_'",
			       err);

	for (size_t i = 1; i < len; i++)
		if (!is_alnum(tag[i]) && tag[i] != '_' && tag[i] != '.' &&
		    tag[i] != '-')
			return invalid(s, "tag may contain only [A-Za-z0-9_.-]",
				       err);
	return 0;
}

static int parse_digest_part(const char *s, const char *digest,
			     struct berth_error **err)
{
	struct berth_error *cause = NULL;

	if (digest_parse(digest, NULL, &cause) < 0) {
		invalid(s, cause->msg, err);
		berth_error_free(&cause);
		return -1;
	}
	return 0;
}

int reference_parse(const char *s, struct image_ref **ret,
		    struct berth_error **err)
{
	_cleanup_free_ char *copy = xstrdup(s);
	_cleanup_reference_ struct image_ref *ref = NULL;
	char *at = strchr(copy, '@');
	char *slash;
	char *colon;

	ref = xzalloc(sizeof(*ref));

	/* As in Docker: such a string always means the image id. */
	if (digest_hex_valid(s))
		return invalid(s,
			       "64 hex digits are an image id, not a "
			       "repository name",
			       err);

	if (at != NULL) {
		*at = '\0';
		if (parse_digest_part(s, at + 1, err) < 0)
			return -1;
		ref->digest = xstrdup(at + 1);
	}

	/* A ':' after the last '/' starts the tag; one before is a port. */
	slash = strrchr(copy, '/');
	colon = strrchr(slash != NULL ? slash : copy, ':');
	if (colon != NULL) {
		*colon = '\0';
		if (check_tag(s, colon + 1, err) < 0)
			return -1;
		ref->tag = xstrdup(colon + 1);
		ref->has_tag = 1;
	}

	if (check_name(s, copy, err) < 0)
		return -1;

	ref->name = xstrdup(copy);
	if (ref->tag == NULL)
		ref->tag = xstrdup(REFERENCE_DEFAULT_TAG);

	*ret = TAKE_PTR(ref);
	return 0;
}

char *reference_name_tag(const struct image_ref *ref)
{
	char *s = NULL;

	xasprintf(&s, "%s:%s", ref->name, ref->tag);
	return s;
}

int reference_normalize(const char *s, char **ret, struct berth_error **err)
{
	_cleanup_reference_ struct image_ref *ref = NULL;

	if (reference_parse(s, &ref, err) < 0)
		return -1;

	if (ref->digest != NULL)
		return berth_error_set(err, 0,
				       "invalid image name '%s': a name to "
				       "store cannot carry a digest; use "
				       "NAME[:TAG]",
				       s);

	/* Lookups read "sha256:..." as an id, so the name could not be used. */
	if (strcmp(ref->name, "sha256") == 0)
		return berth_error_set(err, 0,
				       "invalid image name '%s': 'sha256:' "
				       "starts an image id; choose another "
				       "repository name",
				       s);

	*ret = reference_name_tag(ref);
	return 0;
}

void reference_free(struct image_ref *ref)
{
	if (ref == NULL)
		return;
	free(ref->name);
	free(ref->tag);
	free(ref->digest);
	free(ref);
}
