/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "build/strbuf.h"
#include "compose/compose.h"
#include "compose/yaml-load.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/xalloc.h"

/* The top-level keys come in this order, as docker compose prints them. */
static const char *const top_order[] = {
	"name",
	"services",
	"networks",
	"volumes",
};

static int compare_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Double each '$' so that the output reads back without interpolation. */
static json_t *escaped_string(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	json_t *out;

	for (const char *p = s; *p != '\0'; p++) {
		if (*p == '$')
			strbuf_append_char(&sb, '$');
		strbuf_append_char(&sb, *p);
	}
	out = json_string(strbuf_str(&sb));
	strbuf_release(&sb);
	return out;
}

/*
 * A deep copy whose mappings contain their keys in name order and whose
 * strings have '$' escaped, as docker compose config prints them.
 */
static json_t *sorted_copy(const json_t *j)
{
	json_t *out;
	const char *key;
	json_t *v;
	size_t i;

	if (json_is_string(j))
		return escaped_string(json_string_value(j));

	if (json_is_array(j)) {
		out = json_array();
		json_array_foreach (j, i, v)
			json_array_append_new(out, sorted_copy(v));
		return out;
	}
	if (!json_is_object(j))
		return json_deep_copy(j);

	_cleanup_free_ const char **keys =
		xcalloc(json_object_size(j) + 1, sizeof(char *));
	size_t n = 0;

	json_object_foreach ((json_t *)j, key, v)
		keys[n++] = key;
	qsort(keys, n, sizeof(*keys), compare_keys);
	out = json_object();
	for (i = 0; i < n; i++)
		json_object_set_new(out, keys[i],
				    sorted_copy(json_object_get(j, keys[i])));
	return out;
}

static json_t *ordered_config(const json_t *config)
{
	_cleanup_json_ json_t *sorted = sorted_copy(config);
	json_t *out = json_object();
	const char *key;
	json_t *v;

	for (size_t i = 0; i < ARRAY_SIZE(top_order); i++) {
		v = json_object_get(sorted, top_order[i]);
		if (v != NULL)
			json_object_set(out, top_order[i], v);
	}
	json_object_foreach (sorted, key, v) {
		if (json_object_get(out, key) == NULL)
			json_object_set(out, key, v);
	}
	return out;
}

/* Whether a plain scalar s would read back as something else. */
static bool needs_quotes(const char *s)
{
	_cleanup_json_ json_t *parsed = NULL;
	struct berth_error *err = NULL;

	if (*s == '\0')
		return true;
	if (yaml_load_buffer(s, strlen(s), "", &parsed, &err) < 0) {
		berth_error_free(&err);
		return true;
	}
	return !json_is_string(parsed) ||
	       strcmp(json_string_value(parsed), s) != 0;
}

static int emit_scalar(yaml_emitter_t *e, const char *text, bool quote)
{
	yaml_event_t ev;

	yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)text,
				     (int)strlen(text), !quote, 1,
				     quote ? YAML_DOUBLE_QUOTED_SCALAR_STYLE :
					     YAML_ANY_SCALAR_STYLE);
	return yaml_emitter_emit(e, &ev) ? 0 : -1;
}

static int emit_node(yaml_emitter_t *e, const json_t *j)
{
	yaml_event_t ev;
	char text[64];
	const char *key;
	json_t *v;
	size_t i;

	switch (json_typeof(j)) {
	case JSON_OBJECT:
		yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
						    YAML_BLOCK_MAPPING_STYLE);
		if (!yaml_emitter_emit(e, &ev))
			return -1;
		json_object_foreach ((json_t *)j, key, v) {
			if (emit_scalar(e, key, needs_quotes(key)) < 0 ||
			    emit_node(e, v) < 0)
				return -1;
		}
		yaml_mapping_end_event_initialize(&ev);
		return yaml_emitter_emit(e, &ev) ? 0 : -1;
	case JSON_ARRAY:
		yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
						     YAML_BLOCK_SEQUENCE_STYLE);
		if (!yaml_emitter_emit(e, &ev))
			return -1;
		json_array_foreach (j, i, v) {
			if (emit_node(e, v) < 0)
				return -1;
		}
		yaml_sequence_end_event_initialize(&ev);
		return yaml_emitter_emit(e, &ev) ? 0 : -1;
	case JSON_STRING:
		return emit_scalar(e, json_string_value(j),
				   needs_quotes(json_string_value(j)));
	case JSON_INTEGER:
		snprintf(text, sizeof(text), "%" JSON_INTEGER_FORMAT,
			 json_integer_value(j));
		return emit_scalar(e, text, false);
	case JSON_REAL:
		snprintf(text, sizeof(text), "%.15g", json_real_value(j));
		return emit_scalar(e, text, false);
	case JSON_TRUE:
		return emit_scalar(e, "true", false);
	case JSON_FALSE:
		return emit_scalar(e, "false", false);
	default:
		return emit_scalar(e, "null", false);
	}
}

static int write_handler(void *data, unsigned char *buffer, size_t size)
{
	return fwrite(buffer, 1, size, data) == size;
}

static int write_yaml(const json_t *config, FILE *out, struct berth_error **err)
{
	yaml_emitter_t e;
	yaml_event_t ev;
	int ok;

	if (!yaml_emitter_initialize(&e))
		return berth_error_set(err, ENOMEM, "YAML emitter");
	yaml_emitter_set_output(&e, write_handler, out);
	yaml_emitter_set_unicode(&e, 1);
	yaml_emitter_set_width(&e, -1);

	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	ok = yaml_emitter_emit(&e, &ev);
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
	ok = ok && yaml_emitter_emit(&e, &ev);
	ok = ok && emit_node(&e, config) == 0;
	yaml_document_end_event_initialize(&ev, 1);
	ok = ok && yaml_emitter_emit(&e, &ev);
	yaml_stream_end_event_initialize(&ev);
	ok = ok && yaml_emitter_emit(&e, &ev);

	if (!ok) {
		int r = berth_error_set(err, 0, "write the configuration: %s",
					e.problem ? e.problem : "YAML error");

		yaml_emitter_delete(&e);
		return r;
	}
	yaml_emitter_delete(&e);
	return 0;
}

int compose_write_config(const struct compose_project *p, bool json, FILE *out,
			 struct berth_error **err)
{
	_cleanup_json_ json_t *config = ordered_config(p->config);
	_cleanup_json_ json_t *services =
		json_deep_copy(json_object_get(config, "services"));

	/* As docker compose, leave out the services no profile enables. */
	for (size_t i = 0; i < p->n_services; i++) {
		if (p->services[i].disabled)
			json_object_del(services, p->services[i].name);
	}
	if (services != NULL)
		json_object_set(config, "services", services);

	if (json) {
		if (json_dumpf(config, out, JSON_INDENT(2)) < 0)
			return berth_error_set(err, errno,
					       "write the configuration");
		fputc('\n', out);
		return 0;
	}
	return write_yaml(config, out, err);
}
