/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "runtime/seccomp.h"
#include "runtime/spec-internal.h"
#include "runtime/spec.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/strv.h"
#include "util/xalloc.h"

/*
 * Names are checked here, at parse time, so that a bad profile fails
 * "create" in the parent. Syscall names are not: a profile written for
 * a newer kernel lists syscalls this libseccomp does not know, and the
 * loader skips those.
 */

static int check_action(const char *name, const char *where,
			struct berth_error **err)
{
	if (seccomp_action_from_name(name, 0, NULL) < 0)
		return berth_error_set(err, 0,
				       "%s: unknown seccomp action '%s', "
				       "expected a name such as "
				       "'SCMP_ACT_ERRNO'",
				       where, name);
	return 0;
}

static int parse_errno_ret(const json_t *obj, const char *key,
			   const char *where, unsigned int *ret, bool *ret_has,
			   struct berth_error **err)
{
	uint64_t v;

	if (!spec_has_field(obj, key))
		return 0;

	/* errno values travel in the low 16 bits of SECCOMP_RET_ERRNO. */
	if (json_get_uint64_opt(obj, key, where, 0xffff, &v, err) < 0)
		return -1;

	*ret = (unsigned int)v;
	*ret_has = true;
	return 0;
}

static int parse_arg(const json_t *obj, const char *where, void *elem,
		     struct berth_error **err)
{
	struct spec_seccomp_arg *arg = elem;
	const char *op = NULL;
	uint64_t index = 0;

	if (!json_is_object(obj))
		return berth_error_set(err, 0, "%s: expected an object", where);

	if (spec_require_field(obj, "index", where, err) < 0)
		return -1;

	/* The kernel passes six syscall arguments. */
	if (json_get_uint64_opt(obj, "index", where, 5, &index, err) < 0)
		return -1;
	arg->index = (unsigned int)index;

	if (spec_require_field(obj, "value", where, err) < 0)
		return -1;

	if (spec_get_uint64_opt(obj, "value", where, &arg->value, err) < 0 ||
	    spec_get_uint64_opt(obj, "valueTwo", where, &arg->value_two, err) <
		    0)
		return -1;

	if (json_get_string(obj, "op", where, &op, err) < 0)
		return -1;

	if (seccomp_operator_from_name(op, NULL) < 0)
		return berth_error_set(err, 0,
				       "%s.op: unknown seccomp operator '%s', "
				       "expected a name such as "
				       "'SCMP_CMP_EQ'",
				       where, op);

	arg->op = xstrdup(op);
	return 0;
}

static int parse_rule_args(const json_t *obj, const char *where,
			   struct spec_seccomp_rule *rule,
			   struct berth_error **err)
{
	void *args = NULL;
	int r;

	r = spec_parse_array(obj, "args", where, sizeof(*rule->args), parse_arg,
			     &args, &rule->n_args, err);
	rule->args = args;
	return r;
}

static int parse_rule(const json_t *obj, const char *where, void *elem,
		      struct berth_error **err)
{
	struct spec_seccomp_rule *rule = elem;
	_cleanup_free_ char *action_field = spec_field_path(where, "action");
	const char *action = NULL;

	if (!json_is_object(obj))
		return berth_error_set(err, 0, "%s: expected an object", where);

	if (json_get_strv_opt(obj, "names", where, &rule->names, err) < 0)
		return -1;

	if (rule->names == NULL || rule->names[0] == NULL)
		return berth_error_set(err, 0,
				       "%s.names: expected at least one "
				       "syscall name",
				       where);

	if (json_get_string(obj, "action", where, &action, err) < 0)
		return -1;

	if (check_action(action, action_field, err) < 0)
		return -1;
	rule->action = xstrdup(action);

	if (parse_errno_ret(obj, "errnoRet", where, &rule->errno_ret,
			    &rule->has_errno_ret, err) < 0)
		return -1;

	return parse_rule_args(obj, where, rule, err);
}

static int parse_rules(const json_t *obj, const char *where,
		       struct spec_seccomp *s, struct berth_error **err)
{
	void *rules = NULL;
	int r;

	r = spec_parse_array(obj, "syscalls", where, sizeof(*s->syscalls),
			     parse_rule, &rules, &s->n_syscalls, err);
	s->syscalls = rules;
	return r;
}

static int check_names(char **names, const char *where, const char *key,
		       int (*lookup)(const char *, uint32_t *),
		       const char *kind, struct berth_error **err)
{
	_cleanup_free_ char *field = spec_field_path(where, key);
	size_t i;

	for (i = 0; names != NULL && names[i] != NULL; i++) {
		if (lookup(names[i], NULL) < 0)
			return berth_error_set(err, 0,
					       "%s[%zu]: unknown seccomp %s "
					       "'%s'",
					       field, i, kind, names[i]);
	}
	return 0;
}

static int parse_seccomp_fields(const json_t *obj, const char *where,
				struct spec_seccomp *s,
				struct berth_error **err)
{
	_cleanup_free_ char *field = spec_field_path(where, "defaultAction");
	const char *action = NULL;

	if (json_get_string(obj, "defaultAction", where, &action, err) < 0)
		return -1;

	if (check_action(action, field, err) < 0)
		return -1;
	s->default_action = xstrdup(action);

	if (parse_errno_ret(obj, "defaultErrnoRet", where,
			    &s->default_errno_ret, &s->has_default_errno_ret,
			    err) < 0)
		return -1;

	if (json_get_strv_opt(obj, "architectures", where, &s->architectures,
			      err) < 0 ||
	    check_names(s->architectures, where, "architectures",
			seccomp_arch_from_name, "architecture", err) < 0)
		return -1;

	if (json_get_strv_opt(obj, "flags", where, &s->flags, err) < 0 ||
	    check_names(s->flags, where, "flags", seccomp_flag_from_name,
			"flag", err) < 0)
		return -1;

	if (spec_has_field(obj, "listenerPath"))
		return berth_error_set(err, 0,
				       "%s.listenerPath: seccomp user "
				       "notification is not supported, remove "
				       "the field",
				       where);

	return parse_rules(obj, where, s, err);
}

int spec_parse_seccomp(const json_t *obj, const char *where,
		       struct spec_seccomp **ret, struct berth_error **err)
{
	struct spec_seccomp *s = xzalloc(sizeof(*s));

	if (parse_seccomp_fields(obj, where, s, err) < 0) {
		spec_seccomp_free(s);
		return -1;
	}

	*ret = s;
	return 0;
}

void spec_seccomp_free(struct spec_seccomp *seccomp)
{
	size_t i, j;

	if (seccomp == NULL)
		return;

	free(seccomp->default_action);
	strv_free(seccomp->architectures);
	strv_free(seccomp->flags);
	for (i = 0; i < seccomp->n_syscalls; i++) {
		struct spec_seccomp_rule *rule = &seccomp->syscalls[i];

		strv_free(rule->names);
		free(rule->action);
		for (j = 0; j < rule->n_args; j++)
			free(rule->args[j].op);
		free(rule->args);
	}
	free(seccomp->syscalls);
	free(seccomp);
}
