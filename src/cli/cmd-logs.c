/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli-util.h"
#include "cli/commands.h"
#include "util/cleanup.h"

static void logs_usage(FILE *out)
{
	fputs("Usage: berth logs [OPTIONS] CONTAINER\n"
	      "\n"
	      "Print a container's output: its stdout to stdout, its stderr "
	      "to stderr.\n"
	      "\n"
	      "Options:\n"
	      "  -f, --follow       keep printing new output until the "
	      "container exits\n"
	      "  -n, --tail N       print only the last N lines ('all' "
	      "prints every line)\n"
	      "  -t, --timestamps   prefix each line with its time (RFC "
	      "3339, UTC)\n"
	      "  -h, --help         show this help\n",
	      out);
}

static int parse_tail(const char *s, long *ret)
{
	struct berth_error *err = NULL;

	if (strcmp(s, "all") == 0) {
		*ret = -1;
		return 0;
	}
	if (cli_parse_uint("--tail", s, ret, &err) < 0)
		return cli_fail(&err);
	return 0;
}

int cmd_logs(struct cli_context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{"follow", no_argument, NULL, 'f'},
		{"tail", required_argument, NULL, 'n'},
		{"timestamps", no_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	struct engine_logs_options opts = {.tail = -1};
	struct berth_error *err = NULL;
	_cleanup_free_ char *id = NULL;
	struct engine engine;
	int c, r;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:fn:th", options, NULL)) != -1) {
		switch (c) {
		case 'f':
			opts.follow = true;
			break;
		case 'n':
			r = parse_tail(optarg, &opts.tail);
			if (r != 0)
				return r;
			break;
		case 't':
			opts.timestamps = true;
			break;
		case 'h':
			logs_usage(stdout);
			return 0;
		default:
			return cli_option_error("logs", c, argv);
		}
	}

	if (argc - optind != 1)
		return cli_usage_error("logs", "expected one CONTAINER");

	cli_engine_init(ctx, &engine);
	r = engine_container_lookup(&engine, argv[optind], &id, &err);
	if (r == 0)
		r = engine_container_logs(&engine, id, &opts, STDOUT_FILENO,
					  STDERR_FILENO, &err);
	engine_clear(&engine);
	return r < 0 ? cli_fail(&err) : 0;
}
