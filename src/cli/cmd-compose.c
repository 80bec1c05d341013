/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli-util.h"
#include "cli/commands.h"
#include "cli/compose-cli.h"
#include "compose/compose.h"
#include "util/cleanup.h"
#include "util/strv.h"

struct compose_cli {
	char **files;
	char **env_files;
	char **profiles;
	const char *project_name;
	const char *project_dir;
};

struct config_options {
	bool services;
	bool volumes;
	bool networks;
	bool quiet;
	bool json;
};

/* Commands of the Compose CLI that berth does not run yet. */
static const char *const planned_commands[] = {
	"create", "events", "images", "kill",	 "pause",
	"port",	  "rm",	    "top",    "unpause", "wait",
};

static void compose_usage(FILE *out)
{
	fputs("Usage: berth compose [OPTIONS] COMMAND\n"
	      "\n"
	      "Run multi-container applications described in Compose files.\n"
	      "\n"
	      "Options:\n"
	      "  -f, --file FILE          a Compose file; repeat to merge "
	      "several\n"
	      "                           (default: compose.yaml, "
	      "compose.yml,\n"
	      "                           docker-compose.yaml, "
	      "docker-compose.yml)\n"
	      "  -p, --project-name NAME  the project name (default: "
	      "the name key,\n"
	      "                           else the directory name)\n"
	      "      --env-file FILE      variables for interpolation "
	      "(default: .env\n"
	      "                           in the project directory)\n"
	      "      --project-directory DIR  base of relative paths\n"
	      "      --profile NAME       enable the services of this "
	      "profile; repeat\n"
	      "                           for several (default: "
	      "$COMPOSE_PROFILES)\n"
	      "  -h, --help               show this help\n"
	      "\n"
	      "Commands:\n"
	      "  config   print the merged, interpolated configuration\n"
	      "  up       create and start the services' containers\n"
	      "  down     stop and remove the containers and networks\n"
	      "  ps, logs, start, stop, restart, exec, run, build, pull,\n"
	      "  push\n",
	      out);
}

static void config_usage(FILE *out)
{
	fputs("Usage: berth compose config [OPTIONS]\n"
	      "\n"
	      "Check the Compose files and print the project as berth reads "
	      "it:\n"
	      "merged, interpolated and in the long syntax.\n"
	      "\n"
	      "Options:\n"
	      "      --format F   'yaml' (default) or 'json'\n"
	      "      --services   print the service names in start order\n"
	      "      --volumes    print the volume names\n"
	      "      --networks   print the network names\n"
	      "  -q, --quiet      only check, print nothing\n"
	      "  -h, --help       show this help\n",
	      out);
}

static int parse_config_options(int argc, char **argv,
				struct config_options *opts)
{
	static const struct option options[] = {
		{"format", required_argument, NULL, 'F'},
		{"services", no_argument, NULL, 's'},
		{"volumes", no_argument, NULL, 'v'},
		{"networks", no_argument, NULL, 'n'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:qh", options, NULL)) != -1) {
		switch (c) {
		case 'F':
			if (strcmp(optarg, "json") == 0)
				opts->json = true;
			else if (strcmp(optarg, "yaml") != 0)
				return cli_usage_error("compose config",
						       "unknown --format '%s': "
						       "expected 'yaml' or "
						       "'json'",
						       optarg);
			break;
		case 's':
			opts->services = true;
			break;
		case 'v':
			opts->volumes = true;
			break;
		case 'n':
			opts->networks = true;
			break;
		case 'q':
			opts->quiet = true;
			break;
		case 'h':
			config_usage(stdout);
			return -1;
		default:
			return cli_option_error("compose config", c, argv);
		}
	}
	if (optind < argc)
		return cli_usage_error("compose config",
				       "unexpected argument '%s'",
				       argv[optind]);
	return 0;
}

static void print_warnings(char **warnings)
{
	for (size_t i = 0; warnings != NULL && warnings[i] != NULL; i++)
		fprintf(stderr, "berth compose: warning: %s\n", warnings[i]);
}

static int print_names(const struct compose_project *p,
		       const struct config_options *opts,
		       struct berth_error **err)
{
	if (opts->services) {
		_cleanup_free_ size_t *order = NULL;

		if (compose_start_order(p, &order, err) < 0)
			return -1;
		for (size_t i = 0; i < p->n_services; i++) {
			if (!p->services[order[i]].disabled)
				printf("%s\n", p->services[order[i]].name);
		}
	}
	for (size_t i = 0; opts->volumes && i < p->n_volumes; i++)
		printf("%s\n", p->volumes[i].key);
	for (size_t i = 0; opts->networks && i < p->n_networks; i++)
		printf("%s\n", p->networks[i].key);
	return 0;
}

static int compose_config(struct compose_cli *cli, int argc, char **argv)
{
	struct config_options opts = {0};
	struct compose_load_options load = {
		.files = cli->files,
		.project_name = cli->project_name,
		.env_files = cli->env_files,
		.profiles = cli->profiles,
		.working_dir = cli->project_dir,
	};
	struct compose_project *p = NULL;
	_cleanup_strv_ char **warnings = NULL;
	_cleanup_error_ struct berth_error *err = NULL;
	int r;

	r = parse_config_options(argc, argv, &opts);
	if (r != 0)
		return r < 0 ? 0 : r;

	r = compose_project_load(&load, &warnings, &p, &err);
	print_warnings(warnings);
	if (r < 0)
		return cli_fail(&err);

	if (opts.services || opts.volumes || opts.networks)
		r = print_names(p, &opts, &err);
	else if (!opts.quiet)
		r = compose_write_config(p, opts.json, stdout, &err);
	compose_project_free(p);
	if (r < 0)
		return cli_fail(&err);
	return 0;
}

/* Returns -1 when command is not one that runs the project. */
static int run_command(struct cli_context *ctx, struct compose_cli *cli,
		       int argc, char **argv)
{
	struct compose_load_options load = {
		.files = cli->files,
		.project_name = cli->project_name,
		.env_files = cli->env_files,
		.profiles = cli->profiles,
		.working_dir = cli->project_dir,
	};

	return compose_command(ctx, &load, argc, argv);
}

static bool is_planned(const char *command)
{
	for (size_t i = 0; i < ARRAY_SIZE(planned_commands); i++) {
		if (strcmp(planned_commands[i], command) == 0)
			return true;
	}
	return false;
}

static int parse_compose_options(int argc, char **argv, struct compose_cli *cli)
{
	static const struct option options[] = {
		{"file", required_argument, NULL, 'f'},
		{"project-name", required_argument, NULL, 'p'},
		{"env-file", required_argument, NULL, 'e'},
		{"profile", required_argument, NULL, 'P'},
		{"project-directory", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:f:p:h", options, NULL)) != -1) {
		switch (c) {
		case 'f':
			strv_push(&cli->files, optarg);
			break;
		case 'p':
			cli->project_name = optarg;
			break;
		case 'e':
			strv_push(&cli->env_files, optarg);
			break;
		case 'P':
			strv_push(&cli->profiles, optarg);
			break;
		case 'd':
			cli->project_dir = optarg;
			break;
		case 'h':
			compose_usage(stdout);
			return -1;
		default:
			return cli_option_error("compose", c, argv);
		}
	}
	if (optind >= argc)
		return cli_usage_error("compose", "expected a COMMAND");
	return 0;
}

int cmd_compose(struct cli_context *ctx, int argc, char **argv)
{
	struct compose_cli cli = {0};
	const char *command;
	int r;

	r = parse_compose_options(argc, argv, &cli);
	if (r != 0)
		goto out;

	command = argv[optind];
	if (strcmp(command, "config") == 0) {
		r = compose_config(&cli, argc - optind, argv + optind);
		goto out;
	}
	r = run_command(ctx, &cli, argc - optind, argv + optind);
	if (r >= 0)
		goto out;

	if (is_planned(command)) {
		fprintf(stderr, "berth compose %s: not implemented yet\n",
			command);
		r = BERTH_EXIT_ENGINE;
	} else {
		r = cli_usage_error("compose", "unknown command '%s'", command);
	}

out:
	strv_free(cli.files);
	strv_free(cli.env_files);
	strv_free(cli.profiles);
	return r < 0 ? 0 : r;
}
