/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli-util.h"
#include "cli/commands.h"

static void version_usage(FILE *out)
{
	fputs("Usage: berth version\n"
	      "\n"
	      "Print the version of berth, as 'berth --version' does. There "
	      "is no daemon,\n"
	      "so there is no server version to show.\n"
	      "\n"
	      "Options:\n"
	      "  -h, --help   show this help\n",
	      out);
}

int cmd_version(struct cli_context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{"help", no_argument, NULL, 'h'},
		{},
	};
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", options, NULL)) != -1) {
		if (c != 'h')
			return cli_option_error("version", c, argv);
		version_usage(stdout);
		return 0;
	}

	if (optind < argc)
		return cli_usage_error("version", "unexpected argument '%s'",
				       argv[optind]);

	printf("berth version %s\n", BERTH_VERSION);
	return 0;
}
