/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_REGISTRY_MANIFEST_REMOTE_H
#define BERTH_REGISTRY_MANIFEST_REMOTE_H

/*
 * Manifests as registries serve them: an OCI image manifest or index,
 * or a Docker schema 2 manifest or manifest list. The parser checks
 * what a pull relies on (media types, digests, sizes, platforms) and
 * names the failing field; it does not fetch anything.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define MEDIA_TYPE_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MEDIA_TYPE_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MEDIA_TYPE_DOCKER_MANIFEST_V2 \
	"application/vnd.docker.distribution.manifest.v2+json"
#define MEDIA_TYPE_DOCKER_MANIFEST_LIST \
	"application/vnd.docker.distribution.manifest.list.v2+json"
#define MEDIA_TYPE_DOCKER_CONFIG \
	"application/vnd.docker.container.image.v1+json"
#define MEDIA_TYPE_DOCKER_LAYER_GZIP \
	"application/vnd.docker.image.rootfs.diff.tar.gzip"

/* The Accept header of a manifest request: the four types above. */
#define REGISTRY_MANIFEST_ACCEPT                                     \
	"Accept: " MEDIA_TYPE_OCI_MANIFEST ", " MEDIA_TYPE_OCI_INDEX \
	", " MEDIA_TYPE_DOCKER_MANIFEST_V2                           \
	", " MEDIA_TYPE_DOCKER_MANIFEST_LIST

/* Largest manifest or index a registry may send. */
#define REMOTE_MANIFEST_MAX_SIZE (4 * 1024 * 1024)

struct platform {
	char *os;	    /* "linux" */
	char *architecture; /* "amd64", "arm64", ... */
	char *variant;	    /* "v8", or NULL */
};

struct remote_descriptor {
	const char *media_type;	  /* points into the parsed JSON */
	const char *digest;	  /* "sha256:<hex>", checked */
	int64_t size;		  /* >= 0 */
	struct platform platform; /* index entries only; fields may be NULL */
};

enum remote_manifest_kind {
	REMOTE_MANIFEST_IMAGE, /* OCI manifest or Docker schema 2 */
	REMOTE_MANIFEST_INDEX, /* OCI index or Docker manifest list */
};

struct remote_manifest {
	enum remote_manifest_kind kind;
	const char *media_type; /* one of the four types above */
	json_t *json;
	/* kind IMAGE */
	struct remote_descriptor config;
	size_t n_layers;
	struct remote_descriptor *layers;
	/* kind INDEX */
	size_t n_manifests;
	struct remote_descriptor *manifests;
};

/*
 * Parse a manifest body. content_type is the response's Content-Type
 * (parameters ignored) or NULL; the document's own mediaType decides
 * when present, and the two must not contradict each other.
 */
int remote_manifest_parse(const char *data, size_t len,
			  const char *content_type,
			  struct remote_manifest **ret,
			  struct berth_error **err);

void remote_manifest_free(struct remote_manifest *m);

static inline void cleanup_remote_manifest_freep(struct remote_manifest **m)
{
	remote_manifest_free(*m);
}

#define _cleanup_remote_manifest_ \
	__attribute__((cleanup(cleanup_remote_manifest_freep)))

/*
 * Parse "OS/ARCH[/VARIANT]". Architecture aliases are normalized as in
 * containerd (x86_64 -> amd64, aarch64 -> arm64, arm64 variant v8
 * dropped).
 */
int platform_parse(const char *s, struct platform *ret,
		   struct berth_error **err);

/* The platform of this host: linux and the architecture berth runs on. */
void platform_host(struct platform *ret);

/* "OS/ARCH[/VARIANT]" */
char *platform_string(const struct platform *p);

void platform_clear(struct platform *p);

/*
 * Pick the entry of an index for platform p: same os and architecture,
 * and the same variant when p has one (an entry without a variant
 * matches too). The first match wins. Fails naming p and listing the
 * platforms the index offers.
 */
int remote_manifest_select(const struct remote_manifest *index,
			   const struct platform *p,
			   const struct remote_descriptor **ret,
			   struct berth_error **err);

#endif
