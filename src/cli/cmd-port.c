/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli-util.h"
#include "cli/commands.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/strv.h"
#include "util/xalloc.h"

/* Sort by port number, then protocol: "53/udp", "80/tcp", "80/udp". */
static int compare_keys(const void *a, const void *b)
{
	const char *ka = *(char *const *)a, *kb = *(char *const *)b;
	long pa = strtol(ka, NULL, 10), pb = strtol(kb, NULL, 10);

	if (pa != pb)
		return pa < pb ? -1 : 1;
	return strcmp(ka, kb);
}

static char **sorted_keys(const json_t *ports)
{
	char **keys = NULL;
	const char *key;
	json_t *value;

	json_object_foreach ((json_t *)ports, key, value)
		strv_push(&keys, key);
	if (keys != NULL)
		qsort(keys, strv_length(keys), sizeof(*keys), compare_keys);
	return keys;
}

/* "80" means "80/tcp". */
static char *private_key(const char *arg)
{
	char *key;

	if (strchr(arg, '/') != NULL)
		return xstrdup(arg);
	xasprintf(&key, "%s/tcp", arg);
	return key;
}

static void print_bindings(const json_t *list, const char *prefix)
{
	const json_t *b;
	size_t i;

	json_array_foreach (list, i, b)
		printf("%s%s:%s\n", prefix,
		       json_string_value(json_object_get(b, "HostIp")),
		       json_string_value(json_object_get(b, "HostPort")));
}

static int print_ports(const json_t *ports, const char *ref, const char *arg)
{
	_cleanup_strv_ char **keys = NULL;
	_cleanup_free_ char *key = NULL;
	const json_t *list;

	if (arg == NULL) {
		keys = sorted_keys(ports);
		for (size_t i = 0; keys != NULL && keys[i] != NULL; i++) {
			_cleanup_free_ char *prefix = NULL;

			xasprintf(&prefix, "%s -> ", keys[i]);
			print_bindings(json_object_get(ports, keys[i]), prefix);
		}
		return 0;
	}

	key = private_key(arg);
	list = json_object_get(ports, key);
	if (json_array_size(list) == 0) {
		fprintf(stderr,
			"berth: no public port '%s' published for '%s'\n", key,
			ref);
		return 1;
	}
	print_bindings(list, "");
	return 0;
}

int cmd_port(struct cli_context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{"help", no_argument, NULL, 'h'},
		{},
	};
	struct berth_error *err = NULL;
	_cleanup_json_ json_t *j = NULL;
	_cleanup_free_ char *id = NULL;
	struct engine engine;
	int c, r;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", options, NULL)) != -1) {
		if (c != 'h')
			return cli_option_error("port", c, argv);
		fputs("Usage: berth port CONTAINER [PRIVATE_PORT[/PROTO]]\n"
		      "\n"
		      "List the published ports of a container as\n"
		      "\"80/tcp -> 0.0.0.0:8080\", or the host addresses of\n"
		      "one port.\n",
		      stdout);
		return 0;
	}

	if (argc - optind < 1 || argc - optind > 2)
		return cli_usage_error("port", "expected CONTAINER "
					       "[PRIVATE_PORT[/PROTO]]");

	cli_engine_init(ctx, &engine);
	r = engine_container_lookup(&engine, argv[optind], &id, &err);
	if (r == 0)
		r = engine_container_inspect(&engine, id, &j, &err);
	engine_clear(&engine);
	if (r < 0)
		return cli_fail(&err);

	return print_ports(
		json_object_get(json_object_get(j, "NetworkSettings"), "Ports"),
		argv[optind], argc - optind == 2 ? argv[optind + 1] : NULL);
}
