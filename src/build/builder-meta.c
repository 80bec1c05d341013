/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Instructions that only change the image config (ENV, LABEL, USER,
 * EXPOSE, VOLUME, ENTRYPOINT, CMD, STOPSIGNAL, SHELL, HEALTHCHECK,
 * ONBUILD, MAINTAINER) and ARG. They add an empty_layer history entry
 * (ARG none) and extend the cache key chain, so that a later step's
 * key covers them.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "build/build-cache.h"
#include "build/builder-internal.h"
#include "build/expand.h"
#include "engine/env.h"
#include "runtime/runtime.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/strv.h"
#include "util/xalloc.h"

static void extend_key(struct builder *b, struct stage_state *s,
		       const char *text)
{
	char key[DIGEST_STRING_SIZE];

	build_cache_key(s->key, text, s->args, NULL, b->opts->timestamp, key);
	memcpy(s->key, key, sizeof(key));
}

int builder_add_empty(struct builder *b, struct stage_state *s,
		      const char *created_by, struct berth_error **err)
{
	_cleanup_free_ char *text = NULL;

	xasprintf(&text, "/bin/sh -c #(nop) %s", created_by);
	extend_key(b, s, text);
	return image_draft_add(s->draft, NULL, text, NULL, err);
}

int builder_run_arg(struct builder *b, struct stage_state *s,
		    const struct build_instruction *in,
		    struct berth_error **err)
{
	for (size_t i = 0; i < in->n_pairs; i++) {
		const struct build_pair *p = &in->pairs[i];
		_cleanup_free_ char *value = NULL, *entry = NULL;
		const char *given;

		if (!builder_arg_name_valid(p->key))
			return berth_error_set(err, 0,
					       "invalid ARG name '%s': use "
					       "letters, digits and '_', not "
					       "starting with a digit",
					       p->key);

		given = builder_build_arg(b, p->key);
		if (given != NULL)
			value = xstrdup(given);
		else if (p->has_value) {
			if (builder_expand(b, s, p->value, &value, err) < 0)
				return -1;
		} else if (env_get(b->global_args, p->key) != NULL) {
			value = xstrdup(env_get(b->global_args, p->key));
		}

		/* An ARG without any value stays unset, as in Docker. */
		if (value == NULL)
			continue;
		xasprintf(&entry, "%s=%s", p->key, value);
		if (env_set(&s->args, entry, err) < 0)
			return -1;
	}

	extend_key(b, s, in->text);
	return 0;
}

static json_t *object_member(json_t *config, const char *key)
{
	json_t *obj = json_object_get(config, key);

	if (!json_is_object(obj)) {
		obj = json_object();
		json_object_set_new(config, key, obj);
	}
	return obj;
}

static int set_env_pairs(struct builder *b, struct stage_state *s,
			 const struct build_instruction *in, json_t *config,
			 struct berth_error **err)
{
	for (size_t i = 0; i < in->n_pairs; i++) {
		const struct build_pair *p = &in->pairs[i];
		_cleanup_free_ char *value = NULL, *entry = NULL;
		_cleanup_strv_ char **env = NULL;
		json_t *arr = json_object_get(config, "Env"), *v;
		size_t j;

		if (!builder_arg_name_valid(p->key))
			return berth_error_set(err, 0, "invalid ENV name '%s'",
					       p->key);
		if (builder_expand(b, s, p->value, &value, err) < 0)
			return -1;

		env = xzalloc(sizeof(char *));
		json_array_foreach (arr, j, v)
			if (json_is_string(v))
				strv_push(&env, json_string_value(v));
		xasprintf(&entry, "%s=%s", p->key, value);
		if (env_set(&env, entry, err) < 0)
			return -1;

		arr = json_array();
		for (j = 0; env[j] != NULL; j++)
			json_array_append_new(arr, json_string(env[j]));
		json_object_set_new(config, "Env", arr);
	}
	return 0;
}

static int set_labels(struct builder *b, struct stage_state *s,
		      const struct build_instruction *in, json_t *config,
		      struct berth_error **err)
{
	json_t *labels = object_member(config, "Labels");

	for (size_t i = 0; i < in->n_pairs; i++) {
		_cleanup_free_ char *key = NULL, *value = NULL;

		if (builder_expand(b, s, in->pairs[i].key, &key, err) < 0 ||
		    builder_expand(b, s, in->pairs[i].value, &value, err) < 0)
			return -1;
		json_object_set_new(labels, key, json_string(value));
	}
	return 0;
}

static int parse_port(const char *s, unsigned long *ret, const char *spec,
		      struct berth_error **err)
{
	char *end = NULL;

	errno = 0;
	*ret = strtoul(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || errno != 0 || *ret == 0 ||
	    *ret > 65535 || (*end != '\0' && *end != '-' && *end != '/'))
		return berth_error_set(err, 0,
				       "invalid port '%s': use PORT[/tcp|udp] "
				       "or FIRST-LAST[/tcp|udp]",
				       spec);
	return 0;
}

static int expose_one(json_t *ports, const char *spec, struct berth_error **err)
{
	const char *slash = strchr(spec, '/'), *dash;
	const char *proto = slash != NULL ? slash + 1 : "tcp";
	unsigned long first, last;

	if (strcmp(proto, "tcp") != 0 && strcmp(proto, "udp") != 0 &&
	    strcmp(proto, "sctp") != 0)
		return berth_error_set(err, 0,
				       "invalid protocol in '%s': use tcp, "
				       "udp or sctp",
				       spec);
	if (parse_port(spec, &first, spec, err) < 0)
		return -1;
	last = first;
	dash = strchr(spec, '-');
	if (dash != NULL && (slash == NULL || dash < slash) &&
	    (parse_port(dash + 1, &last, spec, err) < 0 || last < first))
		return berth_error_set(err, 0, "invalid port range '%s'", spec);

	for (unsigned long p = first; p <= last; p++) {
		char key[32];

		snprintf(key, sizeof(key), "%lu/%s", p, proto);
		json_object_set_new(ports, key, json_object());
	}
	return 0;
}

static int set_words(struct builder *b, struct stage_state *s,
		     const struct build_instruction *in, json_t *config,
		     const char *key, struct berth_error **err)
{
	json_t *obj = object_member(config, key);

	for (size_t i = 0; in->args != NULL && in->args[i] != NULL; i++) {
		_cleanup_free_ char *word = NULL;

		if (builder_expand(b, s, in->args[i], &word, err) < 0)
			return -1;
		if (word[0] == '\0')
			continue;
		if (strcmp(key, "ExposedPorts") == 0) {
			if (expose_one(obj, word, err) < 0)
				return -1;
		} else {
			json_object_set_new(obj, word, json_object());
		}
	}
	return 0;
}

static json_t *command_json(struct stage_state *s,
			    const struct build_instruction *in)
{
	json_t *arr;

	if (in->json_form)
		return json_strv_array(in->args);
	arr = json_strv_array(s->shell);
	json_array_append_new(
		arr, json_string(in->args != NULL && in->args[0] != NULL ?
					 in->args[0] :
					 ""));
	return arr;
}

/* Parse a Go duration such as "30s", "1m30s" or "500ms" into ns. */
static int parse_duration(const char *s, int64_t *ret, struct berth_error **err)
{
	static const struct {
		const char *unit;
		int64_t ns;
	} units[] = {{"ns", 1},		 {"us", 1000},
		     {"ms", 1000000},	 {"s", 1000000000},
		     {"m", 60000000000}, {"h", 3600000000000}};
	const char *p = s;
	int64_t total = 0;

	while (*p != '\0') {
		char *end = NULL;
		double v = strtod(p, &end);
		size_t best = ARRAY_SIZE(units), best_len = 0;

		if (end == p || v < 0)
			goto invalid;
		for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
			size_t len = strlen(units[i].unit);

			if (strncmp(end, units[i].unit, len) == 0 &&
			    len > best_len) {
				best = i;
				best_len = len;
			}
		}
		if (best == ARRAY_SIZE(units))
			goto invalid;
		total += (int64_t)(v * (double)units[best].ns);
		p = end + best_len;
	}
	if (p == s)
		goto invalid;
	*ret = total;
	return 0;
invalid:
	return berth_error_set(err, 0,
			       "invalid duration '%s': use a number with "
			       "ms, s, m or h, such as 30s",
			       s);
}

static int set_healthcheck(const struct build_instruction *in, json_t *config,
			   struct berth_error **err)
{
	static const struct {
		const char *flag;
		const char *key;
	} durations[] = {{"interval", "Interval"},
			 {"timeout", "Timeout"},
			 {"start-period", "StartPeriod"},
			 {"start-interval", "StartInterval"}};
	json_t *hc = json_pack("{s:o}", "Test", json_strv_array(in->args));
	const char *retries = build_instruction_flag(in, "retries");

	for (size_t i = 0; i < ARRAY_SIZE(durations); i++) {
		const char *v = build_instruction_flag(in, durations[i].flag);
		int64_t ns = 0;

		if (v == NULL)
			continue;
		if (parse_duration(v, &ns, err) < 0) {
			json_decref(hc);
			return -1;
		}
		json_object_set_new(hc, durations[i].key, json_integer(ns));
	}
	if (retries != NULL) {
		char *end = NULL;
		long n = strtol(retries, &end, 10);

		if (retries[0] == '\0' || *end != '\0' || n < 0) {
			json_decref(hc);
			return berth_error_set(err, 0, "invalid --retries '%s'",
					       retries);
		}
		json_object_set_new(hc, "Retries", json_integer(n));
	}
	json_object_set_new(config, "Healthcheck", hc);
	return 0;
}

static int set_shell(struct stage_state *s, const struct build_instruction *in,
		     json_t *config, struct berth_error **err)
{
	if (!in->json_form || strv_length(in->args) == 0)
		return berth_error_set(err, 0,
				       "SHELL needs the JSON form, such as "
				       "[\"/bin/sh\", \"-c\"]");
	strv_free(s->shell);
	s->shell = strv_copy(in->args);
	json_object_set_new(config, "Shell", json_strv_array(in->args));
	return 0;
}

static int set_single(struct builder *b, struct stage_state *s,
		      const struct build_instruction *in, json_t *config,
		      const char *key, struct berth_error **err)
{
	_cleanup_free_ char *word = NULL;
	int signal;

	if (in->args == NULL || in->args[0] == NULL)
		return berth_error_set(err, 0, "missing argument");
	if (builder_expand(b, s, in->args[0], &word, err) < 0)
		return -1;
	if (strcmp(key, "StopSignal") == 0 &&
	    runtime_signal_parse(word, &signal, err) < 0)
		return -1;
	json_object_set_new(config, key, json_string(word));
	return 0;
}

static int edit_config(struct builder *b, struct stage_state *s,
		       const struct build_instruction *in, json_t *config,
		       struct berth_error **err)
{
	switch (in->kind) {
	case BUILD_ENV:
		return set_env_pairs(b, s, in, config, err);
	case BUILD_LABEL:
		return set_labels(b, s, in, config, err);
	case BUILD_USER:
		return set_single(b, s, in, config, "User", err);
	case BUILD_STOPSIGNAL:
		return set_single(b, s, in, config, "StopSignal", err);
	case BUILD_EXPOSE:
		return set_words(b, s, in, config, "ExposedPorts", err);
	case BUILD_VOLUME:
		return set_words(b, s, in, config, "Volumes", err);
	case BUILD_CMD:
		s->cmd_set = true;
		json_object_set_new(config, "Cmd", command_json(s, in));
		return 0;
	case BUILD_ENTRYPOINT:
		/* As Docker: an inherited CMD does not outlive ENTRYPOINT. */
		if (!s->cmd_set)
			json_object_set_new(config, "Cmd", json_null());
		json_object_set_new(config, "Entrypoint", command_json(s, in));
		return 0;
	case BUILD_SHELL:
		return set_shell(s, in, config, err);
	case BUILD_HEALTHCHECK:
		return set_healthcheck(in, config, err);
	case BUILD_ONBUILD:
		if (in->args == NULL || in->args[0] == NULL)
			return berth_error_set(err, 0, "missing trigger");
		if (!json_is_array(json_object_get(config, "OnBuild")))
			json_object_set_new(config, "OnBuild", json_array());
		json_array_append_new(json_object_get(config, "OnBuild"),
				      json_string(in->args[0]));
		return 0;
	case BUILD_MAINTAINER:
		image_draft_set_author(s->draft,
				       in->args != NULL && in->args[0] != NULL ?
					       in->args[0] :
					       "");
		return 0;
	default:
		return berth_error_set(err, ENOTSUP, "unsupported instruction");
	}
}

int builder_run_metadata(struct builder *b, struct stage_state *s,
			 const struct build_instruction *in,
			 struct berth_error **err)
{
	json_t *config = image_draft_config(s->draft);
	_cleanup_free_ char *canonical = NULL, *text = NULL;

	if (edit_config(b, s, in, config, err) < 0)
		return -1;

	/*
	 * The key covers the resulting config, so that a change of an
	 * expanded value (an ENV from a --build-arg) changes later keys.
	 */
	canonical = json_dump_canonical(config);
	xasprintf(&text, "%s\n%s", in->text, canonical);
	extend_key(b, s, text);
	return builder_add_empty(b, s, in->text, err) < 0 ? -1 : 0;
}
