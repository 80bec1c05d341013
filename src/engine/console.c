/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "engine/console.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/cleanup.h"

/* How long to wait for the runtime's connection, in milliseconds. */
#define CONSOLE_ACCEPT_TIMEOUT_MS 10000

int console_socket_open(struct console_socket *s, struct berth_error **err)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};

	s->fd = -1;
	snprintf(s->dir, sizeof(s->dir), "/tmp/berth-console-XXXXXX");
	if (mkdtemp(s->dir) == NULL) {
		s->dir[0] = '\0';
		return berth_error_set(err, errno,
				       "create a directory for the console "
				       "socket in '/tmp'");
	}
	snprintf(s->path, sizeof(s->path), "%s/console.sock", s->dir);
	memcpy(addr.sun_path, s->path, strlen(s->path) + 1);

	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		return berth_error_set(err, errno, "create unix socket");

	if (bind(s->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return berth_error_set(err, errno, "bind '%s'", s->path);

	if (listen(s->fd, 1) < 0)
		return berth_error_set(err, errno, "listen on '%s'", s->path);
	return 0;
}

void console_socket_close(struct console_socket *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;

	if (s->dir[0] == '\0')
		return;
	(void)unlink(s->path);
	(void)rmdir(s->dir);
	s->dir[0] = '\0';
}

static int receive_fd(int sock, int *ret_fd, struct berth_error **err)
{
	char name[256];
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	struct iovec iov = {.iov_base = name, .iov_len = sizeof(name)};
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	struct cmsghdr *cmsg;
	ssize_t n;

	do {
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return berth_error_set(err, errno,
				       "receive the container's terminal");

	cmsg = CMSG_FIRSTHDR(&msg);
	if (cmsg == NULL || cmsg->cmsg_level != SOL_SOCKET ||
	    cmsg->cmsg_type != SCM_RIGHTS ||
	    cmsg->cmsg_len != CMSG_LEN(sizeof(int)))
		return berth_error_set(err, EPROTO,
				       "the runtime sent no terminal "
				       "descriptor");

	memcpy(ret_fd, CMSG_DATA(cmsg), sizeof(int));
	return 0;
}

int console_receive(int listen_fd, int *ret_master, struct berth_error **err)
{
	struct pollfd pfd = {.fd = listen_fd, .events = POLLIN};
	_cleanup_close_ int conn = -1;
	int r;

	do {
		r = poll(&pfd, 1, CONSOLE_ACCEPT_TIMEOUT_MS);
	} while (r < 0 && errno == EINTR);
	if (r <= 0)
		return berth_error_set(err, r == 0 ? ETIMEDOUT : errno,
				       "wait for the container's terminal");

	conn = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0)
		return berth_error_set(err, errno,
				       "accept the runtime's connection");

	return receive_fd(conn, ret_master, err);
}

void console_copy_size(int from_fd, int to_fd)
{
	struct winsize ws;

	if (ioctl(from_fd, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0)
		(void)ioctl(to_fd, TIOCSWINSZ, &ws);
}

bool console_make_raw(int fd, struct termios *saved)
{
	struct termios raw;

	if (!isatty(fd) || tcgetattr(fd, saved) < 0)
		return false;

	raw = *saved;
	cfmakeraw(&raw);
	/* Keep output processing so '\n' from berth itself still works. */
	raw.c_oflag = saved->c_oflag;
	return tcsetattr(fd, TCSANOW, &raw) == 0;
}

void console_restore(int fd, const struct termios *saved)
{
	(void)tcsetattr(fd, TCSANOW, saved);
}
