/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "engine/env.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/strv.h"
#include "util/xalloc.h"

static size_t key_length(const char *entry)
{
	const char *eq = strchr(entry, '=');

	return eq != NULL ? (size_t)(eq - entry) : strlen(entry);
}

const char *env_get(char *const *env, const char *key)
{
	size_t len = strlen(key);

	for (size_t i = 0; env != NULL && env[i] != NULL; i++)
		if (strncmp(env[i], key, len) == 0 && env[i][len] == '=')
			return env[i] + len + 1;
	return NULL;
}

static void env_replace(char ***env, char *entry)
{
	size_t len = key_length(entry);

	for (size_t i = 0; *env != NULL && (*env)[i] != NULL; i++) {
		if (key_length((*env)[i]) == len &&
		    strncmp((*env)[i], entry, len) == 0) {
			free((*env)[i]);
			(*env)[i] = entry;
			return;
		}
	}
	strv_push_take(env, entry);
}

int env_set(char ***env, const char *entry, struct berth_error **err)
{
	const char *value;

	if (entry[0] == '=' || entry[0] == '\0')
		return berth_error_set(err, 0,
				       "invalid environment variable "
				       "'%s': the name is empty",
				       entry);

	if (strchr(entry, '=') != NULL) {
		env_replace(env, xstrdup(entry));
		return 0;
	}

	/* "KEY" alone copies the host's value, or nothing when unset. */
	value = getenv(entry);
	if (value != NULL) {
		char *full;

		xasprintf(&full, "%s=%s", entry, value);
		env_replace(env, full);
	}
	return 0;
}

static int parse_line(char *line, const char *what, unsigned int lineno,
		      char ***env, struct berth_error **err)
{
	size_t len;

	while (*line == ' ' || *line == '\t')
		line++;

	len = strlen(line);
	if (len > 0 && line[len - 1] == '\r')
		line[--len] = '\0';

	if (len == 0 || line[0] == '#')
		return 0;

	if (line[0] == '=' || strcspn(line, " \t=") < key_length(line))
		return berth_error_set(err, 0,
				       "%s:%u: invalid environment "
				       "variable '%s': expected "
				       "KEY=VALUE or KEY",
				       what, lineno, line);

	return env_set(env, line, err);
}

int env_file_parse(const char *data, size_t len, const char *what, char ***env,
		   struct berth_error **err)
{
	unsigned int lineno = 0;
	size_t pos = 0;

	while (pos < len) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - (data + pos)) : len - pos;
		_cleanup_free_ char *line = xstrndup(data + pos, n);

		lineno++;
		if (strlen(line) != n)
			return berth_error_set(
				err, 0,
				"%s:%u: invalid environment file: the line "
				"contains a NUL byte",
				what, lineno);

		if (parse_line(line, what, lineno, env, err) < 0)
			return -1;
		pos += n + 1;
	}
	return 0;
}

int env_file_load(const char *path, char ***env, struct berth_error **err)
{
	_cleanup_free_ char *data = NULL;
	size_t len;

	if (fs_read_file(path, &data, &len, err) < 0)
		return berth_error_wrap(err, "read environment file");

	return env_file_parse(data, len, path, env, err);
}
