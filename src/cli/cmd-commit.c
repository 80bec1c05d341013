/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli-util.h"
#include "cli/commands.h"
#include "engine/container-image.h"
#include "util/cleanup.h"
#include "util/strv.h"

static void commit_usage(FILE *out)
{
	fputs("Usage: berth commit [OPTIONS] CONTAINER [IMAGE[:TAG]]\n"
	      "\n"
	      "Make an image of a container: its image plus one layer with\n"
	      "the files the container changed. The new image keeps the\n"
	      "configuration of the container's image; --change edits it.\n"
	      "A running container is committed without pausing it.\n"
	      "Prints the new image id.\n"
	      "\n"
	      "Options:\n"
	      "  -a, --author A        record A as the image's author\n"
	      "  -c, --change INSTR    apply a Dockerfile instruction: CMD,\n"
	      "                        ENTRYPOINT, ENV, EXPOSE, LABEL,\n"
	      "                        STOPSIGNAL, USER, VOLUME or WORKDIR\n"
	      "                        (repeatable)\n"
	      "  -m, --message MSG     the comment of the new history entry\n"
	      "  -h, --help            show this help\n",
	      out);
}

int cmd_commit(struct cli_context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{"author", required_argument, NULL, 'a'},
		{"change", required_argument, NULL, 'c'},
		{"message", required_argument, NULL, 'm'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	struct engine_commit_options opts = {0};
	_cleanup_strv_ char **changes = NULL;
	_cleanup_free_ char *id = NULL;
	_cleanup_free_ char *image_id = NULL;
	struct berth_error *err = NULL;
	struct engine engine;
	int c, r;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:a:c:m:h", options, NULL)) !=
	       -1) {
		switch (c) {
		case 'a':
			opts.author = optarg;
			break;
		case 'c':
			strv_push(&changes, optarg);
			break;
		case 'm':
			opts.message = optarg;
			break;
		case 'h':
			commit_usage(stdout);
			return 0;
		default:
			return cli_option_error("commit", c, argv);
		}
	}

	if (argc - optind < 1 || argc - optind > 2)
		return cli_usage_error("commit",
				       "expected CONTAINER and an optional "
				       "IMAGE[:TAG]");
	opts.name = argc - optind == 2 ? argv[optind + 1] : NULL;
	opts.changes = changes;

	cli_engine_init(ctx, &engine);
	r = engine_container_lookup(&engine, argv[optind], &id, &err);
	if (r == 0)
		r = engine_container_commit(&engine, id, &opts, &image_id,
					    &err);
	engine_clear(&engine);
	if (r < 0)
		return cli_fail(&err);

	printf("sha256:%s\n", image_id);
	return 0;
}
