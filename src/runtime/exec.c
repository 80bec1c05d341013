/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * runtime_exec(): run another process in a container. The caller points
 * its pid_for_children at the container's pid namespace around fork(),
 * so the new process is inside that namespace and a direct child of
 * the caller. The child joins the cgroup and the other namespaces, then
 * sets up its process as the init does. A failure before execve comes
 * back over a close-on-exec pipe: EOF there means execve succeeded.
 *
 * A terminal comes from the container's own /dev/ptmx, so that the
 * process sees its slave in the container's /dev/pts as runc's exec
 * does. The parent connects to the console socket before fork; the
 * child sends the master over that connection once it is inside.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/cgroup.h"
#include "runtime/process.h"
#include "runtime/runtime-internal.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

struct exec_ctx {
	const struct runtime_exec_options *opts;
	const struct spec *spec; /* the container's config.json */
	const struct runtime_record *record;
	int console_sock;  /* connected console socket, or -1 */
	int console_slave; /* in the child */
	int error_fd;	   /* write end in the child */
};

static int exec_setup_stdio(const struct exec_ctx *c, struct berth_error **err)
{
	const struct spec_process *p = c->opts->process;

	if (c->console_slave >= 0)
		return terminal_setup_slave(c->console_slave, p->console_width,
					    p->console_height, err);

	return runtime_dup_stdio(c->opts->stdio, err);
}

/* Enter the container's root: setns(mnt) alone misses a chroot'ed one. */
static int enter_container(const struct exec_ctx *c, struct berth_error **err)
{
	pid_t pid = c->record->state.pid;
	_cleanup_free_ char *root_path = NULL;
	_cleanup_close_ int root = -1;

	if (c->record->state.cgroup_path != NULL &&
	    cgroup_enter(c->record->state.cgroup_path, getpid(), err) < 0)
		return -1;

	xasprintf(&root_path, "/proc/%d/root", (int)pid);
	root = open(root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return berth_error_set(err, errno, "open '%s'", root_path);

	if (namespaces_join_process(pid, err) < 0)
		return -1;

	if (fchdir(root) < 0 || chroot(".") < 0 || chdir("/") < 0)
		return berth_error_set(err, errno,
				       "change to the container's root");
	return 0;
}

/* Inside the container: open a terminal and hand its master out. */
static int open_container_terminal(struct exec_ctx *c, struct berth_error **err)
{
	_cleanup_free_ char *slave_path = NULL;
	_cleanup_close_ int master = -1;

	if (terminal_create(&master, &slave_path, err) < 0)
		return -1;

	c->console_slave = terminal_open_slave(slave_path, err);
	if (c->console_slave < 0)
		return -1;

	return terminal_send_master(c->console_sock, master, err);
}

static int exec_child_steps(struct exec_ctx *c, struct berth_error **err)
{
	const struct spec_process *p = c->opts->process;
	_cleanup_free_ char *path = NULL;

	if (enter_container(c, err) < 0)
		return -1;

	if (c->console_sock >= 0 && open_container_terminal(c, err) < 0)
		return -1;

	if (exec_setup_stdio(c, err) < 0)
		return -1;

	if (process_find_executable(p, &path, err) < 0 ||
	    process_apply_rlimits(p, err) < 0 ||
	    process_set_oom_score_adj(p, err) < 0)
		return -1;

	for (unsigned int i = 0; i < c->opts->preserve_fds; i++) {
		int fd = 3 + (int)i;
		int flags = fcntl(fd, F_GETFD);

		if (flags >= 0 && fd != c->error_fd)
			(void)fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
	}
	runtime_close_fds_on_exec(3 + c->opts->preserve_fds);

	return process_exec(p, path, c->opts->create_cwd,
			    c->spec->linux.seccomp, err);
}

__attribute__((noreturn)) static void exec_child(struct exec_ctx *c)
{
	struct berth_error *err = NULL;
	sigset_t none;

	for (int sig = 1; sig < _NSIG; sig++)
		(void)signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	exec_child_steps(c, &err);
	sync_send(c->error_fd, SYNC_ERROR, 0, err);
	_exit(err != NULL && err->status != 0 ? err->status : 1);
}

static int fork_in_container(struct exec_ctx *c, int *ret_error_fd,
			     pid_t *ret_pid, struct berth_error **err)
{
	_cleanup_free_ char *pidns = NULL;
	_cleanup_close_ int saved = -1;
	_cleanup_close_ int r_fd = -1, w_fd = -1;
	int fds[2], fork_errno;
	pid_t pid;

	/* A SOCK_SEQPACKET pair keeps the error message in one piece. */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0)
		return berth_error_set(err, errno, "create sync socket");
	r_fd = fds[0];
	w_fd = fds[1];

	xasprintf(&pidns, "/proc/%d/ns/pid", (int)c->record->state.pid);
	if (namespaces_enter_pid(pidns, &saved, err) < 0)
		return -1;

	pid = fork();
	if (pid == 0) {
		close(r_fd);
		c->error_fd = w_fd;
		exec_child(c);
	}
	fork_errno = errno;

	if (namespaces_restore_pid(saved, err) < 0) {
		if (pid > 0)
			runtime_kill_child(pid);
		return -1;
	}

	if (pid < 0)
		return berth_error_set(err, fork_errno, "fork");

	*ret_error_fd = TAKE_FD(r_fd);
	*ret_pid = pid;
	return 0;
}

static int wait_exec(int error_fd, pid_t pid, struct berth_error **err)
{
	struct sync_msg msg;
	ssize_t n;

	do {
		n = recv(error_fd, &msg, sizeof(msg), 0);
	} while (n < 0 && errno == EINTR);

	if (n == 0)
		return 0;

	/* An error message or a failed recv: the child exits, or is made to. */
	if (n != (ssize_t)sizeof(msg) ||
	    runtime_reap_child(pid, RUNTIME_KILL_WAIT_MS, NULL) < 0)
		runtime_kill_child(pid);

	if (n != (ssize_t)sizeof(msg))
		return berth_error_set(err, EPIPE,
				       "the exec process failed during setup");

	msg.msg[sizeof(msg.msg) - 1] = '\0';
	return berth_error_set_status(err, msg.status, msg.errnum, "%s",
				      msg.msg);
}

static int wait_status(pid_t pid, struct berth_error **err)
{
	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return berth_error_set(err, errno, "wait for pid %d",
					       (int)pid);
	}

	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static int exec_run(struct exec_ctx *c, pid_t *ret_pid, int *ret_status,
		    struct berth_error **err)
{
	const struct runtime_exec_options *o = c->opts;
	_cleanup_close_ int error_fd = -1;
	pid_t pid = -1;
	int status;

	if (o->process->terminal && o->console_socket == NULL)
		return berth_error_set(err, EINVAL,
				       "--console-socket is required when "
				       "process.terminal is true");

	if (o->process->terminal) {
		c->console_sock = terminal_connect(o->console_socket, err);
		if (c->console_sock < 0)
			return -1;
	}

	if (fork_in_container(c, &error_fd, &pid, err) < 0)
		return -1;

	if (wait_exec(error_fd, pid, err) < 0)
		return -1;

	if (o->pid_file != NULL &&
	    runtime_write_pid_file(o->pid_file, pid, err) < 0) {
		runtime_kill_child(pid);
		return -1;
	}

	if (!o->detach) {
		status = wait_status(pid, err);
		if (status < 0)
			return -1;
		if (ret_status != NULL)
			*ret_status = status;
	}

	if (ret_pid != NULL)
		*ret_pid = pid;
	return 0;
}

int runtime_exec(const char *state_root, const char *id,
		 const struct runtime_exec_options *opts, pid_t *ret_pid,
		 int *ret_status, struct berth_error **err)
{
	_cleanup_spec_ struct spec *spec = NULL;
	struct runtime_exec_options granted_opts = *opts;
	struct spec_process granted_process = *opts->process;
	struct runtime_record r;
	struct exec_ctx c = {
		.opts = &granted_opts, .console_sock = -1, .console_slave = -1};
	enum runtime_status status;
	int ret = -1;

	if (runtime_record_read(state_root, id, &r, err) < 0)
		return -1;

	if (granted_process.has_capabilities)
		runtime_drop_unbounded_capabilities(
			&granted_process.capabilities);
	granted_opts.process = &granted_process;

	status = runtime_record_status(state_root, &r);
	if (status != RUNTIME_STATUS_RUNNING &&
	    status != RUNTIME_STATUS_CREATED)
		berth_error_set(err, 0,
				"cannot exec in container '%s': it is %s", id,
				runtime_status_name(status));
	else if (runtime_load_spec(state_root, id, &spec, err) == 0) {
		c.spec = spec;
		c.record = &r;
		ret = exec_run(&c, ret_pid, ret_status, err);
	}

	if (c.console_sock >= 0)
		close(c.console_sock);
	runtime_record_clear(&r);
	return ret;
}
