/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "engine/monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "engine/bundle.h"
#include "engine/console.h"
#include "engine/container-config.h"
#include "engine/container-network.h"
#include "engine/container-state.h"
#include "engine/container-store.h"
#include "engine/events.h"
#include "engine/exit-record.h"
#include "engine/health.h"
#include "engine/overlay.h"
#include "engine/relay.h"
#include "engine/restart-policy.h"
#include "engine/volume.h"
#include "runtime/runtime.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/lock.h"
#include "util/xalloc.h"

struct monitor {
	struct engine *engine;
	const char *id;
	struct container_config *config;
	char *dir;
	char *run_dir;
	bool attached;
	int report_fd;
	bool mounted;
	bool created;
	bool keep_run_dir; /* between runs under a restart policy */
	pid_t pid;
	int log_fd;
	int out_fd;	  /* our end of the stdout pipe, or the master */
	int err_fd;	  /* our end of the stderr pipe */
	int in_fd;	  /* our end of the stdin pipe */
	int child_fds[3]; /* the container's ends */
	struct console_socket console;
	char started_at[40];
	sigset_t old_mask;
};

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static int make_pipe(int *ret_read, int *ret_write, struct berth_error **err)
{
	int fds[2];

	if (pipe2(fds, O_CLOEXEC) < 0)
		return berth_error_set(err, errno, "create pipe");
	*ret_read = fds[0];
	*ret_write = fds[1];
	return 0;
}

static int setup_stdio(struct monitor *m, struct berth_error **err)
{
	if (m->config->tty)
		return console_socket_open(&m->console, err);

	if (make_pipe(&m->out_fd, &m->child_fds[1], err) < 0 ||
	    make_pipe(&m->err_fd, &m->child_fds[2], err) < 0)
		return -1;

	if (m->config->interactive)
		return make_pipe(&m->child_fds[0], &m->in_fd, err);

	m->child_fds[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (m->child_fds[0] < 0)
		return berth_error_set(err, errno, "open '/dev/null'");
	return 0;
}

static int open_log(struct monitor *m, struct berth_error **err)
{
	_cleanup_free_ char *path = fs_path_join(m->dir, "ctr.log");

	m->log_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (m->log_fd < 0)
		return berth_error_set(err, errno, "open '%s'", path);
	return 0;
}

static int create_container(struct monitor *m, struct berth_error **err)
{
	struct runtime_create_options opts = {
		.bundle = m->dir,
		.stdio = {m->child_fds[0], m->child_fds[1], m->child_fds[2]},
	};

	if (m->config->tty)
		opts.console_socket = m->console.path;

	/* A left-over state from a vanished monitor would block the id. */
	(void)runtime_delete(m->engine->state_root, m->id, true, NULL);

	if (runtime_create(m->engine->state_root, m->id, &opts, &m->pid, err) <
	    0)
		return -1;
	m->created = true;

	for (size_t i = 0; i < 3; i++)
		close_fd(&m->child_fds[i]);

	if (m->config->tty) {
		if (console_receive(m->console.fd, &m->out_fd, err) < 0)
			return -1;
		console_socket_close(&m->console);
		m->in_fd = m->out_fd;
		if (m->attached)
			console_copy_size(STDIN_FILENO, m->out_fd);
	}
	return 0;
}

static int start_steps(struct monitor *m, struct berth_error **err)
{
	if (fs_mkdir_p(m->run_dir, 0700, err) < 0)
		return -1;

	if (overlay_mount(m->dir, m->config->lowerdir, err) < 0)
		return -1;
	m->mounted = true;

	if (open_log(m, err) < 0 || setup_stdio(m, err) < 0)
		return -1;

	if (container_network_start(m->engine, m->id, m->dir, err) < 0 ||
	    create_container(m, err) < 0)
		return -1;

	if (runtime_start(m->engine->state_root, m->id, err) < 0)
		return -1;

	container_state_mark_started(m->dir);
	exit_record_now(m->started_at, sizeof(m->started_at));
	if (container_state_write_monitor(m->run_dir, m->pid, m->started_at,
					  err) < 0)
		return -1;
	events_container(m->engine, "start", m->id, -1);
	health_spawn_watcher(m->engine, m->id);
	return 0;
}

static void send_report(struct monitor *m, const struct berth_error *e)
{
	struct monitor_report report = {0};

	if (m->report_fd < 0)
		return;

	if (e != NULL) {
		report.status = e->status != 0 ? e->status : BERTH_EXIT_ENGINE;
		report.errnum = e->errnum;
		snprintf(report.msg, sizeof(report.msg), "%s", e->msg);
	}
	/* One write below PIPE_BUF is atomic; a lost reader is no error. */
	(void)!write(m->report_fd, &report, sizeof(report));
	close_fd(&m->report_fd);
}

/* Undo what start_steps() did; used on failure and after the exit. */
static void cleanup(struct monitor *m)
{
	if (m->created)
		(void)runtime_delete(m->engine->state_root, m->id, true, NULL);
	m->created = false;
	container_network_stop(m->engine, m->id);

	if (m->mounted)
		(void)overlay_unmount(m->dir, NULL);
	m->mounted = false;

	console_socket_close(&m->console);
	/* monitor.json must not vanish while the policy may restart. */
	if (!m->keep_run_dir)
		(void)fs_rm_rf(m->run_dir, NULL);
}

static void remove_container(struct monitor *m)
{
	_cleanup_error_ struct berth_error *e = NULL;
	_cleanup_lock_ int lock = -1;

	if (container_store_lock(m->engine, &lock, &e) < 0)
		return;
	(void)container_network_release(m->engine, m->id, m->dir, NULL);
	events_container(m->engine, "destroy", m->id, -1);
	/* Docker's --rm removes the anonymous volumes as well. */
	if (fs_rm_rf(m->dir, NULL) == 0)
		(void)volume_remove_anonymous_locked(m->engine, m->config,
						     NULL);
}

static int supervise(struct monitor *m, int *ret_exit_code,
		     struct berth_error **err)
{
	struct relay r = {
		.pid = m->pid,
		.out_fd = m->out_fd,
		.err_fd = m->err_fd,
		.in_fd = m->in_fd,
		.input_fd = -1,
		.term_out = m->attached ? STDOUT_FILENO : -1,
		.term_err = m->attached ? STDERR_FILENO : -1,
		.log_fd = m->log_fd,
		.console_fd = m->config->tty ? m->out_fd : -1,
		.close_in_on_eof = !m->config->tty,
	};
	_cleanup_free_ char *cgroup = bundle_cgroup_path(m->config);
	char finished_at[40];
	int status = 0, code;

	if (m->attached && m->config->interactive)
		r.input_fd = STDIN_FILENO;
	if (m->config->tty)
		r.term_err = -1;

	if (relay_run(&r, &status, err) < 0) {
		/* Without the relay, still wait so the exit is recorded. */
		(void)kill(m->pid, SIGKILL);
		while (waitpid(m->pid, &status, 0) < 0 && errno == EINTR)
			;
	}

	code = relay_exit_code(status);
	exit_record_now(finished_at, sizeof(finished_at));
	(void)exit_record_write(m->dir, code, m->started_at, finished_at,
				exit_record_oom_killed(cgroup));
	events_container(m->engine, "die", m->id, code);
	*ret_exit_code = code;
	return 0;
}

static bool clear_cloexec(int fd)
{
	int flags = fcntl(fd, F_GETFD);

	return fd < 0 ||
	       (flags >= 0 && fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC) == 0);
}

/*
 * Replace this program with the small berth-monitor next to engine->exe,
 * which keeps the container's init as its child and needs a fraction
 * of this program's memory. Returns only when that is not possible;
 * the caller then supervises in this program.
 */
static void exec_small_monitor(struct monitor *m)
{
	char pid[16], out[16], err[16], log[16];
	_cleanup_free_ char *dir = NULL, *helper = NULL;
	_cleanup_free_ char *cgroup = bundle_cgroup_path(m->config);
	char *slash;

	if (m->engine->exe == NULL)
		return;

	dir = xstrdup(m->engine->exe);
	slash = strrchr(dir, '/');
	if (slash == NULL)
		return;
	*slash = '\0';
	xasprintf(&helper, "%s/berth-monitor", dir);
	if (access(helper, X_OK) < 0)
		return;

	/*
	 * berth-monitor inherits the stdin pipe of -i without using it, so
	 * the container's stdin stays open as with Docker's "run -di".
	 */
	if (!clear_cloexec(m->out_fd) || !clear_cloexec(m->err_fd) ||
	    !clear_cloexec(m->log_fd) || !clear_cloexec(m->in_fd))
		return;

	snprintf(pid, sizeof(pid), "%d", (int)m->pid);
	snprintf(out, sizeof(out), "%d", m->out_fd);
	snprintf(err, sizeof(err), "%d", m->err_fd);
	snprintf(log, sizeof(log), "%d", m->log_fd);
	execl(helper, "berth-monitor", pid, out, err, log, m->id, m->dir,
	      m->started_at, cgroup, m->engine->exe, m->engine->root,
	      m->engine->runroot, (char *)NULL);
}

static void clear_monitor(struct monitor *m);
static void close_stdio(struct monitor *m);

/* berth-monitor links no JSON library, so the die event is sent here. */
static void record_die(struct monitor *m)
{
	struct container_state state;

	if (container_state_get(m->engine, m->id, &state, NULL) == 0)
		events_container(m->engine, "die", m->id, state.exit_code);
}

/* Seconds between two times of exit_record_now(), 0 when unreadable. */
static int64_t seconds_between(const char *from, const char *to)
{
	struct tm a = {0}, b = {0};

	if (strptime(from, "%Y-%m-%dT%H:%M:%S", &a) == NULL ||
	    strptime(to, "%Y-%m-%dT%H:%M:%S", &b) == NULL)
		return 0;
	return (int64_t)(timegm(&b) - timegm(&a));
}

/*
 * Sleep the back-off in short steps, so that a stop during it ends the
 * restarts at once. Returns false when the user stopped the container.
 */
static bool backoff(struct monitor *m, int64_t delay_ms)
{
	struct restart_state state;
	const int64_t step = 50;

	for (int64_t left = delay_ms; left > 0; left -= step) {
		struct timespec ts = {0, (left < step ? left : step) * 1000000};

		restart_state_load(m->dir, &state);
		if (state.manually_stopped)
			return false;
		nanosleep(&ts, NULL);
	}
	return true;
}

/*
 * Decide from exit.json and restart.json whether to start again; on yes
 * record the back-off and mark the run directory as restarting.
 */
static bool restart_wanted(struct monitor *m, int64_t *ret_delay_ms)
{
	struct restart_policy policy;
	struct restart_state rs;
	struct container_state cs;

	if (m->config->restart == NULL ||
	    restart_policy_parse(m->config->restart, &policy, NULL) < 0 ||
	    container_state_get(m->engine, m->id, &cs, NULL) < 0)
		return false;

	restart_state_load(m->dir, &rs);
	if (!restart_policy_wants(&policy, &rs, cs.exit_code))
		return false;

	rs.delay_ms = restart_next_delay(
		rs.delay_ms, seconds_between(cs.started_at, cs.finished_at));
	*ret_delay_ms = rs.delay_ms;
	if (restart_state_save(m->dir, &rs, NULL) < 0 ||
	    fs_mkdir_p(m->run_dir, 0700, NULL) < 0)
		return false;
	/* No init and no start time: "berth ps" shows it restarting. */
	return container_state_write_monitor(m->run_dir, 0, "", NULL) == 0;
}

/* Count the restart and start again under the container's lock. */
static int restart_start(struct monitor *m, struct berth_error **err)
{
	_cleanup_lock_ int lock = -1;
	struct restart_state rs;

	if (container_lock(m->engine, m->id, &lock, err) < 0)
		return -1;

	restart_state_load(m->dir, &rs);
	if (rs.manually_stopped)
		return 1;
	rs.count++;
	if (restart_state_save(m->dir, &rs, err) < 0)
		return -1;

	if (start_steps(m, err) < 0) {
		cleanup(m);
		return -1;
	}
	return 0;
}

/* A start that failed counts as a run that exited with its status. */
static void record_failed_start(struct monitor *m, const struct berth_error *e)
{
	char now[40];

	exit_record_now(now, sizeof(now));
	(void)exit_record_write(m->dir,
				e != NULL && e->status != 0 ? e->status :
							      BERTH_EXIT_ENGINE,
				now, now, false);
}

/*
 * Apply the restart policy: this process stays the monitor, starts the
 * container again after the back-off and becomes berth-monitor again.
 */
static void restart_loop(struct monitor *m)
{
	int64_t delay;
	int code;

	relay_block_signals(&m->old_mask);
	m->keep_run_dir = m->config->restart != NULL;
	while (restart_wanted(m, &delay) && backoff(m, delay)) {
		struct berth_error *e = NULL;
		int r = restart_start(m, &e);

		if (r > 0)
			break;
		if (r < 0) {
			record_failed_start(m, e);
			berth_error_free(&e);
			continue;
		}

		exec_small_monitor(m);
		if (supervise(m, &code, NULL) == 0)
			cleanup(m);
		close_stdio(m);
	}
	(void)fs_rm_rf(m->run_dir, NULL);
}

int monitor_finish(struct engine *engine, const char *id,
		   struct berth_error **err)
{
	struct monitor m = {
		.engine = engine,
		.id = id,
		.created = true,
		.mounted = true,
		.report_fd = -1,
		.log_fd = -1,
		.out_fd = -1,
		.err_fd = -1,
		.in_fd = -1,
		.child_fds = {-1, -1, -1},
		.console = {.fd = -1},
	};
	int r;

	m.dir = container_dir(engine, id);
	m.run_dir = container_run_dir(engine, id);
	sigprocmask(SIG_SETMASK, NULL, &m.old_mask);
	r = container_config_load(m.dir, &m.config, err);
	m.keep_run_dir = r == 0 && m.config->restart != NULL;
	record_die(&m);
	cleanup(&m);
	if (r == 0)
		restart_loop(&m);
	if (r == 0 && m.config->auto_remove)
		remove_container(&m);

	clear_monitor(&m);
	return r;
}

static void close_stdio(struct monitor *m)
{
	close_fd(&m->log_fd);
	if (m->in_fd != m->out_fd)
		close_fd(&m->in_fd);
	close_fd(&m->out_fd);
	close_fd(&m->err_fd);
	for (size_t i = 0; i < 3; i++)
		close_fd(&m->child_fds[i]);
}

static void clear_monitor(struct monitor *m)
{
	close_stdio(m);
	console_socket_close(&m->console);
	free(m->dir);
	free(m->run_dir);
	container_config_free(m->config);
	sigprocmask(SIG_SETMASK, &m->old_mask, NULL);
}

int monitor_run(struct engine *engine, const char *id, bool attached,
		int report_fd, int *start_lock, int *ret_exit_code,
		struct berth_error **err)
{
	struct monitor m = {
		.engine = engine,
		.id = id,
		.attached = attached,
		.report_fd = report_fd,
		.log_fd = -1,
		.out_fd = -1,
		.err_fd = -1,
		.in_fd = -1,
		.child_fds = {-1, -1, -1},
		.console = {.fd = -1},
	};
	struct termios saved;
	bool raw = false;
	int code = 0, r;

	m.dir = container_dir(engine, id);
	m.run_dir = container_run_dir(engine, id);
	relay_block_signals(&m.old_mask);

	r = container_config_load(m.dir, &m.config, err);
	/* A start by the user clears the count and an earlier stop. */
	if (r == 0)
		r = restart_state_save(m.dir, &(struct restart_state){0}, err);
	if (r == 0 && start_steps(&m, err) < 0) {
		cleanup(&m);
		r = -1;
	}
	send_report(&m, r < 0 ? *err : NULL);
	if (start_lock != NULL)
		lock_release(start_lock);

	if (r == 0) {
		if (!attached)
			exec_small_monitor(&m);
		/* Without -i, ^C stays a signal to berth, as with Docker. */
		if (attached && m.config->tty && m.config->interactive)
			raw = console_make_raw(STDIN_FILENO, &saved);
		r = supervise(&m, &code, err);
		if (raw)
			console_restore(STDIN_FILENO, &saved);
		cleanup(&m);
		if (!attached) {
			close_stdio(&m);
			restart_loop(&m);
		}
		if (m.config->auto_remove)
			remove_container(&m);
	}

	clear_monitor(&m);
	if (r == 0)
		*ret_exit_code = code;
	return r;
}
