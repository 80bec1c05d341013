/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli-util.h"
#include "cli/commands.h"
#include "runtime/runtime.h"

struct stop_request {
	int signal;   /* 0 = the container's stop signal */
	long timeout; /* seconds, -1 = the container's stop timeout */
};

static void stop_usage(FILE *out)
{
	fputs("Usage: berth stop [OPTIONS] CONTAINER...\n"
	      "\n"
	      "Send the stop signal, then SIGKILL after the timeout, and wait "
	      "until each\n"
	      "container exited. Prints the names given.\n"
	      "\n"
	      "Options:\n"
	      "  -s, --signal SIGNAL  signal to send first (default: the "
	      "container's\n"
	      "                       --stop-signal or its image's "
	      "StopSignal, else SIGTERM)\n"
	      "  -t, --time SECONDS   seconds to wait before SIGKILL "
	      "(default: the\n"
	      "                       container's --stop-timeout, else "
	      "10)\n"
	      "  -h, --help           show this help\n",
	      out);
}

static int stop_one(struct engine *engine, const char *id, void *data,
		    struct berth_error **err)
{
	const struct stop_request *req = data;

	return engine_container_stop(engine, id, req->signal, req->timeout,
				     err);
}

int cmd_stop(struct cli_context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{"time", required_argument, NULL, 't'},
		{"timeout", required_argument, NULL, 't'},
		{"signal", required_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	struct berth_error *err = NULL;
	struct stop_request req = {.signal = 0, .timeout = -1};
	long value;
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:s:t:h", options, NULL)) != -1) {
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
			req.timeout = value;
			break;
		case 's':
			if (runtime_signal_parse(optarg, &req.signal, &err) <
			    0) {
				/* The runtime's message appends EINVAL. */
				berth_error_free(&err);
				return cli_usage_error("stop",
						       "unknown signal '%s': "
						       "use a name such as "
						       "'SIGQUIT' or a number",
						       optarg);
			}
			break;
		case 'h':
			stop_usage(stdout);
			return 0;
		default:
			return cli_option_error("stop", c, argv);
		}
	}

	if (optind >= argc)
		return cli_usage_error("stop", "expected CONTAINER...");

	return cli_for_each_container(ctx, argv + optind, argc - optind,
				      stop_one, &req, true);
}
