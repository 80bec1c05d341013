/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli-util.h"
#include "cli/commands.h"
#include "cli/registry-flags.h"
#include "registry/auth-file.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

static void logout_usage(FILE *out)
{
	fputs("Usage: berth logout [OPTIONS] REGISTRY\n"
	      "       berth logout [OPTIONS] --all\n"
	      "\n"
	      "Remove the credentials of a registry from the auth file.\n"
	      "\n"
	      "Options:\n"
	      "  -a, --all              remove the credentials of every "
	      "registry\n"
	      "      --authfile FILE    credentials file (default "
	      "$REGISTRY_AUTH_FILE,\n"
	      "                         else /run/containers/UID/auth.json)\n"
	      "  -h, --help             show this help\n",
	      out);
}

enum {
	OPT_AUTHFILE = 256,
};

int cmd_logout(struct cli_context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{"all", no_argument, NULL, 'a'},
		{"authfile", required_argument, NULL, OPT_AUTHFILE},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	struct berth_error *err = NULL;
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *host = NULL;
	const char *auth_file = NULL;
	bool all = false;
	bool found = false;
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:ah", options, NULL)) != -1) {
		switch (c) {
		case 'a':
			all = true;
			break;
		case OPT_AUTHFILE:
			auth_file = optarg;
			break;
		case 'h':
			logout_usage(stdout);
			return 0;
		default:
			return cli_option_error("logout", c, argv);
		}
	}

	if (all ? argc != optind : argc - optind != 1)
		return cli_usage_error("logout",
				       all ? "--all takes no REGISTRY" :
					     "expected one REGISTRY");
	path = auth_file != NULL ? xstrdup(auth_file) :
				   auth_file_default_path();

	if (all) {
		if (auth_file_remove_all(path, &err) < 0)
			return cli_fail(&err);
		printf("Removed login credentials for all registries\n");
		return 0;
	}

	host = cli_registry_host(argv[optind]);
	if (host == NULL)
		return cli_usage_error("logout", "invalid registry '%s'",
				       argv[optind]);
	if (auth_file_remove(path, host, &found, &err) < 0)
		return cli_fail(&err);
	/* Docker's wording and exit status: nothing to remove is no error. */
	if (!found) {
		printf("Not logged in to %s\n", host);
		return 0;
	}
	printf("Removed login credentials for %s\n", host);
	return 0;
}
