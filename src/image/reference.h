/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_IMAGE_REFERENCE_H
#define BERTH_IMAGE_REFERENCE_H

/*
 * Image references, "[host[:port]/]path[:tag][@sha256:hex]", following
 * the grammar of the distribution project's reference package:
 *
 *	path-component := [a-z0-9]+ (separator [a-z0-9]+)*
 *	separator      := [_.] | "__" | "-"+
 *	tag            := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
 *
 * The first '/'-separated component is a registry host when it contains
 * '.' or ':' or is "localhost". The whole name is at most 255 bytes.
 * A reference without tag or digest gets the tag "latest". Names are not
 * expanded with "docker.io/library/": the local store keeps them as
 * given.
 */

#include "util/error.h"

#define REFERENCE_DEFAULT_TAG "latest"
#define REFERENCE_NAME_MAX 255
#define REFERENCE_TAG_MAX 128

struct image_ref {
	char *name;   /* repository, with its registry host if any */
	char *tag;    /* never NULL after parsing: "latest" by default */
	char *digest; /* "sha256:<hex>", or NULL */
	int has_tag;  /* 1 when the tag was written, 0 when defaulted */
};

int reference_parse(const char *s, struct image_ref **ret,
		    struct berth_error **err);

/* Return "name:tag", the form stored in index.json annotations. */
char *reference_name_tag(const struct image_ref *ref);

/*
 * Parse s and return its "name:tag" form. A digest in s is an error,
 * because a name to store cannot carry one.
 */
int reference_normalize(const char *s, char **ret, struct berth_error **err);

void reference_free(struct image_ref *ref);

static inline void cleanup_reference_freep(struct image_ref **ref)
{
	reference_free(*ref);
}

#define _cleanup_reference_ __attribute__((cleanup(cleanup_reference_freep)))

#endif
