/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "engine/container-state.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "engine/container-config.h"
#include "engine/container-store.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/xalloc.h"

#define MONITOR_FILE "monitor.json"
#define EXIT_FILE "exit.json"

/* Exit code recorded for a run whose monitor vanished, as Docker's 255. */
#define EXIT_CODE_LOST 255

const char *container_status_name(enum container_status status)
{
	switch (status) {
	case CONTAINER_STATUS_CREATED:
		return "created";
	case CONTAINER_STATUS_RUNNING:
		return "running";
	case CONTAINER_STATUS_EXITED:
		return "exited";
	}
	return "unknown";
}

unsigned long long container_pid_start_time(pid_t pid)
{
	char path[64], buf[1024];
	_cleanup_close_ int fd = -1;
	unsigned long long start = 0;
	const char *p;
	char state;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;

	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return 0;
	buf[n] = '\0';

	/* Field 22; the command name in field 2 may hold spaces. */
	p = strrchr(buf, ')');
	if (p == NULL || sscanf(p + 2,
				"%c %*d %*d %*d %*d %*d %*u %*u %*u %*u "
				"%*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
				&state, &start) != 2)
		return 0;

	/* A zombie has exited; its parent may never reap it. */
	if (state == 'Z' || state == 'X')
		return 0;
	return start;
}

int container_state_write_monitor(const char *run_dir, pid_t init_pid,
				  const char *started_at,
				  struct berth_error **err)
{
	_cleanup_free_ char *path = fs_path_join(run_dir, MONITOR_FILE);
	_cleanup_json_ json_t *j = NULL;
	pid_t self = getpid();

	j = json_pack("{s:i, s:I, s:i, s:I, s:s}", "monitor_pid", (int)self,
		      "monitor_start_time",
		      (json_int_t)container_pid_start_time(self), "pid",
		      (int)init_pid, "start_time",
		      (json_int_t)container_pid_start_time(init_pid),
		      "started_at", started_at);
	return json_write_file_atomic(path, j, err);
}

static void copy_string(char *buf, size_t size, const json_t *j,
			const char *key)
{
	const char *s = json_string_value(json_object_get(j, key));

	snprintf(buf, size, "%s", s != NULL ? s : "");
}

/* A missing process has start time 0, which no live process has. */
static bool pid_alive(pid_t pid, unsigned long long start_time)
{
	unsigned long long start;

	if (pid <= 0 || start_time == 0)
		return false;

	start = container_pid_start_time(pid);
	return start != 0 && start == start_time;
}

static bool monitor_alive(const struct container_state *s)
{
	return pid_alive(s->monitor_pid, s->monitor_start_time);
}

/* The init of a container whose monitor was killed may still run. */
static bool init_alive(const struct container_state *s)
{
	return pid_alive(s->pid, s->start_time);
}

static void read_monitor(const char *run_dir, struct container_state *s)
{
	_cleanup_free_ char *path = fs_path_join(run_dir, MONITOR_FILE);
	_cleanup_json_ json_t *j = NULL;

	if (json_parse_file(path, &j, NULL) < 0)
		return;

	s->monitor_pid =
		(pid_t)json_integer_value(json_object_get(j, "monitor_pid"));
	s->monitor_start_time = (unsigned long long)json_integer_value(
		json_object_get(j, "monitor_start_time"));
	s->pid = (pid_t)json_integer_value(json_object_get(j, "pid"));
	s->start_time = (unsigned long long)json_integer_value(
		json_object_get(j, "start_time"));
	copy_string(s->started_at, sizeof(s->started_at), j, "started_at");
}

static bool read_exit(const char *dir, struct container_state *s,
		      char *started_at, size_t size)
{
	_cleanup_free_ char *path = fs_path_join(dir, EXIT_FILE);
	_cleanup_json_ json_t *j = NULL;

	if (json_parse_file(path, &j, NULL) < 0)
		return false;

	s->exit_code = (int)json_integer_value(json_object_get(j, "exit_code"));
	s->oom_killed = json_is_true(json_object_get(j, "oom_killed"));
	copy_string(s->finished_at, sizeof(s->finished_at), j, "finished_at");
	copy_string(started_at, size, j, "started_at");
	return true;
}

/* The marker of a container whose init was started at least once. */
#define STARTED_FILE "started"

void container_state_mark_started(const char *dir)
{
	_cleanup_free_ char *path = fs_path_join(dir, STARTED_FILE);
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

	if (fd >= 0)
		close(fd);
}

/* A failed first start leaves no marker, so it stays "created". */
static bool ran_before(const char *dir)
{
	_cleanup_free_ char *path = fs_path_join(dir, STARTED_FILE);

	return access(path, F_OK) == 0;
}

int container_state_get(const struct engine *engine, const char *id,
			struct container_state *ret, struct berth_error **err)
{
	_cleanup_free_ char *dir = container_dir(engine, id);
	_cleanup_free_ char *run_dir = container_run_dir(engine, id);
	struct container_state s = {.status = CONTAINER_STATUS_CREATED};
	char exit_started[40] = "";
	bool has_exit;

	read_monitor(run_dir, &s);
	has_exit = read_exit(dir, &s, exit_started, sizeof(exit_started));

	if (s.monitor_pid > 0 &&
	    (!has_exit || strcmp(exit_started, s.started_at) != 0)) {
		if (monitor_alive(&s) || init_alive(&s)) {
			s.orphaned = !monitor_alive(&s);
			s.restarting = !s.orphaned && s.pid == 0;
			s.status = CONTAINER_STATUS_RUNNING;
			*ret = s;
			return 0;
		}
		/* The monitor and the init died without recording the exit. */
		s.status = CONTAINER_STATUS_EXITED;
		s.exit_code = EXIT_CODE_LOST;
		s.pid = 0;
		*ret = s;
		return 0;
	}

	s.pid = 0;
	if (has_exit) {
		s.status = CONTAINER_STATUS_EXITED;
		snprintf(s.started_at, sizeof(s.started_at), "%s",
			 exit_started);
	} else if (ran_before(dir)) {
		/* A reboot took monitor.json and the first run with it. */
		s.status = CONTAINER_STATUS_EXITED;
		s.exit_code = EXIT_CODE_LOST;
	}
	*ret = s;
	return 0;
}

int container_state_wait_monitor(const struct container_state *state,
				 int timeout_ms, struct berth_error **err)
{
	_cleanup_close_ int pidfd = -1;
	struct pollfd pfd;
	pid_t pid = state->monitor_pid;
	int r;

	/* Without its monitor, a container ends when its init does. */
	if (!monitor_alive(state)) {
		if (!init_alive(state))
			return 1;
		pid = state->pid;
	}

	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0 && errno == ESRCH)
		return 1;
	if (pidfd < 0)
		return berth_error_set(err, errno, "open pid %d", (int)pid);

	/* The pid may have been reused after the process exited. */
	if (!monitor_alive(state) && !init_alive(state))
		return 1;

	pfd = (struct pollfd){.fd = pidfd, .events = POLLIN};
	do {
		r = poll(&pfd, 1, timeout_ms);
	} while (r < 0 && errno == EINTR);

	if (r < 0)
		return berth_error_set(err, errno, "wait for the monitor");
	return r > 0 ? 1 : 0;
}

int container_not_running(const struct engine *engine, const char *id,
			  struct berth_error **err)
{
	_cleanup_free_ char *dir = container_dir(engine, id);
	struct container_config *config = NULL;
	int r;

	/* Users know containers by name, rarely by the full id. */
	if (container_config_load(dir, &config, NULL) < 0 ||
	    config->name == NULL)
		r = berth_error_set(err, 0,
				    "container '%.12s' is not running: start "
				    "it first",
				    id);
	else
		r = berth_error_set(err, 0,
				    "container '%s' is not running: start it "
				    "first",
				    config->name);
	container_config_free(config);
	return r;
}
