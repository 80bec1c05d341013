/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "runtime/seccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/log.h"
#include "util/xalloc.h"

struct name_value {
	const char *name;
	uint32_t value;
};

static const struct name_value operators[] = {
	{"SCMP_CMP_NE", SCMP_CMP_NE},
	{"SCMP_CMP_LT", SCMP_CMP_LT},
	{"SCMP_CMP_LE", SCMP_CMP_LE},
	{"SCMP_CMP_EQ", SCMP_CMP_EQ},
	{"SCMP_CMP_GE", SCMP_CMP_GE},
	{"SCMP_CMP_GT", SCMP_CMP_GT},
	{"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};

static const struct name_value architectures[] = {
	{"SCMP_ARCH_X86", SCMP_ARCH_X86},
	{"SCMP_ARCH_X86_64", SCMP_ARCH_X86_64},
	{"SCMP_ARCH_X32", SCMP_ARCH_X32},
	{"SCMP_ARCH_ARM", SCMP_ARCH_ARM},
	{"SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64},
	{"SCMP_ARCH_MIPS", SCMP_ARCH_MIPS},
	{"SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64},
	{"SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32},
	{"SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL},
	{"SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64},
	{"SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32},
	{"SCMP_ARCH_PPC", SCMP_ARCH_PPC},
	{"SCMP_ARCH_PPC64", SCMP_ARCH_PPC64},
	{"SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE},
	{"SCMP_ARCH_S390", SCMP_ARCH_S390},
	{"SCMP_ARCH_S390X", SCMP_ARCH_S390X},
	{"SCMP_ARCH_PARISC", SCMP_ARCH_PARISC},
	{"SCMP_ARCH_PARISC64", SCMP_ARCH_PARISC64},
	{"SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64},
};

static const struct name_value flags[] = {
	{"SECCOMP_FILTER_FLAG_TSYNC", SCMP_FLTATR_CTL_TSYNC},
	{"SECCOMP_FILTER_FLAG_LOG", SCMP_FLTATR_CTL_LOG},
	{"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SCMP_FLTATR_CTL_SSB},
};

static int lookup(const struct name_value *table, size_t n, const char *name,
		  uint32_t *ret)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(table[i].name, name) == 0) {
			if (ret != NULL)
				*ret = table[i].value;
			return 0;
		}
	}
	return -1;
}

int seccomp_operator_from_name(const char *name, uint32_t *ret)
{
	return lookup(operators, ARRAY_SIZE(operators), name, ret);
}

int seccomp_arch_from_name(const char *name, uint32_t *ret)
{
	return lookup(architectures, ARRAY_SIZE(architectures), name, ret);
}

int seccomp_flag_from_name(const char *name, uint32_t *ret)
{
	return lookup(flags, ARRAY_SIZE(flags), name, ret);
}

/* SCMP_ACT_NOTIFY is left out: berth has no notification listener. */
int seccomp_action_from_name(const char *name, unsigned int errno_ret,
			     uint32_t *ret)
{
	const struct name_value actions[] = {
		{"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW},
		{"SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(errno_ret)},
		{"SCMP_ACT_KILL", SCMP_ACT_KILL},
		{"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD},
		{"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS},
		{"SCMP_ACT_TRAP", SCMP_ACT_TRAP},
		{"SCMP_ACT_LOG", SCMP_ACT_LOG},
		{"SCMP_ACT_TRACE", SCMP_ACT_TRACE(errno_ret)},
	};

	return lookup(actions, ARRAY_SIZE(actions), name, ret);
}

static void release_filter(scmp_filter_ctx *ctx)
{
	if (*ctx != NULL)
		seccomp_release(*ctx);
}

#define _cleanup_filter_ __attribute__((cleanup(release_filter)))

/* An ERRNO action without errnoRet returns EPERM, as runc and crun do. */
static int resolve_action(const char *name, bool has_errno_ret,
			  unsigned int errno_ret, uint32_t *ret,
			  struct berth_error **err)
{
	if (seccomp_action_from_name(name, has_errno_ret ? errno_ret : EPERM,
				     ret) < 0)
		return berth_error_set(err, 0, "unknown seccomp action '%s'",
				       name);
	return 0;
}

static int add_architectures(scmp_filter_ctx ctx, const struct spec_seccomp *s,
			     struct berth_error **err)
{
	size_t i;

	for (i = 0; s->architectures != NULL && s->architectures[i]; i++) {
		uint32_t arch;
		int r;

		if (seccomp_arch_from_name(s->architectures[i], &arch) < 0)
			return berth_error_set(err, 0,
					       "unknown seccomp architecture "
					       "'%s'",
					       s->architectures[i]);

		/* The native architecture is in every new filter already. */
		r = seccomp_arch_add(ctx, arch);
		if (r < 0 && r != -EEXIST)
			return berth_error_set(err, -r,
					       "add seccomp architecture '%s'",
					       s->architectures[i]);
	}
	return 0;
}

static int set_flags(scmp_filter_ctx ctx, const struct spec_seccomp *s,
		     struct berth_error **err)
{
	size_t i;
	int r;

	/*
	 * By default libseccomp sets no_new_privs when it loads a filter.
	 * The process's noNewPrivileges decides that, not the filter.
	 */
	r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	if (r < 0)
		return berth_error_set(err, -r,
				       "disable no_new_privs in the "
				       "seccomp filter");

	for (i = 0; s->flags != NULL && s->flags[i] != NULL; i++) {
		uint32_t attr;

		if (seccomp_flag_from_name(s->flags[i], &attr) < 0)
			return berth_error_set(err, 0,
					       "unknown seccomp flag '%s'",
					       s->flags[i]);

		r = seccomp_attr_set(ctx, (enum scmp_filter_attr)attr, 1);
		if (r < 0)
			return berth_error_set(
				err, -r,
				"set seccomp flag '%s' of linux.seccomp.flags, "
				"which this kernel or libseccomp may not "
				"support; remove it",
				s->flags[i]);
	}
	return 0;
}

static int fill_conditions(const struct spec_seccomp_rule *rule,
			   struct scmp_arg_cmp *cmps, bool *ret_distinct)
{
	bool distinct = true;
	size_t i, j;

	for (i = 0; i < rule->n_args; i++) {
		uint32_t op;

		if (seccomp_operator_from_name(rule->args[i].op, &op) < 0)
			return -1;

		cmps[i] = (struct scmp_arg_cmp){
			.arg = rule->args[i].index,
			.op = (enum scmp_compare)op,
			.datum_a = rule->args[i].value,
			.datum_b = rule->args[i].value_two,
		};
		for (j = 0; j < i; j++) {
			if (cmps[j].arg == cmps[i].arg)
				distinct = false;
		}
	}

	*ret_distinct = distinct;
	return 0;
}

/*
 * libseccomp rejects two conditions on the same argument in one rule.
 * Such a rule becomes one rule per condition, so any one of them
 * matching applies the action; runc does the same.
 */
static int add_syscall(scmp_filter_ctx ctx, int nr, uint32_t action,
		       const struct spec_seccomp_rule *rule,
		       const struct scmp_arg_cmp *cmps, bool distinct)
{
	size_t i;
	int r;

	if (rule->n_args == 0 || distinct)
		return seccomp_rule_add_array(ctx, action, nr,
					      (unsigned int)rule->n_args, cmps);

	for (i = 0; i < rule->n_args; i++) {
		r = seccomp_rule_add_array(ctx, action, nr, 1, &cmps[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

static int add_rule(scmp_filter_ctx ctx, uint32_t default_action,
		    const struct spec_seccomp_rule *rule, size_t index,
		    struct berth_error **err)
{
	_cleanup_free_ struct scmp_arg_cmp *cmps = NULL;
	uint32_t action;
	bool distinct;
	size_t i;

	if (resolve_action(rule->action, rule->has_errno_ret, rule->errno_ret,
			   &action, err) < 0)
		return -1;

	/* libseccomp refuses a rule whose action is the default action. */
	if (action == default_action)
		return 0;

	cmps = xcalloc(rule->n_args + 1, sizeof(*cmps));
	if (fill_conditions(rule, cmps, &distinct) < 0)
		return berth_error_set(
			err, 0, "linux.seccomp.syscalls[%zu]: unknown operator",
			index);

	for (i = 0; rule->names[i] != NULL; i++) {
		int nr = seccomp_syscall_resolve_name(rule->names[i]);
		int r;

		if (nr == __NR_SCMP_ERROR) {
			log_debug("unknown syscall '%s' in seccomp rule %zu, "
				  "ignoring",
				  rule->names[i], index);
			continue;
		}

		r = add_syscall(ctx, nr, action, rule, cmps, distinct);
		if (r < 0)
			return berth_error_set(
				err, -r,
				"add linux.seccomp.syscalls[%zu] for syscall "
				"'%s'",
				index, rule->names[i]);
	}
	return 0;
}

static int build_filter(const struct spec_seccomp *s, scmp_filter_ctx *ret,
			struct berth_error **err)
{
	_cleanup_filter_ scmp_filter_ctx ctx = NULL;
	uint32_t default_action;
	size_t i;

	if (resolve_action(s->default_action, s->has_default_errno_ret,
			   s->default_errno_ret, &default_action, err) < 0)
		return -1;

	ctx = seccomp_init(default_action);
	if (ctx == NULL)
		return berth_error_set(err, EINVAL,
				       "create seccomp filter with default "
				       "action '%s'",
				       s->default_action);

	if (add_architectures(ctx, s, err) < 0)
		return -1;

	if (set_flags(ctx, s, err) < 0)
		return -1;

	for (i = 0; i < s->n_syscalls; i++) {
		if (add_rule(ctx, default_action, &s->syscalls[i], i, err) < 0)
			return -1;
	}

	*ret = TAKE_PTR(ctx);
	return 0;
}

int seccomp_load_spec(const struct spec_seccomp *seccomp,
		      struct berth_error **err)
{
	_cleanup_filter_ scmp_filter_ctx ctx = NULL;
	int r;

	if (seccomp == NULL)
		return 0;

	if (build_filter(seccomp, &ctx, err) < 0)
		return berth_error_wrap(err, "build seccomp filter");

	r = seccomp_load(ctx);
	if (r < 0)
		return berth_error_set(err, -r,
				       "load seccomp filter, which needs "
				       "no_new_privs or CAP_SYS_ADMIN");
	return 0;
}

int seccomp_validate_spec(const struct spec_seccomp *seccomp,
			  struct berth_error **err)
{
	_cleanup_filter_ scmp_filter_ctx ctx = NULL;
	_cleanup_close_ int fd = -1;
	int r;

	if (seccomp == NULL)
		return 0;

	if (build_filter(seccomp, &ctx, err) < 0)
		return berth_error_wrap(err, "invalid seccomp profile");

	fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return berth_error_set(err, errno, "open '/dev/null'");

	/* Generating the BPF program catches what adding rules did not. */
	r = seccomp_export_bpf(ctx, fd);
	if (r < 0)
		return berth_error_set(err, -r,
				       "invalid seccomp profile: generate the "
				       "BPF program");
	return 0;
}
