/* SPDX-License-Identifier: GPL-2.0-or-later */
/* list, ps, spec and features: commands that only report or write files. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/runtime-cli.h"
#include "runtime/runtime.h"
#include "runtime/seccomp.h"
#include "runtime/spec.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/xalloc.h"

static void free_states(struct runtime_state **states, size_t n)
{
	for (size_t i = 0; i < n; i++)
		runtime_state_free(states[i]);
	free(states);
}

static void print_table(struct runtime_state **states, size_t n)
{
	int w_id = 2, w_bundle = 6;

	for (size_t i = 0; i < n; i++) {
		if ((int)strlen(states[i]->id) > w_id)
			w_id = (int)strlen(states[i]->id);
		if ((int)strlen(states[i]->bundle) > w_bundle)
			w_bundle = (int)strlen(states[i]->bundle);
	}

	printf("%-*s   %-8s %-10s %-*s   %-30s   %s\n", w_id, "ID", "PID",
	       "STATUS", w_bundle, "BUNDLE", "CREATED", "OWNER");
	for (size_t i = 0; i < n; i++) {
		const struct runtime_state *s = states[i];

		printf("%-*s   %-8d %-10s %-*s   %-30s   %s\n", w_id, s->id,
		       (int)s->pid, runtime_status_name(s->status), w_bundle,
		       s->bundle, s->created, s->owner);
	}
}

int rt_cmd_list(struct rt_context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{"format", required_argument, NULL, 'f'},
		{"quiet", no_argument, NULL, 'q'},
		{0},
	};
	struct runtime_state **states = NULL;
	struct berth_error *err = NULL;
	bool json = false, quiet = false;
	size_t n = 0;
	int c;

	while ((c = getopt_long(argc, argv, "f:q", options, NULL)) != -1) {
		if (c == 'q')
			quiet = true;
		else if (c == 'f' && strcmp(optarg, "json") == 0)
			json = true;
		else if (c != 'f' || strcmp(optarg, "table") != 0)
			return rt_usage_error("list", "invalid option");
	}

	if (rt_operands("list", argc, 0) != 0)
		return 1;

	if (runtime_list(ctx->root, &states, &n, &err) < 0)
		return rt_fail(&err);

	if (quiet) {
		for (size_t i = 0; i < n; i++)
			printf("%s\n", states[i]->id);
	} else if (json) {
		_cleanup_json_ json_t *a = json_array();

		for (size_t i = 0; i < n; i++)
			json_array_append_new(a,
					      runtime_state_to_json(states[i]));
		json_dumpf(a, stdout, JSON_COMPACT);
		putchar('\n');
	} else {
		print_table(states, n);
	}

	free_states(states, n);
	return 0;
}

static bool pid_listed(const pid_t *pids, size_t n, long pid)
{
	for (size_t i = 0; i < n; i++) {
		if (pids[i] == pid)
			return true;
	}
	return false;
}

/* Print the header and the lines of "ps ARGS" whose PID is in pids. */
static int ps_table(const pid_t *pids, size_t n, int argc, char **argv)
{
	_cleanup_free_ char *cmd = xstrdup("ps");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	int pid_column = -1;
	FILE *ps;

	for (int i = 0; i < argc; i++) {
		char *next;

		if (strspn(argv[i],
			   "abcdefghijklmnopqrstuvwxyz"
			   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-,=") !=
		    strlen(argv[i]))
			return rt_usage_error("ps", "invalid ps option '%s'",
					      argv[i]);
		xasprintf(&next, "%s %s", cmd, argv[i]);
		free(cmd);
		cmd = next;
	}
	if (argc == 0) {
		free(cmd);
		cmd = xstrdup("ps -ef");
	}

	ps = popen(cmd, "re");
	if (ps == NULL)
		return rt_usage_error("ps", "run '%s': %s", cmd,
				      strerror(errno));

	while (getline(&line, &cap, ps) > 0) {
		_cleanup_free_ char *copy = xstrdup(line);
		char *save = NULL, *field;
		int col = 0;

		for (field = strtok_r(copy, " \t\n", &save); field != NULL;
		     field = strtok_r(NULL, " \t\n", &save), col++) {
			if (pid_column < 0 && strcmp(field, "PID") == 0)
				break;
			if (col == pid_column)
				break;
		}

		if (pid_column < 0) {
			pid_column = field != NULL ? col : -1;
			fputs(line, stdout);
		} else if (field != NULL &&
			   pid_listed(pids, n, strtol(field, NULL, 10))) {
			fputs(line, stdout);
		}
	}

	return pclose(ps) == 0 ? 0 : 1;
}

int rt_cmd_ps(struct rt_context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{"format", required_argument, NULL, 'f'},
		{0},
	};
	_cleanup_free_ pid_t *pids = NULL;
	struct berth_error *err = NULL;
	bool json = false;
	size_t n = 0;
	int c;

	while ((c = getopt_long(argc, argv, "+f:", options, NULL)) != -1) {
		if (c == 'f' && strcmp(optarg, "json") == 0)
			json = true;
		else if (c != 'f' || strcmp(optarg, "table") != 0)
			return rt_usage_error("ps", "invalid option");
	}

	if (argc - optind < 1)
		return rt_usage_error("ps", "expected ID [PS OPTIONS...]");

	if (runtime_pids(ctx->root, argv[optind], &pids, &n, &err) < 0)
		return rt_fail(&err);

	if (!json)
		return ps_table(pids, n, argc - optind - 1, argv + optind + 1);

	printf("[");
	for (size_t i = 0; i < n; i++)
		printf("%s%d", i > 0 ? "," : "", (int)pids[i]);
	printf("]\n");
	return 0;
}

int rt_cmd_spec(struct rt_context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{"bundle", required_argument, NULL, 'b'},
		{"rootless", no_argument, NULL, 'r'},
		{0},
	};
	_cleanup_json_ json_t *spec = NULL;
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *text = NULL;
	_cleanup_close_ int fd = -1;
	struct berth_error *err = NULL;
	const char *bundle = ".";
	int c;

	while ((c = getopt_long(argc, argv, "b:", options, NULL)) != -1) {
		if (c == 'b')
			bundle = optarg;
		else if (c == 'r')
			return rt_usage_error("spec", "--rootless is not "
						      "supported");
		else
			return rt_usage_error("spec", "invalid option");
	}

	if (rt_operands("spec", argc, 0) != 0)
		return 1;

	spec = spec_default_json();
	text = json_dumps(spec, JSON_INDENT(8) | JSON_PRESERVE_ORDER);
	path = fs_path_join(bundle, "config.json");

	/* O_EXCL: an existing config.json is never overwritten. */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 && errno == EEXIST)
		return rt_usage_error("spec", "'%s' exists, remove it first",
				      path);
	if (fd < 0) {
		berth_error_set(&err, errno, "create '%s'", path);
		return rt_fail(&err);
	}

	if (fs_write_all(fd, text, strlen(text), &err) < 0 ||
	    fs_write_all(fd, "\n", 1, &err) < 0)
		return rt_fail(&err);
	(void)ctx;
	return 0;
}
