/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * "berth compose ps", "logs", "start", "stop", "restart", "exec" and
 * "run": the project's containers, found by their labels.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli-util.h"
#include "cli/compose-cli.h"
#include "engine/container-state.h"
#include "engine/container-store.h"
#include "engine/volume.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/strv.h"
#include "util/xalloc.h"

/*
 * Parse single-letter flags such as "aq" into set[]. Returns 0, -1 after
 * printing the help, or the usage error's exit status.
 */
static int parse_flags(const char *command, int argc, char **argv,
		       const char *letters, bool *set, const char *usage)
{
	char optstring[32];
	int c;

	snprintf(optstring, sizeof(optstring), "+:%sh", letters);
	optind = 0;
	opterr = 0;
	while ((c = getopt(argc, argv, optstring)) != -1) {
		const char *at = strchr(letters, c);

		if (c == 'h') {
			fputs(usage, stdout);
			return -1;
		}
		if (c == '?' || c == ':' || at == NULL)
			return cli_option_error(command, c, argv);
		set[at - letters] = true;
	}
	return 0;
}

static int check_services(struct compose_session *s, char **names)
{
	struct berth_error *err = NULL;

	for (size_t i = 0; names != NULL && names[i] != NULL; i++) {
		if (compose_project_service(s->p, names[i]) == NULL) {
			berth_error_set(&err, 0, "no such service: '%s'",
					names[i]);
			return cli_fail(&err);
		}
	}
	return 0;
}

/* The project's containers of services, or all when services is NULL. */
static int find(struct compose_session *s, char **services, bool oneoff,
		struct compose_container **ret, size_t *ret_n)
{
	struct compose_container *list = NULL;
	struct berth_error *err = NULL;
	size_t n = 0, k = 0;

	if (compose_containers_find(&s->engine, s->p->name, NULL, &list, &n,
				    &err) < 0)
		return cli_fail(&err);
	for (size_t i = 0; i < n; i++) {
		bool keep = (oneoff || !list[i].oneoff) &&
			    (services == NULL ||
			     strv_contains(services, list[i].service));

		if (keep) {
			list[k++] = list[i];
			continue;
		}
		free(list[i].id);
		free(list[i].name);
		free(list[i].service);
		free(list[i].hash);
		free(list[i].image_id);
	}
	*ret = list;
	*ret_n = k;
	return 0;
}

static char *status_text(struct engine *engine, const char *id)
{
	_cleanup_error_ struct berth_error *err = NULL;
	struct container_state st;
	char *text;

	if (container_state_get(engine, id, &st, &err) < 0)
		return xstrdup("unknown");
	if (st.status == CONTAINER_STATUS_EXITED)
		xasprintf(&text, "exited (%d)", st.exit_code);
	else
		text = xstrdup(container_status_name(st.status));
	return text;
}

int compose_cmd_ps(struct compose_session *s, int argc, char **argv)
{
	bool set[2] = {false, false}; /* -a, -q */
	struct compose_container *list = NULL;
	size_t n = 0;
	int r;

	r = parse_flags("compose ps", argc, argv, "aq", set,
			"Usage: berth compose ps [-a] [-q] [SERVICE...]\n");
	if (r == 0)
		r = check_services(s, optind < argc ? argv + optind : NULL);
	if (r == 0)
		r = find(s, optind < argc ? argv + optind : NULL, true, &list,
			 &n);
	if (r != 0)
		return r;

	if (!set[1])
		printf("%-30s %-20s %-14s %s\n", "NAME", "SERVICE", "STATUS",
		       "PORTS");
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *st = status_text(&s->engine, list[i].id);
		_cleanup_free_ char *ports = NULL;
		_cleanup_json_ json_t *c = NULL;

		if (!set[0] && strcmp(st, "running") != 0)
			continue;
		if (set[1]) {
			printf("%s\n", list[i].id);
			continue;
		}
		if (engine_container_inspect(&s->engine, list[i].id, &c,
					     NULL) == 0)
			ports = cli_format_ports(c);
		printf("%-30s %-20s %-14s %s\n", list[i].name, list[i].service,
		       st, ports != NULL ? ports : "");
	}
	compose_containers_free(list, n);
	return 0;
}

int compose_cmd_logs(struct compose_session *s, int argc, char **argv)
{
	bool set[1] = {false}; /* -f */
	struct compose_container *list = NULL;
	struct berth_error *err = NULL;
	char **services;
	size_t n = 0;
	int r;

	r = parse_flags("compose logs", argc, argv, "f", set,
			"Usage: berth compose logs [-f] [SERVICE...]\n");
	services = optind < argc ? argv + optind : NULL;
	if (r == 0)
		r = check_services(s, services);
	if (r == 0)
		r = find(s, services, false, &list, &n);
	if (r != 0)
		return r;
	r = compose_logs_attach(&s->engine, list, n, set[0], false, &err);
	compose_containers_free(list, n);
	return r < 0 ? cli_fail(&err) : 0;
}

/* Start the containers of the services in dependency order. */
static int start_services(struct compose_session *s, char **services)
{
	struct berth_error *err = NULL;
	_cleanup_free_ size_t *order = NULL;
	size_t n_order = 0;

	if (compose_selected_order(s->p, services, &order, &n_order, &err) < 0)
		return cli_fail(&err);
	for (size_t i = 0; i < n_order; i++) {
		const char *name = s->p->services[order[i]].name;
		struct compose_container *list = NULL;
		char *only[] = {(char *)name, NULL};
		size_t n = 0;
		int r = find(s, only, false, &list, &n);

		for (size_t j = 0; r == 0 && j < n; j++) {
			struct container_state st;

			if (container_state_get(&s->engine, list[j].id, &st,
						&err) < 0 ||
			    (st.status != CONTAINER_STATUS_RUNNING &&
			     engine_container_start(&s->engine, list[j].id,
						    &err) < 0))
				r = cli_fail(&err);
			else
				printf(" Container %s  Started\n",
				       list[j].name);
		}
		compose_containers_free(list, n);
		if (r != 0)
			return r;
	}
	return 0;
}

/* Stop the containers of the services, dependents first. */
static int stop_services(struct compose_session *s, char **services)
{
	struct berth_error *err = NULL;
	_cleanup_free_ size_t *order = NULL;
	size_t n_order = 0;

	if (compose_start_order(s->p, &order, &err) < 0)
		return cli_fail(&err);
	n_order = s->p->n_services;
	for (size_t i = n_order; i > 0; i--) {
		const char *name = s->p->services[order[i - 1]].name;
		struct compose_container *list = NULL;
		char *only[] = {(char *)name, NULL};
		size_t n = 0;
		int r;

		if (services != NULL && !strv_contains(services, name))
			continue;
		r = find(s, only, true, &list, &n);
		for (size_t j = 0; r == 0 && j < n; j++) {
			if (engine_container_stop(&s->engine, list[j].id, 0, -1,
						  &err) < 0)
				r = cli_fail(&err);
			else
				printf(" Container %s  Stopped\n",
				       list[j].name);
		}
		compose_containers_free(list, n);
		if (r != 0)
			return r;
	}
	return 0;
}

int compose_cmd_start(struct compose_session *s, int argc, char **argv)
{
	char **services = argc > 1 ? argv + 1 : NULL;
	int r = check_services(s, services);

	return r != 0 ? r : start_services(s, services);
}

int compose_cmd_stop(struct compose_session *s, int argc, char **argv)
{
	char **services = argc > 1 ? argv + 1 : NULL;
	int r = check_services(s, services);

	return r != 0 ? r : stop_services(s, services);
}

int compose_cmd_restart(struct compose_session *s, int argc, char **argv)
{
	char **services = argc > 1 ? argv + 1 : NULL;
	int r = check_services(s, services);

	if (r == 0)
		r = stop_services(s, services);
	return r != 0 ? r : start_services(s, services);
}

int compose_cmd_exec(struct compose_session *s, int argc, char **argv)
{
	bool set[2] = {false, false}; /* -d, -T */
	struct engine_exec_options o = {0};
	struct berth_error *err = NULL;
	struct compose_container *list = NULL;
	char *only[] = {NULL, NULL};
	size_t n = 0;
	int status = 0;
	int r;

	r = parse_flags("compose exec", argc, argv, "dT", set,
			"Usage: berth compose exec [-d] [-T] SERVICE COMMAND "
			"[ARG...]\n");
	if (r == 0 && argc - optind < 2)
		r = cli_usage_error("compose exec",
				    "expected a SERVICE and a COMMAND");
	if (r != 0)
		return r;
	only[0] = argv[optind];
	r = check_services(s, only);
	if (r == 0)
		r = find(s, only, false, &list, &n);
	if (r == 0 && n == 0) {
		berth_error_set(&err, 0, "service '%s' has no container",
				argv[optind]);
		r = cli_fail(&err);
	}
	if (r == 0) {
		o.args = argv + optind + 1;
		o.detach = set[0];
		o.tty = !set[1] && !set[0] && isatty(STDIN_FILENO) &&
			isatty(STDOUT_FILENO);
		o.interactive = o.tty;
		fflush(stdout);
		if (engine_container_exec(&s->engine, list[0].id, &o, &status,
					  &err) < 0)
			r = cli_fail(&err);
		else
			r = status;
	}
	compose_containers_free(list, n);
	return r;
}

/* Start what the service depends on, as "up -d" would. */
static int run_dependencies(struct compose_session *s,
			    const struct compose_service *svc)
{
	struct compose_up_options o = {
		.build_fn = compose_build_service,
		.pull_fn = compose_pull_service,
		.build_data = s,
		.progress = stdout,
	};
	struct berth_error *err = NULL;
	_cleanup_strv_ char **deps = NULL;

	for (size_t i = 0; i < svc->n_depends_on; i++)
		strv_push(&deps, svc->depends_on[i].service);
	if (deps == NULL)
		return compose_resources_create(&s->engine, s->p, &err) < 0 ?
			       cli_fail(&err) :
			       0;
	o.services = deps;
	return compose_up(&s->engine, s->p, &o, NULL, &err) < 0 ?
		       cli_fail(&err) :
		       0;
}

static int run_oneoff(struct compose_session *s,
		      const struct compose_service *svc, char **cmd,
		      bool detach, bool rm)
{
	struct compose_service copy = *svc;
	struct engine_create_options o;
	struct berth_error *err = NULL;
	_cleanup_strv_ char **owned = NULL;
	_cleanup_free_ char *id = NULL;
	_cleanup_free_ char *name = NULL;
	_cleanup_free_ char *suffix = NULL;
	int status = 0;
	int r;

	if (cmd != NULL && cmd[0] != NULL)
		copy.command = cmd;
	if (container_id_generate(&suffix, &err) < 0)
		return cli_fail(&err);
	suffix[12] = '\0';
	xasprintf(&name, "%s-%s-run-%s", s->p->name, svc->name, suffix);
	r = compose_create_options(s->p, &copy, true, &o, &owned, &err);
	o.name = name;
	o.auto_remove = rm && detach;
	o.tty = !detach && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	o.interactive = o.tty;
	if (r == 0)
		r = engine_container_create(&s->engine, &o, &id, &err);
	compose_create_options_clear(&o);
	if (r < 0)
		return cli_fail(&err);

	if (detach) {
		r = engine_container_start(&s->engine, id, &err);
		if (r == 0)
			printf("%s\n", name);
	} else {
		fflush(stdout);
		r = engine_container_run_attached(&s->engine, id, &status,
						  &err);
	}
	if (r < 0)
		status = cli_fail(&err);
	if (rm && !detach &&
	    volume_container_remove(&s->engine, id, true, true, &err) < 0)
		status = cli_fail(&err);
	return status;
}

int compose_cmd_run(struct compose_session *s, int argc, char **argv)
{
	static const struct option options[] = {
		{"rm", no_argument, NULL, 'r'},
		{"detach", no_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	const struct compose_service *svc;
	bool rm = false, detach = false;
	int c, r;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:dh", options, NULL)) != -1) {
		if (c == 'r') {
			rm = true;
		} else if (c == 'd') {
			detach = true;
		} else if (c == 'h') {
			fputs("Usage: berth compose run [-d] [--rm] SERVICE "
			      "[COMMAND [ARG...]]\n",
			      stdout);
			return -1;
		} else {
			return cli_option_error("compose run", c, argv);
		}
	}
	if (optind >= argc)
		return cli_usage_error("compose run", "expected a SERVICE");
	r = check_services(s, (char *[]){argv[optind], NULL});
	if (r != 0)
		return r;
	svc = compose_project_service(s->p, argv[optind]);
	r = run_dependencies(s, svc);
	if (r != 0)
		return r;
	return run_oneoff(s, svc, argv + optind + 1, detach, rm);
}
