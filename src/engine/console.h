/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_ENGINE_CONSOLE_H
#define BERTH_ENGINE_CONSOLE_H

/*
 * The container's terminal. The runtime creates the pseudo-terminal
 * inside the container and sends its master over a unix socket (runc's
 * --console-socket protocol); the engine listens on that socket and
 * relays the master.
 */

#include <stdbool.h>
#include <termios.h>

#include "util/error.h"

/*
 * A listening socket in a new private directory. It lives under
 * /tmp/berth-console-XXXXXX because a socket path must fit in 108
 * bytes, which a path under a long --runroot may not.
 */
struct console_socket {
	char dir[64];
	char path[80];
	int fd;
};

int console_socket_open(struct console_socket *s, struct berth_error **err);

/* Close the socket and remove it and its directory. */
void console_socket_close(struct console_socket *s);

/*
 * Accept the runtime's connection on listen_fd and receive the master
 * descriptor it carries.
 */
int console_receive(int listen_fd, int *ret_master, struct berth_error **err);

/* Copy the window size of the terminal from_fd to the terminal to_fd. */
void console_copy_size(int from_fd, int to_fd);

/*
 * Put the terminal fd in raw mode, saving its settings in *saved.
 * Returns false (and changes nothing) when fd is not a terminal.
 */
bool console_make_raw(int fd, struct termios *saved);
void console_restore(int fd, const struct termios *saved);

#endif
