/* SPDX-License-Identifier: GPL-2.0-or-later */
/* "berth network connect" and "berth network disconnect". */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli-util.h"
#include "cli/commands.h"
#include "util/cleanup.h"
#include "util/strv.h"

enum {
	OPT_ALIAS = 0x100,
	OPT_IP,
};

static void connect_usage(FILE *out)
{
	fputs("Usage: berth network connect [OPTIONS] NETWORK CONTAINER\n"
	      "\n"
	      "Join a container to one more bridge network. A running "
	      "container gets\n"
	      "the new device (eth1, eth2 ...) at once.\n"
	      "\n"
	      "Options:\n"
	      "      --alias NAME  another name for peers on the network\n"
	      "      --ip ADDR     IPv4 address on the network (default: "
	      "a free one)\n"
	      "  -h, --help        show this help\n",
	      out);
}

/* Run connect or disconnect on the container named ref. */
static int on_container(struct cli_context *ctx, const char *ref,
			const struct engine_endpoint_options *o, bool connect)
{
	struct berth_error *err = NULL;
	_cleanup_free_ char *id = NULL;
	struct engine engine;
	int r;

	cli_engine_init(ctx, &engine);
	r = engine_container_lookup(&engine, ref, &id, &err);
	if (r == 0 && connect)
		r = engine_network_connect(&engine, id, o, &err);
	else if (r == 0)
		r = engine_network_disconnect(&engine, id, o->network, &err);
	engine_clear(&engine);
	return r < 0 ? cli_fail(&err) : 0;
}

int cmd_network_connect(struct cli_context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{"alias", required_argument, NULL, OPT_ALIAS},
		{"ip", required_argument, NULL, OPT_IP},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	struct engine_endpoint_options o = {0};
	_cleanup_strv_ char **aliases = NULL;
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", options, NULL)) != -1) {
		switch (c) {
		case OPT_ALIAS:
			strv_push(&aliases, optarg);
			break;
		case OPT_IP:
			o.ip = optarg;
			break;
		case 'h':
			connect_usage(stdout);
			return 0;
		default:
			return cli_option_error("network connect", c, argv);
		}
	}
	if (argc - optind != 2)
		return cli_usage_error("network connect",
				       "expected NETWORK CONTAINER");

	o.network = argv[optind];
	o.aliases = aliases;
	return on_container(ctx, argv[optind + 1], &o, true);
}

int cmd_network_disconnect(struct cli_context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{"help", no_argument, NULL, 'h'},
		{},
	};
	struct engine_endpoint_options o = {0};
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", options, NULL)) != -1) {
		if (c != 'h')
			return cli_option_error("network disconnect", c, argv);
		fputs("Usage: berth network disconnect NETWORK CONTAINER\n"
		      "\n"
		      "Take a container off a network. When that was its "
		      "first network, the\n"
		      "next one takes its place; a container on no network "
		      "keeps only\n"
		      "loopback.\n",
		      stdout);
		return 0;
	}
	if (argc - optind != 2)
		return cli_usage_error("network disconnect",
				       "expected NETWORK CONTAINER");

	o.network = argv[optind];
	return on_container(ctx, argv[optind + 1], &o, false);
}
