/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Resources, freezing and counters on the cgroup v2 (unified) tree. */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/cgroup-internal.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/strv.h"
#include "util/xalloc.h"

#define FREEZE_TIMEOUT_MS 2000

/* Controllers berth enables for a container when the tree offers them. */
static const char *const wanted_controllers[] = {
	"cpu", "cpuset", "io", "memory", "pids",
};

/* Return whether word is one of the space-separated words of list. */
static bool has_word(const char *list, const char *word)
{
	size_t len = strlen(word);

	for (const char *p = list; (p = strstr(p, word)) != NULL; p += len) {
		bool start = p == list || p[-1] == ' ';
		bool end = p[len] == '\0' || p[len] == ' ' || p[len] == '\n';

		if (start && end)
			return true;
	}
	return false;
}

static void enable_in(const char *dir)
{
	_cleanup_free_ char *available = NULL, *enabled = NULL;

	if (cgroup_read(dir, "cgroup.controllers", &available, NULL) < 0 ||
	    cgroup_read(dir, "cgroup.subtree_control", &enabled, NULL) < 0)
		return;

	for (size_t i = 0; i < ARRAY_SIZE(wanted_controllers); i++) {
		const char *c = wanted_controllers[i];
		_cleanup_error_ struct berth_error *e = NULL;
		char request[32];

		if (!has_word(available, c) || has_word(enabled, c))
			continue;

		/*
		 * A non-root cgroup with processes of its own cannot pass
		 * controllers down (EBUSY). The limit that needs one then
		 * fails in check_controller with a clear message.
		 */
		snprintf(request, sizeof(request), "+%s", c);
		if (cgroup_write(dir, "cgroup.subtree_control", request, &e) <
		    0)
			log_debug("%s, ignoring", e->msg);
	}
}

void cgroup_v2_enable_controllers(const char *mount, const char *dir)
{
	_cleanup_free_ char *level = xstrdup(mount);
	const char *rest = dir + strlen(mount);

	/* Walk mount, mount/a, mount/a/b, ... up to dir's parent. */
	for (;;) {
		const char *next;
		char *longer = NULL;

		while (*rest == '/')
			rest++;
		next = strchr(rest, '/');
		if (*rest == '\0' || next == NULL) {
			enable_in(level);
			return;
		}
		enable_in(level);
		xasprintf(&longer, "%s/%.*s", level, (int)(next - rest), rest);
		free(level);
		level = longer;
		rest = next;
	}
}

static int check_controller(const char *dir, const char *controller,
			    struct berth_error **err)
{
	_cleanup_free_ char *available = NULL;

	if (cgroup_read(dir, "cgroup.controllers", &available, err) < 0)
		return -1;

	if (has_word(available, controller))
		return 0;

	return berth_error_set(
		err, ENOTSUP,
		"the cgroup v2 controller '%s' is not available "
		"in '%s' (cgroup.controllers is '%s'); it may be "
		"bound to a cgroup v1 hierarchy, or a parent does "
		"not enable it in cgroup.subtree_control",
		controller, dir, available);
}

int cgroup_v2_swap_max(const struct spec_memory *m, char *buf, size_t size,
		       struct berth_error **err)
{
	if (m->swap == -1 || (m->limit == -1 && m->swap == 0)) {
		snprintf(buf, size, "max");
		return 0;
	}
	if (m->limit <= 0)
		return berth_error_set(err, EINVAL,
				       "linux.resources.memory.swap '%" PRId64
				       "' needs a memory limit; set "
				       "linux.resources.memory.limit",
				       m->swap);
	if (m->swap < m->limit)
		return berth_error_set(err, EINVAL,
				       "linux.resources.memory.swap '%" PRId64
				       "' is below the memory limit '%" PRId64
				       "'; it counts memory plus swap",
				       m->swap, m->limit);
	snprintf(buf, size, "%" PRId64, m->swap - m->limit);
	return 0;
}

static bool memory_requested(const struct spec_memory *m)
{
	return m->limit != -1 || m->reservation != -1 || m->swap != -1;
}

static int apply_memory(const char *dir, const struct spec_memory *m,
			struct berth_error **err)
{
	char swap[32];

	if (m->swappiness != -1)
		log_warning("cgroup v2 has no memory.swappiness, so '%" PRId64
			    "' is not set, ignoring",
			    m->swappiness);
	if (m->disable_oom_killer)
		log_warning("cgroup v2 cannot disable the OOM killer, "
			    "ignoring");

	if (!memory_requested(m))
		return 0;

	if (check_controller(dir, "memory", err) < 0)
		return -1;

	/* Negative limits other than -1 (not set) mean unlimited. */
	if (m->limit < -1 && cgroup_write(dir, "memory.max", "max", err) < 0)
		return -1;

	if (m->limit >= 0 &&
	    cgroup_write_int(dir, "memory.max", m->limit, err) < 0)
		return -1;

	if (m->reservation != -1 &&
	    cgroup_write_int(dir, "memory.low", m->reservation, err) < 0)
		return -1;

	if (m->swap == -1)
		return 0;

	if (cgroup_v2_swap_max(m, swap, sizeof(swap), err) < 0)
		return -1;

	/* Without swap accounting the file is missing; "max" is a no-op. */
	if (strcmp(swap, "max") == 0 &&
	    !cgroup_file_exists(dir, "memory.swap.max"))
		return 0;
	return cgroup_write(dir, "memory.swap.max", swap, err);
}

uint64_t cgroup_v2_cpu_weight(uint64_t shares)
{
	if (shares < 2)
		shares = 2;
	if (shares > 262144)
		shares = 262144;
	return 1 + ((shares - 2) * 9999) / 262142;
}

static int apply_cpu(const char *dir, const struct spec_cpu *c,
		     struct berth_error **err)
{
	char max[48];

	if (c->shares == 0 && c->quota == -1 && c->period == 0)
		return 0;

	if (check_controller(dir, "cpu", err) < 0)
		return -1;

	if (c->shares != 0 &&
	    cgroup_write_uint(dir, "cpu.weight",
			      cgroup_v2_cpu_weight(c->shares), err) < 0)
		return -1;

	if (c->quota == -1 && c->period == 0)
		return 0;

	if (c->quota > 0)
		snprintf(max, sizeof(max), "%" PRId64 " %" PRIu64, c->quota,
			 c->period != 0 ? c->period : 100000);
	else
		snprintf(max, sizeof(max), "max %" PRIu64,
			 c->period != 0 ? c->period : 100000);
	return cgroup_write(dir, "cpu.max", max, err);
}

static int apply_cpuset(const char *dir, const struct spec_cpu *c,
			struct berth_error **err)
{
	if (c->cpus == NULL && c->mems == NULL)
		return 0;

	if (check_controller(dir, "cpuset", err) < 0)
		return -1;

	return cgroup_write_cpuset(dir, c, err);
}

static int apply_pids(const char *dir, int64_t limit, struct berth_error **err)
{
	if (limit == -1)
		return 0;

	if (check_controller(dir, "pids", err) < 0)
		return -1;

	if (limit <= 0)
		return cgroup_write(dir, "pids.max", "max", err);
	return cgroup_write_int(dir, "pids.max", limit, err);
}

/* The spec parser has already rejected keys that are not file names. */
static int apply_unified(const char *dir, json_t *unified,
			 struct berth_error **err)
{
	const char *key;
	json_t *value;

	json_object_foreach (unified, key, value) {
		if (strchr(key, '/') != NULL)
			return berth_error_set(err, EINVAL,
					       "invalid cgroup file name '%s' "
					       "in linux.resources.unified",
					       key);

		if (cgroup_write(dir, key, json_string_value(value), err) < 0)
			return -1;
	}
	return 0;
}

int cgroup_v2_apply(const char *dir, const struct spec_resources *r,
		    struct berth_error **err)
{
	if (apply_memory(dir, &r->memory, err) < 0 ||
	    apply_cpu(dir, &r->cpu, err) < 0 ||
	    apply_cpuset(dir, &r->cpu, err) < 0 ||
	    apply_pids(dir, r->pids_limit, err) < 0)
		return -1;

	if (cgroup_v2_apply_devices(dir, r, err) < 0)
		return -1;

	if (r->unified != NULL && apply_unified(dir, r->unified, err) < 0)
		return -1;
	return 0;
}

/* Return the value of key in a "key value" file such as cgroup.events. */
static int read_key(const char *dir, const char *file, const char *key,
		    uint64_t *ret, struct berth_error **err)
{
	_cleanup_free_ char *data = NULL;
	size_t len = strlen(key);

	if (cgroup_read(dir, file, &data, err) < 0)
		return -1;

	for (char *line = data; line != NULL && *line != '\0';) {
		char *nl = strchr(line, '\n');

		if (strncmp(line, key, len) == 0 && line[len] == ' ') {
			*ret = strtoull(line + len + 1, NULL, 10);
			return 0;
		}
		line = nl != NULL ? nl + 1 : NULL;
	}
	return berth_error_set(err, ENOENT, "no '%s' in '%s/%s'", key, dir,
			       file);
}

int cgroup_v2_freeze(const char *dir, bool frozen, struct berth_error **err)
{
	for (unsigned int waited = 0;; waited++) {
		uint64_t state;

		if (waited == 0 && cgroup_write(dir, "cgroup.freeze",
						frozen ? "1" : "0", err) < 0)
			return -1;

		if (read_key(dir, "cgroup.events", "frozen", &state, err) < 0)
			return -1;

		if ((state != 0) == frozen)
			return 0;

		if (waited >= FREEZE_TIMEOUT_MS)
			return berth_error_set(
				err, ETIMEDOUT,
				"%s '%s' timed out: cgroup.events "
				"reads 'frozen %" PRIu64 "' after "
				"about %d ms; retry the request",
				frozen ? "freeze" : "thaw", dir, state,
				FREEZE_TIMEOUT_MS);
		cgroup_sleep_ms(1);
	}
}

int cgroup_v2_stats(const char *dir, struct cgroup_stats *ret,
		    struct berth_error **err)
{
	struct cgroup_stats s = {0};
	_cleanup_free_ char *max = NULL, *current = NULL;
	uint64_t usec;

	/* cpu.stat is always present: usage is core accounting in v2. */
	if (read_key(dir, "cpu.stat", "usage_usec", &usec, err) < 0)
		return -1;
	s.cpu_usage_ns = usec * 1000;
	s.has_cpu = true;

	if (cgroup_read(dir, "memory.current", &current, NULL) == 0 &&
	    cgroup_read(dir, "memory.max", &max, NULL) == 0) {
		s.memory_usage = strtoull(current, NULL, 10);
		s.memory_limit = strcmp(max, "max") == 0 ?
					 UINT64_MAX :
					 strtoull(max, NULL, 10);
		s.has_memory = true;
	}

	free(current);
	current = NULL;
	if (cgroup_read(dir, "pids.current", &current, NULL) == 0) {
		s.pids_current = strtoull(current, NULL, 10);
		s.has_pids = true;
	}
	*ret = s;
	return 0;
}
