/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine/bundle.h"
#include "engine/container-config.h"
#include "engine/container-state.h"
#include "engine/container-store.h"
#include "engine/ctr-log.h"
#include "engine/env.h"
#include "engine/exit-record.h"
#include "engine/overlay.h"
#include "engine/user.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/strv.h"
#include "util/xalloc.h"

static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n"
			     "# a comment line\n"
			     "daemon:x:1:1:daemon:/usr/sbin:/bin/false\n"
			     "tester:x:1000:1000::/home/tester:/bin/sh\n"
			     "broken:x:abc:1::/:/bin/sh\n";

static const char group[] = "root:x:0:\n"
			    "wheel:x:10:root,tester\n"
			    "audio:x:29:tester\n"
			    "tester:x:1000:\n"
			    "staff:x:50:\n";

static void env_file_parses_lines(void **state)
{
	static const char data[] = "# comment\n"
				   "\n"
				   "A=1\n"
				   "  B=two words\r\n"
				   "EMPTY=\n"
				   "FROM_HOST\n"
				   "UNSET_ON_HOST_XYZ\n"
				   "A=3";
	_cleanup_strv_ char **env = NULL;
	struct berth_error *err = NULL;

	setenv("FROM_HOST", "host value", 1);
	unsetenv("UNSET_ON_HOST_XYZ");
	assert_int_equal(env_file_parse(data, strlen(data), "f", &env, &err),
			 0);
	assert_int_equal(strv_length(env), 4);
	assert_string_equal(env_get(env, "A"), "3");
	assert_string_equal(env_get(env, "B"), "two words");
	assert_string_equal(env_get(env, "EMPTY"), "");
	assert_string_equal(env_get(env, "FROM_HOST"), "host value");
	assert_null(env_get(env, "UNSET_ON_HOST_XYZ"));
}

static void env_file_error_names_line(void **state)
{
	static const char data[] = "A=1\n=novalue\n";
	_cleanup_strv_ char **env = NULL;
	struct berth_error *err = NULL;

	assert_int_equal(
		env_file_parse(data, strlen(data), "vars.env", &env, &err), -1);
	assert_non_null(strstr(err->msg, "vars.env:2:"));
	berth_error_free(&err);

	assert_int_equal(env_file_parse("BAD KEY=1", 9, "f", &env, &err), -1);
	assert_non_null(strstr(err->msg, "f:1:"));
	berth_error_free(&err);

	assert_int_equal(env_file_parse("A\0B=1", 5, "f", &env, &err), -1);
	assert_non_null(strstr(err->msg, "NUL"));
	berth_error_free(&err);
}

static void env_set_replaces_key(void **state)
{
	_cleanup_strv_ char **env = NULL;
	struct berth_error *err = NULL;

	assert_int_equal(env_set(&env, "PATH=/bin", &err), 0);
	assert_int_equal(env_set(&env, "PATHX=1", &err), 0);
	assert_int_equal(env_set(&env, "PATH=/usr/bin", &err), 0);
	assert_int_equal(strv_length(env), 2);
	assert_string_equal(env[0], "PATH=/usr/bin");
	assert_string_equal(env_get(env, "PATHX"), "1");

	assert_int_equal(env_set(&env, "=x", &err), -1);
	berth_error_free(&err);
}

static void user_resolves_name_and_groups(void **state)
{
	struct user_ids ids = {0};
	struct berth_error *err = NULL;

	assert_int_equal(user_resolve_from("tester", passwd, group, &ids, &err),
			 0);
	assert_int_equal(ids.uid, 1000);
	assert_int_equal(ids.gid, 1000);
	assert_string_equal(ids.home, "/home/tester");
	assert_int_equal(ids.n_groups, 2);
	assert_int_equal(ids.groups[0], 10);
	assert_int_equal(ids.groups[1], 29);
	user_ids_clear(&ids);

	assert_int_equal(user_resolve_from("0", passwd, group, &ids, &err), 0);
	assert_int_equal(ids.uid, 0);
	assert_int_equal(ids.n_groups, 1);
	assert_int_equal(ids.groups[0], 10);
	user_ids_clear(&ids);
}

static void user_resolves_numeric_forms(void **state)
{
	struct user_ids ids = {0};
	struct berth_error *err = NULL;

	/* A uid without an entry gets gid 0. */
	assert_int_equal(user_resolve_from("4242", passwd, group, &ids, &err),
			 0);
	assert_int_equal(ids.uid, 4242);
	assert_int_equal(ids.gid, 0);
	assert_null(ids.home);
	user_ids_clear(&ids);

	assert_int_equal(
		user_resolve_from("1000:50", passwd, group, &ids, &err), 0);
	assert_int_equal(ids.uid, 1000);
	assert_int_equal(ids.gid, 50);
	assert_int_equal(ids.n_groups, 0);
	user_ids_clear(&ids);

	assert_int_equal(
		user_resolve_from("daemon:staff", passwd, group, &ids, &err),
		0);
	assert_int_equal(ids.uid, 1);
	assert_int_equal(ids.gid, 50);
	user_ids_clear(&ids);

	/* Without /etc/passwd only numbers work. */
	assert_int_equal(user_resolve_from("7:8", NULL, NULL, &ids, &err), 0);
	assert_int_equal(ids.uid, 7);
	assert_int_equal(ids.gid, 8);
	user_ids_clear(&ids);
}

static void user_rejects_unknown(void **state)
{
	struct user_ids ids = {0};
	struct berth_error *err = NULL;

	assert_int_equal(
		user_resolve_from("nobody2", passwd, group, &ids, &err), -1);
	assert_string_equal(err->msg, "unable to find user nobody2: no "
				      "matching entries in passwd file");
	berth_error_free(&err);

	assert_int_equal(
		user_resolve_from("tester:nogroup", passwd, group, &ids, &err),
		-1);
	assert_non_null(strstr(err->msg, "unable to find group nogroup"));
	berth_error_free(&err);

	assert_int_equal(user_resolve_from("broken", passwd, group, &ids, &err),
			 -1);
	berth_error_free(&err);

	assert_int_equal(
		user_resolve_from("tester:", passwd, group, &ids, &err), -1);
	berth_error_free(&err);

	assert_int_equal(user_resolve_from("", passwd, group, &ids, &err), -1);
	berth_error_free(&err);
}

static void user_rejects_overlong_line(void **state)
{
	struct user_ids ids = {0};
	struct berth_error *err = NULL;
	size_t len = 70000;
	_cleanup_free_ char *huge = xmalloc(len + 64);

	memset(huge, 'a', len);
	snprintf(huge + len, 64,
		 "\ntester:x:1000:1000::/home/tester:/bin/sh\n");

	assert_int_equal(user_resolve_from("tester", huge, NULL, &ids, &err),
			 -1);
	assert_non_null(strstr(err->msg, "/etc/passwd"));
	assert_non_null(strstr(err->msg, "line 1 is longer than 65536"));
	berth_error_free(&err);

	/* Both files are checked: a numeric user reads /etc/group too. */
	assert_int_equal(user_resolve_from("0", passwd, huge, &ids, &err), -1);
	assert_non_null(strstr(err->msg, "/etc/group"));
	berth_error_free(&err);
}

static void user_skips_lines_with_nul(void **state)
{
	static const char pw[] = "tester:x:1000:1000::/home/tester:/bin/sh\n"
				 "eve\0:x:0:0::/root:/bin/sh\n";
	static const char gr[] = "staff:x:50:tester\nwheel:x:10:te\0ster";
	struct user_ids ids = {0};
	struct berth_error *err = NULL;

	assert_int_equal(user_resolve_memory("tester", pw, sizeof(pw) - 1, gr,
					     sizeof(gr) - 1, &ids, &err),
			 0);
	assert_int_equal(ids.uid, 1000);
	assert_int_equal(ids.n_groups, 1);
	assert_int_equal(ids.groups[0], 50);
	user_ids_clear(&ids);

	assert_int_equal(user_resolve_memory("eve", pw, sizeof(pw) - 1, gr,
					     sizeof(gr) - 1, &ids, &err),
			 -1);
	berth_error_free(&err);
}

static void user_reads_last_line_without_newline(void **state)
{
	struct user_ids ids = {0};
	struct berth_error *err = NULL;

	assert_int_equal(user_resolve_from("tester:staff",
					   "tester:x:1000:1000::/h:/bin/sh",
					   "staff:x:50:", &ids, &err),
			 0);
	assert_int_equal(ids.uid, 1000);
	assert_int_equal(ids.gid, 50);
	assert_string_equal(ids.home, "/h");
	user_ids_clear(&ids);
}

static void container_config_keeps_optional_fields(void **state)
{
	static char *labels[] = {"app=web", "tier=", NULL};
	static char *tmpfs[] = {"/run:size=1m", NULL};
	static char *cap_add[] = {"CAP_NET_ADMIN", NULL};
	static char *cap_drop[] = {"ALL", NULL};
	struct container_config c = {
		.id = "ab",
		.name = "n",
		.image = "busybox",
		.image_id = "cd",
		.created = "2024-05-01T10:00:00Z",
		.workdir = "/",
		.user = "",
		.hostname = "h",
		.network = "none",
		.lowerdir = "/l",
		.memory = -1,
		.cpu_quota = -1,
		.pids_limit = -1,
		.labels = labels,
		.tmpfs = tmpfs,
		.cap_add = cap_add,
		.cap_drop = cap_drop,
		.stop_signal = "SIGQUIT",
		.stop_timeout = 30,
	};
	_cleanup_container_config_ struct container_config *back = NULL;
	_cleanup_json_ json_t *j = container_config_to_json(&c);
	struct berth_error *err = NULL;

	assert_int_equal(container_config_from_json(j, "t", &back, &err), 0);
	assert_int_equal(strv_length(back->labels), 2);
	assert_string_equal(back->labels[1], "tier=");
	assert_string_equal(back->tmpfs[0], "/run:size=1m");
	assert_string_equal(back->cap_add[0], "CAP_NET_ADMIN");
	assert_string_equal(back->cap_drop[0], "ALL");
	assert_string_equal(back->stop_signal, "SIGQUIT");
	assert_int_equal(back->stop_timeout, 30);
}

/* Write data through the log writer and read the entries back. */
static void log_round_trip(const char *data, size_t len, char **ret)
{
	char path[] = "/tmp/test-engine-log.XXXXXX";
	_cleanup_close_ int fd = mkstemp(path);
	size_t n;

	assert_true(fd >= 0);
	ctr_log_write(fd, CTR_LOG_STDOUT, data, len);
	assert_int_equal(fs_read_file(path, ret, &n, NULL), 0);
	unlink(path);
}

static void ctr_log_lines_and_partials(void **state)
{
	_cleanup_free_ char *log = NULL;
	struct ctr_log_entry e;
	char *line2, *line3, *end;

	log_round_trip("one\ntwo\nthr", 11, &log);

	line2 = strchr(log, '\n') + 1;
	line3 = strchr(line2, '\n') + 1;
	end = strchr(line3, '\n');
	assert_non_null(end);
	assert_string_equal(end + 1, "");

	assert_int_equal(ctr_log_parse_line(log, line2 - log - 1, &e), 0);
	assert_int_equal(e.stream, CTR_LOG_STDOUT);
	assert_false(e.partial);
	assert_int_equal(e.len, 3);
	assert_memory_equal(e.content, "one", 3);

	assert_int_equal(ctr_log_parse_line(line3, end - line3, &e), 0);
	assert_true(e.partial);
	assert_int_equal(e.len, 3);
	assert_memory_equal(e.content, "thr", 3);
	assert_true(e.time.tv_sec > 0);
}

static void ctr_log_rejects_malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"2024-05-01T10:00:00Z",
		"2024-05-01T10:00:00Z stdin F x",
		"2024-05-01T10:00:00Z stdout X x",
		"yesterday stdout F x",
		"2024-05-01T10:00:00+02:00 stdout F x",
	};
	struct ctr_log_entry e;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(ctr_log_parse_line(bad[i], strlen(bad[i]), &e),
				 -1);

	assert_int_equal(
		ctr_log_parse_line("2024-05-01T10:00:00.5Z stderr F ", 32, &e),
		0);
	assert_int_equal(e.stream, CTR_LOG_STDERR);
	assert_int_equal(e.len, 0);
	assert_int_equal(e.time.tv_nsec, 500000000);
}

static void container_config_round_trip(void **state)
{
	static char *cmd[] = {"sh", "-c", "echo hi", NULL};
	struct container_volume vol = {"/srv", "/data", true};
	struct container_config c = {
		.id = "ab",
		.name = "n",
		.image = "busybox",
		.image_id = "cd",
		.created = "2024-05-01T10:00:00Z",
		.cmd = cmd,
		.workdir = "/",
		.user = "",
		.hostname = "h",
		.network = "none",
		.lowerdir = "/l",
		.memory = 1 << 20,
		.cpu_quota = -1,
		.pids_limit = 10,
		.volumes = &vol,
		.n_volumes = 1,
		.tty = true,
		.stop_timeout = -1,
	};
	_cleanup_container_config_ struct container_config *back = NULL;
	_cleanup_json_ json_t *j = container_config_to_json(&c);
	struct berth_error *err = NULL;

	assert_int_equal(container_config_from_json(j, "t", &back, &err), 0);
	assert_string_equal(back->image_id, "cd");
	assert_int_equal(strv_length(back->cmd), 3);
	assert_string_equal(back->cmd[2], "echo hi");
	assert_int_equal(strv_length(back->entrypoint), 0);
	assert_int_equal(back->memory, 1 << 20);
	assert_int_equal(back->cpu_quota, -1);
	assert_int_equal(back->pids_limit, 10);
	assert_int_equal(back->n_volumes, 1);
	assert_true(back->volumes[0].read_only);
	assert_true(back->tty);
	assert_false(back->interactive);
	assert_null(back->labels);
	assert_null(back->tmpfs);
	assert_null(back->cap_add);
	assert_null(back->stop_signal);
	assert_int_equal(back->stop_timeout, -1);

	json_object_del(j, "image_id");
	assert_int_equal(container_config_from_json(j, "t", &back, &err), -1);
	berth_error_free(&err);
}

static void container_names_validated(void **state)
{
	static const char *const good[] = {"a", "web-1", "A.b_c", "9"};
	static const char *const bad[] = {"",	 "-a",	".a",  "_a",
					  "a b", "a/b", "a:b", "é"};
	struct berth_error *err = NULL;

	for (size_t i = 0; i < ARRAY_SIZE(good); i++)
		assert_int_equal(container_name_validate(good[i], &err), 0);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(container_name_validate(bad[i], &err), -1);
		assert_non_null(strstr(err->msg, "invalid container name"));
		berth_error_free(&err);
	}
}

static void container_ids_generated(void **state)
{
	_cleanup_free_ char *a = NULL, *b = NULL;

	assert_int_equal(container_id_generate(&a, NULL), 0);
	assert_int_equal(container_id_generate(&b, NULL), 0);
	assert_true(container_id_is_valid(a));
	assert_string_not_equal(a, b);
	assert_false(container_id_is_valid("abc"));
}

static void overlay_lowerdir_joins(void **state)
{
	static char *dirs[] = {"/l/top", "/l/bottom", NULL};
	static char *bad[] = {"/l/a,b", NULL};
	_cleanup_free_ char *joined = NULL;
	struct berth_error *err = NULL;

	assert_int_equal(overlay_lowerdir(dirs, &joined, &err), 0);
	assert_string_equal(joined, "/l/top:/l/bottom");

	assert_int_equal(overlay_lowerdir(bad, &joined, &err), -1);
	berth_error_free(&err);
	assert_int_equal(overlay_lowerdir(NULL, &joined, &err), -1);
	berth_error_free(&err);
}

static json_t *find_mount(json_t *spec, const char *destination)
{
	json_t *mount;
	size_t i;

	json_array_foreach (json_object_get(spec, "mounts"), i, mount) {
		const char *d = json_string_value(
			json_object_get(mount, "destination"));

		if (d != NULL && strcmp(d, destination) == 0)
			return mount;
	}
	return NULL;
}

static bool has_namespace(json_t *spec, const char *type)
{
	json_t *ns;
	size_t i;

	json_array_foreach (
		json_object_get(json_object_get(spec, "linux"), "namespaces"),
		i, ns) {
		if (strcmp(json_string_value(json_object_get(ns, "type")),
			   type) == 0)
			return true;
	}
	return false;
}

static void bundle_spec_follows_config(void **state)
{
	static char *entrypoint[] = {"/bin/entry", NULL};
	static char *cmd[] = {"arg", NULL};
	static char *env[] = {"A=1", NULL};
	gid_t groups[] = {10};
	struct user_ids user = {
		.uid = 1000, .gid = 100, .groups = groups, .n_groups = 1};
	struct container_volume vol = {"/srv", "/data", true};
	struct container_config c = {
		.id = "abc",
		.name = "n",
		.image = "busybox",
		.entrypoint = entrypoint,
		.cmd = cmd,
		.env = env,
		.workdir = "/w",
		.hostname = "h",
		.network = "host",
		.memory = 1 << 25,
		.cpu_quota = 50000,
		.pids_limit = 7,
		.volumes = &vol,
		.n_volumes = 1,
		.read_only = true,
		.tty = true,
	};
	_cleanup_json_ json_t *spec = bundle_spec_json(&c, &user, "/dir");
	json_t *process = json_object_get(spec, "process");
	json_t *resources =
		json_object_get(json_object_get(spec, "linux"), "resources");
	json_t *rlimit = json_array_get(json_object_get(process, "rlimits"), 0);
	struct rlimit host;

	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(process, "args"), 0)),
			    "/bin/entry");
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(process, "args"), 1)),
			    "arg");
	assert_true(json_is_true(json_object_get(process, "terminal")));
	assert_false(json_is_true(json_object_get(process, "noNewPrivileges")));
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(process, "user"), "uid")),
			 1000);
	assert_string_equal(json_string_value(json_object_get(process, "cwd")),
			    "/w");
	assert_true(json_is_true(
		json_object_get(json_object_get(spec, "root"), "readonly")));

	/* The hard limit never exceeds what this process may set. */
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &host), 0);
	assert_int_equal(json_integer_value(json_object_get(rlimit, "soft")),
			 1024);
	assert_true((rlim_t)json_integer_value(
			    json_object_get(rlimit, "hard")) <= host.rlim_max);

	assert_false(has_namespace(spec, "network"));
	assert_true(has_namespace(spec, "pid"));
	assert_string_equal(
		json_string_value(json_object_get(
			find_mount(spec, "/etc/resolv.conf"), "source")),
		"/etc/resolv.conf");
	assert_string_equal(json_string_value(json_object_get(
				    find_mount(spec, "/etc/hosts"), "source")),
			    "/dir/hosts");
	assert_string_equal(
		json_string_value(json_array_get(
			json_object_get(find_mount(spec, "/data"), "options"),
			2)),
		"ro");

	assert_int_equal(
		json_integer_value(json_object_get(
			json_object_get(resources, "memory"), "limit")),
		1 << 25);
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(resources, "cpu"), "quota")),
			 50000);
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(resources, "pids"), "limit")),
			 7);
	assert_string_equal(
		json_string_value(json_object_get(
			json_object_get(spec, "linux"), "cgroupsPath")),
		"/berth/abc");
	assert_non_null(
		json_object_get(json_object_get(spec, "linux"), "seccomp"));
}

static void bundle_spec_none_network(void **state)
{
	static char *cmd[] = {"true", NULL};
	struct user_ids user = {0};
	struct container_config c = {
		.id = "abc",
		.name = "n",
		.image = "busybox",
		.cmd = cmd,
		.workdir = "/",
		.hostname = "h",
		.network = "none",
		.cgroup_parent = "berth-test/x",
		.memory = -1,
		.cpu_quota = -1,
		.pids_limit = -1,
	};
	_cleanup_json_ json_t *spec = bundle_spec_json(&c, &user, "/dir");
	json_t *resources =
		json_object_get(json_object_get(spec, "linux"), "resources");

	assert_true(has_namespace(spec, "network"));
	assert_string_equal(
		json_string_value(json_object_get(
			find_mount(spec, "/etc/resolv.conf"), "source")),
		"/dir/resolv.conf");
	assert_null(json_object_get(resources, "memory"));
	assert_null(json_object_get(resources, "pids"));
	assert_string_equal(
		json_string_value(json_object_get(
			json_object_get(spec, "linux"), "cgroupsPath")),
		"/berth-test/x/abc");
	assert_non_null(json_object_get(resources, "devices"));
}

static void container_state_from_files(void **state)
{
	char root[] = "/tmp/test-engine-state.XXXXXX";
	static const char id[] = "0123456789abcdef0123456789abcdef"
				 "0123456789abcdef0123456789abcdef";
	static const char gone[] = "{\"monitor_pid\": 999999999, "
				   "\"started_at\": \"T1\"}";
	_cleanup_free_ char *dir = NULL, *run_dir = NULL, *monitor = NULL;
	struct container_state s;
	struct engine engine;

	assert_non_null(mkdtemp(root));
	engine_init(&engine, root, root, NULL);
	dir = container_dir(&engine, id);
	run_dir = container_run_dir(&engine, id);
	monitor = fs_path_join(run_dir, "monitor.json");
	assert_int_equal(fs_mkdir_p(dir, 0700, NULL), 0);

	assert_int_equal(container_state_get(&engine, id, &s, NULL), 0);
	assert_int_equal(s.status, CONTAINER_STATUS_CREATED);

	/* monitor.json names this live process, so the container runs. */
	assert_int_equal(fs_mkdir_p(run_dir, 0700, NULL), 0);
	assert_int_equal(container_state_write_monitor(run_dir, 42, "T1", NULL),
			 0);
	assert_int_equal(container_state_get(&engine, id, &s, NULL), 0);
	assert_int_equal(s.status, CONTAINER_STATUS_RUNNING);
	assert_int_equal(s.pid, 42);

	assert_int_equal(exit_record_write(dir, 3, "T1", "T2", true), 0);
	assert_int_equal(container_state_get(&engine, id, &s, NULL), 0);
	assert_int_equal(s.status, CONTAINER_STATUS_EXITED);
	assert_int_equal(s.exit_code, 3);
	assert_true(s.oom_killed);
	assert_string_equal(s.finished_at, "T2");

	/* An exit record of an earlier run does not end the current one. */
	assert_int_equal(exit_record_write(dir, 3, "T0", "T0b", false), 0);
	assert_int_equal(container_state_get(&engine, id, &s, NULL), 0);
	assert_int_equal(s.status, CONTAINER_STATUS_RUNNING);

	/* A monitor that is gone without a record means exited, code 255. */
	assert_int_equal(
		fs_write_atomic(monitor, gone, strlen(gone), 0644, NULL), 0);
	assert_int_equal(container_state_get(&engine, id, &s, NULL), 0);
	assert_int_equal(s.status, CONTAINER_STATUS_EXITED);
	assert_int_equal(s.exit_code, 255);

	assert_int_equal(fs_rm_rf(root, NULL), 0);
	engine_clear(&engine);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(env_file_parses_lines),
		cmocka_unit_test(env_file_error_names_line),
		cmocka_unit_test(env_set_replaces_key),
		cmocka_unit_test(user_resolves_name_and_groups),
		cmocka_unit_test(user_resolves_numeric_forms),
		cmocka_unit_test(user_rejects_unknown),
		cmocka_unit_test(container_config_keeps_optional_fields),
		cmocka_unit_test(user_rejects_overlong_line),
		cmocka_unit_test(user_skips_lines_with_nul),
		cmocka_unit_test(user_reads_last_line_without_newline),
		cmocka_unit_test(ctr_log_lines_and_partials),
		cmocka_unit_test(ctr_log_rejects_malformed),
		cmocka_unit_test(container_config_round_trip),
		cmocka_unit_test(container_names_validated),
		cmocka_unit_test(container_ids_generated),
		cmocka_unit_test(overlay_lowerdir_joins),
		cmocka_unit_test(bundle_spec_follows_config),
		cmocka_unit_test(bundle_spec_none_network),
		cmocka_unit_test(container_state_from_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
