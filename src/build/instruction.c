/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The arguments of each instruction, after the line loop has joined the
 * continuation lines. Each kind gets one parse function; they all leave
 * words raw (see containerfile.h).
 */
#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "build/containerfile-internal.h"
#include "build/expand.h"
#include "build/words.h"
#include "util/cleanup.h"
#include "util/strv.h"
#include "util/xalloc.h"

typedef int (*parse_fn)(const char *rest, char escape,
			struct build_instruction *in, struct berth_error **err);

static const char *name_of(const struct build_instruction *in)
{
	return build_instruction_name(in->kind);
}

/*
 * Parse the exec form: text that starts with '[' and is a JSON array.
 * Returns 1 and sets *ret for an array of strings, 0 for the shell form
 * (anything else, invalid JSON included), and -1 for an array with other
 * values, which BuildKit rejects instead of running it as a shell
 * command.
 */
static int parse_exec_form(const struct build_instruction *in, const char *text,
			   char ***ret, struct berth_error **err)
{
	json_t *root;
	char **args = NULL;
	size_t i;
	json_t *item;

	if (*text != '[')
		return 0;

	root = json_loads(text, 0, NULL);
	if (root == NULL)
		return 0;
	if (!json_is_array(root)) {
		json_decref(root);
		return 0;
	}

	json_array_foreach (root, i, item) {
		if (!json_is_string(item)) {
			strv_free(args);
			json_decref(root);
			return berth_error_set(err, 0,
					       "%s: the JSON form takes only "
					       "strings, got '%s'",
					       build_instruction_name(in->kind),
					       text);
		}
		strv_push(&args, json_string_value(item));
	}
	json_decref(root);

	*ret = args != NULL ? args : xzalloc(sizeof(char *));
	return 1;
}

/* Split on blanks, ignoring quotes, as COPY, EXPOSE and VOLUME do. */
static char **split_blanks(const char *text)
{
	char **words = NULL;
	const char *p = build_skip_blanks(text);

	while (*p != '\0') {
		const char *start = p;

		while (*p != '\0' && !build_is_blank(*p))
			p++;
		strv_push_take(&words, xstrndup(start, (size_t)(p - start)));
		p = build_skip_blanks(p);
	}
	return words;
}

static char **single_arg(const char *text)
{
	char **args = NULL;

	strv_push_take(&args, build_strip(text, strlen(text)));
	return args;
}

static int missing(const struct build_instruction *in, const char *what,
		   struct berth_error **err)
{
	return berth_error_set(err, 0, "%s: missing %s", name_of(in), what);
}

/* The exec or shell form of RUN, CMD and ENTRYPOINT. */
static int parse_command(const char *rest, char escape,
			 struct build_instruction *in, struct berth_error **err)
{
	int form = parse_exec_form(in, rest, &in->args, err);

	if (form < 0)
		return -1;
	if (form > 0) {
		in->json_form = true;
		return 0;
	}
	if (*rest == '\0')
		return missing(in, "command", err);

	in->args = single_arg(rest);
	if (in->kind == BUILD_RUN)
		cf_collect_heredocs(rest, escape, in);
	return 0;
}

static int parse_shell(const char *rest, char escape,
		       struct build_instruction *in, struct berth_error **err)
{
	int form = parse_exec_form(in, rest, &in->args, err);

	if (form < 0)
		return -1;
	if (form == 0)
		return berth_error_set(err, 0,
				       "SHELL: needs the JSON form, as in "
				       "SHELL [\"/bin/sh\", \"-c\"]");
	in->json_form = true;
	if (in->args[0] == NULL)
		return missing(in, "shell executable", err);
	return 0;
}

static int parse_from(const char *rest, char escape,
		      struct build_instruction *in, struct berth_error **err)
{
	_cleanup_strv_ char **words = split_blanks(rest);
	size_t n = strv_length(words);
	char *name;

	if (n == 0)
		return missing(in, "image", err);
	if (n != 1 && !(n == 3 && strcasecmp(words[1], "AS") == 0))
		return berth_error_set(
			err, 0,
			"FROM: expected 'FROM [--platform=PLATFORM] IMAGE [AS "
			"NAME]', got '%s'",
			rest);

	strv_push(&in->args, words[0]);
	if (n == 1)
		return 0;

	name = xstrdup(words[2]);
	for (char *c = name; *c != '\0'; c++)
		*c = (char)tolower((unsigned char)*c);
	strv_push_take(&in->args, name);
	if (!build_stage_name_valid(name))
		return berth_error_set(
			err, 0,
			"FROM: invalid stage name '%s': use a letter, then "
			"letters, digits, '-', '_' or '.'",
			words[2]);
	return 0;
}

static int parse_copy(const char *rest, char escape,
		      struct build_instruction *in, struct berth_error **err)
{
	int form = parse_exec_form(in, rest, &in->args, err);

	if (form < 0)
		return -1;
	if (form > 0) {
		in->json_form = true;
	} else {
		in->args = split_blanks(rest);
		cf_collect_heredocs(rest, escape, in);
	}

	switch (strv_length(in->args)) {
	case 0:
		return missing(in, "source and destination", err);
	case 1:
		return missing(in, "destination", err);
	}
	return 0;
}

static int parse_pairs(const char *rest, char escape,
		       struct build_instruction *in, struct berth_error **err)
{
	bool is_arg = in->kind == BUILD_ARG;

	if (*rest == '\0')
		return missing(in, is_arg ? "NAME[=DEFAULT]" : "KEY=VALUE",
			       err);
	if (build_split_pairs(rest, escape, !is_arg, is_arg, &in->pairs,
			      &in->n_pairs, err) < 0)
		return berth_error_wrap(err, "%s", name_of(in));
	return 0;
}

static int parse_rest_of_line(const char *rest, char escape,
			      struct build_instruction *in,
			      struct berth_error **err)
{
	static const char *const what[BUILD_INSTRUCTION_COUNT] = {
		[BUILD_WORKDIR] = "directory",
		[BUILD_USER] = "user",
		[BUILD_STOPSIGNAL] = "signal",
		[BUILD_MAINTAINER] = "name",
	};

	if (*rest == '\0')
		return missing(in, what[in->kind], err);
	in->args = single_arg(rest);
	return 0;
}

static int parse_list(const char *rest, char escape,
		      struct build_instruction *in, struct berth_error **err)
{
	const char *what = in->kind == BUILD_EXPOSE ? "port" : "path";
	int form = 0;

	if (in->kind == BUILD_VOLUME)
		form = parse_exec_form(in, rest, &in->args, err);
	if (form < 0)
		return -1;
	if (form > 0) {
		in->json_form = true;
		for (size_t i = 0; in->args[i] != NULL; i++) {
			if (*in->args[i] == '\0')
				return berth_error_set(
					err, 0, "VOLUME: empty path in '%s'",
					rest);
		}
	} else {
		in->args = split_blanks(rest);
	}

	if (in->args == NULL || in->args[0] == NULL)
		return missing(in, what, err);
	return 0;
}

/* HEALTHCHECK NONE, or HEALTHCHECK [flags] CMD command. */
static int parse_healthcheck(const char *rest, char escape,
			     struct build_instruction *in,
			     struct berth_error **err)
{
	const char *p = rest;
	_cleanup_free_ char *type = build_next_word(&p, escape);
	char **test = NULL;
	int form;

	if (type == NULL)
		return missing(in, "CMD or NONE", err);

	p = build_skip_blanks(p);
	if (strcasecmp(type, "NONE") == 0) {
		if (*p != '\0')
			return berth_error_set(
				err, 0, "HEALTHCHECK: NONE takes no arguments");
		strv_push(&in->args, "NONE");
		return 0;
	}
	if (strcasecmp(type, "CMD") != 0)
		return berth_error_set(
			err, 0,
			"HEALTHCHECK: unknown type '%s': use CMD or NONE",
			type);

	form = parse_exec_form(in, p, &test, err);
	if (form < 0)
		return -1;
	if (form > 0) {
		in->json_form = true;
		strv_push(&in->args, "CMD");
		for (size_t i = 0; test[i] != NULL; i++)
			strv_push(&in->args, test[i]);
		strv_free(test);
		if (in->args[1] == NULL)
			return missing(in, "command after CMD", err);
		return 0;
	}
	if (*p == '\0')
		return missing(in, "command after CMD", err);

	strv_push(&in->args, "CMD-SHELL");
	strv_push_take(&in->args, build_strip(p, strlen(p)));
	return 0;
}

static int parse_onbuild(const char *rest, char escape,
			 struct build_instruction *in, struct berth_error **err)
{
	struct build_instruction *trigger;

	if (*rest == '\0')
		return missing(in, "trigger instruction", err);

	in->args = single_arg(rest);
	trigger = xzalloc(sizeof(*trigger));
	in->onbuild = trigger;
	if (cf_parse_line(rest, escape, trigger, err) < 0)
		return berth_error_wrap(err, "ONBUILD");

	switch (trigger->kind) {
	case BUILD_ONBUILD:
		return berth_error_set(
			err, 0, "ONBUILD: ONBUILD cannot trigger ONBUILD");
	case BUILD_FROM:
	case BUILD_MAINTAINER:
		return berth_error_set(
			err, 0, "ONBUILD: %s is not allowed as a trigger",
			name_of(trigger));
	default:
		break;
	}
	if (trigger->n_heredocs > 0)
		return berth_error_set(
			err, 0,
			"ONBUILD: heredocs are not supported in triggers");
	return 0;
}

static const parse_fn parsers[BUILD_INSTRUCTION_COUNT] = {
	[BUILD_FROM] = parse_from,
	[BUILD_RUN] = parse_command,
	[BUILD_COPY] = parse_copy,
	[BUILD_ADD] = parse_copy,
	[BUILD_ENV] = parse_pairs,
	[BUILD_ARG] = parse_pairs,
	[BUILD_WORKDIR] = parse_rest_of_line,
	[BUILD_USER] = parse_rest_of_line,
	[BUILD_EXPOSE] = parse_list,
	[BUILD_LABEL] = parse_pairs,
	[BUILD_VOLUME] = parse_list,
	[BUILD_ENTRYPOINT] = parse_command,
	[BUILD_CMD] = parse_command,
	[BUILD_STOPSIGNAL] = parse_rest_of_line,
	[BUILD_SHELL] = parse_shell,
	[BUILD_HEALTHCHECK] = parse_healthcheck,
	[BUILD_ONBUILD] = parse_onbuild,
	[BUILD_MAINTAINER] = parse_rest_of_line,
};

int cf_parse_line(const char *line, char escape, struct build_instruction *in,
		  struct berth_error **err)
{
	const char *p = build_skip_blanks(line);
	const char *name_end = p;
	_cleanup_free_ char *name = NULL;
	const char *rest;
	int kind;

	while (*name_end != '\0' && !build_is_blank(*name_end))
		name_end++;
	name = xstrndup(p, (size_t)(name_end - p));
	in->text = build_strip(p, strlen(p));

	kind = build_instruction_kind_from_name(name);
	if (kind < 0)
		return berth_error_set(err, 0, "unknown instruction '%s'",
				       name);
	in->kind = (enum build_instruction_kind)kind;

	rest = build_skip_blanks(name_end);
	if (in->kind != BUILD_ONBUILD &&
	    cf_parse_flags(rest, escape, in, &rest, err) < 0)
		return -1;

	return parsers[in->kind](rest, escape, in, err);
}

void cf_instruction_clear(struct build_instruction *in)
{
	free(in->text);
	strv_free(in->args);

	for (size_t i = 0; i < in->n_flags; i++) {
		free(in->flags[i].name);
		free(in->flags[i].value);
	}
	free(in->flags);

	for (size_t i = 0; i < in->n_heredocs; i++) {
		free(in->heredocs[i].name);
		free(in->heredocs[i].content);
	}
	free(in->heredocs);

	build_pairs_free(in->pairs, in->n_pairs);

	if (in->onbuild != NULL) {
		cf_instruction_clear(in->onbuild);
		free(in->onbuild);
	}
	*in = (struct build_instruction){0};
}
