/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_RUNTIME_SPEC_H
#define BERTH_RUNTIME_SPEC_H

/*
 * The OCI runtime-spec config.json, parsed into plain C types. Parsing
 * validates types, ranges and names, and every error names the field by
 * its JSON path ("linux.resources.memory.limit"). The parsed struct owns
 * all of its memory; spec_free() releases it.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/error.h"

struct spec_mount {
	char *destination;
	char *source;	/* may be NULL, e.g. for tmpfs */
	char *type;	/* may be NULL for bind mounts */
	char **options; /* NULL-terminated, never NULL after parsing */
};

/* One of CLONE_NEWPID, CLONE_NEWNS, ... and an optional path to join. */
struct spec_namespace {
	int type;
	char *path;
};

struct spec_id_mapping {
	uint32_t container_id;
	uint32_t host_id;
	uint32_t size;
};

struct spec_rlimit {
	int resource; /* RLIMIT_* */
	uint64_t soft;
	uint64_t hard;
};

struct spec_device {
	char *path;
	char type; /* 'c', 'b', 'u' or 'p' */
	int64_t major;
	int64_t minor;
	mode_t file_mode;
	bool has_file_mode;
	uid_t uid;
	gid_t gid;
};

/* Each set is a bit mask of CAP_* numbers. */
struct spec_capabilities {
	uint64_t bounding;
	uint64_t effective;
	uint64_t inheritable;
	uint64_t permitted;
	uint64_t ambient;
};

struct spec_user {
	uid_t uid;
	gid_t gid;
	mode_t umask;
	bool has_umask;
	gid_t *additional_gids;
	size_t n_additional_gids;
};

struct spec_process {
	bool terminal;
	unsigned int console_height;
	unsigned int console_width;
	struct spec_user user;
	char **args; /* NULL-terminated, at least one element */
	char **env;  /* NULL-terminated, never NULL after parsing */
	char *cwd;
	struct spec_capabilities capabilities;
	bool has_capabilities;
	struct spec_rlimit *rlimits;
	size_t n_rlimits;
	bool no_new_privileges;
	int oom_score_adj;
	bool has_oom_score_adj;
	char *apparmor_profile;
	char *selinux_label;
};

/* -1 in an int64 field means "not set". */
struct spec_memory {
	int64_t limit;
	int64_t reservation;
	int64_t swap;
	int64_t swappiness;
	bool disable_oom_killer;
};

struct spec_cpu {
	uint64_t shares; /* 0 = not set */
	int64_t quota;	 /* -1 = not set or unlimited */
	uint64_t period; /* 0 = not set */
	char *cpus;	 /* cpuset list, NULL = not set */
	char *mems;
};

struct spec_device_rule {
	bool allow;
	char type;     /* 'a', 'c' or 'b' */
	int64_t major; /* -1 = any */
	int64_t minor; /* -1 = any */
	char *access;  /* subset of "rwm" */
};

struct spec_resources {
	struct spec_memory memory;
	struct spec_cpu cpu;
	int64_t pids_limit; /* -1 = not set, 0 and below = unlimited */
	struct spec_device_rule *devices;
	size_t n_devices;
	json_t *unified; /* cgroup v2 "unified" key/value map, or NULL */
};

struct spec_seccomp_arg {
	unsigned int index;
	uint64_t value;
	uint64_t value_two;
	char *op; /* "SCMP_CMP_EQ", ... */
};

struct spec_seccomp_rule {
	char **names;
	char *action;
	unsigned int errno_ret;
	bool has_errno_ret;
	struct spec_seccomp_arg *args;
	size_t n_args;
};

struct spec_seccomp {
	char *default_action;
	unsigned int default_errno_ret;
	bool has_default_errno_ret;
	char **architectures;
	char **flags;
	struct spec_seccomp_rule *syscalls;
	size_t n_syscalls;
};

struct spec_hook {
	char *path;
	char **args;
	char **env;
	int timeout; /* seconds, 0 = none */
};

struct spec_hook_list {
	struct spec_hook *hooks;
	size_t n_hooks;
};

struct spec_hooks {
	struct spec_hook_list prestart;
	struct spec_hook_list create_runtime;
	struct spec_hook_list create_container;
	struct spec_hook_list start_container;
	struct spec_hook_list poststart;
	struct spec_hook_list poststop;
};

struct spec_sysctl {
	char *key;
	char *value;
};

struct spec_linux {
	struct spec_namespace *namespaces;
	size_t n_namespaces;
	struct spec_id_mapping *uid_mappings;
	size_t n_uid_mappings;
	struct spec_id_mapping *gid_mappings;
	size_t n_gid_mappings;
	struct spec_device *devices;
	size_t n_devices;
	char *cgroups_path;
	struct spec_resources resources;
	bool has_resources;
	unsigned long rootfs_propagation; /* MS_* flags, 0 = default */
	char **masked_paths;
	char **readonly_paths;
	struct spec_seccomp *seccomp; /* NULL = no filter */
	struct spec_sysctl *sysctls;
	size_t n_sysctls;
	char *mount_label;
};

struct spec {
	char *oci_version;
	/* As written; a relative path starts at the bundle directory. */
	char *root_path;
	bool root_readonly;
	struct spec_process *process; /* NULL when config.json has none */
	char *hostname;
	char *domainname;
	struct spec_mount *mounts;
	size_t n_mounts;
	struct spec_hooks hooks;
	struct spec_linux linux;
	json_t *annotations; /* object, or NULL */
};

/* Parse a config.json document. "what" names it in errors (its path). */
int spec_parse(const char *data, size_t len, const char *what,
	       struct spec **ret, struct berth_error **err);
int spec_load(const char *path, struct spec **ret, struct berth_error **err);

/* Parse only a "process" object, as "berth-runtime exec --process" takes. */
int spec_parse_process(json_t *obj, const char *where,
		       struct spec_process **ret, struct berth_error **err);

void spec_free(struct spec *spec);
void spec_process_free(struct spec_process *process);

/* Return the namespace entry of the given CLONE_NEW* type, or NULL. */
const struct spec_namespace *spec_find_namespace(const struct spec *spec,
						 int type);

/*
 * Return the default config.json that "berth-runtime spec" writes: a
 * terminal "sh" process, Docker's default capabilities, the standard
 * mounts, masked and read-only paths and new pid, network, ipc, uts,
 * mount and cgroup namespaces. The caller owns the result.
 */
json_t *spec_default_json(void);

/* Return "pid", "network", ... for a CLONE_NEW* type, or NULL. */
const char *spec_namespace_name(int type);

/* The highest capability number with a name (CAP_CHECKPOINT_RESTORE). */
#define SPEC_CAP_LAST 40

/*
 * Map capability names ("CAP_CHOWN") and numbers; -1 or NULL when
 * unknown. Names match without regard to case, with or without "CAP_".
 */
int spec_capability_from_name(const char *name);
const char *spec_capability_name(int cap);

/* Map rlimit names ("RLIMIT_NOFILE") and RLIMIT_* numbers; -1 or NULL. */
int spec_rlimit_from_name(const char *name);
const char *spec_rlimit_name(int resource);

#define _cleanup_spec_ __attribute__((cleanup(spec_freep)))
static inline void spec_freep(struct spec **spec)
{
	spec_free(*spec);
}

#endif
