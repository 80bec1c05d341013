/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared parts of the sub-commands that run a Compose project: loading
 * it, the dispatch by name, and the output of several containers at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli-util.h"
#include "cli/compose-cli.h"
#include "util/cleanup.h"
#include "util/strv.h"
#include "util/xalloc.h"

int compose_session_open(struct cli_context *ctx,
			 const struct compose_load_options *load, bool seal,
			 struct compose_session *s)
{
	_cleanup_strv_ char **warnings = NULL;
	struct berth_error *err = NULL;
	int r;

	memset(s, 0, sizeof(*s));
	s->ctx = ctx;
	r = compose_project_load(load, &warnings, &s->p, &err);
	for (size_t i = 0; warnings != NULL && warnings[i] != NULL; i++)
		fprintf(stderr, "berth compose: warning: %s\n", warnings[i]);
	if (r < 0)
		return cli_fail(&err);
	if (seal && cli_ensure_sealed(ctx, &err) < 0) {
		compose_project_free(s->p);
		s->p = NULL;
		return cli_fail(&err);
	}
	cli_engine_init(ctx, &s->engine);
	s->engine_ready = true;
	return 0;
}

void compose_session_close(struct compose_session *s)
{
	if (s->engine_ready)
		engine_clear(&s->engine);
	compose_project_free(s->p);
}

struct compose_subcommand {
	const char *name;
	int (*run)(struct compose_session *s, int argc, char **argv);
	bool seal; /* starts container processes */
};

static const struct compose_subcommand subcommands[] = {
	{"build", compose_cmd_build, true},
	{"down", compose_cmd_down, false},
	{"exec", compose_cmd_exec, true},
	{"logs", compose_cmd_logs, false},
	{"ps", compose_cmd_ps, false},
	{"pull", compose_cmd_pull, false},
	{"push", compose_cmd_push, false},
	{"restart", compose_cmd_restart, true},
	{"run", compose_cmd_run, true},
	{"start", compose_cmd_start, true},
	{"stop", compose_cmd_stop, false},
	{"up", compose_cmd_up, true},
};

int compose_command(struct cli_context *ctx,
		    const struct compose_load_options *load, int argc,
		    char **argv)
{
	struct compose_session s;
	int r;

	for (size_t i = 0; i < ARRAY_SIZE(subcommands); i++) {
		if (strcmp(subcommands[i].name, argv[0]) != 0)
			continue;
		r = compose_session_open(ctx, load, subcommands[i].seal, &s);
		if (r == 0)
			r = subcommands[i].run(&s, argc, argv);
		compose_session_close(&s);
		return r < 0 ? 0 : r;
	}
	return -1;
}

/* One container's output, read line by line from a pipe. */
struct log_source {
	const char *service;
	const char *id;
	pid_t pid;
	int fd;
	char *buf;
	size_t len;
};

static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
	(void)sig;
	interrupted = 1;
}

/*
 * A child writes the container's log into the pipe; SIGINT is left to
 * the parent, which decides when the containers stop.
 */
static int log_source_start(struct engine *engine, struct log_source *src,
			    bool follow, struct berth_error **err)
{
	struct engine_logs_options o = {.follow = follow, .tail = -1};
	int fds[2];

	if (pipe2(fds, O_CLOEXEC) < 0)
		return berth_error_set(err, errno, "cannot make a pipe");
	fflush(NULL);
	src->pid = fork();
	if (src->pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return berth_error_set(err, errno, "cannot fork");
	}
	if (src->pid == 0) {
		struct berth_error *child_err = NULL;

		signal(SIGINT, SIG_IGN);
		close(fds[0]);
		if (engine_container_logs(engine, src->id, &o, fds[1], fds[1],
					  &child_err) < 0)
			_exit(cli_fail(&child_err));
		_exit(0);
	}
	close(fds[1]);
	src->fd = fds[0];
	return 0;
}

static void print_lines(struct log_source *src, int width, bool flush_all)
{
	char *start = src->buf;
	char *nl;

	while ((nl = memchr(start, '\n', src->len - (start - src->buf)))) {
		printf("%-*s | %.*s\n", width, src->service, (int)(nl - start),
		       start);
		start = nl + 1;
	}
	src->len -= start - src->buf;
	memmove(src->buf, start, src->len);
	if (flush_all && src->len > 0) {
		printf("%-*s | %.*s\n", width, src->service, (int)src->len,
		       src->buf);
		src->len = 0;
	}
	fflush(stdout);
}

/* Read what is there; returns false at the end of the output. */
static bool log_source_read(struct log_source *src, int width)
{
	ssize_t n;

	src->buf = xrealloc(src->buf, src->len + 4096);
	n = read(src->fd, src->buf + src->len, 4096);
	if (n < 0 && errno == EINTR)
		return true;
	if (n <= 0) {
		print_lines(src, width, true);
		return false;
	}
	src->len += n;
	print_lines(src, width, false);
	return true;
}

static void stop_all(struct engine *engine, const struct log_source *srcs,
		     size_t n)
{
	fprintf(stderr, "Gracefully stopping...\n");
	for (size_t i = 0; i < n; i++) {
		_cleanup_error_ struct berth_error *err = NULL;

		(void)engine_container_stop(engine, srcs[i].id, 0, -1, &err);
	}
}

static void relay(struct engine *engine, struct log_source *srcs, size_t n,
		  int width, bool stop_on_interrupt)
{
	_cleanup_free_ struct pollfd *pfds = xcalloc(n, sizeof(*pfds));
	size_t open_n = n;
	bool stopped = false;

	while (open_n > 0) {
		for (size_t i = 0; i < n; i++) {
			pfds[i].fd = srcs[i].fd;
			pfds[i].events = POLLIN;
		}
		if (poll(pfds, n, -1) < 0 && errno != EINTR)
			break;
		if (interrupted && stop_on_interrupt && !stopped) {
			stopped = true;
			stop_all(engine, srcs, n);
		}
		for (size_t i = 0; i < n; i++) {
			if (srcs[i].fd < 0 || pfds[i].revents == 0)
				continue;
			if (!log_source_read(&srcs[i], width)) {
				close(srcs[i].fd);
				srcs[i].fd = -1;
				open_n--;
			}
		}
	}
}

int compose_logs_attach(struct engine *engine,
			const struct compose_container *list, size_t n,
			bool follow, bool stop_on_interrupt,
			struct berth_error **err)
{
	_cleanup_free_ struct log_source *srcs = xcalloc(n + 1, sizeof(*srcs));
	struct sigaction sa = {.sa_handler = on_interrupt}, old;
	int width = 0;
	int r = 0;

	for (size_t i = 0; i < n; i++) {
		srcs[i].service = list[i].service;
		srcs[i].id = list[i].id;
		srcs[i].fd = -1;
		if ((int)strlen(list[i].service) > width)
			width = strlen(list[i].service);
	}
	interrupted = 0;
	sigaction(SIGINT, &sa, &old);
	for (size_t i = 0; i < n && r == 0; i++)
		r = log_source_start(engine, &srcs[i], follow, err);
	if (r == 0)
		relay(engine, srcs, n, width, stop_on_interrupt);

	for (size_t i = 0; i < n; i++) {
		if (srcs[i].fd >= 0)
			close(srcs[i].fd);
		/* Followers of containers that still run when start failed. */
		if (srcs[i].pid > 0 && r < 0)
			kill(srcs[i].pid, SIGTERM);
		if (srcs[i].pid > 0)
			waitpid(srcs[i].pid, NULL, 0);
		free(srcs[i].buf);
	}
	sigaction(SIGINT, &old, NULL);
	return r;
}
