/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "runtime/runtime-internal.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/xalloc.h"

#define OCI_VERSION "1.2.0"
#define ID_MAX 1024

static const char *const status_names[] = {
	[RUNTIME_STATUS_CREATING] = "creating",
	[RUNTIME_STATUS_CREATED] = "created",
	[RUNTIME_STATUS_RUNNING] = "running",
	[RUNTIME_STATUS_STOPPED] = "stopped",
	[RUNTIME_STATUS_PAUSED] = "paused",
};

const char *runtime_status_name(enum runtime_status status)
{
	if ((size_t)status >= ARRAY_SIZE(status_names))
		return "unknown";
	return status_names[status];
}

int runtime_validate_id(const char *id, struct berth_error **err)
{
	size_t len = strlen(id);

	if (len == 0 || strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
		return berth_error_set(err, EINVAL, "invalid container id '%s'",
				       id);

	if (len > ID_MAX)
		return berth_error_set(err, EINVAL,
				       "container id is longer than %d bytes",
				       ID_MAX);

	if (strspn(id, "abcdefghijklmnopqrstuvwxyz"
		       "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+-.") != len)
		return berth_error_set(err, EINVAL,
				       "invalid container id '%s': use only "
				       "letters, digits, '_', '+', '-' and '.'",
				       id);
	return 0;
}

char *runtime_container_dir(const char *state_root, const char *id)
{
	return fs_path_join(state_root, id);
}

unsigned long long runtime_pid_start_time(pid_t pid)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *data = NULL;
	unsigned long long start = 0;
	char state;
	char *p;

	if (pid <= 0)
		return 0;

	xasprintf(&path, "/proc/%d/stat", (int)pid);
	if (fs_read_file(path, &data, NULL, NULL) < 0)
		return 0;

	/* comm may hold spaces and ')': the fields start after the last ')'. */
	p = strrchr(data, ')');
	if (p == NULL)
		return 0;

	/* Field 3 is the state; starttime is field 22, 19 fields later. */
	if (sscanf(p + 1,
		   " %c %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s "
		   "%*s %*s %*s %*s %*s %*s %*s %llu",
		   &state, &start) != 2)
		return 0;

	/* A zombie has exited; only its parent has not collected it yet. */
	if (state == 'Z' || state == 'X')
		return 0;
	return start;
}

char *runtime_now_rfc3339(void)
{
	struct timespec ts;
	char stamp[64];
	struct tm tm;
	char *ret;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	xasprintf(&ret, "%s.%09ldZ", stamp, ts.tv_nsec);
	return ret;
}

int runtime_write_pid_file(const char *path, pid_t pid,
			   struct berth_error **err)
{
	char buf[32];
	int len = snprintf(buf, sizeof(buf), "%d", (int)pid);

	/* Callers read the pid file at once, and no reboot keeps the pid. */
	if (fs_write_replace(path, buf, (size_t)len, 0644, err) < 0)
		return berth_error_wrap(err, "write pid file '%s'", path);
	return 0;
}

static json_t *record_to_json(const struct runtime_record *record)
{
	const struct runtime_state *s = &record->state;
	json_t *j = json_object();

	json_object_set_new(j, "id", json_string(s->id));
	json_object_set_new(
		j, "status",
		json_string(record->creating ? "creating" : "created"));
	json_object_set_new(j, "pid", json_integer(s->pid));
	json_object_set_new(j, "start_time",
			    json_integer((json_int_t)s->start_time));
	json_object_set_new(j, "bundle", json_string(s->bundle));
	json_object_set_new(j, "rootfs", json_string(s->rootfs));
	json_object_set_new(j, "created", json_string(s->created));
	json_object_set_new(j, "owner", json_string(s->owner));
	if (s->cgroup_path != NULL)
		json_object_set_new(j, "cgroup_path",
				    json_string(s->cgroup_path));
	json_object_set_new(j, "paused", json_boolean(record->paused));
	if (s->annotations != NULL)
		json_object_set(j, "annotations", s->annotations);
	if (record->hooks != NULL)
		json_object_set(j, "hooks", record->hooks);
	return j;
}

int runtime_record_write(const char *state_root,
			 const struct runtime_record *record,
			 struct berth_error **err)
{
	_cleanup_free_ char *dir =
		runtime_container_dir(state_root, record->state.id);
	_cleanup_free_ char *path = fs_path_join(dir, RUNTIME_STATE_FILE);
	_cleanup_json_ json_t *j = record_to_json(record);
	_cleanup_free_ char *text = json_dumps(j, JSON_COMPACT);

	if (text == NULL)
		return berth_error_set(err, ENOMEM, "serialize '%s'", path);

	/* The state root is under /run, which no reboot keeps: no fsync. */
	return fs_write_replace(path, text, strlen(text), 0644, err);
}

static char *dup_opt(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static int record_from_json(const json_t *j, const char *what,
			    struct runtime_record *r, struct berth_error **err)
{
	const char *id = NULL, *status = NULL, *bundle = NULL, *rootfs = NULL;
	const char *created = NULL, *owner = NULL, *cgroup = NULL;
	int64_t pid = 0, start = 0;
	json_t *annotations = NULL, *hooks = NULL;

	if (json_get_string(j, "id", what, &id, err) < 0 ||
	    json_get_string(j, "status", what, &status, err) < 0 ||
	    json_get_int64_opt(j, "pid", what, &pid, err) < 0 ||
	    json_get_int64_opt(j, "start_time", what, &start, err) < 0 ||
	    json_get_string_opt(j, "bundle", what, &bundle, err) < 0 ||
	    json_get_string_opt(j, "rootfs", what, &rootfs, err) < 0 ||
	    json_get_string_opt(j, "created", what, &created, err) < 0 ||
	    json_get_string_opt(j, "owner", what, &owner, err) < 0 ||
	    json_get_string_opt(j, "cgroup_path", what, &cgroup, err) < 0 ||
	    json_get_bool_opt(j, "paused", what, &r->paused, err) < 0 ||
	    json_get_object_opt(j, "annotations", what, &annotations, err) <
		    0 ||
	    json_get_object_opt(j, "hooks", what, &hooks, err) < 0)
		return -1;

	r->creating = strcmp(status, "creating") == 0;
	r->state.id = xstrdup(id);
	r->state.pid = (pid_t)pid;
	r->state.start_time = (unsigned long long)start;
	r->state.bundle = xstrdup(bundle != NULL ? bundle : "");
	r->state.rootfs = xstrdup(rootfs != NULL ? rootfs : "");
	r->state.created = xstrdup(created != NULL ? created : "");
	r->state.owner = xstrdup(owner != NULL ? owner : "");
	r->state.cgroup_path = dup_opt(cgroup);
	r->state.annotations = annotations ? json_incref(annotations) : NULL;
	r->hooks = hooks != NULL ? json_incref(hooks) : NULL;
	return 0;
}

int runtime_record_read(const char *state_root, const char *id,
			struct runtime_record *ret, struct berth_error **err)
{
	_cleanup_free_ char *dir = NULL;
	_cleanup_free_ char *path = NULL;
	_cleanup_json_ json_t *j = NULL;
	struct runtime_record r = {0};

	if (runtime_validate_id(id, err) < 0)
		return -1;

	dir = runtime_container_dir(state_root, id);
	path = fs_path_join(dir, RUNTIME_STATE_FILE);
	if (!fs_exists(dir))
		return berth_error_set(err, ENOENT,
				       "container '%s' does not exist", id);

	if (json_parse_file(path, &j, err) < 0)
		return berth_error_wrap(err, "read state of container '%s'",
					id);

	if (record_from_json(j, path, &r, err) < 0) {
		runtime_record_clear(&r);
		return -1;
	}

	*ret = r;
	return 0;
}

void runtime_record_clear(struct runtime_record *record)
{
	struct runtime_state *s = &record->state;

	free(s->id);
	free(s->bundle);
	free(s->created);
	free(s->cgroup_path);
	free(s->owner);
	free(s->rootfs);
	if (s->annotations != NULL)
		json_decref(s->annotations);
	if (record->hooks != NULL)
		json_decref(record->hooks);
	memset(record, 0, sizeof(*record));
}

enum runtime_status runtime_record_status(const char *state_root,
					  const struct runtime_record *record)
{
	_cleanup_free_ char *dir = NULL;
	_cleanup_free_ char *fifo = NULL;
	const struct runtime_state *s = &record->state;

	if (record->creating)
		return RUNTIME_STATUS_CREATING;

	if (s->pid <= 0 || s->start_time == 0 ||
	    runtime_pid_start_time(s->pid) != s->start_time)
		return RUNTIME_STATUS_STOPPED;

	if (record->paused)
		return RUNTIME_STATUS_PAUSED;

	/* start removes the fifo once the init has passed it. */
	dir = runtime_container_dir(state_root, s->id);
	fifo = fs_path_join(dir, RUNTIME_EXEC_FIFO);
	if (fs_exists(fifo))
		return RUNTIME_STATUS_CREATED;
	return RUNTIME_STATUS_RUNNING;
}

int runtime_state_get(const char *state_root, const char *id,
		      struct runtime_state **ret, struct berth_error **err)
{
	struct runtime_record r;
	struct runtime_state *s;

	if (runtime_record_read(state_root, id, &r, err) < 0)
		return -1;

	s = xzalloc(sizeof(*s));
	*s = r.state;
	s->status = runtime_record_status(state_root, &r);
	if (s->status == RUNTIME_STATUS_STOPPED)
		s->pid = 0;

	if (r.hooks != NULL)
		json_decref(r.hooks);
	*ret = s;
	return 0;
}

json_t *runtime_state_to_json(const struct runtime_state *state)
{
	json_t *j = json_object();

	json_object_set_new(j, "ociVersion", json_string(OCI_VERSION));
	json_object_set_new(j, "id", json_string(state->id));
	json_object_set_new(j, "status",
			    json_string(runtime_status_name(state->status)));
	json_object_set_new(j, "pid", json_integer(state->pid));
	json_object_set_new(j, "bundle", json_string(state->bundle));
	json_object_set_new(j, "rootfs", json_string(state->rootfs));
	json_object_set_new(j, "created", json_string(state->created));
	json_object_set_new(j, "owner", json_string(state->owner));
	json_object_set_new(j, "annotations",
			    state->annotations != NULL ?
				    json_incref(state->annotations) :
				    json_object());
	return j;
}

void runtime_state_free(struct runtime_state *state)
{
	struct runtime_record r = {0};

	if (state == NULL)
		return;

	r.state = *state;
	runtime_record_clear(&r);
	free(state);
}

int runtime_list(const char *state_root, struct runtime_state ***ret,
		 size_t *ret_n, struct berth_error **err)
{
	_cleanup_closedir_ DIR *d = opendir(state_root);
	struct runtime_state **states = NULL;
	struct dirent *de;
	size_t n = 0;

	if (d == NULL && errno != ENOENT)
		return berth_error_set(err, errno, "open state directory '%s'",
				       state_root);

	while (d != NULL && (de = readdir(d)) != NULL) {
		struct runtime_state *s = NULL;

		if (de->d_name[0] == '.' ||
		    (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN))
			continue;

		/* A container being deleted meanwhile is simply not listed. */
		if (runtime_state_get(state_root, de->d_name, &s, NULL) < 0)
			continue;

		states = xreallocarray(states, n + 1, sizeof(*states));
		states[n++] = s;
	}

	*ret = states;
	*ret_n = n;
	return 0;
}
