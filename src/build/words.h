/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_BUILD_WORDS_H
#define BERTH_BUILD_WORDS_H

/*
 * Splitting instruction arguments into words the way the Dockerfile
 * parser does before any expansion: white space separates words except
 * inside quotes or after the escape character, and the words keep their
 * quotes and escapes.
 */

#include <stdbool.h>
#include <stddef.h>

bool build_is_blank(char c);

/* Skip blanks at *p. */
const char *build_skip_blanks(const char *p);

/*
 * Return the raw word at *p (after blanks) and move *p past it; NULL
 * when only blanks remain. An unterminated quote runs to the end.
 */
char *build_next_word(const char **p, char escape);

/*
 * Remove one level of quoting: '...' is literal, "..." and bare text
 * take the escape character as "next character is literal". Variables
 * are left alone.
 */
char *build_unquote(const char *word, char escape);

/* Copy of s[0..n) without leading and trailing blanks. */
char *build_strip(const char *s, size_t n);

#endif
