/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Starting a container: under a detached monitor (double fork, setsid,
 * child subreaper) or with this process as the monitor.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <malloc.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/container-state.h"
#include "engine/container-store.h"
#include "engine/monitor.h"
#include "util/cleanup.h"
#include "util/lock.h"

/* The descriptor number the report pipe gets in the monitor. */
#define MONITOR_REPORT_FD 3

static void redirect_stdio(void)
{
	int null = open("/dev/null", O_RDWR);

	if (null < 0)
		return;
	for (int fd = 0; fd < 3; fd++)
		dup2(null, fd);
	if (null > 2)
		close(null);
}

/*
 * The grandchild: keep only the report pipe, drop the controlling
 * terminal's stdio and the caller's heap, and supervise.
 */
static void __attribute__((noreturn))
monitor_main(struct engine *engine, const char *id, int report_fd)
{
	_cleanup_error_ struct berth_error *err = NULL;
	int code = 0;

	if (report_fd != MONITOR_REPORT_FD) {
		dup2(report_fd, MONITOR_REPORT_FD);
		close(report_fd);
	}
	fcntl(MONITOR_REPORT_FD, F_SETFD, FD_CLOEXEC);
	redirect_stdio();
	syscall(SYS_close_range, MONITOR_REPORT_FD + 1, ~0U, 0);

	if (chdir("/") < 0)
		_exit(BERTH_EXIT_ENGINE);
	umask(022);
	(void)prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	(void)prctl(PR_SET_NAME, "berth-monitor", 0, 0, 0);
	malloc_trim(0);

	if (monitor_run(engine, id, false, MONITOR_REPORT_FD, NULL, &code,
			&err) < 0)
		_exit(BERTH_EXIT_ENGINE);
	_exit(0);
}

static int read_report(int fd, struct berth_error **err)
{
	struct monitor_report report;
	size_t done = 0;

	while (done < sizeof(report)) {
		ssize_t n =
			read(fd, (char *)&report + done, sizeof(report) - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return berth_error_set(err, n < 0 ? errno : EPIPE,
					       "the container monitor exited "
					       "before it reported the start");
		done += (size_t)n;
	}

	if (report.status == 0)
		return 0;

	report.msg[sizeof(report.msg) - 1] = '\0';
	return berth_error_set_status(err, report.status, report.errnum, "%s",
				      report.msg);
}

static int spawn_monitor(struct engine *engine, const char *id,
			 struct berth_error **err)
{
	_cleanup_close_ int report_r = -1, report_w = -1;
	int fds[2], status;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return berth_error_set(err, errno, "create pipe");
	report_r = fds[0];
	report_w = fds[1];

	pid = fork();
	if (pid < 0)
		return berth_error_set(err, errno, "fork the monitor");

	if (pid == 0) {
		close(report_r);
		if (setsid() < 0)
			_exit(BERTH_EXIT_ENGINE);
		pid = fork();
		if (pid != 0)
			_exit(pid < 0 ? BERTH_EXIT_ENGINE : 0);
		monitor_main(engine, id, report_w);
	}

	close(report_w);
	report_w = -1;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return berth_error_set(err, ECHILD, "fork the monitor");

	return read_report(report_r, err);
}

/* How long a start waits for the last run's monitor to clean up. */
#define MONITOR_FINISH_TIMEOUT_MS 10000
#define MONITOR_FINISH_POLL_MS 20

/*
 * Take the container's lock and read its state once the monitor of
 * the last run is gone. That monitor records the exit before it
 * deletes the runtime state, unmounts the overlay and removes the run
 * directory, so a start in between would lose its new run to that
 * clean-up. A monitor that restarts the container instead makes it
 * running again, which also ends the wait.
 */
static int lock_after_last_run(struct engine *engine, const char *id, int *lock,
			       struct container_state *state,
			       struct berth_error **err)
{
	int waited = 0;

	for (;;) {
		int r;

		if (container_lock(engine, id, lock, err) < 0 ||
		    container_state_get(engine, id, state, err) < 0)
			return -1;
		if (state->status == CONTAINER_STATUS_RUNNING ||
		    state->monitor_pid <= 0)
			return 0;

		r = container_state_wait_monitor(state, 0, err);
		if (r != 0)
			return r < 0 ? -1 : 0;

		/* The monitor needs the lock to restart the container. */
		lock_release(lock);
		if (waited >= MONITOR_FINISH_TIMEOUT_MS)
			return berth_error_set(err, EBUSY,
					       "the last run of container "
					       "'%.12s' is still being cleaned "
					       "up: try again",
					       id);
		if (container_state_wait_monitor(state, MONITOR_FINISH_POLL_MS,
						 err) < 0)
			return -1;
		waited += MONITOR_FINISH_POLL_MS;
	}
}

int engine_container_start(struct engine *engine, const char *id,
			   struct berth_error **err)
{
	_cleanup_lock_ int lock = -1;
	struct container_state state;

	if (lock_after_last_run(engine, id, &lock, &state, err) < 0)
		return -1;

	/* Starting a running container changes nothing, as in Docker. */
	if (state.status == CONTAINER_STATUS_RUNNING)
		return 0;

	return spawn_monitor(engine, id, err);
}

int engine_container_run_attached(struct engine *engine, const char *id,
				  int *ret_status, struct berth_error **err)
{
	struct container_state state;
	int lock = -1;

	if (lock_after_last_run(engine, id, &lock, &state, err) < 0) {
		lock_release(&lock);
		return -1;
	}

	if (state.status == CONTAINER_STATUS_RUNNING) {
		lock_release(&lock);
		return berth_error_set(err, EBUSY,
				       "container '%s' is already running", id);
	}

	(void)prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	return monitor_run(engine, id, true, -1, &lock, ret_status, err);
}
