/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz the image reference parser. An accepted reference must format
 * to "name:tag" and parse again to the same parts. Its registry form
 * (remote-reference.h) must parse again to the same registry,
 * repository, tag and digest.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/reference.h"
#include "registry/remote-reference.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	       (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Normalizing twice must give what normalizing once gave. */
static void check_remote(const char *input)
{
	_cleanup_remote_ref_ struct remote_ref *r = NULL;
	_cleanup_remote_ref_ struct remote_ref *again = NULL;
	_cleanup_free_ char *full = NULL;
	struct berth_error *err = NULL;

	if (remote_ref_parse(input, &r, &err) < 0) {
		/* Only the expansion with docker.io/library/ can fail. */
		if (err == NULL ||
		    strstr(err->msg, "with its registry") == NULL)
			abort();
		berth_error_free(&err);
		return;
	}
	if (r->tag == NULL && r->digest == NULL)
		abort();

	full = remote_ref_string(r);
	if (remote_ref_parse(full, &again, &err) < 0)
		abort();
	if (!same(r->registry, again->registry) ||
	    !same(r->repository, again->repository) ||
	    !same(r->tag, again->tag) || !same(r->digest, again->digest))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *input = xstrndup((const char *)data, size);
	_cleanup_reference_ struct image_ref *ref = NULL;
	_cleanup_reference_ struct image_ref *again = NULL;
	_cleanup_free_ char *name_tag = NULL;
	struct berth_error *err = NULL;

	if (reference_parse(input, &ref, &err) < 0) {
		if (err == NULL || err->msg == NULL)
			abort();
		berth_error_free(&err);
		return 0;
	}

	name_tag = reference_name_tag(ref);
	if (reference_parse(name_tag, &again, &err) < 0)
		abort();
	if (strcmp(ref->name, again->name) != 0 ||
	    strcmp(ref->tag, again->tag) != 0)
		abort();

	check_remote(input);
	return 0;
}
