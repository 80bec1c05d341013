/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "engine/user.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/xalloc.h"

#define MAX_FIELDS 7

static bool parse_id(const char *s, unsigned int *ret)
{
	unsigned long v;
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return false;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > UINT_MAX - 1)
		return false;
	*ret = (unsigned int)v;
	return true;
}

/*
 * Split one "a:b:c" line into at most MAX_FIELDS fields, in place.
 * Returns the number of fields.
 */
static size_t split_fields(char *line, char **fields)
{
	size_t n = 0;
	char *p = line;

	while (n < MAX_FIELDS) {
		char *colon = strchr(p, ':');

		fields[n++] = p;
		if (colon == NULL)
			break;
		*colon = '\0';
		p = colon + 1;
	}
	return n;
}

/*
 * Call match on each line of a colon-separated database until it
 * returns true; the fields are valid only during the call.
 */
static bool db_find(const char *db, size_t min_fields,
		    bool (*match)(char **fields, size_t n, void *arg),
		    void *arg)
{
	const char *p = db;

	while (p != NULL && *p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		_cleanup_free_ char *line = xstrndup(p, len);
		char *fields[MAX_FIELDS];
		size_t n = split_fields(line, fields);

		if (line[0] != '#' && n >= min_fields && match(fields, n, arg))
			return true;
		p = nl != NULL ? nl + 1 : NULL;
	}
	return false;
}

struct passwd_query {
	const char *name; /* or NULL to match by uid */
	uid_t uid;
	bool found;
	uid_t ret_uid;
	gid_t ret_gid;
	char *ret_name;
	char *ret_home;
};

static bool passwd_match(char **f, size_t n, void *arg)
{
	struct passwd_query *q = arg;
	unsigned int uid, gid;

	if (!parse_id(f[2], &uid) || !parse_id(f[3], &gid))
		return false;

	if (q->name != NULL ? strcmp(f[0], q->name) != 0 : uid != q->uid)
		return false;

	q->found = true;
	q->ret_uid = uid;
	q->ret_gid = gid;
	q->ret_name = xstrdup(f[0]);
	q->ret_home = n > 5 ? xstrdup(f[5]) : NULL;
	return true;
}

struct group_query {
	const char *name; /* or NULL to match by gid */
	gid_t gid;
	bool found;
	gid_t ret_gid;
};

static bool group_match(char **f, size_t n, void *arg)
{
	struct group_query *q = arg;
	unsigned int gid;

	if (!parse_id(f[2], &gid))
		return false;

	if (q->name != NULL ? strcmp(f[0], q->name) != 0 : gid != q->gid)
		return false;

	q->found = true;
	q->ret_gid = gid;
	return true;
}

struct members_query {
	const char *user;
	gid_t primary;
	gid_t *groups;
	size_t n_groups;
};

/* Collect every group that lists the user as a member. */
static bool members_match(char **f, size_t n, void *arg)
{
	struct members_query *q = arg;
	_cleanup_free_ char *list = NULL;
	unsigned int gid;
	char *save = NULL;

	if (n < 4 || !parse_id(f[2], &gid) || gid == q->primary)
		return false;

	list = xstrdup(f[3]);
	for (char *m = strtok_r(list, ",", &save); m != NULL;
	     m = strtok_r(NULL, ",", &save)) {
		if (strcmp(m, q->user) != 0)
			continue;
		q->groups = xreallocarray(q->groups, q->n_groups + 1,
					  sizeof(*q->groups));
		q->groups[q->n_groups++] = gid;
		break;
	}
	return false;
}

static int resolve_user_part(const char *part, const char *passwd,
			     struct passwd_query *q, struct berth_error **err)
{
	unsigned int uid;

	if (parse_id(part, &uid)) {
		q->uid = uid;
		(void)db_find(passwd, 6, passwd_match, q);
		if (!q->found) {
			q->ret_uid = uid;
			q->ret_gid = 0;
		}
		return 0;
	}

	q->name = part;
	if (passwd == NULL || !db_find(passwd, 6, passwd_match, q))
		return berth_error_set(err, 0,
				       "unable to find user %s: no matching "
				       "entries in passwd file",
				       part);
	return 0;
}

static int resolve_group_part(const char *part, const char *group,
			      gid_t *ret_gid, struct berth_error **err)
{
	struct group_query q = {0};
	unsigned int gid;

	if (parse_id(part, &gid)) {
		*ret_gid = gid;
		return 0;
	}

	q.name = part;
	if (group == NULL || !db_find(group, 3, group_match, &q))
		return berth_error_set(err, 0,
				       "unable to find group %s: no matching "
				       "entries in group file",
				       part);
	*ret_gid = q.ret_gid;
	return 0;
}

int user_resolve_from(const char *spec, const char *passwd, const char *group,
		      struct user_ids *ret, struct berth_error **err)
{
	_cleanup_free_ char *user = NULL;
	struct passwd_query q = {0};
	const char *colon = strchr(spec, ':');
	gid_t gid;

	user = colon != NULL ? xstrndup(spec, colon - spec) : xstrdup(spec);
	if (user[0] == '\0' || (colon != NULL && colon[1] == '\0'))
		return berth_error_set(err, 0,
				       "invalid user '%s': use USER, UID, "
				       "USER:GROUP or UID:GID",
				       spec);

	if (resolve_user_part(user, passwd, &q, err) < 0)
		return -1;

	gid = q.ret_gid;
	if (colon != NULL &&
	    resolve_group_part(colon + 1, group, &gid, err) < 0) {
		free(q.ret_name);
		free(q.ret_home);
		return -1;
	}

	*ret = (struct user_ids){
		.uid = q.ret_uid, .gid = gid, .home = q.ret_home};
	/* An explicit group replaces the supplementary groups, as in Docker. */
	if (colon == NULL && q.ret_name != NULL && group != NULL) {
		struct members_query m = {.user = q.ret_name, .primary = gid};

		(void)db_find(group, 4, members_match, &m);
		ret->groups = m.groups;
		ret->n_groups = m.n_groups;
	}
	free(q.ret_name);
	return 0;
}

static int read_optional(int rootfd, const char *path, char **ret,
			 struct berth_error **err)
{
	_cleanup_close_ int fd = -1;
	_cleanup_error_ struct berth_error *local = NULL;
	size_t len;

	fd = fs_open_in_root(rootfd, path, O_RDONLY, 0, &local);
	if (fd >= 0)
		return fs_read_all(fd, ret, &len, err);

	/* An image without the file has only numeric users. */
	if (local->errnum == ENOENT) {
		*ret = NULL;
		return 0;
	}

	berth_error_move(err, &local);
	return -1;
}

int user_resolve(int rootfd, const char *spec, struct user_ids *ret,
		 struct berth_error **err)
{
	_cleanup_free_ char *passwd = NULL, *group = NULL;

	if (read_optional(rootfd, "/etc/passwd", &passwd, err) < 0 ||
	    read_optional(rootfd, "/etc/group", &group, err) < 0)
		return -1;

	return user_resolve_from(spec, passwd, group, ret, err);
}

void user_ids_clear(struct user_ids *ids)
{
	free(ids->groups);
	free(ids->home);
	ids->groups = NULL;
	ids->home = NULL;
}
