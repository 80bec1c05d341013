/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * "exec": run a process in a running container. Without --process the
 * process starts as a copy of the container's own config.json process
 * (user, env, cwd, capabilities, rlimits), with the arguments and the
 * flags applied on top, as runc does.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/runtime-cli.h"
#include "runtime/runtime.h"
#include "runtime/spec.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/strv.h"

struct exec_flags {
	struct runtime_exec_options opts;
	const char *process_file;
	const char *cwd;
	const char *user;
	const char *additional_gids;
	char **env;
	char **caps;
	bool tty;
	bool no_new_privs;
};

enum {
	OPT_CONSOLE_SOCKET = 256,
	OPT_PID_FILE,
	OPT_CWD,
	OPT_NO_NEW_PRIVS,
	OPT_PRESERVE_FDS,
	OPT_IGNORED,
};

static int parse_flag(int c, struct exec_flags *f)
{
	char *end;

	switch (c) {
	case OPT_CONSOLE_SOCKET:
		f->opts.console_socket = optarg;
		return 0;
	case OPT_PID_FILE:
		f->opts.pid_file = optarg;
		return 0;
	case OPT_CWD:
		f->cwd = optarg;
		return 0;
	case OPT_NO_NEW_PRIVS:
		f->no_new_privs = true;
		return 0;
	case OPT_PRESERVE_FDS:
		errno = 0;
		f->opts.preserve_fds = (unsigned int)strtoul(optarg, &end, 10);
		if (errno != 0 || *end != '\0' || end == optarg)
			return rt_usage_error("exec", "invalid number '%s'",
					      optarg);
		return 0;
	case OPT_IGNORED:
		return 0;
	case 'p':
		f->process_file = optarg;
		return 0;
	case 'd':
		f->opts.detach = true;
		return 0;
	case 't':
		f->tty = true;
		return 0;
	case 'e':
		strv_push(&f->env, optarg);
		return 0;
	case 'u':
		f->user = optarg;
		return 0;
	case 'g':
		f->additional_gids = optarg;
		return 0;
	case 'c':
		strv_push(&f->caps, optarg);
		return 0;
	default:
		return rt_usage_error("exec", "invalid option");
	}
}

static int parse_exec(int argc, char **argv, struct exec_flags *f)
{
	static const struct option options[] = {
		{"console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET},
		{"pid-file", required_argument, NULL, OPT_PID_FILE},
		{"cwd", required_argument, NULL, OPT_CWD},
		{"no-new-privs", no_argument, NULL, OPT_NO_NEW_PRIVS},
		{"preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS},
		{"process-label", required_argument, NULL, OPT_IGNORED},
		{"apparmor", required_argument, NULL, OPT_IGNORED},
		{"ignore-paused", no_argument, NULL, OPT_IGNORED},
		{"process", required_argument, NULL, 'p'},
		{"detach", no_argument, NULL, 'd'},
		{"tty", no_argument, NULL, 't'},
		{"env", required_argument, NULL, 'e'},
		{"user", required_argument, NULL, 'u'},
		{"additional-gids", required_argument, NULL, 'g'},
		{"cap", required_argument, NULL, 'c'},
		{0},
	};
	int c;

	f->opts.stdio[0] = f->opts.stdio[1] = f->opts.stdio[2] = -1;
	while ((c = getopt_long(argc, argv, "+p:dte:u:g:c:", options, NULL)) !=
	       -1) {
		if (parse_flag(c, f) != 0)
			return 1;
	}

	if (argc - optind < 1)
		return rt_usage_error("exec", "expected ID [COMMAND ARG...]");
	if (f->process_file == NULL && argc - optind < 2)
		return rt_usage_error("exec",
				      "expected a command or --process");
	return 0;
}

/* Set KEY=VALUE in env, replacing an entry of the same key. */
static void env_set(json_t *env, const char *entry)
{
	size_t key_len = strcspn(entry, "=");
	size_t i;
	json_t *v;

	json_array_foreach (env, i, v) {
		const char *s = json_string_value(v);

		if (s != NULL && strncmp(s, entry, key_len) == 0 &&
		    (s[key_len] == '=' || s[key_len] == '\0')) {
			json_array_set_new(env, i, json_string(entry));
			return;
		}
	}
	json_array_append_new(env, json_string(entry));
}

static int set_user(json_t *process, const struct exec_flags *f,
		    struct berth_error **err)
{
	json_t *user = json_object_get(process, "user");
	unsigned long uid, gid = 0;
	char *end;

	if (!json_is_object(user)) {
		user = json_object();
		json_object_set_new(process, "user", user);
	}

	errno = 0;
	uid = strtoul(f->user, &end, 10);
	if (*end == ':')
		gid = strtoul(end + 1, &end, 10);
	if (errno != 0 || *end != '\0' || f->user[0] == '\0')
		return berth_error_set(err, EINVAL,
				       "invalid --user '%s', use UID[:GID]",
				       f->user);

	json_object_set_new(user, "uid", json_integer((json_int_t)uid));
	json_object_set_new(user, "gid", json_integer((json_int_t)gid));
	return 0;
}

static int set_additional_gids(json_t *process, const char *list,
			       struct berth_error **err)
{
	json_t *user = json_object_get(process, "user");
	json_t *gids = json_array();
	const char *p = list;

	while (*p != '\0') {
		char *end;
		unsigned long gid;

		errno = 0;
		gid = strtoul(p, &end, 10);
		if (errno != 0 || end == p || (*end != ',' && *end != '\0')) {
			json_decref(gids);
			return berth_error_set(err, EINVAL,
					       "invalid --additional-gids "
					       "'%s'",
					       list);
		}
		json_array_append_new(gids, json_integer((json_int_t)gid));
		p = *end == ',' ? end + 1 : end;
	}
	json_object_set_new(user, "additionalGids", gids);
	return 0;
}

static void add_caps(json_t *process, char **caps)
{
	static const char *const sets[] = {"bounding", "effective",
					   "permitted"};
	json_t *c = json_object_get(process, "capabilities");

	if (!json_is_object(c)) {
		c = json_object();
		json_object_set_new(process, "capabilities", c);
	}

	for (size_t s = 0; s < ARRAY_SIZE(sets); s++) {
		json_t *a = json_object_get(c, sets[s]);

		if (!json_is_array(a)) {
			a = json_array();
			json_object_set_new(c, sets[s], a);
		}
		for (size_t i = 0; caps[i] != NULL; i++)
			json_array_append_new(a, json_string(caps[i]));
	}
}

static int apply_flags(json_t *process, const struct exec_flags *f, char **args,
		       struct berth_error **err)
{
	json_t *a = json_array();
	json_t *env = json_object_get(process, "env");

	for (size_t i = 0; args[i] != NULL; i++)
		json_array_append_new(a, json_string(args[i]));
	json_object_set_new(process, "args", a);
	json_object_set_new(process, "terminal", json_boolean(f->tty));
	json_object_del(process, "consoleSize");

	if (!json_is_array(env)) {
		env = json_array();
		json_object_set_new(process, "env", env);
	}
	for (size_t i = 0; f->env != NULL && f->env[i] != NULL; i++)
		env_set(env, f->env[i]);

	if (f->cwd != NULL)
		json_object_set_new(process, "cwd", json_string(f->cwd));
	if (f->no_new_privs)
		json_object_set_new(process, "noNewPrivileges", json_true());
	if (f->caps != NULL)
		add_caps(process, f->caps);

	if (f->user != NULL && set_user(process, f, err) < 0)
		return -1;
	if (f->additional_gids != NULL &&
	    set_additional_gids(process, f->additional_gids, err) < 0)
		return -1;
	return 0;
}

static int build_process(struct rt_context *ctx, const char *id,
			 const struct exec_flags *f, char **args,
			 struct spec_process **ret, struct berth_error **err)
{
	_cleanup_json_ json_t *config = NULL;
	_cleanup_free_ char *path = NULL;
	struct runtime_state *state = NULL;
	json_t *process;

	if (f->process_file != NULL) {
		if (json_parse_file(f->process_file, &config, err) < 0)
			return -1;
		return spec_parse_process(config, "process", ret, err);
	}

	if (runtime_state_get(ctx->root, id, &state, err) < 0)
		return -1;
	path = fs_path_join(state->bundle, "config.json");
	runtime_state_free(state);

	if (json_parse_file(path, &config, err) < 0)
		return -1;

	process = json_object_get(config, "process");
	if (!json_is_object(process))
		return berth_error_set(err, EINVAL, "'%s' has no 'process'",
				       path);

	if (apply_flags(process, f, args, err) < 0)
		return -1;
	return spec_parse_process(process, "process", ret, err);
}

int rt_cmd_exec(struct rt_context *ctx, int argc, char **argv)
{
	struct exec_flags f = {0};
	struct spec_process *process = NULL;
	struct berth_error *err = NULL;
	const char *id;
	bool detach;
	pid_t pid;
	int ret;

	ret = parse_exec(argc, argv, &f);
	id = argv[optind];
	if (ret == 0 &&
	    build_process(ctx, id, &f, argv + optind + 1, &process, &err) < 0)
		ret = rt_fail(&err);

	if (ret == 0) {
		/* The library runs it detached so signals can be forwarded. */
		detach = f.opts.detach;
		f.opts.process = process;
		f.opts.detach = true;
		if (runtime_exec(ctx->root, id, &f.opts, &pid, NULL, &err) <
		    0) {
			ret = rt_fail_status(&err);
		} else if (!detach) {
			rt_forward_signals(pid);
			ret = rt_wait_exit_status(pid);
		}
	}

	spec_process_free(process);
	strv_free(f.env);
	strv_free(f.caps);
	return ret;
}
