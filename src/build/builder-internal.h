/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_BUILD_BUILDER_INTERNAL_H
#define BERTH_BUILD_BUILDER_INTERNAL_H

/* Shared by the files that implement builder.h. */

#include <jansson.h>
#include <stdbool.h>

#include "build/builder.h"
#include "build/containerfile.h"
#include "build/ignore.h"
#include "image/digest.h"
#include "image/layer-writer.h"
#include "image/store.h"
#include "util/error.h"

/* A stage while it is built. */
struct stage_state {
	const struct build_stage *stage;
	bool needed;   /* the target depends on it */
	bool visiting; /* on the dependency walk's path, to find cycles */
	bool built;
	struct image_draft *draft;
	char key[DIGEST_STRING_SIZE]; /* cache key of the last step */
	bool use_cache;		      /* false after the first miss */
	char **args;		      /* ARG values in effect, "K=V" */
	char **shell;		      /* SHELL, default /bin/sh -c */
	bool cmd_set;		      /* CMD given in this stage */
	char *image_id;		      /* once committed for a later FROM */
};

struct builder {
	const struct build_options *opts;
	struct image_store *store;
	struct containerfile *cf;
	struct ignore_matcher *ignore;
	int context_fd;
	char *work_dir;	    /* ROOT/cache/build/work */
	char **global_args; /* ARGs before the first FROM, "K=V" */
	char **used_args;   /* --build-arg names that an ARG consumed */
	struct stage_state *stages;
	size_t n_steps; /* instructions of the needed stages */
	size_t step;	/* the step being run, from 1 */
	size_t n_needed;
	bool missed;	     /* a step ran instead of coming from the cache */
	size_t stage_number; /* of the needed stages, from 1 */
};

/* Print "[S/N] STEP I/M: TEXT" (or without the stage part). */
void builder_print_step(struct builder *b, const char *text);

/* Print a progress line, unless quiet. */
void builder_print(struct builder *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Errors of an instruction read "FILE:LINE: INSTRUCTION: message";
 * wrap the error set by a failed step in that form.
 */
int builder_wrap_error(struct builder *b, const struct build_instruction *in,
		       struct berth_error **err);

/* The environment that stage words are expanded against: ARG then ENV. */
char **builder_stage_env(struct stage_state *s);

/* Expand word against the stage's environment. */
int builder_expand(struct builder *b, struct stage_state *s, const char *word,
		   char **ret, struct berth_error **err);

/* Run one instruction of stage s. */
int builder_run_instruction(struct builder *b, struct stage_state *s,
			    const struct build_instruction *in,
			    struct berth_error **err);

/* Metadata instructions: they edit the config only. */
int builder_run_metadata(struct builder *b, struct stage_state *s,
			 const struct build_instruction *in,
			 struct berth_error **err);

/* ARG inside a stage. */
int builder_run_arg(struct builder *b, struct stage_state *s,
		    const struct build_instruction *in,
		    struct berth_error **err);

/* Whether name is a valid ARG or ENV name. */
bool builder_arg_name_valid(const char *name);

/* Whether name is a proxy variable that RUN gets without an ARG. */
bool builder_is_proxy_arg(const char *name);

/* The --build-arg value of name, or NULL; marks it consumed. */
const char *builder_build_arg(struct builder *b, const char *name);

/*
 * Make sure stage index is built and, with commit, stored as an unnamed
 * image; for FROM and COPY --from.
 */
int builder_build_stage(struct builder *b, size_t index,
			struct berth_error **err);
int builder_commit_stage(struct builder *b, size_t index,
			 struct berth_error **err);

/*
 * When every step so far came from the cache, return in *ret_id the
 * image that the same steps committed before under key, if it still
 * exists; *ret_id stays NULL otherwise.
 */
int builder_reuse_image(struct builder *b, const char *key, char **ret_id,
			struct berth_error **err);

/*
 * Fail when the stage's config object is too large for the image config
 * blob that the store reads back, before the commit writes any blob.
 */
int builder_check_config_size(struct stage_state *s, struct berth_error **err);

/* Add a history entry without a layer and set the cache key chain. */
int builder_add_empty(struct builder *b, struct stage_state *s,
		      const char *created_by, struct berth_error **err);

#endif
