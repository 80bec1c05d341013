/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "engine/user.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

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
 * Longest line read from /etc/passwd or /etc/group, newline excluded.
 * Docker's lookup (bufio.Scanner) stops at 64 KiB as well, and a group
 * line listing a few thousand members still fits.
 */
#define DB_LINE_MAX 65536

/* An open /etc/passwd or /etc/group; path names it in messages. */
struct db_file {
	FILE *f;
	const char *path;
};

/*
 * Read one line into buf (DB_LINE_MAX + 1 bytes) without its newline.
 * Returns 1 for a line, 0 at the end of the file and -1 for a line over
 * DB_LINE_MAX or a read error. *ret_nul is set when the line contains a NUL
 * byte, which no valid entry has.
 */
static int db_read_line(const struct db_file *db, size_t lineno, char *buf,
			bool *ret_nul, struct berth_error **err)
{
	size_t len = 0;
	int c;

	*ret_nul = false;
	while ((c = getc(db->f)) != EOF && c != '\n') {
		if (len == DB_LINE_MAX)
			return berth_error_set(
				err, 0,
				"invalid %s in the image: line %zu is longer "
				"than %d bytes; shorten it",
				db->path, lineno, DB_LINE_MAX);
		if (c == '\0')
			*ret_nul = true;
		buf[len++] = (char)c;
	}

	if (ferror(db->f))
		return berth_error_set(err, errno, "read %s in the image",
				       db->path);
	buf[len] = '\0';
	return c == EOF && len == 0 ? 0 : 1;
}

/*
 * Call match on each line of a colon-separated database, from its first
 * line, until it returns true; the fields are valid only during the
 * call. Comments and lines with a NUL byte are skipped. Returns 1 when
 * match returned true, 0 when no line matched, -1 on error.
 */
static int db_find(const struct db_file *db, size_t min_fields,
		   bool (*match)(char **fields, size_t n, void *arg), void *arg,
		   struct berth_error **err)
{
	_cleanup_free_ char *line = NULL;

	if (db == NULL)
		return 0;

	line = xmalloc(DB_LINE_MAX + 1);
	rewind(db->f);
	for (size_t lineno = 1;; lineno++) {
		char *fields[MAX_FIELDS];
		bool nul;
		size_t n;
		int r = db_read_line(db, lineno, line, &nul, err);

		if (r <= 0)
			return r;

		if (nul || line[0] == '#')
			continue;

		n = split_fields(line, fields);
		if (n >= min_fields && match(fields, n, arg))
			return 1;
	}
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

static int resolve_user_part(const char *part, const struct db_file *passwd,
			     struct passwd_query *q, struct berth_error **err)
{
	unsigned int uid;
	int r;

	if (parse_id(part, &uid)) {
		q->uid = uid;
		if (db_find(passwd, 6, passwd_match, q, err) < 0)
			return -1;
		if (!q->found) {
			q->ret_uid = uid;
			q->ret_gid = 0;
		}
		return 0;
	}

	q->name = part;
	r = db_find(passwd, 6, passwd_match, q, err);
	if (r < 0)
		return -1;
	if (r == 0)
		return berth_error_set(err, 0,
				       "unable to find user %s: no matching "
				       "entries in passwd file",
				       part);
	return 0;
}

static int resolve_group_part(const char *part, const struct db_file *group,
			      gid_t *ret_gid, struct berth_error **err)
{
	struct group_query q = {0};
	unsigned int gid;
	int r;

	if (parse_id(part, &gid)) {
		*ret_gid = gid;
		return 0;
	}

	q.name = part;
	r = db_find(group, 3, group_match, &q, err);
	if (r < 0)
		return -1;
	if (r == 0)
		return berth_error_set(err, 0,
				       "unable to find group %s: no matching "
				       "entries in group file",
				       part);
	*ret_gid = q.ret_gid;
	return 0;
}

/* An explicit group replaces the supplementary groups, as in Docker. */
static int resolve_members(const struct db_file *group, const char *user,
			   gid_t primary, struct user_ids *ret,
			   struct berth_error **err)
{
	struct members_query m = {.user = user, .primary = primary};

	if (db_find(group, 4, members_match, &m, err) < 0) {
		free(m.groups);
		return -1;
	}

	ret->groups = m.groups;
	ret->n_groups = m.n_groups;
	return 0;
}

static int resolve_files(const char *spec, const struct db_file *passwd,
			 const struct db_file *group, struct user_ids *ret,
			 struct berth_error **err)
{
	_cleanup_free_ char *user = NULL;
	struct passwd_query q = {0};
	const char *colon = strchr(spec, ':');
	struct user_ids ids = {0};
	gid_t gid;

	user = colon != NULL ? xstrndup(spec, colon - spec) : xstrdup(spec);
	if (user[0] == '\0' || (colon != NULL && colon[1] == '\0'))
		return berth_error_set(err, 0,
				       "invalid user '%s': use USER, UID, "
				       "USER:GROUP or UID:GID",
				       spec);

	if (resolve_user_part(user, passwd, &q, err) < 0)
		goto fail;

	gid = q.ret_gid;
	if (colon != NULL &&
	    resolve_group_part(colon + 1, group, &gid, err) < 0)
		goto fail;

	ids = (struct user_ids){
		.uid = q.ret_uid, .gid = gid, .home = TAKE_PTR(q.ret_home)};
	if (colon == NULL && q.ret_name != NULL &&
	    resolve_members(group, q.ret_name, gid, &ids, err) < 0) {
		user_ids_clear(&ids);
		goto fail;
	}

	free(q.ret_name);
	*ret = ids;
	return 0;

fail:
	free(q.ret_name);
	free(q.ret_home);
	return -1;
}

/* Open len bytes of data as a stream; NULL data stands for no file. */
static FILE *open_memory(const char *data, size_t len)
{
	if (data == NULL)
		return NULL;

	/* glibc 2.22 and later accept a size of 0. */
	return fmemopen((void *)data, len, "r");
}

int user_resolve_memory(const char *spec, const char *passwd, size_t passwd_len,
			const char *group, size_t group_len,
			struct user_ids *ret, struct berth_error **err)
{
	_cleanup_fclose_ FILE *pf = open_memory(passwd, passwd_len);
	_cleanup_fclose_ FILE *gf = open_memory(group, group_len);
	struct db_file pdb = {pf, "/etc/passwd"};
	struct db_file gdb = {gf, "/etc/group"};

	if ((passwd != NULL && pf == NULL) || (group != NULL && gf == NULL))
		return berth_error_set(err, errno, "open a memory stream");

	return resolve_files(spec, pf != NULL ? &pdb : NULL,
			     gf != NULL ? &gdb : NULL, ret, err);
}

int user_resolve_from(const char *spec, const char *passwd, const char *group,
		      struct user_ids *ret, struct berth_error **err)
{
	return user_resolve_memory(spec, passwd,
				   passwd != NULL ? strlen(passwd) : 0, group,
				   group != NULL ? strlen(group) : 0, ret, err);
}

/*
 * Open path in the root as a stream, or set *ret to NULL when the image
 * has no such file. Only a regular file is read, because a FIFO or a
 * device node in a hostile image could block or never end.
 */
static int open_optional(int rootfd, const char *path, FILE **ret,
			 struct berth_error **err)
{
	_cleanup_close_ int fd = -1;
	_cleanup_error_ struct berth_error *local = NULL;
	struct stat st;

	*ret = NULL;
	fd = fs_open_in_root(rootfd, path, O_RDONLY | O_NONBLOCK, 0, &local);
	if (fd < 0 && local->errnum == ENOENT)
		return 0;
	if (fd < 0) {
		berth_error_move(err, &local);
		return -1;
	}

	if (fstat(fd, &st) < 0)
		return berth_error_set(err, errno, "stat %s in the image",
				       path);
	if (!S_ISREG(st.st_mode))
		return berth_error_set(err, 0,
				       "invalid %s in the image: it is not a "
				       "regular file",
				       path);

	*ret = fdopen(fd, "r");
	if (*ret == NULL)
		return berth_error_set(err, errno, "read %s in the image",
				       path);
	fd = -1;
	return 0;
}

int user_resolve(int rootfd, const char *spec, struct user_ids *ret,
		 struct berth_error **err)
{
	_cleanup_fclose_ FILE *pf = NULL;
	_cleanup_fclose_ FILE *gf = NULL;
	struct db_file pdb = {NULL, "/etc/passwd"};
	struct db_file gdb = {NULL, "/etc/group"};

	if (open_optional(rootfd, pdb.path, &pf, err) < 0 ||
	    open_optional(rootfd, gdb.path, &gf, err) < 0)
		return -1;

	pdb.f = pf;
	gdb.f = gf;
	return resolve_files(spec, pf != NULL ? &pdb : NULL,
			     gf != NULL ? &gdb : NULL, ret, err);
}

void user_ids_clear(struct user_ids *ids)
{
	free(ids->groups);
	free(ids->home);
	ids->groups = NULL;
	ids->home = NULL;
}
