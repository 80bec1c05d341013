/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "engine/restart-policy.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"

#define RESTART_FILE "restart.json"

static int parse_retries(const char *s, int64_t *ret, struct berth_error **err)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || errno != 0 || v < 0)
		return berth_error_set(err, 0,
				       "invalid maximum retry count '%s' in "
				       "--restart: expected a number such as "
				       "on-failure:3",
				       s);
	*ret = v;
	return 0;
}

int restart_policy_parse(const char *s, struct restart_policy *ret,
			 struct berth_error **err)
{
	const char *colon = strchr(s, ':');
	size_t len = colon != NULL ? (size_t)(colon - s) : strlen(s);

	*ret = (struct restart_policy){RESTART_NO, 0};
	if (len == 10 && strncmp(s, "on-failure", len) == 0) {
		ret->mode = RESTART_ON_FAILURE;
		return colon != NULL ? parse_retries(colon + 1,
						     &ret->max_retries, err) :
				       0;
	}

	if (colon == NULL && (strcmp(s, "no") == 0 || *s == '\0'))
		return 0;
	if (colon == NULL && strcmp(s, "always") == 0)
		ret->mode = RESTART_ALWAYS;
	else if (colon == NULL && strcmp(s, "unless-stopped") == 0)
		ret->mode = RESTART_UNLESS_STOPPED;
	else
		return berth_error_set(err, 0,
				       "invalid --restart '%s': use no, "
				       "on-failure[:N], always or "
				       "unless-stopped",
				       s);
	return 0;
}

int restart_policy_check(const char *s, bool auto_remove,
			 struct berth_error **err)
{
	struct restart_policy policy;

	if (s == NULL)
		return 0;
	if (restart_policy_parse(s, &policy, err) < 0)
		return -1;
	if (policy.mode != RESTART_NO && auto_remove)
		return berth_error_set(err, 0,
				       "--restart %s conflicts with --rm: "
				       "use one of them",
				       s);
	return 0;
}

const char *restart_mode_name(enum restart_mode mode)
{
	switch (mode) {
	case RESTART_NO:
		return "no";
	case RESTART_ON_FAILURE:
		return "on-failure";
	case RESTART_ALWAYS:
		return "always";
	case RESTART_UNLESS_STOPPED:
		return "unless-stopped";
	}
	return "no";
}

void restart_state_load(const char *dir, struct restart_state *ret)
{
	_cleanup_free_ char *path = fs_path_join(dir, RESTART_FILE);
	_cleanup_json_ json_t *j = NULL;

	*ret = (struct restart_state){0};
	if (json_parse_file(path, &j, NULL) < 0)
		return;

	ret->count = json_integer_value(json_object_get(j, "restart_count"));
	ret->manually_stopped =
		json_is_true(json_object_get(j, "manually_stopped"));
	ret->delay_ms = json_integer_value(json_object_get(j, "delay_ms"));
	if (ret->count < 0)
		ret->count = 0;
	if (ret->delay_ms < 0 || ret->delay_ms > RESTART_DELAY_MAX_MS)
		ret->delay_ms = 0;
}

int restart_state_save(const char *dir, const struct restart_state *state,
		       struct berth_error **err)
{
	_cleanup_free_ char *path = fs_path_join(dir, RESTART_FILE);
	_cleanup_json_ json_t *j = NULL;

	j = json_pack("{s:I, s:b, s:I}", "restart_count",
		      (json_int_t)state->count, "manually_stopped",
		      state->manually_stopped, "delay_ms",
		      (json_int_t)state->delay_ms);
	return json_write_file_atomic(path, j, err);
}

bool restart_policy_wants(const struct restart_policy *policy,
			  const struct restart_state *state, int exit_code)
{
	if (state->manually_stopped)
		return false;

	switch (policy->mode) {
	case RESTART_NO:
		return false;
	case RESTART_ON_FAILURE:
		return exit_code != 0 && (policy->max_retries == 0 ||
					  state->count < policy->max_retries);
	case RESTART_ALWAYS:
	case RESTART_UNLESS_STOPPED:
		return true;
	}
	return false;
}

bool restart_policy_wants_boot(const struct restart_policy *policy,
			       const struct restart_state *state, int exit_code)
{
	switch (policy->mode) {
	case RESTART_NO:
		return false;
	case RESTART_ALWAYS:
		return true;
	case RESTART_UNLESS_STOPPED:
		return !state->manually_stopped;
	case RESTART_ON_FAILURE:
		return !state->manually_stopped && exit_code != 0;
	}
	return false;
}

int64_t restart_next_delay(int64_t last_delay_ms, int64_t ran_seconds)
{
	if (last_delay_ms <= 0 || ran_seconds >= RESTART_RESET_AFTER_S)
		return RESTART_DELAY_FIRST_MS;
	if (last_delay_ms >= RESTART_DELAY_MAX_MS / 2)
		return RESTART_DELAY_MAX_MS;
	return last_delay_ms * 2;
}
