/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "engine/container-store.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "engine/container-config.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/lock.h"
#include "util/strv.h"
#include "util/xalloc.h"

void engine_init(struct engine *engine, const char *root, const char *runroot,
		 char **argv)
{
	engine->root = xstrdup(root);
	engine->runroot = xstrdup(runroot);
	engine->state_root = fs_path_join(runroot, "runtime");
	engine->argv = argv;
	engine->exe = NULL;
}

void engine_clear(struct engine *engine)
{
	free(engine->root);
	free(engine->runroot);
	free(engine->state_root);
	free(engine->exe);
}

char *container_dir(const struct engine *engine, const char *id)
{
	char *path;

	xasprintf(&path, "%s/containers/%s", engine->root, id);
	return path;
}

char *container_run_dir(const struct engine *engine, const char *id)
{
	char *path;

	xasprintf(&path, "%s/containers/%s", engine->runroot, id);
	return path;
}

int container_store_lock(const struct engine *engine, int *ret_fd,
			 struct berth_error **err)
{
	_cleanup_free_ char *path =
		fs_path_join(engine->root, "containers.lock");

	if (fs_mkdir_p(engine->root, 0700, err) < 0)
		return -1;

	return lock_acquire(path, LOCK_MODE_EXCLUSIVE, ret_fd, err);
}

int container_lock(const struct engine *engine, const char *id, int *ret_fd,
		   struct berth_error **err)
{
	_cleanup_free_ char *dir = container_dir(engine, id);
	_cleanup_free_ char *path = fs_path_join(dir, "lock");

	if (!fs_exists(dir))
		return berth_error_set(err, ENOENT, "no such container: '%s'",
				       id);

	return lock_acquire(path, LOCK_MODE_EXCLUSIVE, ret_fd, err);
}

int container_id_generate(char **ret_id, struct berth_error **err)
{
	unsigned char bytes[CONTAINER_ID_LEN / 2];
	char *id = xmalloc(CONTAINER_ID_LEN + 1);
	size_t done = 0;

	while (done < sizeof(bytes)) {
		ssize_t n = getrandom(bytes + done, sizeof(bytes) - done, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(id);
			return berth_error_set(err, errno,
					       "read random bytes for an id");
		}
		done += (size_t)n;
	}

	for (size_t i = 0; i < sizeof(bytes); i++)
		snprintf(id + 2 * i, 3, "%02x", bytes[i]);
	*ret_id = id;
	return 0;
}

bool container_id_is_valid(const char *s)
{
	if (strlen(s) != CONTAINER_ID_LEN)
		return false;
	return strspn(s, "0123456789abcdef") == CONTAINER_ID_LEN;
}

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

int container_name_validate(const char *name, struct berth_error **err)
{
	static const char rest[] = "abcdefghijklmnopqrstuvwxyz"
				   "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				   "0123456789_.-";
	size_t len = strlen(name);

	if (len == 0 || !is_alnum(name[0]) || strspn(name, rest) != len ||
	    len > 255)
		return berth_error_set(
			err, 0,
			"invalid container name '%s': only "
			"[a-zA-Z0-9][a-zA-Z0-9_.-] are allowed, at most 255 "
			"characters",
			name);
	return 0;
}

int container_name_find(const struct engine *engine, const char *name,
			char **ret_id, struct berth_error **err)
{
	_cleanup_free_ char *dir = fs_path_join(engine->root, "containers");
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *de;

	if (d == NULL && errno != ENOENT)
		return berth_error_set(err, errno, "open '%s'", dir);

	while (d != NULL && (de = readdir(d)) != NULL) {
		_cleanup_container_config_ struct container_config *c = NULL;
		_cleanup_free_ char *cdir = NULL;

		if (!container_id_is_valid(de->d_name))
			continue;

		cdir = fs_path_join(dir, de->d_name);
		if (container_config_load(cdir, &c, NULL) < 0)
			continue;

		if (strcmp(c->name, name) == 0) {
			*ret_id = xstrdup(de->d_name);
			return 0;
		}
	}

	*ret_id = NULL;
	return 0;
}
