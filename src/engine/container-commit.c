/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "engine/container-config.h"
#include "engine/container-excludes.h"
#include "engine/container-image.h"
#include "engine/container-store.h"
#include "image/config-change.h"
#include "image/layer-writer.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"
#include "util/xalloc.h"

/* The history line: the container's command, as Docker shows it. */
static char *command_line(const struct container_config *c)
{
	char *line = xstrdup("");
	char **parts[] = {c->entrypoint, c->cmd};

	for (size_t p = 0; p < ARRAY_SIZE(parts); p++) {
		for (size_t i = 0; parts[p] != NULL && parts[p][i] != NULL;
		     i++) {
			char *next;

			xasprintf(&next, "%s%s%s", line,
				  line[0] != '\0' ? " " : "", parts[p][i]);
			free(line);
			line = next;
		}
	}
	return line;
}

static int apply_changes(struct image_draft *draft, char **changes,
			 struct berth_error **err)
{
	for (size_t i = 0; changes != NULL && changes[i] != NULL; i++)
		if (image_config_change(image_draft_config(draft), changes[i],
					err) < 0)
			return -1;
	return 0;
}

static int commit_with_store(struct image_store *store,
			     const struct container_config *c, const char *dir,
			     const struct engine_commit_options *opts,
			     char **ret_image_id, struct berth_error **err)
{
	_cleanup_image_draft_ struct image_draft *draft = NULL;
	_cleanup_free_ char *upper = fs_path_join(dir, "upper");
	_cleanup_free_ char *created_by = command_line(c);
	_cleanup_strv_ char **lowers = container_lowers(c->lowerdir);
	_cleanup_strv_ char **excludes =
		container_change_excludes(upper, lowers);
	struct layer_write_options lopts;
	struct layer_blob layer;

	/* Bad changes fail before the long part writes anything. */
	if (image_draft_new(store, c->image_id, &draft, err) < 0 ||
	    apply_changes(draft, opts->changes, err) < 0)
		return -1;
	image_draft_set_author(draft, opts->author);

	layer_write_options_init(&lopts);
	lopts.flags = LAYER_WRITE_OVERLAY;
	lopts.parent_chain_id = image_draft_top_chain_id(draft);
	lopts.exclude = excludes;
	if (layer_write_dir(store, upper, &lopts, &layer, err) < 0 ||
	    image_draft_add(draft, &layer, created_by, opts->message, err) <
		    0 ||
	    image_draft_commit(store, draft, opts->name, LAYER_NO_TIMESTAMP,
			       NULL, ret_image_id, err) < 0)
		return -1;
	return 0;
}

int engine_container_commit(struct engine *engine, const char *id,
			    const struct engine_commit_options *opts,
			    char **ret_image_id, struct berth_error **err)
{
	_cleanup_free_ char *dir = container_dir(engine, id);
	_cleanup_container_config_ struct container_config *c = NULL;
	struct image_store *store = NULL;
	int r;

	if (container_config_load(dir, &c, err) < 0 ||
	    image_store_open(engine->root, &store, err) < 0)
		return -1;

	r = commit_with_store(store, c, dir, opts, ret_image_id, err);
	image_store_close(store);
	if (r < 0)
		return berth_error_wrap(err, "commit container '%s'", c->name);
	return 0;
}
