/* SPDX-License-Identifier: GPL-2.0-or-later */
/* "berth compose pull", and the pull of a missing image for "up". */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli-util.h"
#include "cli/compose-cli.h"
#include "cli/registry-flags.h"
#include "cli/transfer-progress.h"
#include "image/store.h"
#include "registry/pull.h"
#include "util/cleanup.h"

int compose_pull_service(void *data, const struct compose_project *p,
			 const struct compose_service *svc, const char *image,
			 struct berth_error **err)
{
	struct compose_session *s = data;
	struct registry_pull_options o = {0};
	struct registry_pull_result result = {0};
	struct image_store *store = NULL;
	struct transfer_progress *progress;
	int r;

	(void)p;
	o.registry.insecure = s->pull_insecure;
	fprintf(stderr, " Pulling %s (%s)\n", svc->name, image);
	progress = transfer_progress_new(stderr, false, "Copying");
	o.progress = transfer_progress_event;
	o.progress_data = progress;
	r = image_store_open(s->ctx->root, &store, err);
	if (r == 0)
		r = registry_pull(store, image, &o, &result, err);
	image_store_close(store);
	transfer_progress_free(progress);
	registry_pull_result_clear(&result);
	return r;
}

int compose_cmd_pull(struct compose_session *s, int argc, char **argv)
{
	static const struct option options[] = {
		{"tls-verify", required_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	struct berth_error *err = NULL;
	struct registry_options tls = {0};
	_cleanup_free_ size_t *order = NULL;
	size_t n = 0;
	int c, r;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", options, NULL)) != -1) {
		if (c == 't') {
			r = cli_parse_tls_verify("compose pull", optarg, &tls);
			if (r != 0)
				return r;
			s->pull_insecure = tls.insecure;
		} else if (c == 'h') {
			fputs("Usage: berth compose pull [--tls-verify=BOOL] "
			      "[SERVICE...]\n"
			      "\n"
			      "Pull the image of each service that names "
			      "one.\n",
			      stdout);
			return -1;
		} else {
			return cli_option_error("compose pull", c, argv);
		}
	}
	if (compose_selected_order(s->p, optind < argc ? argv + optind : NULL,
				   &order, &n, &err) < 0)
		return cli_fail(&err);
	for (size_t i = 0; i < n; i++) {
		const struct compose_service *svc = &s->p->services[order[i]];

		if (svc->image == NULL)
			continue;
		if (compose_pull_service(s, s->p, svc, svc->image, &err) < 0) {
			berth_error_wrap(&err, "service '%s'", svc->name);
			return cli_fail(&err);
		}
	}
	return 0;
}
