/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_BUILD_EXPAND_H
#define BERTH_BUILD_EXPAND_H

/*
 * Variable substitution in Containerfile words, as Docker's builder does
 * it (not as a shell does it):
 *
 *	$VAR ${VAR}          the value, empty when unset
 *	${VAR:-word}         word when VAR is unset or empty
 *	${VAR-word}          word when VAR is unset
 *	${VAR:+word}         word when VAR is set and not empty, else empty
 *	${VAR+word}          word when VAR is set, else empty
 *	${VAR:?msg} ${VAR?msg}  an error with msg when VAR is unset (or empty)
 *	${VAR#pat} ${VAR##pat}  VAR without the shortest or longest prefix
 *	                        matching pat ('*', '?' and '\' escapes)
 *	${VAR%pat} ${VAR%%pat}  the same for a suffix
 *	${VAR/pat/s} ${VAR//pat/s}  the first or every longest match of pat
 *	                        replaced with s
 *
 * word is itself expanded. Quotes are removed: inside '...' everything
 * is literal; inside "..." variables expand and the escape character
 * escapes only '"', '$' and itself. Outside quotes the escape character
 * makes the next character literal. The escape character is '\' or '`'
 * (the "# escape=" directive). No word splitting and no globbing happen.
 *
 * Which instructions are expanded follows the Dockerfile reference
 * ("Environment replacement"): see build_instruction_expands().
 */

#include <stdbool.h>
#include <stddef.h>

#include "build/containerfile.h"
#include "util/error.h"

/* Return the value of name, or NULL when it is unset. */
typedef const char *(*build_lookup_fn)(const char *name, void *userdata);

/*
 * Expand word into *ret (a new string). Errors: an unterminated quote or
 * "${", an invalid "${...}" form, and ${VAR?msg} with VAR unset.
 */
int build_expand_word(const char *word, char escape, build_lookup_fn lookup,
		      void *userdata, char **ret, struct berth_error **err);

/* build_expand_word() against env, an array of "KEY=VALUE" strings. */
int build_expand_word_env(const char *word, char escape, char *const *env,
			  char **ret, struct berth_error **err);

/*
 * A build_lookup_fn over a NULL-terminated "KEY=VALUE" array passed as
 * userdata. The last entry for a key wins, as later ENV and ARG do.
 */
const char *build_env_lookup(const char *name, void *userdata);

/*
 * Split the arguments of ENV, LABEL or ARG into pairs: "k=v k2="v 2"",
 * each value kept raw (quotes and escapes in place, for
 * build_expand_word()). With allow_legacy (ENV and LABEL), a first word
 * without '=' selects the legacy form "KEY rest of line". For ARG a word
 * without '=' is a name without default. Errors name the offending word;
 * the caller adds file, line and instruction.
 */
int build_split_pairs(const char *text, char escape, bool allow_legacy,
		      bool allow_no_value, struct build_pair **ret_pairs,
		      size_t *ret_n, struct berth_error **err);

void build_pairs_free(struct build_pair *pairs, size_t n);

/*
 * Whether the builder expands the arguments of kind before running it.
 * Expanded against the stage's ENV and ARG values: ADD, COPY, ENV,
 * EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR, ARG defaults, and the
 * flags listed at build_flag_expands(). FROM's base and --platform are expanded too, but only against the
 * global ARGs (those before the first FROM). Not expanded:
 * RUN, CMD, ENTRYPOINT and SHELL (the shell sees the text, so it expands
 * variables itself at run time), HEALTHCHECK, MAINTAINER, and ONBUILD
 * (its trigger is expanded when a later build runs it).
 */
bool build_instruction_expands(enum build_instruction_kind kind);

/*
 * Whether flag name of kind is expanded: COPY and ADD --from, --chown,
 * --chmod, --checksum and --exclude, RUN --mount, --network and
 * --security, and FROM --platform (against the global ARGs only).
 */
bool build_flag_expands(enum build_instruction_kind kind, const char *name);

#endif
