/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli-util.h"
#include "cli/commands.h"
#include "util/cleanup.h"
#include "util/strv.h"

static void exec_usage(FILE *out)
{
	fputs("Usage: berth exec [OPTIONS] CONTAINER COMMAND [ARG...]\n"
	      "\n"
	      "Run a command in a running container, with the container's "
	      "capabilities,\n"
	      "limits, environment, user and working directory unless "
	      "given here. Exits\n"
	      "with the command's status; 126 cannot execute, 127 not "
	      "found.\n"
	      "\n"
	      "Options:\n"
	      "  -d, --detach          leave the command running in the "
	      "background\n"
	      "  -e, --env K=V|K       set a variable\n"
	      "  -i, --interactive     forward stdin\n"
	      "  -t, --tty             allocate a terminal\n"
	      "  -u, --user USER[:GROUP]\n"
	      "                        user name or uid, group name or gid\n"
	      "  -w, --workdir DIR     working directory\n"
	      "  -h, --help            show this help\n",
	      out);
}

static int parse_exec(int argc, char **argv, struct engine_exec_options *o,
		      bool *help)
{
	static const struct option options[] = {
		{"detach", no_argument, NULL, 'd'},
		{"env", required_argument, NULL, 'e'},
		{"interactive", no_argument, NULL, 'i'},
		{"tty", no_argument, NULL, 't'},
		{"user", required_argument, NULL, 'u'},
		{"workdir", required_argument, NULL, 'w'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:de:itu:w:h", options, NULL)) !=
	       -1) {
		switch (c) {
		case 'd':
			o->detach = true;
			break;
		case 'e':
			strv_push(&o->env, optarg);
			break;
		case 'i':
			o->interactive = true;
			break;
		case 't':
			o->tty = true;
			break;
		case 'u':
			o->user = optarg;
			break;
		case 'w':
			o->workdir = optarg;
			break;
		case 'h':
			*help = true;
			return 0;
		default:
			return cli_option_error("exec", c, argv);
		}
	}

	if (argc - optind < 2)
		return cli_usage_error("exec", "expected CONTAINER COMMAND...");
	return 0;
}

int cmd_exec(struct cli_context *ctx, int argc, char **argv)
{
	struct engine_exec_options o = {0};
	struct berth_error *err = NULL;
	_cleanup_strv_ char **env = NULL;
	_cleanup_free_ char *id = NULL;
	struct engine engine;
	bool help = false;
	int status = 0, r;

	r = parse_exec(argc, argv, &o, &help);
	env = o.env;
	if (r != 0 || help) {
		if (help)
			exec_usage(stdout);
		return r;
	}
	o.args = argv + optind + 1;

	if (!o.detach) {
		r = cli_check_input_tty("exec", o.interactive, o.tty);
		if (r != 0)
			return r;
	}

	if (cli_ensure_sealed(ctx, &err) < 0)
		return cli_fail(&err);

	cli_engine_init(ctx, &engine);
	r = engine_container_lookup(&engine, argv[optind], &id, &err);
	if (r == 0)
		r = engine_container_exec(&engine, id, &o, &status, &err);
	engine_clear(&engine);
	return r < 0 ? cli_fail(&err) : status;
}
