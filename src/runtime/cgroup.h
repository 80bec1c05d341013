/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_RUNTIME_CGROUP_H
#define BERTH_RUNTIME_CGROUP_H

/*
 * Control groups on cgroup v2 (unified), on v1, and on the hybrid layout
 * (v1 controllers with cgroup2 mounted at /sys/fs/cgroup/unified). A
 * container's cgroup is named by one path (linux.cgroupsPath, or
 * "/berth/ID" when absent) that exists under every hierarchy in use:
 * all v1 hierarchies, named ones such as name=systemd included, and the
 * cgroup2 hierarchy in hybrid and v2 mode.
 *
 * The path rules are runc's. An absolute path ("/a/b") starts at the
 * root of each hierarchy. A relative path ("a/b") starts at the calling
 * process's own cgroup in each hierarchy. The systemd form
 * "slice:prefix:name" is rejected. Every function below takes the
 * normalized path from cgroup_path_normalize() or cgroup_create().
 *
 * NOTE: a relative path is resolved again by every call, so the calls for
 * one container must come from processes in the same cgroups.
 *
 * Resources on v2 that name a controller the cgroup2 tree does not offer
 * (on the hybrid layout they are bound to v1 hierarchies) fail with an
 * error naming the controller rather than run without the limit.
 * linux.resources.unified needs pure v2 and fails on v1 and hybrid.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "runtime/spec.h"
#include "util/error.h"

enum cgroup_mode {
	CGROUP_MODE_V1,
	CGROUP_MODE_HYBRID,
	CGROUP_MODE_V2,
};

int cgroup_detect_mode(enum cgroup_mode *ret, struct berth_error **err);

/*
 * Check cgroups_path (NULL or "" selects "/berth/ID") and return it
 * without empty or "." components: "/a/b" or "a/b". ".." components, the
 * root itself and the systemd form fail.
 */
int cgroup_path_normalize(const char *cgroups_path, const char *id,
			  char **ret_path, struct berth_error **err);

/*
 * Create the cgroup, apply resources (may be NULL) and move pid into it.
 * *ret_path receives the normalized path to store in state. On failure
 * pid is moved back to the caller's cgroups and the directories this call
 * created are removed. A failure of that undo is only logged (debug).
 */
int cgroup_create(const char *cgroups_path, const char *id,
		  const struct spec_resources *resources, pid_t pid,
		  char **ret_path, struct berth_error **err);

/* Move pid into an existing cgroup, as exec does. */
int cgroup_enter(const char *path, pid_t pid, struct berth_error **err);

/* List every pid in the cgroup and in its child cgroups. */
int cgroup_pids(const char *path, pid_t **ret_pids, size_t *ret_n,
		struct berth_error **err);

/*
 * Freeze or thaw every process in the cgroup and wait until the kernel
 * reports the new state.
 */
int cgroup_freeze(const char *path, bool frozen, struct berth_error **err);

/*
 * Remove the cgroup directories and their child cgroups in every
 * hierarchy; they must have no processes left. A missing directory is
 * not an error. Parents such as "/berth" stay, other containers share
 * them. Processes the caller killed may take up to 5 s in all to leave,
 * because the kernel moves an exiting process out a moment after the
 * signal. The cgroup2 directory is watched until it is empty, and rmdir
 * on v1 is retried until then.
 */
int cgroup_destroy(const char *path, struct berth_error **err);

/* Usage counters; a has_* flag is false when the controller is absent. */
struct cgroup_stats {
	bool has_memory;
	uint64_t memory_usage; /* bytes */
	uint64_t memory_limit; /* bytes, UINT64_MAX = unlimited */
	bool has_cpu;
	uint64_t cpu_usage_ns;
	bool has_pids;
	uint64_t pids_current;
};

int cgroup_stats(const char *path, struct cgroup_stats *ret,
		 struct berth_error **err);

/*
 * Return the directory of the cgroup in the hierarchy of controller
 * ("memory", "cpu", "name=systemd", ...). On v2 every controller maps to
 * the one cgroup2 directory; controller NULL selects the cgroup2
 * directory in hybrid and v2 mode. Fails with ENOENT when no hierarchy
 * has the controller. The directory need not exist.
 */
int cgroup_controller_dir(const char *path, const char *controller,
			  char **ret_dir, struct berth_error **err);

#endif
