/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "registry/remote-reference.h"

#include <stdbool.h>
#include <string.h>

#include "image/reference.h"
#include "registry/client.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

/* Same rule as reference.c: '.', ':' or "localhost" makes a host. */
static bool is_host(const char *name, size_t len)
{
	if (len == 9 && strncmp(name, "localhost", 9) == 0)
		return true;
	return memchr(name, '.', len) != NULL || memchr(name, ':', len) != NULL;
}

static void split_name(const char *name, char **ret_registry,
		       char **ret_repository)
{
	const char *slash = strchr(name, '/');

	if (slash != NULL && is_host(name, (size_t)(slash - name))) {
		*ret_registry = xstrndup(name, (size_t)(slash - name));
		*ret_repository = xstrdup(slash + 1);
	} else {
		*ret_registry = xstrdup(REGISTRY_DEFAULT_HOST);
		*ret_repository = xstrdup(name);
	}

	if (strcmp(*ret_registry, "index.docker.io") == 0) {
		free(*ret_registry);
		*ret_registry = xstrdup(REGISTRY_DEFAULT_HOST);
	}

	/* Docker Hub keeps its official images under library/. */
	if (strcmp(*ret_registry, REGISTRY_DEFAULT_HOST) == 0 &&
	    strchr(*ret_repository, '/') == NULL) {
		char *full;

		xasprintf(&full, "library/%s", *ret_repository);
		free(*ret_repository);
		*ret_repository = full;
	}
}

int remote_ref_parse(const char *s, struct remote_ref **ret,
		     struct berth_error **err)
{
	_cleanup_reference_ struct image_ref *local = NULL;
	struct remote_ref *ref;

	/* Users from "curl" or a registry's web page paste URLs. */
	if (strstr(s, "://") != NULL)
		return berth_error_set(err, 0,
				       "invalid reference format '%s': an "
				       "image name has no scheme; write "
				       "REGISTRY[:PORT]/NAME[:TAG], and use "
				       "--tls-verify=false for plain http",
				       s);
	if (reference_parse(s, &local, err) < 0)
		return -1;

	ref = xzalloc(sizeof(*ref));
	split_name(local->name, &ref->registry, &ref->repository);
	if (strlen(ref->registry) + 1 + strlen(ref->repository) >
	    REFERENCE_NAME_MAX) {
		remote_ref_free(ref);
		return berth_error_set(err, 0,
				       "invalid reference format '%s': the "
				       "repository name is longer than 255 "
				       "bytes with its registry",
				       s);
	}
	if (local->has_tag || local->digest == NULL)
		ref->tag = xstrdup(local->tag);
	if (local->digest != NULL)
		ref->digest = xstrdup(local->digest);

	*ret = ref;
	return 0;
}

char *remote_ref_string(const struct remote_ref *ref)
{
	char *s;

	xasprintf(&s, "%s/%s%s%s%s%s", ref->registry, ref->repository,
		  ref->tag != NULL ? ":" : "", ref->tag != NULL ? ref->tag : "",
		  ref->digest != NULL ? "@" : "",
		  ref->digest != NULL ? ref->digest : "");
	return s;
}

char *remote_ref_scope(const struct remote_ref *ref, const char *actions)
{
	char *s;

	xasprintf(&s, "repository:%s:%s", ref->repository, actions);
	return s;
}

const char *remote_ref_manifest_id(const struct remote_ref *ref)
{
	return ref->digest != NULL ? ref->digest : ref->tag;
}

void remote_ref_free(struct remote_ref *ref)
{
	if (ref == NULL)
		return;
	free(ref->registry);
	free(ref->repository);
	free(ref->tag);
	free(ref->digest);
	free(ref);
}
