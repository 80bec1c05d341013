/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_ENGINE_ENGINE_H
#define BERTH_ENGINE_ENGINE_H

/*
 * Containers: create, start, stop, remove, list, exec, logs. The
 * commands of src/cli call these; each takes the locks it needs.
 *
 * Store layout under ROOT/containers/<id>/ (id: 64 hex digits):
 *	container.json   the engine's record of the container (atomic)
 *	config.json      the OCI bundle config handed to the runtime
 *	rootfs/          overlay mount point, mounted only while running
 *	upper/, work/    the overlay's writable layer and work directory
 *	hosts, hostname, resolv.conf   bind-mounted into the container
 *	ctr.log          output, one CRI log line per line of output
 *	exit.json        the last run's exit status, written by the monitor
 *
 * While the container runs, RUNROOT/containers/<id>/monitor.json (on
 * tmpfs, gone after a reboot) records its monitor. The runtime library
 * keeps its own state under RUNROOT/runtime. A container whose monitor
 * is gone counts as exited.
 *
 * ROOT/containers.lock serializes name allocation and removal.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/error.h"

struct engine {
	char *root;
	char *runroot;
	char *state_root; /* RUNROOT/runtime, the runtime library's */
	char **argv;	  /* the program's argv, to re-exec it sealed */
	/*
	 * The berth binary on disk. A detached monitor execs the small
	 * berth-monitor program next to it once the container runs, and
	 * that program execs "berth monitor-exit" to clean up. NULL keeps
	 * the whole monitor in this program.
	 */
	char *exe;
};

void engine_init(struct engine *engine, const char *root, const char *runroot,
		 char **argv);
void engine_clear(struct engine *engine);

/* A network beyond the first, with what --ip and --network-alias give. */
struct engine_endpoint_options {
	const char *network;
	const char *ip; /* NULL = any free address */
	char **aliases;
};

struct engine_create_options {
	const char *image;
	const char *name; /* NULL = generated */
	char **cmd;	  /* NULL = the image's Cmd */
	const char *entrypoint;
	bool has_entrypoint; /* --entrypoint given; "" clears the image's */
	char **env;	     /* "K=V", or "K" to copy the host's value */
	char **env_files;
	const char *workdir;
	const char *user;
	const char *hostname;
	const char *network;	/* "none" (default): container-network.h */
	const char *ip;		/* --ip on a bridge network, NULL = any */
	char **network_aliases; /* more names for peers on the network */
	struct engine_endpoint_options *more_networks; /* bridge networks */
	size_t n_more_networks;
	char **add_hosts;	   /* "NAME:IP" lines for /etc/hosts */
	char **dns;		   /* name servers for /etc/resolv.conf */
	char **dns_search;	   /* its search domains */
	char **dns_options;	   /* its options, such as "ndots:2" */
	char **publish;		   /* -p "[IP:][HOSTPORT:]PORT[/PROTO]" */
	bool publish_all;	   /* -P: publish every exposed port */
	char **expose;		   /* --expose "PORT[/PROTO]" */
	const char *cgroup_parent; /* NULL = "/berth" */
	int64_t memory;		   /* bytes, -1 = unlimited */
	int64_t cpu_quota;	   /* microseconds per 100000, -1 = unlimited */
	int64_t pids_limit;	   /* -1 = unlimited */
	char **volumes;		   /* -v "[NAME|HOSTDIR:]DIR[:MODE]" */
	char **mounts;		   /* --mount "type=...,target=DIR,..." */
	bool read_only;
	bool tty;
	bool interactive;
	bool no_new_privileges;
	bool auto_remove;
	char **labels;	/* "K=V", or "K" for an empty value */
	char **tmpfs;	/* "DIR[:OPTIONS]" */
	char **cap_add; /* capability names or "ALL" */
	char **cap_drop;
	const char *stop_signal; /* NULL = the image's StopSignal or SIGTERM */
	int64_t stop_timeout;	 /* seconds, -1 = 10 */
	const char *restart;	 /* --restart, NULL = "no" */
	bool init;		 /* --init: berth-init as process 1 */
	/* Health check (engine/health.h); NULL and 0 keep the image's. */
	const char *health_cmd; /* run with /bin/sh -c */
	int64_t health_interval_ns;
	int64_t health_timeout_ns;
	int64_t health_start_period_ns;
	int64_t health_start_interval_ns;
	int64_t health_retries;
	bool no_healthcheck;
};

void engine_create_options_init(struct engine_create_options *opts);

/*
 * "berth network connect": join container id to one more bridge network
 * with o's address and aliases; a running container gets its device at
 * once.
 */
int engine_network_connect(struct engine *engine, const char *id,
			   const struct engine_endpoint_options *o,
			   struct berth_error **err);

/* "berth network disconnect": the container leaves the network. */
int engine_network_disconnect(struct engine *engine, const char *id,
			      const char *network, struct berth_error **err);

/*
 * Run the checks of engine_container_create() on opts without creating
 * the container, so that a caller making several containers can fail
 * before the first. It checks the name but not whether it is free. It
 * creates the missing host directories of bind mounts, as the create does.
 */
int engine_container_check(struct engine *engine,
			   const struct engine_create_options *opts,
			   struct berth_error **err);

/*
 * Create a container: its directory, bundle and overlay directories.
 * A failure removes the directory and unmounts what it mounted.
 * Returns the new id.
 */
int engine_container_create(struct engine *engine,
			    const struct engine_create_options *opts,
			    char **ret_id, struct berth_error **err);

/*
 * Find a container by full id, unique id prefix or name and return its
 * full id.
 */
int engine_container_lookup(struct engine *engine, const char *ref,
			    char **ret_id, struct berth_error **err);

/*
 * Start a created or exited container under a detached monitor
 * process. Returns once the container's process runs; an error carries
 * the exit status to use (127 for a missing command, ...).
 */
int engine_container_start(struct engine *engine, const char *id,
			   struct berth_error **err);

/*
 * Whether "berth start --all" is to start the container, as after a
 * reboot: it does not run and its restart policy requests a start
 * (restart_policy_wants_boot() in engine/restart-policy.h).
 */
int engine_container_boot_wanted(struct engine *engine, const char *id,
				 bool *ret, struct berth_error **err);

/*
 * Run the container in the foreground: this process is its monitor,
 * relays its output to the terminal and the log, forwards stdin (with
 * interactive) and signals, and returns the container's exit status in
 * *ret_status.
 */
int engine_container_run_attached(struct engine *engine, const char *id,
				  int *ret_status, struct berth_error **err);

/* Send signal to the container's init. Fails unless it is running. */
int engine_container_kill(struct engine *engine, const char *id, int signal,
			  struct berth_error **err);

/*
 * Send signal, then SIGKILL after timeout seconds, and wait until the
 * monitor recorded the exit. Signal 0 stands for the container's stop
 * signal (SIGTERM unless set at create) and a negative timeout for its
 * stop timeout (10 s unless set). A container that is not running is
 * left as it is.
 */
int engine_container_stop(struct engine *engine, const char *id, int signal,
			  long timeout, struct berth_error **err);

/* Freeze (paused) or thaw the processes of a running container. */
int engine_container_pause(struct engine *engine, const char *id, bool paused,
			   struct berth_error **err);

/* Whether the runtime reports the container as paused. */
bool engine_container_paused(const struct engine *engine, const char *id);

/* The host pids of every process in a running container's cgroup. */
int engine_container_pids(struct engine *engine, const char *id,
			  pid_t **ret_pids, size_t *ret_n,
			  struct berth_error **err);

/* Counters of a running container; has_* false = controller absent. */
struct engine_container_stats {
	uint64_t taken_ns; /* CLOCK_MONOTONIC of the sample */
	bool has_memory;
	uint64_t memory_usage; /* bytes */
	uint64_t memory_limit; /* bytes; the host's memory if unlimited */
	bool has_cpu;
	uint64_t cpu_usage_ns;
	bool has_pids;
	uint64_t pids;
	uint64_t net_rx; /* bytes, every interface but lo */
	uint64_t net_tx;
};

int engine_container_stats(struct engine *engine, const char *id,
			   struct engine_container_stats *ret,
			   struct berth_error **err);

/* Give the container the free name name. */
int engine_container_rename(struct engine *engine, const char *id,
			    const char *name, struct berth_error **err);

/* Wait until the container is not running; return its exit code. */
int engine_container_wait(struct engine *engine, const char *id,
			  int *ret_exit_code, struct berth_error **err);

/*
 * Remove the container's directories, mount and runtime state. A
 * running container is an error unless force, which kills it first.
 */
int engine_container_remove(struct engine *engine, const char *id, bool force,
			    struct berth_error **err);

/* Return the full ids of every container, oldest first. */
int engine_container_list(struct engine *engine, char ***ret_ids,
			  struct berth_error **err);

struct engine_exec_options {
	char **args;
	char **env;
	const char *user;
	const char *workdir;
	bool tty;
	bool interactive;
	bool detach;
};

/* Run a process in a running container and return its exit status. */
int engine_container_exec(struct engine *engine, const char *id,
			  const struct engine_exec_options *opts,
			  int *ret_status, struct berth_error **err);

/*
 * Describe a container as "docker inspect" does: Id, Name, Created,
 * Path, Args, State, Image, Config, HostConfig, Mounts, LogPath. Returns
 * a new reference.
 */
int engine_container_inspect(struct engine *engine, const char *id,
			     json_t **ret, struct berth_error **err);

struct engine_logs_options {
	bool follow;	 /* until the container exits */
	bool timestamps; /* prefix each line with its RFC 3339 time */
	long tail;	 /* last N lines only, -1 = all */
};

/* Write the container's output: stdout to out_fd, stderr to err_fd. */
int engine_container_logs(struct engine *engine, const char *id,
			  const struct engine_logs_options *opts, int out_fd,
			  int err_fd, struct berth_error **err);

#endif
