/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli-util.h"
#include "cli/commands.h"
#include "cli/registry-flags.h"
#include "registry/auth-file.h"
#include "registry/client.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/xalloc.h"

#define SECRET_MAX 4096

static void login_usage(FILE *out)
{
	fputs("Usage: berth login [OPTIONS] REGISTRY\n"
	      "\n"
	      "Check a user name and password against a registry and store "
	      "them\n"
	      "in the auth file for pull and push. Asks for what is not "
	      "given\n"
	      "when the input is a terminal.\n"
	      "\n"
	      "Options:\n"
	      "      --authfile FILE     credentials file (default "
	      "$REGISTRY_AUTH_FILE,\n"
	      "                          else /run/containers/UID/auth.json)\n"
	      "      --cert-dir DIR      directory with HOST:PORT/ca.crt "
	      "(default\n"
	      "                          $BERTH_CERTS_DIR, else "
	      "/etc/berth/certs.d)\n"
	      "  -p, --password PASS     the password (visible to other "
	      "users in ps;\n"
	      "                          prefer --password-stdin)\n"
	      "      --password-stdin    read the password from stdin\n"
	      "      --tls-verify=BOOL   false allows plain HTTP and "
	      "unverified\n"
	      "                          certificates (default true)\n"
	      "  -u, --username USER     the user name\n"
	      "  -h, --help              show this help\n",
	      out);
}

enum {
	OPT_AUTHFILE = 256,
	OPT_CERT_DIR,
	OPT_PASSWORD_STDIN,
	OPT_TLS_VERIFY,
};

struct login_args {
	struct registry_options opts;
	const char *password;
	bool password_stdin;
	bool help;
};

static int parse_args(int argc, char **argv, struct login_args *args)
{
	static const struct option options[] = {
		{"authfile", required_argument, NULL, OPT_AUTHFILE},
		{"cert-dir", required_argument, NULL, OPT_CERT_DIR},
		{"password", required_argument, NULL, 'p'},
		{"password-stdin", no_argument, NULL, OPT_PASSWORD_STDIN},
		{"tls-verify", optional_argument, NULL, OPT_TLS_VERIFY},
		{"username", required_argument, NULL, 'u'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	int c, r;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:p:u:h", options, NULL)) != -1) {
		switch (c) {
		case OPT_AUTHFILE:
			args->opts.auth_file = optarg;
			break;
		case OPT_CERT_DIR:
			args->opts.certs_dir = optarg;
			break;
		case 'p':
			args->password = optarg;
			break;
		case OPT_PASSWORD_STDIN:
			args->password_stdin = true;
			break;
		case OPT_TLS_VERIFY:
			r = cli_parse_tls_verify("login", optarg, &args->opts);
			if (r != 0)
				return r;
			break;
		case 'u':
			args->opts.username = optarg;
			break;
		case 'h':
			args->help = true;
			return 0;
		default:
			return cli_option_error("login", c, argv);
		}
	}

	if (argc - optind != 1)
		return cli_usage_error("login", "expected one REGISTRY");
	if (args->password != NULL && args->password_stdin)
		return cli_usage_error("login",
				       "--password and --password-stdin are "
				       "mutually exclusive");
	if (args->password_stdin && args->opts.username == NULL)
		return cli_usage_error("login",
				       "--password-stdin needs --username");
	return 0;
}

/* Read one line from the terminal, without echo for a secret. */
static int prompt(const char *question, bool secret, char **ret,
		  struct berth_error **err)
{
	char buf[SECRET_MAX];
	struct termios old, quiet;
	bool restore = false;
	char *line;

	fputs(question, stderr);
	fflush(stderr);
	if (secret && tcgetattr(STDIN_FILENO, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		restore = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
	}
	line = fgets(buf, sizeof(buf), stdin);
	if (restore) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (line == NULL)
		return berth_error_set(err, 0, "no answer on stdin");

	buf[strcspn(buf, "\r\n")] = '\0';
	*ret = xstrdup(buf);
	explicit_bzero(buf, sizeof(buf));
	return 0;
}

/* --password-stdin: all of stdin, without its trailing newline. */
static int read_stdin_password(char **ret, struct berth_error **err)
{
	char *data = NULL;
	size_t len = 0;

	if (fs_read_all(STDIN_FILENO, &data, &len, err) < 0)
		return berth_error_wrap(err, "read the password from stdin");
	while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
		data[--len] = '\0';
	if (len == 0 || strlen(data) != len) {
		free(data);
		return berth_error_set(err, 0,
				       "the password on stdin is empty "
				       "or contains a NUL byte");
	}
	*ret = data;
	return 0;
}

static int ask_credentials(struct login_args *args, char **user,
			   char **password, struct berth_error **err)
{
	bool tty = isatty(STDIN_FILENO) == 1;

	if (args->opts.username != NULL)
		*user = xstrdup(args->opts.username);
	else if (!tty)
		return berth_error_set(err, 0,
				       "no user name: use --username or "
				       "run berth login on a terminal");
	else if (prompt("Username: ", false, user, err) < 0)
		return -1;

	if (args->password != NULL) {
		*password = xstrdup(args->password);
		return 0;
	}
	if (args->password_stdin)
		return read_stdin_password(password, err);
	if (!tty)
		return berth_error_set(err, 0,
				       "no password: use "
				       "--password-stdin or run berth login on "
				       "a terminal");
	return prompt("Password: ", true, password, err);
}

static void free_secret(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

static int login(struct login_args *args, const char *host,
		 struct berth_error **err)
{
	_cleanup_free_ char *user = NULL;
	_cleanup_free_ char *path = NULL;
	char *password = NULL;
	struct registry_client *client = NULL;
	int r;

	if (ask_credentials(args, &user, &password, err) < 0) {
		free_secret(password);
		return -1;
	}
	if (user[0] == '\0' || password[0] == '\0') {
		free_secret(password);
		return berth_error_set(err, 0,
				       "the user name and the password "
				       "must not be empty");
	}

	args->opts.username = user;
	args->opts.password = password;
	r = registry_client_new(host, &args->opts, &client, err);
	if (r == 0)
		r = registry_client_check_login(client, err);
	registry_client_free(client);

	path = args->opts.auth_file != NULL ? xstrdup(args->opts.auth_file) :
					      auth_file_default_path();
	if (r == 0)
		r = auth_file_set(path, host, user, password, err);
	free_secret(password);
	args->opts.password = NULL;
	return r;
}

/*
 * Copy the --password value and blank it in argv, which /proc/PID/cmdline
 * shows to other users. ps still shows it until this runs.
 */
static char *take_password_argument(const char *arg)
{
	char *copy = xstrdup(arg);

	memset((char *)arg, 'x', strlen(arg));
	return copy;
}

int cmd_login(struct cli_context *ctx, int argc, char **argv)
{
	struct login_args args = {0};
	struct berth_error *err = NULL;
	_cleanup_free_ char *host = NULL;
	char *password = NULL;
	int r;

	r = parse_args(argc, argv, &args);
	if (args.password != NULL) {
		password = take_password_argument(args.password);
		args.password = password;
	}
	if (r != 0 || args.help) {
		if (args.help)
			login_usage(stdout);
		free_secret(password);
		return r;
	}

	host = cli_registry_host(argv[optind]);
	if (host == NULL) {
		free_secret(password);
		return cli_usage_error("login", "invalid registry '%s'",
				       argv[optind]);
	}
	if (args.password != NULL)
		fputs("WARNING! Using --password on the command line is "
		      "insecure: use --password-stdin.\n",
		      stderr);

	r = login(&args, host, &err);
	free_secret(password);
	if (r < 0) {
		berth_error_wrap(&err, "login '%s'", host);
		return cli_fail(&err);
	}
	printf("Login Succeeded!\n");
	return 0;
}
