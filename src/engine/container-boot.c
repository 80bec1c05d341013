/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * engine_container_boot_wanted(): the restart policies applied once
 * more after a reboot, when no monitor survived to apply them.
 */
#include "engine/container-config.h"
#include "engine/container-state.h"
#include "engine/container-store.h"
#include "engine/restart-policy.h"
#include "util/cleanup.h"

int engine_container_boot_wanted(struct engine *engine, const char *id,
				 bool *ret, struct berth_error **err)
{
	_cleanup_free_ char *dir = container_dir(engine, id);
	_cleanup_container_config_ struct container_config *c = NULL;
	struct restart_policy policy = {RESTART_NO, 0};
	struct restart_state rs;
	struct container_state cs;

	*ret = false;
	if (container_config_load(dir, &c, err) < 0 ||
	    container_state_get(engine, id, &cs, err) < 0)
		return -1;
	if (cs.status != CONTAINER_STATUS_EXITED || c->restart == NULL)
		return 0;
	if (restart_policy_parse(c->restart, &policy, err) < 0)
		return -1;

	restart_state_load(dir, &rs);
	*ret = restart_policy_wants_boot(&policy, &rs, cs.exit_code);
	return 0;
}
