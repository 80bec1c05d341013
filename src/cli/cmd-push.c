/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli-util.h"
#include "cli/commands.h"
#include "cli/registry-flags.h"
#include "cli/transfer-progress.h"
#include "image/store.h"
#include "registry/push.h"
#include "util/cleanup.h"
#include "util/fs.h"

static void push_usage(FILE *out)
{
	fputs("Usage: berth push [OPTIONS] IMAGE [DESTINATION]\n"
	      "\n"
	      "Upload an image to a registry. DESTINATION is\n"
	      "[REGISTRY/]REPOSITORY[:TAG|@DIGEST]; without it, IMAGE must "
	      "be a\n"
	      "name and is pushed to that name. Blobs that the registry has "
	      "are\n"
	      "skipped. Shows progress on stderr, then prints\n"
	      "\"TAG: digest: DIGEST size: BYTES\" of the manifest.\n"
	      "\n"
	      "Options:\n"
	      "      --authfile FILE     credentials file (default "
	      "$REGISTRY_AUTH_FILE,\n"
	      "                          else /run/containers/UID/auth.json)\n"
	      "      --cert-dir DIR      directory with HOST:PORT/ca.crt "
	      "(default\n"
	      "                          $BERTH_CERTS_DIR, else "
	      "/etc/berth/certs.d)\n"
	      "      --creds USER:PASS   credentials to use instead of the "
	      "file's\n"
	      "      --digestfile FILE   write the manifest digest to FILE\n"
	      "      --tls-verify=BOOL   false allows plain HTTP and "
	      "unverified\n"
	      "                          certificates (default true)\n"
	      "  -q, --quiet             print nothing but errors\n"
	      "  -h, --help              show this help\n",
	      out);
}

enum {
	OPT_DIGESTFILE = CLI_OPT_REGISTRY_END,
};

struct push_args {
	struct registry_push_options opts;
	char *creds; /* the copy that opts.registry points into */
	const char *digestfile;
	bool quiet;
	bool help;
};

/*
 * Options may follow the operands, as in docker push. Returns 0, or the
 * exit status of a usage error.
 */
static int parse_args(int argc, char **argv, struct push_args *args)
{
	static const struct option options[] = {
		CLI_REGISTRY_OPTIONS,
		{"digestfile", required_argument, NULL, OPT_DIGESTFILE},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	struct registry_options *reg = &args->opts.registry;
	int c, r;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":qh", options, NULL)) != -1) {
		switch (c) {
		case OPT_DIGESTFILE:
			args->digestfile = optarg;
			break;
		case 'q':
			args->quiet = true;
			break;
		case 'h':
			args->help = true;
			return 0;
		default:
			r = cli_registry_option("push", c, reg, &args->creds);
			if (r == 1)
				return cli_option_error("push", c, argv);
			if (r != 0)
				return r;
		}
	}

	if (argc - optind < 1 || argc - optind > 2)
		return cli_usage_error("push", "expected IMAGE [DESTINATION]");
	return 0;
}

static int write_digestfile(const char *path, const char *digest,
			    struct berth_error **err)
{
	if (fs_write_replace(path, digest, strlen(digest), 0644, err) < 0)
		return berth_error_wrap(err, "write --digestfile '%s'", path);
	return 0;
}

int cmd_push(struct cli_context *ctx, int argc, char **argv)
{
	struct push_args args = {0};
	struct berth_error *err = NULL;
	struct image_store *store = NULL;
	struct transfer_progress *progress = NULL;
	struct registry_push_result result = {0};
	const char *destination;
	int r;

	r = parse_args(argc, argv, &args);
	if (r != 0 || args.help) {
		if (args.help)
			push_usage(stdout);
		free(args.creds);
		return r;
	}
	destination = argc - optind == 2 ? argv[optind + 1] : NULL;

	progress = transfer_progress_new(stderr, args.quiet, "Pushing");
	args.opts.progress = transfer_progress_event;
	args.opts.progress_data = progress;

	r = image_store_open(ctx->root, &store, &err);
	if (r == 0)
		r = registry_push(store, argv[optind], destination, &args.opts,
				  &result, &err);
	image_store_close(store);
	transfer_progress_free(progress);
	free(args.creds);
	if (r == 0 && args.digestfile != NULL)
		r = write_digestfile(args.digestfile, result.manifest_digest,
				     &err);
	if (r < 0) {
		registry_push_result_clear(&result);
		return cli_fail(&err);
	}

	if (!args.quiet)
		printf("%s: digest: %s size: %lld\n",
		       result.tag != NULL ? result.tag : result.destination,
		       result.manifest_digest, (long long)result.manifest_size);
	registry_push_result_clear(&result);
	return 0;
}
