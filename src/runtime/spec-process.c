/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <string.h>
#include <sys/resource.h>

#include "runtime/spec-internal.h"
#include "runtime/spec.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/strv.h"
#include "util/xalloc.h"

static const struct {
	const char *name;
	int resource;
} rlimit_names[] = {
	{"RLIMIT_AS", RLIMIT_AS},
	{"RLIMIT_CORE", RLIMIT_CORE},
	{"RLIMIT_CPU", RLIMIT_CPU},
	{"RLIMIT_DATA", RLIMIT_DATA},
	{"RLIMIT_FSIZE", RLIMIT_FSIZE},
	{"RLIMIT_LOCKS", RLIMIT_LOCKS},
	{"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
	{"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
	{"RLIMIT_NICE", RLIMIT_NICE},
	{"RLIMIT_NOFILE", RLIMIT_NOFILE},
	{"RLIMIT_NPROC", RLIMIT_NPROC},
	{"RLIMIT_RSS", RLIMIT_RSS},
	{"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
	{"RLIMIT_RTTIME", RLIMIT_RTTIME},
	{"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
	{"RLIMIT_STACK", RLIMIT_STACK},
};

int spec_rlimit_from_name(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rlimit_names); i++) {
		if (strcmp(name, rlimit_names[i].name) == 0)
			return rlimit_names[i].resource;
	}
	return -1;
}

const char *spec_rlimit_name(int resource)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rlimit_names); i++) {
		if (rlimit_names[i].resource == resource)
			return rlimit_names[i].name;
	}
	return NULL;
}

/* The largest valid id: (uid_t)-1 means "unchanged" to setresuid(2). */
#define SPEC_ID_MAX (UINT32_MAX - 1)

static int parse_additional_gids(const json_t *user, const char *where,
				 struct spec_user *u, struct berth_error **err)
{
	_cleanup_free_ char *field = spec_field_path(where, "additionalGids");
	json_t *arr = NULL;
	json_t *v;
	size_t i;

	if (json_get_array_opt(user, "additionalGids", where, &arr, err) < 0)
		return -1;

	if (arr == NULL)
		return 0;

	u->additional_gids = xcalloc(json_array_size(arr) + 1, sizeof(gid_t));
	json_array_foreach (arr, i, v) {
		json_int_t gid =
			json_is_integer(v) ? json_integer_value(v) : -1;

		if (gid < 0 || gid > SPEC_ID_MAX)
			return berth_error_set(err, 0,
					       "%s[%zu]: expected a group id "
					       "from 0 to %u",
					       field, i, SPEC_ID_MAX);
		u->additional_gids[i] = (gid_t)gid;
		u->n_additional_gids = i + 1;
	}
	return 0;
}

static int parse_user(const json_t *process, const char *where,
		      struct spec_user *u, struct berth_error **err)
{
	_cleanup_free_ char *field = spec_field_path(where, "user");
	json_t *obj = NULL;
	uint64_t v;

	if (json_get_object_opt(process, "user", where, &obj, err) < 0)
		return -1;

	if (obj == NULL)
		return 0;

	v = 0;
	if (json_get_uint64_opt(obj, "uid", field, SPEC_ID_MAX, &v, err) < 0)
		return -1;
	u->uid = (uid_t)v;

	v = 0;
	if (json_get_uint64_opt(obj, "gid", field, SPEC_ID_MAX, &v, err) < 0)
		return -1;
	u->gid = (gid_t)v;

	if (spec_has_field(obj, "umask")) {
		if (json_get_uint64_opt(obj, "umask", field, 0777, &v, err) < 0)
			return -1;
		u->umask = (mode_t)v;
		u->has_umask = true;
	}

	return parse_additional_gids(obj, field, u, err);
}

static int parse_args(const json_t *process, const char *where,
		      struct spec_process *p, struct berth_error **err)
{
	_cleanup_free_ char *field = spec_field_path(where, "args");

	if (json_get_strv_opt(process, "args", where, &p->args, err) < 0)
		return -1;

	if (p->args == NULL)
		return berth_error_set(err, 0, "%s: missing required field",
				       field);

	if (p->args[0] == NULL)
		return berth_error_set(err, 0,
				       "%s: expected at least one element, "
				       "the command to run",
				       field);

	if (p->args[0][0] == '\0')
		return berth_error_set(err, 0,
				       "%s[0]: expected a command, got an "
				       "empty string",
				       field);
	return 0;
}

static int parse_env(const json_t *process, const char *where,
		     struct spec_process *p, struct berth_error **err)
{
	_cleanup_free_ char *field = spec_field_path(where, "env");
	size_t i;

	if (json_get_strv_opt(process, "env", where, &p->env, err) < 0)
		return -1;

	if (p->env == NULL)
		p->env = xcalloc(1, sizeof(char *));

	for (i = 0; p->env[i] != NULL; i++) {
		const char *eq = strchr(p->env[i], '=');

		if (eq == NULL || eq == p->env[i])
			return berth_error_set(
				err, 0,
				"%s[%zu]: expected \"KEY=VALUE\", "
				"got '%s'",
				field, i, p->env[i]);
	}
	return 0;
}

static int parse_cwd(const json_t *process, const char *where,
		     struct spec_process *p, struct berth_error **err)
{
	if (spec_dup_string_opt(process, "cwd", where, &p->cwd, err) < 0)
		return -1;

	if (p->cwd == NULL) {
		_cleanup_free_ char *field = spec_field_path(where, "cwd");

		return berth_error_set(err, 0, "%s: missing required field",
				       field);
	}
	return spec_check_absolute(p->cwd, where, "cwd", err);
}

static int parse_capability_set(const json_t *caps, const char *key,
				const char *where, uint64_t *ret,
				struct berth_error **err)
{
	_cleanup_free_ char *field = spec_field_path(where, key);
	_cleanup_strv_ char **names = NULL;
	uint64_t mask = 0;
	size_t i;

	if (json_get_strv_opt(caps, key, where, &names, err) < 0)
		return -1;

	for (i = 0; names != NULL && names[i] != NULL; i++) {
		int cap = spec_capability_from_name(names[i]);

		if (cap < 0)
			return berth_error_set(err, 0,
					       "%s[%zu]: unknown capability "
					       "'%s', expected a name such as "
					       "'CAP_CHOWN'",
					       field, i, names[i]);
		mask |= UINT64_C(1) << cap;
	}

	*ret = mask;
	return 0;
}

static int parse_capabilities(const json_t *process, const char *where,
			      struct spec_process *p, struct berth_error **err)
{
	_cleanup_free_ char *field = spec_field_path(where, "capabilities");
	struct spec_capabilities *c = &p->capabilities;
	const struct {
		const char *key;
		uint64_t *mask;
	} sets[] = {
		{"bounding", &c->bounding},	  {"effective", &c->effective},
		{"inheritable", &c->inheritable}, {"permitted", &c->permitted},
		{"ambient", &c->ambient},
	};
	json_t *obj = NULL;

	if (json_get_object_opt(process, "capabilities", where, &obj, err) < 0)
		return -1;

	if (obj == NULL)
		return 0;

	for (size_t i = 0; i < ARRAY_SIZE(sets); i++) {
		if (parse_capability_set(obj, sets[i].key, field, sets[i].mask,
					 err) < 0)
			return -1;
	}

	p->has_capabilities = true;
	return 0;
}

static int parse_rlimit(const json_t *obj, const char *where, void *elem,
			struct berth_error **err)
{
	struct spec_rlimit *rlimit = elem;
	const char *type = NULL;

	if (!json_is_object(obj))
		return berth_error_set(err, 0, "%s: expected an object", where);

	if (json_get_string(obj, "type", where, &type, err) < 0)
		return -1;

	rlimit->resource = spec_rlimit_from_name(type);
	if (rlimit->resource < 0)
		return berth_error_set(err, 0,
				       "%s.type: unknown rlimit '%s', expected "
				       "a name such as 'RLIMIT_NOFILE'",
				       where, type);

	if (spec_require_field(obj, "soft", where, err) < 0 ||
	    spec_require_field(obj, "hard", where, err) < 0)
		return -1;

	if (spec_get_uint64_opt(obj, "soft", where, &rlimit->soft, err) < 0 ||
	    spec_get_uint64_opt(obj, "hard", where, &rlimit->hard, err) < 0)
		return -1;

	if (rlimit->soft > rlimit->hard)
		return berth_error_set(err, 0,
				       "%s: soft limit %llu of '%s' is above "
				       "its hard limit %llu",
				       where, (unsigned long long)rlimit->soft,
				       type, (unsigned long long)rlimit->hard);
	return 0;
}

static int parse_rlimits(const json_t *process, const char *where,
			 struct spec_process *p, struct berth_error **err)
{
	_cleanup_free_ char *field = spec_field_path(where, "rlimits");
	void *rlimits = NULL;
	int r;

	r = spec_parse_array(process, "rlimits", where, sizeof(*p->rlimits),
			     parse_rlimit, &rlimits, &p->n_rlimits, err);
	p->rlimits = rlimits;
	if (r < 0)
		return -1;

	for (size_t i = 0; i < p->n_rlimits; i++) {
		for (size_t j = 0; j < i; j++) {
			if (p->rlimits[j].resource != p->rlimits[i].resource)
				continue;

			return berth_error_set(
				err, 0,
				"%s[%zu].type: duplicate rlimit '%s', list "
				"each type once",
				field, i,
				spec_rlimit_name(p->rlimits[i].resource));
		}
	}
	return 0;
}

static int parse_oom_score_adj(const json_t *process, const char *where,
			       struct spec_process *p, struct berth_error **err)
{
	int64_t v = 0;

	if (!spec_has_field(process, "oomScoreAdj"))
		return 0;

	if (json_get_int64_opt(process, "oomScoreAdj", where, &v, err) < 0)
		return -1;

	if (v < -1000 || v > 1000) {
		_cleanup_free_ char *field =
			spec_field_path(where, "oomScoreAdj");

		return berth_error_set(
			err, 0, "%s: value %lld out of range -1000..1000",
			field, (long long)v);
	}

	p->oom_score_adj = (int)v;
	p->has_oom_score_adj = true;
	return 0;
}

static int parse_console_size(const json_t *process, const char *where,
			      struct spec_process *p, struct berth_error **err)
{
	_cleanup_free_ char *field = spec_field_path(where, "consoleSize");
	json_t *obj = NULL;
	uint32_t v;

	if (json_get_object_opt(process, "consoleSize", where, &obj, err) < 0)
		return -1;

	if (obj == NULL)
		return 0;

	v = 0;
	if (spec_get_uint32_opt(obj, "height", field, &v, err) < 0)
		return -1;
	p->console_height = v;

	v = 0;
	if (spec_get_uint32_opt(obj, "width", field, &v, err) < 0)
		return -1;
	p->console_width = v;
	return 0;
}

static int parse_process_fields(const json_t *obj, const char *where,
				struct spec_process *p,
				struct berth_error **err)
{
	if (json_get_bool_opt(obj, "terminal", where, &p->terminal, err) < 0)
		return -1;

	if (parse_console_size(obj, where, p, err) < 0)
		return -1;

	if (parse_user(obj, where, &p->user, err) < 0)
		return -1;

	if (parse_args(obj, where, p, err) < 0)
		return -1;

	if (parse_env(obj, where, p, err) < 0)
		return -1;

	if (parse_cwd(obj, where, p, err) < 0)
		return -1;

	if (parse_capabilities(obj, where, p, err) < 0)
		return -1;

	if (parse_rlimits(obj, where, p, err) < 0)
		return -1;

	if (json_get_bool_opt(obj, "noNewPrivileges", where,
			      &p->no_new_privileges, err) < 0)
		return -1;

	if (parse_oom_score_adj(obj, where, p, err) < 0)
		return -1;

	if (spec_dup_string_opt(obj, "apparmorProfile", where,
				&p->apparmor_profile, err) < 0)
		return -1;

	return spec_dup_string_opt(obj, "selinuxLabel", where,
				   &p->selinux_label, err);
}

int spec_parse_process(json_t *obj, const char *where,
		       struct spec_process **ret, struct berth_error **err)
{
	struct spec_process *p;

	if (!json_is_object(obj))
		return berth_error_set(err, 0, "%s: expected an object",
				       where != NULL && *where ? where :
								 "process");

	p = xzalloc(sizeof(*p));
	if (parse_process_fields(obj, where, p, err) < 0) {
		spec_process_free(p);
		return -1;
	}

	*ret = p;
	return 0;
}

void spec_process_free(struct spec_process *process)
{
	if (process == NULL)
		return;

	free(process->user.additional_gids);
	strv_free(process->args);
	strv_free(process->env);
	free(process->cwd);
	free(process->rlimits);
	free(process->apparmor_profile);
	free(process->selinux_label);
	free(process);
}
