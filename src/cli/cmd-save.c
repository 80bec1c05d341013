/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/output-file.h"
#include "image/archive.h"
#include "image/store.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/xalloc.h"

static void save_usage(FILE *out)
{
	fputs("Usage: berth save [OPTIONS] IMAGE [IMAGE...]\n"
	      "\n"
	      "Write one or more images to a tar archive, to stdout unless\n"
	      "-o is given. An image named by NAME[:TAG] is saved under that\n"
	      "name, one given by id without a name.\n"
	      "\n"
	      "Options:\n"
	      "  -o, --output FILE         write to FILE ('-' for stdout)\n"
	      "      --format FORMAT       docker-archive (the default, as\n"
	      "                            'docker save' writes it),\n"
	      "                            oci-archive (a tar of an OCI\n"
	      "                            image layout) or oci-dir (the\n"
	      "                            layout as a new directory -o DIR)\n"
	      "  -m, --multi-image-archive accepted for Podman; every "
	      "format\n"
	      "                            holds all the images given\n"
	      "  -q, --quiet               accepted for Podman; save prints\n"
	      "                            nothing\n"
	      "  -h, --help                show this help\n",
	      out);
}

static int save_to_file(struct image_store *store, char **refs,
			enum image_archive_format format, const char *root,
			const char *output, struct berth_error **err)
{
	struct output_file out;

	if (output_file_open(root, output, &out, err) < 0)
		return -1;

	if (image_archive_save(store, refs, format, out.fd, err) < 0 ||
	    output_file_commit(&out, err) < 0) {
		output_file_abort(&out);
		return -1;
	}
	return 0;
}

/*
 * An oci-dir is written into a new temp directory next to DIR and
 * renamed to DIR when complete. DIR must not exist yet.
 */
static int save_to_dir(struct image_store *store, char **refs, const char *path,
		       struct berth_error **err)
{
	_cleanup_free_ char *tmp = NULL;
	_cleanup_close_ int fd = -1;
	int r;

	if (fs_exists(path))
		return berth_error_set(err, 0,
				       "output '%s' already exists: --format "
				       "oci-dir writes a new directory; remove "
				       "it or choose another path",
				       path);

	xasprintf(&tmp, "%s.tmp-XXXXXX", path);
	if (mkdtemp(tmp) == NULL)
		return berth_error_set(err, errno, "create '%s'", tmp);

	fd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		r = berth_error_set(err, errno, "open '%s'", tmp);
	else if (fchmod(fd, 0755) < 0)
		r = berth_error_set(err, errno, "chmod '%s'", tmp);
	else
		r = image_archive_save(store, refs, IMAGE_ARCHIVE_OCI_DIR, fd,
				       err);

	if (r == 0 && rename(tmp, path) < 0)
		r = berth_error_set(err, errno, "rename '%s' to '%s'", tmp,
				    path);
	if (r < 0)
		(void)fs_rm_rf(tmp, NULL);
	return r;
}

static int save_to_stdout(struct image_store *store, char **refs,
			  enum image_archive_format format,
			  struct berth_error **err)
{
	if (isatty(STDOUT_FILENO))
		return berth_error_set(err, 0, OUTPUT_TERMINAL_ERROR);
	return image_archive_save(store, refs, format, STDOUT_FILENO, err);
}

int cmd_save(struct cli_context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{"output", required_argument, NULL, 'o'},
		{"format", required_argument, NULL, 'F'},
		{"multi-image-archive", no_argument, NULL, 'm'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	enum image_archive_format format = IMAGE_ARCHIVE_DOCKER;
	struct berth_error *err = NULL;
	struct image_store *store = NULL;
	const char *output = NULL;
	int c, r;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+o:mqh", options, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'F':
			if (image_archive_format_parse(optarg, &format, &err) <
			    0)
				return cli_fail(&err);
			break;
		case 'm':
		case 'q':
			break;
		case 'h':
			save_usage(stdout);
			return 0;
		default:
			return cli_usage_error("save", "invalid option '%s'",
					       argv[optind - 1]);
		}
	}

	if (optind >= argc)
		return cli_usage_error("save", "expected at least one IMAGE");
	if (format == IMAGE_ARCHIVE_OCI_DIR &&
	    (output == NULL || strcmp(output, "-") == 0))
		return cli_usage_error("save", "--format oci-dir needs -o DIR");

	if (format == IMAGE_ARCHIVE_OCI_DIR &&
	    output_check_outside_root(ctx->root, output, &err) < 0)
		return cli_fail(&err);
	if (image_store_open(ctx->root, &store, &err) < 0)
		return cli_fail(&err);

	if (format == IMAGE_ARCHIVE_OCI_DIR)
		r = save_to_dir(store, argv + optind, output, &err);
	else if (output == NULL || strcmp(output, "-") == 0)
		r = save_to_stdout(store, argv + optind, format, &err);
	else
		r = save_to_file(store, argv + optind, format, ctx->root,
				 output, &err);
	image_store_close(store);
	if (r < 0)
		return cli_fail(&err);
	return 0;
}
