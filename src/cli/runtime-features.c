/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * "features": the JSON document of runc's "features" command, which
 * callers such as containerd read to learn what this runtime supports.
 */
#include <getopt.h>
#include <stdio.h>

#include "cli/runtime-cli.h"
#include "runtime/seccomp.h"
#include "runtime/spec.h"
#include "util/cleanup.h"
#include "util/json.h"

static const char *const hooks[] = {
	"prestart",
	"createRuntime",
	"poststart",
	"poststop",
};

static const char *const mount_options[] = {
	"async",       "atime",	      "bind",
	"defaults",    "dev",	      "diratime",
	"dirsync",     "exec",	      "iversion",
	"lazytime",    "loud",	      "mand",
	"noatime",     "nodev",	      "nodiratime",
	"noexec",      "noiversion",  "nolazytime",
	"nomand",      "norelatime",  "nostrictatime",
	"nosuid",      "nosymfollow", "private",
	"rbind",       "relatime",    "remount",
	"ro",	       "rprivate",    "rshared",
	"rslave",      "runbindable", "rw",
	"shared",      "silent",      "slave",
	"strictatime", "suid",	      "symfollow",
	"sync",	       "unbindable",
};

static const char *const namespaces[] = {
	"cgroup", "ipc", "mount", "network", "pid", "user", "uts",
};

static const char *const seccomp_actions[] = {
	"SCMP_ACT_ALLOW",	 "SCMP_ACT_ERRNO",	 "SCMP_ACT_KILL",
	"SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG",
	"SCMP_ACT_NOTIFY",	 "SCMP_ACT_TRACE",	 "SCMP_ACT_TRAP",
};

static const char *const seccomp_operators[] = {
	"SCMP_CMP_EQ", "SCMP_CMP_GE",	     "SCMP_CMP_GT", "SCMP_CMP_LE",
	"SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE",
};

static const char *const seccomp_archs[] = {
	"SCMP_ARCH_AARCH64",  "SCMP_ARCH_ARM",	       "SCMP_ARCH_MIPS",
	"SCMP_ARCH_MIPS64",   "SCMP_ARCH_MIPS64N32",   "SCMP_ARCH_MIPSEL",
	"SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
	"SCMP_ARCH_PPC64",    "SCMP_ARCH_PPC64LE",     "SCMP_ARCH_RISCV64",
	"SCMP_ARCH_S390",     "SCMP_ARCH_S390X",       "SCMP_ARCH_X32",
	"SCMP_ARCH_X86",      "SCMP_ARCH_X86_64",
};

static json_t *strings(const char *const *list, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(list[i]));
	return a;
}

/* Return the names that this build's libseccomp recognizes. */
static json_t *known(const char *const *list, size_t n,
		     int (*lookup)(const char *, uint32_t *))
{
	json_t *a = json_array();
	uint32_t v;

	for (size_t i = 0; i < n; i++) {
		if (lookup(list[i], &v) == 0)
			json_array_append_new(a, json_string(list[i]));
	}
	return a;
}

static int action_lookup(const char *name, uint32_t *ret)
{
	return seccomp_action_from_name(name, 1, ret);
}

static json_t *capabilities(void)
{
	json_t *a = json_array();

	for (int cap = 0; cap <= SPEC_CAP_LAST; cap++) {
		const char *name = spec_capability_name(cap);

		if (name != NULL)
			json_array_append_new(a, json_string(name));
	}
	return a;
}

static json_t *linux_features(void)
{
	json_t *seccomp = json_pack(
		"{s:b, s:o, s:o, s:o}", "enabled", 1, "actions",
		known(seccomp_actions, ARRAY_SIZE(seccomp_actions),
		      action_lookup),
		"operators",
		known(seccomp_operators, ARRAY_SIZE(seccomp_operators),
		      seccomp_operator_from_name),
		"archs",
		known(seccomp_archs, ARRAY_SIZE(seccomp_archs),
		      seccomp_arch_from_name));

	return json_pack(
		"{s:o, s:o, s:{s:b, s:b, s:b, s:b, s:b}, s:o, "
		"s:{s:b}, s:{s:b}}",
		"namespaces", strings(namespaces, ARRAY_SIZE(namespaces)),
		"capabilities", capabilities(), "cgroup", "v1", 1, "v2", 1,
		"systemd", 0, "systemdUser", 0, "rdma", 0, "seccomp", seccomp,
		"apparmor", "enabled", 0, "selinux", "enabled", 0);
}

int rt_cmd_features(struct rt_context *ctx, int argc, char **argv)
{
	_cleanup_json_ json_t *j = NULL;

	if (getopt_long(argc, argv, "", (struct option[]){{0}}, NULL) != -1 ||
	    rt_operands("features", argc, 0) != 0)
		return 1;

	j = json_pack("{s:s, s:s, s:o, s:o, s:o}", "ociVersionMin", "1.0.0",
		      "ociVersionMax", "1.2.0", "hooks",
		      strings(hooks, ARRAY_SIZE(hooks)), "mountOptions",
		      strings(mount_options, ARRAY_SIZE(mount_options)),
		      "linux", linux_features());
	json_dumpf(j, stdout, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
	putchar('\n');
	(void)ctx;
	return 0;
}
