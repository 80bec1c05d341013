/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "image/config-change.h"

#include <ctype.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/cleanup.h"
#include "util/json.h"
#include "util/strv.h"
#include "util/xalloc.h"

/* Limits keep a hostile --change from making a huge config. */
#define CHANGE_MAX_LEN (64 * 1024)

static const char *skip_space(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/*
 * Split s into words at blanks; '"' and '\'' quote, '\' escapes the
 * next character (inside '\'' quotes it is literal), as in a
 * Dockerfile's ENV and LABEL.
 */
static int split_words(const char *s, char ***ret, struct berth_error **err)
{
	_cleanup_strv_ char **words = xzalloc(sizeof(char *));
	_cleanup_free_ char *word = xmalloc(strlen(s) + 1);

	s = skip_space(s);
	while (*s != '\0') {
		size_t n = 0;
		char quote = 0;

		for (; *s != '\0'; s++) {
			if (quote == 0 && (*s == ' ' || *s == '\t'))
				break;
			if (*s == '\\' && quote != '\'' && s[1] != '\0') {
				word[n++] = *++s;
			} else if (quote == 0 && (*s == '"' || *s == '\'')) {
				quote = *s;
			} else if (quote != 0 && *s == quote) {
				quote = 0;
			} else {
				word[n++] = *s;
			}
		}
		if (quote != 0)
			return berth_error_set(err, 0, "unterminated %c quote",
					       quote);
		word[n] = '\0';
		strv_push(&words, word);
		s = skip_space(s);
	}

	*ret = TAKE_PTR(words);
	return 0;
}

/*
 * The exec form, a JSON array of strings, or NULL when s is not one
 * (then the shell form applies, as in a Dockerfile).
 */
static json_t *parse_exec_form(const char *s)
{
	json_t *j;
	json_t *item;
	size_t i;

	if (*s != '[')
		return NULL;
	j = json_loads(s, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_array(j)) {
		json_decref(j);
		return NULL;
	}
	json_array_foreach (j, i, item) {
		if (!json_is_string(item)) {
			json_decref(j);
			return NULL;
		}
	}
	return j;
}

static json_t *parse_command(const char *arg)
{
	json_t *exec = parse_exec_form(arg);

	if (exec != NULL)
		return exec;
	return json_pack("[s, s, s]", "/bin/sh", "-c", arg);
}

/* Split "KEY=VALUE" words, or one "KEY VALUE" pair when allowed. */
static int parse_pairs(const char *arg, bool allow_space_form, json_t **ret,
		       struct berth_error **err)
{
	_cleanup_strv_ char **words = NULL;
	_cleanup_json_ json_t *pairs = json_object();
	const char *first_end = arg + strcspn(arg, " \t=");

	if (allow_space_form && *first_end != '=') {
		_cleanup_free_ char *key = xstrndup(arg, first_end - arg);
		_cleanup_strv_ char **rest = NULL;
		const char *value = skip_space(first_end);

		if (key[0] == '\0' || *value == '\0')
			return berth_error_set(err, 0,
					       "expected KEY=VALUE or KEY "
					       "VALUE");
		if (split_words(value, &rest, err) < 0)
			return -1;
		/* One word loses its quotes; several stay as written. */
		json_object_set_new(
			pairs, key,
			json_string(strv_length(rest) == 1 ? rest[0] : value));
		*ret = TAKE_PTR(pairs);
		return 0;
	}

	if (split_words(arg, &words, err) < 0)
		return -1;
	for (size_t i = 0; words[i] != NULL; i++) {
		char *eq = strchr(words[i], '=');

		if (eq == NULL || eq == words[i])
			return berth_error_set(
				err, 0, "'%s': expected KEY=VALUE", words[i]);
		*eq = '\0';
		json_object_set_new(pairs, words[i], json_string(eq + 1));
	}
	*ret = TAKE_PTR(pairs);
	return 0;
}

static int change_env(json_t *config, const char *arg, struct berth_error **err)
{
	_cleanup_json_ json_t *pairs = NULL;
	json_t *env = json_object_get(config, "Env");
	const char *key;
	json_t *value;

	if (parse_pairs(arg, true, &pairs, err) < 0)
		return -1;

	if (!json_is_array(env)) {
		env = json_array();
		json_object_set_new(config, "Env", env);
	}

	json_object_foreach (pairs, key, value) {
		_cleanup_free_ char *entry = NULL;
		size_t klen = strlen(key);
		json_t *old;
		size_t i;
		bool replaced = false;

		xasprintf(&entry, "%s=%s", key, json_string_value(value));
		json_array_foreach (env, i, old) {
			const char *s = json_string_value(old);

			if (s != NULL && strncmp(s, key, klen) == 0 &&
			    s[klen] == '=') {
				json_array_set_new(env, i, json_string(entry));
				replaced = true;
				break;
			}
		}
		if (!replaced)
			json_array_append_new(env, json_string(entry));
	}
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

static int change_label(json_t *config, const char *arg,
			struct berth_error **err)
{
	_cleanup_json_ json_t *pairs = NULL;

	if (parse_pairs(arg, false, &pairs, err) < 0)
		return -1;
	json_object_update(object_member(config, "Labels"), pairs);
	return 0;
}

static int check_port(const char *word, struct berth_error **err)
{
	const char *slash = strchr(word, '/');
	size_t digits = strspn(word, "0123456789");
	long port = strtol(word, NULL, 10);

	if (digits == 0 || digits > 5 || port < 1 || port > 65535 ||
	    (word[digits] != '\0' && word[digits] != '/'))
		return berth_error_set(err, 0,
				       "invalid port '%s': expected "
				       "PORT[/tcp|udp|sctp]",
				       word);
	if (slash != NULL && strcmp(slash, "/tcp") != 0 &&
	    strcmp(slash, "/udp") != 0 && strcmp(slash, "/sctp") != 0)
		return berth_error_set(err, 0,
				       "invalid protocol in '%s': expected "
				       "tcp, udp or sctp",
				       word);
	return 0;
}

static int change_expose(json_t *config, const char *arg,
			 struct berth_error **err)
{
	_cleanup_strv_ char **words = NULL;
	json_t *ports;

	if (split_words(arg, &words, err) < 0)
		return -1;
	for (size_t i = 0; words[i] != NULL; i++)
		if (check_port(words[i], err) < 0)
			return -1;

	ports = object_member(config, "ExposedPorts");
	for (size_t i = 0; words[i] != NULL; i++) {
		_cleanup_free_ char *key = NULL;

		if (strchr(words[i], '/') != NULL)
			key = xstrdup(words[i]);
		else
			xasprintf(&key, "%s/tcp", words[i]);
		json_object_set_new(ports, key, json_object());
	}
	return 0;
}

static int change_volume(json_t *config, const char *arg,
			 struct berth_error **err)
{
	_cleanup_json_ json_t *list = parse_exec_form(arg);
	_cleanup_strv_ char **words = NULL;
	json_t *volumes;
	json_t *item;
	size_t i;

	if (list == NULL) {
		if (split_words(arg, &words, err) < 0)
			return -1;
		list = json_array();
		for (i = 0; words[i] != NULL; i++)
			json_array_append_new(list, json_string(words[i]));
	}

	json_array_foreach (list, i, item)
		if (json_string_value(item)[0] != '/')
			return berth_error_set(err, 0,
					       "volume '%s' is not an absolute "
					       "path",
					       json_string_value(item));

	volumes = object_member(config, "Volumes");
	json_array_foreach (list, i, item)
		json_object_set_new(volumes, json_string_value(item),
				    json_object());
	return 0;
}

static int change_workdir(json_t *config, const char *arg,
			  struct berth_error **err)
{
	const char *old =
		json_string_value(json_object_get(config, "WorkingDir"));
	_cleanup_free_ char *dir = NULL;

	if (arg[0] == '/')
		dir = xstrdup(arg);
	else
		xasprintf(&dir, "%s/%s",
			  old != NULL && old[0] == '/' ? old : "", arg);
	json_object_set_new(config, "WorkingDir", json_string(dir));
	return 0;
}

static int change_stopsignal(json_t *config, const char *arg,
			     struct berth_error **err)
{
	const char *name = strncasecmp(arg, "SIG", 3) == 0 ? arg + 3 : arg;
	size_t digits = strspn(arg, "0123456789");

	if (digits > 0 && digits < 3 && arg[digits] == '\0' &&
	    strtol(arg, NULL, 10) < NSIG) {
		json_object_set_new(config, "StopSignal", json_string(arg));
		return 0;
	}
	for (const char *p = name; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '+' && *p != '-')
			return berth_error_set(err, 0, "invalid signal '%s'",
					       arg);
	if (*name == '\0')
		return berth_error_set(err, 0, "invalid signal '%s'", arg);
	json_object_set_new(config, "StopSignal", json_string(arg));
	return 0;
}

static int apply(json_t *config, const char *keyword, const char *arg,
		 struct berth_error **err)
{
	if (strcasecmp(keyword, "CMD") == 0) {
		json_object_set_new(config, "Cmd", parse_command(arg));
	} else if (strcasecmp(keyword, "ENTRYPOINT") == 0) {
		json_object_set_new(config, "Entrypoint", parse_command(arg));
	} else if (strcasecmp(keyword, "ENV") == 0) {
		return change_env(config, arg, err);
	} else if (strcasecmp(keyword, "LABEL") == 0) {
		return change_label(config, arg, err);
	} else if (strcasecmp(keyword, "EXPOSE") == 0) {
		return change_expose(config, arg, err);
	} else if (strcasecmp(keyword, "VOLUME") == 0) {
		return change_volume(config, arg, err);
	} else if (strcasecmp(keyword, "WORKDIR") == 0) {
		return change_workdir(config, arg, err);
	} else if (strcasecmp(keyword, "USER") == 0) {
		json_object_set_new(config, "User", json_string(arg));
	} else if (strcasecmp(keyword, "STOPSIGNAL") == 0) {
		return change_stopsignal(config, arg, err);
	} else {
		return berth_error_set(err, 0,
				       "unsupported instruction '%s': expected "
				       "CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, "
				       "STOPSIGNAL, USER, VOLUME or WORKDIR",
				       keyword);
	}
	return 0;
}

int image_config_change(json_t *config, const char *change,
			struct berth_error **err)
{
	_cleanup_json_ json_t *copy = NULL;
	_cleanup_json_ json_t *utf8 = json_string(change);
	_cleanup_free_ char *keyword = NULL;
	_cleanup_free_ char *trimmed = NULL;
	const char *p = skip_space(change);
	const char *end = p + strcspn(p, " \t");
	const char *arg = skip_space(end);
	size_t len = strlen(arg);

	if (strlen(change) > CHANGE_MAX_LEN)
		return berth_error_set(err, 0, "change longer than %d bytes",
				       CHANGE_MAX_LEN);
	/* jansson takes only UTF-8, and so do image configs. */
	if (utf8 == NULL)
		return berth_error_set(err, 0, "change is not valid UTF-8");
	if (strpbrk(change, "\n\r") != NULL)
		return berth_error_set(
			err, 0, "change '%.40s' spans several lines", change);

	keyword = xstrndup(p, end - p);
	while (len > 0 && (arg[len - 1] == ' ' || arg[len - 1] == '\t'))
		len--;
	if (keyword[0] == '\0' || len == 0)
		return berth_error_set(err, 0,
				       "change '%s': expected INSTRUCTION "
				       "ARGUMENTS, such as 'CMD [\"sh\"]'",
				       change);

	/* Work on a copy so that a failure leaves config as it was. */
	copy = json_deep_copy(config);
	trimmed = xstrndup(arg, len);
	if (apply(copy, keyword, trimmed, err) < 0)
		return berth_error_wrap(err, "change '%s'", change);
	json_object_update(config, copy);
	return 0;
}
