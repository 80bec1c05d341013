/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_CLI_CLI_UTIL_H
#define BERTH_CLI_CLI_UTIL_H

/* Helpers shared by the container commands. */

#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>

#include <jansson.h>

#include "cli/commands.h"
#include "engine/engine.h"
#include "util/error.h"

/*
 * Parse a memory size: a number with an optional unit b, k, m or g
 * (also kb, mb, gb; any case), in powers of 1024.
 */
int cli_parse_memory(const char *s, int64_t *ret, struct berth_error **err);

/* Parse --cpus ("1.5") into a CFS quota for a period of 100000 us. */
int cli_parse_cpus(const char *s, int64_t *ret_quota, struct berth_error **err);

/*
 * Report the option that getopt_long() rejected, c being '?' for an
 * unknown option or ':' for a missing value (the option string must
 * start with "+:"), in the words Docker uses. Returns the usage error's
 * exit status.
 */
int cli_option_error(const char *command, int c, char **argv);

/*
 * Fail as Docker does when -i and -t are given but stdin is no terminal,
 * because a terminal cannot relay piped input byte for byte. Returns 0
 * or the usage error's exit status.
 */
int cli_check_input_tty(const char *command, bool interactive, bool tty);

/*
 * Parse the --format of a listing: 'table', 'json' (*ret_json) or a
 * template that inspect-format.h describes (*ret_template, printed over
 * the json object). Docker takes any text as a template, but a format
 * without "{{" is taken for a typo here. example is a template to
 * suggest. Returns 0 or the usage error's exit status.
 */
int cli_parse_list_format(const char *command, const char *format,
			  const char *example, bool *ret_json,
			  const char **ret_template);

/* Parse a non-negative integer such as a timeout or --tail. */
int cli_parse_uint(const char *what, const char *s, long *ret,
		   struct berth_error **err);

/*
 * Make sure the program runs from a sealed copy of its binary before it
 * creates container processes; may re-execute the program.
 */
int cli_ensure_sealed(struct cli_context *ctx, struct berth_error **err);

/* Set up engine for the store and program of ctx; engine_clear() it. */
void cli_engine_init(struct cli_context *ctx, struct engine *engine);

/* The run and create options, parsed; run adds -d. */
struct cli_create_args {
	struct engine_create_options opts;
	bool detach;
	bool help;
	char **owned;	       /* strings that opts points into */
	bool main_ip_in_field; /* the first --network gave ip= */
};

/*
 * Parse the options of "berth run" (with_detach) or "berth create"
 * into args; the vectors in args->opts are owned by args. Returns 0, or
 * the exit status of a usage error.
 */
int cli_parse_create_args(const char *command, bool with_detach, int argc,
			  char **argv, struct cli_create_args *args);
void cli_create_args_clear(struct cli_create_args *args);

/* Print the run/create options for --help. */
void cli_print_create_options(FILE *out, bool with_detach);

/*
 * Run action on each container named in refs (id, id prefix or name),
 * printing each ref that succeeded when print_ref. Errors are printed
 * as they happen; returns 0, or the exit status of the last failure.
 */
typedef int (*cli_container_action)(struct engine *engine, const char *id,
				    void *data, struct berth_error **err);
int cli_for_each_container(struct cli_context *ctx, char **refs, int n,
			   cli_container_action action, void *data,
			   bool print_ref);

/*
 * Run the sub-command argv[1] of the command group (such as "volume")
 * from commands[0..n). "-h" and "--help" list the sub-commands whose
 * summary is not NULL.
 */
int cli_dispatch(const char *group, const struct cli_command *commands,
		 size_t n, struct cli_context *ctx, int argc, char **argv);

/*
 * Whether "K=V" labels match a --filter label=WANT: WANT is "KEY" (any
 * value) or "KEY=VALUE".
 */
bool cli_labels_match(char *const *labels, const char *want);

/*
 * Return the published ports of a container's inspect object as
 * Docker's ps prints them: "127.0.0.1:8080->80/tcp, ...".
 */
char *cli_format_ports(const json_t *inspect);

#endif
