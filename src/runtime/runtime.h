/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_RUNTIME_RUNTIME_H
#define BERTH_RUNTIME_RUNTIME_H

/*
 * The OCI runtime lifecycle as a library: the engine calls it in-process
 * and berth-runtime is a thin command line over it.
 *
 * State lives in STATE_ROOT/ID/ (state.json and the exec fifo). Status
 * follows the runtime-spec: "creating" while create runs, "created"
 * while the container process waits on the exec fifo, "running" after
 * start until the process exits, then "stopped". A reboot clears the
 * state root because it sits on tmpfs under /run.
 *
 * runtime_create() forks the container init as a direct child of the
 * caller, so the caller (a monitor, or a shim that is a subreaper) can
 * wait for it.
 */

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include "runtime/spec.h"
#include "util/error.h"

struct runtime_create_options {
	const char *bundle;	    /* directory holding config.json */
	const struct spec *spec;    /* NULL = load BUNDLE/config.json */
	const char *pid_file;	    /* NULL = none */
	const char *console_socket; /* needed when process.terminal */
	/*
	 * Descriptors the container process gets as 0, 1 and 2; -1 keeps
	 * the caller's own descriptor of that number.
	 */
	int stdio[3];
	unsigned int preserve_fds; /* pass fds 3 .. 3+N-1 through */
	bool no_pivot;
	bool no_new_keyring;
};

struct runtime_exec_options {
	const struct spec_process *process;
	const char *pid_file;
	const char *console_socket;
	int stdio[3];
	unsigned int preserve_fds;
	bool detach; /* false = wait and return the exit status */
	/*
	 * Create a missing process.cwd, as for the init. When false, as in
	 * runc, the exec fails with ENOENT and status 126.
	 */
	bool create_cwd;
};

enum runtime_status {
	RUNTIME_STATUS_CREATING,
	RUNTIME_STATUS_CREATED,
	RUNTIME_STATUS_RUNNING,
	RUNTIME_STATUS_STOPPED,
	RUNTIME_STATUS_PAUSED,
};

struct runtime_state {
	char *id;
	enum runtime_status status;
	pid_t pid; /* 0 once stopped */
	char *bundle;
	char *created; /* RFC 3339 */
	char *cgroup_path;
	char *owner;
	json_t *annotations; /* object, or NULL */
	char *rootfs;	     /* absolute path of the root directory */
	/* /proc/PID/stat start time, so a reused pid is not taken for it */
	unsigned long long start_time;
};

/*
 * Set up the container and leave its process waiting for start; runs
 * the prestart, createRuntime and createContainer hooks. *ret_pid is the
 * init, a child of the caller, which must reap it.
 */
int runtime_create(const char *state_root, const char *id,
		   const struct runtime_create_options *opts, pid_t *ret_pid,
		   struct berth_error **err);

/*
 * Let a created container's process exec the user program, then run the
 * poststart hooks. Returns once the program runs (its execve is done).
 */
int runtime_start(const char *state_root, const char *id,
		  struct berth_error **err);

int runtime_state_get(const char *state_root, const char *id,
		      struct runtime_state **ret, struct berth_error **err);

/* Return the runtime-spec state object (ociVersion, id, status, ...). */
json_t *runtime_state_to_json(const struct runtime_state *state);

void runtime_state_free(struct runtime_state *state);

int runtime_list(const char *state_root, struct runtime_state ***ret,
		 size_t *ret_n, struct berth_error **err);

/* Send signal to the init process, or to every process when all. */
int runtime_kill(const char *state_root, const char *id, int signal, bool all,
		 struct berth_error **err);

/*
 * Remove a stopped (or, with force, any) container: kill what is left,
 * run poststop hooks, remove the cgroup and the state directory.
 */
int runtime_delete(const char *state_root, const char *id, bool force,
		   struct berth_error **err);

/*
 * Run another process in a running (or created) container: join its
 * namespaces and cgroup and apply the process's user, capabilities and
 * limits, with the seccomp filter of the container's config.json (read
 * from the bundle again). The process is a child of the caller; *ret_pid
 * is its pid. Without detach, waits and stores the exit status (128 +
 * signal when killed) in *ret_status. A command that is not found fails
 * with status 127, one that cannot be executed with 126.
 */
int runtime_exec(const char *state_root, const char *id,
		 const struct runtime_exec_options *opts, pid_t *ret_pid,
		 int *ret_status, struct berth_error **err);

/* Parse "KILL", "SIGKILL" or "9". */
int runtime_signal_parse(const char *s, int *ret_signal,
			 struct berth_error **err);

const char *runtime_status_name(enum runtime_status status);

/* Freeze (pause) or thaw (resume) every process of a running container. */
int runtime_pause(const char *state_root, const char *id, bool paused,
		  struct berth_error **err);

/* List the host pids of every process in the container's cgroup. */
int runtime_pids(const char *state_root, const char *id, pid_t **ret_pids,
		 size_t *ret_n, struct berth_error **err);

/*
 * Load the config.json of an existing container from its bundle, for
 * callers that build an exec process from the container's own one.
 */
int runtime_load_spec(const char *state_root, const char *id, struct spec **ret,
		      struct berth_error **err);

/*
 * Check a container id as runc does: letters, digits, '_', '+', '-' and
 * '.', neither "." nor "..", at most 1024 bytes.
 */
int runtime_validate_id(const char *id, struct berth_error **err);

/* Return "SIGKILL" for 9, or NULL for an unknown number. */
const char *runtime_signal_name(int signal);

/*
 * Make sure this process runs from a sealed memfd copy of its binary,
 * re-executing itself once if it does not. Container processes can then
 * never reach the host binary through /proc/PID/exe.
 */
int runtime_ensure_sealed_exe(char **argv, struct berth_error **err);

#endif
