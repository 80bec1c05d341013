/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_BUILD_BUILD_RUN_H
#define BERTH_BUILD_BUILD_RUN_H

/*
 * The file system and process steps of one build instruction.
 *
 * A step works in a scratch directory DIR (on the store's file system):
 * DIR/rootfs is an overlay of the stage's layer directories under a
 * fresh DIR/upper, so every change the step makes lands in DIR/upper,
 * which then becomes the step's layer. The mount lives in the build's
 * private mount namespace (build_enter_mount_namespace()), so a build
 * that dies leaves no mount on the host.
 */

#include <stdbool.h>

#include "util/error.h"

struct build_step_root {
	char *dir;    /* DIR */
	char *rootfs; /* DIR/rootfs, the merged root while mounted */
	char *upper;  /* DIR/upper */
	int root_fd;  /* open directory of rootfs while mounted, else -1 */
	bool mounted;
};

/*
 * Move this process into a mount namespace of its own whose mounts
 * receive the host's but send none back.
 */
int build_enter_mount_namespace(struct berth_error **err);

/*
 * Catch SIGINT, SIGTERM and SIGHUP: a running RUN step is then killed
 * and cleaned up, and the build stops with an error instead of leaving
 * a container behind.
 */
void build_catch_signals(void);

/* Whether one of those signals arrived. */
bool build_interrupted(void);

/*
 * Create DIR below work_dir and mount the overlay of lowerdirs (top
 * first; NULL or empty for a stage from scratch) on DIR/rootfs.
 */
int build_step_root_mount(const char *work_dir, char **lowerdirs,
			  struct build_step_root *ret,
			  struct berth_error **err);

/* Unmount the overlay and close the root; DIR and DIR/upper stay. */
int build_step_root_unmount(struct build_step_root *root,
			    struct berth_error **err);

/* Unmount if needed, remove DIR and free root's fields. */
void build_step_root_clear(struct build_step_root *root);

/* What a RUN instruction executes, and with which identity. */
struct build_process {
	char **args;		   /* shell form already wrapped in the shell */
	char **env;		   /* "K=V", PATH added when missing */
	const char *user;	   /* as USER gives it, "" = root */
	const char *workdir;	   /* absolute, "" = "/" */
	const char *network;	   /* "none" or "host" */
	const char *stdin_data;	   /* standard input, NULL = /dev/null */
	const char *cgroup_parent; /* NULL = the engine's default */
	const char *state_root;	   /* the runtime library's state root */
	int output_fd;		   /* stdout and stderr go here */
};

/*
 * Run process in the mounted root as a container and return its exit
 * status (128 + signal when killed) in *ret_status. The runtime state,
 * cgroup and bundle files are gone when this returns, and so are the
 * mount points the runtime had to create (/etc/hosts and the like) that
 * the image did not have.
 */
int build_run_process(struct build_step_root *root,
		      const struct build_process *process, int *ret_status,
		      struct berth_error **err);

#endif
