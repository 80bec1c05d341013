/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Stage names and references between stages. A reference is a stage
 * name or, for COPY --from and RUN --mount from=, a stage index; any
 * other value is an image reference.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "build/containerfile.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

bool build_stage_name_valid(const char *name)
{
	if (!isalpha((unsigned char)name[0]))
		return false;

	for (const char *c = name + 1; *c != '\0'; c++) {
		if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_' &&
		    *c != '.')
			return false;
	}
	return true;
}

/* A decimal stage index, or -1 when ref is not one. */
static ssize_t parse_index(const char *ref)
{
	char *end;
	unsigned long value;

	if (!isdigit((unsigned char)ref[0]))
		return -1;

	errno = 0;
	value = strtoul(ref, &end, 10);
	if (errno != 0 || *end != '\0' || value > 1000000)
		return -1;
	return (ssize_t)value;
}

static ssize_t find_name(const struct containerfile *cf, const char *ref,
			 size_t limit)
{
	for (size_t i = 0; i < limit && i < cf->n_stages; i++) {
		if (cf->stages[i].name != NULL &&
		    strcasecmp(cf->stages[i].name, ref) == 0)
			return (ssize_t)i;
	}
	return -1;
}

ssize_t containerfile_find_stage(const struct containerfile *cf,
				 const char *ref, size_t before,
				 bool allow_index)
{
	ssize_t index = find_name(cf, ref, before);

	if (index >= 0 || !allow_index)
		return index;

	index = parse_index(ref);
	if (index >= 0 && (size_t)index < before &&
	    (size_t)index < cf->n_stages)
		return index;
	return -1;
}

/* The from= value of a RUN --mount spec, or NULL. */
static char *mount_from(const char *spec)
{
	const char *p = spec;

	while (*p != '\0') {
		size_t n = strcspn(p, ",");

		if (n > 5 && strncmp(p, "from=", 5) == 0)
			return xstrndup(p + 5, n - 5);
		p += n;
		if (*p == ',')
			p++;
	}
	return NULL;
}

static int check_reference(const struct containerfile *cf, size_t stage,
			   const struct build_instruction *in, const char *what,
			   const char *ref, struct berth_error **err)
{
	ssize_t index;

	if (strchr(ref, '$') != NULL)
		return 0;

	index = find_name(cf, ref, cf->n_stages);
	if (index < 0)
		index = parse_index(ref);
	if (index < 0)
		return 0;

	if ((size_t)index == stage)
		return berth_error_set(
			err, 0, "%s:%u: %s: %s '%s' refers to its own stage",
			cf->path, in->line, build_instruction_name(in->kind),
			what, ref);
	if ((size_t)index > stage)
		return berth_error_set(
			err, 0,
			"%s:%u: %s: %s '%s' is not an earlier stage: a stage "
			"can only use the stages before it",
			cf->path, in->line, build_instruction_name(in->kind),
			what, ref);
	return 0;
}

static int check_instruction(const struct containerfile *cf, size_t stage,
			     const struct build_instruction *in,
			     struct berth_error **err)
{
	for (size_t i = 0; i < in->n_flags; i++) {
		const struct build_flag *flag = &in->flags[i];
		_cleanup_free_ char *ref = NULL;

		if (in->kind == BUILD_COPY && strcmp(flag->name, "from") == 0 &&
		    flag->value != NULL &&
		    check_reference(cf, stage, in, "--from", flag->value, err) <
			    0)
			return -1;

		if (in->kind != BUILD_RUN || strcmp(flag->name, "mount") != 0 ||
		    flag->value == NULL)
			continue;
		ref = mount_from(flag->value);
		if (ref != NULL &&
		    check_reference(cf, stage, in, "--mount from=", ref, err) <
			    0)
			return -1;
	}
	return 0;
}

static int check_stage_name(const struct containerfile *cf, size_t stage,
			    struct berth_error **err)
{
	const struct build_stage *st = &cf->stages[stage];
	ssize_t first;

	if (st->name == NULL)
		return 0;

	if (!build_stage_name_valid(st->name))
		return berth_error_set(
			err, 0, "%s:%u: FROM: invalid stage name '%s'",
			cf->path, st->instructions[0].line, st->name);

	first = find_name(cf, st->name, stage);
	if (first >= 0)
		return berth_error_set(err, 0,
				       "%s:%u: FROM: duplicate stage name "
				       "'%s', first used at line %u",
				       cf->path, st->instructions[0].line,
				       st->name,
				       cf->stages[first].instructions[0].line);
	return 0;
}

int containerfile_check_stages(const struct containerfile *cf,
			       struct berth_error **err)
{
	if (cf->n_stages > CONTAINERFILE_MAX_STAGES)
		return berth_error_set(err, 0,
				       "%s: %zu stages, more than the limit "
				       "of %d",
				       cf->path, cf->n_stages,
				       CONTAINERFILE_MAX_STAGES);

	for (size_t i = 0; i < cf->n_stages; i++) {
		const struct build_stage *st = &cf->stages[i];

		if (check_stage_name(cf, i, err) < 0)
			return -1;
		for (size_t j = 0; j < st->n_instructions; j++) {
			if (check_instruction(cf, i, &st->instructions[j],
					      err) < 0)
				return -1;
		}
	}
	return 0;
}
