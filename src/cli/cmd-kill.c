/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>

#include "cli/cli-util.h"
#include "cli/commands.h"
#include "runtime/runtime.h"

static void kill_usage(FILE *out)
{
	fputs("Usage: berth kill [OPTIONS] CONTAINER...\n"
	      "\n"
	      "Send a signal to the main process of running containers.\n"
	      "\n"
	      "Options:\n"
	      "  -s, --signal SIGNAL   name or number (default KILL)\n"
	      "  -h, --help            show this help\n",
	      out);
}

static int kill_one(struct engine *engine, const char *id, void *data,
		    struct berth_error **err)
{
	return engine_container_kill(engine, id, *(int *)data, err);
}

int cmd_kill(struct cli_context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{"signal", required_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	struct berth_error *err = NULL;
	int signal = SIGKILL;
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:s:h", options, NULL)) != -1) {
		switch (c) {
		case 's':
			if (runtime_signal_parse(optarg, &signal, &err) < 0) {
				/* The runtime's message appends EINVAL. */
				berth_error_free(&err);
				berth_error_set(&err, 0,
						"unknown signal '%s': use a "
						"name such as 'SIGTERM' or a "
						"number",
						optarg);
				return cli_fail(&err);
			}
			break;
		case 'h':
			kill_usage(stdout);
			return 0;
		default:
			return cli_option_error("kill", c, argv);
		}
	}

	if (optind >= argc)
		return cli_usage_error("kill", "expected CONTAINER...");

	return cli_for_each_container(ctx, argv + optind, argc - optind,
				      kill_one, &signal, true);
}
