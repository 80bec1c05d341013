/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_REGISTRY_AUTH_CHALLENGE_H
#define BERTH_REGISTRY_AUTH_CHALLENGE_H

/*
 * WWW-Authenticate values (RFC 9110, section 11.6.1): one or more
 * challenges separated by commas, each a scheme followed by a token68
 * or by name=value parameters, values being tokens or quoted strings.
 *
 *	Bearer realm="https://auth.example/token",service="reg",scope="..."
 *
 * Schemes and parameter names are case-insensitive and returned in
 * lowercase. The value comes from the network: the parser bounds its
 * length and the number of challenges and parameters.
 */

#include <stddef.h>

#include "util/error.h"

#define AUTH_CHALLENGE_MAX_LEN 16384
#define AUTH_CHALLENGE_MAX_PARAMS 32

struct auth_param {
	char *name;  /* lowercase; "" for a token68 */
	char *value; /* unquoted */
};

struct auth_challenge {
	char *scheme; /* lowercase: "bearer", "basic", ... */
	size_t n_params;
	struct auth_param *params;
};

int auth_challenges_parse(const char *value, struct auth_challenge **ret,
			  size_t *ret_n, struct berth_error **err);

/* The first challenge of scheme (lowercase), or NULL. */
const struct auth_challenge *
auth_challenges_find(const struct auth_challenge *c, size_t n,
		     const char *scheme);

/* The value of parameter name (lowercase), or NULL. */
const char *auth_challenge_param(const struct auth_challenge *c,
				 const char *name);

void auth_challenges_free(struct auth_challenge *c, size_t n);

#endif
