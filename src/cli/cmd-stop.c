/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli-util.h"
#include "cli/commands.h"

#define DEFAULT_STOP_TIMEOUT 10

static void stop_usage(FILE *out)
{
	fputs("Usage: berth stop [OPTIONS] CONTAINER...\n"
	      "\n"
	      "Send SIGTERM, then SIGKILL after the timeout, and wait until "
	      "each container\n"
	      "exited. Prints the names given.\n"
	      "\n"
	      "Options:\n"
	      "  -t, --time SECONDS   seconds to wait before SIGKILL "
	      "(default 10)\n"
	      "  -h, --help           show this help\n",
	      out);
}

static int stop_one(struct engine *engine, const char *id, void *data,
		    struct berth_error **err)
{
	return engine_container_stop(engine, id, *(unsigned int *)data, err);
}

int cmd_stop(struct cli_context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{"time", required_argument, NULL, 't'},
		{"timeout", required_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	struct berth_error *err = NULL;
	unsigned int timeout = DEFAULT_STOP_TIMEOUT;
	long value;
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+t:h", options, NULL)) != -1) {
		switch (c) {
		case 't':
			if (cli_parse_uint("timeout", optarg, &value, &err) <
				    0 ||
			    value > 86400 * 365)
				return err != NULL ?
					       cli_fail(&err) :
					       cli_usage_error("stop",
							       "timeout '%s' "
							       "is too long",
							       optarg);
			timeout = (unsigned int)value;
			break;
		case 'h':
			stop_usage(stdout);
			return 0;
		default:
			return cli_usage_error("stop",
					       "unknown option or missing "
					       "value '%s'",
					       argv[optind - 1]);
		}
	}

	if (optind >= argc)
		return cli_usage_error("stop", "expected CONTAINER...");

	return cli_for_each_container(ctx, argv + optind, argc - optind,
				      stop_one, &timeout, true);
}
