/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The container init between clone and execve. It runs as a child of
 * the create call and reports to it over the sync socket. It waits for
 * SYNC_GO (cgroup joined, id maps written) and sets up its namespaces
 * and file system. It sends SYNC_HOOKS and waits while the parent runs
 * the prestart and createRuntime hooks. Then it runs the createContainer
 * hooks, prepares the process and sends SYNC_READY. Last, it blocks on
 * the exec fifo until "start" opens it. Any failure before SYNC_READY travels
 * back as SYNC_ERROR, so create fails with the init's own message and
 * exit status.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runtime/process.h"
#include "runtime/rootfs.h"
#include "runtime/runtime-internal.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

#define KEYCTL_JOIN_SESSION_KEYRING 1

int sync_send(int fd, enum sync_type type, pid_t pid,
	      const struct berth_error *error)
{
	struct sync_msg msg = {.type = type, .pid = pid};

	if (error != NULL) {
		msg.errnum = error->errnum;
		msg.status = error->status;
		snprintf(msg.msg, sizeof(msg.msg), "%s", error->msg);
	}

	while (send(fd, &msg, sizeof(msg), MSG_NOSIGNAL) < 0) {
		if (errno != EINTR)
			return -1;
	}
	return 0;
}

int sync_recv(int fd, struct sync_msg *ret, struct berth_error **err)
{
	ssize_t n;

	do {
		n = recv(fd, ret, sizeof(*ret), 0);
	} while (n < 0 && errno == EINTR);

	if (n < 0)
		return berth_error_set(err, errno,
				       "read from the container init");
	if (n != (ssize_t)sizeof(*ret))
		return berth_error_set(err, EPIPE,
				       "the container init exited during "
				       "setup");
	ret->msg[sizeof(ret->msg) - 1] = '\0';
	return 0;
}

void runtime_close_fds_on_exec(unsigned int first)
{
	if (syscall(SYS_close_range, first, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return;

	/* Kernels before 5.11 lack CLOSE_RANGE_CLOEXEC: mark them one by one. */
	for (int fd = (int)first; fd < 65536; fd++)
		(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
}

int runtime_dup_stdio(const int stdio[3], struct berth_error **err)
{
	for (int i = 0; i <= STDERR_FILENO; i++) {
		int fd = stdio[i];

		if (fd < 0)
			continue;

		/* dup2 clears FD_CLOEXEC, but not when both numbers match. */
		if (fd == i && fcntl(fd, F_SETFD, 0) < 0)
			return berth_error_set(err, errno,
					       "keep fd %d across exec", fd);

		if (fd != i && dup2(fd, i) < 0)
			return berth_error_set(err, errno, "use fd %d as fd %d",
					       fd, i);
	}
	return 0;
}

static void reset_signals(void)
{
	sigset_t all;

	for (int sig = 1; sig < _NSIG; sig++)
		(void)signal(sig, SIG_DFL);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
}

static int setup_stdio(const struct init_args *a, struct berth_error **err)
{
	const struct spec_process *p = a->spec->process;

	if (a->console_path != NULL) {
		_cleanup_close_ int fd =
			terminal_open_slave(a->console_path, err);

		if (fd < 0)
			return -1;
		return terminal_setup_slave(fd, p->console_width,
					    p->console_height, err);
	}

	/* runc starts a new session for the container in every case. */
	if (setsid() < 0)
		return berth_error_set(err, errno, "start a new session");

	return runtime_dup_stdio(a->opts->stdio, err);
}

static int set_names(const struct spec *spec, struct berth_error **err)
{
	bool own_uts = spec_find_namespace(spec, CLONE_NEWUTS) != NULL;
	const char *h = spec->hostname, *d = spec->domainname;

	if ((h != NULL && h[0] != '\0') || (d != NULL && d[0] != '\0')) {
		if (!own_uts)
			return berth_error_set(err, EINVAL,
					       "hostname and domainname need a "
					       "uts namespace in "
					       "linux.namespaces");
	}

	if (h != NULL && h[0] != '\0' && sethostname(h, strlen(h)) < 0)
		return berth_error_set(err, errno, "set hostname '%s'", h);

	if (d != NULL && d[0] != '\0' && setdomainname(d, strlen(d)) < 0)
		return berth_error_set(err, errno, "set domainname '%s'", d);
	return 0;
}

/*
 * In a new user namespace this process still runs as host root, which
 * the maps usually leave unmapped, so files it creates would fail with
 * EOVERFLOW. Becoming the namespace's root fixes that and keeps the
 * capabilities. Without a mapping for 0 the ids stay as they are.
 */
static int become_userns_root(struct berth_error **err)
{
	if (setresgid(0, 0, 0) < 0 && errno != EINVAL)
		return berth_error_set(err, errno,
				       "switch to gid 0 in the user namespace");

	if (setresuid(0, 0, 0) < 0 && errno != EINVAL)
		return berth_error_set(err, errno,
				       "switch to uid 0 in the user namespace");
	return 0;
}

static int join_namespaces(const struct init_args *a, struct berth_error **err)
{
	if (a->new_userns && become_userns_root(err) < 0)
		return -1;

	/*
	 * The cgroup namespace is created only now, after the parent moved
	 * this process into its cgroup, so that cgroup becomes its root.
	 */
	if (a->new_cgroupns && unshare(CLONE_NEWCGROUP) < 0)
		return berth_error_set(err, errno,
				       "create the cgroup namespace");

	if (namespaces_join_paths(a->spec, err) < 0 ||
	    namespaces_loopback_up(a->spec, err) < 0)
		return -1;

	/* A new session keyring keeps the host's keys out of reach. */
	if (!a->opts->no_new_keyring &&
	    syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0 &&
	    errno != ENOSYS && errno != EPERM)
		return berth_error_set(err, errno, "create a session keyring");
	return 0;
}

/* Build the state that hooks run by the init read on their stdin. */
static json_t *init_state(const struct init_args *a, pid_t pid)
{
	struct runtime_state s = {
		.id = (char *)a->id,
		.status = RUNTIME_STATUS_CREATED,
		.pid = pid,
		.bundle = (char *)a->bundle,
		.rootfs = (char *)a->rootfs,
		.created = "",
		.owner = "",
		.annotations = a->spec->annotations,
	};

	return runtime_state_to_json(&s);
}

/* Everything up to SYNC_READY; returns the exec fifo (O_PATH) fd. */
static int init_setup(const struct init_args *a, char **ret_path,
		      json_t **ret_state, struct berth_error **err)
{
	const struct spec_process *p = a->spec->process;
	struct sync_msg msg;

	if (sync_recv(a->sync_fd, &msg, err) < 0 || msg.type != SYNC_GO)
		return berth_error_set(err, EPIPE, "the runtime exited");

	*ret_state = init_state(a, msg.pid);

	if (join_namespaces(a, err) < 0 || setup_stdio(a, err) < 0 ||
	    set_names(a->spec, err) < 0)
		return -1;

	if (rootfs_setup(a->spec, a->rootfs, a->console_path, a->opts->no_pivot,
			 err) < 0)
		return -1;

	if (sync_send(a->sync_fd, SYNC_HOOKS, 0, NULL) < 0 ||
	    sync_recv(a->sync_fd, &msg, err) < 0 || msg.type != SYNC_HOOKS_DONE)
		return berth_error_set(err, EPIPE, "the runtime exited");

	/*
	 * NOTE: the runtime-spec runs createContainer hooks before
	 * pivot_root; they run here, after it, in the container's root.
	 */
	if (hooks_run(&a->spec->hooks.create_container, "createContainer",
		      *ret_state, err) < 0)
		return -1;

	if (process_find_executable(p, ret_path, err) < 0 ||
	    process_apply_rlimits(p, err) < 0 ||
	    process_set_oom_score_adj(p, err) < 0)
		return -1;

	return a->fifo_fd;
}

static void keep_preserved_fds(unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		int fd = 3 + (int)i;
		int flags = fcntl(fd, F_GETFD);

		if (flags >= 0)
			(void)fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
	}
	runtime_close_fds_on_exec(3 + n);
}

/*
 * Wait for "start": opening the fifo for writing blocks until start
 * opens it for reading. The fifo is reopened through /proc/self/fd
 * because its path is outside the new root.
 */
static int wait_for_start(int fifo, struct berth_error **err)
{
	_cleanup_free_ char *path = NULL;
	int fd;

	xasprintf(&path, "/proc/self/fd/%d", fifo);
	do {
		fd = open(path, O_WRONLY | O_CLOEXEC);
	} while (fd < 0 && errno == EINTR);

	if (fd < 0)
		return berth_error_set(err, errno,
				       "open the exec fifo (the container "
				       "needs /proc mounted)");
	return fd;
}

void container_init(const struct init_args *a)
{
	struct berth_error *err = NULL;
	_cleanup_free_ char *path = NULL;
	json_t *state = NULL;
	int fifo, start_fd;

	reset_signals();

	fifo = init_setup(a, &path, &state, &err);
	if (fifo < 0) {
		sync_send(a->sync_fd, SYNC_ERROR, 0, err);
		_exit(err != NULL && err->status != 0 ? err->status : 1);
	}

	keep_preserved_fds(a->opts->preserve_fds);
	if (sync_send(a->sync_fd, SYNC_READY, 0, NULL) < 0)
		_exit(1);

	/* A failed startContainer hook stops the container. */
	/*
	 * start reads the byte, then waits for end of file: the write end
	 * closes at execve (O_CLOEXEC), so start returns once the process
	 * runs.
	 */
	start_fd = wait_for_start(fifo, &err);
	if (start_fd >= 0 && hooks_run(&a->spec->hooks.start_container,
				       "startContainer", state, &err) == 0) {
		if (write(start_fd, "0", 1) == 1)
			process_exec(a->spec->process, path, true,
				     a->spec->linux.seccomp, &err);
		else
			berth_error_set(&err, errno, "write the exec fifo");
	}

	_exit(berth_error_report(&err, "berth-runtime", stderr));
}
