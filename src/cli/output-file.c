/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/output-file.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

/*
 * The absolute path output names with symlinks resolved, or NULL when
 * its directory is missing. A missing last component is kept as it is.
 */
static char *resolve_path(const char *output)
{
	_cleanup_free_ char *copy = xstrdup(output);
	_cleanup_free_ char *dir = NULL;
	char *resolved = realpath(output, NULL);
	char *slash;

	if (resolved != NULL)
		return resolved;

	slash = strrchr(copy, '/');
	if (slash == NULL) {
		dir = realpath(".", NULL);
	} else if (slash == copy) {
		dir = xstrdup("");
	} else {
		*slash = '\0';
		dir = realpath(copy, NULL);
	}
	if (dir == NULL)
		return NULL;

	xasprintf(&resolved, "%s/%s", dir, slash != NULL ? slash + 1 : copy);
	return resolved;
}

int output_check_outside_root(const char *root, const char *output,
			      struct berth_error **err)
{
	_cleanup_free_ char *real_root = realpath(root, NULL);
	_cleanup_free_ char *path = resolve_path(output);
	size_t len;

	if (real_root == NULL || path == NULL)
		return 0;

	len = strlen(real_root);
	if (strncmp(path, real_root, len) == 0 &&
	    (path[len] == '/' || path[len] == '\0'))
		return berth_error_set(err, 0,
				       "output '%s' is inside the berth root "
				       "'%s': choose a path outside it",
				       output, real_root);
	return 0;
}

static int open_in_place(const char *output, struct output_file *ret,
			 struct berth_error **err)
{
	int fd = open(output, O_WRONLY | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return berth_error_set(err, errno, "open '%s'", output);
	if (isatty(fd)) {
		close(fd);
		return berth_error_set(
			err, 0, "output '%s': " OUTPUT_TERMINAL_ERROR, output);
	}

	ret->path = xstrdup(output);
	ret->fd = fd;
	return 0;
}

static int open_temp(const char *path, struct output_file *ret,
		     struct berth_error **err)
{
	_cleanup_free_ char *tmp = NULL;
	mode_t mask;
	int fd;

	xasprintf(&tmp, "%s.tmp-XXXXXX", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return berth_error_set(err, errno, "create '%s'", tmp);

	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) < 0) {
		berth_error_set(err, errno, "chmod '%s'", tmp);
		close(fd);
		unlink(tmp);
		return -1;
	}

	ret->path = xstrdup(path);
	ret->tmp = TAKE_PTR(tmp);
	ret->fd = fd;
	return 0;
}

int output_file_open(const char *root, const char *output,
		     struct output_file *ret, struct berth_error **err)
{
	_cleanup_free_ char *path = resolve_path(output);
	struct stat st;

	*ret = (struct output_file){.fd = -1};
	if (output_check_outside_root(root, output, err) < 0)
		return -1;

	if (stat(output, &st) == 0 && S_ISDIR(st.st_mode))
		return berth_error_set(err, EISDIR, "output '%s'", output);
	if (stat(output, &st) == 0 && !S_ISREG(st.st_mode))
		return open_in_place(output, ret, err);

	/* A symlink's target is replaced, not the symlink. */
	return open_temp(path != NULL ? path : output, ret, err);
}

int output_file_commit(struct output_file *out, struct berth_error **err)
{
	if (out->tmp != NULL && fsync(out->fd) < 0)
		return berth_error_set(err, errno, "fsync '%s'", out->tmp);
	if (out->tmp != NULL && rename(out->tmp, out->path) < 0)
		return berth_error_set(err, errno, "rename '%s' to '%s'",
				       out->tmp, out->path);

	free(out->tmp);
	out->tmp = NULL;
	output_file_abort(out);
	return 0;
}

void output_file_abort(struct output_file *out)
{
	if (out->tmp != NULL)
		(void)unlink(out->tmp);
	if (out->fd >= 0)
		close(out->fd);
	free(out->tmp);
	free(out->path);
	*out = (struct output_file){.fd = -1};
}
