/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli-util.h"
#include "cli/commands.h"
#include "cli/ps-filter.h"
#include "util/cleanup.h"
#include "util/strv.h"

static void start_usage(FILE *out)
{
	fputs("Usage: berth start [OPTIONS] CONTAINER...\n"
	      "       berth start --all [--filter K=V]...\n"
	      "\n"
	      "Start created or exited containers in the background and "
	      "print their names.\n"
	      "\n"
	      "Options:\n"
	      "      --all           start the stopped containers whose "
	      "restart policy\n"
	      "                      asks for it, as after a reboot: "
	      "always, unless-stopped\n"
	      "                      and on-failure (after a failure) "
	      "unless stopped by\n"
	      "                      the user\n"
	      "  -a, --attach        run one container in the foreground "
	      "and exit with its\n"
	      "                      status\n"
	      "  -f, --filter K=V    with --all: only containers that "
	      "match, such as\n"
	      "                      restart=always (keys as for 'berth "
	      "ps')\n"
	      "  -i, --interactive   like -a; stdin is forwarded when the "
	      "container was\n"
	      "                      created with -i\n"
	      "  -h, --help          show this help\n",
	      out);
}

static int start_one(struct engine *engine, const char *id, void *data,
		     struct berth_error **err)
{
	return engine_container_start(engine, id, err);
}

/* One container of --all: a failure is reported and the others go on. */
static int start_boot_one(struct engine *engine, const char *id,
			  char *const *filters)
{
	struct berth_error *err = NULL;
	json_t *info = NULL;
	bool wanted = false;
	int r;

	r = engine_container_boot_wanted(engine, id, &wanted, &err);
	if (r == 0 && wanted)
		r = engine_container_inspect(engine, id, &info, &err);
	if (r < 0)
		return cli_fail(&err);
	if (!wanted || !ps_filter_match(filters, info)) {
		json_decref(info);
		return 0;
	}

	r = engine_container_start(engine, id, &err);
	if (r == 0)
		printf("%s\n",
		       json_string_value(json_object_get(info, "Name")) + 1);
	json_decref(info);
	return r < 0 ? cli_fail(&err) : 0;
}

static int start_all(struct cli_context *ctx, char *const *filters)
{
	struct berth_error *err = NULL;
	_cleanup_strv_ char **ids = NULL;
	struct engine engine;
	int status = 0;

	cli_engine_init(ctx, &engine);
	if (engine_container_list(&engine, &ids, &err) < 0) {
		engine_clear(&engine);
		return cli_fail(&err);
	}
	for (size_t i = 0; ids != NULL && ids[i] != NULL; i++)
		if (start_boot_one(&engine, ids[i], filters) != 0)
			status = BERTH_EXIT_ENGINE;
	engine_clear(&engine);
	return status;
}

static int start_attached(struct cli_context *ctx, const char *ref)
{
	struct berth_error *err = NULL;
	_cleanup_free_ char *id = NULL;
	struct engine engine;
	int status = 0, r;

	cli_engine_init(ctx, &engine);
	r = engine_container_lookup(&engine, ref, &id, &err);
	if (r == 0)
		r = engine_container_run_attached(&engine, id, &status, &err);
	engine_clear(&engine);
	return r < 0 ? cli_fail(&err) : status;
}

int cmd_start(struct cli_context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{"all", no_argument, NULL, 'A'},
		{"filter", required_argument, NULL, 'f'},
		{"attach", no_argument, NULL, 'a'},
		{"interactive", no_argument, NULL, 'i'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	struct berth_error *err = NULL;
	_cleanup_strv_ char **filters = NULL;
	bool attach = false, all = false;
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:aif:h", options, NULL)) != -1) {
		if (c == 'a' || c == 'i') {
			attach = true;
		} else if (c == 'A') {
			all = true;
		} else if (c == 'f') {
			if (ps_filter_check(optarg, &err) < 0)
				return cli_fail(&err);
			strv_push(&filters, optarg);
		} else if (c == 'h') {
			start_usage(stdout);
			return 0;
		} else {
			return cli_option_error("start", c, argv);
		}
	}

	if (all && (attach || optind < argc))
		return cli_usage_error("start", "--all takes no container and "
						"no --attach");
	if (!all && filters != NULL)
		return cli_usage_error("start", "--filter needs --all");
	if (!all && optind >= argc)
		return cli_usage_error("start", "expected CONTAINER...");
	if (attach && argc - optind != 1)
		return cli_usage_error("start",
				       "--attach takes exactly one container");

	if (cli_ensure_sealed(ctx, &err) < 0)
		return cli_fail(&err);

	if (all)
		return start_all(ctx, filters);
	if (attach)
		return start_attached(ctx, argv[optind]);
	return cli_for_each_container(ctx, argv + optind, argc - optind,
				      start_one, NULL, true);
}
