/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the runtime lifecycle helpers: signals, ids, state, hooks. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "runtime/runtime-internal.h"
#include "runtime/runtime.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/xalloc.h"

static int parse_signal(const char *s)
{
	struct berth_error *err = NULL;
	int sig = -1;

	if (runtime_signal_parse(s, &sig, &err) < 0) {
		berth_error_free(&err);
		return -1;
	}
	return sig;
}

static void signal_parse_names_and_numbers(void **state)
{
	assert_int_equal(parse_signal("SIGKILL"), SIGKILL);
	assert_int_equal(parse_signal("KILL"), SIGKILL);
	assert_int_equal(parse_signal("kill"), SIGKILL);
	assert_int_equal(parse_signal("9"), SIGKILL);
	assert_int_equal(parse_signal("TERM"), SIGTERM);
	assert_int_equal(parse_signal("SIGWINCH"), SIGWINCH);
	assert_int_equal(parse_signal("RTMIN"), SIGRTMIN);
	assert_int_equal(parse_signal("SIGRTMIN+2"), SIGRTMIN + 2);
	assert_int_equal(parse_signal("RTMAX-1"), SIGRTMAX - 1);
}

static void signal_parse_rejects_invalid(void **state)
{
	assert_int_equal(parse_signal(""), -1);
	assert_int_equal(parse_signal("0"), -1);
	assert_int_equal(parse_signal("-9"), -1);
	assert_int_equal(parse_signal("65"), -1);
	assert_int_equal(parse_signal("SIGNOPE"), -1);
	assert_int_equal(parse_signal("RTMIN-1"), -1);
	assert_int_equal(parse_signal("RTMAX+1"), -1);
	assert_int_equal(parse_signal("9x"), -1);
}

static void signal_name_of_number(void **state)
{
	assert_string_equal(runtime_signal_name(SIGTERM), "SIGTERM");
	assert_string_equal(runtime_signal_name(SIGKILL), "SIGKILL");
	assert_null(runtime_signal_name(0));
	assert_null(runtime_signal_name(1000));
}

static bool id_valid(const char *id)
{
	struct berth_error *err = NULL;
	int r = runtime_validate_id(id, &err);

	berth_error_free(&err);
	return r == 0;
}

static void container_id_rules(void **state)
{
	char long_id[1026];

	assert_true(id_valid("a"));
	assert_true(id_valid("web-1.app_2+x"));
	assert_false(id_valid(""));
	assert_false(id_valid("."));
	assert_false(id_valid(".."));
	assert_false(id_valid("a/b"));
	assert_false(id_valid("../x"));
	assert_false(id_valid("a b"));

	memset(long_id, 'a', sizeof(long_id) - 1);
	long_id[sizeof(long_id) - 1] = '\0';
	assert_false(id_valid(long_id));
	long_id[1024] = '\0';
	assert_true(id_valid(long_id));
}

static void record_round_trip(void **state)
{
	char root[] = "/tmp/berth-test-runtime-XXXXXX";
	struct runtime_record in = {0}, out = {0};
	struct berth_error *err = NULL;
	_cleanup_free_ char *dir = NULL;

	assert_non_null(mkdtemp(root));
	dir = fs_path_join(root, "c1");
	assert_int_equal(mkdir(dir, 0700), 0);

	in.state.id = xstrdup("c1");
	in.state.pid = 4242;
	in.state.start_time = 123456;
	in.state.bundle = xstrdup("/b");
	in.state.rootfs = xstrdup("/b/rootfs");
	in.state.created = runtime_now_rfc3339();
	in.state.owner = xstrdup("root");
	in.state.cgroup_path = xstrdup("berth/c1");
	in.state.annotations = json_pack("{s:s}", "k", "v");
	in.paused = true;
	assert_int_equal(runtime_record_write(root, &in, &err), 0);

	assert_int_equal(runtime_record_read(root, "c1", &out, &err), 0);
	assert_string_equal(out.state.id, "c1");
	assert_int_equal(out.state.pid, 4242);
	assert_int_equal(out.state.start_time, 123456);
	assert_string_equal(out.state.bundle, "/b");
	assert_string_equal(out.state.cgroup_path, "berth/c1");
	assert_string_equal(out.state.created, in.state.created);
	assert_true(out.paused);
	assert_false(out.creating);
	assert_string_equal(
		json_string_value(json_object_get(out.state.annotations, "k")),
		"v");

	/* pid 4242 started at tick 123456 is long gone: stopped. */
	assert_int_equal(runtime_record_status(root, &out),
			 RUNTIME_STATUS_STOPPED);

	assert_int_equal(runtime_record_read(root, "missing", &out, &err), -1);
	assert_int_equal(err->errnum, ENOENT);
	berth_error_free(&err);

	runtime_record_clear(&in);
	runtime_record_clear(&out);
	assert_int_equal(fs_rm_rf(root, NULL), 0);
}

static void status_of_live_process(void **state)
{
	struct runtime_record r = {0};

	r.state.id = xstrdup("self");
	r.state.pid = getpid();
	r.state.start_time = runtime_pid_start_time(getpid());
	assert_true(r.state.start_time > 0);

	/* No exec fifo in this state root: the process counts as running. */
	assert_int_equal(runtime_record_status("/nonexistent", &r),
			 RUNTIME_STATUS_RUNNING);

	r.state.start_time += 1;
	assert_int_equal(runtime_record_status("/nonexistent", &r),
			 RUNTIME_STATUS_STOPPED);
	runtime_record_clear(&r);
}

static void state_json_has_spec_fields(void **state)
{
	struct runtime_state s = {
		.id = "c",
		.status = RUNTIME_STATUS_CREATED,
		.pid = 7,
		.bundle = "/b",
		.rootfs = "/b/r",
		.created = "t",
		.owner = "root",
	};
	_cleanup_json_ json_t *j = runtime_state_to_json(&s);

	assert_non_null(json_string_value(json_object_get(j, "ociVersion")));
	assert_string_equal(json_string_value(json_object_get(j, "status")),
			    "created");
	assert_int_equal(json_integer_value(json_object_get(j, "pid")), 7);
	assert_string_equal(json_string_value(json_object_get(j, "bundle")),
			    "/b");
	assert_true(json_is_object(json_object_get(j, "annotations")));
}

static void hook_gets_state_on_stdin(void **state)
{
	char dir[] = "/tmp/berth-test-hooks-XXXXXX";
	_cleanup_free_ char *out = NULL, *script = NULL, *data = NULL;
	char *args[] = {"sh", "-c", NULL, NULL};
	struct spec_hook hook = {.path = "/bin/sh", .args = args};
	struct spec_hook_list list = {.hooks = &hook, .n_hooks = 1};
	_cleanup_json_ json_t *st = json_pack("{s:s}", "id", "hooked");
	struct berth_error *err = NULL;

	assert_non_null(mkdtemp(dir));
	out = fs_path_join(dir, "state");
	xasprintf(&script, "cat >%s", out);
	args[2] = script;

	assert_int_equal(hooks_run(&list, "prestart", st, &err), 0);
	assert_int_equal(fs_read_file(out, &data, NULL, &err), 0);
	assert_non_null(strstr(data, "\"hooked\""));
	assert_int_equal(fs_rm_rf(dir, NULL), 0);
}

static void hook_failure_and_timeout(void **state)
{
	char *fail_args[] = {"sh", "-c", "echo broken >&2; exit 4", NULL};
	char *slow_args[] = {"sh", "-c", "sleep 5", NULL};
	struct spec_hook hook = {.path = "/bin/sh", .args = fail_args};
	struct spec_hook_list list = {.hooks = &hook, .n_hooks = 1};
	_cleanup_json_ json_t *st = json_object();
	struct berth_error *err = NULL;

	assert_int_equal(hooks_run(&list, "poststop", st, &err), -1);
	assert_non_null(strstr(err->msg, "status 4"));
	assert_non_null(strstr(err->msg, "broken"));
	berth_error_free(&err);

	hook.args = slow_args;
	hook.timeout = 1;
	assert_int_equal(hooks_run(&list, "prestart", st, &err), -1);
	assert_int_equal(err->errnum, ETIMEDOUT);
	berth_error_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(signal_parse_names_and_numbers),
		cmocka_unit_test(signal_parse_rejects_invalid),
		cmocka_unit_test(signal_name_of_number),
		cmocka_unit_test(container_id_rules),
		cmocka_unit_test(record_round_trip),
		cmocka_unit_test(status_of_live_process),
		cmocka_unit_test(state_json_has_spec_fields),
		cmocka_unit_test(hook_gets_state_on_stdin),
		cmocka_unit_test(hook_failure_and_timeout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
