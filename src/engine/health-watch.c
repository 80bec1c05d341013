/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The health watcher, which runs the check every interval next to a
 * container's monitor, and the wait for "healthy" that compose uses.
 * The watcher is a separate berth process so that the resident monitor
 * stays small.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/container-state.h"
#include "engine/container-store.h"
#include "engine/health.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"

#define HEALTH_POLL_MS 100

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int64_t ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static bool init_alive(const struct container_state *cs)
{
	return container_pid_start_time(cs->pid) == cs->start_time;
}

/* Sleep ms unless the init exits first; false when it did. */
static bool wait_while_alive(const struct container_state *cs, int64_t ms)
{
	int64_t end = now_ms() + ms;

	for (int64_t left; (left = end - now_ms()) > 0;) {
		if (!init_alive(cs))
			return false;
		sleep_ms(left < HEALTH_POLL_MS ? left : HEALTH_POLL_MS);
	}
	return init_alive(cs);
}

static int64_t hc_ms(const json_t *hc, const char *key, int64_t dflt_ns)
{
	int64_t v = json_integer_value(json_object_get(hc, key));

	return (v > 0 ? v : dflt_ns) / 1000000;
}

int health_watch(struct engine *engine, const char *id,
		 struct berth_error **err)
{
	_cleanup_free_ char *dir = container_dir(engine, id);
	_cleanup_json_ json_t *hc = NULL;
	struct container_state cs;
	int64_t started, interval, start_interval, start_period;

	if (health_config_load(dir, &hc, err) < 0)
		return -1;
	if (hc == NULL || container_state_get(engine, id, &cs, err) < 0)
		return hc == NULL ? 0 : -1;
	if (cs.status != CONTAINER_STATUS_RUNNING || cs.pid <= 0)
		return 0;
	if (health_state_reset(engine, id, err) < 0)
		return -1;

	interval = hc_ms(hc, "Interval", HEALTH_DEFAULT_INTERVAL_NS);
	start_interval = hc_ms(hc, "StartInterval", interval * 1000000);
	start_period = hc_ms(hc, "StartPeriod", 0);
	started = now_ms();
	for (;;) {
		bool starting = now_ms() - started < start_period;
		_cleanup_error_ struct berth_error *e = NULL;

		if (!wait_while_alive(&cs,
				      starting ? start_interval : interval))
			return 0;
		if (health_check_once(engine, id, &e) < 0) {
			_cleanup_free_ char *text = NULL;

			if (!init_alive(&cs))
				return 0;
			text = berth_error_text(e);
			log_warning("health check of %s: %s", id, text);
		}
	}
}

void health_spawn_watcher(struct engine *engine, const char *id)
{
	_cleanup_free_ char *dir = container_dir(engine, id);
	_cleanup_free_ char *path = fs_path_join(dir, "healthcheck.json");
	pid_t pid;

	if (engine->exe == NULL || access(path, F_OK) < 0)
		return;

	/* Twice, so that the watcher is not this process's child. */
	pid = fork();
	if (pid < 0)
		return;
	if (pid == 0) {
		sigset_t none;
		int null_fd;

		/* The monitor blocks the signals it relays. */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);

		setsid();
		if (fork() != 0)
			_exit(0);
		null_fd = open("/dev/null", O_RDWR);
		if (null_fd >= 0) {
			dup2(null_fd, STDIN_FILENO);
			dup2(null_fd, STDOUT_FILENO);
		}
		syscall(SYS_close_range, 3U, ~0U, 0);
		execl(engine->exe, "berth", "--root", engine->root, "--runroot",
		      engine->runroot, "healthcheck", "watch", id,
		      (char *)NULL);
		_exit(127);
	}
	waitpid(pid, NULL, 0);
}

int engine_container_wait_healthy(struct engine *engine, const char *id,
				  int timeout_ms, struct berth_error **err)
{
	_cleanup_free_ char *dir = container_dir(engine, id);
	_cleanup_json_ json_t *hc = NULL;
	int64_t end = now_ms() + timeout_ms;

	if (health_config_load(dir, &hc, err) < 0)
		return -1;
	if (hc == NULL)
		return berth_error_set(err, 0,
				       "container %s has no health check", id);
	for (;;) {
		_cleanup_json_ json_t *state = health_state_load(engine, id);
		const char *status =
			json_string_value(json_object_get(state, "Status"));
		struct container_state cs;

		if (status != NULL && strcmp(status, "healthy") == 0)
			return 0;
		if (status != NULL && strcmp(status, "unhealthy") == 0)
			return berth_error_set(err, 0,
					       "container %s is unhealthy", id);
		if (container_state_get(engine, id, &cs, err) < 0)
			return -1;
		if (cs.status != CONTAINER_STATUS_RUNNING && !cs.restarting)
			return container_not_running(engine, id, err);
		if (timeout_ms >= 0 && now_ms() >= end)
			return berth_error_set(err, ETIMEDOUT,
					       "container %s is not healthy "
					       "yet",
					       id);
		sleep_ms(HEALTH_POLL_MS);
	}
}
