/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "util/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/strv.h"
#include "util/xalloc.h"

int fs_read_all(int fd, char **ret_data, size_t *ret_len,
		struct berth_error **err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	size_t cap = 4096;

	buf = xmalloc(cap + 1);
	for (;;) {
		ssize_t n;

		if (len == cap) {
			cap *= 2;
			buf = xrealloc(buf, cap + 1);
		}

		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return berth_error_set(err, errno, "read failed");
		if (n == 0)
			break;
		len += n;
	}

	buf[len] = '\0';
	if (ret_len != NULL)
		*ret_len = len;
	*ret_data = TAKE_PTR(buf);
	return 0;
}

int fs_read_file_at(int dir_fd, const char *path, char **ret_data,
		    size_t *ret_len, struct berth_error **err)
{
	_cleanup_close_ int fd = -1;

	fd = openat(dir_fd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return berth_error_set(err, errno, "open '%s'", path);

	if (fs_read_all(fd, ret_data, ret_len, err) < 0)
		return berth_error_wrap(err, "read '%s'", path);
	return 0;
}

int fs_read_file(const char *path, char **ret_data, size_t *ret_len,
		 struct berth_error **err)
{
	return fs_read_file_at(AT_FDCWD, path, ret_data, ret_len, err);
}

int fs_write_all(int fd, const void *buf, size_t len, struct berth_error **err)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return berth_error_set(err, errno, "write failed");
		p += n;
		len -= n;
	}
	return 0;
}

static int write_replace(int dir_fd, const char *name, const void *buf,
			 size_t len, mode_t mode, bool durable,
			 struct berth_error **err)
{
	_cleanup_free_ char *tmp = NULL;
	_cleanup_close_ int fd = -1;
	const char *base = strrchr(name, '/');
	size_t dirlen = base != NULL ? (size_t)(base - name + 1) : 0;

	/* The temp file sits next to the target so rename(2) is atomic. */
	xasprintf(&tmp, "%.*s.tmp-%d-%s", (int)dirlen, name, (int)getpid(),
		  name + dirlen);

	fd = openat(dir_fd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		    mode);
	if (fd < 0)
		return berth_error_set(err, errno, "create '%s'", tmp);

	if (fs_write_all(fd, buf, len, err) < 0 || (durable && fsync(fd) < 0)) {
		(void)unlinkat(dir_fd, tmp, 0);
		berth_error_set(err, errno, "fsync '%s'", tmp);
		return berth_error_wrap(err, "write '%s'", name);
	}

	if (fchmod(fd, mode) < 0 || renameat(dir_fd, tmp, dir_fd, name) < 0) {
		int saved = errno;

		(void)unlinkat(dir_fd, tmp, 0);
		return berth_error_set(err, saved, "replace '%s'", name);
	}

	if (!durable)
		return 0;

	/* Make the rename itself durable. */
	if (dirlen > 0) {
		_cleanup_free_ char *dir = xstrndup(name, dirlen);
		_cleanup_close_ int dfd = -1;

		dfd = openat(dir_fd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0)
			(void)fsync(dfd);
	} else {
		(void)fsync(dir_fd);
	}
	return 0;
}

int fs_write_atomic_at(int dir_fd, const char *name, const void *buf,
		       size_t len, mode_t mode, struct berth_error **err)
{
	return write_replace(dir_fd, name, buf, len, mode, true, err);
}

int fs_write_replace(const char *path, const void *buf, size_t len, mode_t mode,
		     struct berth_error **err)
{
	return write_replace(AT_FDCWD, path, buf, len, mode, false, err);
}

int fs_write_atomic(const char *path, const void *buf, size_t len, mode_t mode,
		    struct berth_error **err)
{
	return fs_write_atomic_at(AT_FDCWD, path, buf, len, mode, err);
}

int fs_mkdir_p(const char *path, mode_t mode, struct berth_error **err)
{
	_cleanup_free_ char *copy = xstrdup(path);

	for (char *p = copy + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, mode) < 0 && errno != EEXIST)
			return berth_error_set(err, errno,
					       "create directory '%s'", copy);
		*p = '/';
	}

	if (mkdir(copy, mode) < 0 && errno != EEXIST)
		return berth_error_set(err, errno, "create directory '%s'",
				       copy);
	return 0;
}

/*
 * Remove the non-directories in the directory fd. Returns 1 and the name
 * of a subdirectory in *ret_subdir when one is left, 0 when fd is empty.
 */
static int remove_files(int fd, char **ret_subdir, struct berth_error **err)
{
	_cleanup_closedir_ DIR *dir = NULL;
	struct dirent *de;
	int dup_fd;

	dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (dup_fd < 0)
		return berth_error_set(err, errno, "duplicate descriptor");

	dir = fdopendir(dup_fd);
	if (dir == NULL) {
		close(dup_fd);
		return berth_error_set(err, errno, "read directory");
	}

	while ((de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (unlinkat(fd, de->d_name, 0) == 0 || errno == ENOENT)
			continue;
		if (errno != EISDIR && errno != EPERM)
			return berth_error_set(err, errno, "remove '%s'",
					       de->d_name);
		*ret_subdir = xstrdup(de->d_name);
		return 1;
	}
	return 0;
}

/*
 * Remove the directory dir_fd/name depth first. It keeps at most three
 * descriptors open at any depth, going back up through "..", so a deep
 * tree does not run into RLIMIT_NOFILE. Nothing may move directories
 * inside it meanwhile.
 */
static int remove_tree(int dir_fd, const char *name, struct berth_error **err)
{
	_cleanup_strv_ char **stack = NULL;
	_cleanup_close_ int cur = -1;
	size_t depth = 0;

	cur = openat(dir_fd, name,
		     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (cur < 0)
		return berth_error_set(err, errno, "open '%s'", name);

	for (;;) {
		char *subdir = NULL;
		int r = remove_files(cur, &subdir, err);
		int next;

		if (r < 0)
			return berth_error_wrap(err, "remove '%s'", name);

		if (r > 0) {
			next = openat(cur, subdir,
				      O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					      O_CLOEXEC);
			if (next < 0) {
				berth_error_set(err, errno, "open '%s'",
						subdir);
				free(subdir);
				return berth_error_wrap(err, "remove '%s'",
							name);
			}
			strv_push_take(&stack, subdir);
			depth++;
			close(cur);
			cur = next;
			continue;
		}

		if (depth == 0)
			break;

		next = openat(cur, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (next < 0 ||
		    unlinkat(next, stack[depth - 1], AT_REMOVEDIR) < 0) {
			if (next >= 0)
				close(next);
			return berth_error_set(err, errno,
					       "remove directory '%s' in '%s'",
					       stack[depth - 1], name);
		}
		depth--;
		free(stack[depth]);
		stack[depth] = NULL;
		close(cur);
		cur = next;
	}

	if (unlinkat(dir_fd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return berth_error_set(err, errno, "remove directory '%s'",
				       name);
	return 0;
}

int fs_rm_rf_at(int dir_fd, const char *name, struct berth_error **err)
{
	if (unlinkat(dir_fd, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return berth_error_set(err, errno, "remove '%s'", name);

	return remove_tree(dir_fd, name, err);
}

int fs_rm_rf(const char *path, struct berth_error **err)
{
	return fs_rm_rf_at(AT_FDCWD, path, err);
}

int fs_open_in_root(int rootfd, const char *path, int flags, mode_t mode,
		    struct berth_error **err)
{
	struct open_how how = {
		.flags = (uint64_t)flags | O_CLOEXEC,
		.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	long fd;

	do
		fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
	while (fd < 0 && errno == EAGAIN);

	if (fd < 0)
		return berth_error_set(err, errno, "open '%s' inside the root",
				       path);
	return (int)fd;
}

int fs_mkdir_p_in_root(int rootfd, const char *path, mode_t mode, int *ret_fd,
		       struct berth_error **err)
{
	_cleanup_free_ char *copy = xstrdup(path);
	_cleanup_free_ char *prefix = xzalloc(strlen(path) + 2);
	_cleanup_close_ int cur = -1;
	char *save = NULL;

	cur = fs_open_in_root(rootfd, "/", O_PATH | O_DIRECTORY, 0, err);
	if (cur < 0)
		return -1;

	/*
	 * Walk one component at a time. Each directory is created inside
	 * the descriptor of its resolved parent, then the whole prefix is
	 * reopened from the root through openat2, so a symlink planted in
	 * any component is followed inside the root, never outside it.
	 */
	for (char *tok = strtok_r(copy, "/", &save); tok != NULL;
	     tok = strtok_r(NULL, "/", &save)) {
		size_t used = strlen(prefix);
		int next;

		snprintf(prefix + used, strlen(path) + 2 - used, "/%s", tok);

		if (mkdirat(cur, tok, mode) < 0 && errno != EEXIST)
			return berth_error_set(err, errno,
					       "create directory '%s'", prefix);

		next = fs_open_in_root(rootfd, prefix, O_PATH | O_DIRECTORY, 0,
				       err);
		if (next < 0)
			return -1;
		close(cur);
		cur = next;
	}

	if (ret_fd != NULL)
		*ret_fd = TAKE_FD(cur);
	return 0;
}

bool fs_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

char *fs_path_join(const char *a, const char *b)
{
	size_t alen = strlen(a);
	char *joined = NULL;

	while (alen > 1 && a[alen - 1] == '/')
		alen--;
	while (*b == '/')
		b++;
	xasprintf(&joined, "%.*s/%s", (int)alen, a, b);
	return joined;
}
