/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * berth-init: the process 1 of a container run with --init.
 *
 *	berth-init -- COMMAND [ARG...]
 *
 * It starts COMMAND as its child, passes every signal it gets on to
 * it, reaps every process that ends up as its child (orphans are
 * re-parented to process 1), and exits with the status of COMMAND:
 * its exit code, or 128 + the signal that killed it. berth bind-mounts
 * it read-only into the container; it links only libc, statically.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void __attribute__((noreturn))
run_child(char **argv, const sigset_t *mask)
{
	sigprocmask(SIG_SETMASK, mask, NULL);
	execvp(argv[0], argv);
	fprintf(stderr, "berth-init: run '%s': %s\n", argv[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

/* Reap every child that exited. Returns 1 once child is among them. */
static int reap(pid_t child, int *ret_status)
{
	int status, done = 0;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		if (pid == child) {
			*ret_status = status;
			done = 1;
		}
	return done;
}

int main(int argc, char **argv)
{
	sigset_t all, old;
	int status = 0;
	pid_t child;

	if (argc < 3 || strcmp(argv[1], "--") != 0) {
		fprintf(stderr, "usage: berth-init -- COMMAND [ARG...]\n");
		return 125;
	}

	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);

	child = fork();
	if (child < 0) {
		perror("berth-init: fork");
		return 125;
	}
	if (child == 0)
		run_child(argv + 2, &old);

	for (;;) {
		siginfo_t info;
		int sig = sigwaitinfo(&all, &info);

		if (sig < 0)
			continue;
		if (sig != SIGCHLD) {
			kill(child, sig);
			continue;
		}
		if (reap(child, &status))
			break;
	}

	/* Whatever the command left behind dies with the namespace. */
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
