/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli-util.h"
#include "cli/commands.h"
#include "engine/events.h"

static void restart_usage(FILE *out)
{
	fputs("Usage: berth restart [OPTIONS] CONTAINER...\n"
	      "\n"
	      "Stop each container as 'berth stop' does, then start it "
	      "again in the\n"
	      "background. Prints the names given.\n"
	      "\n"
	      "Options:\n"
	      "  -t, --time SECONDS   seconds to wait before SIGKILL "
	      "(default: the\n"
	      "                       container's --stop-timeout, else "
	      "10)\n"
	      "  -h, --help           show this help\n",
	      out);
}

static int restart_one(struct engine *engine, const char *id, void *data,
		       struct berth_error **err)
{
	const long *timeout = data;

	if (engine_container_stop(engine, id, 0, *timeout, err) < 0 ||
	    engine_container_start(engine, id, err) < 0)
		return -1;
	events_container(engine, "restart", id, -1);
	return 0;
}

int cmd_restart(struct cli_context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{"time", required_argument, NULL, 't'},
		{"timeout", required_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	struct berth_error *err = NULL;
	long timeout = -1;
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:t:h", options, NULL)) != -1) {
		switch (c) {
		case 't':
			if (cli_parse_uint("timeout", optarg, &timeout, &err) <
			    0)
				return cli_fail(&err);
			if (timeout > 86400 * 365)
				return cli_usage_error("restart",
						       "timeout '%s' is too "
						       "long",
						       optarg);
			break;
		case 'h':
			restart_usage(stdout);
			return 0;
		default:
			return cli_option_error("restart", c, argv);
		}
	}

	if (optind >= argc)
		return cli_usage_error("restart", "expected CONTAINER...");
	if (cli_ensure_sealed(ctx, &err) < 0)
		return cli_fail(&err);

	return cli_for_each_container(ctx, argv + optind, argc - optind,
				      restart_one, &timeout, true);
}
