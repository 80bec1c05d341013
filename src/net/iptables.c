/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "net/iptables.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/strv.h"
#include "util/xalloc.h"

/* Read fd to its end into a new string. */
static char *read_all(int fd)
{
	char *text = NULL;
	size_t len = 0, cap = 0;

	for (;;) {
		ssize_t n;

		if (cap - len < 4096) {
			cap = cap * 2 + 4096;
			text = xrealloc(text, cap);
		}
		n = read(fd, text + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	text[len] = '\0';
	return text;
}

static pid_t spawn(char **argv, int out, struct berth_error **err)
{
	pid_t pid = fork();

	if (pid < 0)
		return berth_error_set(err, errno, "fork");
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

		dup2(null, STDIN_FILENO);
		dup2(out, STDOUT_FILENO);
		dup2(out, STDERR_FILENO);
		execvp(argv[0], argv);
		_exit(127);
	}
	return pid;
}

int net_iptables_run(const char *table, char *const *args, char **output,
		     struct berth_error **err)
{
	_cleanup_strv_ char **argv = NULL;
	_cleanup_free_ char *text = NULL;
	int pipefd[2], status;
	pid_t pid;

	strv_push(&argv, "iptables");
	strv_push(&argv, "-w");
	strv_push(&argv, "-t");
	strv_push(&argv, table);
	for (size_t i = 0; args[i] != NULL; i++)
		strv_push(&argv, args[i]);

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return berth_error_set(err, errno, "create pipe");
	pid = spawn(argv, pipefd[1], err);
	close(pipefd[1]);
	if (pid < 0) {
		close(pipefd[0]);
		return -1;
	}
	text = read_all(pipefd[0]);
	close(pipefd[0]);

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return berth_error_set(err, errno, "wait for iptables");
	if (!WIFEXITED(status))
		return berth_error_set(err, 0, "iptables was killed");
	if (WEXITSTATUS(status) == 127)
		return berth_error_set(err, 0,
				       "iptables not found: install the "
				       "iptables package");
	if (output != NULL)
		*output = TAKE_PTR(text);
	return WEXITSTATUS(status);
}

int net_iptables_must(const char *table, char *const *args,
		      struct berth_error **err)
{
	_cleanup_free_ char *output = NULL;
	int r = net_iptables_run(table, args, &output, err);

	if (r <= 0)
		return r;
	output[strcspn(output, "\n")] = '\0';
	return berth_error_set(err, 0, "iptables -t %s %s %s: %s", table,
			       args[0], args[1], output);
}

int net_iptables_ensure_chain(const char *table, const char *chain,
			      struct berth_error **err)
{
	char *list[] = {"-S", (char *)chain, NULL};
	char *create[] = {"-N", (char *)chain, NULL};
	int r = net_iptables_run(table, list, NULL, err);

	if (r <= 0)
		return r;
	return net_iptables_must(table, create, err);
}

int net_iptables_ensure_rule(const char *table, const char *add, char **rule,
			     struct berth_error **err)
{
	int r;

	rule[0] = "-C";
	r = net_iptables_run(table, rule, NULL, err);
	if (r <= 0)
		return r;
	rule[0] = (char *)add;
	return net_iptables_must(table, rule, err);
}

int net_iptables_delete_rule(const char *table, char **rule,
			     struct berth_error **err)
{
	int r;

	/* iptables -D fails when the rule is missing: check first. */
	rule[0] = "-C";
	r = net_iptables_run(table, rule, NULL, err);
	if (r != 0)
		return r < 0 ? -1 : 0;
	rule[0] = "-D";
	return net_iptables_must(table, rule, err);
}
