/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "engine/relay.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/console.h"
#include "engine/ctr-log.h"
#include "util/cleanup.h"

#define RELAY_BUFFER 16384

/*
 * After the process exited, output may still sit in the pipes, or a
 * process it left behind may hold them open: drain for at most this
 * long, in milliseconds.
 */
#define DRAIN_TIMEOUT_MS 2000

static const int forwarded_signals[] = {
	SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2,
};

static void fill_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGCHLD);
	sigaddset(set, SIGWINCH);
	for (size_t i = 0; i < ARRAY_SIZE(forwarded_signals); i++)
		sigaddset(set, forwarded_signals[i]);
}

void relay_block_signals(sigset_t *old)
{
	sigset_t set;

	fill_set(&set);
	sigprocmask(SIG_BLOCK, &set, old);
}

int relay_exit_code(int wait_status)
{
	if (WIFEXITED(wait_status))
		return WEXITSTATUS(wait_status);
	if (WIFSIGNALED(wait_status))
		return 128 + WTERMSIG(wait_status);
	return 255;
}

static void write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

/* Copy one read from fd; returns false at EOF or error. */
static bool copy_output(struct relay *r, int fd, enum ctr_log_stream stream)
{
	static char buf[RELAY_BUFFER];
	int term = stream == CTR_LOG_STDOUT ? r->term_out : r->term_err;
	ssize_t n;

	do {
		n = read(fd, buf, sizeof(buf));
	} while (n < 0 && errno == EINTR);

	/* A terminal master returns EIO once every slave is closed. */
	if (n <= 0)
		return n < 0 && errno == EAGAIN;

	if (term >= 0)
		write_all(term, buf, (size_t)n);
	if (r->log_fd >= 0)
		ctr_log_write(r->log_fd, stream, buf, (size_t)n);
	return true;
}

static bool copy_input(struct relay *r)
{
	static char buf[RELAY_BUFFER];
	ssize_t n;

	do {
		n = read(r->input_fd, buf, sizeof(buf));
	} while (n < 0 && errno == EINTR);

	if (n <= 0)
		return false;
	write_all(r->in_fd, buf, (size_t)n);
	return true;
}

/* Reap every exited child (the monitor is a subreaper); note ours. */
static void reap(struct relay *r, bool *exited, int *status)
{
	for (;;) {
		int st;
		pid_t pid = waitpid(-1, &st, WNOHANG);

		if (pid <= 0)
			return;
		if (pid == r->pid) {
			*exited = true;
			*status = st;
		}
	}
}

static void handle_signal(struct relay *r, int sigfd, bool *exited, int *status)
{
	struct signalfd_siginfo si;

	if (read(sigfd, &si, sizeof(si)) != sizeof(si))
		return;

	if (si.ssi_signo == SIGCHLD)
		reap(r, exited, status);
	else if (si.ssi_signo == SIGWINCH && r->console_fd >= 0)
		console_copy_size(r->input_fd >= 0 ? r->input_fd : 0,
				  r->console_fd);
	else if (si.ssi_signo != SIGWINCH && !*exited)
		(void)kill(r->pid, (int)si.ssi_signo);
}

static void close_input(struct relay *r)
{
	if (r->close_in_on_eof && r->in_fd >= 0) {
		close(r->in_fd);
		r->in_fd = -1;
	}
	r->input_fd = -1;
}

int relay_run(struct relay *r, int *ret_status, struct berth_error **err)
{
	_cleanup_close_ int sigfd = -1;
	void (*old_pipe)(int);
	bool exited = false;
	int status = 0;
	sigset_t set;

	fill_set(&set);
	sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sigfd < 0)
		return berth_error_set(err, errno, "create signalfd");

	/*
	 * A reader that closed the terminal copy must not kill the relay:
	 * the write fails with EPIPE and the log goes on.
	 */
	old_pipe = signal(SIGPIPE, SIG_IGN);

	/* A SIGCHLD before the signalfd existed is still pending. */
	reap(r, &exited, &status);

	while (r->out_fd >= 0 || r->err_fd >= 0 || !exited) {
		struct pollfd p[4] = {
			{.fd = sigfd, .events = POLLIN},
			{.fd = r->out_fd, .events = POLLIN},
			{.fd = r->err_fd, .events = POLLIN},
			{.fd = r->input_fd, .events = POLLIN},
		};
		int n = poll(p, 4, exited ? DRAIN_TIMEOUT_MS : -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			signal(SIGPIPE, old_pipe);
			return berth_error_set(err, errno, "poll");
		}
		if (n == 0)
			break;

		if (p[0].revents)
			handle_signal(r, sigfd, &exited, &status);
		if (p[1].revents && !copy_output(r, r->out_fd, CTR_LOG_STDOUT))
			r->out_fd = -1;
		if (p[2].revents && !copy_output(r, r->err_fd, CTR_LOG_STDERR))
			r->err_fd = -1;
		if (p[3].revents && !copy_input(r))
			close_input(r);
	}

	signal(SIGPIPE, old_pipe);
	*ret_status = status;
	return 0;
}
