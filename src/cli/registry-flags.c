/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "cli/registry-flags.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "util/xalloc.h"

int cli_parse_tls_verify(const char *command, const char *value,
			 struct registry_options *opts)
{
	if (value == NULL || strcmp(value, "true") == 0) {
		opts->insecure = false;
		return 0;
	}
	if (strcmp(value, "false") == 0) {
		opts->insecure = true;
		return 0;
	}
	return cli_usage_error(command,
			       "invalid value '%s' for --tls-verify: use true "
			       "or false",
			       value);
}

char *cli_parse_creds(char *value, struct registry_options *opts)
{
	char *copy = xstrdup(value);
	char *colon = strchr(copy, ':');

	if (colon != NULL)
		*colon = '\0';
	opts->username = copy;
	opts->password = colon != NULL ? colon + 1 : "";

	/* /proc/PID/cmdline shows argv to other users. */
	colon = strchr(value, ':');
	if (colon != NULL)
		memset(colon + 1, 'x', strlen(colon + 1));
	return copy;
}

char *cli_registry_host(const char *arg)
{
	const char *p = arg;
	size_t len;
	char *host;

	if (strncmp(p, "https://", 8) == 0)
		p += 8;
	else if (strncmp(p, "http://", 7) == 0)
		p += 7;
	len = strcspn(p, "/");
	if (len == 0)
		return NULL;

	host = xstrndup(p, len);
	if (strcmp(host, "index.docker.io") == 0 ||
	    strcmp(host, "registry-1.docker.io") == 0) {
		free(host);
		host = xstrdup(REGISTRY_DEFAULT_HOST);
	}
	return host;
}

int cli_registry_option(const char *command, int c,
			struct registry_options *opts, char **creds)
{
	switch (c) {
	case CLI_OPT_AUTHFILE:
		opts->auth_file = optarg;
		return 0;
	case CLI_OPT_CERT_DIR:
		opts->certs_dir = optarg;
		return 0;
	case CLI_OPT_CREDS:
		free(*creds);
		*creds = cli_parse_creds(optarg, opts);
		return 0;
	case CLI_OPT_TLS_VERIFY:
		return cli_parse_tls_verify(command, optarg, opts);
	default:
		return 1;
	}
}
