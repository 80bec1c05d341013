/* SPDX-License-Identifier: GPL-2.0-or-later */
/* start, kill, delete, pause and resume of an existing container. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "runtime/cgroup.h"
#include "runtime/runtime-internal.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"
#include "util/xalloc.h"

#define START_POLL_MS 100
#define KILL_WAIT_MS 10000

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static bool record_alive(const struct runtime_record *r)
{
	return r->state.pid > 0 && r->state.start_time != 0 &&
	       runtime_pid_start_time(r->state.pid) == r->state.start_time;
}

static json_t *record_state_json(const struct runtime_record *r,
				 enum runtime_status status)
{
	struct runtime_state s = r->state;

	s.status = status;
	if (status == RUNTIME_STATUS_STOPPED)
		s.pid = 0;
	return runtime_state_to_json(&s);
}

/*
 * Wait until the init has written its byte to the fifo and then closed
 * it by calling execve, or has died. Before the init opens the fifo,
 * poll reports nothing; after its byte, end of file means execve.
 */
static int read_fifo(const struct runtime_record *r, int fd,
		     struct berth_error **err)
{
	bool got_byte = false;

	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		char byte;
		ssize_t n;

		if (poll(&pfd, 1, START_POLL_MS) < 0 && errno != EINTR)
			return berth_error_set(err, errno, "poll exec fifo");

		if (pfd.revents & (POLLIN | POLLHUP)) {
			n = read(fd, &byte, 1);
			if (n == 1)
				got_byte = true;
			if (n == 0 && got_byte)
				return 0;
			if (n != 0)
				continue;
		}

		/* The process may run and exit before end of file is seen. */
		if (got_byte && !record_alive(r))
			return 0;

		if (!record_alive(r))
			return berth_error_set(err, ESRCH,
					       "the process of container '%s' "
					       "exited before start",
					       r->state.id);
	}
}

int runtime_start(const char *state_root, const char *id,
		  struct berth_error **err)
{
	_cleanup_free_ char *dir = NULL;
	_cleanup_free_ char *fifo = NULL;
	_cleanup_close_ int fd = -1;
	_cleanup_json_ json_t *state = NULL;
	struct runtime_record r;
	enum runtime_status status;
	int ret = -1;

	if (runtime_record_read(state_root, id, &r, err) < 0)
		return -1;

	status = runtime_record_status(state_root, &r);
	if (status != RUNTIME_STATUS_CREATED) {
		berth_error_set(err, 0,
				"container '%s' is not in created state: %s",
				id, runtime_status_name(status));
		goto out;
	}

	dir = runtime_container_dir(state_root, id);
	fifo = fs_path_join(dir, RUNTIME_EXEC_FIFO);
	fd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		berth_error_set(err, errno, "open '%s'", fifo);
		goto out;
	}

	if (read_fifo(&r, fd, err) < 0)
		goto out;

	(void)unlink(fifo);
	ret = 0;

	state = record_state_json(&r, RUNTIME_STATUS_RUNNING);
	hooks_run_json(r.hooks, "poststart", state);
out:
	runtime_record_clear(&r);
	return ret;
}

static int kill_cgroup(const struct runtime_record *r, int signal,
		       struct berth_error **err)
{
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;

	if (r->state.cgroup_path == NULL)
		return 0;

	if (cgroup_pids(r->state.cgroup_path, &pids, &n, err) < 0)
		return -1;

	for (size_t i = 0; i < n; i++)
		(void)kill(pids[i], signal);

	/* Frozen processes act on a signal only once thawed. */
	if (r->paused && signal == SIGKILL)
		(void)cgroup_freeze(r->state.cgroup_path, false, NULL);
	return 0;
}

/*
 * Signal the init through a pidfd taken before the liveness check, so
 * a pid reused after that check cannot receive the signal.
 */
static int signal_init(const struct runtime_record *r, int signal,
		       struct berth_error **err)
{
	_cleanup_close_ int pidfd =
		(int)syscall(SYS_pidfd_open, r->state.pid, 0);
	int ret;

	if (pidfd < 0 && errno != ENOSYS)
		return berth_error_set(err, 0, "container '%s' is not running",
				       r->state.id);

	if (!record_alive(r))
		return berth_error_set(err, 0, "container '%s' is not running",
				       r->state.id);

	if (pidfd >= 0)
		ret = (int)syscall(SYS_pidfd_send_signal, pidfd, signal, NULL,
				   0);
	else
		ret = kill(r->state.pid, signal);

	if (ret < 0)
		return berth_error_set(err, errno,
				       "send signal %d to container '%s'",
				       signal, r->state.id);
	return 0;
}

int runtime_kill(const char *state_root, const char *id, int signal, bool all,
		 struct berth_error **err)
{
	struct runtime_record r;
	enum runtime_status status;
	int ret = 0;

	if (runtime_record_read(state_root, id, &r, err) < 0)
		return -1;

	status = runtime_record_status(state_root, &r);
	if (status == RUNTIME_STATUS_STOPPED ||
	    status == RUNTIME_STATUS_CREATING) {
		ret = berth_error_set(err, 0,
				      "container '%s' is not running: %s", id,
				      runtime_status_name(status));
	} else if (all) {
		ret = kill_cgroup(&r, signal, err);
	} else {
		ret = signal_init(&r, signal, err);
	}

	runtime_record_clear(&r);
	return ret;
}

/*
 * Sleep until the init exits or deadline passes. A pidfd reports the
 * exit; without one (the pid was reused or pidfd_open(2) is missing)
 * this sleeps 10 ms and the caller checks again.
 */
static void wait_init_exit(int pidfd, long deadline)
{
	struct pollfd pfd = {.fd = pidfd, .events = POLLIN};
	long left = deadline - runtime_now_ms();

	if (left <= 0)
		return;

	if (pidfd < 0)
		sleep_ms(left < 10 ? left : 10);
	else
		(void)poll(&pfd, 1, (int)left);
}

/* SIGKILL everything in the container and wait until the init is gone. */
static int kill_and_wait(const struct runtime_record *r,
			 struct berth_error **err)
{
	_cleanup_close_ int pidfd = -1;
	long deadline = runtime_now_ms() + KILL_WAIT_MS;

	/* Opened before the kill, so that the pid cannot be reused. */
	if (record_alive(r))
		pidfd = runtime_pidfd_open(r->state.pid);
	if (pidfd >= 0 && !record_alive(r))
		return 0;

	(void)kill_cgroup(r, SIGKILL, NULL);
	if (record_alive(r))
		(void)kill(r->state.pid, SIGKILL);

	while (record_alive(r)) {
		if (runtime_now_ms() >= deadline)
			return berth_error_set(err, 0,
					       "container '%s' did not exit "
					       "after SIGKILL",
					       r->state.id);
		wait_init_exit(pidfd, deadline);
	}
	return 0;
}

static int delete_record(const char *state_root, const struct runtime_record *r,
			 struct berth_error **err)
{
	_cleanup_free_ char *dir =
		runtime_container_dir(state_root, r->state.id);
	_cleanup_json_ json_t *state = NULL;

	if (kill_and_wait(r, err) < 0)
		return -1;

	if (r->state.cgroup_path != NULL &&
	    cgroup_destroy(r->state.cgroup_path, err) < 0)
		return -1;

	state = record_state_json(r, RUNTIME_STATUS_STOPPED);
	hooks_run_json(r->hooks, "poststop", state);

	return fs_rm_rf(dir, err);
}

/*
 * The runtime-spec makes deleting a container that is not stopped an
 * error without effect, a created one included (runc deletes that one).
 */
int runtime_delete(const char *state_root, const char *id, bool force,
		   struct berth_error **err)
{
	struct runtime_record r;
	enum runtime_status status;
	int ret;

	if (runtime_record_read(state_root, id, &r, err) < 0)
		return -1;

	status = runtime_record_status(state_root, &r);
	if (!force && status != RUNTIME_STATUS_STOPPED)
		ret = berth_error_set(err, 0,
				      "cannot delete container '%s' that is "
				      "not stopped: %s, stop it first or use "
				      "--force",
				      id, runtime_status_name(status));
	else
		ret = delete_record(state_root, &r, err);

	runtime_record_clear(&r);
	return ret;
}

int runtime_pause(const char *state_root, const char *id, bool paused,
		  struct berth_error **err)
{
	struct runtime_record r;
	enum runtime_status status;
	int ret = -1;

	if (runtime_record_read(state_root, id, &r, err) < 0)
		return -1;

	status = runtime_record_status(state_root, &r);
	if (paused && status != RUNTIME_STATUS_RUNNING &&
	    status != RUNTIME_STATUS_CREATED)
		berth_error_set(err, 0, "container '%s' is not running: %s", id,
				runtime_status_name(status));
	else if (!paused && status != RUNTIME_STATUS_PAUSED)
		berth_error_set(err, 0, "container '%s' is not paused: %s", id,
				runtime_status_name(status));
	else if (r.state.cgroup_path == NULL)
		berth_error_set(err, ENOTSUP, "container '%s' has no cgroup",
				id);
	else if (cgroup_freeze(r.state.cgroup_path, paused, err) == 0)
		ret = 0;

	if (ret == 0) {
		r.paused = paused;
		ret = runtime_record_write(state_root, &r, err);
	}

	runtime_record_clear(&r);
	return ret;
}

int runtime_pids(const char *state_root, const char *id, pid_t **ret_pids,
		 size_t *ret_n, struct berth_error **err)
{
	struct runtime_record r;
	int ret = 0;

	if (runtime_record_read(state_root, id, &r, err) < 0)
		return -1;

	if (r.state.cgroup_path == NULL) {
		*ret_pids = NULL;
		*ret_n = 0;
	} else {
		ret = cgroup_pids(r.state.cgroup_path, ret_pids, ret_n, err);
	}

	runtime_record_clear(&r);
	return ret;
}

int runtime_load_spec(const char *state_root, const char *id, struct spec **ret,
		      struct berth_error **err)
{
	_cleanup_free_ char *path = NULL;
	struct runtime_record r;
	int ret_code;

	if (runtime_record_read(state_root, id, &r, err) < 0)
		return -1;

	path = fs_path_join(r.state.bundle, "config.json");
	ret_code = spec_load(path, ret, err);
	runtime_record_clear(&r);
	return ret_code;
}
