/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "runtime/runtime.h"
#include "util/cleanup.h"

struct signal_name {
	const char *name; /* without the "SIG" prefix */
	int number;
};

static const struct signal_name signal_names[] = {
	{"HUP", SIGHUP},   {"INT", SIGINT},	  {"QUIT", SIGQUIT},
	{"ILL", SIGILL},   {"TRAP", SIGTRAP},	  {"ABRT", SIGABRT},
	{"IOT", SIGIOT},   {"BUS", SIGBUS},	  {"FPE", SIGFPE},
	{"KILL", SIGKILL}, {"USR1", SIGUSR1},	  {"SEGV", SIGSEGV},
	{"USR2", SIGUSR2}, {"PIPE", SIGPIPE},	  {"ALRM", SIGALRM},
	{"TERM", SIGTERM}, {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD},
	{"CONT", SIGCONT}, {"STOP", SIGSTOP},	  {"TSTP", SIGTSTP},
	{"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},	  {"URG", SIGURG},
	{"XCPU", SIGXCPU}, {"XFSZ", SIGXFSZ},	  {"VTALRM", SIGVTALRM},
	{"PROF", SIGPROF}, {"WINCH", SIGWINCH},	  {"IO", SIGIO},
	{"POLL", SIGPOLL}, {"PWR", SIGPWR},	  {"SYS", SIGSYS},
};

/* Parse "RTMIN", "RTMIN+3" or "RTMAX-2" (without "SIG"). */
static int parse_realtime(const char *s, int *ret)
{
	int base, sign = 0;
	const char *rest;
	char *end;
	long n = 0;

	if (strncasecmp(s, "RTMIN", 5) == 0) {
		base = SIGRTMIN;
		sign = 1;
	} else if (strncasecmp(s, "RTMAX", 5) == 0) {
		base = SIGRTMAX;
		sign = -1;
	} else {
		return -1;
	}

	rest = s + 5;
	if (*rest != '\0') {
		if ((sign > 0 && *rest != '+') || (sign < 0 && *rest != '-'))
			return -1;
		errno = 0;
		n = strtol(rest + 1, &end, 10);
		if (errno != 0 || *end != '\0' || end == rest + 1 || n < 0)
			return -1;
	}

	if (base + sign * n < SIGRTMIN || base + sign * n > SIGRTMAX)
		return -1;
	*ret = (int)(base + sign * n);
	return 0;
}

int runtime_signal_parse(const char *s, int *ret_signal,
			 struct berth_error **err)
{
	const char *name = s;
	char *end;
	long n;
	int rt;

	errno = 0;
	n = strtol(s, &end, 10);
	if (s[0] != '\0' && *end == '\0' && errno == 0) {
		if (n <= 0 || n >= _NSIG)
			return berth_error_set(err, EINVAL,
					       "invalid signal number '%s'", s);
		*ret_signal = (int)n;
		return 0;
	}

	if (strncasecmp(name, "SIG", 3) == 0)
		name += 3;

	for (size_t i = 0; i < ARRAY_SIZE(signal_names); i++) {
		if (strcasecmp(name, signal_names[i].name) == 0) {
			*ret_signal = signal_names[i].number;
			return 0;
		}
	}

	if (parse_realtime(name, &rt) == 0) {
		*ret_signal = rt;
		return 0;
	}

	return berth_error_set(err, EINVAL,
			       "unknown signal '%s', use a name such as "
			       "'SIGTERM' or a number",
			       s);
}

const char *runtime_signal_name(int signal)
{
	static const char *const full[] = {
		[SIGHUP] = "SIGHUP",   [SIGINT] = "SIGINT",
		[SIGQUIT] = "SIGQUIT", [SIGILL] = "SIGILL",
		[SIGTRAP] = "SIGTRAP", [SIGABRT] = "SIGABRT",
		[SIGBUS] = "SIGBUS",   [SIGFPE] = "SIGFPE",
		[SIGKILL] = "SIGKILL", [SIGUSR1] = "SIGUSR1",
		[SIGSEGV] = "SIGSEGV", [SIGUSR2] = "SIGUSR2",
		[SIGPIPE] = "SIGPIPE", [SIGALRM] = "SIGALRM",
		[SIGTERM] = "SIGTERM", [SIGSTKFLT] = "SIGSTKFLT",
		[SIGCHLD] = "SIGCHLD", [SIGCONT] = "SIGCONT",
		[SIGSTOP] = "SIGSTOP", [SIGTSTP] = "SIGTSTP",
		[SIGTTIN] = "SIGTTIN", [SIGTTOU] = "SIGTTOU",
		[SIGURG] = "SIGURG",   [SIGXCPU] = "SIGXCPU",
		[SIGXFSZ] = "SIGXFSZ", [SIGVTALRM] = "SIGVTALRM",
		[SIGPROF] = "SIGPROF", [SIGWINCH] = "SIGWINCH",
		[SIGIO] = "SIGIO",     [SIGPWR] = "SIGPWR",
		[SIGSYS] = "SIGSYS",
	};

	if (signal <= 0 || (size_t)signal >= ARRAY_SIZE(full))
		return NULL;
	return full[signal];
}
