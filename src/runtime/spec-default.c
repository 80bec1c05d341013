/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdlib.h>

#include "runtime/spec.h"
#include "util/cleanup.h"

/*
 * The config.json "berth-runtime spec" writes. It follows "runc spec"
 * (runc 1.1) except for the capabilities: runc grants only
 * CAP_AUDIT_WRITE, CAP_KILL and CAP_NET_BIND_SERVICE, while berth grants
 * Docker's default set, so the same image behaves as under "docker run".
 */

static const char *const default_capabilities[] = {
	"CAP_CHOWN",
	"CAP_DAC_OVERRIDE",
	"CAP_FSETID",
	"CAP_FOWNER",
	"CAP_MKNOD",
	"CAP_NET_RAW",
	"CAP_SETGID",
	"CAP_SETUID",
	"CAP_SETFCAP",
	"CAP_SETPCAP",
	"CAP_NET_BIND_SERVICE",
	"CAP_SYS_CHROOT",
	"CAP_KILL",
	"CAP_AUDIT_WRITE",
};

static const char *const default_masked_paths[] = {
	"/proc/acpi",	     "/proc/asound",	    "/proc/kcore",
	"/proc/keys",	     "/proc/latency_stats", "/proc/timer_list",
	"/proc/timer_stats", "/proc/sched_debug",   "/sys/firmware",
	"/proc/scsi",
};

static const char *const default_readonly_paths[] = {
	"/proc/bus",	       "/proc/fs", "/proc/irq", "/proc/sys",
	"/proc/sysrq-trigger",
};

static const char *const default_namespaces[] = {
	"pid", "network", "ipc", "uts", "mount", "cgroup",
};

static json_t *string_array(const char *const *strings, size_t n)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(arr, json_string(strings[i]));
	return arr;
}

#define STRING_ARRAY(a) string_array((a), ARRAY_SIZE(a))

static json_t *default_process(void)
{
	json_t *caps =
		json_pack("{s:o, s:o, s:o}", "bounding",
			  STRING_ARRAY(default_capabilities), "effective",
			  STRING_ARRAY(default_capabilities), "permitted",
			  STRING_ARRAY(default_capabilities));

	return json_pack(
		"{s:b, s:{s:i, s:i}, s:[s], s:[s, s], s:s, s:o, "
		"s:[{s:s, s:i, s:i}], s:b}",
		"terminal", 1, "user", "uid", 0, "gid", 0, "args", "sh", "env",
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:"
		"/bin",
		"TERM=xterm", "cwd", "/", "capabilities", caps, "rlimits",
		"type", "RLIMIT_NOFILE", "hard", 1024, "soft", 1024,
		"noNewPrivileges", 1);
}

static json_t *mount_entry(const char *destination, const char *type,
			   const char *source, json_t *options)
{
	return json_pack("{s:s, s:s, s:s, s:o}", "destination", destination,
			 "type", type, "source", source, "options", options);
}

static json_t *default_mounts(void)
{
	json_t *mounts = json_array();

	json_array_append_new(mounts, json_pack("{s:s, s:s, s:s}",
						"destination", "/proc", "type",
						"proc", "source", "proc"));
	json_array_append_new(
		mounts,
		mount_entry("/dev", "tmpfs", "tmpfs",
			    json_pack("[s, s, s, s]", "nosuid", "strictatime",
				      "mode=755", "size=65536k")));
	json_array_append_new(
		mounts,
		mount_entry("/dev/pts", "devpts", "devpts",
			    json_pack("[s, s, s, s, s, s]", "nosuid", "noexec",
				      "newinstance", "ptmxmode=0666",
				      "mode=0620", "gid=5")));
	json_array_append_new(
		mounts,
		mount_entry("/dev/shm", "tmpfs", "shm",
			    json_pack("[s, s, s, s, s]", "nosuid", "noexec",
				      "nodev", "mode=1777", "size=65536k")));
	json_array_append_new(mounts,
			      mount_entry("/dev/mqueue", "mqueue", "mqueue",
					  json_pack("[s, s, s]", "nosuid",
						    "noexec", "nodev")));
	json_array_append_new(mounts,
			      mount_entry("/sys", "sysfs", "sysfs",
					  json_pack("[s, s, s, s]", "nosuid",
						    "noexec", "nodev", "ro")));
	json_array_append_new(
		mounts,
		mount_entry("/sys/fs/cgroup", "cgroup", "cgroup",
			    json_pack("[s, s, s, s, s]", "nosuid", "noexec",
				      "nodev", "relatime", "ro")));
	return mounts;
}

static json_t *default_linux(void)
{
	json_t *namespaces = json_array();
	size_t i;

	for (i = 0; i < ARRAY_SIZE(default_namespaces); i++)
		json_array_append_new(
			namespaces,
			json_pack("{s:s}", "type", default_namespaces[i]));

	/* The device cgroup denies every device not listed in devices. */
	return json_pack("{s:{s:[{s:b, s:s}]}, s:o, s:o, s:o}", "resources",
			 "devices", "allow", 0, "access", "rwm", "namespaces",
			 namespaces, "maskedPaths",
			 STRING_ARRAY(default_masked_paths), "readonlyPaths",
			 STRING_ARRAY(default_readonly_paths));
}

json_t *spec_default_json(void)
{
	json_t *spec = json_pack("{s:s, s:o, s:{s:s, s:b}, s:s, s:o, s:o}",
				 "ociVersion", "1.1.0", "process",
				 default_process(), "root", "path", "rootfs",
				 "readonly", 1, "hostname", "berth", "mounts",
				 default_mounts(), "linux", default_linux());

	/* json_pack fails only on a bad format or out of memory. */
	if (spec == NULL)
		abort();
	return spec;
}
