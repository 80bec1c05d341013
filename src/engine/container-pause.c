/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Freezing and thawing a running container through its cgroup. */
#include <errno.h>

#include "engine/container-state.h"
#include "engine/container-store.h"
#include "engine/events.h"
#include "runtime/runtime.h"
#include "util/cleanup.h"
#include "util/lock.h"

bool engine_container_paused(const struct engine *engine, const char *id)
{
	struct runtime_state *rs = NULL;
	bool paused;

	if (runtime_state_get(engine->state_root, id, &rs, NULL) < 0)
		return false;
	paused = rs->status == RUNTIME_STATUS_PAUSED;
	runtime_state_free(rs);
	return paused;
}

int engine_container_pause(struct engine *engine, const char *id, bool paused,
			   struct berth_error **err)
{
	_cleanup_lock_ int lock = -1;
	struct container_state state;

	/* The lock keeps a restarting monitor from starting meanwhile. */
	if (container_lock(engine, id, &lock, err) < 0 ||
	    container_state_get(engine, id, &state, err) < 0)
		return -1;

	if (state.status != CONTAINER_STATUS_RUNNING || state.restarting)
		return container_not_running(engine, id, err);

	if (engine_container_paused(engine, id) == paused)
		return berth_error_set(err, 0,
				       paused ? "container '%.12s' is already "
						"paused" :
						"container '%.12s' is not "
						"paused",
				       id);

	if (runtime_pause(engine->state_root, id, paused, err) < 0)
		return -1;
	events_container(engine, paused ? "pause" : "unpause", id, -1);
	return 0;
}
