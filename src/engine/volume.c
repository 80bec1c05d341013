/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The volume store: ROOT/volumes/<name>/{_data,volume.json}. */
#include "engine/volume.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/container-store.h"
#include "engine/mount-spec.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/lock.h"
#include "util/strv.h"
#include "util/xalloc.h"

#define VOLUME_FILE "volume.json"
#define VOLUME_DATA "_data"

static char *volumes_root(const struct engine *engine)
{
	return fs_path_join(engine->root, "volumes");
}

static char *volume_dir(const struct engine *engine, const char *name)
{
	char *path;

	xasprintf(&path, "%s/volumes/%s", engine->root, name);
	return path;
}

char *volume_mountpoint(struct engine *engine, const char *name)
{
	char *path;

	xasprintf(&path, "%s/volumes/%s/" VOLUME_DATA, engine->root, name);
	return path;
}

int volume_store_lock(struct engine *engine, int *ret_fd,
		      struct berth_error **err)
{
	_cleanup_free_ char *path = fs_path_join(engine->root, "volumes.lock");

	if (fs_mkdir_p(engine->root, 0700, err) < 0)
		return -1;
	return lock_acquire(path, LOCK_MODE_EXCLUSIVE, ret_fd, err);
}

void volume_free(struct volume *v)
{
	if (v == NULL)
		return;
	free(v->name);
	free(v->created);
	strv_free(v->labels);
	free(v->mountpoint);
	free(v);
}

static char *now_rfc3339(void)
{
	struct timespec ts;
	struct tm tm;
	char buf[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return xstrdup(buf);
}

static json_t *labels_json(char *const *labels)
{
	json_t *obj = json_object();

	for (size_t i = 0; labels != NULL && labels[i] != NULL; i++) {
		const char *eq = strchr(labels[i], '=');
		_cleanup_free_ char *key =
			eq != NULL ?
				xstrndup(labels[i], (size_t)(eq - labels[i])) :
				xstrdup(labels[i]);

		json_object_set_new(obj, key,
				    json_string(eq != NULL ? eq + 1 : ""));
	}
	return obj;
}

static json_t *volume_record_json(const struct volume *v)
{
	return json_pack("{s:s, s:s, s:s, s:o, s:{}, s:b}", "name", v->name,
			 "driver", "local", "created", v->created, "labels",
			 labels_json(v->labels), "options", "anonymous",
			 v->anonymous);
}

static int parse_labels(const json_t *obj, const char *what, char ***ret,
			struct berth_error **err)
{
	const char *key;
	json_t *value;

	if (obj == NULL)
		return 0;
	if (!json_is_object(obj))
		return berth_error_set(err, 0, "%s: 'labels' must be an object",
				       what);

	json_object_foreach ((json_t *)obj, key, value) {
		char *entry;

		if (!json_is_string(value))
			return berth_error_set(err, 0,
					       "%s: label '%s' must be a "
					       "string",
					       what, key);
		xasprintf(&entry, "%s=%s", key, json_string_value(value));
		strv_push_take(ret, entry);
	}
	return 0;
}

bool volume_exists(struct engine *engine, const char *name)
{
	_cleanup_free_ char *dir = NULL, *path = NULL;

	if (volume_name_validate(name, NULL) < 0)
		return false;
	dir = volume_dir(engine, name);
	path = fs_path_join(dir, VOLUME_FILE);
	return fs_exists(path);
}

int volume_load(struct engine *engine, const char *name, struct volume **ret,
		struct berth_error **err)
{
	_cleanup_free_ char *dir = NULL, *path = NULL;
	_cleanup_json_ json_t *j = NULL;
	_cleanup_volume_ struct volume *v = NULL;
	const char *created = NULL;

	if (volume_name_validate(name, NULL) < 0)
		return berth_error_set(err, 0, "no such volume: '%s'", name);

	dir = volume_dir(engine, name);
	path = fs_path_join(dir, VOLUME_FILE);
	if (!fs_exists(path))
		return berth_error_set(err, 0, "no such volume: '%s'", name);

	v = xzalloc(sizeof(*v));
	if (json_parse_file(path, &j, err) < 0 ||
	    json_get_string(j, "created", path, &created, err) < 0 ||
	    json_get_bool_opt(j, "anonymous", path, &v->anonymous, err) < 0 ||
	    parse_labels(json_object_get(j, "labels"), path, &v->labels, err) <
		    0)
		return -1;

	v->name = xstrdup(name);
	v->created = xstrdup(created);
	v->mountpoint = volume_mountpoint(engine, name);
	*ret = TAKE_PTR(v);
	return 0;
}

/*
 * Make the volume in a temporary directory and rename it into place.
 * NOTE: a crash leaves ROOT/volumes/.tmp-* (or .rm-* of a removal)
 * behind, and nothing removes those yet; listings skip them.
 */
static int create_locked(struct engine *engine, struct volume *v,
			 struct berth_error **err)
{
	_cleanup_free_ char *root = volumes_root(engine);
	_cleanup_free_ char *tmp = NULL, *data = NULL, *dir = NULL;
	_cleanup_json_ json_t *j = volume_record_json(v);
	_cleanup_free_ char *record = NULL;

	if (fs_mkdir_p(root, 0700, err) < 0)
		return -1;

	tmp = fs_path_join(root, ".tmp-XXXXXX");
	if (mkdtemp(tmp) == NULL)
		return berth_error_set(err, errno, "create '%s'", tmp);

	data = fs_path_join(tmp, VOLUME_DATA);
	record = fs_path_join(tmp, VOLUME_FILE);
	dir = volume_dir(engine, v->name);
	if (mkdir(data, 0755) < 0) {
		berth_error_set(err, errno, "create '%s'", data);
		goto fail;
	}
	if (json_write_file_atomic(record, j, err) < 0)
		goto fail;
	if (rename(tmp, dir) < 0) {
		berth_error_set(err, errno, "rename '%s' to '%s'", tmp, dir);
		goto fail;
	}
	return 0;

fail:
	(void)fs_rm_rf(tmp, NULL);
	return -1;
}

int volume_create(struct engine *engine, const char *name, char *const *labels,
		  bool anonymous, struct volume **ret, bool *ret_created,
		  struct berth_error **err)
{
	_cleanup_lock_ int lock = -1;
	_cleanup_volume_ struct volume *v = xzalloc(sizeof(*v));

	if (ret_created != NULL)
		*ret_created = false;

	if (name != NULL && volume_name_validate(name, err) < 0)
		return -1;
	if (volume_store_lock(engine, &lock, err) < 0)
		return -1;

	if (name != NULL) {
		if (volume_exists(engine, name))
			return volume_load(engine, name, ret, err);
		v->name = xstrdup(name);
	} else if (container_id_generate(&v->name, err) < 0) {
		return -1;
	}

	v->created = now_rfc3339();
	v->labels = strv_copy(labels);
	v->anonymous = anonymous;
	/* Docker 23 and later mark anonymous volumes with this label. */
	if (anonymous)
		strv_push(&v->labels, VOLUME_ANONYMOUS_LABEL "=");
	v->mountpoint = volume_mountpoint(engine, v->name);
	if (create_locked(engine, v, err) < 0)
		return -1;

	if (ret_created != NULL)
		*ret_created = true;
	*ret = TAKE_PTR(v);
	return 0;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int volume_list(struct engine *engine, char ***ret_names,
		struct berth_error **err)
{
	_cleanup_free_ char *root = volumes_root(engine);
	_cleanup_closedir_ DIR *d = opendir(root);
	_cleanup_strv_ char **names = xzalloc(sizeof(char *));
	struct dirent *de;

	if (d == NULL && errno != ENOENT)
		return berth_error_set(err, errno, "open '%s'", root);

	while (d != NULL && (de = readdir(d)) != NULL) {
		_cleanup_free_ char *record = NULL;

		if (volume_name_validate(de->d_name, NULL) < 0)
			continue;
		xasprintf(&record, "%s/%s/" VOLUME_FILE, root, de->d_name);
		if (fs_exists(record))
			strv_push(&names, de->d_name);
	}

	qsort(names, strv_length(names), sizeof(*names), compare_names);
	*ret_names = TAKE_PTR(names);
	return 0;
}

static bool config_mounts(const struct container_config *c, const char *name)
{
	for (size_t i = 0; i < c->n_volumes; i++)
		if (c->volumes[i].name != NULL &&
		    strcmp(c->volumes[i].name, name) == 0)
			return true;
	return false;
}

int volume_users(struct engine *engine, const char *name, char ***ret_ids,
		 struct berth_error **err)
{
	_cleanup_strv_ char **ids = NULL;
	_cleanup_strv_ char **users = xzalloc(sizeof(char *));

	if (engine_container_list(engine, &ids, err) < 0)
		return -1;

	for (size_t i = 0; ids != NULL && ids[i] != NULL; i++) {
		_cleanup_free_ char *dir = container_dir(engine, ids[i]);
		_cleanup_container_config_ struct container_config *c = NULL;

		/* A container removed meanwhile uses nothing. */
		if (container_config_load(dir, &c, NULL) < 0)
			continue;
		if (config_mounts(c, name))
			strv_push(&users, ids[i]);
	}

	*ret_ids = TAKE_PTR(users);
	return 0;
}

/* Rename the volume out of sight first, so no half-removed one is seen. */
static int remove_dir(struct engine *engine, const char *name,
		      struct berth_error **err)
{
	_cleanup_free_ char *root = volumes_root(engine);
	_cleanup_free_ char *dir = volume_dir(engine, name);
	_cleanup_free_ char *tmp = fs_path_join(root, ".rm-XXXXXX");

	if (mkdtemp(tmp) == NULL)
		return berth_error_set(err, errno, "create '%s'", tmp);
	if (rename(dir, tmp) < 0) {
		berth_error_set(err, errno, "rename '%s' to '%s'", dir, tmp);
		(void)rmdir(tmp);
		return -1;
	}
	return fs_rm_rf(tmp, err);
}

/* Report the container that uses the volume by name and by id. */
static int in_use_error(struct engine *engine, const char *name,
			const char *user_id, struct berth_error **err)
{
	_cleanup_free_ char *dir = container_dir(engine, user_id);
	_cleanup_container_config_ struct container_config *c = NULL;
	const char *user_name = "";

	if (container_config_load(dir, &c, NULL) == 0 && c->name != NULL)
		user_name = c->name;
	return berth_error_set(err, 0,
			       "cannot remove volume '%s': it is in use by "
			       "container '%s' (%.12s); remove the container "
			       "first",
			       name, user_name, user_id);
}

static int remove_locked(struct engine *engine, const char *name,
			 struct berth_error **err)
{
	_cleanup_volume_ struct volume *v = NULL;
	_cleanup_strv_ char **users = NULL;
	_cleanup_lock_ int lock = -1;

	if (volume_load(engine, name, &v, err) < 0 ||
	    volume_users(engine, name, &users, err) < 0)
		return -1;

	if (users[0] != NULL)
		return in_use_error(engine, name, users[0], err);

	if (volume_store_lock(engine, &lock, err) < 0)
		return -1;
	return remove_dir(engine, name, err);
}

int volume_remove(struct engine *engine, const char *name,
		  struct berth_error **err)
{
	_cleanup_lock_ int lock = -1;

	if (container_store_lock(engine, &lock, err) < 0)
		return -1;
	return remove_locked(engine, name, err);
}

int volume_remove_anonymous_locked(struct engine *engine,
				   const struct container_config *config,
				   struct berth_error **err)
{
	int r = 0;

	for (size_t i = 0; i < config->n_volumes; i++) {
		const char *name = config->volumes[i].name;
		_cleanup_volume_ struct volume *v = NULL;
		_cleanup_strv_ char **users = NULL;
		_cleanup_lock_ int lock = -1;

		if (name == NULL || volume_load(engine, name, &v, NULL) < 0 ||
		    !v->anonymous)
			continue;

		/* Another container may mount it by its name. */
		if (volume_users(engine, name, &users, err) < 0) {
			r = -1;
			continue;
		}
		if (users[0] != NULL)
			continue;

		if (volume_store_lock(engine, &lock, err) < 0 ||
		    remove_dir(engine, name, err) < 0)
			r = -1;
	}
	return r;
}

int volume_container_remove(struct engine *engine, const char *id, bool force,
			    bool with_volumes, struct berth_error **err)
{
	_cleanup_free_ char *dir = container_dir(engine, id);
	_cleanup_container_config_ struct container_config *c = NULL;
	_cleanup_lock_ int lock = -1;

	if (with_volumes && container_config_load(dir, &c, err) < 0)
		return -1;

	if (engine_container_remove(engine, id, force, err) < 0)
		return -1;
	if (c == NULL)
		return 0;

	if (container_store_lock(engine, &lock, err) < 0)
		return -1;
	return volume_remove_anonymous_locked(engine, c, err);
}

json_t *volume_inspect_json(const struct volume *v)
{
	json_t *j = json_pack(
		"{s:s, s:s, s:s, s:s, s:o, s:s, s:{}}", "CreatedAt", v->created,
		"Driver", "local", "Mountpoint", v->mountpoint, "Name", v->name,
		"Labels", labels_json(v->labels), "Scope", "local", "Options");

	if (j == NULL)
		abort();
	return j;
}

json_t *volume_mount_json(const struct container_volume *v)
{
	if (v->name == NULL)
		return json_pack(
			"{s:s, s:s, s:s, s:s, s:b, s:s}", "Type", "bind",
			"Source", v->source, "Destination", v->destination,
			"Mode", v->read_only ? "ro" : "", "RW", !v->read_only,
			"Propagation",
			v->propagation != NULL ? v->propagation : "rprivate");

	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s}", "Type",
			 "volume", "Name", v->name, "Source", v->source,
			 "Destination", v->destination, "Driver", "local",
			 "Mode", v->read_only ? "ro" : "", "RW", !v->read_only,
			 "Propagation", "");
}

static unsigned long long tree_size(int dir_fd, unsigned depth)
{
	_cleanup_closedir_ DIR *d = NULL;
	unsigned long long total = 0;
	struct dirent *de;
	int fd;

	fd = dup(dir_fd);
	if (fd < 0 || depth > 256)
		return 0;
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return 0;
	}

	while ((de = readdir(d)) != NULL) {
		struct stat st;
		_cleanup_close_ int sub = -1;

		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		/* As Docker counts it: the sizes of everything but directories. */
		if (!S_ISDIR(st.st_mode)) {
			total += (unsigned long long)st.st_size;
			continue;
		}
		sub = openat(dirfd(d), de->d_name,
			     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub >= 0)
			total += tree_size(sub, depth + 1);
	}
	return total;
}

unsigned long long volume_size(const struct volume *v)
{
	_cleanup_close_ int fd =
		open(v->mountpoint, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	return tree_size(fd, 0);
}

int volume_prune(struct engine *engine, bool all, char ***ret_names,
		 unsigned long long *ret_bytes, struct berth_error **err)
{
	_cleanup_strv_ char **names = NULL;
	_cleanup_strv_ char **removed = xzalloc(sizeof(char *));
	_cleanup_lock_ int lock = -1;
	unsigned long long bytes = 0;

	if (container_store_lock(engine, &lock, err) < 0 ||
	    volume_list(engine, &names, err) < 0)
		return -1;

	for (size_t i = 0; names[i] != NULL; i++) {
		_cleanup_volume_ struct volume *v = NULL;
		_cleanup_strv_ char **users = NULL;
		_cleanup_lock_ int volumes_lock = -1;
		unsigned long long size;

		/* A volume removed meanwhile is skipped. */
		if (volume_load(engine, names[i], &v, NULL) < 0 ||
		    (!all && !v->anonymous))
			continue;
		if (volume_users(engine, names[i], &users, err) < 0)
			return -1;
		if (users[0] != NULL)
			continue;

		size = volume_size(v);
		if (volume_store_lock(engine, &volumes_lock, err) < 0 ||
		    remove_dir(engine, names[i], err) < 0)
			return -1;
		bytes += size;
		strv_push(&removed, names[i]);
	}

	*ret_names = TAKE_PTR(removed);
	*ret_bytes = bytes;
	return 0;
}
