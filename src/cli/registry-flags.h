/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_CLI_REGISTRY_FLAGS_H
#define BERTH_CLI_REGISTRY_FLAGS_H

/* Flags that pull, push, login and logout share, worded as podman's. */

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

/* getopt_long values of the connection flags of pull and push. */
enum {
	CLI_OPT_AUTHFILE = 256,
	CLI_OPT_CERT_DIR,
	CLI_OPT_CREDS,
	CLI_OPT_TLS_VERIFY,
	CLI_OPT_REGISTRY_END, /* the first value free for a command's own */
};

/* clang-format off */
#define CLI_REGISTRY_OPTIONS                                             \
	{"authfile", required_argument, NULL, CLI_OPT_AUTHFILE},         \
	{"cert-dir", required_argument, NULL, CLI_OPT_CERT_DIR},         \
	{"creds", required_argument, NULL, CLI_OPT_CREDS},               \
	{"tls-verify", optional_argument, NULL, CLI_OPT_TLS_VERIFY}
/* clang-format on */

/*
 * Apply the connection flag c (a CLI_OPT_* value) with optarg to opts,
 * keeping the --creds copy in *creds. Returns 1 when c is not one of
 * them, 0 when applied, or the exit status of a usage error.
 */
int cli_registry_option(const char *command, int c,
			struct registry_options *opts, char **creds);

/*
 * The registry host named by an argument of login or logout:
 * "HOST[:PORT]", a URL such as "https://HOST/v1/", or a Docker Hub
 * alias, which becomes "docker.io". NULL when it names no host.
 */
char *cli_registry_host(const char *arg);

#endif
