/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli-util.h"
#include "cli/commands.h"
#include "engine/container-image.h"
#include "util/cleanup.h"

static void diff_usage(FILE *out)
{
	fputs("Usage: berth diff CONTAINER\n"
	      "\n"
	      "List the files a container changed against its image, one\n"
	      "per line: 'A PATH' added, 'C PATH' changed (a directory\n"
	      "when something below it changed), 'D PATH' deleted.\n"
	      "\n"
	      "Options:\n"
	      "  -h, --help   show this help\n",
	      out);
}

int cmd_diff(struct cli_context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{"help", no_argument, NULL, 'h'},
		{},
	};
	_cleanup_free_ char *id = NULL;
	struct layer_change *changes = NULL;
	struct berth_error *err = NULL;
	struct engine engine;
	size_t n = 0;
	int c, r;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", options, NULL)) != -1) {
		if (c == 'h') {
			diff_usage(stdout);
			return 0;
		}
		return cli_option_error("diff", c, argv);
	}

	if (argc - optind != 1)
		return cli_usage_error("diff", "expected one CONTAINER");

	cli_engine_init(ctx, &engine);
	r = engine_container_lookup(&engine, argv[optind], &id, &err);
	if (r == 0)
		r = engine_container_diff(&engine, id, &changes, &n, &err);
	engine_clear(&engine);
	if (r < 0)
		return cli_fail(&err);

	for (size_t i = 0; i < n; i++)
		printf("%c %s\n", changes[i].kind, changes[i].path);
	layer_changes_free(changes, n);
	return 0;
}
