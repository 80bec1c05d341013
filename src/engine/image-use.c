/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "engine/image-use.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/strv.h"
#include "util/xalloc.h"

static bool container_uses(const char *dir, const char *name,
			   const char *image_id)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_json_ json_t *config = NULL;
	const char *id;

	xasprintf(&path, "%s/%s/container.json", dir, name);
	if (json_parse_file(path, &config, NULL) < 0)
		return false;

	id = json_string_value(json_object_get(config, "image_id"));
	return id != NULL && strcmp(id, image_id) == 0;
}

int engine_image_users(const char *root, const char *image_id,
		       char ***ret_container_ids, struct berth_error **err)
{
	_cleanup_free_ char *dir = fs_path_join(root, "containers");
	_cleanup_closedir_ DIR *d = NULL;
	_cleanup_strv_ char **users = NULL;
	struct dirent *de;

	d = opendir(dir);
	if (d == NULL && errno != ENOENT)
		return berth_error_set(err, errno, "open '%s'", dir);

	while (d != NULL && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (container_uses(dir, de->d_name, image_id))
			strv_push(&users, de->d_name);
	}

	*ret_container_ids = TAKE_PTR(users);
	return 0;
}
