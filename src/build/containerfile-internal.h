/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_BUILD_CONTAINERFILE_INTERNAL_H
#define BERTH_BUILD_CONTAINERFILE_INTERNAL_H

#include <stdbool.h>

#include "build/containerfile.h"
#include "util/error.h"

/*
 * Parse one logical line (continuations joined, no heredoc bodies) into
 * *in, which the caller zeroed. Heredoc markers are recorded in
 * in->heredocs with content NULL. Errors read "INSTRUCTION: problem" or
 * "unknown instruction 'X'"; the caller adds the file and line.
 */
int cf_parse_line(const char *line, char escape, struct build_instruction *in,
		  struct berth_error **err);

/*
 * Split off the leading "--name[=value]" words of rest into in->flags and
 * check them against what the instruction accepts. *ret_rest points past
 * the flags.
 */
int cf_parse_flags(const char *rest, char escape, struct build_instruction *in,
		   const char **ret_rest, struct berth_error **err);

/*
 * Whether word is a heredoc marker: optional file descriptor digits,
 * "<<", optional '-', then a name [A-Za-z_][A-Za-z0-9_]* that may be
 * quoted with ' or ". Fills the name (new string) and the flags.
 */
bool cf_heredoc_marker(const char *word, char **ret_name, bool *strip_tabs,
		       bool *expand);

/* Record every heredoc marker among the words of text in in->heredocs. */
void cf_collect_heredocs(const char *text, char escape,
			 struct build_instruction *in);

void cf_instruction_clear(struct build_instruction *in);

#endif
