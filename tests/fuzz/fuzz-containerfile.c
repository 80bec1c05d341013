/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz the Containerfile parser and the word expansion. A rejected file
 * must give an error that names the file. An accepted file must have at
 * least one stage, each starting with its FROM, stage references that
 * pass containerfile_check_stages(), instructions in line order, and
 * every raw word must expand or fail cleanly.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "build/containerfile.h"
#include "build/expand.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/strv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *const fuzz_env[] = {"A=1", "EMPTY=", "P=a/b/c", NULL};

static void expand_or_fail(const char *word, char escape)
{
	struct berth_error *err = NULL;
	char *out = NULL;

	if (build_expand_word_env(word, escape, fuzz_env, &out, &err) < 0) {
		if (err == NULL || err->msg == NULL || out != NULL)
			abort();
		berth_error_free(&err);
		return;
	}
	if (out == NULL || err != NULL)
		abort();
	free(out);
}

static void check_instruction(const struct build_instruction *in, char escape)
{
	if ((unsigned int)in->kind >= BUILD_INSTRUCTION_COUNT ||
	    in->text == NULL || in->line == 0)
		abort();

	for (size_t i = 0; in->args != NULL && in->args[i] != NULL; i++)
		expand_or_fail(in->args[i], escape);
	for (size_t i = 0; i < in->n_pairs; i++) {
		if (in->pairs[i].key == NULL ||
		    in->pairs[i].has_value != (in->pairs[i].value != NULL))
			abort();
		expand_or_fail(in->pairs[i].key, escape);
		if (in->pairs[i].value != NULL)
			expand_or_fail(in->pairs[i].value, escape);
	}
	for (size_t i = 0; i < in->n_flags; i++) {
		if (in->flags[i].name == NULL ||
		    build_instruction_flag(in, in->flags[i].name) == NULL)
			abort();
	}
	for (size_t i = 0; i < in->n_heredocs; i++) {
		if (in->heredocs[i].name == NULL ||
		    in->heredocs[i].content == NULL)
			abort();
	}
	if ((in->kind == BUILD_ONBUILD) != (in->onbuild != NULL))
		abort();
}

static void check_stage(const struct containerfile *cf, size_t index,
			unsigned int *last_line)
{
	const struct build_stage *stage = &cf->stages[index];

	if (stage->index != index || stage->base == NULL ||
	    stage->n_instructions == 0 ||
	    stage->instructions[0].kind != BUILD_FROM)
		abort();
	if (stage->name != NULL && !build_stage_name_valid(stage->name))
		abort();

	for (size_t i = 0; i < stage->n_instructions; i++) {
		const struct build_instruction *in = &stage->instructions[i];

		if (in->line <= *last_line)
			abort();
		if (i > 0 && in->kind == BUILD_FROM)
			abort();
		*last_line = in->line;
		check_instruction(in, cf->escape);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct containerfile *cf = NULL;
	struct berth_error *err = NULL;
	unsigned int last_line = 0;

	if (containerfile_parse((const char *)data, size, "fuzz", &cf, &err) <
	    0) {
		if (cf != NULL || err == NULL || err->msg == NULL ||
		    strncmp(err->msg, "fuzz", 4) != 0)
			abort();
		berth_error_free(&err);
		return 0;
	}

	if (cf->n_stages == 0 || (cf->escape != '\\' && cf->escape != '`'))
		abort();
	for (size_t i = 0; i < cf->n_global_args; i++) {
		if (cf->global_args[i].kind != BUILD_ARG)
			abort();
		last_line = cf->global_args[i].line;
		check_instruction(&cf->global_args[i], cf->escape);
	}
	for (size_t i = 0; i < cf->n_stages; i++)
		check_stage(cf, i, &last_line);
	if (containerfile_check_stages(cf, &err) < 0)
		abort();

	containerfile_free(cf);
	return 0;
}
