/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The steps that make layers: RUN, COPY, ADD and WORKDIR. Each looks
 * its cache key up first; on a miss it mounts the stage's root over a
 * fresh upper directory, changes it and writes the upper directory as
 * the layer.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build/build-cache.h"
#include "build/build-copy.h"
#include "build/build-run.h"
#include "build/builder-internal.h"
#include "build/context.h"
#include "build/expand.h"
#include "build/strbuf.h"
#include "engine/env.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/strv.h"
#include "util/xalloc.h"

/* Changes the mounted root of a step; may unmount it. */
typedef int (*step_fn)(struct builder *b, struct stage_state *s,
		       struct build_step_root *root, void *data,
		       struct berth_error **err);

struct layer_step {
	const char *key_text;	  /* what the cache key covers */
	const char *content_hash; /* of COPY and ADD sources, or NULL */
	const char *created_by;
	bool skip_if_unchanged; /* no layer when the step changed nothing */
	step_fn fn;
	void *data;
};

static bool dir_is_empty(const char *path)
{
	_cleanup_closedir_ DIR *d = opendir(path);
	struct dirent *de;

	if (d == NULL)
		return false;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			return false;
	return true;
}

static int use_cache_entry(struct builder *b, struct stage_state *s,
			   struct build_cache_entry *entry,
			   struct berth_error **err)
{
	json_t *config = image_draft_config(s->draft);

	if (image_draft_add(s->draft, entry->has_layer ? &entry->layer : NULL,
			    entry->created_by, NULL, err) < 0)
		return -1;
	json_object_clear(config);
	json_object_update(config, entry->config);
	builder_print(b, "--> Using cache %s",
		      entry->has_layer ? entry->layer.diff_id + 7 : "");
	return 0;
}

/* Run the step in a mounted root and add what it changed as a layer. */
static int make_layer(struct builder *b, struct stage_state *s,
		      const struct layer_step *step,
		      struct build_cache_entry *entry, struct berth_error **err)
{
	_cleanup_strv_ char **dirs = NULL;
	struct build_step_root root = {.root_fd = -1};
	struct layer_write_options opts;
	int r;

	if (image_draft_layer_dirs(b->store, s->draft, &dirs, err) < 0 ||
	    build_step_root_mount(b->work_dir, dirs, &root, err) < 0) {
		build_step_root_clear(&root);
		return -1;
	}

	r = step->fn(b, s, &root, step->data, err);
	if (r == 0)
		r = build_step_root_unmount(&root, err);

	if (r == 0 && step->skip_if_unchanged && dir_is_empty(root.upper)) {
		build_step_root_clear(&root);
		return image_draft_add(s->draft, NULL, step->created_by, NULL,
				       err);
	}

	layer_write_options_init(&opts);
	opts.flags = LAYER_WRITE_OVERLAY | LAYER_WRITE_EXTRACT;
	opts.timestamp = b->opts->timestamp;
	opts.parent_chain_id = image_draft_top_chain_id(s->draft);
	if (r == 0)
		r = layer_write_dir(b->store, root.upper, &opts, &entry->layer,
				    err);
	build_step_root_clear(&root);
	if (r < 0)
		return -1;

	entry->has_layer = true;
	builder_print(b, "--> %.12s", entry->layer.diff_id + 7);
	return image_draft_add(s->draft, &entry->layer, step->created_by, NULL,
			       err);
}

static int run_layer_step(struct builder *b, struct stage_state *s,
			  const struct layer_step *step,
			  struct berth_error **err)
{
	struct build_cache_entry entry = {0};
	char key[DIGEST_STRING_SIZE];
	int r;

	build_cache_key(s->key, step->key_text, s->args, step->content_hash,
			b->opts->timestamp, key);

	if (s->use_cache && build_cache_get(b->opts->root, key, &entry) == 1) {
		r = use_cache_entry(b, s, &entry, err);
		build_cache_entry_clear(&entry);
		if (r == 0)
			memcpy(s->key, key, sizeof(key));
		return r;
	}
	s->use_cache = false;
	b->missed = true;

	r = make_layer(b, s, step, &entry, err);
	if (r == 0) {
		entry.created_by = xstrdup(step->created_by);
		entry.config = json_deep_copy(image_draft_config(s->draft));
		r = build_cache_put(b->opts->root, key, &entry, err);
	}
	build_cache_entry_clear(&entry);
	if (r == 0)
		memcpy(s->key, key, sizeof(key));
	return r;
}

/* --- RUN --- */

/* Proxy variables reach RUN without an ARG, as Docker's predefined ARGs. */
static const char *const proxy_args[] = {
	"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY",
	"ftp_proxy",  "NO_PROXY",   "no_proxy",	   "ALL_PROXY",	  "all_proxy",
};

struct run_data {
	char **args;
	char **env;
	const char *user;
	const char *workdir;
	const char *network;
	const char *script; /* standard input of the RUN, NULL = /dev/null */
};

static int run_fn(struct builder *b, struct stage_state *s,
		  struct build_step_root *root, void *data,
		  struct berth_error **err)
{
	struct run_data *d = data;
	struct build_process p = {
		.args = d->args,
		.env = d->env,
		.user = d->user,
		.workdir = d->workdir,
		.network = d->network,
		.stdin_data = d->script,
		.cgroup_parent = b->opts->cgroup_parent,
		.state_root = b->opts->state_root,
		.output_fd = b->opts->run_output_fd,
	};
	int status = 0;

	if (build_run_process(root, &p, &status, err) < 0)
		return -1;
	if (status != 0)
		return berth_error_set_status(err, status, 0,
					      "RUN failed with exit status %d",
					      status);
	return 0;
}

bool builder_is_proxy_arg(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(proxy_args); i++)
		if (strcmp(name, proxy_args[i]) == 0)
			return true;
	return false;
}

static char **run_env(struct builder *b, struct stage_state *s)
{
	json_t *config = image_draft_config(s->draft);
	json_t *env = json_object_get(config, "Env"), *v;
	char **out = xzalloc(sizeof(char *));
	size_t i;

	for (i = 0; i < ARRAY_SIZE(proxy_args); i++) {
		const char *value = builder_build_arg(b, proxy_args[i]);
		_cleanup_free_ char *entry = NULL;

		if (value == NULL)
			continue;
		xasprintf(&entry, "%s=%s", proxy_args[i], value);
		(void)env_set(&out, entry, NULL);
	}
	for (i = 0; s->args != NULL && s->args[i] != NULL; i++)
		(void)env_set(&out, s->args[i], NULL);
	json_array_foreach (env, i, v)
		if (json_is_string(v))
			(void)env_set(&out, json_string_value(v), NULL);
	return out;
}

/*
 * The script of a RUN whose heredocs sit in a longer command line
 * ("RUN python3 <<EOF > out"): the line, then each body and its
 * terminator, so that the shell reads the heredocs itself as BuildKit
 * has it do.
 */
static char *heredoc_script(const struct build_instruction *in)
{
	struct strbuf out = STRBUF_INIT;

	strbuf_append(&out, in->args[0]);
	strbuf_append_char(&out, '\n');
	for (size_t i = 0; i < in->n_heredocs; i++) {
		strbuf_append(&out, in->heredocs[i].content);
		strbuf_append(&out, in->heredocs[i].name);
		strbuf_append_char(&out, '\n');
	}
	return strbuf_take(&out);
}

/*
 * The command of a RUN in shell form. A heredoc that is the whole
 * command is the script. When it starts with "#!", the kernel runs it
 * with that interpreter from a memory file given as the standard input,
 * because the interpreter need not be a shell.
 */
static int run_args(struct stage_state *s, const struct build_instruction *in,
		    char ***ret, char **ret_script, struct berth_error **err)
{
	_cleanup_free_ char *script = NULL;
	const struct build_heredoc *whole = NULL;
	const char *command;

	*ret_script = NULL;
	if (in->json_form) {
		if (strv_length(in->args) == 0)
			return berth_error_set(err, 0, "empty command");
		*ret = strv_copy(in->args);
		return 0;
	}

	command = in->args != NULL ? in->args[0] : NULL;
	if (command == NULL)
		return berth_error_set(err, 0, "missing command");
	if (in->n_heredocs == 1)
		whole = build_instruction_heredoc(in, command);
	if (whole != NULL && strncmp(whole->content, "#!", 2) == 0) {
		*ret = xzalloc(sizeof(char *));
		strv_push(ret, "/proc/self/fd/0");
		*ret_script = xstrdup(whole->content);
		return 0;
	}

	if (whole != NULL)
		script = xstrdup(whole->content);
	else if (in->n_heredocs > 0)
		script = heredoc_script(in);
	*ret = strv_copy(s->shell);
	strv_push(ret, script != NULL ? script : command);
	return 0;
}

static char *join_words(char *const *words)
{
	char *out = xstrdup("");

	for (size_t i = 0; words != NULL && words[i] != NULL; i++) {
		char *next;

		xasprintf(&next, "%s%s%s", out, i > 0 ? " " : "", words[i]);
		free(out);
		out = next;
	}
	return out;
}

/*
 * Return the network of a RUN: its --network flag (none or host, as BuildKit
 * takes it), else the build's --network. Other flags are rejected.
 */
static int run_network(struct builder *b, struct stage_state *s,
		       const struct build_instruction *in, char **ret,
		       struct berth_error **err)
{
	const char *value;

	for (size_t i = 0; i < in->n_flags; i++)
		if (strcmp(in->flags[i].name, "network") != 0)
			return berth_error_set(err, ENOTSUP,
					       "the flag '--%s' is not "
					       "supported",
					       in->flags[i].name);

	value = build_instruction_flag(in, "network");
	if (value == NULL) {
		*ret = xstrdup(b->opts->network != NULL ? b->opts->network :
							  "none");
		return 0;
	}
	if (builder_expand(b, s, value, ret, err) < 0)
		return -1;
	if (strcmp(*ret, "none") != 0 && strcmp(*ret, "host") != 0)
		return berth_error_set(err, 0,
				       "invalid --network '%s': use 'none' "
				       "or 'host'",
				       *ret);
	return 0;
}

static int run_step(struct builder *b, struct stage_state *s,
		    const struct build_instruction *in,
		    struct berth_error **err)
{
	json_t *config = image_draft_config(s->draft);
	_cleanup_strv_ char **args = NULL, **env = NULL;
	_cleanup_free_ char *created_by = NULL, *key_text = NULL;
	const char *user = json_string_value(json_object_get(config, "User"));
	const char *workdir =
		json_string_value(json_object_get(config, "WorkingDir"));
	_cleanup_free_ char *network = NULL, *script = NULL;
	struct run_data d;
	struct layer_step step;

	if (run_network(b, s, in, &network, err) < 0 ||
	    run_args(s, in, &args, &script, err) < 0)
		return -1;
	env = run_env(b, s);
	created_by = script != NULL ? xstrdup(script) : join_words(args);

	d = (struct run_data){
		.args = args,
		.env = env,
		.network = network,
		.script = script,
		.user = user != NULL ? user : "",
		.workdir = workdir != NULL ? workdir : "",
	};
	/*
	 * The network changes what a RUN can fetch, so the key covers it.
	 * The logical line lacks the heredoc bodies, which created_by has.
	 */
	xasprintf(&key_text, "%s\nnetwork=%s\ncommand=%s", in->text, network,
		  created_by);
	step = (struct layer_step){
		.key_text = key_text,
		.created_by = created_by,
		.fn = run_fn,
		.data = &d,
	};
	return run_layer_step(b, s, &step, err);
}

/* --- COPY and ADD --- */

struct copy_data {
	struct build_copy copy;
	const char *chown;
	const char *chmod;
};

static int copy_fn(struct builder *b, struct stage_state *s,
		   struct build_step_root *root, void *data,
		   struct berth_error **err)
{
	struct copy_data *d = data;

	if (d->chown != NULL) {
		if (build_copy_parse_owner(root->root_fd, d->chown,
					   &d->copy.uid, &d->copy.gid, err) < 0)
			return -1;
		d->copy.has_owner = true;
	}
	return build_copy_run(root->root_fd, &d->copy, err);
}

static bool context_exclude(const char *path, bool is_dir, void *data)
{
	const struct ignore_matcher *m = data;

	return is_dir ? ignore_can_skip_dir(m, path) :
			ignore_is_excluded(m, path);
}

/* The source root of COPY --from: a stage's or an image's root. */
struct from_root {
	struct build_step_root root;
	char *what;
	char *identity; /* for the cache key */
};

static int mount_from(struct builder *b, struct stage_state *s,
		      const char *from, struct from_root *ret,
		      struct berth_error **err)
{
	_cleanup_strv_ char **dirs = NULL;
	struct image_info *info = NULL;
	ssize_t dep =
		containerfile_find_stage(b->cf, from, s->stage->index, true);
	int r;

	ret->root = (struct build_step_root){.root_fd = -1};
	if (dep >= 0) {
		struct stage_state *src = &b->stages[dep];

		if (builder_build_stage(b, (size_t)dep, err) < 0 ||
		    image_draft_layer_dirs(b->store, src->draft, &dirs, err) <
			    0)
			return -1;
		xasprintf(&ret->what, "stage '%s'", from);
		ret->identity = xstrdup(src->key);
	} else {
		if (image_store_find(b->store, from, &info, err) < 0)
			return -1;
		if (info == NULL)
			return berth_error_set(err, 0,
					       "--from '%s' names no earlier "
					       "stage and no image",
					       from);
		r = image_store_layer_dirs(b->store, info, &dirs, err);
		xasprintf(&ret->what, "image '%s'", from);
		xasprintf(&ret->identity, "image:%s", info->id);
		image_info_free(info);
		if (r < 0)
			return -1;
	}
	return build_step_root_mount(b->work_dir, dirs, &ret->root, err);
}

static void from_root_clear(struct from_root *f)
{
	build_step_root_clear(&f->root);
	free(f->what);
	free(f->identity);
}

/* Write the heredoc sources of COPY <<EOF into a directory of their own. */
static int write_heredocs(struct builder *b, const struct build_instruction *in,
			  char **words, size_t n, const char *dir,
			  struct berth_error **err)
{
	if (fs_mkdir_p(dir, 0700, err) < 0)
		return -1;

	for (size_t i = 0; i < n; i++) {
		const struct build_heredoc *h =
			build_instruction_heredoc(in, words[i]);
		_cleanup_free_ char *path = NULL;

		if (h == NULL)
			return berth_error_set(err, ENOTSUP,
					       "heredoc and file sources "
					       "cannot be mixed");
		path = fs_path_join(dir, h->name);
		if (fs_write_atomic(path, h->content, strlen(h->content), 0644,
				    err) < 0)
			return -1;
		free(words[i]);
		words[i] = xstrdup(h->name);
	}
	return 0;
}

static int expand_words(struct builder *b, struct stage_state *s,
			const struct build_instruction *in, char ***ret,
			struct berth_error **err)
{
	_cleanup_strv_ char **words = xzalloc(sizeof(char *));

	for (size_t i = 0; in->args != NULL && in->args[i] != NULL; i++) {
		char *w = NULL;

		if (in->n_heredocs > 0 &&
		    build_instruction_heredoc(in, in->args[i]) != NULL)
			w = xstrdup(in->args[i]);
		else if (builder_expand(b, s, in->args[i], &w, err) < 0)
			return -1;
		strv_push_take(&words, w);
	}
	*ret = TAKE_PTR(words);
	return 0;
}

static int expand_flag(struct builder *b, struct stage_state *s,
		       const struct build_instruction *in, const char *name,
		       char **ret, struct berth_error **err)
{
	const char *raw = build_instruction_flag(in, name);

	*ret = NULL;
	if (raw == NULL)
		return 0;
	return builder_expand(b, s, raw, ret, err);
}

static int check_copy_flags(const struct build_instruction *in,
			    struct berth_error **err)
{
	static const char *const known[] = {"from", "chown", "chmod", "link"};

	for (size_t i = 0; i < in->n_flags; i++) {
		bool ok = false;

		for (size_t j = 0; j < ARRAY_SIZE(known); j++)
			ok = ok || strcmp(in->flags[i].name, known[j]) == 0;
		if (!ok || (in->kind == BUILD_ADD &&
			    strcmp(in->flags[i].name, "from") == 0))
			return berth_error_set(err, ENOTSUP,
					       "the flag '--%s' is not "
					       "supported",
					       in->flags[i].name);
	}
	return 0;
}

struct copy_state {
	char **words;
	char **paths;
	char *from;
	char *chown;
	char *chmod;
	char *heredoc_dir;
	struct from_root from_root;
	int heredoc_fd;
};

static void copy_state_clear(struct copy_state *c)
{
	strv_free(c->words);
	strv_free(c->paths);
	free(c->from);
	free(c->chown);
	free(c->chmod);
	if (c->heredoc_dir != NULL)
		(void)fs_rm_rf(c->heredoc_dir, NULL);
	free(c->heredoc_dir);
	if (c->heredoc_fd >= 0)
		close(c->heredoc_fd);
	from_root_clear(&c->from_root);
}

static bool is_url(const char *s)
{
	return strncasecmp(s, "http://", 7) == 0 ||
	       strncasecmp(s, "https://", 8) == 0 ||
	       strncasecmp(s, "git@", 4) == 0;
}

static int prepare_sources(struct builder *b, struct stage_state *s,
			   const struct build_instruction *in,
			   struct copy_state *c, size_t n_sources,
			   struct build_source_root *src,
			   struct berth_error **err)
{
	*src = (struct build_source_root){
		.fd = b->context_fd,
		.what = "build context",
		.exclude = b->ignore != NULL ? context_exclude : NULL,
		.exclude_data = b->ignore,
	};

	for (size_t i = 0; i < n_sources; i++)
		if (is_url(c->words[i]))
			return berth_error_set(err, ENOTSUP,
					       "source '%s': URLs are not "
					       "supported, download the file "
					       "into the context",
					       c->words[i]);

	if (in->n_heredocs > 0) {
		c->heredoc_dir = fs_path_join(b->work_dir, "heredoc");
		if (write_heredocs(b, in, c->words, n_sources, c->heredoc_dir,
				   err) < 0)
			return -1;
		c->heredoc_fd = open(c->heredoc_dir,
				     O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (c->heredoc_fd < 0)
			return berth_error_set(err, errno, "open '%s'",
					       c->heredoc_dir);
		*src = (struct build_source_root){.fd = c->heredoc_fd,
						  .what = "heredoc"};
	} else if (c->from != NULL) {
		if (mount_from(b, s, c->from, &c->from_root, err) < 0)
			return -1;
		*src = (struct build_source_root){
			.fd = c->from_root.root.root_fd,
			.what = c->from_root.what,
		};
	}

	/* The destination, copied by the caller, ends the source list. */
	free(c->words[n_sources]);
	c->words[n_sources] = NULL;
	return build_sources_expand(src, c->words, &c->paths, err);
}

static int copy_step(struct builder *b, struct stage_state *s,
		     const struct build_instruction *in,
		     struct berth_error **err)
{
	struct copy_state c = {.heredoc_fd = -1, .from_root.root.root_fd = -1};
	struct build_source_root src;
	struct copy_data d = {0};
	struct layer_step step;
	char hash[DIGEST_STRING_SIZE];
	_cleanup_free_ char *key_text = NULL, *created_by = NULL;
	_cleanup_free_ char *dest = NULL;
	json_t *config = image_draft_config(s->draft);
	const char *workdir =
		json_string_value(json_object_get(config, "WorkingDir"));
	size_t n;
	int r = -1;

	if (check_copy_flags(in, err) < 0 ||
	    expand_words(b, s, in, &c.words, err) < 0)
		goto out;
	n = strv_length(c.words);
	if (n < 2) {
		berth_error_set(err, 0, "needs a source and a destination");
		goto out;
	}
	dest = xstrdup(c.words[n - 1]);

	if (expand_flag(b, s, in, "from", &c.from, err) < 0 ||
	    expand_flag(b, s, in, "chown", &c.chown, err) < 0 ||
	    expand_flag(b, s, in, "chmod", &c.chmod, err) < 0 ||
	    prepare_sources(b, s, in, &c, n - 1, &src, err) < 0 ||
	    build_sources_hash(&src, c.paths, c.chown != NULL, hash, err) < 0)
		goto out;

	d.copy = (struct build_copy){
		.source = &src,
		.paths = c.paths,
		.dest = dest,
		.workdir = workdir != NULL ? workdir : "",
		.unpack = in->kind == BUILD_ADD,
	};
	d.chown = c.chown;
	if (c.chmod != NULL) {
		if (build_copy_parse_mode(c.chmod, &d.copy.mode, err) < 0)
			goto out;
		d.copy.has_mode = true;
	}

	xasprintf(&key_text, "%s\n%s\n%s", in->text, dest,
		  c.from_root.identity != NULL ? c.from_root.identity : "");
	xasprintf(&created_by, "/bin/sh -c #(nop) %s %s in %s",
		  build_instruction_name(in->kind), hash, dest);
	step = (struct layer_step){
		.key_text = key_text,
		.content_hash = hash,
		.created_by = created_by,
		.fn = copy_fn,
		.data = &d,
	};
	r = run_layer_step(b, s, &step, err);
out:
	copy_state_clear(&c);
	return r;
}

/* --- WORKDIR --- */

static int workdir_fn(struct builder *b, struct stage_state *s,
		      struct build_step_root *root, void *data,
		      struct berth_error **err)
{
	_cleanup_close_ int fd = -1;

	return fs_mkdir_p_in_root(root->root_fd, data, 0755, &fd, err);
}

static int workdir_step(struct builder *b, struct stage_state *s,
			const struct build_instruction *in,
			struct berth_error **err)
{
	json_t *config = image_draft_config(s->draft);
	const char *current =
		json_string_value(json_object_get(config, "WorkingDir"));
	_cleanup_free_ char *word = NULL, *joined = NULL, *clean = NULL;
	_cleanup_free_ char *path = NULL, *created_by = NULL;
	_cleanup_free_ char *key_text = NULL;
	struct layer_step step;

	if (in->args == NULL || in->args[0] == NULL)
		return berth_error_set(err, 0, "missing directory");
	if (builder_expand(b, s, in->args[0], &word, err) < 0)
		return -1;

	if (word[0] == '/')
		joined = xstrdup(word);
	else
		joined = fs_path_join(
			current != NULL && current[0] != '\0' ? current : "/",
			word);
	if (build_path_clean(joined, &clean, err) < 0)
		return -1;
	xasprintf(&path, "/%s", clean);
	json_object_set_new(config, "WorkingDir", json_string(path));

	xasprintf(&created_by, "/bin/sh -c #(nop) WORKDIR %s", path);
	xasprintf(&key_text, "WORKDIR %s", path);
	step = (struct layer_step){
		.key_text = key_text,
		.created_by = created_by,
		.skip_if_unchanged = true,
		.fn = workdir_fn,
		.data = path,
	};
	return run_layer_step(b, s, &step, err);
}

int builder_run_instruction(struct builder *b, struct stage_state *s,
			    const struct build_instruction *in,
			    struct berth_error **err)
{
	switch (in->kind) {
	case BUILD_RUN:
		return run_step(b, s, in, err);
	case BUILD_COPY:
	case BUILD_ADD:
		return copy_step(b, s, in, err);
	case BUILD_WORKDIR:
		return workdir_step(b, s, in, err);
	case BUILD_ARG:
		return builder_run_arg(b, s, in, err);
	case BUILD_FROM:
		return berth_error_set(err, 0, "FROM inside a stage");
	default:
		return builder_run_metadata(b, s, in, err);
	}
}
