/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_RUNTIME_RUNTIME_INTERNAL_H
#define BERTH_RUNTIME_RUNTIME_INTERNAL_H

/*
 * Helpers shared by the lifecycle files (create, init, start, exec,
 * kill, delete). Not part of the library's interface.
 *
 * STATE_ROOT/ID/state.json is this runtime's own record of a container:
 * the fields of the runtime-spec state plus what later commands need
 * (the pid's start time, the cgroup path, the poststart and poststop
 * hooks, whether it is paused). Its "status" is only "creating" or
 * "created"; the live status is derived from the pid and the exec fifo.
 */

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "runtime/runtime.h"
#include "runtime/spec.h"
#include "util/error.h"

#define RUNTIME_STATE_FILE "state.json"
#define RUNTIME_EXEC_FIFO "exec.fifo"

/* The record state.json holds, besides the runtime_state fields. */
struct runtime_record {
	struct runtime_state state;
	bool creating; /* create has not finished yet */
	bool paused;
	json_t *hooks; /* {"poststart": [...], "poststop": [...]}, or NULL */
};

char *runtime_container_dir(const char *state_root, const char *id);

int runtime_record_read(const char *state_root, const char *id,
			struct runtime_record *ret, struct berth_error **err);
int runtime_record_write(const char *state_root,
			 const struct runtime_record *record,
			 struct berth_error **err);
void runtime_record_clear(struct runtime_record *record);

/*
 * Derive the live status of a record: stopped once the pid is gone, a
 * zombie, or a different process (start time differs).
 */
enum runtime_status runtime_record_status(const char *state_root,
					  const struct runtime_record *record);

/* Read field 22 (starttime) of /proc/PID/stat; 0 when pid is gone. */
unsigned long long runtime_pid_start_time(pid_t pid);

/* Return the current time as RFC 3339 with nanoseconds, in UTC. */
char *runtime_now_rfc3339(void);

/* Write pid to path atomically, as a decimal number without newline. */
int runtime_write_pid_file(const char *path, pid_t pid,
			   struct berth_error **err);

/* hooks.c */

/* Run each hook with the state JSON on its stdin, honouring its timeout. */
int hooks_run(const struct spec_hook_list *list, const char *stage,
	      const json_t *state, struct berth_error **err);

/* Serialize a hook list for state.json. */
json_t *hooks_list_to_json(const struct spec_hook_list *list);

/*
 * Run the hooks of one stage ("poststart", "poststop") that state.json
 * stores. Each failure is logged as a warning and the rest still run.
 */
void hooks_run_json(const json_t *hooks, const char *stage,
		    const json_t *state);

/* child-wait.c */

/*
 * How long to wait for a child to exit after SIGKILL. Only a child stuck
 * in uninterruptible sleep (a hung FUSE or NFS mount) takes longer.
 */
#define RUNTIME_KILL_WAIT_MS 5000

long runtime_now_ms(void); /* CLOCK_MONOTONIC */

/* pidfd_open(2) of pid; -1 with errno on failure. */
int runtime_pidfd_open(pid_t pid);

/*
 * Reap the child pid once it exits, waiting up to timeout_ms (-1 for no
 * limit). Returns -1 with errno ETIMEDOUT when it is still running, or
 * ECHILD when pid is not a child; *ret_status (may be NULL) gets the
 * waitpid status on success.
 */
int runtime_reap_child(pid_t pid, int timeout_ms, int *ret_status);

/*
 * SIGKILL the child pid and reap it, waiting up to RUNTIME_KILL_WAIT_MS.
 * NOTE: a child that outlives that wait stays unreaped until the caller
 * exits.
 */
void runtime_kill_child(pid_t pid);

/* capabilities-bounding.c */

/*
 * Remove from every set of caps the capabilities missing from the
 * caller's bounding set, which no process it creates can hold, and log
 * one warning for each.
 */
void runtime_drop_unbounded_capabilities(struct spec_capabilities *caps);

/* namespaces.c */

/* CLONE_NEW* flags of the spec's namespaces that have no path. */
int namespaces_clone_flags(const struct spec *spec);

/*
 * Join every namespace of the spec that has a path, user first, except
 * pid: the parent enters that one for its children before the clone.
 */
int namespaces_join_paths(const struct spec *spec, struct berth_error **err);

/* Bring up "lo" when the spec creates a new network namespace. */
int namespaces_loopback_up(const struct spec *spec, struct berth_error **err);

/*
 * Point the calling thread's pid_for_children at the pid namespace at
 * path; *ret_saved_fd receives the current one to restore with
 * namespaces_restore_pid().
 */
int namespaces_enter_pid(const char *path, int *ret_saved_fd,
			 struct berth_error **err);
int namespaces_restore_pid(int saved_fd, struct berth_error **err);

/* Write /proc/PID/uid_map and gid_map from the spec's mappings. */
int namespaces_write_id_maps(pid_t pid, const struct spec *spec,
			     struct berth_error **err);

/*
 * Join every namespace of pid that differs from the caller's, user
 * first, for exec. The pid namespace is only set for children.
 */
int namespaces_join_process(pid_t pid, struct berth_error **err);

/* terminal.c */

/*
 * Open a new pseudo-terminal from /dev/ptmx as the caller sees it;
 * return the master and the slave's path.
 */
int terminal_create(int *ret_master, char **ret_slave_path,
		    struct berth_error **err);

/* Connect to the console socket at socket_path; return the socket. */
int terminal_connect(const char *socket_path, struct berth_error **err);

/* Send master over the connected console socket sock, as runc does. */
int terminal_send_master(int sock, int master, struct berth_error **err);

/*
 * In the container process: start a session, make the slave open as
 * fd the controlling terminal and stdin, stdout and stderr, and
 * set its size when width and height are not 0.
 */
int terminal_setup_slave(int fd, unsigned int width, unsigned int height,
			 struct berth_error **err);

/* Open the slave at slave_path (O_CLOEXEC) and return its descriptor. */
int terminal_open_slave(const char *slave_path, struct berth_error **err);

/* container-init.c */

/* Message types on the sync socket between create and the init. */
enum sync_type {
	SYNC_GO = 1,	/* parent: cgroup and id maps are in place */
	SYNC_READY = 2, /* init: set up, waiting on the exec fifo */
	SYNC_ERROR = 3, /* init: failed, see errnum, status and msg */
	SYNC_HOOKS = 4, /* init: root set up, run prestart, createRuntime */
	SYNC_HOOKS_DONE = 5, /* parent: those hooks succeeded */
};

struct sync_msg {
	int type;
	pid_t pid; /* SYNC_GO: the init's pid as the host sees it */
	int errnum;
	int status;
	char msg[1024];
};

int sync_send(int fd, enum sync_type type, pid_t pid,
	      const struct berth_error *error);
int sync_recv(int fd, struct sync_msg *ret, struct berth_error **err);

struct init_args {
	const char *id;
	const char *bundle;
	const struct spec *spec;
	const struct runtime_create_options *opts;
	const char *rootfs;
	int fifo_fd;		  /* O_PATH descriptor of the exec fifo */
	const char *console_path; /* slave path, or NULL */
	int sync_fd;
	bool new_userns;
	bool new_cgroupns;
};

/* Run in the cloned child; never returns. */
__attribute__((noreturn)) void container_init(const struct init_args *args);

/* Make stdio[i] (when not -1) fd i of the calling process, kept at exec. */
int runtime_dup_stdio(const int stdio[3], struct berth_error **err);

/* Close every descriptor from first on at exec. */
void runtime_close_fds_on_exec(unsigned int first);

#endif
