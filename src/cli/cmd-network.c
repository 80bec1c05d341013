/* SPDX-License-Identifier: GPL-2.0-or-later */
/* "berth network": create, list, inspect and remove bridge networks. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli-util.h"
#include "cli/commands.h"
#include "cli/inspect-format.h"
#include "net/store.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/lock.h"
#include "util/strv.h"
#include "util/xalloc.h"

static int network_create_cmd(struct cli_context *ctx, int argc, char **argv);
static int network_ls_cmd(struct cli_context *ctx, int argc, char **argv);
static int network_inspect_cmd(struct cli_context *ctx, int argc, char **argv);
static int network_rm_cmd(struct cli_context *ctx, int argc, char **argv);
static int network_prune_cmd(struct cli_context *ctx, int argc, char **argv);

static const struct cli_command network_commands[] = {
	{"connect", cmd_network_connect, "Join a container to a network"},
	{"create", network_create_cmd, "Create a bridge network"},
	{"disconnect", cmd_network_disconnect,
	 "Take a container off a network"},
	{"inspect", network_inspect_cmd, "Show details of networks"},
	{"ls", network_ls_cmd, "List networks"},
	{"prune", network_prune_cmd, "Remove networks without containers"},
	{"rm", network_rm_cmd, "Remove one or more networks"},
};

int cmd_network(struct cli_context *ctx, int argc, char **argv)
{
	return cli_dispatch("network", network_commands,
			    ARRAY_SIZE(network_commands), ctx, argc, argv);
}

static void create_usage(FILE *out)
{
	fputs("Usage: berth network create [OPTIONS] NAME\n"
	      "\n"
	      "Create a bridge network and print its id.\n"
	      "\n"
	      "Options:\n"
	      "  -d, --driver NAME   network driver: only 'bridge'\n"
	      "      --subnet CIDR   IPv4 subnet, such as 10.89.5.0/24 "
	      "(default: a free\n"
	      "                      /24 of 10.89.0.0/16)\n"
	      "      --gateway IP    the bridge's address (default: the "
	      "first of the subnet)\n"
	      "      --internal      give containers no default route and "
	      "add no NAT rule\n"
	      "  -l, --label K=V     set a label\n"
	      "  -h, --help          show this help\n",
	      out);
}

enum {
	OPT_SUBNET = 0x100,
	OPT_GATEWAY,
	OPT_INTERNAL,
	OPT_FORMAT,
};

static int parse_create_option(int c, struct net_create_options *o, char **argv)
{
	switch (c) {
	case 'd':
		if (strcmp(optarg, "bridge") != 0)
			return cli_usage_error("network create",
					       "unsupported driver '%s': only "
					       "'bridge' exists",
					       optarg);
		return 0;
	case OPT_SUBNET:
		o->subnet = optarg;
		return 0;
	case OPT_GATEWAY:
		o->gateway = optarg;
		return 0;
	case OPT_INTERNAL:
		o->internal = true;
		return 0;
	case 'l':
		strv_push(&o->labels, optarg);
		return 0;
	}
	return cli_option_error("network create", c, argv);
}

static int network_create_cmd(struct cli_context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{"driver", required_argument, NULL, 'd'},
		{"subnet", required_argument, NULL, OPT_SUBNET},
		{"gateway", required_argument, NULL, OPT_GATEWAY},
		{"internal", no_argument, NULL, OPT_INTERNAL},
		{"label", required_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	struct net_create_options o = {0};
	_cleanup_network_ struct net_network *net = NULL;
	struct berth_error *err = NULL;
	int c, r = 0;

	optind = 0;
	opterr = 0;
	while (r == 0 &&
	       (c = getopt_long(argc, argv, "+:d:l:h", options, NULL)) != -1) {
		if (c == 'h') {
			create_usage(stdout);
			strv_free(o.labels);
			return 0;
		}
		r = parse_create_option(c, &o, argv);
	}
	if (r == 0 && argc - optind != 1)
		r = cli_usage_error("network create", "expected NAME");
	if (r != 0) {
		strv_free(o.labels);
		return r;
	}

	o.name = argv[optind];
	r = net_network_create(ctx->root, &o, &net, &err);
	strv_free(o.labels);
	if (r < 0)
		return cli_fail(&err);

	printf("%s\n", net->id);
	return 0;
}

static json_t *labels_object(char *const *labels)
{
	json_t *obj = json_object();

	for (size_t i = 0; labels != NULL && labels[i] != NULL; i++) {
		const char *eq = strchr(labels[i], '=');
		_cleanup_free_ char *key =
			xstrndup(labels[i], (size_t)(eq - labels[i]));

		json_object_set_new(obj, key, json_string(eq + 1));
	}
	return obj;
}

static json_t *ls_json(const struct net_network *net)
{
	char subnet[19];

	net_cidr_format(&net->subnet, subnet);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:o, s:s}", "ID",
			 net->id, "Name", net->name, "Driver", net->driver,
			 "Subnet", subnet, "Scope", "local", "Internal",
			 net->internal, "Labels", labels_object(net->labels),
			 "CreatedAt", net->created);
}

static void print_ls_entry(const struct net_network *net, bool quiet,
			   bool as_json, const char *template)
{
	_cleanup_json_ json_t *j = NULL;
	_cleanup_free_ char *text = NULL;
	char subnet[19];

	if (quiet) {
		printf("%.12s\n", net->id);
		return;
	}
	if (template != NULL) {
		j = ls_json(net);
		(void)inspect_format_print(stdout, template, j, NULL);
		return;
	}
	if (as_json) {
		j = ls_json(net);
		text = json_dump_canonical(j);
		printf("%s\n", text);
		return;
	}
	net_cidr_format(&net->subnet, subnet);
	printf("%-14.12s%-20s%-9s%s\n", net->id, net->name, net->driver,
	       subnet);
}

/*
 * The --filter values of network ls. A network must match every kind
 * given, and any one value of a kind.
 */
struct ls_filter {
	char **names; /* substrings */
	char **ids;   /* prefixes */
	char **labels;
	int dangling; /* -1 = any, 0 = with containers, 1 = without */
	int builtin;  /* -1 = any, 0 = custom, 1 = the default network */
};

static void ls_filter_clear(struct ls_filter *f)
{
	strv_free(f->names);
	strv_free(f->ids);
	strv_free(f->labels);
}

static int parse_bool_value(const char *value, const char *yes, const char *no)
{
	if (strcmp(value, yes) == 0 || strcmp(value, "1") == 0)
		return 1;
	if (strcmp(value, no) == 0 || strcmp(value, "0") == 0)
		return 0;
	return -1;
}

static int parse_ls_filter(struct ls_filter *f, const char *arg)
{
	const char *eq = strchr(arg, '=');
	const char *value = eq != NULL ? eq + 1 : "";
	size_t key_len = eq != NULL ? (size_t)(eq - arg) : strlen(arg);

#define KEY_IS(k) (key_len == strlen(k) && strncmp(arg, k, key_len) == 0)
	if (KEY_IS("name") && value[0] != '\0')
		strv_push(&f->names, value);
	else if (KEY_IS("id") && value[0] != '\0')
		strv_push(&f->ids, value);
	else if (KEY_IS("label") && value[0] != '\0')
		strv_push(&f->labels, value);
	else if (KEY_IS("driver") && strcmp(value, "bridge") == 0)
		;
	else if (KEY_IS("dangling") &&
		 (f->dangling = parse_bool_value(value, "true", "false")) >= 0)
		;
	else if (KEY_IS("type") && (f->builtin = parse_bool_value(
					    value, "builtin", "custom")) >= 0)
		;
	else
		return cli_usage_error("network ls",
				       "invalid filter '%s': use name=TEXT, "
				       "id=PREFIX, label=KEY[=VALUE], "
				       "driver=bridge, dangling=true|false "
				       "or type=builtin|custom",
				       arg);
#undef KEY_IS
	return 0;
}

static bool any_matches(char *const *list, const char *s, bool prefix)
{
	if (list == NULL)
		return true;
	for (size_t i = 0; list[i] != NULL; i++) {
		if (prefix && strncmp(s, list[i], strlen(list[i])) == 0)
			return true;
		if (!prefix && strstr(s, list[i]) != NULL)
			return true;
	}
	return false;
}

static bool ls_matches(const struct net_network *net, const struct ls_filter *f)
{
	bool builtin = strcmp(net->name, NET_DEFAULT_NAME) == 0;

	if (!any_matches(f->names, net->name, false) ||
	    !any_matches(f->ids, net->id, true))
		return false;
	for (size_t i = 0; f->labels != NULL && f->labels[i] != NULL; i++)
		if (!cli_labels_match(net->labels, f->labels[i]))
			return false;
	if (f->dangling >= 0 && (net->n_containers == 0) != (f->dangling == 1))
		return false;
	if (f->builtin >= 0 && builtin != (f->builtin == 1))
		return false;
	return true;
}

static int network_ls_cmd(struct cli_context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{"quiet", no_argument, NULL, 'q'},
		{"format", required_argument, NULL, OPT_FORMAT},
		{"filter", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	_cleanup_strv_ char **names = NULL;
	struct ls_filter filter = {.dangling = -1, .builtin = -1};
	const char *template = NULL;
	struct berth_error *err = NULL;
	bool quiet = false, as_json = false;
	int c, r = 0;

	optind = 0;
	opterr = 0;
	while (r == 0 &&
	       (c = getopt_long(argc, argv, "+:qf:h", options, NULL)) != -1) {
		switch (c) {
		case 'q':
			quiet = true;
			break;
		case 'f':
			r = parse_ls_filter(&filter, optarg);
			break;
		case OPT_FORMAT:
			r = cli_parse_list_format("network ls", optarg,
						  "{{.Name}}", &as_json,
						  &template);
			break;
		case 'h':
			puts("Usage: berth network ls [-q] [-f FILTER]... "
			     "[--format table|json|TEMPLATE]\n\n"
			     "List networks. FILTER is name=TEXT, id=PREFIX, "
			     "label=KEY[=VALUE],\ndriver=bridge, "
			     "dangling=true|false or type=builtin|custom.");
			ls_filter_clear(&filter);
			return 0;
		default:
			r = cli_option_error("network ls", c, argv);
		}
	}
	if (r == 0 && optind != argc)
		r = cli_usage_error("network ls", "expected no arguments");
	if (r == 0 && net_network_list(ctx->root, &names, &err) < 0)
		r = cli_fail(&err);
	if (r != 0) {
		ls_filter_clear(&filter);
		return r;
	}

	if (!quiet && !as_json && template == NULL)
		printf("%-14s%-20s%-9s%s\n", "NETWORK ID", "NAME", "DRIVER",
		       "SUBNET");
	for (size_t i = 0; names[i] != NULL; i++) {
		_cleanup_network_ struct net_network *net = NULL;

		if (net_network_load(ctx->root, names[i], &net, &err) < 0) {
			ls_filter_clear(&filter);
			return cli_fail(&err);
		}
		if (ls_matches(net, &filter))
			print_ls_entry(net, quiet, as_json, template);
	}
	ls_filter_clear(&filter);
	return 0;
}

static json_t *containers_object(const struct net_network *net)
{
	json_t *obj = json_object();

	for (size_t i = 0; i < net->n_containers; i++) {
		const struct net_attachment *a = &net->containers[i];
		char ip[16], address[24];

		net_ip_format(a->ip, ip);
		snprintf(address, sizeof(address), "%s/%u", ip,
			 net->subnet.prefix);
		json_object_set_new(obj, a->container,
				    json_pack("{s:s, s:s}", "Name", a->name,
					      "IPv4Address", address));
	}
	return obj;
}

/* The fields of "docker network inspect" that apply to berth. */
static json_t *inspect_json(const struct net_network *net)
{
	char subnet[19], gateway[16];

	net_cidr_format(&net->subnet, subnet);
	net_ip_format(net->gateway, gateway);
	return json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:b, s:{s:s, s:[{s:s, s:s}]}, "
		"s:b, s:o, s:{s:s}, s:o}",
		"Name", net->name, "Id", net->id, "Created", net->created,
		"Scope", "local", "Driver", net->driver, "EnableIPv6", 0,
		"IPAM", "Driver", "default", "Config", "Subnet", subnet,
		"Gateway", gateway, "Internal", net->internal, "Containers",
		containers_object(net), "Options",
		"com.docker.network.bridge.name", net->bridge, "Labels",
		labels_object(net->labels));
}

static int network_inspect_cmd(struct cli_context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	_cleanup_json_ json_t *all = json_array();
	_cleanup_free_ char *text = NULL;
	const char *template = NULL;
	struct berth_error *err = NULL;
	_cleanup_lock_ int lock = -1;
	int c, status = 0;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:f:h", options, NULL)) != -1) {
		switch (c) {
		case 'f':
			template = optarg;
			break;
		case 'h':
			puts("Usage: berth network inspect [--format TEMPLATE] "
			     "NAME...\n\nShow details of networks as JSON.");
			return 0;
		default:
			return cli_option_error("network inspect", c, argv);
		}
	}
	if (optind >= argc)
		return cli_usage_error("network inspect", "expected NAME...");
	if (template != NULL && inspect_format_check(template, &err) < 0)
		return cli_fail(&err);

	/* Loading the default network may create it. */
	if (net_store_lock(ctx->root, &lock, &err) < 0)
		return cli_fail(&err);

	for (int i = optind; i < argc; i++) {
		_cleanup_network_ struct net_network *net = NULL;

		if (net_network_load(ctx->root, argv[i], &net, &err) < 0) {
			status = cli_fail(&err);
			continue;
		}
		if (template != NULL) {
			_cleanup_json_ json_t *j = inspect_json(net);

			(void)inspect_format_print(stdout, template, j, NULL);
			continue;
		}
		json_array_append_new(all, inspect_json(net));
	}

	if (template == NULL) {
		text = json_dumps(all, JSON_INDENT(4));
		printf("%s\n", text);
	}
	return status;
}

static int network_rm_cmd(struct cli_context *ctx, int argc, char **argv)
{
	struct berth_error *err = NULL;
	int status = 0;

	if (argc < 2)
		return cli_usage_error("network rm", "expected NAME...");
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		puts("Usage: berth network rm NAME...\n\nRemove networks "
		     "that no container is attached to.");
		return 0;
	}

	for (int i = 1; i < argc; i++) {
		if (net_network_remove(ctx->root, argv[i], &err) < 0) {
			status = cli_fail(&err);
			continue;
		}
		printf("%s\n", argv[i]);
	}
	return status;
}

static bool confirm_prune(void)
{
	char answer[16] = "";

	fputs("WARNING! This will remove all networks not used by at least "
	      "one container.\nAre you sure you want to continue? [y/N] ",
	      stderr);
	if (fgets(answer, sizeof(answer), stdin) == NULL)
		return false;
	return answer[0] == 'y' || answer[0] == 'Y';
}

/* Remove the unused networks but the default one, as Docker does. */
static int prune(const char *root, struct berth_error **err)
{
	_cleanup_strv_ char **names = NULL;
	bool first = true;

	if (net_network_list(root, &names, err) < 0)
		return -1;

	for (size_t i = 0; names[i] != NULL; i++) {
		_cleanup_network_ struct net_network *net = NULL;

		if (strcmp(names[i], NET_DEFAULT_NAME) == 0)
			continue;
		if (net_network_load(root, names[i], &net, err) < 0)
			return -1;
		if (net->n_containers > 0)
			continue;
		if (net_network_remove(root, names[i], err) < 0)
			return -1;
		if (first)
			printf("Deleted Networks:\n");
		first = false;
		printf("%s\n", names[i]);
	}
	return 0;
}

static int network_prune_cmd(struct cli_context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{"force", no_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	struct berth_error *err = NULL;
	bool force = false;
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:fh", options, NULL)) != -1) {
		switch (c) {
		case 'f':
			force = true;
			break;
		case 'h':
			puts("Usage: berth network prune [-f]\n\nRemove the "
			     "networks without containers, but 'bridge'.");
			return 0;
		default:
			return cli_option_error("network prune", c, argv);
		}
	}
	if (optind != argc)
		return cli_usage_error("network prune",
				       "expected no arguments");

	if (!force && !confirm_prune())
		return 0;
	if (prune(ctx->root, &err) < 0)
		return cli_fail(&err);
	return 0;
}
