/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_RUNTIME_CGROUP_H
#define BERTH_RUNTIME_CGROUP_H

/*
 * Control groups on cgroup v2 (unified), on v1, and on the hybrid layout
 * (v1 controllers with cgroup2 mounted at /sys/fs/cgroup/unified). A
 * container's cgroup is named by one relative path (linux.cgroupsPath,
 * or "berth/ID" when absent) that exists under every hierarchy in use.
 */

#include <stdbool.h>
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
 * Create the cgroup, apply resources (may be NULL) and move pid into it.
 * *ret_path receives the normalized relative path to store in state. On
 * failure nothing is left behind.
 */
int cgroup_create(const char *cgroups_path, const char *id,
		  const struct spec_resources *resources, pid_t pid,
		  char **ret_path, struct berth_error **err);

/* Move pid into an existing cgroup, as exec does. */
int cgroup_enter(const char *path, pid_t pid, struct berth_error **err);

/* List every pid in the cgroup. */
int cgroup_pids(const char *path, pid_t **ret_pids, size_t *ret_n,
		struct berth_error **err);

/* Freeze or thaw every process in the cgroup. */
int cgroup_freeze(const char *path, bool frozen, struct berth_error **err);

/* Remove the cgroup directories; they must have no processes left. */
int cgroup_destroy(const char *path, struct berth_error **err);

#endif
