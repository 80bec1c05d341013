/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The "docker inspect" view of a container. */
#include <string.h>

#include "engine/bundle.h"
#include "engine/container-config.h"
#include "engine/container-network.h"
#include "engine/container-state.h"
#include "engine/container-store.h"
#include "engine/health.h"
#include "engine/restart-policy.h"
#include "engine/volume.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/xalloc.h"

/* Docker's value for a time that never happened. */
#define ZERO_TIME "0001-01-01T00:00:00Z"
#define CPU_PERIOD 100000

static json_t *strv_json(char *const *strv)
{
	json_t *arr = json_array();

	for (size_t i = 0; strv != NULL && strv[i] != NULL; i++)
		json_array_append_new(arr, json_string(strv[i]));
	return arr;
}

static const char *or_zero(const char *t)
{
	return t[0] != '\0' ? t : ZERO_TIME;
}

static json_t *state_json(const struct container_state *s, bool paused)
{
	bool running = s->status == CONTAINER_STATUS_RUNNING;
	const char *status = container_status_name(s->status);

	if (s->restarting)
		status = "restarting";
	else if (paused)
		status = "paused";

	return json_pack("{s:s, s:b, s:b, s:b, s:b, s:b, s:i, s:i, s:s, s:s,"
			 " s:s}",
			 "Status", status, "Running", running, "Paused", paused,
			 "Restarting", s->restarting, "OOMKilled",
			 s->oom_killed, "Dead", 0, "Pid",
			 running ? (int)s->pid : 0, "ExitCode", s->exit_code,
			 "Error", "", "StartedAt", or_zero(s->started_at),
			 "FinishedAt", or_zero(s->finished_at));
}

/* Labels as an object, from "K=V" entries. */
static json_t *labels_json(char *const *labels)
{
	json_t *obj = json_object();

	for (size_t i = 0; labels != NULL && labels[i] != NULL; i++) {
		const char *eq = strchr(labels[i], '=');
		_cleanup_free_ char *key = NULL;

		if (eq == NULL)
			continue;
		key = xstrndup(labels[i], (size_t)(eq - labels[i]));
		json_object_set_new(obj, key, json_string(eq + 1));
	}
	return obj;
}

static json_t *config_json(const struct container_config *c)
{
	json_t *j = json_pack(
		"{s:s, s:s, s:b, s:b, s:b, s:b, s:b, s:o, s:o, s:s,"
		" s:s, s:o}",
		"Hostname", c->hostname, "User", c->user, "AttachStdin",
		c->interactive, "AttachStdout", !c->interactive || c->tty,
		"AttachStderr", 1, "Tty", c->tty, "OpenStdin", c->interactive,
		"Env", strv_json(c->env), "Cmd", strv_json(c->cmd), "Image",
		c->image, "WorkingDir", c->workdir, "Entrypoint",
		strv_json(c->entrypoint));

	json_object_set_new(j, "Labels", labels_json(c->labels));

	/* As in Docker, only a signal or timeout that was set is shown. */
	if (c->stop_signal != NULL)
		json_object_set_new(j, "StopSignal",
				    json_string(c->stop_signal));
	if (c->stop_timeout >= 0)
		json_object_set_new(j, "StopTimeout",
				    json_integer(c->stop_timeout));
	return j;
}

static json_t *binds_json(const struct container_config *c)
{
	json_t *binds = json_array();

	for (size_t i = 0; i < c->n_volumes; i++) {
		_cleanup_free_ char *s = NULL;

		xasprintf(&s, "%s:%s%s",
			  c->volumes[i].name != NULL ? c->volumes[i].name :
						       c->volumes[i].source,
			  c->volumes[i].destination,
			  c->volumes[i].read_only ? ":ro" : "");
		json_array_append_new(binds, json_string(s));
	}
	return binds;
}

/* Docker's HostConfig.Tmpfs: destination to options, or null. */
static json_t *tmpfs_json(char *const *tmpfs)
{
	json_t *obj;

	if (tmpfs == NULL)
		return json_null();

	obj = json_object();
	for (size_t i = 0; tmpfs[i] != NULL; i++) {
		const char *colon = strchr(tmpfs[i], ':');
		_cleanup_free_ char *dest = NULL;

		if (colon == NULL)
			continue;
		dest = xstrndup(tmpfs[i], (size_t)(colon - tmpfs[i]));
		json_object_set_new(obj, dest, json_string(colon + 1));
	}
	return obj;
}

/* Docker's HostConfig.RestartPolicy; an unreadable policy reads "no". */
static json_t *restart_json(const char *restart)
{
	struct restart_policy p = {RESTART_NO, 0};

	if (restart != NULL)
		(void)restart_policy_parse(restart, &p, NULL);
	return json_pack("{s:s, s:I}", "Name", restart_mode_name(p.mode),
			 "MaximumRetryCount", (json_int_t)p.max_retries);
}

static json_t *host_config_json(const struct container_config *c)
{
	json_t *security = json_array();
	json_t *j;

	if (c->no_new_privileges)
		json_array_append_new(security,
				      json_string("no-new-privileges"));

	j = json_pack(
		"{s:o, s:s, s:b, s:b, s:I, s:I, s:I, s:I, s:I, s:o}", "Binds",
		binds_json(c), "NetworkMode", c->network, "AutoRemove",
		c->auto_remove, "ReadonlyRootfs", c->read_only, "Memory",
		(json_int_t)(c->memory > 0 ? c->memory : 0), "NanoCpus",
		(json_int_t)(c->cpu_quota > 0 ? c->cpu_quota * 10000 : 0),
		"CpuQuota", (json_int_t)(c->cpu_quota > 0 ? c->cpu_quota : 0),
		"CpuPeriod", (json_int_t)(c->cpu_quota > 0 ? CPU_PERIOD : 0),
		"PidsLimit",
		(json_int_t)(c->pids_limit > 0 ? c->pids_limit : 0),
		"SecurityOpt", security);
	json_object_set_new(j, "Tmpfs", tmpfs_json(c->tmpfs));
	json_object_set_new(j, "CapAdd",
			    c->cap_add != NULL ? strv_json(c->cap_add) :
						 json_null());
	json_object_set_new(j, "CapDrop",
			    c->cap_drop != NULL ? strv_json(c->cap_drop) :
						  json_null());
	json_object_set_new(j, "RestartPolicy", restart_json(c->restart));
	json_object_set_new(j, "Init", json_boolean(c->init_path != NULL));
	json_object_set_new(j, "CgroupParent",
			    json_string(c->cgroup_parent != NULL ?
						c->cgroup_parent :
						BUNDLE_CGROUP_PARENT));
	return j;
}

static json_t *mounts_json(const struct container_config *c)
{
	json_t *mounts = json_array();

	for (size_t i = 0; i < c->n_volumes; i++)
		json_array_append_new(mounts,
				      volume_mount_json(&c->volumes[i]));
	return mounts;
}

static void add_paths(json_t *j, const char *dir)
{
	static const char *const files[][2] = {
		{"ResolvConfPath", "resolv.conf"},
		{"HostnamePath", "hostname"},
		{"HostsPath", "hosts"},
		{"LogPath", "ctr.log"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		_cleanup_free_ char *path = fs_path_join(dir, files[i][1]);

		json_object_set_new(j, files[i][0], json_string(path));
	}
}

static json_t *build(const struct container_config *c,
		     const struct container_state *s, bool paused,
		     const char *dir)
{
	_cleanup_free_ char *image = NULL, *name = NULL;
	json_t *args = json_array(), *j;
	char *const *all[] = {c->entrypoint, c->cmd};
	const char *path = NULL;
	struct restart_state rs;

	restart_state_load(dir, &rs);
	for (size_t k = 0; k < ARRAY_SIZE(all); k++)
		for (size_t i = 0; all[k] != NULL && all[k][i] != NULL; i++) {
			if (path == NULL)
				path = all[k][i];
			else
				json_array_append_new(args,
						      json_string(all[k][i]));
		}

	xasprintf(&image, "sha256:%s", c->image_id);
	xasprintf(&name, "/%s", c->name);
	j = json_pack("{s:s, s:s, s:s, s:o, s:o, s:s, s:s, s:i, s:s, s:s,"
		      " s:o, s:o, s:o}",
		      "Id", c->id, "Created", c->created, "Path",
		      path != NULL ? path : "", "Args", args, "State",
		      state_json(s, paused), "Image", image, "Name", name,
		      "RestartCount", (int)rs.count, "Driver", "overlay",
		      "Platform", "linux", "Config", config_json(c),
		      "HostConfig", host_config_json(c), "Mounts",
		      mounts_json(c));
	add_paths(j, dir);
	return j;
}

/*
 * Config.Healthcheck, and State.Health while the container runs: the
 * watcher's record, or "starting" before its first write.
 */
static void add_health(struct engine *engine, const char *id,
		       const struct container_state *s, const char *dir,
		       json_t *j)
{
	json_t *hc = NULL, *health;

	if (health_config_load(dir, &hc, NULL) < 0 || hc == NULL)
		return;
	json_object_set_new(json_object_get(j, "Config"), "Healthcheck", hc);
	if (s->status != CONTAINER_STATUS_RUNNING)
		return;

	health = health_state_load(engine, id);
	if (!json_is_object(health)) {
		json_decref(health);
		health = json_pack("{s:s,s:i,s:[]}", "Status", "starting",
				   "FailingStreak", 0, "Log");
	}
	json_object_set_new(json_object_get(j, "State"), "Health", health);
}

int engine_container_inspect(struct engine *engine, const char *id,
			     json_t **ret, struct berth_error **err)
{
	_cleanup_free_ char *dir = container_dir(engine, id);
	_cleanup_container_config_ struct container_config *c = NULL;
	struct container_state s;

	if (container_config_load(dir, &c, err) < 0 ||
	    container_state_get(engine, id, &s, err) < 0)
		return -1;

	*ret = build(c, &s,
		     s.status == CONTAINER_STATUS_RUNNING && !s.restarting &&
			     engine_container_paused(engine, id),
		     dir);
	add_health(engine, id, &s, dir, *ret);
	json_object_set_new(*ret, "NetworkSettings",
			    container_network_inspect_json(dir));
	json_object_set(
		json_object_get(*ret, "HostConfig"), "PortBindings",
		json_object_get(json_object_get(*ret, "NetworkSettings"),
				"Ports"));
	return 0;
}
