/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdbool.h>
#include <string.h>

#include "compose/merge.h"
#include "util/cleanup.h"

enum merge_rule {
	MERGE_DEFAULT, /* mappings recurse, anything else is replaced */
	MERGE_UNIQUE,  /* append entries not already present */
	MERGE_BY_KEY,  /* replace the entry with the same key field */
};

struct list_rule {
	const char *key;
	enum merge_rule rule;
	const char *field; /* for MERGE_BY_KEY */
};

/* Sequences of a service that do not simply replace the earlier one. */
static const struct list_rule service_lists[] = {
	{"cap_add", MERGE_UNIQUE, NULL},
	{"cap_drop", MERGE_UNIQUE, NULL},
	{"devices", MERGE_UNIQUE, NULL},
	{"dns", MERGE_UNIQUE, NULL},
	{"dns_opt", MERGE_UNIQUE, NULL},
	{"dns_search", MERGE_UNIQUE, NULL},
	{"env_file", MERGE_BY_KEY, "path"},
	{"expose", MERGE_UNIQUE, NULL},
	{"extra_hosts", MERGE_UNIQUE, NULL},
	{"ports", MERGE_UNIQUE, NULL},
	{"profiles", MERGE_UNIQUE, NULL},
	{"security_opt", MERGE_UNIQUE, NULL},
	{"tmpfs", MERGE_UNIQUE, NULL},
	{"volumes", MERGE_BY_KEY, "target"},
};

static void merge_value(json_t *base, const char *key, const json_t *value);

static void merge_objects(json_t *base, const json_t *override)
{
	const char *key;
	json_t *v;

	json_object_foreach ((json_t *) override, key, v)
		merge_value(base, key, v);
}

static void merge_value(json_t *base, const char *key, const json_t *value)
{
	json_t *old = json_object_get(base, key);

	if (json_is_object(old) && json_is_object(value)) {
		merge_objects(old, value);
		return;
	}
	json_object_set_new(base, key, json_deep_copy(value));
}

static bool array_contains(const json_t *array, const json_t *value)
{
	json_t *v;
	size_t i;

	json_array_foreach (array, i, v) {
		if (json_equal(v, value))
			return true;
	}
	return false;
}

static void merge_unique(json_t *base, const json_t *override)
{
	json_t *v;
	size_t i;

	json_array_foreach (override, i, v) {
		if (!array_contains(base, v))
			json_array_append_new(base, json_deep_copy(v));
	}
}

static void merge_by_key(json_t *base, const json_t *override,
			 const char *field)
{
	json_t *v;
	size_t i;

	json_array_foreach (override, i, v) {
		json_t *key = json_object_get(v, field);
		bool replaced = false;
		json_t *old;
		size_t j;

		json_array_foreach (base, j, old) {
			if (key != NULL &&
			    json_equal(json_object_get(old, field), key)) {
				json_array_set_new(base, j, json_deep_copy(v));
				replaced = true;
				break;
			}
		}
		if (!replaced)
			json_array_append_new(base, json_deep_copy(v));
	}
}

static const struct list_rule *find_rule(const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(service_lists); i++) {
		if (strcmp(service_lists[i].key, key) == 0)
			return &service_lists[i];
	}
	return NULL;
}

static void merge_service(json_t *base, const json_t *override)
{
	const char *key;
	json_t *v;

	json_object_foreach ((json_t *) override, key, v) {
		const struct list_rule *rule = find_rule(key);
		json_t *old = json_object_get(base, key);

		if (rule == NULL || !json_is_array(old) || !json_is_array(v)) {
			merge_value(base, key, v);
			continue;
		}
		if (rule->rule == MERGE_UNIQUE)
			merge_unique(old, v);
		else
			merge_by_key(old, v, rule->field);
	}
}

void compose_merge(json_t *base, const json_t *override)
{
	const json_t *services = json_object_get(override, "services");
	json_t *base_services = json_object_get(base, "services");
	const char *key;
	json_t *v;

	json_object_foreach ((json_t *) override, key, v) {
		if (strcmp(key, "services") != 0)
			merge_value(base, key, v);
	}
	if (services == NULL)
		return;
	if (base_services == NULL) {
		base_services = json_object();
		json_object_set_new(base, "services", base_services);
	}

	json_object_foreach ((json_t *)services, key, v) {
		json_t *old = json_object_get(base_services, key);

		if (old == NULL)
			json_object_set_new(base_services, key,
					    json_deep_copy(v));
		else
			merge_service(old, v);
	}
}
