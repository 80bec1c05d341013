/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli-util.h"
#include "cli/commands.h"
#include "cli/registry-flags.h"
#include "cli/transfer-progress.h"
#include "image/store.h"
#include "registry/pull.h"
#include "registry/remote-reference.h"
#include "util/cleanup.h"

static void pull_usage(FILE *out)
{
	fputs("Usage: berth pull [OPTIONS] NAME[:TAG|@DIGEST]\n"
	      "\n"
	      "Download an image from a registry. A name without a registry\n"
	      "host comes from docker.io (busybox is "
	      "docker.io/library/busybox).\n"
	      "The image is stored under the name as written, or without a\n"
	      "name when only a digest is given. Prints the image id.\n"
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
	      "      --platform OS/ARCH[/VARIANT]\n"
	      "                          the platform to pull from a "
	      "multi-platform\n"
	      "                          image (default: this host's)\n"
	      "      --tls-verify=BOOL   false allows plain HTTP and "
	      "unverified\n"
	      "                          certificates (default true)\n"
	      "  -q, --quiet             print only the image id\n"
	      "  -h, --help              show this help\n",
	      out);
}

enum {
	OPT_PLATFORM = CLI_OPT_REGISTRY_END,
};

struct pull_args {
	struct registry_pull_options opts;
	char *creds; /* the copy that opts.registry points into */
	bool quiet;
	bool help;
};

/* Returns 0, or the exit status of a usage error. */
static int parse_args(int argc, char **argv, struct pull_args *args)
{
	static const struct option options[] = {
		CLI_REGISTRY_OPTIONS,
		{"platform", required_argument, NULL, OPT_PLATFORM},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	struct registry_options *reg = &args->opts.registry;
	int c, r;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:qh", options, NULL)) != -1) {
		switch (c) {
		case OPT_PLATFORM:
			args->opts.platform = optarg;
			break;
		case 'q':
			args->quiet = true;
			break;
		case 'h':
			args->help = true;
			return 0;
		default:
			r = cli_registry_option("pull", c, reg, &args->creds);
			if (r == 1)
				return cli_option_error("pull", c, argv);
			if (r != 0)
				return r;
		}
	}

	if (argc - optind != 1)
		return cli_usage_error("pull",
				       "expected one NAME[:TAG|@DIGEST]");
	return 0;
}

/*
 * Check the reference before the store is opened, then name the full
 * remote reference, as podman does, unless quiet.
 */
static int announce(const char *reference, bool quiet, struct berth_error **err)
{
	_cleanup_remote_ref_ struct remote_ref *ref = NULL;
	_cleanup_free_ char *full = NULL;

	if (remote_ref_parse(reference, &ref, err) < 0)
		return berth_error_wrap(err, "pull '%s'", reference);
	if (quiet)
		return 0;
	full = remote_ref_string(ref);
	fprintf(stderr, "Trying to pull %s...\n", full);
	return 0;
}

int cmd_pull(struct cli_context *ctx, int argc, char **argv)
{
	struct pull_args args = {0};
	struct berth_error *err = NULL;
	struct image_store *store = NULL;
	struct transfer_progress *progress = NULL;
	struct registry_pull_result result = {0};
	int r;

	r = parse_args(argc, argv, &args);
	if (r != 0 || args.help) {
		if (args.help)
			pull_usage(stdout);
		free(args.creds);
		return r;
	}

	if (announce(argv[optind], args.quiet, &err) < 0) {
		free(args.creds);
		return cli_fail(&err);
	}
	progress = transfer_progress_new(stderr, args.quiet, "Copying");
	args.opts.progress = transfer_progress_event;
	args.opts.progress_data = progress;

	r = image_store_open(ctx->root, &store, &err);
	if (r == 0)
		r = registry_pull(store, argv[optind], &args.opts, &result,
				  &err);
	image_store_close(store);
	transfer_progress_free(progress);
	free(args.creds);
	if (r < 0)
		return cli_fail(&err);

	if (!args.quiet)
		fprintf(stderr, "Digest: %s\n", result.manifest_digest);
	printf("%s\n", result.id);
	registry_pull_result_clear(&result);
	return 0;
}
