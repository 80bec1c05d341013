/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli-util.h"
#include "cli/commands.h"
#include "image/store.h"
#include "util/cleanup.h"

static void import_usage(FILE *out)
{
	fputs("Usage: berth import [OPTIONS] FILE|- [NAME[:TAG]]\n"
	      "\n"
	      "Make a one-layer image from a root file system tarball, plain\n"
	      "or compressed with gzip or zstd. '-' reads it from stdin.\n"
	      "Prints the new image id.\n"
	      "\n"
	      "Options:\n"
	      "  -h, --help   show this help\n",
	      out);
}

static int open_source(const char *source, int *ret_fd,
		       struct berth_error **err)
{
	int fd;

	if (strcmp(source, "-") == 0) {
		*ret_fd = STDIN_FILENO;
		return 0;
	}

	fd = open(source, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return berth_error_set(err, errno, "open '%s'", source);
	*ret_fd = fd;
	return 0;
}

int cmd_import(struct cli_context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{"help", no_argument, NULL, 'h'},
		{},
	};
	struct berth_error *err = NULL;
	struct image_store *store = NULL;
	_cleanup_free_ char *id = NULL;
	const char *source;
	const char *name;
	int fd = -1;
	int c, r;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", options, NULL)) != -1) {
		if (c == 'h') {
			import_usage(stdout);
			return 0;
		}
		return cli_option_error("import", c, argv);
	}

	if (argc - optind < 1 || argc - optind > 2)
		return cli_usage_error("import",
				       "expected FILE|- [NAME[:TAG]]");
	source = argv[optind];
	name = argc - optind == 2 ? argv[optind + 1] : NULL;

	if (open_source(source, &fd, &err) < 0 ||
	    image_store_open(ctx->root, &store, &err) < 0) {
		if (fd > STDIN_FILENO)
			close(fd);
		return cli_fail(&err);
	}

	r = image_store_import_from(store, fd, source, name, &id, &err);
	if (fd > STDIN_FILENO)
		close(fd);
	image_store_close(store);
	if (r < 0)
		return cli_fail(&err);

	printf("sha256:%s\n", id);
	return 0;
}
