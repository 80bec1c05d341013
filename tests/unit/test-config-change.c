/* SPDX-License-Identifier: GPL-2.0-or-later */
/* "berth commit --change" instructions applied to an image config. */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "image/config-change.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/json.h"

static json_t *base_config(void)
{
	return json_pack("{s:[s, s], s:[s], s:s, s:{s:s}}", "Env", "PATH=/bin",
			 "HOME=/root", "Cmd", "sh", "WorkingDir", "/srv",
			 "Labels", "keep", "yes");
}

static void apply_ok(json_t *config, const char *change)
{
	struct berth_error *err = NULL;

	if (image_config_change(config, change, &err) < 0)
		fail_msg("'%s': %s", change, err->msg);
}

/* Apply change and check the member key against expected JSON. */
static void expect_member(const char *change, const char *key,
			  const char *expected)
{
	_cleanup_json_ json_t *config = base_config();
	_cleanup_json_ json_t *want =
		json_loads(expected, JSON_DECODE_ANY, NULL);
	_cleanup_free_ char *got = NULL;

	assert_non_null(want);
	apply_ok(config, change);
	if (!json_equal(json_object_get(config, key), want)) {
		got = json_dump_canonical(json_object_get(config, key));
		fail_msg("'%s': %s is %s, expected %s", change, key, got,
			 expected);
	}
}

static void expect_error(const char *change, const char *fragment)
{
	_cleanup_json_ json_t *config = base_config();
	_cleanup_json_ json_t *before = json_deep_copy(config);
	struct berth_error *err = NULL;

	assert_int_equal(image_config_change(config, change, &err), -1);
	assert_non_null(err);
	if (strstr(err->msg, fragment) == NULL)
		fail_msg("'%s': message '%s' lacks '%s'", change, err->msg,
			 fragment);
	assert_true(json_equal(config, before));
	berth_error_free(&err);
}

static void cmd_and_entrypoint(void **state)
{
	expect_member("CMD [\"echo\", \"a b\"]", "Cmd", "[\"echo\", \"a b\"]");
	expect_member("CMD echo \"a b\"", "Cmd",
		      "[\"/bin/sh\", \"-c\", \"echo \\\"a b\\\"\"]");
	expect_member("cmd\t[\"x\"]  ", "Cmd", "[\"x\"]");
	expect_member("ENTRYPOINT [\"/init\"]", "Entrypoint", "[\"/init\"]");
	/* Not a JSON array of strings: the shell form, as in a Dockerfile. */
	expect_member("CMD [1, 2]", "Cmd", "[\"/bin/sh\", \"-c\", \"[1, 2]\"]");
}

static void env(void **state)
{
	expect_member("ENV A=1 B=\"two words\"", "Env",
		      "[\"PATH=/bin\", \"HOME=/root\", \"A=1\", "
		      "\"B=two words\"]");
	expect_member("ENV PATH=/usr/bin:/bin", "Env",
		      "[\"PATH=/usr/bin:/bin\", \"HOME=/root\"]");
	expect_member("ENV GREETING hello world", "Env",
		      "[\"PATH=/bin\", \"HOME=/root\", "
		      "\"GREETING=hello world\"]");
	expect_member("ENV Q 'single'", "Env",
		      "[\"PATH=/bin\", \"HOME=/root\", \"Q=single\"]");
	expect_member("ENV E=a\\ b", "Env",
		      "[\"PATH=/bin\", \"HOME=/root\", \"E=a b\"]");
}

static void labels_ports_volumes(void **state)
{
	expect_member("LABEL a=1 \"b c\"=2", "Labels",
		      "{\"keep\": \"yes\", \"a\": \"1\", \"b c\": \"2\"}");
	expect_member("EXPOSE 80 53/udp", "ExposedPorts",
		      "{\"80/tcp\": {}, \"53/udp\": {}}");
	expect_member("VOLUME /data /logs", "Volumes",
		      "{\"/data\": {}, \"/logs\": {}}");
	expect_member("VOLUME [\"/data\"]", "Volumes", "{\"/data\": {}}");
}

static void workdir_user_stopsignal(void **state)
{
	expect_member("WORKDIR /app", "WorkingDir", "\"/app\"");
	expect_member("WORKDIR sub", "WorkingDir", "\"/srv/sub\"");
	expect_member("USER 1000:1000", "User", "\"1000:1000\"");
	expect_member("STOPSIGNAL SIGINT", "StopSignal", "\"SIGINT\"");
	expect_member("STOPSIGNAL 9", "StopSignal", "\"9\"");
}

static void invalid_changes(void **state)
{
	expect_error("RUN rm -rf /", "unsupported instruction 'RUN'");
	expect_error("CMD", "expected INSTRUCTION ARGUMENTS");
	expect_error("   ", "expected INSTRUCTION ARGUMENTS");
	expect_error("ENV A=\"open", "unterminated \" quote");
	expect_error("ENV =x", "expected KEY=VALUE");
	expect_error("LABEL novalue", "'novalue': expected KEY=VALUE");
	expect_error("EXPOSE 0", "invalid port '0'");
	expect_error("EXPOSE 70000", "invalid port '70000'");
	expect_error("EXPOSE 80/icmp", "invalid protocol in '80/icmp'");
	expect_error("EXPOSE 80 bad", "invalid port 'bad'");
	expect_error("VOLUME data", "volume 'data' is not an absolute path");
	expect_error("STOPSIGNAL SIG;rm", "invalid signal 'SIG;rm'");
	expect_error("CMD a\nb", "spans several lines");
	expect_error("CMD \xff", "not valid UTF-8");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cmd_and_entrypoint),
		cmocka_unit_test(env),
		cmocka_unit_test(labels_ports_volumes),
		cmocka_unit_test(workdir_user_stopsignal),
		cmocka_unit_test(invalid_changes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
