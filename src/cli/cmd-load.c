/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/commands.h"
#include "image/archive.h"
#include "image/store.h"
#include "util/cleanup.h"

static void load_usage(FILE *out)
{
	fputs("Usage: berth load [OPTIONS]\n"
	      "\n"
	      "Load the images of a docker-archive or oci-archive tar, plain\n"
	      "or compressed with gzip or zstd, as 'docker save' and\n"
	      "'podman save' write them. Prints each name loaded, or the\n"
	      "image id of an image without a name.\n"
	      "\n"
	      "Options:\n"
	      "  -i, --input FILE   read FILE instead of stdin\n"
	      "  -q, --quiet        print nothing\n"
	      "  -h, --help         show this help\n",
	      out);
}

static int open_input(const char *input, int *ret_fd, struct berth_error **err)
{
	struct stat st;
	int fd;

	if (input == NULL || strcmp(input, "-") == 0) {
		if (isatty(STDIN_FILENO))
			return berth_error_set(err, 0,
					       "stdin is a terminal: use -i "
					       "FILE or redirect stdin from "
					       "an image archive");
		*ret_fd = STDIN_FILENO;
		return 0;
	}

	fd = open(input, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return berth_error_set(err, errno, "open '%s'", input);
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return berth_error_set(err, 0,
				       "input '%s' is a directory, not an "
				       "image archive: for an OCI layout "
				       "directory, run 'tar -C DIR -cf - . | "
				       "berth load'",
				       input);
	}
	*ret_fd = fd;
	return 0;
}

static void print_loaded(const struct image_archive_loaded *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (list[i].names == NULL) {
			printf("Loaded image ID: sha256:%s\n", list[i].id);
			continue;
		}
		for (size_t t = 0; list[i].names[t] != NULL; t++)
			printf("Loaded image: %s\n", list[i].names[t]);
	}
}

int cmd_load(struct cli_context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{"input", required_argument, NULL, 'i'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	struct berth_error *err = NULL;
	struct image_store *store = NULL;
	struct image_archive_loaded *loaded = NULL;
	const char *input = NULL;
	bool quiet = false;
	size_t n = 0;
	int fd = -1;
	int c, r;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+i:qh", options, NULL)) != -1) {
		switch (c) {
		case 'i':
			input = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			load_usage(stdout);
			return 0;
		default:
			return cli_usage_error("load", "invalid option '%s'",
					       argv[optind - 1]);
		}
	}

	if (optind < argc)
		return cli_usage_error("load", "unexpected argument '%s'",
				       argv[optind]);

	if (open_input(input, &fd, &err) < 0)
		return cli_fail(&err);
	if (image_store_open(ctx->root, &store, &err) < 0) {
		if (fd > STDIN_FILENO)
			close(fd);
		return cli_fail(&err);
	}

	r = image_archive_load(store, fd, input != NULL ? input : "-", &loaded,
			       &n, &err);
	if (fd > STDIN_FILENO)
		close(fd);
	image_store_close(store);
	if (r < 0)
		return cli_fail(&err);

	if (!quiet)
		print_loaded(loaded, n);
	image_archive_loaded_free(loaded, n);
	return 0;
}
