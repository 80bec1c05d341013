/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "util/log.h"

#define DEFAULT_ROOT "/var/lib/berth"
#define DEFAULT_RUNROOT "/run/berth"

/*
 * The path of the berth binary, kept in the environment across the
 * re-execution from a sealed memfd, after which /proc/self/exe no
 * longer names the file. Detached monitors find berth-monitor next to it.
 */
#define EXE_ENV "_BERTH_EXE"

static const struct cli_command commands[] = {
	{"run", cmd_run, "Create and start a container from an image"},
	{"create", cmd_create, "Create a container without starting it"},
	{"start", cmd_start, "Start one or more stopped containers"},
	{"stop", cmd_stop, "Stop one or more running containers"},
	{"kill", cmd_kill, "Send a signal to running containers"},
	{"rm", cmd_rm, "Remove one or more containers"},
	{"ps", cmd_ps, "List containers"},
	{"logs", cmd_logs, "Show the output of a container"},
	{"exec", cmd_exec, "Run a command in a running container"},
	{"wait", cmd_wait, "Wait for containers to stop, print exit codes"},
	{"restart", cmd_restart, "Stop and start containers again"},
	{"pause", cmd_pause, "Freeze every process of containers"},
	{"unpause", cmd_unpause, "Thaw the processes of paused containers"},
	{"rename", cmd_rename, "Give a container another name"},
	{"port", cmd_port, "List the published ports of a container"},
	{"top", cmd_top, "Show the processes of a container"},
	{"stats", cmd_stats, "Show CPU, memory and network use of containers"},
	{"events", cmd_events, "Show container events as they happen"},
	{"inspect", cmd_inspect, "Show details of images or containers"},
	{"import", cmd_import, "Make an image from a root file system tarball"},
	{"images", cmd_images, "List images"},
	{"rmi", cmd_rmi, "Remove one or more images"},
	{"tag", cmd_tag, "Add a name to an image"},
	{"commit", cmd_commit, "Make an image of a container's changes"},
	{"diff", cmd_diff, "List the files a container changed"},
	{"export", cmd_export, "Write a container's file system as a tar"},
	{"history", cmd_history, "Show how an image was made"},
	{"image", cmd_image, "Manage images (history, ls, prune, rm, ...)"},
	{"volume", cmd_volume, "Manage volumes (create, ls, rm, prune, ...)"},
	{"network", cmd_network, "Manage networks (create, ls, rm, ...)"},
	{"build", cmd_build, "Build an image from a Containerfile"},
	{"pull", cmd_pull, "Download an image from a registry"},
	{"push", cmd_push, "Upload an image to a registry"},
	{"login", cmd_login, "Store credentials for a registry"},
	{"logout", cmd_logout, "Remove the credentials of a registry"},
	{"save", cmd_save, "Write images to a tar archive"},
	{"load", cmd_load, "Load images from a tar archive"},
	{"compose", cmd_compose, "Run applications from Compose files"},
	{"healthcheck", cmd_healthcheck, "Run the health check of a container"},
	{"version", cmd_version, "Show the version of berth"},
};

int cli_fail(struct berth_error **err)
{
	return berth_error_report(err, "berth", stderr);
}

int cli_usage_error(const char *command, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "berth %s: ", command);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nSee 'berth %s --help'.\n", command);
	return BERTH_EXIT_ENGINE;
}

static void usage(FILE *out)
{
	size_t n = sizeof(commands) / sizeof(commands[0]);
	int width = 0;

	fputs("Usage: berth [OPTIONS] COMMAND [ARG...]\n"
	      "\n"
	      "A daemonless container engine.\n"
	      "\n"
	      "Options:\n"
	      "      --root DIR        image and container store "
	      "(default " DEFAULT_ROOT ", or $BERTH_ROOT)\n"
	      "      --runroot DIR     runtime state "
	      "(default " DEFAULT_RUNROOT ", or $BERTH_RUNROOT)\n"
	      "      --log-level LEVEL error, warning, info or debug\n"
	      "  -h, --help            show this help\n"
	      "  -v, --version         show the version\n"
	      "\n"
	      "Commands:\n",
	      out);

	/* Align the summaries after the longest command name. */
	for (size_t i = 0; i < n; i++) {
		int len = (int)strlen(commands[i].name);

		if (len > width)
			width = len;
	}
	for (size_t i = 0; i < n; i++)
		fprintf(out, "  %-*s  %s\n", width, commands[i].name,
			commands[i].summary);
	fputs("\nRun 'berth COMMAND --help' for a command's options.\n", out);
}

static const char *program_exe(void)
{
	const char *saved = getenv(EXE_ENV);
	char buf[4096];
	ssize_t n;

	if (saved != NULL)
		return saved;

	n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	if (strncmp(buf, "/memfd:", 7) == 0)
		return NULL;

	if (setenv(EXE_ENV, buf, 1) < 0)
		return NULL;
	return getenv(EXE_ENV);
}

static const char *env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);

	return v != NULL && v[0] != '\0' ? v : fallback;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{"root", required_argument, NULL, 'r'},
		{"runroot", required_argument, NULL, 'R'},
		{"log-level", required_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'v'},
		{},
	};
	struct cli_context ctx = {
		.root = env_or("BERTH_ROOT", DEFAULT_ROOT),
		.runroot = env_or("BERTH_RUNROOT", DEFAULT_RUNROOT),
		.argv = argv,
		.exe = program_exe(),
	};
	enum log_level level = LOG_LEVEL_WARNING;
	int c;

	while ((c = getopt_long(argc, argv, "+hv", options, NULL)) != -1) {
		switch (c) {
		case 'r':
			ctx.root = optarg;
			break;
		case 'R':
			ctx.runroot = optarg;
			break;
		case 'l':
			if (log_level_parse(optarg, &level) < 0) {
				fprintf(stderr,
					"berth: invalid log level '%s': use "
					"error, warning, info or debug\n",
					optarg);
				return BERTH_EXIT_ENGINE;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'v':
			printf("berth version %s\n", BERTH_VERSION);
			return 0;
		default:
			usage(stderr);
			return BERTH_EXIT_ENGINE;
		}
	}

	log_setup("berth", level, LOG_FORMAT_TEXT, -1);

	/* As docker: no command shows the help. */
	if (optind >= argc) {
		usage(stdout);
		return 0;
	}

	if (strcmp(argv[optind], "monitor-exit") == 0) {
		optind++;
		return cmd_monitor_exit(&ctx, argc - optind + 1,
					argv + optind - 1);
	}

	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[optind], commands[i].name) != 0)
			continue;

		/* The command sees its own name as argv[0]. */
		optind++;
		return commands[i].run(&ctx, argc - optind + 1,
				       argv + optind - 1);
	}

	fprintf(stderr, "berth: unknown command '%s'\nSee 'berth --help'.\n",
		argv[optind]);
	return BERTH_EXIT_ENGINE;
}
