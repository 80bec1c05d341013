/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz the WWW-Authenticate parser. An accepted value must give at
 * least one challenge, each with a non-empty lowercase scheme and
 * lowercase parameter names that the lookups find again.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "registry/auth-challenge.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_lowercase(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			abort();
}

static void check_challenge(const struct auth_challenge *list, size_t n,
			    const struct auth_challenge *c)
{
	if (c->scheme == NULL || c->scheme[0] == '\0')
		abort();
	check_lowercase(c->scheme);
	if (auth_challenges_find(list, n, c->scheme) == NULL)
		abort();
	if (c->n_params > AUTH_CHALLENGE_MAX_PARAMS)
		abort();

	for (size_t i = 0; i < c->n_params; i++) {
		if (c->params[i].name == NULL || c->params[i].value == NULL)
			abort();
		check_lowercase(c->params[i].name);
		if (auth_challenge_param(c, c->params[i].name) == NULL)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *input = xstrndup((const char *)data, size);
	struct auth_challenge *list = NULL;
	struct berth_error *err = NULL;
	size_t n = 0;

	if (auth_challenges_parse(input, &list, &n, &err) < 0) {
		if (err == NULL || err->msg == NULL || list != NULL)
			abort();
		berth_error_free(&err);
		return 0;
	}

	if (n == 0 || list == NULL)
		abort();
	for (size_t i = 0; i < n; i++)
		check_challenge(list, n, &list[i]);
	auth_challenges_free(list, n);
	return 0;
}
