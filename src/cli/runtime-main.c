/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/runtime-cli.h"
#include "runtime/runtime.h"
#include "util/cleanup.h"
#include "util/log.h"

#define DEFAULT_STATE_ROOT "/run/berth-runtime"
#define OCI_SPEC_VERSION "1.2.0"

struct rt_command {
	const char *name;
	int (*run)(struct rt_context *ctx, int argc, char **argv);
	bool sealed; /* runs container code: re-exec from a sealed memfd */
	const char *summary;
};

static const struct rt_command commands[] = {
	{"create", rt_cmd_create, true, "create a container"},
	{"start", rt_cmd_start, false, "start a created container"},
	{"run", rt_cmd_run, true, "create and start a container"},
	{"state", rt_cmd_state, false, "print the state of a container"},
	{"kill", rt_cmd_kill, false, "send a signal to a container"},
	{"delete", rt_cmd_delete, false, "delete a container"},
	{"list", rt_cmd_list, false, "list containers"},
	{"ps", rt_cmd_ps, false, "list the processes of a container"},
	{"exec", rt_cmd_exec, true, "run a process in a container"},
	{"pause", rt_cmd_pause, false, "freeze every process of a container"},
	{"resume", rt_cmd_resume, false, "thaw a paused container"},
	{"spec", rt_cmd_spec, false, "write a default config.json"},
	{"features", rt_cmd_features, false,
	 "print the features this runtime supports"},
};

static bool log_to_file;

int rt_fail(struct berth_error **err)
{
	_cleanup_free_ char *text = NULL;

	if (err == NULL || *err == NULL)
		return 1;

	text = berth_error_text(*err);
	if (log_to_file)
		log_error("%s", text);
	fprintf(stderr, "berth-runtime: %s\n", text);
	berth_error_free(err);
	return 1;
}

int rt_fail_status(struct berth_error **err)
{
	int status = err != NULL && *err != NULL ? (*err)->status : 0;

	rt_fail(err);
	return status != 0 ? status : 1;
}

int rt_usage_error(const char *command, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);

	if (log_to_file)
		log_error("%s: %s", command, msg != NULL ? msg : "");
	fprintf(stderr, "berth-runtime %s: %s\n", command,
		msg != NULL ? msg : "");
	fprintf(stderr, "See 'berth-runtime %s --help'.\n", command);
	return 1;
}

int rt_operands(const char *command, int argc, int want)
{
	if (argc - optind == want)
		return 0;
	return rt_usage_error(command, "expected %d argument%s, got %d", want,
			      want == 1 ? "" : "s", argc - optind);
}

static void usage(FILE *out)
{
	fputs("Usage: berth-runtime [GLOBAL OPTIONS] COMMAND [ARG...]\n"
	      "\n"
	      "An OCI runtime with runc's command line.\n"
	      "\n"
	      "Global options:\n"
	      "      --root DIR          state directory "
	      "(default " DEFAULT_STATE_ROOT ")\n"
	      "      --log FILE          write log messages to FILE\n"
	      "      --log-format FMT    text or json\n"
	      "      --debug             log debug messages\n"
	      "      --systemd-cgroup    not supported, ignored with a "
	      "warning\n"
	      "      --rootless BOOL     only false is supported\n"
	      "  -h, --help              show this help\n"
	      "  -v, --version           show the version\n"
	      "\n"
	      "Commands:\n",
	      out);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-9s %s\n", commands[i].name,
			commands[i].summary);
}

static void version(void)
{
	printf("berth-runtime version %s\nspec: %s\n", BERTH_VERSION,
	       OCI_SPEC_VERSION);
}

struct global_options {
	const char *log_path;
	enum log_format format;
	bool systemd_cgroup;
};

enum {
	OPT_ROOT = 256,
	OPT_LOG,
	OPT_LOG_FORMAT,
	OPT_DEBUG,
	OPT_SYSTEMD_CGROUP,
	OPT_ROOTLESS,
	OPT_CRIU,
};

static int parse_global(int argc, char **argv, struct rt_context *ctx,
			struct global_options *g)
{
	static const struct option options[] = {
		{"root", required_argument, NULL, OPT_ROOT},
		{"log", required_argument, NULL, OPT_LOG},
		{"log-format", required_argument, NULL, OPT_LOG_FORMAT},
		{"debug", no_argument, NULL, OPT_DEBUG},
		{"systemd-cgroup", no_argument, NULL, OPT_SYSTEMD_CGROUP},
		{"rootless", required_argument, NULL, OPT_ROOTLESS},
		{"criu", required_argument, NULL, OPT_CRIU},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'v'},
		{0},
	};
	int c;

	while ((c = getopt_long(argc, argv, "+hv", options, NULL)) != -1) {
		switch (c) {
		case OPT_ROOT:
			ctx->root = optarg;
			break;
		case OPT_LOG:
			g->log_path = optarg;
			break;
		case OPT_LOG_FORMAT:
			if (strcmp(optarg, "json") == 0)
				g->format = LOG_FORMAT_JSON;
			else if (strcmp(optarg, "text") == 0)
				g->format = LOG_FORMAT_TEXT;
			else
				return rt_usage_error("--log-format",
						      "invalid value '%s', use "
						      "'text' or 'json'",
						      optarg);
			break;
		case OPT_DEBUG:
			ctx->debug = true;
			break;
		case OPT_SYSTEMD_CGROUP:
			g->systemd_cgroup = true;
			break;
		case OPT_ROOTLESS:
			if (strcmp(optarg, "false") != 0 &&
			    strcmp(optarg, "auto") != 0)
				return rt_usage_error("--rootless",
						      "rootless mode is not "
						      "supported");
			break;
		case OPT_CRIU:
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'v':
			version();
			exit(0);
		default:
			usage(stderr);
			return 1;
		}
	}
	return 0;
}

static void setup_logging(const struct rt_context *ctx,
			  const struct global_options *g)
{
	enum log_level level = ctx->debug ? LOG_LEVEL_DEBUG : LOG_LEVEL_WARNING;
	int fd = -1;

	if (g->log_path != NULL) {
		fd = open(g->log_path,
			  O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0)
			fprintf(stderr,
				"berth-runtime: open log file '%s': %m, "
				"logging to stderr\n",
				g->log_path);
	}

	log_to_file = fd >= 0;
	log_setup("berth-runtime", level, fd >= 0 ? g->format : LOG_FORMAT_TEXT,
		  fd);

	if (g->systemd_cgroup)
		log_warning("--systemd-cgroup is not supported, using "
			    "cgroupfs, ignoring");
}

static const struct rt_command *find_command(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct rt_context ctx = {.root = DEFAULT_STATE_ROOT};
	struct global_options g = {.format = LOG_FORMAT_TEXT};
	const struct rt_command *cmd;
	struct berth_error *err = NULL;

	if (parse_global(argc, argv, &ctx, &g) != 0)
		return 1;

	if (optind >= argc) {
		usage(stderr);
		return 1;
	}

	if (strcmp(argv[optind], "help") == 0) {
		usage(stdout);
		return 0;
	}

	cmd = find_command(argv[optind]);
	setup_logging(&ctx, &g);
	if (cmd == NULL)
		return rt_usage_error(argv[optind], "unknown command");

	if (cmd->sealed && runtime_ensure_sealed_exe(argv, &err) < 0)
		return rt_fail(&err);

	argv += optind;
	argc -= optind;
	optind = 0;
	return cmd->run(&ctx, argc, argv);
}
