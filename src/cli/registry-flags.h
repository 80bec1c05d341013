/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_CLI_REGISTRY_FLAGS_H
#define BERTH_CLI_REGISTRY_FLAGS_H

/* Flags that pull, login and logout share, worded as podman's. */

#include <stdbool.h>

#include "registry/client.h"

/*
 * Set opts->insecure from --tls-verify[=true|false]; value NULL means
 * true. Returns 0 or the exit status of a usage error.
 */
int cli_parse_tls_verify(const char *command, const char *value,
			 struct registry_options *opts);

/*
 * Split --creds USER[:PASSWORD] into opts->username and opts->password,
 * which point into the returned copy; free it after use. The password
 * in value, an argv string, is overwritten with 'x'.
 */
char *cli_parse_creds(char *value, struct registry_options *opts);

/*
 * The registry host named by an argument of login or logout:
 * "HOST[:PORT]", a URL such as "https://HOST/v1/", or a Docker Hub
 * alias, which becomes "docker.io". NULL when it names no host.
 */
char *cli_registry_host(const char *arg);

#endif
