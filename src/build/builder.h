/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_BUILD_BUILDER_H
#define BERTH_BUILD_BUILDER_H

/*
 * "berth build": run a Containerfile's stages into an image.
 *
 * Each step that changes files works on an overlay of the stage's
 * layers with a fresh upper directory. RUN executes in a container of
 * the runtime library (no network unless network is "host"), COPY and
 * ADD write through the mounted root, and the upper directory becomes
 * the step's layer. Metadata instructions only edit the image config.
 * Only the stages that the target needs are built.
 *
 * The caller must have entered a private mount namespace
 * (build_enter_mount_namespace()), so that a build that dies leaves no
 * mount behind. A failed build names no image and leaves no container
 * or cgroup; its layers stay in the store until the next removal
 * collects them.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "util/error.h"

struct build_options {
	const char *root;	   /* image store */
	const char *state_root;	   /* the runtime library's state root */
	const char *context;	   /* context directory */
	const char *file;	   /* -f, or NULL for CONTEXT/Containerfile */
	char **tags;		   /* "name[:tag]", may be NULL */
	char **build_args;	   /* "KEY=VALUE", or "KEY" for the host's */
	const char *target;	   /* stage name, NULL = the last stage */
	char **labels;		   /* "KEY=VALUE" */
	const char *network;	   /* "none" (default) or "host" */
	const char *cgroup_parent; /* NULL = the engine's default */
	int64_t timestamp;	   /* seconds, or LAYER_NO_TIMESTAMP */
	bool no_cache;
	FILE *progress;	   /* step lines, NULL = none */
	int run_output_fd; /* where RUN output goes */
};

/* Build the image and return its id (hex sha256 of its config). */
int build_image(const struct build_options *opts, char **ret_id,
		struct berth_error **err);

#endif
