/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The effective health check of a container: the image's Healthcheck
 * with the create flags over it, as Docker merges them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/health.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/xalloc.h"

static int64_t unit_ns(const char *unit, size_t len)
{
	static const struct {
		const char *name;
		int64_t ns;
	} units[] = {{"ns", 1},
		     {"us", 1000},
		     {"ms", 1000000},
		     {"s", 1000000000},
		     {"m", 60LL * 1000000000},
		     {"h", 3600LL * 1000000000}};

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strlen(units[i].name) == len &&
		    strncmp(unit, units[i].name, len) == 0)
			return units[i].ns;
	return 0;
}

/* At most one '.', and a digit somewhere. */
static bool one_number(const char *p, const char *end)
{
	size_t dots = 0, digits = 0;

	for (; p < end; p++)
		if (*p == '.')
			dots++;
		else
			digits++;
	return dots <= 1 && digits > 0;
}

int health_parse_duration(const char *flag, const char *s, int64_t *ret_ns,
			  struct berth_error **err)
{
	const char *p = s;
	int64_t total = 0;

	if (strcmp(s, "0") == 0) {
		*ret_ns = 0;
		return 0;
	}
	while (*p != '\0') {
		const char *end = p + strspn(p, "0123456789.");
		size_t len = 0;
		int64_t unit;
		double v;

		/* Decimal only: strtod() alone takes hex, inf and nan. */
		if (end == p || end - p > 20 || !one_number(p, end))
			goto invalid;
		v = strtod(p, NULL);
		while (end[len] >= 'a' && end[len] <= 'z' && len < 3)
			len++;
		unit = unit_ns(end, len);
		if (unit == 0 || !(v >= 0 && v <= 1e6))
			goto invalid;
		total += (int64_t)(v * (double)unit);
		if (total > HEALTH_DURATION_MAX_NS)
			goto invalid;
		p = end + len;
	}
	if (p == s)
		goto invalid;
	*ret_ns = total;
	return 0;
invalid:
	return berth_error_set(err, 0,
			       "invalid %s '%s': use a duration such as 30s, "
			       "1m30s or 500ms",
			       flag, s);
}

/* Docker's minimum of a health check duration other than 0 (unset). */
#define HEALTH_DURATION_MIN_NS 1000000LL

/*
 * Set a duration that a flag gave. Below 1 ms, an interval would run the
 * check in a busy loop, so Docker rejects it and so does berth.
 */
static int set_duration(json_t *hc, const char *key, const char *flag,
			int64_t ns, struct berth_error **err)
{
	if (ns > 0 && ns < HEALTH_DURATION_MIN_NS)
		return berth_error_set(err, 0,
				       "invalid %s of %lld ns: use 0 for the "
				       "default or at least 1ms",
				       flag, (long long)ns);
	if (ns > 0)
		json_object_set_new(hc, key, json_integer(ns));
	return 0;
}

static bool test_is_none(const json_t *test)
{
	const char *first = json_string_value(json_array_get(test, 0));

	return first != NULL && strcmp(first, "NONE") == 0;
}

int health_config_build(const json_t *image_healthcheck,
			const struct engine_create_options *opts, json_t **ret,
			struct berth_error **err)
{
	_cleanup_json_ json_t *hc = NULL;
	const json_t *test;

	*ret = NULL;
	if (opts->no_healthcheck) {
		if (opts->health_cmd != NULL)
			return berth_error_set(err, 0,
					       "--no-healthcheck conflicts "
					       "with --health-cmd");
		return 0;
	}

	hc = json_is_object(image_healthcheck) ?
		     json_deep_copy(image_healthcheck) :
		     json_object();
	if (opts->health_cmd != NULL)
		json_object_set_new(
			hc, "Test",
			json_pack("[ss]", "CMD-SHELL", opts->health_cmd));
	if (set_duration(hc, "Interval", "--health-interval",
			 opts->health_interval_ns, err) < 0 ||
	    set_duration(hc, "Timeout", "--health-timeout",
			 opts->health_timeout_ns, err) < 0 ||
	    set_duration(hc, "StartPeriod", "--health-start-period",
			 opts->health_start_period_ns, err) < 0 ||
	    set_duration(hc, "StartInterval", "--health-start-interval",
			 opts->health_start_interval_ns, err) < 0)
		return -1;
	if (opts->health_retries > 0)
		json_object_set_new(hc, "Retries",
				    json_integer(opts->health_retries));

	test = json_object_get(hc, "Test");
	if (!json_is_array(test) || json_array_size(test) == 0 ||
	    test_is_none(test))
		return 0;
	if (json_array_size(test) < 2)
		return berth_error_set(
			err, 0,
			"invalid health check: Test needs a "
			"command after '%s'",
			json_string_value(json_array_get(test, 0)));
	*ret = TAKE_PTR(hc);
	return 0;
}

int health_config_load(const char *dir, json_t **ret, struct berth_error **err)
{
	_cleanup_free_ char *path = fs_path_join(dir, "healthcheck.json");

	*ret = NULL;
	if (access(path, F_OK) < 0 && errno == ENOENT)
		return 0;
	return json_parse_file(path, ret, err);
}
