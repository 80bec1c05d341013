/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "net/nat.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"

/* Run "iptables -w -t nat ACTION POSTROUTING RULE..."; return its status. */
static int run_iptables(const struct net_network *net, const char *action,
			char *errbuf, size_t errlen, struct berth_error **err)
{
	char subnet[19];
	char *argv[] = {
		"iptables",    "-w", "-t",	   "nat", (char *)action,
		"POSTROUTING", "-s", subnet,	   "!",	  "-o",
		net->bridge,   "-j", "MASQUERADE", NULL,
	};
	int pipefd[2], status;
	ssize_t n;
	pid_t pid;

	net_cidr_format(&net->subnet, subnet);
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return berth_error_set(err, errno, "create pipe");

	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return berth_error_set(err, errno, "fork");
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(pipefd[1], STDERR_FILENO);
		execvp(argv[0], argv);
		_exit(127);
	}

	close(pipefd[1]);
	n = read(pipefd[0], errbuf, errlen - 1);
	errbuf[n > 0 ? n : 0] = '\0';
	errbuf[strcspn(errbuf, "\n")] = '\0';
	close(pipefd[0]);

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return berth_error_set(err, errno, "wait for iptables");
	if (!WIFEXITED(status))
		return berth_error_set(err, 0, "iptables was killed");
	return WEXITSTATUS(status);
}

int net_nat_ensure(const struct net_network *net, struct berth_error **err)
{
	char msg[256];
	int r;

	if (net->internal)
		return 0;

	r = run_iptables(net, "-C", msg, sizeof(msg), err);
	if (r == 0 || r < 0)
		return r;
	if (r == 127)
		return berth_error_set(err, 0,
				       "iptables not found: install the "
				       "iptables package, or create the "
				       "network with --internal");

	r = run_iptables(net, "-A", msg, sizeof(msg), err);
	if (r > 0)
		return berth_error_set(err, 0,
				       "add the NAT rule of network '%s' with "
				       "iptables: %s",
				       net->name, msg);
	return r;
}

int net_nat_remove(const struct net_network *net, struct berth_error **err)
{
	char msg[256];
	int r;

	if (net->internal)
		return 0;

	/* iptables -D fails when the rule is missing; check first. */
	r = run_iptables(net, "-C", msg, sizeof(msg), err);
	if (r != 0)
		return r < 0 ? -1 : 0;

	r = run_iptables(net, "-D", msg, sizeof(msg), err);
	if (r > 0)
		return berth_error_set(err, 0,
				       "delete the NAT rule of network '%s' "
				       "with iptables: %s",
				       net->name, msg);
	return r;
}
