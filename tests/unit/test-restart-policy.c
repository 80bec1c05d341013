/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine/restart-policy.h"
#include "util/fs.h"

static void parse_modes(void **unused)
{
	struct restart_policy p;

	assert_int_equal(restart_policy_parse("no", &p, NULL), 0);
	assert_int_equal(p.mode, RESTART_NO);
	assert_int_equal(restart_policy_parse("always", &p, NULL), 0);
	assert_int_equal(p.mode, RESTART_ALWAYS);
	assert_int_equal(restart_policy_parse("unless-stopped", &p, NULL), 0);
	assert_int_equal(p.mode, RESTART_UNLESS_STOPPED);
	assert_int_equal(restart_policy_parse("on-failure", &p, NULL), 0);
	assert_int_equal(p.mode, RESTART_ON_FAILURE);
	assert_int_equal(p.max_retries, 0);
	assert_int_equal(restart_policy_parse("on-failure:5", &p, NULL), 0);
	assert_int_equal(p.max_retries, 5);
	assert_string_equal(restart_mode_name(p.mode), "on-failure");
}

static void parse_rejects(void **unused)
{
	static const char *const bad[] = {
		"sometimes",
		"always:3",
		"on-failure:",
		"on-failure:-1",
		"on-failure:x",
		"on-failure:1x",
		"no:1",
		"on-failurex",
		"on-failure:99999999999999999999",
	};
	struct restart_policy p;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct berth_error *err = NULL;

		assert_int_equal(restart_policy_parse(bad[i], &p, &err), -1);
		assert_non_null(err);
		berth_error_free(&err);
	}
}

static void check_conflicts_with_rm(void **unused)
{
	struct berth_error *err = NULL;

	assert_int_equal(restart_policy_check(NULL, true, NULL), 0);
	assert_int_equal(restart_policy_check("no", true, NULL), 0);
	assert_int_equal(restart_policy_check("always", false, NULL), 0);
	assert_int_equal(restart_policy_check("always", true, &err), -1);
	berth_error_free(&err);
}

static void wants(void **unused)
{
	struct restart_policy on3 = {RESTART_ON_FAILURE, 3};
	struct restart_policy on = {RESTART_ON_FAILURE, 0};
	struct restart_policy always = {RESTART_ALWAYS, 0};
	struct restart_policy no = {RESTART_NO, 0};
	struct restart_state s = {0};

	assert_false(restart_policy_wants(&no, &s, 1));
	assert_true(restart_policy_wants(&always, &s, 0));
	assert_false(restart_policy_wants(&on3, &s, 0));
	assert_true(restart_policy_wants(&on3, &s, 1));
	s.count = 3;
	assert_false(restart_policy_wants(&on3, &s, 1));
	assert_true(restart_policy_wants(&on, &s, 1));
	s.manually_stopped = true;
	assert_false(restart_policy_wants(&always, &s, 1));
}

static void wants_boot(void **unused)
{
	struct restart_policy always = {RESTART_ALWAYS, 0};
	struct restart_policy unless = {RESTART_UNLESS_STOPPED, 0};
	struct restart_policy on = {RESTART_ON_FAILURE, 0};
	struct restart_policy no = {RESTART_NO, 0};
	struct restart_state s = {0};

	assert_false(restart_policy_wants_boot(&no, &s, 255));
	assert_true(restart_policy_wants_boot(&unless, &s, 0));
	assert_false(restart_policy_wants_boot(&on, &s, 0));
	assert_true(restart_policy_wants_boot(&on, &s, 255));
	s.manually_stopped = true;
	assert_true(restart_policy_wants_boot(&always, &s, 0));
	assert_false(restart_policy_wants_boot(&unless, &s, 0));
	assert_false(restart_policy_wants_boot(&on, &s, 255));
}

static void delays(void **unused)
{
	assert_int_equal(restart_next_delay(0, 0), 100);
	assert_int_equal(restart_next_delay(100, 1), 200);
	assert_int_equal(restart_next_delay(400, 9), 800);
	assert_int_equal(restart_next_delay(400, 10), 100);
	assert_int_equal(restart_next_delay(40000, 0), RESTART_DELAY_MAX_MS);
	assert_int_equal(restart_next_delay(RESTART_DELAY_MAX_MS, 0),
			 RESTART_DELAY_MAX_MS);
}

static void state_round_trip(void **unused)
{
	char dir[] = "/tmp/berth-restart-XXXXXX";
	struct restart_state s = {7, true, 800}, back;

	assert_non_null(mkdtemp(dir));
	restart_state_load(dir, &back);
	assert_int_equal(back.count, 0);
	assert_false(back.manually_stopped);

	assert_int_equal(restart_state_save(dir, &s, NULL), 0);
	restart_state_load(dir, &back);
	assert_int_equal(back.count, 7);
	assert_true(back.manually_stopped);
	assert_int_equal(back.delay_ms, 800);
	assert_int_equal(fs_rm_rf(dir, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_modes),
		cmocka_unit_test(parse_rejects),
		cmocka_unit_test(check_conflicts_with_rm),
		cmocka_unit_test(wants),
		cmocka_unit_test(wants_boot),
		cmocka_unit_test(delays),
		cmocka_unit_test(state_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
