/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz the parser of manifests and indexes as registries serve them.
 * An input starting with "Content-Type: VALUE\n" passes VALUE as the
 * response's content type; the rest is the body. An accepted document
 * must hold valid sha256 digests and sizes, and platform selection on
 * an index must either pick an image entry or fail with a message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/digest.h"
#include "registry/manifest-remote.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/xalloc.h"

#define HEADER "Content-Type: "

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_descriptor(const struct remote_descriptor *d)
{
	if (d->media_type == NULL || d->size < 0 ||
	    digest_parse(d->digest, NULL, NULL) < 0)
		abort();
}

static void check_select(const struct remote_manifest *m, const char *s)
{
	const struct remote_descriptor *d = NULL;
	struct berth_error *err = NULL;
	struct platform p = {0};

	if (platform_parse(s, &p, NULL) < 0)
		abort();
	if (remote_manifest_select(m, &p, &d, &err) < 0) {
		if (err == NULL || d != NULL)
			abort();
		berth_error_free(&err);
	} else if (d == NULL || d < m->manifests ||
		   d >= m->manifests + m->n_manifests) {
		abort();
	}
	platform_clear(&p);
}

static void check(const struct remote_manifest *m)
{
	if (m->json == NULL || m->media_type == NULL)
		abort();

	if (m->kind == REMOTE_MANIFEST_IMAGE) {
		check_descriptor(&m->config);
		for (size_t i = 0; i < m->n_layers; i++)
			check_descriptor(&m->layers[i]);
		return;
	}

	for (size_t i = 0; i < m->n_manifests; i++)
		check_descriptor(&m->manifests[i]);
	check_select(m, "linux/amd64");
	check_select(m, "linux/arm/v7");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *input = xmalloc(size + 1);
	_cleanup_free_ char *content_type = NULL;
	struct remote_manifest *m = NULL;
	struct berth_error *err = NULL;
	const char *body = input;
	size_t len = size;

	memcpy(input, data, size);
	input[size] = '\0';
	if (size > strlen(HEADER) &&
	    memcmp(input, HEADER, strlen(HEADER)) == 0) {
		const char *nl = memchr(input, '\n', size);

		if (nl != NULL) {
			content_type =
				xstrndup(input + strlen(HEADER),
					 (size_t)(nl - input) - strlen(HEADER));
			body = nl + 1;
			len = size - (size_t)(body - input);
		}
	}

	if (remote_manifest_parse(body, len, content_type, &m, &err) < 0) {
		if (err == NULL || err->msg == NULL || m != NULL)
			abort();
		berth_error_free(&err);
		return 0;
	}
	check(m);
	remote_manifest_free(m);
	return 0;
}
