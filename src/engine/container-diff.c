/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "engine/container-config.h"
#include "engine/container-excludes.h"
#include "engine/container-image.h"
#include "engine/container-store.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"
#include "util/xalloc.h"

int engine_container_diff(struct engine *engine, const char *id,
			  struct layer_change **ret, size_t *ret_n,
			  struct berth_error **err)
{
	_cleanup_free_ char *dir = container_dir(engine, id);
	_cleanup_free_ char *upper = NULL;
	_cleanup_container_config_ struct container_config *c = NULL;
	_cleanup_strv_ char **lowers = NULL;
	_cleanup_strv_ char **excludes = NULL;

	if (container_config_load(dir, &c, err) < 0)
		return -1;

	upper = fs_path_join(dir, "upper");
	lowers = container_lowers(c->lowerdir);
	excludes = container_change_excludes(upper, lowers);
	if (layer_changes(upper, lowers, excludes, ret, ret_n, err) < 0)
		return berth_error_wrap(err, "changes of container '%s'",
					c->name);
	return 0;
}
