/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli-util.h"
#include "cli/commands.h"
#include "util/cleanup.h"

static void start_usage(FILE *out)
{
	fputs("Usage: berth start [OPTIONS] CONTAINER...\n"
	      "\n"
	      "Start created or exited containers in the background and "
	      "print their names.\n"
	      "\n"
	      "Options:\n"
	      "  -a, --attach        run one container in the foreground "
	      "and exit with its\n"
	      "                      status\n"
	      "  -i, --interactive   like -a; stdin is forwarded when the "
	      "container was\n"
	      "                      created with -i\n"
	      "  -h, --help          show this help\n",
	      out);
}

static int start_one(struct engine *engine, const char *id, void *data,
		     struct berth_error **err)
{
	return engine_container_start(engine, id, err);
}

static int start_attached(struct cli_context *ctx, const char *ref)
{
	struct berth_error *err = NULL;
	_cleanup_free_ char *id = NULL;
	struct engine engine;
	int status = 0, r;

	cli_engine_init(ctx, &engine);
	r = engine_container_lookup(&engine, ref, &id, &err);
	if (r == 0)
		r = engine_container_run_attached(&engine, id, &status, &err);
	engine_clear(&engine);
	return r < 0 ? cli_fail(&err) : status;
}

int cmd_start(struct cli_context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{"attach", no_argument, NULL, 'a'},
		{"interactive", no_argument, NULL, 'i'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	struct berth_error *err = NULL;
	bool attach = false;
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:aih", options, NULL)) != -1) {
		if (c == 'a' || c == 'i') {
			attach = true;
		} else if (c == 'h') {
			start_usage(stdout);
			return 0;
		} else {
			return cli_option_error("start", c, argv);
		}
	}

	if (optind >= argc)
		return cli_usage_error("start", "expected CONTAINER...");
	if (attach && argc - optind != 1)
		return cli_usage_error("start",
				       "--attach takes exactly one container");

	if (cli_ensure_sealed(ctx, &err) < 0)
		return cli_fail(&err);

	if (attach)
		return start_attached(ctx, argv[optind]);
	return cli_for_each_container(ctx, argv + optind, argc - optind,
				      start_one, NULL, true);
}
