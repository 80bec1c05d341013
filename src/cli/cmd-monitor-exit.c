/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "cli/cli-util.h"
#include "cli/commands.h"
#include "engine/container-store.h"
#include "engine/monitor.h"

/*
 * "berth monitor-exit ID": berth-monitor execs this once the
 * container's init exited and exit.json is written. Its stdio is
 * /dev/null, so an error only sets the exit status.
 */
int cmd_monitor_exit(struct cli_context *ctx, int argc, char **argv)
{
	struct berth_error *err = NULL;
	struct engine engine;
	int r;

	if (argc != 2 || !container_id_is_valid(argv[1]))
		return cli_usage_error("monitor-exit",
				       "expected a container id");

	cli_engine_init(ctx, &engine);
	r = monitor_finish(&engine, argv[1], &err);
	engine_clear(&engine);
	return r < 0 ? cli_fail(&err) : 0;
}
