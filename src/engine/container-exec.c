/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * engine_container_exec(): a new process in a running container, with
 * the init's capabilities, limits and environment unless the options
 * set others.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "engine/console.h"
#include "engine/container-state.h"
#include "engine/container-store.h"
#include "engine/env.h"
#include "engine/relay.h"
#include "engine/user.h"
#include "runtime/runtime.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"
#include "util/xalloc.h"

static int set_user(struct spec_process *p, pid_t init_pid, const char *spec,
		    struct berth_error **err)
{
	_cleanup_close_ int rootfd = -1;
	_cleanup_free_ char *home = NULL;
	struct user_ids ids = {0};
	char root[64];

	snprintf(root, sizeof(root), "/proc/%d/root", (int)init_pid);
	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return berth_error_set(err, errno, "open '%s'", root);

	if (user_resolve(rootfd, spec, &ids, err) < 0)
		return -1;

	/* As run: HOME from the user's passwd entry, "/" without one. */
	xasprintf(&home, "HOME=%s", ids.home != NULL ? ids.home : "/");
	if (env_set(&p->env, home, err) < 0) {
		user_ids_clear(&ids);
		return -1;
	}

	free(p->user.additional_gids);
	p->user.uid = ids.uid;
	p->user.gid = ids.gid;
	p->user.additional_gids = TAKE_PTR(ids.groups);
	p->user.n_additional_gids = ids.n_groups;
	user_ids_clear(&ids);
	return 0;
}

static int prepare_process(struct spec_process *p, pid_t init_pid,
			   const struct engine_exec_options *opts,
			   struct berth_error **err)
{
	strv_free(p->args);
	p->args = strv_copy(opts->args);
	p->terminal = opts->tty;

	if (opts->tty && env_set(&p->env, "TERM=xterm", err) < 0)
		return -1;

	/* Before -e, which may set HOME itself. */
	if (opts->user != NULL && set_user(p, init_pid, opts->user, err) < 0)
		return -1;

	for (size_t i = 0; opts->env != NULL && opts->env[i] != NULL; i++)
		if (env_set(&p->env, opts->env[i], err) < 0)
			return -1;

	if (opts->workdir != NULL) {
		if (opts->workdir[0] != '/')
			return berth_error_set(err, 0,
					       "invalid working directory "
					       "'%s': it must be absolute",
					       opts->workdir);
		free(p->cwd);
		p->cwd = xstrdup(opts->workdir);
	}
	return 0;
}

/* Relay the exec's terminal until it exits; returns its wait status. */
static int relay_terminal(pid_t pid, struct console_socket *console,
			  bool interactive, int *ret_status,
			  struct berth_error **err)
{
	_cleanup_close_ int master = -1;
	struct termios saved;
	bool raw;
	int r;
	struct relay relay = {
		.pid = pid,
		.err_fd = -1,
		.input_fd = interactive ? STDIN_FILENO : -1,
		.term_out = STDOUT_FILENO,
		.term_err = -1,
		.log_fd = -1,
	};

	if (console_receive(console->fd, &master, err) < 0)
		return -1;
	console_socket_close(console);

	console_copy_size(STDIN_FILENO, master);
	relay.out_fd = master;
	relay.in_fd = master;
	relay.console_fd = master;

	raw = interactive && console_make_raw(STDIN_FILENO, &saved);
	r = relay_run(&relay, ret_status, err);
	if (raw)
		console_restore(STDIN_FILENO, &saved);
	return r;
}

static int run_process(struct engine *engine, const char *id,
		       const struct spec_process *p,
		       const struct engine_exec_options *opts, int *ret_status,
		       struct berth_error **err)
{
	struct console_socket console = {.fd = -1};
	_cleanup_close_ int null_fd = -1;
	struct runtime_exec_options o = {
		.process = p,
		.stdio = {-1, -1, -1},
		.detach = true,
	};
	struct relay relay = {.out_fd = -1,
			      .err_fd = -1,
			      .in_fd = -1,
			      .input_fd = -1,
			      .term_out = -1,
			      .term_err = -1,
			      .log_fd = -1,
			      .console_fd = -1};
	pid_t pid;
	int r;

	if (opts->tty) {
		if (console_socket_open(&console, err) < 0) {
			console_socket_close(&console);
			return -1;
		}
		o.console_socket = console.path;
	} else if (opts->detach) {
		/* A detached process must not hold this command's output. */
		null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		for (size_t i = 0; i < 3; i++)
			o.stdio[i] = null_fd;
	} else if (!opts->interactive) {
		null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		o.stdio[0] = null_fd;
	}

	if (runtime_exec(engine->state_root, id, &o, &pid, NULL, err) < 0) {
		console_socket_close(&console);
		return -1;
	}

	if (opts->detach) {
		*ret_status = 0;
		return 0;
	}

	if (opts->tty) {
		r = relay_terminal(pid, &console, opts->interactive, ret_status,
				   err);
		console_socket_close(&console);
		return r;
	}

	relay.pid = pid;
	return relay_run(&relay, ret_status, err);
}

int engine_container_exec(struct engine *engine, const char *id,
			  const struct engine_exec_options *opts,
			  int *ret_status, struct berth_error **err)
{
	_cleanup_spec_ struct spec *spec = NULL;
	struct container_state state;
	sigset_t old;
	int status = 0, r;

	if (container_state_get(engine, id, &state, err) < 0)
		return -1;

	if (state.status != CONTAINER_STATUS_RUNNING)
		return container_not_running(engine, id, err);

	if (runtime_load_spec(engine->state_root, id, &spec, err) < 0 ||
	    prepare_process(spec->process, state.pid, opts, err) < 0)
		return -1;

	relay_block_signals(&old);
	r = run_process(engine, id, spec->process, opts, &status, err);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (r < 0)
		return -1;

	*ret_status = opts->detach ? 0 : relay_exit_code(status);
	return 0;
}
