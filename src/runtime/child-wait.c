/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Bounded waits for the runtime's own children: the container init
 * after a failed create, exec processes that failed before execve, and
 * hooks. A pidfd becomes readable when the child exits, so the wait
 * sleeps in poll(2) until then, and a signal the caller handles only
 * interrupts the poll, which resumes until the deadline.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "runtime/runtime-internal.h"
#include "util/cleanup.h"

long runtime_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int runtime_pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* Sleep until pidfd is readable, or 1 ms without one; false at deadline. */
static bool wait_exit_event(int pidfd, long deadline)
{
	struct pollfd pfd = {.fd = pidfd, .events = POLLIN};
	int timeout = -1;

	if (deadline >= 0) {
		timeout = (int)(deadline - runtime_now_ms());
		if (timeout <= 0)
			return false;
	}

	if (pidfd < 0) {
		struct timespec ts = {0, 1000000L};

		nanosleep(&ts, NULL);
		return true;
	}

	(void)poll(&pfd, 1, timeout);
	return true;
}

int runtime_reap_child(pid_t pid, int timeout_ms, int *ret_status)
{
	_cleanup_close_ int pidfd = runtime_pidfd_open(pid);
	long deadline = timeout_ms >= 0 ? runtime_now_ms() + timeout_ms : -1;
	int status;
	pid_t r;

	for (;;) {
		r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;

		if (r < 0 && errno != EINTR)
			return -1;

		if (!wait_exit_event(pidfd, deadline)) {
			errno = ETIMEDOUT;
			return -1;
		}
	}

	if (ret_status != NULL)
		*ret_status = status;
	return 0;
}

void runtime_kill_child(pid_t pid)
{
	(void)kill(pid, SIGKILL);
	(void)runtime_reap_child(pid, RUNTIME_KILL_WAIT_MS, NULL);
}
