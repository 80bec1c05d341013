/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Giving a container another name. */
#include <errno.h>
#include <string.h>

#include "engine/container-config.h"
#include "engine/container-network.h"
#include "engine/container-store.h"
#include "engine/events.h"
#include "util/cleanup.h"
#include "util/lock.h"
#include "util/xalloc.h"

int engine_container_rename(struct engine *engine, const char *id,
			    const char *name, struct berth_error **err)
{
	_cleanup_free_ char *dir = container_dir(engine, id);
	_cleanup_free_ char *owner = NULL;
	_cleanup_container_config_ struct container_config *c = NULL;
	_cleanup_lock_ int store = -1;

	if (container_name_validate(name, err) < 0)
		return -1;

	/* The store lock makes the check and the write one step. */
	if (container_store_lock(engine, &store, err) < 0 ||
	    container_name_find(engine, name, &owner, err) < 0 ||
	    container_config_load(dir, &c, err) < 0)
		return -1;

	if (owner != NULL && strcmp(owner, id) == 0)
		return berth_error_set(err, 0,
				       "container '%s' already has the name "
				       "'%s'",
				       c->name, name);
	if (owner != NULL)
		return berth_error_set(err, EEXIST,
				       "the name '%s' is in use by container "
				       "'%.12s': remove or rename it first",
				       name, owner);

	free(c->name);
	c->name = xstrdup(name);
	if (container_config_save(dir, c, err) < 0 ||
	    container_network_rename(engine, id, name, err) < 0)
		return -1;
	events_container(engine, "rename", id, -1);
	return 0;
}
