/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * "berth healthcheck run CONTAINER": run the container's health check
 * once now (exit 0 when it passes, 1 when it fails), as podman does.
 * "berth healthcheck watch ID" is the watcher the monitor starts.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli-util.h"
#include "cli/commands.h"
#include "engine/container-store.h"
#include "engine/health.h"
#include "util/cleanup.h"

static void healthcheck_usage(FILE *out)
{
	fputs("Usage: berth healthcheck run CONTAINER\n"
	      "\n"
	      "Run the health check of a running container once now and "
	      "record the\n"
	      "result. Exits 0 when the check passes, 1 when it fails.\n",
	      out);
}

static int healthcheck_run(struct cli_context *ctx, const char *ref)
{
	struct berth_error *err = NULL;
	_cleanup_free_ char *id = NULL;
	struct engine engine;
	int r;

	cli_engine_init(ctx, &engine);
	r = engine_container_lookup(&engine, ref, &id, &err);
	if (r == 0)
		r = health_check_once(&engine, id, &err);
	engine_clear(&engine);
	if (r < 0)
		return cli_fail(&err);
	puts(r == 1 ? "healthy" : "unhealthy");
	return r == 1 ? 0 : 1;
}

static int healthcheck_watch(struct cli_context *ctx, const char *id)
{
	struct berth_error *err = NULL;
	struct engine engine;
	int r;

	if (!container_id_is_valid(id))
		return cli_usage_error("healthcheck",
				       "expected a container id");

	cli_engine_init(ctx, &engine);
	r = health_watch(&engine, id, &err);
	engine_clear(&engine);
	return r < 0 ? cli_fail(&err) : 0;
}

int cmd_healthcheck(struct cli_context *ctx, int argc, char **argv)
{
	struct berth_error *err = NULL;

	if (argc == 2 &&
	    (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		healthcheck_usage(stdout);
		return 0;
	}
	if (argc != 3 ||
	    (strcmp(argv[1], "run") != 0 && strcmp(argv[1], "watch") != 0))
		return cli_usage_error("healthcheck",
				       "expected 'run CONTAINER'");

	/* The check runs in the container: only from the sealed copy. */
	if (cli_ensure_sealed(ctx, &err) < 0)
		return cli_fail(&err);

	if (strcmp(argv[1], "watch") == 0)
		return healthcheck_watch(ctx, argv[2]);
	return healthcheck_run(ctx, argv[2]);
}
