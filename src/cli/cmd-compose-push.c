/* SPDX-License-Identifier: GPL-2.0-or-later */
/* "berth compose push": upload the services' images to their registries. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli-util.h"
#include "cli/compose-cli.h"
#include "cli/registry-flags.h"
#include "cli/transfer-progress.h"
#include "image/store.h"
#include "registry/push.h"
#include "util/cleanup.h"

struct compose_push_args {
	struct registry_push_options opts;
	bool quiet;
};

static void compose_push_usage(FILE *out)
{
	fputs("Usage: berth compose push [OPTIONS] [SERVICE...]\n"
	      "\n"
	      "Push the image of each service that names one with image:.\n"
	      "A service without a build section whose image is not in the\n"
	      "store is skipped; one with a build section must be built "
	      "first.\n"
	      "\n"
	      "Options:\n"
	      "      --tls-verify=BOOL   false allows plain HTTP and "
	      "unverified\n"
	      "                          certificates (default true)\n"
	      "  -q, --quiet             print nothing but errors\n"
	      "  -h, --help              show this help\n",
	      out);
}

/* Returns 0, -1 after --help, or the exit status of a usage error. */
static int parse_push_args(int argc, char **argv,
			   struct compose_push_args *args)
{
	static const struct option options[] = {
		{"tls-verify", optional_argument, NULL, 't'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	int c, r;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:qh", options, NULL)) != -1) {
		if (c == 't') {
			r = cli_parse_tls_verify("compose push", optarg,
						 &args->opts.registry);
			if (r != 0)
				return r;
		} else if (c == 'q') {
			args->quiet = true;
		} else if (c == 'h') {
			compose_push_usage(stdout);
			return -1;
		} else {
			return cli_option_error("compose push", c, argv);
		}
	}
	return 0;
}

/*
 * Decide whether to push svc. A service that builds its image is always
 * pushed, so a missing image fails the push. Any other service is pushed
 * only when its image is in the store.
 */
static int should_push(struct image_store *store,
		       const struct compose_service *svc, bool *ret,
		       struct berth_error **err)
{
	struct image_info *info = NULL;

	*ret = false;
	if (svc->image == NULL)
		return 0;
	if (svc->build != NULL) {
		*ret = true;
		return 0;
	}
	if (image_store_find(store, svc->image, &info, err) < 0)
		return -1;
	*ret = info != NULL;
	image_info_free(info);
	return 0;
}

static int push_service(struct image_store *store,
			const struct compose_service *svc,
			struct compose_push_args *args,
			struct berth_error **err)
{
	struct registry_push_result result = {0};
	struct transfer_progress *progress;
	int r;

	if (!args->quiet)
		fprintf(stderr, " Pushing %s (%s)\n", svc->name, svc->image);
	progress = transfer_progress_new(stderr, args->quiet, "Pushing");
	args->opts.progress = transfer_progress_event;
	args->opts.progress_data = progress;
	r = registry_push(store, svc->image, NULL, &args->opts, &result, err);
	transfer_progress_free(progress);
	if (r == 0 && !args->quiet)
		printf("%s: digest: %s size: %lld\n",
		       result.tag != NULL ? result.tag : result.destination,
		       result.manifest_digest, (long long)result.manifest_size);
	registry_push_result_clear(&result);
	return r;
}

static int push_selected(struct compose_session *s, struct image_store *store,
			 const size_t *order, size_t n,
			 struct compose_push_args *args,
			 struct berth_error **err)
{
	for (size_t i = 0; i < n; i++) {
		const struct compose_service *svc = &s->p->services[order[i]];
		bool push;

		if (should_push(store, svc, &push, err) < 0 ||
		    (push && push_service(store, svc, args, err) < 0))
			return berth_error_wrap(err, "service '%s'", svc->name);
		if (!push && svc->image != NULL && !args->quiet)
			fprintf(stderr,
				" Skipping %s: image '%s' is not in the "
				"store\n",
				svc->name, svc->image);
	}
	return 0;
}

int compose_cmd_push(struct compose_session *s, int argc, char **argv)
{
	struct compose_push_args args = {0};
	struct berth_error *err = NULL;
	struct image_store *store = NULL;
	_cleanup_free_ size_t *order = NULL;
	size_t n = 0;
	int r;

	r = parse_push_args(argc, argv, &args);
	if (r != 0)
		return r;
	if (compose_selected_order(s->p, optind < argc ? argv + optind : NULL,
				   &order, &n, &err) < 0)
		return cli_fail(&err);

	r = image_store_open(s->ctx->root, &store, &err);
	if (r == 0)
		r = push_selected(s, store, order, n, &args, &err);
	image_store_close(store);
	if (r < 0)
		return cli_fail(&err);
	return 0;
}
