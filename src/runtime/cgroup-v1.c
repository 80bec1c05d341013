/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Resources, freezing and counters on cgroup v1 hierarchies. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/cgroup-internal.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/xalloc.h"

/* How long a freeze may stay in FREEZING before it counts as failed. */
#define FREEZE_TIMEOUT_MS 2000

/*
 * A new cpuset cgroup starts with empty cpus and mems, and the kernel
 * rejects tasks in it (ENOSPC), so each new level inherits its parent's.
 */
int cgroup_v1_init_cpuset(const char *dir, struct berth_error **err)
{
	static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
	_cleanup_free_ char *parent = xstrdup(dir);
	char *slash = strrchr(parent, '/');

	if (slash == NULL || slash == parent)
		return 0;

	*slash = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		_cleanup_free_ char *value = NULL;

		if (cgroup_read(parent, files[i], &value, err) < 0)
			return -1;

		if (value[0] != '\0' &&
		    cgroup_write(dir, files[i], value, err) < 0)
			return -1;
	}
	return 0;
}

static int apply_memory(const char *dir, const struct spec_memory *m,
			struct berth_error **err)
{
	if (m->limit != -1 &&
	    cgroup_write_int(dir, "memory.limit_in_bytes", m->limit, err) < 0)
		return -1;

	if (m->reservation != -1 &&
	    cgroup_write_int(dir, "memory.soft_limit_in_bytes", m->reservation,
			     err) < 0)
		return -1;

	/* memsw exists only while the kernel accounts swap, as runc does. */
	if (m->swap != -1 &&
	    !cgroup_file_exists(dir, "memory.memsw.limit_in_bytes"))
		log_warning(
			"swap accounting is off, so the swap limit '%" PRId64
			"' cannot be set in '%s', ignoring",
			m->swap, dir);
	else if (m->swap != -1 &&
		 cgroup_write_int(dir, "memory.memsw.limit_in_bytes", m->swap,
				  err) < 0)
		return -1;

	if (m->swappiness != -1 &&
	    cgroup_write_int(dir, "memory.swappiness", m->swappiness, err) < 0)
		return -1;

	if (m->disable_oom_killer &&
	    cgroup_write(dir, "memory.oom_control", "1", err) < 0)
		return -1;
	return 0;
}

static int apply_cpu(const char *dir, const struct spec_cpu *c,
		     struct berth_error **err)
{
	if (c->shares != 0 &&
	    cgroup_write_uint(dir, "cpu.shares", c->shares, err) < 0)
		return -1;

	/* The kernel checks the quota against the current period. */
	if (c->period != 0 &&
	    cgroup_write_uint(dir, "cpu.cfs_period_us", c->period, err) < 0)
		return -1;

	if (c->quota != -1 &&
	    cgroup_write_int(dir, "cpu.cfs_quota_us", c->quota, err) < 0)
		return -1;
	return 0;
}

/* Format one rule as devices.allow expects it: "c 1:3 rwm". */
static void format_device_rule(const struct spec_device_rule *d, char *buf,
			       size_t size)
{
	char major[24] = "*", minor[24] = "*";

	if (d->major >= 0)
		snprintf(major, sizeof(major), "%" PRId64, d->major);
	if (d->minor >= 0)
		snprintf(minor, sizeof(minor), "%" PRId64, d->minor);
	snprintf(buf, size, "%c %s:%s %s", d->type, major, minor,
		 d->access != NULL && d->access[0] != '\0' ? d->access : "rwm");
}

/*
 * Deny everything, then apply the rules in order, so a later rule
 * overrides an earlier one as the spec requires. With no rules at all the
 * cgroup keeps its parent's access.
 */
static int apply_devices(const char *dir, const struct spec_resources *r,
			 struct berth_error **err)
{
	if (r->n_devices == 0)
		return 0;

	if (cgroup_write(dir, "devices.deny", "a", err) < 0)
		return -1;

	for (size_t i = 0; i < r->n_devices; i++) {
		const struct spec_device_rule *d = &r->devices[i];
		char rule[80];

		format_device_rule(d, rule, sizeof(rule));
		if (cgroup_write(dir,
				 d->allow ? "devices.allow" : "devices.deny",
				 rule, err) < 0)
			return -1;
	}
	return 0;
}

int cgroup_v1_apply(const struct cgroup_hierarchy *h, const char *dir,
		    const struct spec_resources *r, struct berth_error **err)
{
	if (cgroup_hierarchy_has(h, "memory") &&
	    apply_memory(dir, &r->memory, err) < 0)
		return -1;

	if (cgroup_hierarchy_has(h, "cpu") && apply_cpu(dir, &r->cpu, err) < 0)
		return -1;

	if (cgroup_hierarchy_has(h, "cpuset") &&
	    cgroup_write_cpuset(dir, &r->cpu, err) < 0)
		return -1;

	if (cgroup_hierarchy_has(h, "pids") && r->pids_limit != -1) {
		int ret = r->pids_limit <= 0 ?
				  cgroup_write(dir, "pids.max", "max", err) :
				  cgroup_write_int(dir, "pids.max",
						   r->pids_limit, err);
		if (ret < 0)
			return -1;
	}

	if (cgroup_hierarchy_has(h, "devices") &&
	    apply_devices(dir, r, err) < 0)
		return -1;
	return 0;
}

/*
 * Writing FROZEN starts the freeze, and freezer.state reads FREEZING
 * until every task has stopped. A task that forks meanwhile can stall
 * it, so the request is written again on each poll, as runc does.
 */
int cgroup_v1_freeze(const char *dir, bool frozen, struct berth_error **err)
{
	const char *want = frozen ? "FROZEN" : "THAWED";

	for (unsigned int waited = 0;; waited++) {
		_cleanup_free_ char *state = NULL;

		if (cgroup_write(dir, "freezer.state", want, err) < 0)
			return -1;

		if (cgroup_read(dir, "freezer.state", &state, err) < 0)
			return -1;

		if (strcmp(state, want) == 0)
			return 0;

		if (waited >= FREEZE_TIMEOUT_MS)
			return berth_error_set(
				err, ETIMEDOUT,
				"%s '%s' timed out: freezer.state "
				"reads '%s' after about %d ms; "
				"retry the request",
				frozen ? "freeze" : "thaw", dir, state,
				FREEZE_TIMEOUT_MS);
		cgroup_sleep_ms(1);
	}
}

/* Read dir/file as an unsigned number. */
static int read_u64(const char *dir, const char *file, uint64_t *ret,
		    struct berth_error **err)
{
	_cleanup_free_ char *value = NULL;
	char *end;

	if (cgroup_read(dir, file, &value, err) < 0)
		return -1;

	errno = 0;
	*ret = strtoull(value, &end, 10);
	if (errno != 0 || end == value)
		return berth_error_set(err, EINVAL,
				       "invalid number '%s' in '%s/%s'", value,
				       dir, file);
	return 0;
}

static int controller_dir(const struct cgroup_layout *l, const char *path,
			  const char *controller, char **ret)
{
	for (size_t i = 0; i < l->n; i++) {
		if (cgroup_hierarchy_has(&l->hierarchies[i], controller)) {
			*ret = cgroup_hierarchy_dir(&l->hierarchies[i], path);
			return 0;
		}
	}
	return -1;
}

int cgroup_v1_stats(const struct cgroup_layout *l, const char *path,
		    struct cgroup_stats *ret, struct berth_error **err)
{
	struct cgroup_stats s = {0};
	_cleanup_free_ char *mem = NULL, *cpu = NULL, *pids = NULL;

	if (controller_dir(l, path, "memory", &mem) == 0) {
		if (read_u64(mem, "memory.usage_in_bytes", &s.memory_usage,
			     err) < 0 ||
		    read_u64(mem, "memory.limit_in_bytes", &s.memory_limit,
			     err) < 0)
			return -1;
		/* v1 reports "no limit" as the largest page-aligned int64. */
		if (s.memory_limit >= (uint64_t)INT64_MAX - 4095)
			s.memory_limit = UINT64_MAX;
		s.has_memory = true;
	}

	if (controller_dir(l, path, "cpuacct", &cpu) == 0) {
		if (read_u64(cpu, "cpuacct.usage", &s.cpu_usage_ns, err) < 0)
			return -1;
		s.has_cpu = true;
	}

	if (controller_dir(l, path, "pids", &pids) == 0) {
		if (read_u64(pids, "pids.current", &s.pids_current, err) < 0)
			return -1;
		s.has_pids = true;
	}
	*ret = s;
	return 0;
}
