/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * build_image(): load the Containerfile, pick the stages the target
 * needs, build them in order and commit the target as the image.
 */
#include "build/builder-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "build/build-cache.h"
#include "build/expand.h"
#include "engine/env.h"
#include "image/manifest.h"
#include "image/reference.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/lock.h"
#include "util/strv.h"
#include "util/xalloc.h"

#define WORK_DIR "cache/build/work"

void builder_print(struct builder *b, const char *fmt, ...)
{
	va_list ap;

	if (b->opts->progress == NULL)
		return;
	va_start(ap, fmt);
	vfprintf(b->opts->progress, fmt, ap);
	va_end(ap);
	fputc('\n', b->opts->progress);
	fflush(b->opts->progress);
}

void builder_print_step(struct builder *b, const char *text)
{
	b->step++;
	if (b->n_needed > 1)
		builder_print(b, "[%zu/%zu] STEP %zu/%zu: %s", b->stage_number,
			      b->n_needed, b->step, b->n_steps, text);
	else
		builder_print(b, "STEP %zu/%zu: %s", b->step, b->n_steps, text);
}

int builder_wrap_error(struct builder *b, const struct build_instruction *in,
		       struct berth_error **err)
{
	return berth_error_wrap(err, "%s:%u: %s", b->cf->path, in->line,
				build_instruction_name(in->kind));
}

static int load_containerfile(struct builder *b, struct berth_error **err)
{
	_cleanup_free_ char *path = NULL, *data = NULL;
	size_t len;

	if (containerfile_find(b->opts->context, b->opts->file, &path, err) < 0)
		return -1;

	if (strcmp(path, "-") == 0) {
		if (fs_read_all(STDIN_FILENO, &data, &len, err) < 0)
			return berth_error_wrap(err, "read the Containerfile "
						     "from standard input");
		if (containerfile_parse(data, len, "-", &b->cf, err) < 0)
			return -1;
	} else if (containerfile_load(path, &b->cf, err) < 0) {
		return -1;
	}

	if (containerfile_check_stages(b->cf, err) < 0)
		return -1;

	return ignore_load_for_build(b->opts->context,
				     strcmp(path, "-") == 0 ? NULL : path,
				     &b->ignore, err);
}

/* --build-arg KEY takes the value from the environment, as Docker does. */
const char *builder_build_arg(struct builder *b, const char *name)
{
	size_t len = strlen(name);

	for (size_t i = strv_length(b->opts->build_args); i-- > 0;) {
		const char *a = b->opts->build_args[i];

		if (strncmp(a, name, len) != 0 ||
		    (a[len] != '=' && a[len] != '\0'))
			continue;
		if (!strv_contains(b->used_args, name))
			strv_push(&b->used_args, name);
		return a[len] == '=' ? a + len + 1 : getenv(name);
	}
	return NULL;
}

bool builder_arg_name_valid(const char *name)
{
	if (name[0] == '\0' || (name[0] >= '0' && name[0] <= '9'))
		return false;
	for (const char *p = name; *p != '\0'; p++)
		if (!(*p == '_' || (*p >= 'a' && *p <= 'z') ||
		      (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
			return false;
	return true;
}

static int set_pair(char ***env, const char *key, const char *value,
		    struct berth_error **err)
{
	_cleanup_free_ char *entry = NULL;

	xasprintf(&entry, "%s=%s", key, value);
	return env_set(env, entry, err);
}

static int process_global_args(struct builder *b, struct berth_error **err)
{
	b->global_args = xzalloc(sizeof(char *));

	for (size_t i = 0; i < b->cf->n_global_args; i++) {
		const struct build_instruction *in = &b->cf->global_args[i];

		for (size_t j = 0; j < in->n_pairs; j++) {
			const struct build_pair *p = &in->pairs[j];
			_cleanup_free_ char *value = NULL;
			const char *given;

			if (!builder_arg_name_valid(p->key)) {
				berth_error_set(err, 0,
						"invalid ARG name '%s': use "
						"letters, digits and '_'",
						p->key);
				return builder_wrap_error(b, in, err);
			}

			given = builder_build_arg(b, p->key);
			if (given != NULL)
				value = xstrdup(given);
			else if (p->has_value &&
				 build_expand_word_env(p->value, b->cf->escape,
						       b->global_args, &value,
						       err) < 0)
				return builder_wrap_error(b, in, err);

			if (value != NULL &&
			    set_pair(&b->global_args, p->key, value, err) < 0)
				return builder_wrap_error(b, in, err);
		}
	}
	return 0;
}

static const char *stage_label(const struct build_stage *stage, char *buf,
			       size_t size)
{
	if (stage->name != NULL)
		return stage->name;
	snprintf(buf, size, "%zu", stage->index);
	return buf;
}

static int mark_needed(struct builder *b, size_t index,
		       struct berth_error **err);

static int mark_ref(struct builder *b, size_t from, const char *raw,
		    bool allow_index, const struct build_instruction *in,
		    struct berth_error **err)
{
	_cleanup_free_ char *ref = NULL;
	char a[24], c[24];
	ssize_t target;

	if (build_expand_word_env(raw, b->cf->escape, b->global_args, &ref,
				  NULL) < 0)
		ref = xstrdup(raw);

	/* As in Docker, a name of a later stage is an image name. */
	target = containerfile_find_stage(b->cf, ref, from, allow_index);
	if (target < 0)
		return 0;

	if (b->stages[target].visiting) {
		berth_error_set(
			err, 0,
			"stage '%s' refers to stage '%s', which "
			"needs stage '%s' in turn: remove the cycle",
			stage_label(b->cf->stages + from, a, sizeof(a)), ref,
			stage_label(b->cf->stages + from, c, sizeof(c)));
		return builder_wrap_error(b, in, err);
	}
	return mark_needed(b, (size_t)target, err);
}

static int mark_needed(struct builder *b, size_t index,
		       struct berth_error **err)
{
	struct stage_state *s = &b->stages[index];
	const struct build_stage *stage = s->stage;

	if (s->needed)
		return 0;
	s->visiting = true;

	if (mark_ref(b, index, stage->base, false, &stage->instructions[0],
		     err) < 0)
		return -1;

	for (size_t i = 1; i < stage->n_instructions; i++) {
		const struct build_instruction *in = &stage->instructions[i];
		const char *from;

		if (in->kind != BUILD_COPY && in->kind != BUILD_ADD)
			continue;
		from = build_instruction_flag(in, "from");
		if (from != NULL && mark_ref(b, index, from, true, in, err) < 0)
			return -1;
	}

	s->visiting = false;
	s->needed = true;
	b->n_needed++;
	b->n_steps += stage->n_instructions;
	return 0;
}

static int select_stages(struct builder *b, size_t *ret_target,
			 struct berth_error **err)
{
	size_t target = b->cf->n_stages - 1;

	b->stages = xcalloc(b->cf->n_stages, sizeof(*b->stages));
	for (size_t i = 0; i < b->cf->n_stages; i++)
		b->stages[i].stage = &b->cf->stages[i];

	if (b->opts->target != NULL) {
		ssize_t t = containerfile_find_stage(b->cf, b->opts->target,
						     b->cf->n_stages, false);

		if (t < 0 || b->cf->stages[t].name == NULL ||
		    strcasecmp(b->cf->stages[t].name, b->opts->target) != 0)
			return berth_error_set(err, 0,
					       "target stage '%s' not found "
					       "in '%s'",
					       b->opts->target, b->cf->path);
		target = (size_t)t;
	}

	*ret_target = target;
	return mark_needed(b, target, err);
}

/*
 * Work directories of step roots live in ROOT/cache/build/work. A build
 * holds work.lock shared while it runs; one that gets it exclusively
 * first knows no other build runs and removes what a killed one left.
 */
static int prepare_work_dir(struct builder *b, int *ret_lock,
			    struct berth_error **err)
{
	_cleanup_free_ char *cache = fs_path_join(b->opts->root, "cache/build");
	_cleanup_free_ char *lock_path = fs_path_join(cache, "work.lock");

	_cleanup_free_ char *work = fs_path_join(b->opts->root, WORK_DIR);
	_cleanup_free_ char *tmpl = fs_path_join(work, "build-XXXXXX");
	int lock = -1;

	if (fs_mkdir_p(cache, 0700, err) < 0)
		return -1;

	if (lock_try_acquire(lock_path, LOCK_MODE_EXCLUSIVE, &lock, NULL) ==
	    0) {
		(void)fs_rm_rf(work, NULL);
		lock_release(&lock);
	}
	if (lock_acquire(lock_path, LOCK_MODE_SHARED, ret_lock, err) < 0 ||
	    fs_mkdir_p(work, 0700, err) < 0)
		return -1;

	if (mkdtemp(tmpl) == NULL)
		return berth_error_set(err, errno, "create '%s'", tmpl);
	b->work_dir = TAKE_PTR(tmpl);
	return 0;
}

/* Docker and Podman also keep the image id of an unchanged rebuild. */
int builder_reuse_image(struct builder *b, const char *key, char **ret_id,
			struct berth_error **err)
{
	struct image_info *info = NULL;
	_cleanup_free_ char *id = NULL;

	*ret_id = NULL;
	if (b->missed || b->opts->no_cache ||
	    build_cache_get_image(b->opts->root, key, &id) == 0)
		return 0;

	if (image_store_find(b->store, id, &info, err) < 0)
		return -1;
	if (info == NULL)
		return 0;
	image_info_free(info);
	*ret_id = TAKE_PTR(id);
	return 0;
}

/* Add the --label values to the config's Labels. */
static void add_labels(struct builder *b, json_t *config)
{
	json_t *labels = json_object_get(config, "Labels");

	for (size_t i = 0; b->opts->labels != NULL && b->opts->labels[i]; i++) {
		const char *l = b->opts->labels[i];
		const char *eq = strchr(l, '=');
		_cleanup_free_ char *name =
			eq != NULL ? xstrndup(l, (size_t)(eq - l)) : xstrdup(l);

		if (!json_is_object(labels)) {
			labels = json_object();
			json_object_set_new(config, "Labels", labels);
		}
		json_object_set_new(labels, name,
				    json_string(eq != NULL ? eq + 1 : ""));
	}
}

/*
 * Half of the store's limit of a config blob is left for the history
 * entries, which hold the Containerfile's lines, and for rootfs.
 */
#define BUILD_CONFIG_MAX_SIZE (CONFIG_MAX_SIZE / 2)

int builder_check_config_size(struct stage_state *s, struct berth_error **err)
{
	_cleanup_free_ char *text = json_dumps(image_draft_config(s->draft),
					       JSON_COMPACT | JSON_SORT_KEYS);
	size_t len = text != NULL ? strlen(text) : 0;

	if (len > BUILD_CONFIG_MAX_SIZE)
		return berth_error_set(err, 0,
				       "the image config (Env, Labels and the "
				       "like) has %zu bytes, more than the "
				       "limit of %d: shorten its values",
				       len, BUILD_CONFIG_MAX_SIZE);
	return 0;
}

static int commit_target(struct builder *b, size_t target, char **ret_id,
			 struct berth_error **err)
{
	struct stage_state *s = &b->stages[target];
	char **tags = b->opts->tags;
	char manifest[DIGEST_STRING_SIZE], key[DIGEST_STRING_SIZE];
	_cleanup_free_ char *id = NULL;
	size_t first_tag = 0;

	add_labels(b, image_draft_config(s->draft));
	if (builder_check_config_size(s, err) < 0)
		return -1;

	if (tags != NULL && tags[0] != NULL)
		builder_print(b, "COMMIT %s", tags[0]);
	else
		builder_print(b, "COMMIT");

	build_cache_key(s->key, "COMMIT", b->opts->labels, NULL,
			b->opts->timestamp, key);
	if (builder_reuse_image(b, key, &id, err) < 0)
		return -1;

	if (id == NULL) {
		if (image_draft_commit(
			    b->store, s->draft, tags != NULL ? tags[0] : NULL,
			    b->opts->timestamp, manifest, &id, err) < 0 ||
		    build_cache_put_image(b->opts->root, key, id, err) < 0)
			return -1;
		first_tag = 1;
	}

	for (size_t i = first_tag; tags != NULL && tags[i] != NULL; i++)
		if (image_store_tag(b->store, id, tags[i], err) < 0)
			return -1;

	builder_print(b, "--> %.12s", id);
	for (size_t i = 0; tags != NULL && tags[i] != NULL; i++)
		builder_print(b, "Successfully tagged %s", tags[i]);

	*ret_id = TAKE_PTR(id);
	return 0;
}

static void warn_unused_args(struct builder *b)
{
	for (size_t i = 0; b->opts->build_args && b->opts->build_args[i]; i++) {
		_cleanup_free_ char *name =
			xstrndup(b->opts->build_args[i],
				 strcspn(b->opts->build_args[i], "="));

		if (!strv_contains(b->used_args, name) &&
		    !builder_is_proxy_arg(name))
			builder_print(b,
				      "[Warning] the build argument '%s' was "
				      "not consumed by any ARG",
				      name);
	}
}

static int build_all(struct builder *b, char **ret_id, struct berth_error **err)
{
	size_t target = 0;

	if (load_containerfile(b, err) < 0 || process_global_args(b, err) < 0)
		return -1;

	/* Tags are checked before any step runs, not after the last. */
	for (size_t i = 0; b->opts->tags != NULL && b->opts->tags[i]; i++) {
		_cleanup_free_ char *name = NULL;

		if (reference_normalize(b->opts->tags[i], &name, err) < 0)
			return -1;
	}

	if (select_stages(b, &target, err) < 0)
		return -1;

	b->context_fd =
		open(b->opts->context, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (b->context_fd < 0)
		return berth_error_set(err, errno, "open build context '%s'",
				       b->opts->context);

	if (builder_build_stage(b, target, err) < 0)
		return -1;

	warn_unused_args(b);
	return commit_target(b, target, ret_id, err);
}

/* Whether a mount point lies below dir, from /proc/self/mountinfo. */
static bool has_mounts_below(const char *dir)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
	_cleanup_free_ char *line = NULL;
	size_t size = 0, len = strlen(dir);

	if (f == NULL)
		return true;
	while (getline(&line, &size, f) > 0) {
		char mount_point[4096];

		if (sscanf(line, "%*s %*s %*s %*s %4095s", mount_point) == 1 &&
		    strncmp(mount_point, dir, len) == 0 &&
		    (mount_point[len] == '/' || mount_point[len] == '\0'))
			return true;
	}
	return false;
}

static void builder_clear(struct builder *b)
{
	for (size_t i = 0; b->stages != NULL && i < b->cf->n_stages; i++) {
		struct stage_state *s = &b->stages[i];

		image_draft_free(s->draft);
		strv_free(s->args);
		strv_free(s->shell);
		free(s->image_id);
	}
	free(b->stages);
	if (b->context_fd >= 0)
		close(b->context_fd);
	ignore_matcher_free(b->ignore);
	containerfile_free(b->cf);
	strv_free(b->global_args);
	strv_free(b->used_args);
	/* A step root that failed to unmount must not be emptied. */
	if (b->work_dir != NULL && !has_mounts_below(b->work_dir))
		(void)fs_rm_rf(b->work_dir, NULL);
	free(b->work_dir);
	if (b->store != NULL)
		image_store_close(b->store);
}

int build_image(const struct build_options *opts, char **ret_id,
		struct berth_error **err)
{
	struct builder b = {.opts = opts, .context_fd = -1};
	_cleanup_lock_ int work_lock = -1;
	int r;

	r = image_store_open(opts->root, &b.store, err);
	if (r == 0)
		r = prepare_work_dir(&b, &work_lock, err);
	if (r == 0)
		r = build_all(&b, ret_id, err);

	builder_clear(&b);
	return r;
}
