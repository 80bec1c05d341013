/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_UTIL_ERROR_H
#define BERTH_UTIL_ERROR_H

/*
 * One error object travels from the failing call up to the command that
 * reports it. The failing function builds it and returns in one statement:
 *
 *	if (fd < 0)
 *		return berth_error_set(err, errno, "open '%s'", path);
 *
 * Callers on the way up add context with berth_error_wrap() and return
 * its value. Only the command's main prints the error, once, through
 * berth_error_report(). Library code never prints and never exits.
 *
 * Contract:
 * - every function that takes "struct berth_error **err" leaves *err NULL
 *   on success and sets it exactly once on failure;
 * - berth_error_set() and berth_error_wrap() return -1, so a failure path
 *   is "return berth_error_...(...)";
 * - the message starts lowercase, names the failing value in single
 *   quotes and carries no trailing newline; errnum adds strerror text.
 */

#include <stdarg.h>
#include <stdio.h>

/*
 * Exit statuses shared with docker and podman: 125 the engine failed,
 * 126 the command was found but could not be executed, 127 the command
 * was not found.
 */
enum {
	BERTH_EXIT_ENGINE = 125,
	BERTH_EXIT_CANNOT_EXEC = 126,
	BERTH_EXIT_NOT_FOUND = 127,
};

struct berth_error {
	int errnum; /* errno value, or 0 when none applies */
	int status; /* exit status the command should use, 0 = default */
	char *msg;
};

int berth_error_set(struct berth_error **err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int berth_error_setv(struct berth_error **err, int errnum, const char *fmt,
		     va_list ap) __attribute__((format(printf, 3, 0)));

/* Set an error that asks the command to exit with STATUS. */
int berth_error_set_status(struct berth_error **err, int status, int errnum,
			   const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Prefix "CONTEXT: " to the message of *err, which must be set. */
int berth_error_wrap(struct berth_error **err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Format the full message, "MSG: strerror(errnum)", into a new string. */
char *berth_error_text(const struct berth_error *err);

/* Print "PROG: MSG[: strerror]" on stream and return the exit status. */
int berth_error_report(struct berth_error **err, const char *prog,
		       FILE *stream);

void berth_error_free(struct berth_error **err);

/* Move an error from *src to *dst, leaving *src NULL. */
void berth_error_move(struct berth_error **dst, struct berth_error **src);

#define _cleanup_error_ __attribute__((cleanup(berth_error_free)))

#endif
