/* SPDX-License-Identifier: GPL-2.0-or-later */
/* "berth compose up", "down" and "build". */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "build/build-run.h"
#include "build/builder.h"
#include "cli/cli-util.h"
#include "cli/compose-cli.h"
#include "engine/volume.h"
#include "image/layer-writer.h"
#include "util/cleanup.h"
#include "util/strv.h"
#include "util/xalloc.h"

static void up_usage(FILE *out)
{
	fputs("Usage: berth compose up [OPTIONS] [SERVICE...]\n"
	      "\n"
	      "Create and start the containers of the services (and of what "
	      "they depend on)\n"
	      "and follow their output until they exit; Ctrl-C stops them.\n"
	      "\n"
	      "Options:\n"
	      "  -d, --detach          start them and return\n"
	      "      --build           build the images before starting\n"
	      "      --force-recreate  replace containers even when their "
	      "configuration\n"
	      "                        did not change\n"
	      "  -h, --help            show this help\n",
	      out);
}

/*
 * A build enters a private mount namespace, which the containers that
 * "up" starts afterwards must not inherit, so it runs in a child.
 */
static int build_child(struct compose_session *s,
		       const struct compose_service *svc, const char *tag)
{
	struct berth_error *err = NULL;
	_cleanup_strv_ char **tags = NULL;
	struct build_options o = {
		.root = s->ctx->root,
		.state_root = s->engine.state_root,
		.context = svc->build->context,
		.file = svc->build->dockerfile,
		.build_args = svc->build->args,
		.target = svc->build->target,
		.network = "none",
		.timestamp = LAYER_NO_TIMESTAMP,
		.progress = stdout,
		.run_output_fd = STDOUT_FILENO,
	};
	_cleanup_free_ char *id = NULL;
	_cleanup_free_ char *file = NULL;

	/* dockerfile is relative to the context. */
	if (o.file != NULL && o.file[0] != '/') {
		xasprintf(&file, "%s/%s", o.context, o.file);
		o.file = file;
	}
	/*
	 * The model fills in "Dockerfile" when the files name none; then
	 * the builder's own default, Containerfile, applies if it is absent.
	 */
	if (o.file != NULL && access(o.file, F_OK) < 0 &&
	    strcmp(svc->build->dockerfile, "Dockerfile") == 0)
		o.file = NULL;
	strv_push(&tags, tag);
	o.tags = tags;
	if (build_enter_mount_namespace(&err) < 0)
		return cli_fail(&err);
	build_catch_signals();
	if (build_image(&o, &id, &err) < 0)
		return cli_fail(&err);
	return 0;
}

int compose_build_service(void *data, const struct compose_project *p,
			  const struct compose_service *svc, const char *tag,
			  struct berth_error **err)
{
	struct compose_session *s = data;
	int status;
	pid_t pid;

	(void)p;
	printf(" Building %s\n", svc->name);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return berth_error_set(err, errno, "cannot fork");
	if (pid == 0)
		_exit(build_child(s, svc, tag));
	if (waitpid(pid, &status, 0) < 0)
		return berth_error_set(err, errno, "cannot wait for the build");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return berth_error_set(err, 0, "the build of '%s' failed", tag);
	return 0;
}

struct up_args {
	bool detach;
	bool build;
	bool force_recreate;
};

static int parse_up(int argc, char **argv, struct up_args *a)
{
	static const struct option options[] = {
		{"detach", no_argument, NULL, 'd'},
		{"build", no_argument, NULL, 'b'},
		{"force-recreate", no_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:dh", options, NULL)) != -1) {
		switch (c) {
		case 'd':
			a->detach = true;
			break;
		case 'b':
			a->build = true;
			break;
		case 'f':
			a->force_recreate = true;
			break;
		case 'h':
			up_usage(stdout);
			return -1;
		default:
			return cli_option_error("compose up", c, argv);
		}
	}
	return 0;
}

/*
 * Follow the output of the containers in ids; SIGINT stops them, as
 * docker does. When services are named, docker compose attaches to them
 * but not to the dependencies it started for them, so neither does this.
 */
static int attach(struct compose_session *s, char **ids, char **services)
{
	struct compose_container *list = NULL, *mine = NULL;
	struct berth_error *err = NULL;
	size_t n = 0, k = 0;
	int r;

	if (compose_containers_find(&s->engine, s->p->name, NULL, &list, &n,
				    &err) < 0)
		return cli_fail(&err);
	mine = xcalloc(n + 1, sizeof(*mine));
	for (size_t i = 0; i < n; i++) {
		if (strv_contains(ids, list[i].id) &&
		    (services == NULL ||
		     strv_contains(services, list[i].service)))
			mine[k++] = list[i];
	}
	r = compose_logs_attach(&s->engine, mine, k, true, true, &err);
	free(mine);
	compose_containers_free(list, n);
	return r < 0 ? cli_fail(&err) : 0;
}

int compose_cmd_up(struct compose_session *s, int argc, char **argv)
{
	struct up_args a = {0};
	struct berth_error *err = NULL;
	_cleanup_strv_ char **ids = NULL;
	struct compose_up_options o = {
		.build_fn = compose_build_service,
		.pull_fn = compose_pull_service,
		.build_data = s,
		.progress = stdout,
	};
	int r = parse_up(argc, argv, &a);

	if (r != 0)
		return r;
	o.services = optind < argc ? argv + optind : NULL;
	o.build = a.build;
	o.force_recreate = a.force_recreate;
	/*
	 * A container that cannot run its command fails "berth run" with
	 * 126 or 127, as in Docker. "up" reports an engine error instead,
	 * as for any other failure to bring up the project.
	 */
	if (compose_up(&s->engine, s->p, &o, &ids, &err) < 0) {
		cli_fail(&err);
		return BERTH_EXIT_ENGINE;
	}
	if (a.detach)
		return 0;
	return attach(s, ids, o.services);
}

int compose_cmd_down(struct compose_session *s, int argc, char **argv)
{
	static const struct option options[] = {
		{"volumes", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	struct berth_error *err = NULL;
	bool volumes = false;
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:vh", options, NULL)) != -1) {
		if (c == 'v') {
			volumes = true;
		} else if (c == 'h') {
			fputs("Usage: berth compose down [-v]\n"
			      "\n"
			      "Stop and remove the project's containers and "
			      "networks; with -v, its\n"
			      "named volumes too.\n",
			      stdout);
			return -1;
		} else {
			return cli_option_error("compose down", c, argv);
		}
	}
	if (optind < argc)
		return cli_usage_error("compose down",
				       "unexpected argument '%s'",
				       argv[optind]);
	if (compose_down(&s->engine, s->p, volumes, stdout, &err) < 0)
		return cli_fail(&err);
	return 0;
}

int compose_cmd_build(struct compose_session *s, int argc, char **argv)
{
	struct berth_error *err = NULL;
	_cleanup_free_ size_t *order = NULL;
	size_t n = 0;

	if (argc > 1 && argv[1][0] == '-') {
		if (strcmp(argv[1], "-h") != 0 && strcmp(argv[1], "--help"))
			return cli_usage_error("compose build",
					       "unknown option '%s'", argv[1]);
		fputs("Usage: berth compose build [SERVICE...]\n", stdout);
		return -1;
	}
	if (compose_selected_order(s->p, argc > 1 ? argv + 1 : NULL, &order, &n,
				   &err) < 0)
		return cli_fail(&err);
	for (size_t i = 0; i < n; i++) {
		const struct compose_service *svc = &s->p->services[order[i]];
		_cleanup_free_ char *tag = NULL;

		if (svc->build == NULL)
			continue;
		tag = compose_service_image(s->p, svc);
		if (compose_build_service(s, s->p, svc, tag, &err) < 0)
			return cli_fail(&err);
	}
	return 0;
}
