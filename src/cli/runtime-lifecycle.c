/* SPDX-License-Identifier: GPL-2.0-or-later */
/* create, start, run, state, kill, delete, pause and resume. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/runtime-cli.h"
#include "runtime/runtime.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"

struct create_flags {
	struct runtime_create_options opts;
	bool detach;
	bool keep;
};

enum {
	OPT_PID_FILE = 256,
	OPT_CONSOLE_SOCKET,
	OPT_NO_PIVOT,
	OPT_NO_NEW_KEYRING,
	OPT_PRESERVE_FDS,
	OPT_NO_SUBREAPER,
	OPT_KEEP,
};

static int parse_uint(const char *command, const char *s, unsigned int *ret)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v > 65536 || s[0] == '-')
		return rt_usage_error(command, "invalid number '%s'", s);
	*ret = (unsigned int)v;
	return 0;
}

/* Flags of create and run; run adds --detach and --keep. */
static int parse_create(const char *command, int argc, char **argv,
			struct create_flags *f)
{
	static const struct option options[] = {
		{"bundle", required_argument, NULL, 'b'},
		{"pid-file", required_argument, NULL, OPT_PID_FILE},
		{"console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET},
		{"no-pivot", no_argument, NULL, OPT_NO_PIVOT},
		{"no-new-keyring", no_argument, NULL, OPT_NO_NEW_KEYRING},
		{"preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS},
		{"no-subreaper", no_argument, NULL, OPT_NO_SUBREAPER},
		{"detach", no_argument, NULL, 'd'},
		{"keep", no_argument, NULL, OPT_KEEP},
		{0},
	};
	int c;

	f->opts.stdio[0] = f->opts.stdio[1] = f->opts.stdio[2] = -1;
	while ((c = getopt_long(argc, argv, "b:d", options, NULL)) != -1) {
		switch (c) {
		case 'b':
			f->opts.bundle = optarg;
			break;
		case OPT_PID_FILE:
			f->opts.pid_file = optarg;
			break;
		case OPT_CONSOLE_SOCKET:
			f->opts.console_socket = optarg;
			break;
		case OPT_NO_PIVOT:
			f->opts.no_pivot = true;
			break;
		case OPT_NO_NEW_KEYRING:
			f->opts.no_new_keyring = true;
			break;
		case OPT_PRESERVE_FDS:
			if (parse_uint(command, optarg,
				       &f->opts.preserve_fds) != 0)
				return 1;
			break;
		case OPT_NO_SUBREAPER:
			break;
		case 'd':
			f->detach = true;
			break;
		case OPT_KEEP:
			f->keep = true;
			break;
		default:
			return rt_usage_error(command, "invalid option");
		}
	}
	return rt_operands(command, argc, 1);
}

int rt_cmd_create(struct rt_context *ctx, int argc, char **argv)
{
	struct create_flags f = {0};
	struct berth_error *err = NULL;

	if (parse_create("create", argc, argv, &f) != 0)
		return 1;

	if (runtime_create(ctx->root, argv[optind], &f.opts, NULL, &err) < 0)
		return rt_fail(&err);
	return 0;
}

int rt_cmd_start(struct rt_context *ctx, int argc, char **argv)
{
	struct berth_error *err = NULL;

	if (getopt_long(argc, argv, "", (struct option[]){{0}}, NULL) != -1 ||
	    rt_operands("start", argc, 1) != 0)
		return 1;

	if (runtime_start(ctx->root, argv[optind], &err) < 0)
		return rt_fail(&err);
	return 0;
}

static volatile sig_atomic_t forward_pid;

static void forward_signal(int sig)
{
	if (forward_pid > 0)
		kill((pid_t)forward_pid, sig);
}

/* Pass the signals a user or a supervisor sends on to the container. */
void rt_forward_signals(pid_t pid)
{
	static const int sigs[] = {SIGTERM, SIGINT,  SIGHUP,  SIGQUIT,
				   SIGUSR1, SIGUSR2, SIGWINCH};
	struct sigaction sa = {.sa_handler = forward_signal};

	forward_pid = pid;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaction(sigs[i], &sa, NULL);
}

int rt_wait_exit_status(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return 1;
	}

	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

int rt_cmd_run(struct rt_context *ctx, int argc, char **argv)
{
	struct create_flags f = {0};
	struct berth_error *err = NULL;
	const char *id;
	pid_t pid;
	int status;

	if (parse_create("run", argc, argv, &f) != 0)
		return 1;
	id = argv[optind];

	if (runtime_create(ctx->root, id, &f.opts, &pid, &err) < 0)
		return rt_fail_status(&err);

	if (!f.detach)
		rt_forward_signals(pid);

	if (runtime_start(ctx->root, id, &err) < 0) {
		rt_fail(&err);
		kill(pid, SIGKILL);
		(void)rt_wait_exit_status(pid);
		(void)runtime_delete(ctx->root, id, true, NULL);
		return 1;
	}

	if (f.detach)
		return 0;

	status = rt_wait_exit_status(pid);
	if (!f.keep && runtime_delete(ctx->root, id, true, &err) < 0)
		rt_fail(&err);
	return status;
}

int rt_cmd_state(struct rt_context *ctx, int argc, char **argv)
{
	struct runtime_state *state = NULL;
	struct berth_error *err = NULL;
	_cleanup_json_ json_t *j = NULL;

	if (getopt_long(argc, argv, "", (struct option[]){{0}}, NULL) != -1 ||
	    rt_operands("state", argc, 1) != 0)
		return 1;

	if (runtime_state_get(ctx->root, argv[optind], &state, &err) < 0)
		return rt_fail(&err);

	j = runtime_state_to_json(state);
	runtime_state_free(state);
	json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	putchar('\n');
	return 0;
}

int rt_cmd_kill(struct rt_context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{"all", no_argument, NULL, 'a'},
		{0},
	};
	struct berth_error *err = NULL;
	int signal = SIGTERM;
	bool all = false;
	int c;

	while ((c = getopt_long(argc, argv, "a", options, NULL)) != -1) {
		if (c != 'a')
			return rt_usage_error("kill", "invalid option");
		all = true;
	}

	if (argc - optind != 1 && argc - optind != 2)
		return rt_usage_error("kill", "expected ID [SIGNAL]");

	if (argc - optind == 2 &&
	    runtime_signal_parse(argv[optind + 1], &signal, &err) < 0)
		return rt_fail(&err);

	if (runtime_kill(ctx->root, argv[optind], signal, all, &err) < 0)
		return rt_fail(&err);
	return 0;
}

int rt_cmd_delete(struct rt_context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{"force", no_argument, NULL, 'f'},
		{0},
	};
	struct berth_error *err = NULL;
	bool force = false;
	int c;

	while ((c = getopt_long(argc, argv, "f", options, NULL)) != -1) {
		if (c != 'f')
			return rt_usage_error("delete", "invalid option");
		force = true;
	}

	if (rt_operands("delete", argc, 1) != 0)
		return 1;

	if (runtime_delete(ctx->root, argv[optind], force, &err) == 0)
		return 0;

	/*
	 * As runc: with --force a missing container is not an error, and
	 * a directory left by an interrupted create goes away.
	 */
	if (force && err->errnum == ENOENT &&
	    runtime_validate_id(argv[optind], NULL) == 0) {
		_cleanup_free_ char *dir =
			fs_path_join(ctx->root, argv[optind]);

		berth_error_free(&err);
		if (fs_rm_rf(dir, &err) < 0)
			return rt_fail(&err);
		return 0;
	}
	return rt_fail(&err);
}

static int pause_resume(struct rt_context *ctx, const char *command,
			bool paused, int argc, char **argv)
{
	struct berth_error *err = NULL;

	if (getopt_long(argc, argv, "", (struct option[]){{0}}, NULL) != -1 ||
	    rt_operands(command, argc, 1) != 0)
		return 1;

	if (runtime_pause(ctx->root, argv[optind], paused, &err) < 0)
		return rt_fail(&err);
	return 0;
}

int rt_cmd_pause(struct rt_context *ctx, int argc, char **argv)
{
	return pause_resume(ctx, "pause", true, argc, argv);
}

int rt_cmd_resume(struct rt_context *ctx, int argc, char **argv)
{
	return pause_resume(ctx, "resume", false, argc, argv);
}
