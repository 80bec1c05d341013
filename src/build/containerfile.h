/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_BUILD_CONTAINERFILE_H
#define BERTH_BUILD_CONTAINERFILE_H

/*
 * Containerfile (Dockerfile) syntax, as the Dockerfile reference at
 * docs.docker.com describes it for BuildKit's dockerfile frontend 1.x:
 *
 * - parser directives "# escape=" and "# syntax=" (also "# check=") are
 *   read only before the first instruction, comment or blank line;
 * - the escape character (default '\', or '`') at the end of a line
 *   continues the instruction; comment and blank lines inside a
 *   continuation are dropped;
 * - a line whose first non-blank character is '#' is a comment;
 * - instruction names are case-insensitive;
 * - "[...]" arguments that are a valid JSON array of strings are the exec
 *   form, anything else is the shell form;
 * - RUN, COPY and ADD take heredocs ("<<EOF", "<<-EOF", "<<'EOF'");
 * - leading "--name[=value]" words are flags, and each instruction takes
 *   only its documented ones: FROM --platform; RUN --mount, --network,
 *   --security; COPY --from, --chown, --chmod, --link, --parents,
 *   --exclude; ADD --chown, --chmod, --checksum, --link, --keep-git-dir,
 *   --exclude; HEALTHCHECK --interval, --timeout, --start-period,
 *   --start-interval, --retries. So "CMD --serve" is an error, as with
 *   BuildKit, and needs the exec form.
 *
 * The parser stores words as written: it expands no variables and removes
 * no quotes, because which instruction expands what, and against which
 * environment, is decided while building (see build/expand.h).
 */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util/error.h"

enum build_instruction_kind {
	BUILD_FROM,
	BUILD_RUN,
	BUILD_COPY,
	BUILD_ADD,
	BUILD_ENV,
	BUILD_ARG,
	BUILD_WORKDIR,
	BUILD_USER,
	BUILD_EXPOSE,
	BUILD_LABEL,
	BUILD_VOLUME,
	BUILD_ENTRYPOINT,
	BUILD_CMD,
	BUILD_STOPSIGNAL,
	BUILD_SHELL,
	BUILD_HEALTHCHECK,
	BUILD_ONBUILD,
	BUILD_MAINTAINER,
	BUILD_INSTRUCTION_COUNT,
};

/*
 * An instruction flag such as "--from=base" (name "from", value "base").
 * value is NULL for a boolean flag given without "=", such as "--link".
 * Values have their quotes removed but variables left unexpanded.
 */
struct build_flag {
	char *name;
	char *value;
};

/*
 * A "KEY=VALUE" pair of ENV, LABEL or ARG. key and value are raw words,
 * with quotes, escapes and variables still in them: the builder runs both
 * through build_expand_word() (LABEL "a.b"="c" has a quoted key). has_value
 * is false only for "ARG NAME" without a default.
 */
struct build_pair {
	char *key;
	char *value;
	bool has_value;
};

/*
 * A heredoc of RUN, COPY or ADD. name is the delimiter without quotes or
 * "-". content is the body up to the delimiter line, each line ending in
 * '\n'; with strip_tabs ("<<-EOF") leading tabs are already removed from
 * each body line. expand is false when the delimiter was quoted, which
 * turns off variable expansion in the body.
 */
struct build_heredoc {
	char *name;
	char *content;
	bool strip_tabs;
	bool expand;
};

struct build_instruction {
	enum build_instruction_kind kind;
	unsigned int line; /* first line, counting from 1 */
	/* the logical line: continuation lines joined, comments dropped */
	char *text;

	/*
	 * json_form is set for the exec form of RUN, CMD, ENTRYPOINT, SHELL,
	 * COPY, ADD, VOLUME and HEALTHCHECK CMD. args by kind:
	 * - FROM: { image } or { image, stage name lowercased };
	 * - RUN, CMD, ENTRYPOINT: the JSON array, or { "command line" }; a
	 *   RUN command line keeps its heredoc markers ("<<EOF", or
	 *   "python3 <<EOF") and the bodies are in heredocs;
	 * - SHELL: the JSON array (the shell form is an error);
	 * - COPY, ADD: sources then the destination; a heredoc source stays
	 *   as its marker word, see build_instruction_heredoc();
	 * - ENV, LABEL, ARG: empty, see pairs;
	 * - WORKDIR, USER, STOPSIGNAL, MAINTAINER: { rest of the line };
	 * - EXPOSE, VOLUME (shell form): the words split on white space;
	 * - HEALTHCHECK: the image config's Test array: { "NONE" },
	 *   { "CMD", arg... } (exec form) or { "CMD-SHELL", "command" };
	 * - ONBUILD: { trigger text }, and the parsed trigger in onbuild.
	 */
	bool json_form;
	char **args;

	struct build_flag *flags;
	size_t n_flags;

	struct build_heredoc *heredocs;
	size_t n_heredocs;

	struct build_pair *pairs;
	size_t n_pairs;

	struct build_instruction *onbuild;
};

struct build_stage {
	size_t index;
	char *base;	/* FROM's image or earlier stage, unexpanded */
	char *name;	/* "AS" name, lowercased, or NULL */
	char *platform; /* FROM --platform value, unexpanded, or NULL */
	/* instructions[0] is the FROM instruction itself */
	struct build_instruction *instructions;
	size_t n_instructions;
};

struct containerfile {
	char *path;   /* the name used in messages */
	char escape;  /* '\\' or '`' */
	char *syntax; /* "# syntax=" value, or NULL */
	/* ARG instructions before the first FROM */
	struct build_instruction *global_args;
	size_t n_global_args;
	struct build_stage *stages;
	size_t n_stages;
};

/*
 * Limit of a Containerfile's size. Its lines become history entries of
 * the image config, which the store reads back only up to 8 MiB.
 */
#define CONTAINERFILE_MAX_SIZE (1024 * 1024)

/*
 * Limit of the number of stages. The builder recurses once per stage of
 * a FROM chain, and each stage used as a base is committed as an image
 * whose lookup reads every manifest of the store.
 */
#define CONTAINERFILE_MAX_STAGES 1000

/*
 * Parse data (len bytes, need not be NUL-terminated). path names the file
 * in errors, which read "PATH:LINE: INSTRUCTION: problem", for example
 * "Containerfile:7: COPY: missing destination" or
 * "Containerfile:3: unknown instruction 'FOO'". A file without FROM, or
 * any instruction but ARG before the first FROM, is an error.
 */
int containerfile_parse(const char *data, size_t len, const char *path,
			struct containerfile **ret, struct berth_error **err);

/* Read path and parse it; messages name path as given. */
int containerfile_load(const char *path, struct containerfile **ret,
		       struct berth_error **err);

void containerfile_free(struct containerfile *cf);

/*
 * Find the Containerfile of a build. With file set (the -f option), return
 * a copy of it: Docker and Podman take -f relative to the working
 * directory, not the context. Without it, return CONTEXT/Containerfile,
 * else CONTEXT/Dockerfile, else fail with "no Containerfile or Dockerfile
 * found in 'CONTEXT': pass -f FILE". file "-" (standard input) is returned
 * unchanged.
 */
int containerfile_find(const char *context, const char *file, char **ret_path,
		       struct berth_error **err);

/* Upper-case name of kind, such as "COPY". */
const char *build_instruction_name(enum build_instruction_kind kind);

/* Look up a case-insensitive instruction name; -1 when unknown. */
int build_instruction_kind_from_name(const char *name);

/*
 * The value of the last flag called name ("from", "chown"), or NULL when
 * absent. A boolean flag given as "--link" returns "". Use
 * build_instruction_flag_bool() for boolean flags.
 */
const char *build_instruction_flag(const struct build_instruction *in,
				   const char *name);

/* A boolean flag: absent is false, "--link" and "--link=true" are true. */
bool build_instruction_flag_bool(const struct build_instruction *in,
				 const char *name);

/*
 * The heredoc that a COPY or ADD source word such as "<<EOF", "<<-EOF" or
 * "<<'EOF'" stands for, or NULL when word is not a heredoc marker of in.
 */
const struct build_heredoc *
build_instruction_heredoc(const struct build_instruction *in, const char *word);

/*
 * Whether name is a valid stage name: it matches [a-z][a-z0-9-_.]* once
 * lowercased, as BuildKit requires.
 */
bool build_stage_name_valid(const char *name);

/*
 * Resolve ref (a COPY --from or RUN --mount from= value, or a FROM base)
 * against the stages before stage index "before": a stage name
 * (case-insensitive), or with allow_index (--from, not FROM) a stage
 * index in decimal. Returns the stage index, or -1 when ref names no
 * earlier stage and so is an image reference.
 */
ssize_t containerfile_find_stage(const struct containerfile *cf,
				 const char *ref, size_t before,
				 bool allow_index);

/*
 * Check stage names and references: each AS name valid and used once, no
 * name equal to a stage index, no COPY --from or RUN --mount from= naming
 * the stage itself or a later stage by name or index. Values that contain
 * '$' are skipped because they are only known after expansion. Errors
 * name the file and line of the offending instruction.
 */
int containerfile_check_stages(const struct containerfile *cf,
			       struct berth_error **err);

#endif
