/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_ENGINE_USER_H
#define BERTH_ENGINE_USER_H

/*
 * Resolve a user spec as "docker run -u" takes it ("uid", "name",
 * "uid:gid", "name:group", "uid:group", "name:gid") against the
 * container's /etc/passwd and /etc/group.
 */

#include <stddef.h>
#include <sys/types.h>

#include "util/error.h"

struct user_ids {
	uid_t uid;
	gid_t gid;
	gid_t *groups; /* supplementary groups from /etc/group */
	size_t n_groups;
	char *home; /* from /etc/passwd, NULL when the user has no entry */
};

/*
 * Resolve spec with the contents of /etc/passwd and /etc/group, passwd_len
 * and group_len bytes that may hold NUL bytes (either pointer may be NULL
 * when the file is missing). A numeric uid without a passwd entry gets
 * gid 0, as in Docker; a name that is not listed is an error. The files
 * are read a line at a time: a line over 64 KiB is an error, and one with
 * a NUL byte is skipped.
 */
int user_resolve_memory(const char *spec, const char *passwd, size_t passwd_len,
			const char *group, size_t group_len,
			struct user_ids *ret, struct berth_error **err);

/* Like user_resolve_memory() with NUL-terminated file contents. */
int user_resolve_from(const char *spec, const char *passwd, const char *group,
		      struct user_ids *ret, struct berth_error **err);

/*
 * Like user_resolve_memory(), streaming /etc/passwd and /etc/group from
 * inside the root rootfd; either must be a regular file when present.
 */
int user_resolve(int rootfd, const char *spec, struct user_ids *ret,
		 struct berth_error **err);

void user_ids_clear(struct user_ids *ids);

#endif
