/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One stage: resolve FROM (an image, an earlier stage or scratch),
 * build the stages it copies from, run the base image's ONBUILD
 * triggers and then its instructions.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "build/build-cache.h"
#include "build/build-run.h"
#include "build/builder-internal.h"
#include "build/expand.h"
#include "engine/env.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/strv.h"
#include "util/xalloc.h"

char **builder_stage_env(struct stage_state *s)
{
	json_t *env = json_object_get(image_draft_config(s->draft), "Env");
	char **out = strv_copy(s->args);
	json_t *v;
	size_t i;

	if (out == NULL)
		out = xzalloc(sizeof(char *));
	/* ENV wins over ARG: later entries win in build_env_lookup(). */
	json_array_foreach (env, i, v)
		if (json_is_string(v))
			strv_push(&out, json_string_value(v));
	return out;
}

int builder_expand(struct builder *b, struct stage_state *s, const char *word,
		   char **ret, struct berth_error **err)
{
	_cleanup_strv_ char **env = builder_stage_env(s);

	return build_expand_word_env(word, b->cf->escape, env, ret, err);
}

/* The stage that ref names for stage index, or -1 for an image. */
static ssize_t stage_ref(struct builder *b, size_t index, const char *ref,
			 bool allow_index)
{
	/* As in Docker, a name of a later stage is an image name. */
	return containerfile_find_stage(b->cf, ref, index, allow_index);
}

int builder_commit_stage(struct builder *b, size_t index,
			 struct berth_error **err)
{
	struct stage_state *s = &b->stages[index];

	char key[DIGEST_STRING_SIZE];

	if (builder_build_stage(b, index, err) < 0)
		return -1;
	if (s->image_id != NULL)
		return 0;

	/* An unchanged rebuild uses the stage's image again, not a new one. */
	build_cache_key(s->key, "COMMIT", NULL, NULL, b->opts->timestamp, key);
	if (builder_reuse_image(b, key, &s->image_id, err) < 0)
		return -1;
	if (s->image_id != NULL)
		return 0;

	if (builder_check_config_size(s, err) < 0 ||
	    image_draft_commit(b->store, s->draft, NULL, b->opts->timestamp,
			       NULL, &s->image_id, err) < 0)
		return -1;
	return build_cache_put_image(b->opts->root, key, s->image_id, err);
}

/* Build the earlier stages that COPY --from of stage s names. */
static int build_copy_sources(struct builder *b, struct stage_state *s,
			      struct berth_error **err)
{
	for (size_t i = 1; i < s->stage->n_instructions; i++) {
		const struct build_instruction *in = &s->stage->instructions[i];
		_cleanup_free_ char *ref = NULL;
		const char *from;
		ssize_t dep;

		if (in->kind != BUILD_COPY && in->kind != BUILD_ADD)
			continue;
		from = build_instruction_flag(in, "from");
		if (from == NULL)
			continue;
		if (build_expand_word_env(from, b->cf->escape, b->global_args,
					  &ref, NULL) < 0)
			ref = xstrdup(from);
		dep = stage_ref(b, s->stage->index, ref, true);
		if (dep >= 0 && builder_build_stage(b, (size_t)dep, err) < 0)
			return -1;
	}
	return 0;
}

static void init_shell(struct stage_state *s)
{
	json_t *config = image_draft_config(s->draft);
	json_t *shell = json_object_get(config, "Shell"), *v;
	size_t i;

	s->shell = xzalloc(sizeof(char *));
	json_array_foreach (shell, i, v)
		if (json_is_string(v))
			strv_push(&s->shell, json_string_value(v));
	if (strv_length(s->shell) == 0) {
		strv_push(&s->shell, "/bin/sh");
		strv_push(&s->shell, "-c");
	}
}

static int open_base(struct builder *b, struct stage_state *s, const char *base,
		     char **ret_parent, struct berth_error **err)
{
	struct image_info *info = NULL;
	ssize_t dep;

	if (strcasecmp(base, "scratch") == 0) {
		*ret_parent = xstrdup("scratch");
		return image_draft_new(b->store, NULL, &s->draft, err);
	}

	dep = stage_ref(b, s->stage->index, base, false);
	if (dep >= 0) {
		if (builder_commit_stage(b, (size_t)dep, err) < 0)
			return -1;
		*ret_parent = xstrdup(b->stages[dep].key);
		return image_draft_new(b->store, b->stages[dep].image_id,
				       &s->draft, err);
	}

	if (image_store_find(b->store, base, &info, err) < 0)
		return -1;
	if (info == NULL)
		return berth_error_set(err, 0,
				       "image '%s' not found: import it or "
				       "build it first",
				       base);
	xasprintf(ret_parent, "image:%s", info->id);
	image_info_free(info);
	return image_draft_new(b->store, base, &s->draft, err);
}

/*
 * Run the base image's ONBUILD triggers, then drop them: they fire
 * once, in the image directly built on the one that recorded them.
 */
static int run_triggers(struct builder *b, struct stage_state *s,
			struct berth_error **err)
{
	json_t *config = image_draft_config(s->draft);
	json_t *triggers = json_incref(json_object_get(config, "OnBuild"));
	json_t *v;
	size_t i;
	int r = 0;

	json_object_del(config, "OnBuild");
	json_array_foreach (triggers, i, v) {
		const char *text = json_string_value(v);
		_cleanup_free_ char *file = NULL;
		struct containerfile *cf = NULL;

		if (text == NULL)
			continue;
		xasprintf(&file, "FROM scratch\n%s\n", text);
		r = containerfile_parse(file, strlen(file), "ONBUILD trigger",
					&cf, err);
		for (size_t j = 1; r == 0 && j < cf->stages[0].n_instructions;
		     j++) {
			builder_print(b, "--> ONBUILD %s", text);
			r = builder_run_instruction(
				b, s, &cf->stages[0].instructions[j], err);
		}
		containerfile_free(cf);
		if (r < 0)
			break;
	}
	json_decref(triggers);
	return r;
}

static int start_stage(struct builder *b, struct stage_state *s,
		       struct berth_error **err)
{
	const struct build_instruction *from = &s->stage->instructions[0];
	_cleanup_free_ char *base = NULL, *parent = NULL, *line = NULL;

	if (build_expand_word_env(s->stage->base, b->cf->escape, b->global_args,
				  &base, err) < 0)
		return builder_wrap_error(b, from, err);

	if (s->stage->name != NULL)
		xasprintf(&line, "FROM %s AS %s", base, s->stage->name);
	else
		xasprintf(&line, "FROM %s", base);

	if (open_base(b, s, base, &parent, err) < 0)
		return builder_wrap_error(b, from, err);

	b->stage_number++;
	builder_print_step(b, line);

	build_cache_key(parent, "FROM", NULL, NULL, b->opts->timestamp, s->key);
	s->use_cache = !b->opts->no_cache;
	s->args = xzalloc(sizeof(char *));
	init_shell(s);
	return 0;
}

int builder_build_stage(struct builder *b, size_t index,
			struct berth_error **err)
{
	struct stage_state *s = &b->stages[index];

	if (s->built)
		return 0;

	if (build_copy_sources(b, s, err) < 0 || start_stage(b, s, err) < 0)
		return -1;
	/* A chain of FROM-only stages reaches no instruction loop below. */
	if (build_interrupted())
		return berth_error_set(err, 0, "build interrupted");

	if (run_triggers(b, s, err) < 0)
		return builder_wrap_error(b, &s->stage->instructions[0], err);

	for (size_t i = 1; i < s->stage->n_instructions; i++) {
		const struct build_instruction *in = &s->stage->instructions[i];

		if (build_interrupted())
			return berth_error_set(err, 0, "build interrupted");
		builder_print_step(b, in->text);
		if (builder_run_instruction(b, s, in, err) < 0)
			return builder_wrap_error(b, in, err);
	}

	s->built = true;
	return 0;
}
