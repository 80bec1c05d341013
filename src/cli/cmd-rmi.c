/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli-util.h"
#include "cli/commands.h"
#include "engine/image-use.h"
#include "image/reference.h"
#include "image/store.h"
#include "util/cleanup.h"
#include "util/strv.h"

static void rmi_usage(FILE *out)
{
	fputs("Usage: berth rmi [OPTIONS] IMAGE...\n"
	      "\n"
	      "Remove a name from an image; remove the image itself when it\n"
	      "loses its last name or is given by id. An image that a\n"
	      "container uses is kept.\n"
	      "\n"
	      "Options:\n"
	      "  -f, --force   remove an image given by id with all its\n"
	      "                names, or a damaged image without checking\n"
	      "                its containers\n"
	      "  -h, --help    show this help\n",
	      out);
}

/* True when removing ref only drops one of several names of image. */
static bool only_untags(const struct image_info *image, const char *ref)
{
	_cleanup_free_ char *name = NULL;

	if (strv_length(image->names) < 2 ||
	    reference_normalize(ref, &name, NULL) < 0)
		return false;
	return strv_contains(image->names, name);
}

static int check_unused(struct cli_context *ctx, const struct image_info *image,
			const char *ref, struct berth_error **err)
{
	_cleanup_strv_ char **users = NULL;

	if (engine_image_users(ctx->root, image->id, &users, err) < 0)
		return -1;

	if (users == NULL)
		return 0;
	return berth_error_set(err, 0,
			       "image '%s' is used by container '%.12s': "
			       "remove the container first with 'berth rm'",
			       ref, users[0]);
}

/*
 * NOTE: a container created between the check and the removal is not
 * seen; the engine must take the store lock around both to close this.
 */
static int remove_one(struct cli_context *ctx, struct image_store *store,
		      const char *ref, bool force, struct berth_error **err)
{
	struct image_info *image = NULL;
	struct image_removal removal = {0};
	int r = 0;

	if (image_store_lookup(store, ref, &image, err) < 0) {
		/* With -f a damaged image goes; its users cannot be known. */
		if (!force)
			return -1;
		berth_error_free(err);
	} else {
		if (!only_untags(image, ref))
			r = check_unused(ctx, image, ref, err);
		image_info_free(image);
		if (r < 0)
			return -1;
	}

	if (image_store_remove_image(store, ref, force, &removal, err) < 0)
		return -1;

	for (size_t i = 0; removal.untagged != NULL && removal.untagged[i]; i++)
		printf("Untagged: %s\n", removal.untagged[i]);
	if (removal.deleted_id != NULL)
		printf("Deleted: sha256:%s\n", removal.deleted_id);
	image_removal_clear(&removal);
	return 0;
}

int cmd_rmi(struct cli_context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{"force", no_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	struct berth_error *err = NULL;
	struct image_store *store = NULL;
	bool force = false;
	int status = 0;
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:fh", options, NULL)) != -1) {
		switch (c) {
		case 'f':
			force = true;
			break;
		case 'h':
			rmi_usage(stdout);
			return 0;
		default:
			return cli_option_error("rmi", c, argv);
		}
	}

	if (optind >= argc)
		return cli_usage_error("rmi", "expected at least one IMAGE");

	if (image_store_open(ctx->root, &store, &err) < 0)
		return cli_fail(&err);

	/* Like docker: report each failure and go on with the others. */
	for (int i = optind; i < argc; i++)
		if (remove_one(ctx, store, argv[i], force, &err) < 0)
			status = cli_fail(&err);

	image_store_close(store);
	return status;
}
