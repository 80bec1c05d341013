/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Resource use of a running container: its processes and cgroup counters. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <time.h>

#include "engine/container-state.h"
#include "engine/container-store.h"
#include "runtime/cgroup.h"
#include "runtime/runtime.h"
#include "util/cleanup.h"

static int running_state(struct engine *engine, const char *id,
			 struct runtime_state **ret, struct berth_error **err)
{
	struct container_state state;

	if (container_state_get(engine, id, &state, err) < 0)
		return -1;
	if (state.status != CONTAINER_STATUS_RUNNING || state.restarting ||
	    runtime_state_get(engine->state_root, id, ret, NULL) < 0)
		return container_not_running(engine, id, err);
	return 0;
}

int engine_container_pids(struct engine *engine, const char *id,
			  pid_t **ret_pids, size_t *ret_n,
			  struct berth_error **err)
{
	struct runtime_state *rs = NULL;

	if (running_state(engine, id, &rs, err) < 0)
		return -1;
	runtime_state_free(rs);
	return runtime_pids(engine->state_root, id, ret_pids, ret_n, err);
}

/*
 * Sum the counters of every interface but loopback in the network
 * namespace of pid, as Docker counts only the container's links.
 */
static void read_net_dev(pid_t pid, struct engine_container_stats *s)
{
	_cleanup_fclose_ FILE *f = NULL;
	char path[64], line[512];

	snprintf(path, sizeof(path), "/proc/%d/net/dev", (int)pid);
	f = fopen(path, "re");
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		char *colon = strchr(line, ':');
		const char *name = line;
		uint64_t rx, tx;

		if (colon == NULL)
			continue;
		*colon = '\0';
		name += strspn(name, " ");
		if (strcmp(name, "lo") == 0)
			continue;
		if (sscanf(colon + 1,
			   "%" SCNu64 " %*u %*u %*u %*u %*u %*u %*u %" SCNu64,
			   &rx, &tx) == 2) {
			s->net_rx += rx;
			s->net_tx += tx;
		}
	}
}

int engine_container_stats(struct engine *engine, const char *id,
			   struct engine_container_stats *ret,
			   struct berth_error **err)
{
	struct engine_container_stats s = {0};
	struct runtime_state *rs = NULL;
	struct cgroup_stats cg = {0};
	struct timespec ts;
	struct sysinfo si;
	int r = 0;

	if (running_state(engine, id, &rs, err) < 0)
		return -1;

	if (rs->cgroup_path != NULL)
		r = cgroup_stats(rs->cgroup_path, &cg, err);
	if (r == 0) {
		read_net_dev(rs->pid, &s);
		clock_gettime(CLOCK_MONOTONIC, &ts);
		s.taken_ns = (uint64_t)ts.tv_sec * 1000000000u +
			     (uint64_t)ts.tv_nsec;
		s.has_memory = cg.has_memory;
		s.memory_usage = cg.memory_usage;
		s.memory_limit = cg.memory_limit;
		/* Without a limit, the host's memory is the bound. */
		if (s.memory_limit == UINT64_MAX && sysinfo(&si) == 0)
			s.memory_limit = (uint64_t)si.totalram * si.mem_unit;
		s.has_cpu = cg.has_cpu;
		s.cpu_usage_ns = cg.cpu_usage_ns;
		s.has_pids = cg.has_pids;
		s.pids = cg.pids_current;
		*ret = s;
	}
	runtime_state_free(rs);
	return r;
}
