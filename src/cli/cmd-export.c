/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli-util.h"
#include "cli/commands.h"
#include "cli/output-file.h"
#include "engine/container-image.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

static void export_usage(FILE *out)
{
	fputs("Usage: berth export [OPTIONS] CONTAINER\n"
	      "\n"
	      "Write the root file system of a container, its image with\n"
	      "its changes, as a tar archive to standard output or a file.\n"
	      "\n"
	      "Options:\n"
	      "  -o, --output FILE   write to FILE instead\n"
	      "  -h, --help          show this help\n",
	      out);
}

static int export_to_file(struct engine *engine, const char *id,
			  const char *root, const char *output,
			  struct berth_error **err)
{
	struct output_file out;

	if (output_file_open(root, output, &out, err) < 0)
		return -1;

	if (engine_container_export(engine, id, out.fd, err) < 0 ||
	    output_file_commit(&out, err) < 0) {
		output_file_abort(&out);
		return -1;
	}
	return 0;
}

int cmd_export(struct cli_context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	_cleanup_free_ char *id = NULL;
	struct berth_error *err = NULL;
	const char *output = NULL;
	struct engine engine;
	int c, r;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:o:h", options, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'h':
			export_usage(stdout);
			return 0;
		default:
			return cli_option_error("export", c, argv);
		}
	}

	if (argc - optind != 1)
		return cli_usage_error("export", "expected one CONTAINER");
	if (output == NULL && isatty(STDOUT_FILENO))
		return cli_usage_error("export",
				       "refusing to write a tar archive to a "
				       "terminal; use -o FILE or a pipe");

	cli_engine_init(ctx, &engine);
	r = engine_container_lookup(&engine, argv[optind], &id, &err);
	if (r == 0 && output != NULL)
		r = export_to_file(&engine, id, ctx->root, output, &err);
	else if (r == 0)
		r = engine_container_export(&engine, id, STDOUT_FILENO, &err);
	engine_clear(&engine);
	return r < 0 ? cli_fail(&err) : 0;
}
