/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "cli/cli-util.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/inspect-format.h"
#include "runtime/runtime.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

#define CPU_PERIOD 100000

/* Below this a container cannot even start its init (as Docker's). */
#define MEMORY_MIN (6ULL << 20)

int cli_parse_memory(const char *s, int64_t *ret, struct berth_error **err)
{
	static const struct {
		const char *suffix;
		int shift;
	} units[] = {
		{"", 0},   {"b", 0},   {"k", 10}, {"kb", 10},
		{"m", 20}, {"mb", 20}, {"g", 30}, {"gb", 30},
	};
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || errno != 0 || end == s)
		goto invalid;

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcasecmp(end, units[i].suffix) != 0)
			continue;
		if (v > (unsigned long long)(INT64_MAX >> units[i].shift))
			goto invalid;
		v <<= units[i].shift;
		if (v == 0)
			goto invalid;
		if (v < MEMORY_MIN)
			return berth_error_set(err, 0,
					       "invalid memory size '%s': the "
					       "minimum is 6m",
					       s);
		*ret = (int64_t)v;
		return 0;
	}

invalid:
	return berth_error_set(err, 0,
			       "invalid memory size '%s': use a positive "
			       "number with an optional unit b, k, m or g, "
			       "such as '512m'",
			       s);
}

int cli_parse_cpus(const char *s, int64_t *ret_quota, struct berth_error **err)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	char *end;
	double v;

	if (cpus < 1)
		cpus = 1;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || v != v || v < 0.01 ||
	    v > (double)cpus)
		return berth_error_set(err, 0,
				       "invalid --cpus value '%s': use a "
				       "number from 0.01 to %ld (the "
				       "number of CPUs)",
				       s, cpus);

	*ret_quota = (int64_t)(v * CPU_PERIOD + 0.5);
	/* The kernel's minimum quota is 1 ms. */
	if (*ret_quota < 1000)
		*ret_quota = 1000;
	return 0;
}

int cli_parse_uint(const char *what, const char *s, long *ret,
		   struct berth_error **err)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || errno != 0 || *end != '\0' || v < 0)
		return berth_error_set(err, 0,
				       "invalid %s '%s': use a non-negative "
				       "integer",
				       what, s);
	*ret = v;
	return 0;
}

void cli_engine_init(struct cli_context *ctx, struct engine *engine)
{
	engine_init(engine, ctx->root, ctx->runroot, ctx->argv);
	if (ctx->exe != NULL)
		engine->exe = xstrdup(ctx->exe);
}

int cli_ensure_sealed(struct cli_context *ctx, struct berth_error **err)
{
	return runtime_ensure_sealed_exe(ctx->argv, err);
}

int cli_for_each_container(struct cli_context *ctx, char **refs, int n,
			   cli_container_action action, void *data,
			   bool print_ref)
{
	struct engine engine;
	int status = 0;

	cli_engine_init(ctx, &engine);
	for (int i = 0; i < n; i++) {
		struct berth_error *err = NULL;
		char *id = NULL;

		if (engine_container_lookup(&engine, refs[i], &id, &err) < 0 ||
		    action(&engine, id, data, &err) < 0) {
			status = cli_fail(&err);
		} else if (print_ref) {
			printf("%s\n", refs[i]);
			fflush(stdout);
		}
		free(id);
	}
	engine_clear(&engine);
	return status;
}

static int unknown_option(const char *command, const char *arg)
{
	/* getopt_long() leaves optopt 0 for an unknown long option. */
	if (optopt == 0 && strncmp(arg, "--", 2) == 0)
		return cli_usage_error(command, "unknown flag: --%.*s",
				       (int)strcspn(arg + 2, "="), arg + 2);

	return cli_usage_error(command, "unknown shorthand flag: '%c' in -%c",
			       optopt, optopt);
}

int cli_option_error(const char *command, int c, char **argv)
{
	const char *arg = argv[optind - 1];

	if (c != ':')
		return unknown_option(command, arg);

	if (strncmp(arg, "--", 2) == 0)
		return cli_usage_error(command,
				       "flag needs an argument: --%.*s",
				       (int)strcspn(arg + 2, "="), arg + 2);
	return cli_usage_error(command, "flag needs an argument: '%c' in -%c",
			       optopt, optopt);
}

int cli_check_input_tty(const char *command, bool interactive, bool tty)
{
	if (!interactive || !tty || isatty(STDIN_FILENO))
		return 0;

	return cli_usage_error(command,
			       "the input device is not a TTY: drop -t to "
			       "pipe input into the container");
}

int cli_parse_list_format(const char *command, const char *format,
			  const char *example, bool *ret_json,
			  const char **ret_template)
{
	struct berth_error *err = NULL;
	int r;

	*ret_json = strcmp(format, "json") == 0;
	*ret_template = NULL;
	if (*ret_json || strcmp(format, "table") == 0)
		return 0;

	if (strstr(format, "{{") == NULL || strncmp(format, "table ", 6) == 0)
		return cli_usage_error(command,
				       "invalid format '%s': use 'table', "
				       "'json' or a template such as '%s'",
				       format, example);

	if (inspect_format_check(format, &err) < 0) {
		r = cli_usage_error(command, "%s", err->msg);
		berth_error_free(&err);
		return r;
	}

	*ret_json = true;
	*ret_template = format;
	return 0;
}

static void dispatch_usage(const char *group,
			   const struct cli_command *commands, size_t n)
{
	printf("Usage: berth %s COMMAND [ARG...]\n\nCommands:\n", group);
	for (size_t i = 0; i < n; i++)
		if (commands[i].summary != NULL)
			printf("  %-9s %s\n", commands[i].name,
			       commands[i].summary);
}

int cli_dispatch(const char *group, const struct cli_command *commands,
		 size_t n, struct cli_context *ctx, int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error(group, "expected a COMMAND");

	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		dispatch_usage(group, commands, n);
		return 0;
	}

	for (size_t i = 0; i < n; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(ctx, argc - 1, argv + 1);

	return cli_usage_error(group, "unknown command '%s'", argv[1]);
}

bool cli_labels_match(char *const *labels, const char *want)
{
	bool with_value = strchr(want, '=') != NULL;
	size_t len = strlen(want);

	for (size_t i = 0; labels != NULL && labels[i] != NULL; i++) {
		if (with_value && strcmp(labels[i], want) == 0)
			return true;
		if (!with_value && strncmp(labels[i], want, len) == 0 &&
		    labels[i][len] == '=')
			return true;
	}
	return false;
}

char *cli_format_ports(const json_t *c)
{
	const json_t *ports =
		json_object_get(json_object_get(c, "NetworkSettings"), "Ports");
	char *text = xstrdup("");
	const char *key;
	json_t *list, *b;
	size_t i;

	json_object_foreach ((json_t *)ports, key, list) {
		json_array_foreach (list, i, b) {
			char *next;

			xasprintf(
				&next, "%s%s%s:%s->%s", text,
				text[0] != '\0' ? ", " : "",
				json_string_value(json_object_get(b, "HostIp")),
				json_string_value(
					json_object_get(b, "HostPort")),
				key);
			free(text);
			text = next;
		}
	}
	return text;
}
