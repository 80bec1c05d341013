/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build/build-run.h"
#include "build/builder.h"
#include "cli/cli-util.h"
#include "cli/commands.h"
#include "image/layer-writer.h"
#include "util/cleanup.h"
#include "util/strv.h"

static void build_usage(FILE *out)
{
	fputs("Usage: berth build [OPTIONS] CONTEXT\n"
	      "\n"
	      "Build an image from the Containerfile (or Dockerfile) in the "
	      "CONTEXT\n"
	      "directory. Prints each step, and the image id last. A failed "
	      "RUN step\n"
	      "makes berth exit with that step's exit status, any other "
	      "failure with 125.\n"
	      "\n"
	      "Options:\n"
	      "  -f, --file FILE          Containerfile to use (default "
	      "CONTEXT/Containerfile,\n"
	      "                           then CONTEXT/Dockerfile; '-' reads "
	      "standard input)\n"
	      "  -t, --tag NAME[:TAG]     name the image; may be repeated\n"
	      "      --build-arg KEY[=V]  set a build argument; KEY alone "
	      "takes the value\n"
	      "                           from the environment\n"
	      "      --target STAGE       build the stage STAGE and the "
	      "stages it needs\n"
	      "      --no-cache           run every step, using no cached "
	      "layer\n"
	      "      --label KEY=VALUE    add a label to the image\n"
	      "      --network MODE       network of RUN steps: none "
	      "(default) or host\n"
	      "      --timestamp SECONDS  clamp file times and set the "
	      "created times to\n"
	      "                           SECONDS since the epoch "
	      "(default $SOURCE_DATE_EPOCH)\n"
	      "  -q, --quiet              print only the image id\n"
	      "  -h, --help               show this help\n",
	      out);
}

struct build_args {
	struct build_options opts;
	char **tags;
	char **build_args;
	char **labels;
};

static int parse_timestamp(const char *what, const char *s, int64_t *ret)
{
	char *end = NULL;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (s[0] == '\0' || *end != '\0' || errno != 0 || v < 0)
		return cli_usage_error("build",
				       "invalid %s '%s': use seconds since "
				       "1970-01-01 UTC",
				       what, s);
	*ret = v;
	return 0;
}

static int parse_network(const char *s)
{
	if (strcmp(s, "none") == 0 || strcmp(s, "host") == 0)
		return 0;
	return cli_usage_error(
		"build", "unsupported network '%s': use 'none' or 'host'", s);
}

/* Returns 0, -1 for --help, or the exit status of a usage error. */
static int parse_args(int argc, char **argv, struct build_args *a)
{
	static const struct option options[] = {
		{"file", required_argument, NULL, 'f'},
		{"tag", required_argument, NULL, 't'},
		{"build-arg", required_argument, NULL, 'a'},
		{"target", required_argument, NULL, 'T'},
		{"no-cache", no_argument, NULL, 'n'},
		{"label", required_argument, NULL, 'l'},
		{"network", required_argument, NULL, 'N'},
		{"timestamp", required_argument, NULL, 's'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	struct build_options *o = &a->opts;
	const char *epoch = getenv("SOURCE_DATE_EPOCH");
	bool quiet = false;
	int c, r;

	o->timestamp = LAYER_NO_TIMESTAMP;
	o->network = "none";
	if (epoch != NULL && epoch[0] != '\0' &&
	    (r = parse_timestamp("SOURCE_DATE_EPOCH", epoch, &o->timestamp)))
		return r;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+f:t:qh", options, NULL)) != -1) {
		switch (c) {
		case 'f':
			o->file = optarg;
			break;
		case 't':
			strv_push(&a->tags, optarg);
			break;
		case 'a':
			strv_push(&a->build_args, optarg);
			break;
		case 'T':
			o->target = optarg;
			break;
		case 'n':
			o->no_cache = true;
			break;
		case 'l':
			if (strchr(optarg, '=') == NULL || optarg[0] == '=')
				return cli_usage_error("build",
						       "invalid label '%s': "
						       "use KEY=VALUE",
						       optarg);
			strv_push(&a->labels, optarg);
			break;
		case 'N':
			if ((r = parse_network(optarg)) != 0)
				return r;
			o->network = optarg;
			break;
		case 's':
			r = parse_timestamp("--timestamp", optarg,
					    &o->timestamp);
			if (r != 0)
				return r;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			build_usage(stdout);
			return -1;
		default:
			return cli_usage_error("build", "unknown option '%s'",
					       argv[optind - 1]);
		}
	}

	if (argc - optind != 1)
		return cli_usage_error("build", "expected one CONTEXT "
						"directory");
	o->context = argv[optind];
	o->tags = a->tags;
	o->build_args = a->build_args;
	o->labels = a->labels;
	o->progress = quiet ? NULL : stdout;
	o->cgroup_parent = getenv("BERTH_CGROUP_PARENT");
	return 0;
}

static int run_build(struct cli_context *ctx, struct build_args *a)
{
	struct berth_error *err = NULL;
	struct engine engine;
	_cleanup_free_ char *id = NULL;
	_cleanup_close_ int null_fd = -1;
	int r;

	if (cli_ensure_sealed(ctx, &err) < 0 ||
	    build_enter_mount_namespace(&err) < 0)
		return cli_fail(&err);
	build_catch_signals();

	/* With -q, RUN output is dropped so that stdout contains the id only. */
	a->opts.run_output_fd = STDOUT_FILENO;
	if (a->opts.progress == NULL) {
		null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
		a->opts.run_output_fd = null_fd;
	}

	cli_engine_init(ctx, &engine);
	a->opts.root = ctx->root;
	a->opts.state_root = engine.state_root;
	fflush(stdout);
	r = build_image(&a->opts, &id, &err);
	engine_clear(&engine);
	if (r < 0)
		return cli_fail(&err);

	printf("%s\n", id);
	return 0;
}

int cmd_build(struct cli_context *ctx, int argc, char **argv)
{
	struct build_args a = {0};
	int r = parse_args(argc, argv, &a);

	if (r == 0)
		r = run_build(ctx, &a);
	else if (r < 0)
		r = 0;

	strv_free(a.tags);
	strv_free(a.build_args);
	strv_free(a.labels);
	return r;
}
