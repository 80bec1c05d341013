/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/runtime-internal.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/xalloc.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

struct ns_kind {
	int type;
	const char *proc_name; /* the file name under /proc/PID/ns */
};

/*
 * The order in which exec joins a running container's namespaces. User
 * comes first, so that the namespaces it owns can be joined with the
 * capabilities it grants. Pid comes last and only affects children.
 */
static const struct ns_kind ns_kinds[] = {
	{CLONE_NEWUSER, "user"},     {CLONE_NEWIPC, "ipc"},
	{CLONE_NEWUTS, "uts"},	     {CLONE_NEWNET, "net"},
	{CLONE_NEWCGROUP, "cgroup"}, {CLONE_NEWTIME, "time"},
	{CLONE_NEWNS, "mnt"},	     {CLONE_NEWPID, "pid"},
};

int namespaces_clone_flags(const struct spec *spec)
{
	int flags = 0;

	for (size_t i = 0; i < spec->linux.n_namespaces; i++) {
		const struct spec_namespace *ns = &spec->linux.namespaces[i];

		if (ns->path == NULL || ns->path[0] == '\0')
			flags |= ns->type;
	}
	return flags;
}

static int join_path(const char *path, int type, struct berth_error **err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return berth_error_set(err, errno, "open namespace '%s'", path);

	if (setns(fd, type) < 0)
		return berth_error_set(err, errno, "join namespace '%s'", path);
	return 0;
}

int namespaces_join_paths(const struct spec *spec, struct berth_error **err)
{
	for (size_t k = 0; k < ARRAY_SIZE(ns_kinds); k++) {
		int type = ns_kinds[k].type;
		const struct spec_namespace *ns;

		if (type == CLONE_NEWPID)
			continue;

		ns = spec_find_namespace(spec, type);
		if (ns == NULL || ns->path == NULL || ns->path[0] == '\0')
			continue;

		if (join_path(ns->path, type, err) < 0)
			return -1;
	}
	return 0;
}

int namespaces_enter_pid(const char *path, int *ret_saved_fd,
			 struct berth_error **err)
{
	_cleanup_close_ int saved = -1;

	saved = open("/proc/self/ns/pid_for_children", O_RDONLY | O_CLOEXEC);
	if (saved < 0)
		return berth_error_set(err, errno, "open '%s'",
				       "/proc/self/ns/pid_for_children");

	if (join_path(path, CLONE_NEWPID, err) < 0)
		return -1;

	*ret_saved_fd = TAKE_FD(saved);
	return 0;
}

int namespaces_restore_pid(int saved_fd, struct berth_error **err)
{
	if (setns(saved_fd, CLONE_NEWPID) < 0)
		return berth_error_set(
			err, errno, "restore the pid namespace for children");
	return 0;
}

static int write_map(pid_t pid, const char *file,
		     const struct spec_id_mapping *maps, size_t n,
		     struct berth_error **err)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *text = xstrdup("");
	_cleanup_close_ int fd = -1;

	for (size_t i = 0; i < n; i++) {
		char *line;

		xasprintf(&line, "%s%u %u %u\n", text, maps[i].container_id,
			  maps[i].host_id, maps[i].size);
		free(text);
		text = line;
	}

	xasprintf(&path, "/proc/%d/%s", (int)pid, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return berth_error_set(err, errno, "open '%s'", path);

	/* The kernel takes the whole map in one write or none of it. */
	if (write(fd, text, strlen(text)) < 0)
		return berth_error_set(
			err, errno, "write '%s', check linux.%s in config.json",
			path,
			strcmp(file, "uid_map") == 0 ? "uidMappings" :
						       "gidMappings");
	return 0;
}

int namespaces_write_id_maps(pid_t pid, const struct spec *spec,
			     struct berth_error **err)
{
	const struct spec_linux *l = &spec->linux;

	if (l->n_uid_mappings > 0 && write_map(pid, "uid_map", l->uid_mappings,
					       l->n_uid_mappings, err) < 0)
		return -1;

	if (l->n_gid_mappings > 0 && write_map(pid, "gid_map", l->gid_mappings,
					       l->n_gid_mappings, err) < 0)
		return -1;
	return 0;
}

/* True when /proc/PID/ns/NAME is the namespace the caller is in already. */
static bool same_namespace(int fd, const char *name)
{
	_cleanup_free_ char *self = NULL;
	struct stat a, b;

	xasprintf(&self, "/proc/self/ns/%s", name);
	if (fstat(fd, &a) < 0 || stat(self, &b) < 0)
		return false;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int namespaces_join_process(pid_t pid, struct berth_error **err)
{
	int fds[ARRAY_SIZE(ns_kinds)];
	int ret = 0;

	/* Open every namespace first: after joining mnt, /proc changes. */
	for (size_t k = 0; k < ARRAY_SIZE(ns_kinds); k++) {
		_cleanup_free_ char *path = NULL;

		xasprintf(&path, "/proc/%d/ns/%s", (int)pid,
			  ns_kinds[k].proc_name);
		fds[k] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[k] >= 0 &&
		    same_namespace(fds[k], ns_kinds[k].proc_name)) {
			close(fds[k]);
			fds[k] = -1;
		}
	}

	for (size_t k = 0; k < ARRAY_SIZE(ns_kinds); k++) {
		if (fds[k] < 0 || ret < 0)
			continue;

		if (setns(fds[k], ns_kinds[k].type) < 0)
			ret = berth_error_set(err, errno,
					      "join the %s namespace of pid %d",
					      ns_kinds[k].proc_name, (int)pid);
	}

	for (size_t k = 0; k < ARRAY_SIZE(ns_kinds); k++) {
		if (fds[k] >= 0)
			close(fds[k]);
	}
	return ret;
}
