/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The options "berth run" and "berth create" share. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>

#include "cli/cli-util.h"
#include "engine/health.h"
#include "util/strv.h"
#include "util/xalloc.h"

enum {
	OPT_NAME = 0x100,
	OPT_ENV_FILE,
	OPT_ENTRYPOINT,
	OPT_NETWORK,
	OPT_CPUS,
	OPT_PIDS_LIMIT,
	OPT_READ_ONLY,
	OPT_SECURITY_OPT,
	OPT_RM,
	OPT_CGROUP_PARENT,
	OPT_TMPFS,
	OPT_MOUNT,
	OPT_CAP_ADD,
	OPT_CAP_DROP,
	OPT_STOP_SIGNAL,
	OPT_STOP_TIMEOUT,
	OPT_RESTART,
	OPT_INIT,
	OPT_IP,
	OPT_NETWORK_ALIAS,
	OPT_ADD_HOST,
	OPT_DNS,
	OPT_DNS_SEARCH,
	OPT_DNS_OPTION,
	OPT_EXPOSE,
	OPT_HEALTH_CMD,
	OPT_HEALTH_INTERVAL,
	OPT_HEALTH_TIMEOUT,
	OPT_HEALTH_RETRIES,
	OPT_HEALTH_START_PERIOD,
	OPT_HEALTH_START_INTERVAL,
	OPT_NO_HEALTHCHECK,
	OPT_HELP,
};

static const struct option create_options[] = {
	{"detach", no_argument, NULL, 'd'},
	{"interactive", no_argument, NULL, 'i'},
	{"tty", no_argument, NULL, 't'},
	{"env", required_argument, NULL, 'e'},
	{"workdir", required_argument, NULL, 'w'},
	{"user", required_argument, NULL, 'u'},
	{"hostname", required_argument, NULL, 'h'},
	{"memory", required_argument, NULL, 'm'},
	{"volume", required_argument, NULL, 'v'},
	{"name", required_argument, NULL, OPT_NAME},
	{"env-file", required_argument, NULL, OPT_ENV_FILE},
	{"entrypoint", required_argument, NULL, OPT_ENTRYPOINT},
	{"network", required_argument, NULL, OPT_NETWORK},
	{"net", required_argument, NULL, OPT_NETWORK},
	{"ip", required_argument, NULL, OPT_IP},
	{"network-alias", required_argument, NULL, OPT_NETWORK_ALIAS},
	{"add-host", required_argument, NULL, OPT_ADD_HOST},
	{"dns", required_argument, NULL, OPT_DNS},
	{"dns-search", required_argument, NULL, OPT_DNS_SEARCH},
	{"dns-option", required_argument, NULL, OPT_DNS_OPTION},
	{"publish", required_argument, NULL, 'p'},
	{"publish-all", no_argument, NULL, 'P'},
	{"expose", required_argument, NULL, OPT_EXPOSE},
	{"cpus", required_argument, NULL, OPT_CPUS},
	{"pids-limit", required_argument, NULL, OPT_PIDS_LIMIT},
	{"read-only", no_argument, NULL, OPT_READ_ONLY},
	{"security-opt", required_argument, NULL, OPT_SECURITY_OPT},
	{"rm", no_argument, NULL, OPT_RM},
	{"cgroup-parent", required_argument, NULL, OPT_CGROUP_PARENT},
	{"label", required_argument, NULL, 'l'},
	{"tmpfs", required_argument, NULL, OPT_TMPFS},
	{"mount", required_argument, NULL, OPT_MOUNT},
	{"cap-add", required_argument, NULL, OPT_CAP_ADD},
	{"cap-drop", required_argument, NULL, OPT_CAP_DROP},
	{"stop-signal", required_argument, NULL, OPT_STOP_SIGNAL},
	{"stop-timeout", required_argument, NULL, OPT_STOP_TIMEOUT},
	{"restart", required_argument, NULL, OPT_RESTART},
	{"init", no_argument, NULL, OPT_INIT},
	{"health-cmd", required_argument, NULL, OPT_HEALTH_CMD},
	{"health-interval", required_argument, NULL, OPT_HEALTH_INTERVAL},
	{"health-timeout", required_argument, NULL, OPT_HEALTH_TIMEOUT},
	{"health-retries", required_argument, NULL, OPT_HEALTH_RETRIES},
	{"health-start-period", required_argument, NULL,
	 OPT_HEALTH_START_PERIOD},
	{"health-start-interval", required_argument, NULL,
	 OPT_HEALTH_START_INTERVAL},
	{"no-healthcheck", no_argument, NULL, OPT_NO_HEALTHCHECK},
	{"help", no_argument, NULL, OPT_HELP},
	{},
};

void cli_print_create_options(FILE *out, bool with_detach)
{
	if (with_detach)
		fputs("  -d, --detach             run in the background and "
		      "print the container id\n",
		      out);
	fputs("      --cap-add CAP        add a Linux capability, such as "
	      "NET_ADMIN, or ALL\n"
	      "      --cap-drop CAP       drop a capability of the default "
	      "set, or ALL\n"
	      "      --cgroup-parent PATH  cgroup under which the container's "
	      "cgroup is made\n"
	      "                           (default /berth, or "
	      "$BERTH_CGROUP_PARENT)\n"
	      "      --cpus N             CPU time limit in CPUs, such as "
	      "1.5\n"
	      "      --entrypoint CMD     replace the image's Entrypoint; "
	      "\"\" clears it\n"
	      "  -e, --env K=V|K          set a variable; K alone copies the "
	      "host's value\n"
	      "      --env-file FILE      read variables from FILE, one "
	      "K=V per line\n"
	      "  -h, --hostname NAME      host name (default: the first 12 "
	      "digits of the id)\n"
	      "      --init               run berth-init as process 1: it "
	      "reaps zombies\n"
	      "                           and passes signals on\n"
	      "  -i, --interactive        keep stdin open and forward it\n"
	      "  -l, --label K=V          set a label, shown by inspect and "
	      "matched by\n"
	      "                           'ps --filter label=K[=V]'\n"
	      "  -m, --memory SIZE        memory limit, such as 512m "
	      "(units b, k, m, g)\n"
	      "      --mount SPEC         mount with "
	      "type=bind|volume|tmpfs,source=SRC,\n"
	      "                           target=DST[,readonly] and "
	      "Docker's other keys\n"
	      "      --name NAME          container name "
	      "([a-zA-Z0-9][a-zA-Z0-9_.-]*)\n"
	      "      --network MODE       'none' (default without -p: only "
	      "loopback), 'host',\n"
	      "                           'container:NAME' (share its "
	      "network), 'bridge'\n"
	      "                           or a network of 'berth network "
	      "create'; repeat it\n"
	      "                           to join several, or give "
	      "name=NET,alias=A,ip=IP\n"
	      "      --ip ADDR            IPv4 address on the bridge "
	      "network\n"
	      "      --network-alias NAME  another name for peers on the "
	      "network\n"
	      "      --add-host NAME:IP   add a line to /etc/hosts; IP "
	      "host-gateway is the\n"
	      "                           host's address on the network\n"
	      "      --dns IP             name server for "
	      "/etc/resolv.conf\n"
	      "      --dns-search DOMAIN  search domain for "
	      "/etc/resolv.conf\n"
	      "      --dns-option OPTION  option for /etc/resolv.conf, such "
	      "as ndots:2\n"
	      "  -p, --publish [IP:][HOSTPORT:]PORT[/tcp|/udp]\n"
	      "                           forward HOSTPORT (default: a free "
	      "port) of the\n"
	      "                           host to PORT; ranges such as "
	      "8000-8002:80-82\n"
	      "  -P, --publish-all        publish every exposed port on a "
	      "free host port\n"
	      "      --expose PORT[/PROTO]  add a port or range to those "
	      "-P publishes\n"
	      "      --health-cmd CMD     run CMD with /bin/sh -c in the "
	      "container to check\n"
	      "                           its health (replaces the image's "
	      "HEALTHCHECK)\n"
	      "      --health-interval D  time between checks (default "
	      "30s)\n"
	      "      --health-retries N   failures in a row that make it "
	      "unhealthy (default 3)\n"
	      "      --health-start-interval D  time between checks in the "
	      "start period\n"
	      "      --health-start-period D  time in which failures do not "
	      "count\n"
	      "      --health-timeout D   time after which a check is killed "
	      "(default 30s)\n"
	      "      --no-healthcheck     disable the image's HEALTHCHECK\n"
	      "      --pids-limit N       maximum number of processes\n"
	      "      --read-only          mount the root file system "
	      "read-only\n"
	      "      --restart POLICY     no, on-failure[:N], always or "
	      "unless-stopped\n"
	      "      --rm                 remove the container when it "
	      "exits\n"
	      "      --security-opt OPT   'no-new-privileges'\n"
	      "      --stop-signal SIG    signal 'berth stop' sends first "
	      "(default: the\n"
	      "                           image's StopSignal, else SIGTERM)\n"
	      "      --stop-timeout N     seconds 'berth stop' waits before "
	      "SIGKILL\n"
	      "                           (default 10)\n"
	      "      --tmpfs DIR[:OPTS]   mount a tmpfs at DIR (noexec, "
	      "nosuid, nodev, then\n"
	      "                           OPTS such as size=64m,exec)\n"
	      "  -t, --tty                allocate a terminal\n"
	      "  -u, --user USER[:GROUP]  user name or uid, group name or "
	      "gid\n"
	      "  -v, --volume [SRC:]DST[:MODE]\n"
	      "                           mount the volume or host "
	      "directory SRC at DST;\n"
	      "                           DST alone makes an anonymous "
	      "volume; MODE is\n"
	      "                           ro, rw, nocopy, z, Z or a "
	      "propagation\n"
	      "  -w, --workdir DIR        working directory in the "
	      "container\n"
	      "      --help               show this help\n",
	      out);
}

static int parse_health(int c, const char *arg, struct cli_create_args *a)
{
	static const char *const flags[] = {
		[OPT_HEALTH_INTERVAL - OPT_HEALTH_INTERVAL] =
			"--health-interval",
		[OPT_HEALTH_TIMEOUT - OPT_HEALTH_INTERVAL] = "--health-timeout",
		[OPT_HEALTH_RETRIES - OPT_HEALTH_INTERVAL] = "--health-retries",
		[OPT_HEALTH_START_PERIOD - OPT_HEALTH_INTERVAL] =
			"--health-start-period",
		[OPT_HEALTH_START_INTERVAL - OPT_HEALTH_INTERVAL] =
			"--health-start-interval",
	};
	struct engine_create_options *o = &a->opts;
	int64_t *targets[] = {&o->health_interval_ns, &o->health_timeout_ns,
			      &o->health_retries, &o->health_start_period_ns,
			      &o->health_start_interval_ns};
	struct berth_error *err = NULL;
	size_t i = (size_t)(c - OPT_HEALTH_INTERVAL);
	long n;

	if (c == OPT_HEALTH_RETRIES) {
		if (cli_parse_uint(flags[i], arg, &n, &err) < 0)
			return cli_fail(&err);
		o->health_retries = n;
		return 0;
	}
	if (health_parse_duration(flags[i], arg, targets[i], &err) < 0)
		return cli_fail(&err);
	return 0;
}

static int parse_value(const char *command, int c, const char *arg,
		       struct cli_create_args *a)
{
	struct engine_create_options *o = &a->opts;
	struct berth_error *err = NULL;
	long n;

	switch (c) {
	case 'm':
		if (cli_parse_memory(arg, &o->memory, &err) < 0)
			return cli_fail(&err);
		return 0;
	case OPT_CPUS:
		if (cli_parse_cpus(arg, &o->cpu_quota, &err) < 0)
			return cli_fail(&err);
		return 0;
	case OPT_PIDS_LIMIT:
		if (strcmp(arg, "-1") == 0) {
			o->pids_limit = -1;
			return 0;
		}
		if (cli_parse_uint("--pids-limit", arg, &n, &err) < 0)
			return cli_fail(&err);
		o->pids_limit = n > 0 ? n : -1;
		return 0;
	case OPT_SECURITY_OPT:
		if (strcmp(arg, "no-new-privileges") != 0 &&
		    strcmp(arg, "no-new-privileges:true") != 0)
			return cli_usage_error(command,
					       "unsupported --security-opt "
					       "'%s': only "
					       "'no-new-privileges' is "
					       "supported",
					       arg);
		o->no_new_privileges = true;
		return 0;
	case OPT_STOP_TIMEOUT:
		if (strcmp(arg, "-1") == 0) {
			o->stop_timeout = -1;
			return 0;
		}
		if (cli_parse_uint("--stop-timeout", arg, &n, &err) < 0)
			return cli_fail(&err);
		o->stop_timeout = n;
		return 0;
	case OPT_RESTART:
		o->restart = arg;
		return 0;
	}
	return 0;
}

/* Docker's "name=NET[,alias=NAME]...[,ip=ADDR]" form of --network. */
static int parse_network_fields(const char *command, const char *arg,
				struct cli_create_args *a,
				struct engine_endpoint_options *ep)
{
	char *copy = xstrdup(arg), *save = NULL;

	strv_push_take(&a->owned, copy);
	for (char *f = strtok_r(copy, ",", &save); f != NULL;
	     f = strtok_r(NULL, ",", &save)) {
		bool name = strncmp(f, "name=", 5) == 0 && f[5] != '\0';
		bool ip = strncmp(f, "ip=", 3) == 0 && f[3] != '\0';

		if ((name && ep->network != NULL) || (ip && ep->ip != NULL))
			return cli_usage_error(command,
					       "invalid --network '%s': '%.*s' "
					       "is given twice",
					       arg, (int)strcspn(f, "="), f);
		if (name)
			ep->network = f + 5;
		else if (strncmp(f, "alias=", 6) == 0 && f[6] != '\0')
			strv_push(&ep->aliases, f + 6);
		else if (ip)
			ep->ip = f + 3;
		else
			return cli_usage_error(command,
					       "invalid --network '%s': "
					       "unknown or empty field '%s': "
					       "use name=NET[,alias=NAME]"
					       "[,ip=ADDR]",
					       arg, f);
	}
	if (ep->network == NULL)
		return cli_usage_error(
			command, "invalid --network '%s': no name=NET", arg);
	return 0;
}

/*
 * --network NAME or its field form, once per network. The first is the
 * main network, which --ip and --network-alias also describe; each
 * other one joins one more bridge network.
 */
static int parse_network(const char *command, const char *arg,
			 struct cli_create_args *a)
{
	struct engine_create_options *o = &a->opts;
	struct engine_endpoint_options ep = {.network = arg};
	int r = 0;

	if (strncmp(arg, "name=", 5) == 0) {
		ep.network = NULL;
		r = parse_network_fields(command, arg, a, &ep);
	}
	if (r != 0) {
		strv_free(ep.aliases);
		return r;
	}

	if (o->network != NULL) {
		o->more_networks =
			xreallocarray(o->more_networks, o->n_more_networks + 1,
				      sizeof(*o->more_networks));
		o->more_networks[o->n_more_networks++] = ep;
		return 0;
	}

	o->network = ep.network;
	for (size_t i = 0; ep.aliases != NULL && ep.aliases[i] != NULL; i++)
		strv_push(&o->network_aliases, ep.aliases[i]);
	strv_free(ep.aliases);
	if (ep.ip != NULL && o->ip != NULL)
		return cli_usage_error(command,
				       "--ip and --network '%s' both give "
				       "an address: use one",
				       arg);
	if (ep.ip != NULL) {
		o->ip = ep.ip;
		a->main_ip_in_field = true;
	}
	return 0;
}

static int parse_one(const char *command, bool with_detach, int c,
		     const char *arg, struct cli_create_args *a)
{
	struct engine_create_options *o = &a->opts;

	switch (c) {
	case 'd':
		if (!with_detach)
			break;
		a->detach = true;
		return 0;
	case 'i':
		o->interactive = true;
		return 0;
	case 't':
		o->tty = true;
		return 0;
	case 'e':
		strv_push(&o->env, arg);
		return 0;
	case OPT_ENV_FILE:
		strv_push(&o->env_files, arg);
		return 0;
	case 'v':
		strv_push(&o->volumes, arg);
		return 0;
	case 'w':
		o->workdir = arg;
		return 0;
	case 'u':
		o->user = arg;
		return 0;
	case 'h':
		if (strlen(arg) > HOST_NAME_MAX)
			return cli_usage_error(command,
					       "invalid host name '%s': it "
					       "is longer than %d characters",
					       arg, HOST_NAME_MAX);
		o->hostname = arg;
		return 0;
	case OPT_NAME:
		o->name = arg;
		return 0;
	case OPT_ENTRYPOINT:
		o->entrypoint = arg;
		o->has_entrypoint = true;
		return 0;
	case OPT_NETWORK:
		return parse_network(command, arg, a);
	case OPT_IP:
		if (a->main_ip_in_field)
			return cli_usage_error(
				command, "--ip and --network ...,ip= both "
					 "give an address: use one");
		o->ip = arg;
		return 0;
	case OPT_NETWORK_ALIAS:
		strv_push(&o->network_aliases, arg);
		return 0;
	case OPT_ADD_HOST:
		strv_push(&o->add_hosts, arg);
		return 0;
	case OPT_DNS:
		strv_push(&o->dns, arg);
		return 0;
	case OPT_DNS_SEARCH:
		strv_push(&o->dns_search, arg);
		return 0;
	case OPT_DNS_OPTION:
		strv_push(&o->dns_options, arg);
		return 0;
	case 'p':
		strv_push(&o->publish, arg);
		return 0;
	case 'P':
		o->publish_all = true;
		return 0;
	case OPT_EXPOSE:
		strv_push(&o->expose, arg);
		return 0;
	case OPT_READ_ONLY:
		o->read_only = true;
		return 0;
	case OPT_RM:
		o->auto_remove = true;
		return 0;
	case OPT_CGROUP_PARENT:
		o->cgroup_parent = arg;
		return 0;
	case OPT_STOP_SIGNAL:
		o->stop_signal = arg;
		return 0;
	case 'l':
		strv_push(&o->labels, arg);
		return 0;
	case OPT_TMPFS:
		strv_push(&o->tmpfs, arg);
		return 0;
	case OPT_MOUNT:
		strv_push(&o->mounts, arg);
		return 0;
	case OPT_CAP_ADD:
		strv_push(&o->cap_add, arg);
		return 0;
	case OPT_CAP_DROP:
		strv_push(&o->cap_drop, arg);
		return 0;
	case OPT_HELP:
		a->help = true;
		return 0;
	case OPT_INIT:
		o->init = true;
		return 0;
	case OPT_HEALTH_CMD:
		o->health_cmd = arg;
		return 0;
	case OPT_NO_HEALTHCHECK:
		o->no_healthcheck = true;
		return 0;
	case OPT_HEALTH_INTERVAL:
	case OPT_HEALTH_TIMEOUT:
	case OPT_HEALTH_RETRIES:
	case OPT_HEALTH_START_PERIOD:
	case OPT_HEALTH_START_INTERVAL:
		return parse_health(c, arg, a);
	case 'm':
	case OPT_CPUS:
	case OPT_PIDS_LIMIT:
	case OPT_SECURITY_OPT:
	case OPT_STOP_TIMEOUT:
	case OPT_RESTART:
		return parse_value(command, c, arg, a);
	}
	return -1;
}

int cli_parse_create_args(const char *command, bool with_detach, int argc,
			  char **argv, struct cli_create_args *a)
{
	int c, r;

	memset(a, 0, sizeof(*a));
	engine_create_options_init(&a->opts);
	a->opts.cgroup_parent = getenv("BERTH_CGROUP_PARENT");

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:dite:w:u:h:l:m:v:p:P",
				create_options, NULL)) != -1) {
		r = parse_one(command, with_detach, c, optarg, a);
		if (r < 0 && c == 'd')
			return cli_usage_error(command,
					       "unknown flag: -d, --detach: "
					       "'berth %s' never starts the "
					       "container; use 'berth run -d'",
					       command);
		if (r < 0)
			return cli_option_error(command, c, argv);
		if (r > 0)
			return r;
	}

	if (a->help)
		return 0;

	if (optind >= argc)
		return cli_usage_error(command, "expected IMAGE [COMMAND...]");

	a->opts.image = argv[optind];
	for (int i = optind + 1; i < argc; i++)
		strv_push(&a->opts.cmd, argv[i]);
	return 0;
}

void cli_create_args_clear(struct cli_create_args *a)
{
	strv_free(a->opts.env);
	strv_free(a->opts.env_files);
	strv_free(a->opts.volumes);
	strv_free(a->opts.mounts);
	strv_free(a->opts.cmd);
	strv_free(a->opts.labels);
	strv_free(a->opts.tmpfs);
	strv_free(a->opts.cap_add);
	strv_free(a->opts.cap_drop);
	strv_free(a->opts.network_aliases);
	for (size_t i = 0; i < a->opts.n_more_networks; i++)
		strv_free(a->opts.more_networks[i].aliases);
	free(a->opts.more_networks);
	strv_free(a->owned);
	strv_free(a->opts.add_hosts);
	strv_free(a->opts.dns);
	strv_free(a->opts.dns_search);
	strv_free(a->opts.dns_options);
	strv_free(a->opts.publish);
	strv_free(a->opts.expose);
	memset(a, 0, sizeof(*a));
}
