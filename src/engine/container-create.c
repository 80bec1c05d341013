/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * engine_container_create(): resolve the image, combine its defaults
 * with the options as "docker create" does, then make the container
 * directory and bundle under the store lock. Any failure removes the
 * directory and the overlay mount it made.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/bundle.h"
#include "engine/container-config.h"
#include "engine/container-init.h"
#include "engine/container-network.h"
#include "engine/container-store.h"
#include "engine/env.h"
#include "engine/events.h"
#include "engine/health.h"
#include "engine/overlay.h"
#include "engine/restart-policy.h"
#include "engine/user.h"
#include "engine/volume.h"
#include "image/store.h"
#include "runtime/runtime.h"
#include "runtime/spec.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/lock.h"
#include "util/strv.h"
#include "util/xalloc.h"

#define DEFAULT_PATH \
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

void engine_create_options_init(struct engine_create_options *opts)
{
	*opts = (struct engine_create_options){
		.memory = -1,
		.cpu_quota = -1,
		.pids_limit = -1,
		.stop_timeout = -1,
	};
}

static char *now_rfc3339_nano(void)
{
	struct timespec ts;
	struct tm tm;
	char buf[32];
	char *s;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	xasprintf(&s, "%s.%09ldZ", buf, ts.tv_nsec);
	return s;
}

static char **image_strv(const json_t *config, const char *key)
{
	json_t *arr = json_object_get(config, key), *v;
	char **strv = xzalloc(sizeof(char *));
	size_t i;

	json_array_foreach (arr, i, v) {
		if (json_is_string(v))
			strv_push(&strv, json_string_value(v));
	}
	return strv;
}

static const char *image_string(const json_t *config, const char *key)
{
	const char *s = json_string_value(json_object_get(config, key));

	return s != NULL ? s : "";
}

/*
 * Docker's rules: --entrypoint replaces the image's Entrypoint ("" clears
 * it) and drops the image's Cmd; command arguments replace the Cmd.
 */
static int set_command(struct container_config *c,
		       const struct engine_create_options *opts,
		       const json_t *image_config, struct berth_error **err)
{
	if (opts->has_entrypoint) {
		c->entrypoint = xzalloc(sizeof(char *));
		if (opts->entrypoint[0] != '\0')
			strv_push(&c->entrypoint, opts->entrypoint);
	} else {
		c->entrypoint = image_strv(image_config, "Entrypoint");
	}

	if (opts->cmd != NULL && opts->cmd[0] != NULL)
		c->cmd = strv_copy(opts->cmd);
	else if (!opts->has_entrypoint)
		c->cmd = image_strv(image_config, "Cmd");
	else
		c->cmd = xzalloc(sizeof(char *));

	if (strv_length(c->entrypoint) + strv_length(c->cmd) == 0)
		return berth_error_set(err, 0,
				       "no command specified: the image '%s' "
				       "has no Cmd or Entrypoint, give one "
				       "after the image name",
				       c->image);
	return 0;
}

static int set_env(struct container_config *c,
		   const struct engine_create_options *opts,
		   const json_t *image_config, struct berth_error **err)
{
	char **env = image_strv(image_config, "Env");
	_cleanup_free_ char *hostname = NULL;

	c->env = env;
	if (env_get(env, "PATH") == NULL)
		strv_push(&c->env, DEFAULT_PATH);

	xasprintf(&hostname, "HOSTNAME=%s", c->hostname);
	if (env_set(&c->env, hostname, err) < 0)
		return -1;

	if (c->tty && env_set(&c->env, "TERM=xterm", err) < 0)
		return -1;

	for (size_t i = 0; opts->env_files != NULL && opts->env_files[i]; i++)
		if (env_file_load(opts->env_files[i], &c->env, err) < 0)
			return -1;

	for (size_t i = 0; opts->env != NULL && opts->env[i] != NULL; i++)
		if (env_set(&c->env, opts->env[i], err) < 0)
			return -1;
	return 0;
}

/* A cgroup parent is a path of plain names, without "." or "..". */
/* The image's ExposedPorts keys, such as "80/tcp", then --expose. */
static void set_exposed_ports(struct container_config *c,
			      const struct engine_create_options *opts,
			      const json_t *image_config)
{
	json_t *ports = json_object_get(image_config, "ExposedPorts");
	const char *key;
	json_t *value;

	json_object_foreach (ports, key, value)
		strv_push(&c->exposed_ports, key);
	for (size_t i = 0; opts->expose != NULL && opts->expose[i] != NULL; i++)
		strv_push(&c->exposed_ports, opts->expose[i]);
}

static int check_cgroup_parent(const char *parent, struct berth_error **err)
{
	static const char allowed[] = "abcdefghijklmnopqrstuvwxyz"
				      "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				      "0123456789_.-/";
	size_t len = strlen(parent);

	if (len == 0 || len > 200 || strspn(parent, allowed) != len ||
	    strstr(parent, "//") != NULL || strstr(parent, "/./") != NULL ||
	    strstr(parent, "..") != NULL || strcmp(parent, "/") == 0 ||
	    parent[len - 1] == '/' || parent[len - 1] == '.')
		return berth_error_set(err, 0,
				       "invalid cgroup parent '%s': use a "
				       "path of names made of letters, "
				       "digits, '_', '.' and '-', such as "
				       "'/berth'",
				       parent);
	return 0;
}

/* As Docker: the host network's containers take the host's name. */
static char *default_hostname(const struct container_config *c,
			      const struct engine_create_options *opts)
{
	char name[HOST_NAME_MAX + 1];

	if (opts->hostname != NULL)
		return xstrdup(opts->hostname);

	if (strcmp(c->network, "host") == 0 &&
	    gethostname(name, sizeof(name)) == 0) {
		name[HOST_NAME_MAX] = '\0';
		return xstrdup(name);
	}
	return xstrndup(c->id, CONTAINER_SHORT_ID_LEN);
}

/*
 * Check --cap-add or --cap-drop (flag) names and store them in the
 * runtime's spelling, "CAP_NET_ADMIN", or as "ALL".
 */
static int set_capabilities(char ***ret, char *const *names, const char *flag,
			    struct berth_error **err)
{
	for (size_t i = 0; names != NULL && names[i] != NULL; i++) {
		int cap;

		if (strcasecmp(names[i], "ALL") == 0) {
			strv_push(ret, "ALL");
			continue;
		}

		cap = spec_capability_from_name(names[i]);
		if (cap < 0)
			return berth_error_set(err, 0,
					       "invalid capability '%s' in %s: "
					       "use a name such as NET_ADMIN, "
					       "or ALL",
					       names[i], flag);
		strv_push(ret, spec_capability_name(cap));
	}
	return 0;
}

/* Set label "K=V" in *labels, replacing an earlier value of K. */
static void put_label(char ***labels, const char *key, const char *value)
{
	size_t len = strlen(key);
	char *entry;

	xasprintf(&entry, "%s=%s", key, value);
	for (size_t i = 0; *labels != NULL && (*labels)[i] != NULL; i++) {
		if (strncmp((*labels)[i], key, len) == 0 &&
		    (*labels)[i][len] == '=') {
			free((*labels)[i]);
			(*labels)[i] = entry;
			return;
		}
	}
	strv_push_take(labels, entry);
}

/* The image's Labels, then --label, which wins, as in Docker. */
static int set_labels(struct container_config *c,
		      const struct engine_create_options *opts,
		      const json_t *image_config, struct berth_error **err)
{
	json_t *image_labels = json_object_get(image_config, "Labels");
	const char *key;
	json_t *value;

	json_object_foreach (image_labels, key, value)
		if (json_is_string(value))
			put_label(&c->labels, key, json_string_value(value));

	for (size_t i = 0; opts->labels != NULL && opts->labels[i]; i++) {
		const char *label = opts->labels[i];
		const char *eq = strchr(label, '=');
		_cleanup_free_ char *name = NULL;

		name = eq != NULL ? xstrndup(label, (size_t)(eq - label)) :
				    xstrdup(label);
		if (name[0] == '\0')
			return berth_error_set(err, 0,
					       "invalid label '%s': the key is "
					       "empty, use KEY=VALUE",
					       label);
		put_label(&c->labels, name, eq != NULL ? eq + 1 : "");
	}
	return 0;
}

/* --stop-signal, else the image's StopSignal, checked before it is needed. */
static int set_stop_signal(struct container_config *c,
			   const struct engine_create_options *opts,
			   const json_t *image_config, struct berth_error **err)
{
	const char *name = opts->stop_signal;
	_cleanup_error_ struct berth_error *local = NULL;
	int signal;

	if (name == NULL)
		name = image_string(image_config, "StopSignal");
	if (name[0] == '\0')
		return 0;

	if (runtime_signal_parse(name, &signal, &local) < 0)
		return berth_error_set(err, 0,
				       "invalid stop signal '%s'%s: use a "
				       "name such as SIGQUIT or a number",
				       name,
				       opts->stop_signal == NULL ?
					       " in the image's StopSignal" :
					       "");
	c->stop_signal = xstrdup(name);
	return 0;
}

/*
 * Without --network a container gets only loopback, unless it publishes
 * ports, which need the default bridge network as in Docker.
 */
static const char *default_network(const struct engine_create_options *opts)
{
	if (opts->network != NULL)
		return opts->network;
	if (opts->publish != NULL || opts->publish_all)
		return "bridge";
	return "none";
}

static int fill_config(struct container_config *c,
		       const struct engine_create_options *opts,
		       const struct image_info *image, struct berth_error **err)
{
	const json_t *ic = json_object_get(image->config, "config");

	c->image = xstrdup(opts->image);
	c->image_id = xstrdup(image->id);
	c->created = now_rfc3339_nano();
	c->network = xstrdup(default_network(opts));
	c->hostname = default_hostname(c, opts);
	c->workdir =
		xstrdup(opts->workdir != NULL ? opts->workdir :
						image_string(ic, "WorkingDir"));
	if (c->workdir[0] == '\0') {
		free(c->workdir);
		c->workdir = xstrdup("/");
	}
	c->user = xstrdup(opts->user != NULL ? opts->user :
					       image_string(ic, "User"));
	c->memory = opts->memory;
	c->cpu_quota = opts->cpu_quota;
	c->pids_limit = opts->pids_limit;
	c->read_only = opts->read_only;
	c->tty = opts->tty;
	c->interactive = opts->interactive;
	c->no_new_privileges = opts->no_new_privileges;
	c->auto_remove = opts->auto_remove;
	c->stop_timeout = opts->stop_timeout;
	if (restart_policy_check(opts->restart, opts->auto_remove, err) < 0)
		return -1;
	if (opts->restart != NULL)
		c->restart = xstrdup(opts->restart);
	set_exposed_ports(c, opts, ic);

	if (set_stop_signal(c, opts, ic, err) < 0 ||
	    set_labels(c, opts, ic, err) < 0 ||
	    set_capabilities(&c->cap_add, opts->cap_add, "--cap-add", err) <
		    0 ||
	    set_capabilities(&c->cap_drop, opts->cap_drop, "--cap-drop", err) <
		    0)
		return -1;

	if (c->workdir[0] != '/')
		return berth_error_set(err, 0,
				       "invalid working directory '%s': it "
				       "must be absolute",
				       c->workdir);

	if (opts->cgroup_parent != NULL) {
		if (check_cgroup_parent(opts->cgroup_parent, err) < 0)
			return -1;
		c->cgroup_parent = xstrdup(opts->cgroup_parent);
	}

	if (container_network_check_mode(c->network, err) < 0 ||
	    set_command(c, opts, ic, err) < 0 || set_env(c, opts, ic, err) < 0)
		return -1;

	return volume_mounts_prepare(c, opts, ic, err);
}

static int load_image(struct engine *engine, const char *ref,
		      struct image_info **ret_image, char **ret_lowerdir,
		      struct berth_error **err)
{
	struct image_store *store = NULL;
	struct image_info *image = NULL;
	_cleanup_strv_ char **dirs = NULL;
	int r;

	if (image_store_open(engine->root, &store, err) < 0)
		return -1;

	r = image_store_lookup(store, ref, &image, err);
	if (r == 0)
		r = image_store_layer_dirs(store, image, &dirs, err);
	if (r == 0)
		r = overlay_lowerdir(dirs, ret_lowerdir, err);
	image_store_close(store);

	if (r < 0) {
		image_info_free(image);
		return -1;
	}
	*ret_image = image;
	return 0;
}

static int allocate_name(struct engine *engine, struct container_config *c,
			 const char *name, struct berth_error **err)
{
	_cleanup_free_ char *owner = NULL;

	if (name == NULL)
		return container_name_generate(engine, &c->name, err);

	if (container_name_find(engine, name, &owner, err) < 0)
		return -1;

	if (owner != NULL)
		return berth_error_set(err, 0,
				       "the container name '%s' is already in "
				       "use by container '%s': remove or "
				       "rename that container to reuse the "
				       "name",
				       name, owner);

	c->name = xstrdup(name);
	return 0;
}

static int make_dirs(const char *dir, struct berth_error **err)
{
	static const char *const subdirs[] = {"rootfs", "upper", "work"};

	if (fs_mkdir_p(dir, 0700, err) < 0)
		return -1;

	for (size_t i = 0; i < ARRAY_SIZE(subdirs); i++) {
		_cleanup_free_ char *path = fs_path_join(dir, subdirs[i]);

		if (mkdir(path, 0755) < 0)
			return berth_error_set(err, errno, "create '%s'", path);
	}
	return 0;
}

/*
 * With the overlay mounted: resolve the user against the image's
 * /etc/passwd and create the working directory, as Docker does.
 */
static int prepare_rootfs(const struct container_config *c, const char *dir,
			  struct user_ids *ret_user, struct berth_error **err)
{
	_cleanup_free_ char *rootfs = fs_path_join(dir, "rootfs");
	_cleanup_close_ int rootfd = -1, wd = -1;
	const char *spec = c->user[0] != '\0' ? c->user : "0";

	rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return berth_error_set(err, errno, "open '%s'", rootfs);

	if (user_resolve(rootfd, spec, ret_user, err) < 0)
		return -1;

	if (fs_mkdir_p_in_root(rootfd, c->workdir, 0755, &wd, err) < 0) {
		user_ids_clear(ret_user);
		return berth_error_wrap(err, "create working directory '%s'",
					c->workdir);
	}
	return 0;
}

/* Docker sets HOME from the user's passwd entry, "/" without one. */
static void set_home(struct container_config *c, const struct user_ids *user)
{
	_cleanup_free_ char *home = NULL;

	if (env_get(c->env, "HOME") != NULL)
		return;

	xasprintf(&home, "HOME=%s",
		  user->home != NULL && user->home[0] != '\0' ? user->home :
								"/");
	(void)env_set(&c->env, home, NULL);
}

static int write_bundle(struct container_config *c, const char *dir,
			struct berth_error **err)
{
	struct user_ids user = {0};
	_cleanup_json_ json_t *spec = NULL;
	int r;

	if (overlay_mount(dir, c->lowerdir, err) < 0)
		return -1;

	r = prepare_rootfs(c, dir, &user, err);
	if (r == 0) {
		_cleanup_free_ char *rootfs = fs_path_join(dir, "rootfs");

		r = volume_mounts_populate(c, rootfs, err);
		if (r < 0)
			user_ids_clear(&user);
	}
	if (overlay_unmount(dir, r < 0 ? NULL : err) < 0)
		r = -1;
	if (r < 0)
		return -1;

	set_home(c, &user);
	spec = bundle_spec_json(c, &user, dir);
	user_ids_clear(&user);

	if (bundle_write_etc_files(c, dir, err) < 0 ||
	    bundle_write_spec(dir, spec, err) < 0)
		return -1;

	return container_config_save(dir, c, err);
}

static int write_health(const char *dir, const json_t *health,
			struct berth_error **err)
{
	_cleanup_free_ char *path = NULL;

	if (health == NULL)
		return 0;
	path = fs_path_join(dir, "healthcheck.json");
	return json_write_file_atomic(path, health, err);
}

/* Under the store lock: name, directories, bundle, container.json. */
static int create_locked(struct engine *engine, struct container_config *c,
			 const struct engine_create_options *opts,
			 const json_t *health, struct berth_error **err)
{
	_cleanup_free_ char *dir = container_dir(engine, c->id);

	if (allocate_name(engine, c, opts->name, err) < 0 ||
	    volume_mounts_attach(engine, c, err) < 0)
		return -1;

	if (make_dirs(dir, err) < 0 || write_bundle(c, dir, err) < 0 ||
	    write_health(dir, health, err) < 0 ||
	    container_network_attach(engine, c, opts, dir, err) < 0) {
		(void)overlay_unmount(dir, NULL);
		(void)fs_rm_rf(dir, NULL);
		(void)volume_remove_anonymous_locked(engine, c, NULL);
		return -1;
	}
	return 0;
}

/* The checks and the configuration of a create, which change nothing. */
static int config_prepare(struct engine *engine,
			  const struct engine_create_options *opts,
			  struct container_config *c, json_t **health,
			  struct berth_error **err)
{
	struct image_info *image = NULL;
	int r;

	if (opts->name != NULL && container_name_validate(opts->name, err) < 0)
		return -1;

	if (load_image(engine, opts->image, &image, &c->lowerdir, err) < 0)
		return -1;

	r = container_id_generate(&c->id, err);
	if (r == 0)
		r = fill_config(c, opts, image, err);
	if (r == 0)
		r = health_config_build(
			json_object_get(
				json_object_get(image->config, "config"),
				"Healthcheck"),
			opts, health, err);
	if (r == 0 && opts->init)
		r = container_init_path(engine, &c->init_path, err);
	image_info_free(image);
	return r;
}

int engine_container_check(struct engine *engine,
			   const struct engine_create_options *opts,
			   struct berth_error **err)
{
	_cleanup_container_config_ struct container_config *c =
		xzalloc(sizeof(*c));
	_cleanup_json_ json_t *health = NULL;

	return config_prepare(engine, opts, c, &health, err);
}

int engine_container_create(struct engine *engine,
			    const struct engine_create_options *opts,
			    char **ret_id, struct berth_error **err)
{
	_cleanup_container_config_ struct container_config *c =
		xzalloc(sizeof(*c));
	_cleanup_lock_ int lock = -1;
	_cleanup_json_ json_t *health = NULL;

	if (config_prepare(engine, opts, c, &health, err) < 0)
		return -1;

	if (container_store_lock(engine, &lock, err) < 0 ||
	    create_locked(engine, c, opts, health, err) < 0)
		return -1;

	events_container(engine, "create", c->id, -1);
	*ret_id = xstrdup(c->id);
	return 0;
}
