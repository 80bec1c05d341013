/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * "berth top CONTAINER [ps OPTIONS]": the host's ps(1), default "-ef",
 * with only the lines of processes in the container's cgroup, as
 * Docker does it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli-util.h"
#include "cli/commands.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

/* Run ps with args and return its whole output. */
static int run_ps(char **args, int n, char **ret_out, struct berth_error **err)
{
	_cleanup_free_ char **argv = xcalloc((size_t)n + 2, sizeof(*argv));
	char *buf = NULL;
	size_t len = 0;
	int fds[2], status;
	FILE *f;
	pid_t pid;

	argv[0] = "ps";
	for (int i = 0; i < n; i++)
		argv[i + 1] = args[i];

	if (pipe2(fds, O_CLOEXEC) < 0)
		return berth_error_set(err, errno, "create pipe");
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return berth_error_set(err, errno, "fork ps");
	}
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		execvp("ps", argv);
		fprintf(stderr, "berth top: run ps: %s\n", strerror(errno));
		_exit(127);
	}

	close(fds[1]);
	f = fdopen(fds[0], "r");
	if (f != NULL) {
		char chunk[4096];
		size_t got;

		while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0) {
			buf = xrealloc(buf, len + got + 1);
			memcpy(buf + len, chunk, got);
			len += got;
		}
		fclose(f);
	} else {
		close(fds[0]);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;

	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		free(buf);
		return berth_error_set(
			err, 0,
			"ps failed with the options given: "
			"use options of ps(1) such as -ef or aux");
	}
	if (buf != NULL)
		buf[len] = '\0';
	*ret_out = buf != NULL ? buf : xstrdup("");
	return 0;
}

/* The index of the PID column in ps's header, -1 when it has none. */
static int pid_column(const char *header)
{
	_cleanup_free_ char *copy = xstrdup(header);
	char *save = NULL;
	int i = 0;

	for (char *t = strtok_r(copy, " \t", &save); t != NULL;
	     t = strtok_r(NULL, " \t", &save), i++)
		if (strcmp(t, "PID") == 0)
			return i;
	return -1;
}

static bool line_in(const char *line, int column, const pid_t *pids, size_t n)
{
	_cleanup_free_ char *copy = xstrdup(line);
	char *save = NULL, *t = strtok_r(copy, " \t", &save);
	long pid;

	for (int i = 0; t != NULL && i < column; i++)
		t = strtok_r(NULL, " \t", &save);
	if (t == NULL)
		return false;
	pid = strtol(t, NULL, 10);
	for (size_t k = 0; k < n; k++)
		if (pids[k] == pid)
			return true;
	return false;
}

static int print_top(const char *out, const pid_t *pids, size_t n,
		     struct berth_error **err)
{
	const char *nl = strchr(out, '\n');
	_cleanup_free_ char *header = NULL;
	int column;

	header = xstrndup(out, nl != NULL ? (size_t)(nl - out) : strlen(out));
	column = pid_column(header);
	if (column < 0)
		return berth_error_set(err, 0,
				       "the output of ps has no PID column: "
				       "use options that show it, such as "
				       "-ef");

	printf("%s\n", header);
	for (const char *line = nl; line != NULL && line[1] != '\0';) {
		_cleanup_free_ char *one = NULL;

		nl = strchr(line + 1, '\n');
		one = xstrndup(line + 1, nl != NULL ? (size_t)(nl - line - 1) :
						      strlen(line + 1));
		if (line_in(one, column, pids, n))
			printf("%s\n", one);
		line = nl;
	}
	return 0;
}

int cmd_top(struct cli_context *ctx, int argc, char **argv)
{
	static char *default_args[] = {"-ef"};
	struct berth_error *err = NULL;
	_cleanup_free_ char *id = NULL, *out = NULL;
	_cleanup_free_ pid_t *pids = NULL;
	struct engine engine;
	size_t n = 0;
	int r;

	if (argc >= 2 &&
	    (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		fputs("Usage: berth top CONTAINER [ps OPTIONS]\n"
		      "\n"
		      "Show the processes of a running container with the "
		      "host's ps(1)\n"
		      "(default options: -ef).\n",
		      stdout);
		return 0;
	}
	if (argc < 2)
		return cli_usage_error("top", "expected CONTAINER");

	cli_engine_init(ctx, &engine);
	r = engine_container_lookup(&engine, argv[1], &id, &err);
	if (r == 0)
		r = engine_container_pids(&engine, id, &pids, &n, &err);
	engine_clear(&engine);
	if (r == 0)
		r = argc > 2 ? run_ps(argv + 2, argc - 2, &out, &err) :
			       run_ps(default_args, 1, &out, &err);
	if (r == 0)
		r = print_top(out, pids, n, &err);
	return r < 0 ? cli_fail(&err) : 0;
}
