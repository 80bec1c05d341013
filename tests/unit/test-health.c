/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "engine/health.h"
#include "util/error.h"

static void durations(void **unused)
{
	struct berth_error *err = NULL;
	char *text;
	int64_t ns;

	assert_int_equal(health_parse_duration("f", "30s", &ns, &err), 0);
	assert_int_equal(ns, 30000000000LL);
	assert_int_equal(health_parse_duration("f", "1m30s", &ns, &err), 0);
	assert_int_equal(ns, 90000000000LL);
	assert_int_equal(health_parse_duration("f", "500ms", &ns, &err), 0);
	assert_int_equal(ns, 500000000LL);
	assert_int_equal(health_parse_duration("f", "1.5h", &ns, &err), 0);
	assert_int_equal(ns, 5400000000000LL);
	assert_int_equal(health_parse_duration("f", "0", &ns, &err), 0);
	assert_int_equal(ns, 0);

	static const char *const bad[] = {"",	 "5",	  "s",
					  "-1s", "1..5s", "0x1p3s",
					  "nan", "5d",	  "9999999h"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(health_parse_duration("--health-timeout",
						       bad[i], &ns, &err),
				 -1);
		text = berth_error_text(err);
		assert_non_null(strstr(text, "--health-timeout"));
		free(text);
		berth_error_free(&err);
	}
}

static json_t *image_check(void)
{
	return json_pack("{s:[ss],s:I,s:i}", "Test", "CMD", "/bin/check",
			 "Interval", (json_int_t)1000000000, "Retries", 5);
}

static void flags_override_the_image(void **unused)
{
	struct engine_create_options opts;
	struct berth_error *err = NULL;
	json_t *image = image_check(), *hc = NULL;

	engine_create_options_init(&opts);
	opts.health_cmd = "true";
	opts.health_timeout_ns = 2000000000;
	assert_int_equal(health_config_build(image, &opts, &hc, &err), 0);
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(hc, "Test"), 0)),
			    "CMD-SHELL");
	assert_int_equal(json_integer_value(json_object_get(hc, "Interval")),
			 1000000000);
	assert_int_equal(json_integer_value(json_object_get(hc, "Timeout")),
			 2000000000);
	assert_int_equal(json_integer_value(json_object_get(hc, "Retries")), 5);
	/* The image's object is not changed. */
	assert_null(json_object_get(image, "Timeout"));
	json_decref(hc);
	json_decref(image);
}

static void none_and_no_healthcheck(void **unused)
{
	struct engine_create_options opts;
	struct berth_error *err = NULL;
	json_t *image = image_check(), *none, *hc = image;

	engine_create_options_init(&opts);
	opts.no_healthcheck = true;
	assert_int_equal(health_config_build(image, &opts, &hc, &err), 0);
	assert_null(hc);

	opts.health_cmd = "true";
	assert_int_equal(health_config_build(image, &opts, &hc, &err), -1);
	berth_error_free(&err);

	engine_create_options_init(&opts);
	none = json_pack("{s:[s]}", "Test", "NONE");
	assert_int_equal(health_config_build(none, &opts, &hc, &err), 0);
	assert_null(hc);
	assert_int_equal(health_config_build(NULL, &opts, &hc, &err), 0);
	assert_null(hc);

	json_array_remove(json_object_get(image, "Test"), 1);
	assert_int_equal(health_config_build(image, &opts, &hc, &err), -1);
	berth_error_free(&err);
	json_decref(none);
	json_decref(image);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(durations),
		cmocka_unit_test(flags_override_the_image),
		cmocka_unit_test(none_and_no_healthcheck),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
