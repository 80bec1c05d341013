/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --init: berth-init, installed next to the berth binary, becomes the
 * container's process 1 and runs the command as its child.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "engine/container-init.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

int container_init_path(const struct engine *engine, char **ret_path,
			struct berth_error **err)
{
	_cleanup_free_ char *dir = NULL;
	char *slash, *path;

	if (engine->exe == NULL || strrchr(engine->exe, '/') == NULL)
		return berth_error_set(err, ENOENT,
				       "--init: the berth binary's location "
				       "is unknown");

	dir = xstrdup(engine->exe);
	slash = strrchr(dir, '/');
	*slash = '\0';
	xasprintf(&path, "%s/berth-init", dir);
	if (access(path, X_OK) < 0) {
		berth_error_set(err, errno,
				"--init: cannot run '%s': install berth-init "
				"next to berth",
				path);
		free(path);
		return -1;
	}
	*ret_path = path;
	return 0;
}

void container_init_apply(json_t *spec, const char *init_path)
{
	json_t *process = json_object_get(spec, "process");
	json_t *args = json_object_get(process, "args");

	json_array_insert_new(args, 0, json_string("--"));
	json_array_insert_new(args, 0, json_string(CONTAINER_INIT_PATH));
	json_array_append_new(json_object_get(spec, "mounts"),
			      json_pack("{s:s, s:s, s:s, s:[s, s, s]}",
					"destination", CONTAINER_INIT_PATH,
					"type", "bind", "source", init_path,
					"options", "bind", "rprivate", "ro"));
}
