/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_REGISTRY_REMOTE_REFERENCE_H
#define BERTH_REGISTRY_REMOTE_REFERENCE_H

/*
 * A reference as a registry sees it, normalized as Docker does:
 *
 *	busybox                  docker.io/library/busybox:latest
 *	user/app:1               docker.io/user/app:1
 *	127.0.0.1:5000/app       127.0.0.1:5000/app:latest
 *	quay.io/a/b@sha256:...   quay.io/a/b@sha256:...
 *
 * The first path component is the registry host when it contains '.'
 * or ':' or is "localhost" (reference.h). "index.docker.io" is written
 * as "docker.io". A reference may carry a tag and a digest at once; the
 * digest then decides what is pulled. Only the registry side is
 * normalized: the local store keeps names as the user wrote them.
 */

#include "util/error.h"

struct remote_ref {
	char *registry;	  /* "docker.io", "127.0.0.1:5000" */
	char *repository; /* "library/busybox": the API's NAME */
	char *tag;    /* "latest" when neither is given, NULL for digest only */
	char *digest; /* "sha256:<hex>", or NULL */
};

int remote_ref_parse(const char *s, struct remote_ref **ret,
		     struct berth_error **err);

/* "REGISTRY/REPOSITORY[:TAG][@DIGEST]", the full form. */
char *remote_ref_string(const struct remote_ref *ref);

/* "repository:REPOSITORY:ACTIONS", a token scope. */
char *remote_ref_scope(const struct remote_ref *ref, const char *actions);

/* The tag or the digest, what goes after /manifests/. */
const char *remote_ref_manifest_id(const struct remote_ref *ref);

void remote_ref_free(struct remote_ref *ref);

static inline void cleanup_remote_ref_freep(struct remote_ref **ref)
{
	remote_ref_free(*ref);
}

#define _cleanup_remote_ref_ __attribute__((cleanup(cleanup_remote_ref_freep)))

#endif
