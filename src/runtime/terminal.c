/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "runtime/runtime-internal.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

int terminal_create(int *ret_master, char **ret_slave_path,
		    struct berth_error **err)
{
	_cleanup_close_ int master = -1;
	char name[64];

	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return berth_error_set(err, errno, "open '/dev/ptmx'");

	if (unlockpt(master) < 0)
		return berth_error_set(err, errno, "unlock pseudo-terminal");

	if (ptsname_r(master, name, sizeof(name)) != 0)
		return berth_error_set(err, errno,
				       "get the pseudo-terminal's name");

	*ret_slave_path = xstrdup(name);
	*ret_master = TAKE_FD(master);
	return 0;
}

int terminal_connect(const char *socket_path, struct berth_error **err)
{
	_cleanup_close_ int fd = -1;
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	size_t len = strlen(socket_path);

	if (len >= sizeof(addr.sun_path))
		return berth_error_set(err, ENAMETOOLONG,
				       "console socket path '%s' is too long",
				       socket_path);
	memcpy(addr.sun_path, socket_path, len + 1);

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return berth_error_set(err, errno, "create unix socket");

	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return berth_error_set(err, errno,
				       "connect to console socket '%s'",
				       socket_path);
	return TAKE_FD(fd);
}

/*
 * runc's protocol, which containerd and podman implement: one message
 * whose data is the terminal's name and whose SCM_RIGHTS control
 * message carries the master descriptor.
 */
int terminal_send_master(int sock, int master, struct berth_error **err)
{
	char name[] = "/dev/ptmx";
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	struct iovec iov = {.iov_base = name, .iov_len = sizeof(name) - 1};
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	struct cmsghdr *cmsg;

	memset(control.buf, 0, sizeof(control.buf));
	cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &master, sizeof(int));

	if (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0)
		return berth_error_set(err, errno,
				       "send the terminal to the console "
				       "socket");
	return 0;
}

int terminal_open_slave(const char *slave_path, struct berth_error **err)
{
	int fd = open(slave_path, O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return berth_error_set(err, errno, "open terminal '%s'",
				       slave_path);
	return fd;
}

int terminal_setup_slave(int fd, unsigned int width, unsigned int height,
			 struct berth_error **err)
{
	if (setsid() < 0 && errno != EPERM)
		return berth_error_set(err, errno, "start a new session");

	if (ioctl(fd, TIOCSCTTY, 0) < 0)
		return berth_error_set(err, errno,
				       "make the terminal the controlling "
				       "terminal");

	if (width > 0 && height > 0) {
		struct winsize ws = {.ws_row = (unsigned short)height,
				     .ws_col = (unsigned short)width};

		if (ioctl(fd, TIOCSWINSZ, &ws) < 0)
			return berth_error_set(err, errno,
					       "set the terminal size");
	}

	for (int i = 0; i <= STDERR_FILENO; i++) {
		if (dup2(fd, i) < 0)
			return berth_error_set(err, errno,
					       "use the terminal as fd %d", i);
	}
	return 0;
}
