/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "runtime/runtime-internal.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"
#include "util/xalloc.h"

#define HOOK_OUTPUT_MAX 4096

struct hook_run {
	pid_t pid;
	int out_fd; /* the hook's stdout and stderr */
	char output[HOOK_OUTPUT_MAX];
	size_t output_len;
};

/*
 * Start the hook with the state already sitting in its stdin pipe. The
 * pipe is grown to hold all of it, so writing before the fork never
 * blocks. A hook that exits without reading its stdin then cannot raise
 * SIGPIPE here either.
 */
static int hook_spawn(const struct spec_hook *hook, const char *state_text,
		      struct hook_run *run, struct berth_error **err)
{
	_cleanup_close_ int in_r = -1, in_w = -1, out_r = -1, out_w = -1;
	int fds[2];
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return berth_error_set(err, errno, "create pipe");
	in_r = fds[0];
	in_w = fds[1];

	if (pipe2(fds, O_CLOEXEC) < 0)
		return berth_error_set(err, errno, "create pipe");
	out_r = fds[0];
	out_w = fds[1];

	if (strlen(state_text) > PIPE_BUF &&
	    fcntl(in_w, F_SETPIPE_SZ, (int)strlen(state_text)) < 0)
		return berth_error_set(err, errno,
				       "state of %zu bytes does not fit in a "
				       "pipe for the hook's stdin, shorten "
				       "the annotations",
				       strlen(state_text));

	if (fs_write_all(in_w, state_text, strlen(state_text), err) < 0)
		return -1;
	close(TAKE_FD(in_w));

	pid = fork();
	if (pid < 0)
		return berth_error_set(err, errno, "fork hook '%s'",
				       hook->path);

	if (pid == 0) {
		char *const none[] = {NULL};
		char *const self[] = {hook->path, NULL};

		if (dup2(in_r, STDIN_FILENO) < 0 ||
		    dup2(out_w, STDOUT_FILENO) < 0 ||
		    dup2(out_w, STDERR_FILENO) < 0)
			_exit(127);
		execve(hook->path, hook->args != NULL ? hook->args : self,
		       hook->env != NULL ? hook->env : none);
		dprintf(STDERR_FILENO, "exec '%s': %s", hook->path,
			strerror(errno));
		_exit(127);
	}

	run->pid = pid;
	run->out_fd = TAKE_FD(out_r);
	run->output_len = 0;
	return 0;
}

/* Append one read of the hook's output; false at end of file or error. */
static bool hook_read_output(struct hook_run *run)
{
	char buf[512];
	ssize_t n;

	do {
		n = read(run->out_fd, buf, sizeof(buf));
	} while (n < 0 && errno == EINTR);

	if (n < 0 && errno == EAGAIN)
		return true;
	if (n <= 0)
		return false;

	if (run->output_len + (size_t)n < sizeof(run->output) - 1) {
		memcpy(run->output + run->output_len, buf, (size_t)n);
		run->output_len += (size_t)n;
	}
	return true;
}

/* Take what the exited hook left in the pipe, without waiting for more. */
static void hook_drain_output(struct hook_run *run)
{
	int flags = fcntl(run->out_fd, F_GETFL);

	if (flags < 0 || fcntl(run->out_fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return;

	while (run->output_len < sizeof(run->output) - 1) {
		size_t before = run->output_len;

		if (!hook_read_output(run) || run->output_len == before)
			return;
	}
}

/*
 * Collect the hook's output until the hook exits, or the deadline
 * passes (false). A process the hook left running in the background may
 * hold its stdout open for good, so the hook's exit, seen on its pidfd,
 * ends the wait and the hook is reaped at once. Without pidfds (before
 * Linux 5.3) end of file on the output ends it.
 */
static bool hook_collect(struct hook_run *run, long deadline)
{
	_cleanup_close_ int pidfd = runtime_pidfd_open(run->pid);
	bool out_open = true;

	for (;;) {
		struct pollfd pfd[2] = {
			{.fd = out_open ? run->out_fd : -1, .events = POLLIN},
			{.fd = pidfd, .events = POLLIN},
		};
		int timeout = -1;

		if (deadline > 0) {
			timeout = (int)(deadline - runtime_now_ms());
			if (timeout <= 0)
				return false;
		}

		if (poll(pfd, 2, timeout) < 0 && errno != EINTR)
			return true;

		if (pfd[0].revents != 0 && !hook_read_output(run))
			out_open = false;

		if (pfd[1].revents != 0) {
			if (out_open)
				hook_drain_output(run);
			return true;
		}

		if (!out_open && pidfd < 0)
			return true;
	}
}

/* Reap the hook that hook_collect() saw exit, within the deadline. */
static bool hook_reap(const struct hook_run *run, long deadline, int *status)
{
	long remaining = -1;

	if (deadline > 0) {
		remaining = deadline - runtime_now_ms();
		if (remaining < 0)
			remaining = 0;
	}
	return runtime_reap_child(run->pid, (int)remaining, status) == 0;
}

static int hook_run_one(const struct spec_hook *hook, const char *stage,
			const char *state_text, struct berth_error **err)
{
	struct hook_run run = {.pid = -1, .out_fd = -1};
	long deadline = hook->timeout > 0 ?
				runtime_now_ms() + hook->timeout * 1000L :
				0;
	bool finished;
	int status = 0;

	if (hook_spawn(hook, state_text, &run, err) < 0)
		return berth_error_wrap(err, "run %s hook", stage);

	finished = hook_collect(&run, deadline) &&
		   hook_reap(&run, deadline, &status);
	close(run.out_fd);
	if (!finished)
		runtime_kill_child(run.pid);

	run.output[run.output_len] = '\0';
	if (!finished)
		return berth_error_set(err, ETIMEDOUT,
				       "%s hook '%s' timed out after %d s",
				       stage, hook->path, hook->timeout);

	if (WIFSIGNALED(status))
		return berth_error_set(
			err, 0, "%s hook '%s' killed by signal %d: %s", stage,
			hook->path, WTERMSIG(status), run.output);

	if (WEXITSTATUS(status) != 0)
		return berth_error_set(
			err, 0, "%s hook '%s' failed with status %d: %s", stage,
			hook->path, WEXITSTATUS(status), run.output);
	return 0;
}

int hooks_run(const struct spec_hook_list *list, const char *stage,
	      const json_t *state, struct berth_error **err)
{
	_cleanup_free_ char *text = NULL;

	if (list == NULL || list->n_hooks == 0)
		return 0;

	text = json_dumps(state, JSON_COMPACT);
	if (text == NULL)
		return berth_error_set(err, ENOMEM,
				       "serialize state for hooks");

	for (size_t i = 0; i < list->n_hooks; i++) {
		if (hook_run_one(&list->hooks[i], stage, text, err) < 0)
			return -1;
	}
	return 0;
}

json_t *hooks_list_to_json(const struct spec_hook_list *list)
{
	json_t *a = json_array();

	for (size_t i = 0; i < list->n_hooks; i++) {
		const struct spec_hook *h = &list->hooks[i];
		json_t *o = json_object();

		json_object_set_new(o, "path", json_string(h->path));
		if (h->args != NULL)
			json_object_set_new(o, "args",
					    json_strv_array(h->args));
		if (h->env != NULL)
			json_object_set_new(o, "env", json_strv_array(h->env));
		json_object_set_new(o, "timeout", json_integer(h->timeout));
		json_array_append_new(a, o);
	}
	return a;
}

static int hook_from_json(const json_t *o, const char *where,
			  struct spec_hook *h, struct berth_error **err)
{
	const char *path = NULL;
	int64_t timeout = 0;

	if (json_get_string(o, "path", where, &path, err) < 0 ||
	    json_get_strv_opt(o, "args", where, &h->args, err) < 0 ||
	    json_get_strv_opt(o, "env", where, &h->env, err) < 0 ||
	    json_get_int64_opt(o, "timeout", where, &timeout, err) < 0)
		return -1;

	h->path = xstrdup(path);
	h->timeout = (int)timeout;
	return 0;
}

static void hook_clear(struct spec_hook *h)
{
	free(h->path);
	strv_free(h->args);
	strv_free(h->env);
}

/*
 * The runtime-spec makes a failed poststart or poststop hook a warning,
 * after which the remaining hooks still run.
 */
void hooks_run_json(const json_t *hooks, const char *stage, const json_t *state)
{
	const json_t *list =
		hooks != NULL ? json_object_get(hooks, stage) : NULL;
	size_t i;
	json_t *o;

	if (!json_is_array(list))
		return;

	json_array_foreach (list, i, o) {
		struct spec_hook h = {0};
		struct spec_hook_list one = {.hooks = &h, .n_hooks = 1};
		struct berth_error *err = NULL;

		if (hook_from_json(o, stage, &h, &err) < 0 ||
		    hooks_run(&one, stage, state, &err) < 0) {
			_cleanup_free_ char *text = berth_error_text(err);

			log_warning("%s, ignoring", text);
			berth_error_free(&err);
		}
		hook_clear(&h);
	}
}
