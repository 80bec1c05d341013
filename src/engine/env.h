/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_ENGINE_ENV_H
#define BERTH_ENGINE_ENV_H

/* Container environments: --env-file parsing and merging with the image's. */

#include <stddef.h>

#include "util/error.h"

/*
 * Parse an --env-file: one "KEY=VALUE" or "KEY" per line, '#' starts a
 * comment line, blank lines are skipped, leading white space is
 * dropped. A "KEY" line takes the value from getenv(). Errors name
 * what:LINE. Appends the entries to *env as "KEY=VALUE".
 */
int env_file_parse(const char *data, size_t len, const char *what, char ***env,
		   struct berth_error **err);

/* Read FILE and parse it with env_file_parse(). */
int env_file_load(const char *path, char ***env, struct berth_error **err);

/*
 * Set entry ("KEY=VALUE", or "KEY" to take the host's value, which is
 * skipped when the host has none) in *env, replacing an entry with the
 * same key. An empty key is an error.
 */
int env_set(char ***env, const char *entry, struct berth_error **err);

/* Return the value of key in env, or NULL. */
const char *env_get(char *const *env, const char *key);

#endif
