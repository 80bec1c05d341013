/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Instruction flags ("COPY --from=build --chown=1:1 ..."). The accepted
 * set per instruction is the one the Dockerfile reference documents for
 * BuildKit 1.x; anything else is rejected as it is by docker build.
 */
#include <stdlib.h>
#include <string.h>

#include "build/containerfile-internal.h"
#include "build/words.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

enum flag_type {
	FLAG_STRING, /* --name=value, once */
	FLAG_BOOL,   /* --name or --name=true|false, once */
	FLAG_LIST,   /* --name=value, any number of times */
};

struct flag_spec {
	enum build_instruction_kind kind;
	const char *name;
	enum flag_type type;
};

static const struct flag_spec flag_specs[] = {
	{BUILD_FROM, "platform", FLAG_STRING},
	{BUILD_RUN, "mount", FLAG_LIST},
	{BUILD_RUN, "network", FLAG_STRING},
	{BUILD_RUN, "security", FLAG_STRING},
	{BUILD_COPY, "from", FLAG_STRING},
	{BUILD_COPY, "chown", FLAG_STRING},
	{BUILD_COPY, "chmod", FLAG_STRING},
	{BUILD_COPY, "link", FLAG_BOOL},
	{BUILD_COPY, "parents", FLAG_BOOL},
	{BUILD_COPY, "exclude", FLAG_LIST},
	{BUILD_ADD, "chown", FLAG_STRING},
	{BUILD_ADD, "chmod", FLAG_STRING},
	{BUILD_ADD, "checksum", FLAG_STRING},
	{BUILD_ADD, "link", FLAG_BOOL},
	{BUILD_ADD, "keep-git-dir", FLAG_BOOL},
	{BUILD_ADD, "exclude", FLAG_LIST},
	{BUILD_HEALTHCHECK, "interval", FLAG_STRING},
	{BUILD_HEALTHCHECK, "timeout", FLAG_STRING},
	{BUILD_HEALTHCHECK, "start-period", FLAG_STRING},
	{BUILD_HEALTHCHECK, "start-interval", FLAG_STRING},
	{BUILD_HEALTHCHECK, "retries", FLAG_STRING},
};

static const struct flag_spec *find_spec(enum build_instruction_kind kind,
					 const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(flag_specs); i++) {
		if (flag_specs[i].kind == kind &&
		    strcmp(flag_specs[i].name, name) == 0)
			return &flag_specs[i];
	}
	return NULL;
}

static bool flag_seen(const struct build_instruction *in, const char *name)
{
	for (size_t i = 0; i < in->n_flags; i++) {
		if (strcmp(in->flags[i].name, name) == 0)
			return true;
	}
	return false;
}

static int check_flag(const struct build_instruction *in, const char *name,
		      const char *value, struct berth_error **err)
{
	const char *instr = build_instruction_name(in->kind);
	const struct flag_spec *spec = find_spec(in->kind, name);

	if (spec == NULL)
		return berth_error_set(err, 0, "%s: unknown flag '--%s'", instr,
				       name);
	if (spec->type != FLAG_LIST && flag_seen(in, name))
		return berth_error_set(err, 0, "%s: flag '--%s' given twice",
				       instr, name);
	if (spec->type == FLAG_BOOL && value != NULL &&
	    strcmp(value, "true") != 0 && strcmp(value, "false") != 0)
		return berth_error_set(
			err, 0,
			"%s: invalid value '%s' for '--%s': use true or false",
			instr, value, name);
	if (spec->type != FLAG_BOOL && (value == NULL || *value == '\0'))
		return berth_error_set(
			err, 0, "%s: flag '--%s' needs a value: --%s=VALUE",
			instr, name, name);
	return 0;
}

static void add_flag(struct build_instruction *in, char *name, char *value)
{
	in->flags =
		xreallocarray(in->flags, in->n_flags + 1, sizeof(*in->flags));
	in->flags[in->n_flags++] = (struct build_flag){
		.name = name,
		.value = value,
	};
}

int cf_parse_flags(const char *rest, char escape, struct build_instruction *in,
		   const char **ret_rest, struct berth_error **err)
{
	const char *p = rest;

	for (;;) {
		const char *before = p;
		_cleanup_free_ char *raw = build_next_word(&p, escape);
		_cleanup_free_ char *word = NULL;
		char *eq;

		if (raw == NULL || strncmp(raw, "--", 2) != 0) {
			p = before;
			break;
		}
		if (strcmp(raw, "--") == 0)
			break;

		word = build_unquote(raw + 2, escape);
		eq = strchr(word, '=');
		if (eq != NULL)
			*eq = '\0';
		if (check_flag(in, word, eq != NULL ? eq + 1 : NULL, err) < 0)
			return -1;
		add_flag(in, xstrdup(word),
			 eq != NULL ? xstrdup(eq + 1) : NULL);
	}

	*ret_rest = build_skip_blanks(p);
	return 0;
}

const char *build_instruction_flag(const struct build_instruction *in,
				   const char *name)
{
	const char *found = NULL;

	for (size_t i = 0; i < in->n_flags; i++) {
		if (strcmp(in->flags[i].name, name) == 0)
			found = in->flags[i].value != NULL ?
					in->flags[i].value :
					"";
	}
	return found;
}

bool build_instruction_flag_bool(const struct build_instruction *in,
				 const char *name)
{
	const char *value = build_instruction_flag(in, name);

	return value != NULL && strcmp(value, "false") != 0;
}
