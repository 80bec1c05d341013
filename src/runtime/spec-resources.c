/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdint.h>
#include <string.h>

#include "runtime/spec-internal.h"
#include "runtime/spec.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/xalloc.h"

#define WHERE_MEMORY "linux.resources.memory"
#define WHERE_CPU "linux.resources.cpu"

/*
 * NOTE: blockIO, hugepageLimits, network and rdma are not parsed, so a
 * config.json that sets them runs without those limits.
 */

static int parse_memory(const json_t *res, struct spec_memory *m,
			struct berth_error **err)
{
	json_t *obj = NULL;
	uint64_t swappiness;

	if (json_get_object_opt(res, "memory", "linux.resources", &obj, err) <
	    0)
		return -1;

	if (obj == NULL)
		return 0;

	if (json_get_int64_opt(obj, "limit", WHERE_MEMORY, &m->limit, err) <
		    0 ||
	    json_get_int64_opt(obj, "reservation", WHERE_MEMORY,
			       &m->reservation, err) < 0 ||
	    json_get_int64_opt(obj, "swap", WHERE_MEMORY, &m->swap, err) < 0)
		return -1;

	if (spec_has_field(obj, "swappiness")) {
		if (json_get_uint64_opt(obj, "swappiness", WHERE_MEMORY, 100,
					&swappiness, err) < 0)
			return -1;
		m->swappiness = (int64_t)swappiness;
	}

	return json_get_bool_opt(obj, "disableOOMKiller", WHERE_MEMORY,
				 &m->disable_oom_killer, err);
}

static int parse_cpu(const json_t *res, struct spec_cpu *c,
		     struct berth_error **err)
{
	json_t *obj = NULL;

	if (json_get_object_opt(res, "cpu", "linux.resources", &obj, err) < 0)
		return -1;

	if (obj == NULL)
		return 0;

	if (json_get_uint64_opt(obj, "shares", WHERE_CPU, UINT64_MAX,
				&c->shares, err) < 0 ||
	    json_get_int64_opt(obj, "quota", WHERE_CPU, &c->quota, err) < 0 ||
	    json_get_uint64_opt(obj, "period", WHERE_CPU, UINT64_MAX,
				&c->period, err) < 0)
		return -1;

	if (spec_dup_string_opt(obj, "cpus", WHERE_CPU, &c->cpus, err) < 0)
		return -1;

	return spec_dup_string_opt(obj, "mems", WHERE_CPU, &c->mems, err);
}

static int parse_pids(const json_t *res, struct spec_resources *r,
		      struct berth_error **err)
{
	json_t *obj = NULL;

	if (json_get_object_opt(res, "pids", "linux.resources", &obj, err) < 0)
		return -1;

	if (obj == NULL)
		return 0;

	return json_get_int64_opt(obj, "limit", "linux.resources.pids",
				  &r->pids_limit, err);
}

static int parse_device_rule_type(const json_t *obj, const char *where,
				  struct spec_device_rule *rule,
				  struct berth_error **err)
{
	const char *type = NULL;

	if (json_get_string_opt(obj, "type", where, &type, err) < 0)
		return -1;

	if (type == NULL) {
		rule->type = 'a';
		return 0;
	}

	if (strlen(type) != 1 || strchr("acb", type[0]) == NULL)
		return berth_error_set(err, 0,
				       "%s.type: unknown device type '%s', "
				       "expected a, c or b",
				       where, type);
	rule->type = type[0];
	return 0;
}

static int parse_device_rule(const json_t *obj, const char *where, void *elem,
			     struct berth_error **err)
{
	struct spec_device_rule *rule = elem;
	const char *access = NULL;

	if (!json_is_object(obj))
		return berth_error_set(err, 0, "%s: expected an object", where);

	if (spec_require_field(obj, "allow", where, err) < 0)
		return -1;

	if (json_get_bool_opt(obj, "allow", where, &rule->allow, err) < 0)
		return -1;

	if (parse_device_rule_type(obj, where, rule, err) < 0)
		return -1;

	rule->major = -1;
	rule->minor = -1;
	if (json_get_int64_opt(obj, "major", where, &rule->major, err) < 0 ||
	    json_get_int64_opt(obj, "minor", where, &rule->minor, err) < 0)
		return -1;

	/* Only -1 means any: another negative number must not widen a rule. */
	if (rule->major < -1 || rule->major > UINT32_MAX || rule->minor < -1 ||
	    rule->minor > UINT32_MAX)
		return berth_error_set(err, 0,
				       "%s: device number %lld:%lld out of "
				       "range, use -1 or leave major or minor "
				       "out to match any",
				       where, (long long)rule->major,
				       (long long)rule->minor);

	if (json_get_string_opt(obj, "access", where, &access, err) < 0)
		return -1;

	if (access == NULL)
		access = "rwm";

	if (strspn(access, "rwm") != strlen(access))
		return berth_error_set(err, 0,
				       "%s.access: invalid access '%s', "
				       "expected letters from \"rwm\"",
				       where, access);

	rule->access = xstrdup(access);
	return 0;
}

static int parse_device_rules(const json_t *res, struct spec_resources *r,
			      struct berth_error **err)
{
	void *devices = NULL;
	int ret;

	ret = spec_parse_array(res, "devices", "linux.resources",
			       sizeof(*r->devices), parse_device_rule, &devices,
			       &r->n_devices, err);
	r->devices = devices;
	return ret;
}

static int parse_unified(const json_t *res, struct spec_resources *r,
			 struct berth_error **err)
{
	json_t *obj = NULL;
	const char *key;
	json_t *v;

	if (spec_get_string_map_opt(res, "unified", "linux.resources", &obj,
				    err) < 0)
		return -1;

	if (obj == NULL)
		return 0;

	json_object_foreach (obj, key, v) {
		if (key[0] == '\0' || strchr(key, '/') != NULL ||
		    strcmp(key, ".") == 0 || strcmp(key, "..") == 0)
			return berth_error_set(err, 0,
					       "linux.resources.unified: "
					       "invalid cgroup file name '%s'",
					       key);
	}
	r->unified = json_incref(obj);
	return 0;
}

int spec_parse_linux_resources(const json_t *obj, struct spec_linux *lx,
			       struct berth_error **err)
{
	struct spec_resources *r = &lx->resources;
	json_t *res = NULL;

	if (json_get_object_opt(obj, "resources", "linux", &res, err) < 0)
		return -1;

	if (res == NULL)
		return 0;

	lx->has_resources = true;
	if (parse_memory(res, &r->memory, err) < 0)
		return -1;

	if (parse_cpu(res, &r->cpu, err) < 0)
		return -1;

	if (parse_pids(res, r, err) < 0)
		return -1;

	if (parse_device_rules(res, r, err) < 0)
		return -1;

	return parse_unified(res, r, err);
}
