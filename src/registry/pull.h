/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_REGISTRY_PULL_H
#define BERTH_REGISTRY_PULL_H

/*
 * Pull an image from a registry into the image store: fetch the
 * manifest (through an index for the chosen platform), then the config
 * and layer blobs, at most REGISTRY_PULL_PARALLEL at once, each streamed
 * into a verified blob (blob.h) unless the store has it already, each
 * layer extracted on the way (layer-feed.h), and name the image as the
 * user wrote the reference. A failure leaves no
 * name and no partial blob behind; blobs already complete stay, so a
 * new pull does not fetch them again.
 */

#include "image/store.h"
#include "registry/client.h"
#include "registry/progress.h"
#include "util/error.h"

/*
 * The limit of containers/image, which skopeo uses. A blob that waits
 * for a free slot downloads alone at the end, slower than in parallel.
 */
#define REGISTRY_PULL_PARALLEL 6

struct registry_pull_options {
	struct registry_options registry;
	const char *platform; /* "OS/ARCH[/VARIANT]", NULL for the host's */
	registry_progress_fn progress; /* NULL: no reports */
	void *progress_data;
};

struct registry_pull_result {
	char *id;	       /* hex image id */
	char *manifest_digest; /* of the image manifest pulled */
	char *name;	       /* "name:tag" given in the store, or NULL */
};

/*
 * Pull reference ("NAME[:TAG][@DIGEST]"). The image gets the name
 * NAME:TAG as written, unless only a digest was given; then it is
 * stored without a name, like podman's pull by digest.
 */
int registry_pull(struct image_store *store, const char *reference,
		  const struct registry_pull_options *opts,
		  struct registry_pull_result *ret, struct berth_error **err);

void registry_pull_result_clear(struct registry_pull_result *r);

#endif
