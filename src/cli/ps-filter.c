/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "cli/ps-filter.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/xalloc.h"

static const char *const filter_keys[] = {
	"id",	    "name",  "status", "exited",
	"ancestor", "label", "health", "restart",
};

static const char *const statuses[] = {"created", "running", "paused",
				       "restarting", "exited"};

static const char *const healths[] = {"starting", "healthy", "unhealthy",
				      "none"};

static const char *const restarts[] = {"no", "on-failure", "always",
				       "unless-stopped"};

static bool in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

#define IN_LIST(s, list) in_list(s, list, ARRAY_SIZE(list))

static int check_value(const char *key, const char *value,
		       struct berth_error **err)
{
	regex_t re;
	char *end;

	if (strcmp(key, "status") == 0 && !IN_LIST(value, statuses))
		return berth_error_set(err, 0,
				       "invalid filter 'status=%s': use "
				       "created, running, paused, "
				       "restarting or exited",
				       value);

	if (strcmp(key, "health") == 0 && !IN_LIST(value, healths))
		return berth_error_set(err, 0,
				       "invalid filter 'health=%s': use "
				       "starting, healthy, unhealthy or none",
				       value);

	if (strcmp(key, "restart") == 0 && !IN_LIST(value, restarts))
		return berth_error_set(err, 0,
				       "invalid filter 'restart=%s': use no, "
				       "on-failure, always or unless-stopped",
				       value);

	if (strcmp(key, "exited") == 0 &&
	    (value[0] == '\0' || (strtol(value, &end, 10), *end != '\0')))
		return berth_error_set(err, 0,
				       "invalid filter 'exited=%s': use an "
				       "exit code such as 0 or 137",
				       value);

	if (strcmp(key, "name") == 0) {
		if (regcomp(&re, value, REG_EXTENDED | REG_NOSUB) != 0)
			return berth_error_set(err, 0,
					       "invalid filter 'name=%s': it "
					       "is not a valid regular "
					       "expression",
					       value);
		regfree(&re);
	}
	return 0;
}

int ps_filter_check(const char *filter, struct berth_error **err)
{
	const char *eq = strchr(filter, '=');
	_cleanup_free_ char *key = NULL;

	if (eq == NULL)
		return berth_error_set(err, 0,
				       "invalid filter '%s': use KEY=VALUE, "
				       "such as name=web",
				       filter);

	key = xstrndup(filter, (size_t)(eq - filter));
	if (!IN_LIST(key, filter_keys))
		return berth_error_set(err, 0,
				       "invalid filter '%s': use id, name, "
				       "status, exited, ancestor, label, "
				       "health or restart",
				       key);
	return check_value(key, eq + 1, err);
}

static const char *state_string(const json_t *c, const char *key)
{
	return json_string_value(
		json_object_get(json_object_get(c, "State"), key));
}

static bool name_matches(const json_t *c, const char *pattern)
{
	const char *name = json_string_value(json_object_get(c, "Name"));
	regex_t re;
	bool found;

	if (name == NULL)
		return false;
	if (name[0] == '/')
		name++;

	if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
		return false;
	found = regexec(&re, name, 0, NULL, 0) == 0;
	regfree(&re);
	return found;
}

/*
 * Match the image as given at create, where "busybox" and
 * "busybox:latest" are the same, or a prefix of the image id.
 */
static bool ancestor_matches(const json_t *c, const char *value)
{
	const char *image = json_string_value(json_object_get(c, "Image"));
	const char *ref = json_string_value(
		json_object_get(json_object_get(c, "Config"), "Image"));
	_cleanup_free_ char *ref_latest = NULL, *value_latest = NULL;

	if (ref != NULL) {
		xasprintf(&ref_latest, "%s:latest", ref);
		xasprintf(&value_latest, "%s:latest", value);
		if (strcmp(ref, value) == 0 || strcmp(ref_latest, value) == 0 ||
		    strcmp(ref, value_latest) == 0)
			return true;
	}

	if (strncmp(value, "sha256:", 7) == 0)
		value += 7;
	return image != NULL && strncmp(image, "sha256:", 7) == 0 &&
	       value[0] != '\0' &&
	       strncmp(image + 7, value, strlen(value)) == 0;
}

/* Match "K", a label that is set, or "K=V", one with that value. */
static bool label_matches(const json_t *c, const char *filter)
{
	const json_t *labels =
		json_object_get(json_object_get(c, "Config"), "Labels");
	const char *eq = strchr(filter, '=');
	_cleanup_free_ char *key = NULL;
	const json_t *value;

	key = eq != NULL ? xstrndup(filter, (size_t)(eq - filter)) :
			   xstrdup(filter);
	value = json_object_get(labels, key);
	if (value == NULL)
		return false;
	return eq == NULL || strcmp(json_string_value(value), eq + 1) == 0;
}

/* "none": no health check, or not running (no State.Health). */
static bool health_matches(const json_t *c, const char *value)
{
	const json_t *health =
		json_object_get(json_object_get(c, "State"), "Health");
	const char *status =
		json_string_value(json_object_get(health, "Status"));

	if (status == NULL)
		return strcmp(value, "none") == 0;
	return strcmp(status, value) == 0;
}

static bool restart_matches(const json_t *c, const char *value)
{
	const json_t *policy = json_object_get(json_object_get(c, "HostConfig"),
					       "RestartPolicy");
	const char *name = json_string_value(json_object_get(policy, "Name"));

	if (name == NULL || name[0] == '\0')
		name = "no";
	return strcmp(name, value) == 0;
}

static bool value_matches(const char *key, const char *value, const json_t *c)
{
	const char *id = json_string_value(json_object_get(c, "Id"));
	const char *status = state_string(c, "Status");

	if (strcmp(key, "id") == 0)
		return id != NULL && strncmp(id, value, strlen(value)) == 0;
	if (strcmp(key, "name") == 0)
		return name_matches(c, value);
	if (strcmp(key, "status") == 0)
		return status != NULL && strcmp(status, value) == 0;
	if (strcmp(key, "ancestor") == 0)
		return ancestor_matches(c, value);
	if (strcmp(key, "label") == 0)
		return label_matches(c, value);
	if (strcmp(key, "health") == 0)
		return health_matches(c, value);
	if (strcmp(key, "restart") == 0)
		return restart_matches(c, value);

	/* exited */
	return status != NULL && strcmp(status, "exited") == 0 &&
	       json_integer_value(json_object_get(json_object_get(c, "State"),
						  "ExitCode")) ==
		       strtol(value, NULL, 10);
}

/* Match the filters with key: true when none has it or any matches. */
static bool key_matches(char *const *filters, const char *key, const json_t *c)
{
	size_t len = strlen(key);
	bool seen = false;

	for (size_t i = 0; filters != NULL && filters[i] != NULL; i++) {
		if (strncmp(filters[i], key, len) != 0 ||
		    filters[i][len] != '=')
			continue;

		seen = true;
		if (value_matches(key, filters[i] + len + 1, c))
			return true;
	}
	return !seen;
}

bool ps_filter_match(char *const *filters, const json_t *c)
{
	for (size_t i = 0; i < ARRAY_SIZE(filter_keys); i++)
		if (!key_matches(filters, filter_keys[i], c))
			return false;
	return true;
}
