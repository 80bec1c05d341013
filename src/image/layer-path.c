/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "image/layer-internal.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

int layer_path_clean(const char *path, char **ret, struct berth_error **err)
{
	size_t len = strlen(path);
	_cleanup_free_ char *out = xmalloc(len + 1);
	size_t n = 0;
	const char *p = path;

	while (*p != '\0') {
		const char *end = strchrnul(p, '/');
		size_t clen = end - p;

		if (clen == 0 || (clen == 1 && p[0] == '.')) {
			/* Skip empty and "." components. */
		} else if (clen == 2 && p[0] == '.' && p[1] == '.') {
			if (n == 0)
				return berth_error_set(err, 0,
						       "layer entry '%s' "
						       "points outside the "
						       "layer",
						       path);
			while (n > 0 && out[n - 1] != '/')
				n--;
			if (n > 0)
				n--;
		} else {
			if (n > 0)
				out[n++] = '/';
			memcpy(out + n, p, clen);
			n += clen;
		}
		p = *end == '/' ? end + 1 : end;
	}

	out[n] = '\0';
	*ret = TAKE_PTR(out);
	return 0;
}

void layer_path_split(const char *path, char **ret_parent,
		      const char **ret_base)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL) {
		*ret_parent = xstrdup("");
		*ret_base = path;
		return;
	}
	*ret_parent = xstrndup(path, slash - path);
	*ret_base = slash + 1;
}

static int open_beneath(int dir_fd, const char *path)
{
	struct open_how how = {
		.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
			   RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
	};
	long fd;

	do
		fd = syscall(SYS_openat2, dir_fd, path, &how, sizeof(how));
	while (fd < 0 && errno == EAGAIN);
	return (int)fd;
}

static int open_error(const char *path, struct berth_error **err)
{
	if (errno == ELOOP || errno == EXDEV)
		return berth_error_set(err, 0,
				       "layer directory '%s' is a symbolic "
				       "link or leads outside the layer",
				       path);
	if (errno == ENOTDIR)
		return berth_error_set(
			err, 0, "layer path '%s' is not a directory", path);
	return berth_error_set(err, errno, "open layer directory '%s'", path);
}

/* Walk path one component at a time, creating what is missing. */
static int create_dirs(int root_fd, const char *path, int *ret_fd,
		       struct berth_error **err)
{
	_cleanup_close_ int cur = -1;
	const char *p = path;

	cur = fcntl(root_fd, F_DUPFD_CLOEXEC, 3);
	if (cur < 0)
		return berth_error_set(err, errno, "duplicate descriptor");

	while (*p != '\0') {
		const char *end = strchrnul(p, '/');
		_cleanup_free_ char *comp = xstrndup(p, end - p);
		int next;

		if (mkdirat(cur, comp, 0755) < 0 && errno != EEXIST)
			return berth_error_set(err, errno,
					       "create layer directory '%s'",
					       path);

		next = open_beneath(cur, comp);
		if (next < 0)
			return open_error(path, err);
		close(cur);
		cur = next;
		p = *end == '/' ? end + 1 : end;
	}

	*ret_fd = TAKE_FD(cur);
	return 0;
}

int layer_open_dir(int root_fd, const char *path, bool create, int *ret_fd,
		   struct berth_error **err)
{
	int fd;

	fd = open_beneath(root_fd, path[0] == '\0' ? "." : path);
	if (fd >= 0) {
		*ret_fd = fd;
		return 0;
	}

	if (errno != ENOENT || !create)
		return open_error(path, err);

	return create_dirs(root_fd, path, ret_fd, err);
}
