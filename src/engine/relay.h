/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_ENGINE_RELAY_H
#define BERTH_ENGINE_RELAY_H

/*
 * The monitor's loop: copy a process's output to the log and the
 * terminal, copy the terminal's input to the process, forward signals
 * and wait for the process to exit. It uses a fixed buffer and no heap.
 */

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "util/error.h"

struct relay {
	pid_t pid;	/* the process to wait for, a child of the caller */
	int out_fd;	/* its stdout pipe or terminal master, -1 = none */
	int err_fd;	/* its stderr pipe, -1 = none */
	int in_fd;	/* where input goes: stdin pipe or master, -1 */
	int input_fd;	/* where input comes from, -1 = none */
	int term_out;	/* copy of stdout, -1 = none */
	int term_err;	/* copy of stderr, -1 = none */
	int log_fd;	/* CRI log file, -1 = none */
	int console_fd; /* terminal master that gets SIGWINCH sizes, -1 */
	bool close_in_on_eof; /* close in_fd when input_fd ends */
};

/*
 * Block the signals the relay forwards and SIGCHLD, returning the
 * previous mask in *old. Call before creating the process so no
 * SIGCHLD is lost.
 */
void relay_block_signals(sigset_t *old);

/*
 * Run until the process exited and its output ended; return its wait
 * status in *ret_status.
 */
int relay_run(struct relay *r, int *ret_status, struct berth_error **err);

/* Exit status as a shell reports it: the code, or 128 + signal. */
int relay_exit_code(int wait_status);

#endif
