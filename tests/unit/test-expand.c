/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "build/expand.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/strv.h"
#include "util/xalloc.h"

static char *const test_env[] = {
	"A=a",	 "EMPTY=", "SPACED=x y", "P=a/b/c",  "LONG=aaa",
	"DUP=1", "DUP=2",  "NUM1=one",	 "STAR=a*b", NULL,
};

struct expand_case {
	const char *word;
	const char *expected;
};

static const struct expand_case expand_cases[] = {
	{"plain", "plain"},
	{"$A", "a"},
	{"${A}", "a"},
	{"${A}b", "ab"},
	{"$Ab", ""},
	{"x$A.y", "xa.y"},
	{"$UNSET", ""},
	{"${UNSET}", ""},
	{"$", "$"},
	{"a$", "a$"},
	{"$-", ""},
	{"$ x", "$ x"},
	{"${UNSET:-def}", "def"},
	{"${EMPTY:-def}", "def"},
	{"${A:-def}", "a"},
	{"${UNSET-def}", "def"},
	{"${EMPTY-def}", ""},
	{"${A:+alt}", "alt"},
	{"${EMPTY:+alt}", ""},
	{"${EMPTY+alt}", "alt"},
	{"${UNSET+alt}", ""},
	{"${UNSET:-$A}", "a"},
	{"${UNSET:-${UNSET2:-deep}}", "deep"},
	{"${UNSET:-a b}", "a b"},
	{"${UNSET:-'$A'}", "$A"},
	{"${A:?set}", "a"},
	{"${SPACED}", "x y"},
	{"'$A'", "$A"},
	{"'a\\b'", "a\\b"},
	{"\"$A\"", "a"},
	{"\"${A}-x\"", "a-x"},
	{"\"it's\"", "it's"},
	{"'say \"hi\"'", "say \"hi\""},
	{"\\$A", "$A"},
	{"a\\ b", "a b"},
	{"a\\\\b", "a\\b"},
	{"trailing\\", "trailing"},
	{"\"a\\\"b\"", "a\"b"},
	{"\"a\\$A\"", "a$A"},
	{"\"a\\nb\"", "a\\nb"},
	{"\"a\\\\b\"", "a\\b"},
	{"a\"b\"c'd'", "abcd"},
	{"${P#*/}", "b/c"},
	{"${P##*/}", "c"},
	{"${P%/*}", "a/b"},
	{"${P%%/*}", "a"},
	{"${P#x}", "a/b/c"},
	{"${LONG#a}", "aa"},
	{"${LONG##a*}", ""},
	{"${P/b/X}", "a/X/c"},
	{"${LONG/a/b}", "baa"},
	{"${LONG//a/b}", "bbb"},
	{"${P/?/Z}", "Z/b/c"},
	{"${P//\\//-}", "a-b-c"},
	{"${STAR#a*}", "*b"},
	{"${STAR#a\\*}", "b"},
	{"${STAR%\\*b}", "a"},
	{"${A:#a}", ""},
	{"${DUP}", "2"},
	{"$NUM1", "one"},
	{"$1", ""},
};

static void expand_table(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(expand_cases); i++) {
		const struct expand_case *c = &expand_cases[i];
		struct berth_error *err = NULL;
		_cleanup_free_ char *out = NULL;

		if (build_expand_word_env(c->word, '\\', test_env, &out, &err) <
		    0)
			fail_msg("'%s' failed: %s", c->word, err->msg);
		if (strcmp(out, c->expected) != 0)
			fail_msg("'%s' expanded to '%s', expected '%s'",
				 c->word, out, c->expected);
	}
}

static void expand_backtick_escape(void **state)
{
	struct berth_error *err = NULL;
	_cleanup_free_ char *a = NULL;
	_cleanup_free_ char *b = NULL;
	_cleanup_free_ char *c = NULL;

	assert_int_equal(
		build_expand_word_env("C:\\dir`$A", '`', test_env, &a, &err),
		0);
	assert_string_equal(a, "C:\\dir$A");

	assert_int_equal(
		build_expand_word_env("\"`\"q`\"\"", '`', test_env, &b, &err),
		0);
	assert_string_equal(b, "\"q\"");

	assert_int_equal(
		build_expand_word_env("a\\$A", '`', test_env, &c, &err), 0);
	assert_string_equal(c, "a\\a");
}

struct error_case {
	const char *word;
	const char *message;
};

static const struct error_case error_cases[] = {
	{"${A", "expand '${A': missing '}' after '${A'"},
	{"${", "expand '${': missing '}' after '${'"},
	{"${}", "expand '${}': bad substitution: no variable name after '${'"},
	{"${:-x}",
	 "expand '${:-x}': bad substitution: no variable name after '${'"},
	{"'abc", "expand ''abc': missing closing single quote"},
	{"\"abc", "expand '\"abc': missing closing double quote"},
	{"${UNSET:-abc", "expand '${UNSET:-abc': missing '}'"},
	{"${UNSET?must be set}",
	 "expand '${UNSET?must be set}': UNSET: must be set"},
	{"${UNSET:?}",
	 "expand '${UNSET:?}': UNSET: is not allowed to be unset"},
	{"${EMPTY:?}",
	 "expand '${EMPTY:?}': EMPTY: is not allowed to be empty"},
	{"${A:x}",
	 "expand '${A:x}': unsupported modifier ':x' in substitution"},
	{"${A^x}", "expand '${A^x}': unsupported modifier '^' in substitution"},
};

static void expand_errors(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(error_cases); i++) {
		const struct error_case *c = &error_cases[i];
		struct berth_error *err = NULL;
		char *out = NULL;

		if (build_expand_word_env(c->word, '\\', test_env, &out,
					  &err) == 0)
			fail_msg("'%s' expanded to '%s', expected an error",
				 c->word, out);
		assert_null(out);
		if (strcmp(err->msg, c->message) != 0)
			fail_msg("'%s' failed with '%s', expected '%s'",
				 c->word, err->msg, c->message);
		berth_error_free(&err);
	}
}

static void expand_nesting_limit(void **state)
{
	struct berth_error *err = NULL;
	_cleanup_free_ char *word = NULL;
	_cleanup_free_ char *ok = NULL;
	char *out = NULL;
	size_t depth = 100;
	size_t len = 0;

	word = xmalloc(depth * 8 + 8);
	for (size_t i = 0; i < depth; i++)
		len += (size_t)snprintf(word + len, 9, "${U:-");
	word[len++] = 'x';
	for (size_t i = 0; i < depth; i++)
		word[len++] = '}';
	word[len] = '\0';

	assert_int_equal(
		build_expand_word_env(word, '\\', test_env, &out, &err), -1);
	assert_non_null(strstr(err->msg, "more than 64 nested '${'"));
	berth_error_free(&err);

	assert_int_equal(build_expand_word_env("${U:-${U:-${U:-y}}}", '\\',
					       test_env, &ok, &err),
			 0);
	assert_string_equal(ok, "y");
}

/* Values that would double on every line stop at the size limit. */
static void expand_size_limit(void **state)
{
	struct berth_error *err = NULL;
	_cleanup_free_ char *big = xmalloc(100 * 1024 + 3);
	_cleanup_free_ char *doubled = NULL;
	_cleanup_free_ char *fits = NULL;
	char *env[] = {big, NULL};
	char *out = NULL;

	memcpy(big, "A=", 2);
	memset(big + 2, 'x', 100 * 1024);
	big[100 * 1024 + 2] = '\0';

	assert_int_equal(build_expand_word_env("$A", '\\', env, &fits, &err),
			 0);
	assert_int_equal(strlen(fits), 100 * 1024);

	assert_int_equal(build_expand_word_env("$A$A", '\\', env, &out, &err),
			 -1);
	assert_non_null(strstr(err->msg, "longer than 131072 bytes"));
	assert_null(out);
	berth_error_free(&err);

	assert_int_equal(
		build_expand_word_env("${A//x/xx}", '\\', env, &out, &err), -1);
	assert_non_null(strstr(err->msg, "longer than 131072 bytes"));
	berth_error_free(&err);

	assert_int_equal(
		build_expand_word_env("${B:-$A$A}", '\\', env, &doubled, &err),
		-1);
	assert_non_null(strstr(err->msg, "longer than 131072 bytes"));
	berth_error_free(&err);
}

static const char *counting_lookup(const char *name, void *userdata)
{
	int *calls = userdata;

	(*calls)++;
	return strcmp(name, "X") == 0 ? "from-callback" : NULL;
}

static void expand_callback_lookup(void **state)
{
	struct berth_error *err = NULL;
	_cleanup_free_ char *out = NULL;
	int calls = 0;

	assert_int_equal(build_expand_word("$X/${Y:-y}", '\\', counting_lookup,
					   &calls, &out, &err),
			 0);
	assert_string_equal(out, "from-callback/y");
	assert_int_equal(calls, 2);
}

static void env_lookup_last_wins(void **state)
{
	assert_string_equal(build_env_lookup("DUP", (void *)test_env), "2");
	assert_string_equal(build_env_lookup("EMPTY", (void *)test_env), "");
	assert_null(build_env_lookup("UNSET", (void *)test_env));
	assert_null(build_env_lookup("DU", (void *)test_env));
	assert_null(build_env_lookup("A", NULL));
}

struct pair_case {
	const char *text;
	bool legacy;
	bool no_value;
	size_t n;
	const char *keys[3];
	const char *values[3];
};

static const struct pair_case pair_cases[] = {
	{"a=1", true, false, 1, {"a"}, {"1"}},
	{"a=1 b=\"x y\" c='z z'",
	 true,
	 false,
	 3,
	 {"a", "b", "c"},
	 {"1", "\"x y\"", "'z z'"}},
	{"a=x\\ y b=", true, false, 2, {"a", "b"}, {"x\\ y", ""}},
	{"KEY hello  world ", true, false, 1, {"KEY"}, {"hello  world"}},
	{"KEY \"quoted value\"", true, false, 1, {"KEY"}, {"\"quoted value\""}},
	{"\"com.example\"=\"v 1\"",
	 true,
	 false,
	 1,
	 {"\"com.example\""},
	 {"\"v 1\""}},
	{"a=b=c", true, false, 1, {"a"}, {"b=c"}},
	{"NAME", false, true, 1, {"NAME"}, {NULL}},
	{"A B=2 C", false, true, 3, {"A", "B", "C"}, {NULL, "2", NULL}},
	{"V=${X:-1}", false, true, 1, {"V"}, {"${X:-1}"}},
};

static void split_pairs_table(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(pair_cases); i++) {
		const struct pair_case *c = &pair_cases[i];
		struct berth_error *err = NULL;
		struct build_pair *pairs = NULL;
		size_t n = 0;

		if (build_split_pairs(c->text, '\\', c->legacy, c->no_value,
				      &pairs, &n, &err) < 0)
			fail_msg("'%s' failed: %s", c->text, err->msg);
		assert_int_equal(n, c->n);
		for (size_t j = 0; j < n; j++) {
			assert_string_equal(pairs[j].key, c->keys[j]);
			if (c->values[j] == NULL) {
				assert_false(pairs[j].has_value);
				assert_null(pairs[j].value);
			} else {
				assert_true(pairs[j].has_value);
				assert_string_equal(pairs[j].value,
						    c->values[j]);
			}
		}
		build_pairs_free(pairs, n);
	}
}

static void split_pairs_errors(void **state)
{
	static const struct {
		const char *text;
		bool legacy;
		const char *message;
	} cases[] = {
		{"KEY", true,
		 "missing value for 'KEY': use KEY=VALUE or KEY VALUE"},
		{"a=1 b", true, "'b' is not of the form KEY=VALUE"},
		{"=1", true, "empty name in '=1'"},
		{"B", false, "'B' is not of the form KEY=VALUE"},
		{"", true, "missing KEY=VALUE"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct berth_error *err = NULL;
		struct build_pair *pairs = NULL;
		size_t n = 0;

		assert_int_equal(build_split_pairs(cases[i].text, '\\',
						   cases[i].legacy, false,
						   &pairs, &n, &err),
				 -1);
		assert_string_equal(err->msg, cases[i].message);
		assert_null(pairs);
		berth_error_free(&err);
	}
}

static void expansion_rules(void **state)
{
	static const struct {
		enum build_instruction_kind kind;
		bool expands;
	} rules[] = {
		{BUILD_FROM, true},	{BUILD_RUN, false},
		{BUILD_COPY, true},	{BUILD_ADD, true},
		{BUILD_ENV, true},	{BUILD_ARG, true},
		{BUILD_WORKDIR, true},	{BUILD_USER, true},
		{BUILD_EXPOSE, true},	{BUILD_LABEL, true},
		{BUILD_VOLUME, true},	{BUILD_ENTRYPOINT, false},
		{BUILD_CMD, false},	{BUILD_STOPSIGNAL, true},
		{BUILD_SHELL, false},	{BUILD_HEALTHCHECK, false},
		{BUILD_ONBUILD, false}, {BUILD_MAINTAINER, false},
	};

	for (size_t i = 0; i < ARRAY_SIZE(rules); i++) {
		if (build_instruction_expands(rules[i].kind) !=
		    rules[i].expands)
			fail_msg("%s: expected expands=%d",
				 build_instruction_name(rules[i].kind),
				 rules[i].expands);
	}

	assert_true(build_flag_expands(BUILD_COPY, "from"));
	assert_true(build_flag_expands(BUILD_COPY, "chown"));
	assert_true(build_flag_expands(BUILD_ADD, "chmod"));
	assert_true(build_flag_expands(BUILD_RUN, "mount"));
	assert_true(build_flag_expands(BUILD_FROM, "platform"));
	assert_false(build_flag_expands(BUILD_COPY, "link"));
	assert_false(build_flag_expands(BUILD_HEALTHCHECK, "interval"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(expand_table),
		cmocka_unit_test(expand_backtick_escape),
		cmocka_unit_test(expand_errors),
		cmocka_unit_test(expand_nesting_limit),
		cmocka_unit_test(expand_size_limit),
		cmocka_unit_test(expand_callback_lookup),
		cmocka_unit_test(env_lookup_last_wins),
		cmocka_unit_test(split_pairs_table),
		cmocka_unit_test(split_pairs_errors),
		cmocka_unit_test(expansion_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
