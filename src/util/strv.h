/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_UTIL_STRV_H
#define BERTH_UTIL_STRV_H

/* NULL-terminated arrays of owned strings. */

#include <stdbool.h>
#include <stddef.h>

#include "util/cleanup.h"

size_t strv_length(char *const *strv);
/* Append a copy of s; *strv may be NULL. */
void strv_push(char ***strv, const char *s);
/* Append s itself, taking ownership of it. */
void strv_push_take(char ***strv, char *s);
char **strv_copy(char *const *strv);
bool strv_contains(char *const *strv, const char *s);

#endif
