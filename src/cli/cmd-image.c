/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli-util.h"
#include "cli/commands.h"
#include "cli/human.h"
#include "engine/container-image.h"
#include "image/store.h"
#include "util/cleanup.h"

/* "berth image SUB": the image commands under Docker's grouped names. */
static const struct cli_command image_commands[] = {
	{"build", cmd_build, "Build an image from a Containerfile"},
	{"history", cmd_history, "Show how an image was made"},
	{"import", cmd_import, "Make an image from a root file system tarball"},
	{"inspect", cmd_inspect, "Show details of images"},
	{"load", cmd_load, "Load images from a tar archive"},
	{"ls", cmd_images, "List images"},
	{"prune", cmd_image_prune, "Remove unused images"},
	{"pull", cmd_pull, "Download an image from a registry"},
	{"push", cmd_push, "Upload an image to a registry"},
	{"rm", cmd_rmi, "Remove one or more images"},
	{"save", cmd_save, "Write images to a tar archive"},
	{"tag", cmd_tag, "Add a name to an image"},
};

int cmd_image(struct cli_context *ctx, int argc, char **argv)
{
	return cli_dispatch("image", image_commands, ARRAY_SIZE(image_commands),
			    ctx, argc, argv);
}

static void prune_usage(FILE *out)
{
	fputs("Usage: berth image prune [OPTIONS]\n"
	      "\n"
	      "Remove the images without a name that no container uses;\n"
	      "with -a, every image that no container uses.\n"
	      "\n"
	      "Options:\n"
	      "  -a, --all     remove all unused images, named or not\n"
	      "  -f, --force   do not ask for confirmation\n"
	      "  -h, --help    show this help\n",
	      out);
}

static bool confirm(bool all)
{
	char answer[16] = "";

	fprintf(stderr,
		"WARNING! This will remove all %s.\n"
		"Are you sure you want to continue? [y/N] ",
		all ? "images without at least one container associated to "
		      "them" :
		      "dangling images");
	if (fgets(answer, sizeof(answer), stdin) == NULL)
		return false;
	return answer[0] == 'y' || answer[0] == 'Y';
}

static void print_result(const struct engine_prune_result *result)
{
	char size[32];

	if (result->untagged != NULL || result->deleted != NULL)
		printf("Deleted Images:\n");
	for (size_t i = 0; result->untagged && result->untagged[i]; i++)
		printf("untagged: %s\n", result->untagged[i]);
	for (size_t i = 0; result->deleted && result->deleted[i]; i++)
		printf("deleted: %s\n", result->deleted[i]);
	if (result->untagged != NULL || result->deleted != NULL)
		printf("\n");

	human_size(result->reclaimed, size, sizeof(size));
	printf("Total reclaimed space: %s\n", size);
}

int cmd_image_prune(struct cli_context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{"all", no_argument, NULL, 'a'},
		{"force", no_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	struct engine_prune_result result;
	struct image_store *store = NULL;
	struct berth_error *err = NULL;
	bool all = false, force = false;
	struct engine engine;
	int c, r;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:afh", options, NULL)) != -1) {
		switch (c) {
		case 'a':
			all = true;
			break;
		case 'f':
			force = true;
			break;
		case 'h':
			prune_usage(stdout);
			return 0;
		default:
			return cli_option_error("image prune", c, argv);
		}
	}

	if (optind != argc)
		return cli_usage_error("image prune", "expected no arguments");
	if (!force && !confirm(all))
		return 0;

	if (image_store_open(ctx->root, &store, &err) < 0)
		return cli_fail(&err);
	cli_engine_init(ctx, &engine);
	r = engine_image_prune(&engine, store, all, &result, &err);
	engine_clear(&engine);
	image_store_close(store);
	if (r < 0)
		return cli_fail(&err);

	print_result(&result);
	engine_prune_result_clear(&result);
	return 0;
}
