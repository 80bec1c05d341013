/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli-util.h"
#include "cli/commands.h"
#include "image/store.h"

static void tag_usage(FILE *out)
{
	fputs("Usage: berth tag SOURCE TARGET\n"
	      "\n"
	      "Add the name TARGET (NAME[:TAG]) to the image SOURCE, a name\n"
	      "or an id. An image that had TARGET before loses it.\n"
	      "\n"
	      "Options:\n"
	      "  -h, --help   show this help\n",
	      out);
}

int cmd_tag(struct cli_context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{"help", no_argument, NULL, 'h'},
		{},
	};
	struct berth_error *err = NULL;
	struct image_store *store = NULL;
	int c, r;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", options, NULL)) != -1) {
		if (c == 'h') {
			tag_usage(stdout);
			return 0;
		}
		return cli_option_error("tag", c, argv);
	}

	if (argc - optind != 2)
		return cli_usage_error("tag", "expected SOURCE and TARGET");

	if (image_store_open(ctx->root, &store, &err) < 0)
		return cli_fail(&err);

	r = image_store_tag(store, argv[optind], argv[optind + 1], &err);
	image_store_close(store);
	return r < 0 ? cli_fail(&err) : 0;
}
