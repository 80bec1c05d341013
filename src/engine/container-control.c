/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Signals to a running container, stopping, waiting and removal. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <poll.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "engine/container-config.h"
#include "engine/container-network.h"
#include "engine/container-state.h"
#include "engine/container-store.h"
#include "engine/events.h"
#include "engine/overlay.h"
#include "engine/restart-policy.h"
#include "runtime/runtime.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/lock.h"

/* How long rm -f waits for a killed container's monitor, in ms. */
#define KILL_WAIT_MS 10000

static int mark_stopped(struct engine *engine, const char *id,
			struct berth_error **err);

/*
 * Whether a kill with signal ends the restart policy. Docker (moby
 * daemon/kill.go) ends it for SIGKILL, for the container's stop signal,
 * and for every signal when the container has no stop signal set.
 */
static bool kill_ends_restarts(struct engine *engine, const char *id,
			       int signal)
{
	_cleanup_free_ char *dir = container_dir(engine, id);
	_cleanup_container_config_ struct container_config *c = NULL;
	int stop_signal = 0;

	if (signal == SIGKILL)
		return true;
	if (container_config_load(dir, &c, NULL) < 0)
		return false;
	if (c->stop_signal == NULL)
		return true;
	return runtime_signal_parse(c->stop_signal, &stop_signal, NULL) == 0 &&
	       stop_signal == signal;
}

int engine_container_kill(struct engine *engine, const char *id, int signal,
			  struct berth_error **err)
{
	struct container_state state;

	if (container_state_get(engine, id, &state, err) < 0)
		return -1;

	if (state.status != CONTAINER_STATUS_RUNNING)
		return container_not_running(engine, id, err);

	/* In the back-off there is no process: ending the restarts is all. */
	if (state.restarting && !kill_ends_restarts(engine, id, signal))
		return berth_error_set(err, 0,
				       "container '%.12s' is restarting: "
				       "wait until it runs, or send its stop "
				       "signal or SIGKILL to end the restarts",
				       id);

	if (kill_ends_restarts(engine, id, signal) &&
	    mark_stopped(engine, id, err) < 0)
		return -1;
	if (!state.restarting &&
	    runtime_kill(engine->state_root, id, signal, false, err) < 0)
		return -1;
	events_container(engine, "kill", id, -1);
	return 0;
}

/*
 * Record that the user stopped the container, so that its monitor does
 * not apply the restart policy when the init exits.
 */
static int mark_stopped(struct engine *engine, const char *id,
			struct berth_error **err)
{
	_cleanup_free_ char *dir = container_dir(engine, id);
	_cleanup_lock_ int lock = -1;
	struct restart_state rs;

	if (container_lock(engine, id, &lock, err) < 0)
		return -1;
	restart_state_load(dir, &rs);
	rs.manually_stopped = true;
	return restart_state_save(dir, &rs, err);
}

/* A frozen process gets the signal sent to it once thawed. */
static void thaw(struct engine *engine, const char *id)
{
	if (engine_container_paused(engine, id))
		(void)runtime_pause(engine->state_root, id, false, NULL);
}

/* The default of "docker stop", in seconds. */
#define STOP_TIMEOUT_DEFAULT 10

/* Fill in the container's stop signal and timeout where not given. */
static int stop_defaults(struct engine *engine, const char *id, int *signal,
			 long *timeout, struct berth_error **err)
{
	_cleanup_free_ char *dir = container_dir(engine, id);
	_cleanup_container_config_ struct container_config *c = NULL;

	if (*signal != 0 && *timeout >= 0)
		return 0;

	if (container_config_load(dir, &c, err) < 0)
		return -1;

	if (*timeout < 0)
		*timeout = c->stop_timeout >= 0 ? (long)c->stop_timeout :
						  STOP_TIMEOUT_DEFAULT;
	if (*signal != 0)
		return 0;

	*signal = SIGTERM;
	if (c->stop_signal != NULL &&
	    runtime_signal_parse(c->stop_signal, signal, err) < 0)
		return -1;
	return 0;
}

/*
 * Undo what the monitor would have undone at the exit of a container
 * whose monitor was killed: its runtime state, its network (veths,
 * namespace, port rules) and its root file system mount.
 */
static void clean_up_orphan(struct engine *engine, const char *id)
{
	_cleanup_free_ char *dir = container_dir(engine, id);

	(void)runtime_delete(engine->state_root, id, true, NULL);
	container_network_stop(engine, id);
	(void)overlay_unmount(dir, NULL);
}

/* The end of a stop: the event, and the cleanup an orphan needs. */
static int stopped(struct engine *engine, const char *id,
		   const struct container_state *state)
{
	if (state->orphaned)
		clean_up_orphan(engine, id);
	events_container(engine, "stop", id, -1);
	return 0;
}

int engine_container_stop(struct engine *engine, const char *id, int signal,
			  long timeout, struct berth_error **err)
{
	struct container_state state;
	int r;

	if (container_state_get(engine, id, &state, err) < 0)
		return -1;

	/*
	 * An init that just exited leaves its monitor cleaning up, and
	 * maybe about to restart it: stop that, and wait for the monitor.
	 */
	if (state.status != CONTAINER_STATUS_RUNNING) {
		if (state.monitor_pid <= 0)
			return 0;
		/* A --rm monitor may be removing the directory. */
		(void)mark_stopped(engine, id, NULL);
		r = container_state_wait_monitor(&state, -1, err);
		return r < 0 ? -1 : 0;
	}

	if (stop_defaults(engine, id, &signal, &timeout, err) < 0 ||
	    mark_stopped(engine, id, err) < 0)
		return -1;

	/* The init may exit between the check and the kill. */
	r = runtime_kill(engine->state_root, id, signal, false, NULL);
	thaw(engine, id);
	if (r == 0) {
		/* Past about 24 days of ms, an int is too small: no limit. */
		int ms = timeout > INT_MAX / 1000 ? -1 : (int)timeout * 1000;

		r = container_state_wait_monitor(&state, ms, err);
		if (r < 0)
			return -1;
		if (r > 0)
			return stopped(engine, id, &state);
	}

	(void)runtime_kill(engine->state_root, id, SIGKILL, true, NULL);
	r = container_state_wait_monitor(&state, -1, err);
	if (r < 0)
		return -1;
	return stopped(engine, id, &state);
}

/* How often wait checks the monitor, in milliseconds. */
#define WAIT_POLL_MS 50

/*
 * Watch the container directory for exit.json being renamed into place,
 * so that wait reads it before a --rm monitor removes the directory.
 */
static int watch_exit_record(const struct engine *engine, const char *id)
{
	_cleanup_free_ char *dir = container_dir(engine, id);
	int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);

	if (fd >= 0 && inotify_add_watch(fd, dir, IN_MOVED_TO) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void sleep_until_event(int fd)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	char buf[4096];

	(void)poll(&pfd, 1, WAIT_POLL_MS);
	while (fd >= 0 && read(fd, buf, sizeof(buf)) > 0)
		;
}

int engine_container_wait(struct engine *engine, const char *id,
			  int *ret_exit_code, struct berth_error **err)
{
	_cleanup_close_ int watch = watch_exit_record(engine, id);
	struct container_state state, now;
	int code = 0, r = 0;

	if (container_state_get(engine, id, &state, err) < 0)
		return -1;

	if (state.status == CONTAINER_STATUS_EXITED)
		code = state.exit_code;

	/*
	 * The monitor outlives the exit record while it unmounts and
	 * deletes the runtime state, so wait for the monitor. A --rm
	 * container's record is gone by then: take the code on the way.
	 */
	while (state.monitor_pid > 0 && r == 0) {
		sleep_until_event(watch);

		if (container_state_get(engine, id, &now, NULL) == 0 &&
		    now.status == CONTAINER_STATUS_EXITED)
			code = now.exit_code;

		r = container_state_wait_monitor(&state, 0, err);
		if (r < 0)
			return -1;
	}

	*ret_exit_code = code;
	return 0;
}

static int kill_and_wait(struct engine *engine, const char *id,
			 struct berth_error **err)
{
	struct container_state state;
	int r;

	if (container_state_get(engine, id, &state, err) < 0)
		return -1;

	if (state.status != CONTAINER_STATUS_RUNNING)
		return 0;

	if (mark_stopped(engine, id, err) < 0)
		return -1;
	(void)runtime_kill(engine->state_root, id, SIGKILL, true, NULL);
	thaw(engine, id);
	r = container_state_wait_monitor(&state, KILL_WAIT_MS, err);
	if (r == 0)
		return berth_error_set(err, ETIMEDOUT,
				       "container '%s' did not stop after "
				       "SIGKILL",
				       id);
	return r < 0 ? -1 : 0;
}

static int remove_locked(struct engine *engine, const char *id, bool force,
			 struct berth_error **err)
{
	_cleanup_free_ char *dir = container_dir(engine, id);
	_cleanup_free_ char *run_dir = container_run_dir(engine, id);
	struct container_state state;

	if (container_state_get(engine, id, &state, err) < 0)
		return -1;

	if (state.status == CONTAINER_STATUS_RUNNING)
		return berth_error_set(err, 0,
				       "cannot remove container '%.12s': it "
				       "is running: stop it first or use -f",
				       id);

	/* What a vanished monitor left: runtime state, mount, run dir. */
	(void)runtime_delete(engine->state_root, id, true, NULL);
	if (overlay_unmount(dir, err) < 0 ||
	    container_network_release(engine, id, dir, err) < 0)
		return -1;

	if (fs_rm_rf(run_dir, err) < 0 || fs_rm_rf(dir, err) < 0)
		return -1;
	return 0;
}

int engine_container_remove(struct engine *engine, const char *id, bool force,
			    struct berth_error **err)
{
	_cleanup_lock_ int lock = -1;
	_cleanup_lock_ int container = -1;

	/*
	 * Kill before taking the lock: a --rm monitor takes the lock to
	 * remove its container when it exits.
	 */
	if (force && kill_and_wait(engine, id, err) < 0)
		return -1;

	if (container_store_lock(engine, &lock, err) < 0 ||
	    container_lock(engine, id, &container, err) < 0)
		return -1;

	/* The event names the container, so it is sent before removal. */
	events_container(engine, "destroy", id, -1);
	return remove_locked(engine, id, force, err);
}
