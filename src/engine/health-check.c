/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One health check: exec the test into the running container with its
 * output on a pipe, kill it at the timeout, and fold the result into
 * health.json under RUNROOT/containers/<id>/health.lock.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/container-state.h"
#include "engine/container-store.h"
#include "engine/exit-record.h"
#include "engine/health.h"
#include "engine/relay.h"
#include "runtime/runtime.h"
#include "runtime/spec.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/lock.h"
#include "util/strv.h"
#include "util/xalloc.h"

struct health_result {
	char start[40];
	char end[40];
	int exit_code; /* -1: killed at the timeout or not run */
	char output[HEALTH_OUTPUT_MAX + 1];
	size_t len;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Keep the last HEALTH_OUTPUT_MAX bytes, as Docker does. */
static void keep_output(struct health_result *res, const char *buf, size_t n)
{
	if (n >= HEALTH_OUTPUT_MAX) {
		memcpy(res->output, buf + n - HEALTH_OUTPUT_MAX,
		       HEALTH_OUTPUT_MAX);
		res->len = HEALTH_OUTPUT_MAX;
		return;
	}
	if (res->len + n > HEALTH_OUTPUT_MAX) {
		size_t drop = res->len + n - HEALTH_OUTPUT_MAX;

		memmove(res->output, res->output + drop, res->len - drop);
		res->len -= drop;
	}
	memcpy(res->output + res->len, buf, n);
	res->len += n;
}

static char **test_args(const json_t *hc)
{
	const json_t *test = json_object_get(hc, "Test");
	const char *kind = json_string_value(json_array_get(test, 0));
	char **args = NULL;

	if (kind != NULL && strcmp(kind, "CMD-SHELL") == 0) {
		strv_push(&args, "/bin/sh");
		strv_push(&args, "-c");
	}
	for (size_t i = 1; i < json_array_size(test); i++)
		strv_push(&args,
			  json_string_value(json_array_get(test, i)) ?: "");
	return args;
}

static int64_t hc_duration(const json_t *hc, const char *key, int64_t dflt)
{
	int64_t v = json_integer_value(json_object_get(hc, key));

	return v > 0 ? v : dflt;
}

static pid_t parent_of(pid_t pid)
{
	char path[64], buf[512], *p;
	_cleanup_close_ int fd = -1;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || (n = read(fd, buf, sizeof(buf) - 1)) <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p != NULL ? (pid_t)strtol(p + 3, NULL, 10) : 0;
}

/*
 * Kill pid and what it started: the exec has no session of its own, so
 * a test such as "sh -c 'a; sleep 60'" would leave its children behind.
 * Stopped first, so that none forks while the tree is walked.
 */
static void kill_tree(pid_t pid)
{
	_cleanup_closedir_ DIR *proc = opendir("/proc");
	struct dirent *de;

	kill(pid, SIGSTOP);
	while (proc != NULL && (de = readdir(proc)) != NULL) {
		pid_t child = (pid_t)strtol(de->d_name, NULL, 10);

		if (child > 0 && parent_of(child) == pid)
			kill_tree(child);
	}
	kill(pid, SIGKILL);
}

/* Read the pipe and wait for pid, killing it after timeout_ms. */
static int collect(pid_t pid, int fd, int64_t timeout_ms,
		   struct health_result *res)
{
	int64_t deadline = now_ms() + timeout_ms;
	bool timed_out = false;
	char buf[4096];
	int status = 0;

	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int64_t left = deadline - now_ms();
		ssize_t n;

		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		if (left <= 0) {
			timed_out = true;
			kill_tree(pid);
			waitpid(pid, &status, 0);
			break;
		}
		if (poll(&p, 1, left > 50 ? 50 : (int)left) > 0) {
			n = read(fd, buf, sizeof(buf));
			if (n > 0)
				keep_output(res, buf, (size_t)n);
		}
	}

	/* What is left in the pipe; a child of the test may still hold it. */
	fcntl(fd, F_SETFL, O_NONBLOCK);
	for (ssize_t n; (n = read(fd, buf, sizeof(buf))) > 0;)
		keep_output(res, buf, (size_t)n);

	if (timed_out) {
		res->exit_code = -1;
		res->len = (size_t)snprintf(res->output, sizeof(res->output),
					    "Health check exceeded timeout "
					    "(%lldms)",
					    (long long)timeout_ms);
		return 0;
	}
	res->exit_code = relay_exit_code(status);
	return 0;
}

/*
 * A test that cannot start (a missing command: 127) is a failed check,
 * as in Docker, so that it still turns the container unhealthy.
 */
static void record_exec_failure(struct health_result *res,
				const struct berth_error *e)
{
	_cleanup_free_ char *text = berth_error_text(e);

	res->exit_code = e->status != 0 ? e->status : BERTH_EXIT_CANNOT_EXEC;
	res->len =
		(size_t)snprintf(res->output, sizeof(res->output), "%s", text);
	if (res->len > HEALTH_OUTPUT_MAX)
		res->len = HEALTH_OUTPUT_MAX;
	exit_record_now(res->end, sizeof(res->end));
}

static int run_test(struct engine *engine, const char *id, const json_t *hc,
		    struct health_result *res, struct berth_error **err)
{
	_cleanup_spec_ struct spec *spec = NULL;
	_cleanup_close_ int null_fd = -1, rfd = -1, wfd = -1;
	_cleanup_error_ struct berth_error *exec_err = NULL;
	int fds[2];
	pid_t pid;
	struct runtime_exec_options o = {.detach = true};

	if (runtime_load_spec(engine->state_root, id, &spec, err) < 0)
		return -1;
	strv_free(spec->process->args);
	spec->process->args = test_args(hc);
	spec->process->terminal = false;

	null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null_fd < 0 || pipe2(fds, O_CLOEXEC) < 0)
		return berth_error_set(err, errno, "create the check's pipe");
	rfd = fds[0];
	wfd = fds[1];
	o.process = spec->process;
	o.stdio[0] = null_fd;
	o.stdio[1] = wfd;
	o.stdio[2] = wfd;

	exit_record_now(res->start, sizeof(res->start));
	if (runtime_exec(engine->state_root, id, &o, &pid, NULL, &exec_err) <
	    0) {
		record_exec_failure(res, exec_err);
		return 0;
	}
	close(TAKE_FD(wfd));

	collect(pid, rfd,
		hc_duration(hc, "Timeout", HEALTH_DEFAULT_TIMEOUT_NS) / 1000000,
		res);
	exit_record_now(res->end, sizeof(res->end));
	return 0;
}

static json_t *new_state(void)
{
	return json_pack("{s:s,s:i,s:[]}", "Status", "starting",
			 "FailingStreak", 0, "Log");
}

static char *state_path(const struct engine *engine, const char *id,
			const char *name)
{
	_cleanup_free_ char *run_dir = container_run_dir(engine, id);

	return fs_path_join(run_dir, name);
}

/* Seconds since the container's start, from its RFC 3339 time. */
static int64_t running_for(const char *started_at)
{
	struct tm tm = {0};

	if (sscanf(started_at, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon,
		   &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return INT64_MAX;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (int64_t)(time(NULL) - timegm(&tm));
}

static void apply_result(json_t *state, const json_t *hc,
			 const struct health_result *res, bool in_start_period)
{
	json_t *log = json_object_get(state, "Log");
	int64_t retries = json_integer_value(json_object_get(hc, "Retries"));
	int64_t streak =
		json_integer_value(json_object_get(state, "FailingStreak"));
	const char *status =
		json_string_value(json_object_get(state, "Status"));

	if (!json_is_array(log)) {
		log = json_array();
		json_object_set_new(state, "Log", log);
	}
	json_array_append_new(log, json_pack("{s:s,s:s,s:i,s:s%}", "Start",
					     res->start, "End", res->end,
					     "ExitCode", res->exit_code,
					     "Output", res->output, res->len));
	while (json_array_size(log) > HEALTH_LOG_ENTRIES)
		json_array_remove(log, 0);

	if (retries <= 0)
		retries = HEALTH_DEFAULT_RETRIES;
	if (res->exit_code == 0) {
		status = "healthy";
		streak = 0;
	} else if (!in_start_period || status == NULL ||
		   strcmp(status, "starting") != 0) {
		streak++;
		if (streak >= retries)
			status = "unhealthy";
	}
	json_object_set_new(state, "Status",
			    json_string(status != NULL ? status : "starting"));
	json_object_set_new(state, "FailingStreak", json_integer(streak));
}

static int record(struct engine *engine, const char *id, const json_t *hc,
		  const struct health_result *res, bool in_start_period,
		  struct berth_error **err)
{
	_cleanup_free_ char *lock_path = state_path(engine, id, "health.lock");
	_cleanup_free_ char *path = state_path(engine, id, "health.json");
	_cleanup_lock_ int lock = -1;
	_cleanup_json_ json_t *state = NULL;

	if (lock_acquire(lock_path, LOCK_MODE_EXCLUSIVE, &lock, err) < 0)
		return -1;
	if (json_parse_file(path, &state, NULL) < 0 || !json_is_object(state))
		state = new_state();
	apply_result(state, hc, res, in_start_period);
	return json_write_file_atomic(path, state, err);
}

int health_state_reset(struct engine *engine, const char *id,
		       struct berth_error **err)
{
	_cleanup_free_ char *path = state_path(engine, id, "health.json");
	_cleanup_json_ json_t *state = new_state();

	return json_write_file_atomic(path, state, err);
}

int health_check_once(struct engine *engine, const char *id,
		      struct berth_error **err)
{
	_cleanup_free_ char *dir = container_dir(engine, id);
	_cleanup_json_ json_t *hc = NULL;
	struct health_result res = {.exit_code = -1};
	struct container_state cs;
	bool in_start_period;

	if (health_config_load(dir, &hc, err) < 0)
		return -1;
	if (hc == NULL)
		return berth_error_set(err, 0,
				       "container %s has no health check", id);
	if (container_state_get(engine, id, &cs, err) < 0)
		return -1;
	if (cs.status != CONTAINER_STATUS_RUNNING)
		return container_not_running(engine, id, err);

	if (run_test(engine, id, hc, &res, err) < 0)
		return -1;

	in_start_period =
		running_for(cs.started_at) * 1000000000LL <
		json_integer_value(json_object_get(hc, "StartPeriod"));
	if (record(engine, id, hc, &res, in_start_period, err) < 0)
		return -1;
	return res.exit_code == 0 ? 1 : 0;
}

json_t *health_state_load(const struct engine *engine, const char *id)
{
	_cleanup_free_ char *path = state_path(engine, id, "health.json");
	json_t *state = NULL;

	if (json_parse_file(path, &state, NULL) < 0)
		return NULL;
	return state;
}
