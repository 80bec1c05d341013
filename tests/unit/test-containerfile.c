/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "build/containerfile.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/strv.h"
#include "util/xalloc.h"

static struct containerfile *parse_ok(const char *text)
{
	struct containerfile *cf = NULL;
	struct berth_error *err = NULL;

	if (containerfile_parse(text, strlen(text), "Containerfile", &cf,
				&err) < 0)
		fail_msg("parse failed: %s", err->msg);
	return cf;
}

/* The nth instruction of the only or last stage. */
static const struct build_instruction *
last_stage_instr(const struct containerfile *cf, size_t n)
{
	const struct build_stage *stage = &cf->stages[cf->n_stages - 1];

	assert_true(n < stage->n_instructions);
	return &stage->instructions[n];
}

static void assert_args(char *const *args, const char *const *expected)
{
	size_t n = 0;

	while (expected[n] != NULL)
		n++;
	assert_int_equal(strv_length(args), n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(args[i], expected[i]);
}

static void parse_basic_stage(void **state)
{
	struct containerfile *cf =
		parse_ok("FROM alpine:3.19\n"
			 "RUN echo hi\n"
			 "\n"
			 "# comment\n"
			 "CMD [\"sh\", \"-c\", \"echo done\"]\n");
	const struct build_stage *stage;

	assert_int_equal(cf->n_stages, 1);
	assert_int_equal(cf->n_global_args, 0);
	assert_int_equal(cf->escape, '\\');
	assert_null(cf->syntax);
	assert_string_equal(cf->path, "Containerfile");

	stage = &cf->stages[0];
	assert_int_equal(stage->index, 0);
	assert_string_equal(stage->base, "alpine:3.19");
	assert_null(stage->name);
	assert_null(stage->platform);
	assert_int_equal(stage->n_instructions, 3);

	assert_int_equal(stage->instructions[0].kind, BUILD_FROM);
	assert_int_equal(stage->instructions[0].line, 1);
	assert_args(stage->instructions[0].args,
		    (const char *[]){"alpine:3.19", NULL});

	assert_int_equal(stage->instructions[1].kind, BUILD_RUN);
	assert_int_equal(stage->instructions[1].line, 2);
	assert_false(stage->instructions[1].json_form);
	assert_string_equal(stage->instructions[1].text, "RUN echo hi");
	assert_args(stage->instructions[1].args,
		    (const char *[]){"echo hi", NULL});

	assert_int_equal(stage->instructions[2].kind, BUILD_CMD);
	assert_int_equal(stage->instructions[2].line, 5);
	assert_true(stage->instructions[2].json_form);
	assert_args(stage->instructions[2].args,
		    (const char *[]){"sh", "-c", "echo done", NULL});
	containerfile_free(cf);
}

static void parse_names_case_insensitive(void **state)
{
	static const struct {
		const char *line;
		enum build_instruction_kind kind;
	} cases[] = {
		{"run x", BUILD_RUN},
		{"Copy a b", BUILD_COPY},
		{"aDd a b", BUILD_ADD},
		{"env A=1", BUILD_ENV},
		{"arg A", BUILD_ARG},
		{"workdir /w", BUILD_WORKDIR},
		{"user 1000", BUILD_USER},
		{"expose 80", BUILD_EXPOSE},
		{"label a=b", BUILD_LABEL},
		{"volume /v", BUILD_VOLUME},
		{"entrypoint [\"e\"]", BUILD_ENTRYPOINT},
		{"cmd c", BUILD_CMD},
		{"stopsignal SIGINT", BUILD_STOPSIGNAL},
		{"shell [\"/bin/bash\", \"-c\"]", BUILD_SHELL},
		{"healthcheck NONE", BUILD_HEALTHCHECK},
		{"onbuild RUN x", BUILD_ONBUILD},
		{"maintainer me", BUILD_MAINTAINER},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		_cleanup_free_ char *text = NULL;
		struct containerfile *cf;

		xasprintf(&text, "from scratch\n%s\n", cases[i].line);
		cf = parse_ok(text);
		assert_int_equal(cf->stages[0].instructions[0].kind,
				 BUILD_FROM);
		if (last_stage_instr(cf, 1)->kind != cases[i].kind)
			fail_msg("'%s' parsed as %s", cases[i].line,
				 build_instruction_name(
					 last_stage_instr(cf, 1)->kind));
		containerfile_free(cf);
	}
	assert_int_equal(build_instruction_kind_from_name("hEaLtHcHeCk"),
			 BUILD_HEALTHCHECK);
	assert_int_equal(build_instruction_kind_from_name("FOO"), -1);
	assert_string_equal(build_instruction_name(BUILD_ONBUILD), "ONBUILD");
}

static void parse_continuation_lines(void **state)
{
	struct containerfile *cf = parse_ok("FROM x\n"
					    "RUN apt-get update && \\\n"
					    "    apt-get install -y \\  \n"
					    "# a comment inside\n"
					    "   # an indented comment\n"
					    "\n"
					    "      curl\n"
					    "ENV A=1\n");
	const struct build_instruction *run = last_stage_instr(cf, 1);

	assert_int_equal(run->line, 2);
	assert_args(
		run->args,
		(const char *[]){
			"apt-get update &&     apt-get install -y       curl",
			NULL});
	assert_int_equal(last_stage_instr(cf, 2)->kind, BUILD_ENV);
	assert_int_equal(last_stage_instr(cf, 2)->line, 8);
	containerfile_free(cf);
}

static void parse_continuation_at_end(void **state)
{
	struct containerfile *cf = parse_ok("FROM x\nRUN echo a \\");

	assert_args(last_stage_instr(cf, 1)->args,
		    (const char *[]){"echo a", NULL});
	containerfile_free(cf);
}

static void parse_escape_directive(void **state)
{
	struct containerfile *cf = parse_ok("# escape=`\n"
					    "FROM windows\n"
					    "COPY C:\\src\\ C:\\dst\\\n"
					    "RUN dir `\n"
					    "  C:\\\n");

	assert_int_equal(cf->escape, '`');
	assert_args(last_stage_instr(cf, 1)->args,
		    (const char *[]){"C:\\src\\", "C:\\dst\\", NULL});
	assert_args(last_stage_instr(cf, 2)->args,
		    (const char *[]){"dir   C:\\", NULL});
	containerfile_free(cf);
}

static void parse_directives(void **state)
{
	struct containerfile *cf = parse_ok("#syntax = docker/dockerfile:1.7\n"
					    "#  ESCAPE =\\\n"
					    "# check=skip=all\n"
					    "FROM x\n");
	struct containerfile *late = parse_ok("# hello\n"
					      "# escape=`\n"
					      "FROM x\n"
					      "RUN a `\n");
	struct containerfile *blank = parse_ok("\n# escape=`\nFROM x\n");
	struct containerfile *unknown = parse_ok("# foo=bar\n"
						 "# escape=`\n"
						 "FROM x\n");

	assert_string_equal(cf->syntax, "docker/dockerfile:1.7");
	assert_int_equal(cf->escape, '\\');

	assert_int_equal(late->escape, '\\');
	assert_args(last_stage_instr(late, 1)->args,
		    (const char *[]){"a `", NULL});
	assert_int_equal(blank->escape, '\\');
	assert_int_equal(unknown->escape, '\\');

	containerfile_free(cf);
	containerfile_free(late);
	containerfile_free(blank);
	containerfile_free(unknown);
}

static void parse_json_and_shell_forms(void **state)
{
	struct containerfile *cf =
		parse_ok("FROM x\n"
			 "ENTRYPOINT [\"/bin/app\", \"--flag=a b\"]\n"
			 "CMD [\"a\", ]\n"
			 "CMD [1, 2\n"
			 "CMD []\n"
			 "RUN [ \"echo\" , \"\\u00e9\\\"q\" ]  \n"
			 "CMD {\"a\": 1}\n"
			 "VOLUME [\"/a\", \"/b c\"]\n"
			 "VOLUME /a /b\n"
			 "RUN --network=none [\"true\"]\n");

	assert_true(last_stage_instr(cf, 1)->json_form);
	assert_args(last_stage_instr(cf, 1)->args,
		    (const char *[]){"/bin/app", "--flag=a b", NULL});

	assert_false(last_stage_instr(cf, 2)->json_form);
	assert_args(last_stage_instr(cf, 2)->args,
		    (const char *[]){"[\"a\", ]", NULL});
	assert_false(last_stage_instr(cf, 3)->json_form);
	assert_args(last_stage_instr(cf, 3)->args,
		    (const char *[]){"[1, 2", NULL});

	assert_true(last_stage_instr(cf, 4)->json_form);
	assert_int_equal(strv_length(last_stage_instr(cf, 4)->args), 0);

	assert_true(last_stage_instr(cf, 5)->json_form);
	assert_args(last_stage_instr(cf, 5)->args,
		    (const char *[]){"echo", "\xc3\xa9\"q", NULL});

	assert_false(last_stage_instr(cf, 6)->json_form);

	assert_true(last_stage_instr(cf, 7)->json_form);
	assert_args(last_stage_instr(cf, 7)->args,
		    (const char *[]){"/a", "/b c", NULL});
	assert_false(last_stage_instr(cf, 8)->json_form);
	assert_args(last_stage_instr(cf, 8)->args,
		    (const char *[]){"/a", "/b", NULL});

	assert_true(last_stage_instr(cf, 9)->json_form);
	assert_string_equal(
		build_instruction_flag(last_stage_instr(cf, 9), "network"),
		"none");
	containerfile_free(cf);
}

static void parse_flags(void **state)
{
	struct containerfile *cf = parse_ok(
		"FROM --platform=linux/arm64 base AS build\n"
		"FROM x\n"
		"COPY --from=build --chown=1000:1000 --chmod=0755 --link src/ "
		"/dst/\n"
		"COPY --link=false --from=\"build\" a b\n"
		"RUN --mount=type=cache,target=/root/.cache "
		"--mount=type=secret,id=tok -- make\n"
		"ADD --checksum=sha256:abc --keep-git-dir=true https://x/y /y\n"
		"HEALTHCHECK --interval=5s --retries=3 CMD curl -f "
		"localhost\n");
	const struct build_instruction *copy = last_stage_instr(cf, 1);
	const struct build_instruction *copy2 = last_stage_instr(cf, 2);
	const struct build_instruction *run = last_stage_instr(cf, 3);
	const struct build_instruction *add = last_stage_instr(cf, 4);
	const struct build_instruction *hc = last_stage_instr(cf, 5);

	assert_string_equal(cf->stages[0].platform, "linux/arm64");
	assert_string_equal(cf->stages[0].name, "build");

	assert_int_equal(copy->n_flags, 4);
	assert_string_equal(build_instruction_flag(copy, "from"), "build");
	assert_string_equal(build_instruction_flag(copy, "chown"), "1000:1000");
	assert_string_equal(build_instruction_flag(copy, "chmod"), "0755");
	assert_string_equal(build_instruction_flag(copy, "link"), "");
	assert_null(copy->flags[3].value);
	assert_true(build_instruction_flag_bool(copy, "link"));
	assert_null(build_instruction_flag(copy, "parents"));
	assert_false(build_instruction_flag_bool(copy, "parents"));
	assert_args(copy->args, (const char *[]){"src/", "/dst/", NULL});

	assert_false(build_instruction_flag_bool(copy2, "link"));
	assert_string_equal(build_instruction_flag(copy2, "from"), "build");

	assert_int_equal(run->n_flags, 2);
	assert_string_equal(run->flags[0].name, "mount");
	assert_string_equal(run->flags[0].value,
			    "type=cache,target=/root/.cache");
	assert_string_equal(run->flags[1].value, "type=secret,id=tok");
	assert_args(run->args, (const char *[]){"make", NULL});

	assert_string_equal(build_instruction_flag(add, "checksum"),
			    "sha256:abc");
	assert_true(build_instruction_flag_bool(add, "keep-git-dir"));

	assert_string_equal(build_instruction_flag(hc, "interval"), "5s");
	assert_string_equal(build_instruction_flag(hc, "retries"), "3");
	assert_args(hc->args,
		    (const char *[]){"CMD-SHELL", "curl -f localhost", NULL});
	containerfile_free(cf);
}

static void parse_env_label_arg(void **state)
{
	struct containerfile *cf = parse_ok(
		"ARG VERSION=1.0 OTHER\n"
		"FROM x:${VERSION}\n"
		"ENV A=1 B=\"two words\" C=it\\'s\n"
		"ENV LEGACY a value  with spaces\n"
		"LABEL \"com.example.vendor\"=\"ACME\" version=${VERSION}\n"
		"LABEL legacy label\n"
		"ARG BUILD_ONLY\n");
	const struct build_instruction *env = last_stage_instr(cf, 1);
	const struct build_instruction *legacy = last_stage_instr(cf, 2);
	const struct build_instruction *label = last_stage_instr(cf, 3);
	const struct build_instruction *label2 = last_stage_instr(cf, 4);
	const struct build_instruction *arg = last_stage_instr(cf, 5);

	assert_int_equal(cf->n_global_args, 1);
	assert_int_equal(cf->global_args[0].kind, BUILD_ARG);
	assert_int_equal(cf->global_args[0].n_pairs, 2);
	assert_string_equal(cf->global_args[0].pairs[0].key, "VERSION");
	assert_string_equal(cf->global_args[0].pairs[0].value, "1.0");
	assert_true(cf->global_args[0].pairs[0].has_value);
	assert_string_equal(cf->global_args[0].pairs[1].key, "OTHER");
	assert_false(cf->global_args[0].pairs[1].has_value);
	assert_string_equal(cf->stages[0].base, "x:${VERSION}");

	assert_int_equal(env->n_pairs, 3);
	assert_string_equal(env->pairs[1].key, "B");
	assert_string_equal(env->pairs[1].value, "\"two words\"");
	assert_string_equal(env->pairs[2].value, "it\\'s");
	assert_null(env->args);

	assert_int_equal(legacy->n_pairs, 1);
	assert_string_equal(legacy->pairs[0].key, "LEGACY");
	assert_string_equal(legacy->pairs[0].value, "a value  with spaces");

	assert_int_equal(label->n_pairs, 2);
	assert_string_equal(label->pairs[0].key, "\"com.example.vendor\"");
	assert_string_equal(label->pairs[0].value, "\"ACME\"");
	assert_string_equal(label->pairs[1].value, "${VERSION}");

	assert_string_equal(label2->pairs[0].key, "legacy");
	assert_string_equal(label2->pairs[0].value, "label");

	assert_int_equal(arg->n_pairs, 1);
	assert_false(arg->pairs[0].has_value);
	containerfile_free(cf);
}

static void parse_other_instructions(void **state)
{
	struct containerfile *cf = parse_ok(
		"FROM x\n"
		"WORKDIR /app dir\n"
		"USER app:staff\n"
		"EXPOSE 80 443/udp  8080/tcp\n"
		"STOPSIGNAL SIGTERM\n"
		"MAINTAINER Jane <jane@example.com>\n"
		"SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\n"
		"HEALTHCHECK NONE\n"
		"HEALTHCHECK --timeout=3s CMD [\"/bin/check\", \"-q\"]\n"
		"ONBUILD COPY --chown=1 . /src\n");

	assert_args(last_stage_instr(cf, 1)->args,
		    (const char *[]){"/app dir", NULL});
	assert_args(last_stage_instr(cf, 2)->args,
		    (const char *[]){"app:staff", NULL});
	assert_args(last_stage_instr(cf, 3)->args,
		    (const char *[]){"80", "443/udp", "8080/tcp", NULL});
	assert_args(last_stage_instr(cf, 4)->args,
		    (const char *[]){"SIGTERM", NULL});
	assert_args(last_stage_instr(cf, 5)->args,
		    (const char *[]){"Jane <jane@example.com>", NULL});
	assert_true(last_stage_instr(cf, 6)->json_form);
	assert_args(
		last_stage_instr(cf, 6)->args,
		(const char *[]){"/bin/bash", "-o", "pipefail", "-c", NULL});
	assert_args(last_stage_instr(cf, 7)->args,
		    (const char *[]){"NONE", NULL});
	assert_true(last_stage_instr(cf, 8)->json_form);
	assert_args(last_stage_instr(cf, 8)->args,
		    (const char *[]){"CMD", "/bin/check", "-q", NULL});

	const struct build_instruction *onbuild = last_stage_instr(cf, 9);
	assert_args(onbuild->args,
		    (const char *[]){"COPY --chown=1 . /src", NULL});
	assert_non_null(onbuild->onbuild);
	assert_int_equal(onbuild->onbuild->kind, BUILD_COPY);
	assert_string_equal(build_instruction_flag(onbuild->onbuild, "chown"),
			    "1");
	assert_args(onbuild->onbuild->args,
		    (const char *[]){".", "/src", NULL});
	containerfile_free(cf);
}

static void parse_heredocs(void **state)
{
	struct containerfile *cf = parse_ok("FROM x\n"
					    "RUN <<EOF\n"
					    "echo \"$HOME\"\n"
					    "  indented\n"
					    "EOF\n"
					    "RUN python3 <<-'PY' > out\n"
					    "\t\tprint('hi')\n"
					    "\tPY\n"
					    "COPY <<one <<\"two\" /dst/\n"
					    "first\n"
					    "one\n"
					    "second\n"
					    "two\n"
					    "RUN cat <<EOF\n"
					    "\n"
					    "EOF\n"
					    "RUN echo '<<NOT' \"<<NOT\" 2<<X\n"
					    "X\n"
					    "USER done\n");
	const struct build_instruction *run = last_stage_instr(cf, 1);
	const struct build_instruction *py = last_stage_instr(cf, 2);
	const struct build_instruction *copy = last_stage_instr(cf, 3);
	const struct build_instruction *empty = last_stage_instr(cf, 4);
	const struct build_instruction *quoted = last_stage_instr(cf, 5);

	assert_int_equal(run->n_heredocs, 1);
	assert_string_equal(run->heredocs[0].name, "EOF");
	assert_string_equal(run->heredocs[0].content,
			    "echo \"$HOME\"\n  indented\n");
	assert_true(run->heredocs[0].expand);
	assert_false(run->heredocs[0].strip_tabs);
	assert_args(run->args, (const char *[]){"<<EOF", NULL});

	assert_int_equal(py->line, 6);
	assert_string_equal(py->heredocs[0].name, "PY");
	assert_string_equal(py->heredocs[0].content, "print('hi')\n");
	assert_true(py->heredocs[0].strip_tabs);
	assert_false(py->heredocs[0].expand);

	assert_int_equal(copy->line, 9);
	assert_int_equal(copy->n_heredocs, 2);
	assert_string_equal(copy->heredocs[0].content, "first\n");
	assert_string_equal(copy->heredocs[1].name, "two");
	assert_string_equal(copy->heredocs[1].content, "second\n");
	assert_false(copy->heredocs[1].expand);
	assert_args(copy->args,
		    (const char *[]){"<<one", "<<\"two\"", "/dst/", NULL});
	assert_ptr_equal(build_instruction_heredoc(copy, "<<one"),
			 &copy->heredocs[0]);
	assert_ptr_equal(build_instruction_heredoc(copy, "<<\"two\""),
			 &copy->heredocs[1]);
	assert_null(build_instruction_heredoc(copy, "/dst/"));
	assert_null(build_instruction_heredoc(copy, "<<three"));

	assert_string_equal(empty->heredocs[0].content, "\n");

	assert_int_equal(quoted->n_heredocs, 1);
	assert_string_equal(quoted->heredocs[0].name, "X");
	assert_string_equal(quoted->heredocs[0].content, "");

	assert_int_equal(last_stage_instr(cf, 6)->kind, BUILD_USER);
	assert_int_equal(last_stage_instr(cf, 6)->line, 19);
	containerfile_free(cf);
}

static void parse_stages(void **state)
{
	struct containerfile *cf =
		parse_ok("FROM golang:1.22 AS Build\n"
			 "RUN go build\n"
			 "FROM build as test\n"
			 "RUN --mount=type=bind,from=build,target=/b true\n"
			 "FROM alpine\n"
			 "COPY --from=BUILD /out /bin/\n"
			 "COPY --from=1 /x /x\n"
			 "COPY --from=nginx:latest /etc/nginx /etc/nginx\n"
			 "COPY --from=${STAGE} /y /y\n");

	assert_int_equal(cf->n_stages, 3);
	assert_string_equal(cf->stages[0].name, "build");
	assert_string_equal(cf->stages[0].base, "golang:1.22");
	assert_string_equal(cf->stages[1].name, "test");
	assert_string_equal(cf->stages[1].base, "build");
	assert_int_equal(cf->stages[1].index, 1);
	assert_null(cf->stages[2].name);
	assert_int_equal(cf->stages[2].n_instructions, 5);

	assert_int_equal(containerfile_find_stage(cf, "build", 1, false), 0);
	assert_int_equal(containerfile_find_stage(cf, "BUILD", 2, true), 0);
	assert_int_equal(containerfile_find_stage(cf, "build", 0, true), -1);
	assert_int_equal(containerfile_find_stage(cf, "test", 1, true), -1);
	assert_int_equal(containerfile_find_stage(cf, "1", 2, true), 1);
	assert_int_equal(containerfile_find_stage(cf, "1", 2, false), -1);
	assert_int_equal(containerfile_find_stage(cf, "2", 2, true), -1);
	assert_int_equal(containerfile_find_stage(cf, "alpine", 3, true), -1);
	struct berth_error *err = NULL;

	assert_int_equal(containerfile_check_stages(cf, &err), 0);
	assert_null(err);
	containerfile_free(cf);

	assert_true(build_stage_name_valid("a"));
	assert_true(build_stage_name_valid("build-1.x_y"));
	assert_true(build_stage_name_valid("Upper"));
	assert_false(build_stage_name_valid("1abc"));
	assert_false(build_stage_name_valid("a/b"));
	assert_false(build_stage_name_valid("-a"));
	assert_false(build_stage_name_valid(""));
}

static void parse_bom_and_crlf(void **state)
{
	struct containerfile *cf = parse_ok("\xef\xbb\xbf"
					    "# escape=`\r\n"
					    "FROM x\r\n"
					    "RUN a `\r\n"
					    "  b\r\n");

	assert_int_equal(cf->escape, '`');
	assert_args(last_stage_instr(cf, 1)->args,
		    (const char *[]){"a   b", NULL});
	containerfile_free(cf);
}

struct error_case {
	const char *text;
	const char *message;
};

static const struct error_case error_cases[] = {
	{"FROM x\nCMD [1, 2]\n", "Containerfile:2: CMD: the JSON form takes "
				 "only strings, got '[1, 2]'"},
	{"FROM x\nCOPY [\"a\", null]\n",
	 "Containerfile:2: COPY: the JSON form takes only strings, got "
	 "'[\"a\", null]'"},
	{"FROM x\nFOO bar\n", "Containerfile:2: unknown instruction 'FOO'"},
	{"FROM x\nCOPY a\n", "Containerfile:2: COPY: missing destination"},
	{"FROM x\nADD\n",
	 "Containerfile:2: ADD: missing source and destination"},
	{"FROM x\nCOPY [\"a\"]\n",
	 "Containerfile:2: COPY: missing destination"},
	{"", "Containerfile: no FROM instruction: a build needs at least one "
	     "stage"},
	{"# just a comment\n\n", "Containerfile: no FROM instruction: a build "
				 "needs at least one stage"},
	{"ARG A\n", "Containerfile: no FROM instruction: a build needs at "
		    "least one stage"},
	{"RUN x\nFROM y\n",
	 "Containerfile:1: RUN: no FROM before this instruction: only ARG may "
	 "come before the first FROM"},
	{"FROM\n", "Containerfile:1: FROM: missing image"},
	{"FROM a b\n", "Containerfile:1: FROM: expected 'FROM "
		       "[--platform=PLATFORM] IMAGE [AS NAME]', got 'a b'"},
	{"FROM a AS 1st\n",
	 "Containerfile:1: FROM: invalid stage name '1st': use a letter, then "
	 "letters, digits, '-', '_' or '.'"},
	{"FROM a AS b\nFROM c AS B\n", "Containerfile:2: FROM: duplicate stage "
				       "name 'b', first used at line 1"},
	{"FROM a\nCOPY --from=0 x y\n",
	 "Containerfile:2: COPY: --from '0' refers to its own stage"},
	{"FROM a AS one\nCOPY --from=two x y\nFROM b AS two\n",
	 "Containerfile:2: COPY: --from 'two' is not an earlier stage: a stage "
	 "can only use the stages before it"},
	{"FROM a\nCOPY --from=5 x y\n",
	 "Containerfile:2: COPY: --from '5' is not an earlier stage: a stage "
	 "can only use the stages before it"},
	{"FROM a AS s\nRUN --mount=type=bind,from=s true\n",
	 "Containerfile:2: RUN: --mount from= 's' refers to its own stage"},
	{"FROM x\nCOPY --foo=1 a b\n",
	 "Containerfile:2: COPY: unknown flag '--foo'"},
	{"FROM x\nRUN --from=a true\n",
	 "Containerfile:2: RUN: unknown flag '--from'"},
	{"FROM x\nCOPY --from a b\n",
	 "Containerfile:2: COPY: flag '--from' needs a value: --from=VALUE"},
	{"FROM x\nCOPY --link=maybe a b\n",
	 "Containerfile:2: COPY: invalid value 'maybe' for '--link': use true "
	 "or false"},
	{"FROM x\nCOPY --from=a --from=b c d\n",
	 "Containerfile:2: COPY: flag '--from' given twice"},
	{"FROM x\nENV A\n", "Containerfile:2: ENV: missing value for 'A': use "
			    "KEY=VALUE or KEY VALUE"},
	{"FROM x\nENV A=1 B\n",
	 "Containerfile:2: ENV: 'B' is not of the form KEY=VALUE"},
	{"FROM x\nENV\n", "Containerfile:2: ENV: missing KEY=VALUE"},
	{"FROM x\nLABEL =v\n", "Containerfile:2: LABEL: empty name in '=v'"},
	{"FROM x\nARG\n", "Containerfile:2: ARG: missing NAME[=DEFAULT]"},
	{"FROM x\nRUN\n", "Containerfile:2: RUN: missing command"},
	{"FROM x\nCMD   \n", "Containerfile:2: CMD: missing command"},
	{"FROM x\nWORKDIR\n", "Containerfile:2: WORKDIR: missing directory"},
	{"FROM x\nUSER\n", "Containerfile:2: USER: missing user"},
	{"FROM x\nEXPOSE\n", "Containerfile:2: EXPOSE: missing port"},
	{"FROM x\nVOLUME []\n", "Containerfile:2: VOLUME: missing path"},
	{"FROM x\nVOLUME [\"\"]\n",
	 "Containerfile:2: VOLUME: empty path in '[\"\"]'"},
	{"FROM x\nSTOPSIGNAL\n", "Containerfile:2: STOPSIGNAL: missing signal"},
	{"FROM x\nSHELL /bin/sh -c\n",
	 "Containerfile:2: SHELL: needs the JSON form, as in SHELL "
	 "[\"/bin/sh\", \"-c\"]"},
	{"FROM x\nSHELL []\n",
	 "Containerfile:2: SHELL: missing shell executable"},
	{"FROM x\nHEALTHCHECK\n",
	 "Containerfile:2: HEALTHCHECK: missing CMD or NONE"},
	{"FROM x\nHEALTHCHECK NONE x\n",
	 "Containerfile:2: HEALTHCHECK: NONE takes no arguments"},
	{"FROM x\nHEALTHCHECK RUN x\n",
	 "Containerfile:2: HEALTHCHECK: unknown type 'RUN': use CMD or NONE"},
	{"FROM x\nHEALTHCHECK CMD\n",
	 "Containerfile:2: HEALTHCHECK: missing command after CMD"},
	{"FROM x\nHEALTHCHECK --interval=1s CMD []\n",
	 "Containerfile:2: HEALTHCHECK: missing command after CMD"},
	{"FROM x\nONBUILD\n",
	 "Containerfile:2: ONBUILD: missing trigger instruction"},
	{"FROM x\nONBUILD ONBUILD RUN x\n",
	 "Containerfile:2: ONBUILD: ONBUILD cannot trigger ONBUILD"},
	{"FROM x\nONBUILD FROM y\n",
	 "Containerfile:2: ONBUILD: FROM is not allowed as a trigger"},
	{"FROM x\nONBUILD BOGUS y\n",
	 "Containerfile:2: ONBUILD: unknown instruction 'BOGUS'"},
	{"FROM x\nONBUILD RUN <<EOF\n",
	 "Containerfile:2: ONBUILD: heredocs are not supported in triggers"},
	{"FROM x\nRUN <<EOF\nno end\n",
	 "Containerfile:2: RUN: heredoc 'EOF' has no terminating 'EOF' line"},
	{"# escape=x\nFROM x\n",
	 "Containerfile:1: invalid escape directive 'x': use '\\' or '`'"},
	{"# escape=`\n# escape=\\\nFROM x\n",
	 "Containerfile:2: only one 'escape' directive is allowed"},
	{"FROM x\n\n  MAINTAINER\n",
	 "Containerfile:3: MAINTAINER: missing name"},
};

static void parse_errors(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(error_cases); i++) {
		const struct error_case *c = &error_cases[i];
		struct containerfile *cf = NULL;
		struct berth_error *err = NULL;

		if (containerfile_parse(c->text, strlen(c->text),
					"Containerfile", &cf, &err) == 0)
			fail_msg("'%s' parsed, expected '%s'", c->text,
				 c->message);
		assert_null(cf);
		if (strcmp(err->msg, c->message) != 0)
			fail_msg("'%s' failed with '%s', expected '%s'",
				 c->text, err->msg, c->message);
		berth_error_free(&err);
	}
}

static void parse_rejects_oversized_file(void **state)
{
	size_t len = CONTAINERFILE_MAX_SIZE + 1;
	_cleanup_free_ char *text = xmalloc(len);
	struct containerfile *cf = NULL;
	struct berth_error *err = NULL;

	memset(text, '#', len);
	memcpy(text, "FROM scratch\n", 13);

	assert_int_equal(
		containerfile_parse(text, len, "Containerfile", &cf, &err), -1);
	assert_null(cf);
	assert_string_equal(err->msg, "Containerfile: the file has 1048577 "
				      "bytes, more than the limit of 1048576");
	berth_error_free(&err);

	cf = parse_ok("FROM scratch\n");
	containerfile_free(cf);
}

static void parse_rejects_too_many_stages(void **state)
{
	size_t n = CONTAINERFILE_MAX_STAGES + 1;
	_cleanup_free_ char *text = xmalloc(n * 13 + 1);
	struct containerfile *cf = NULL;
	struct berth_error *err = NULL;

	for (size_t i = 0; i < n; i++)
		memcpy(text + i * 13, "FROM scratch\n", 13);
	text[n * 13] = '\0';

	assert_int_equal(
		containerfile_parse(text, n * 13, "Containerfile", &cf, &err),
		-1);
	assert_null(cf);
	assert_string_equal(err->msg, "Containerfile: 1001 stages, more than "
				      "the limit of 1000");
	berth_error_free(&err);

	text[(n - 1) * 13] = '\0';
	cf = parse_ok(text);
	assert_int_equal(cf->n_stages, CONTAINERFILE_MAX_STAGES);
	containerfile_free(cf);
}

static void parse_rejects_nul_byte(void **state)
{
	static const char text[] = "FROM x\nRUN a\0b\n";
	struct containerfile *cf = NULL;
	struct berth_error *err = NULL;

	assert_int_equal(containerfile_parse(text, sizeof(text) - 1,
					     "Dockerfile", &cf, &err),
			 -1);
	assert_string_equal(err->msg,
			    "Dockerfile: invalid NUL byte at offset 12");
	berth_error_free(&err);
}

static void write_file(const char *dir, const char *name, const char *text)
{
	_cleanup_free_ char *path = fs_path_join(dir, name);
	struct berth_error *err = NULL;

	if (fs_write_atomic(path, text, strlen(text), 0644, &err) < 0)
		fail_msg("write %s: %s", path, err->msg);
}

static void find_and_load(void **state)
{
	char dir[] = "/tmp/test-containerfile-XXXXXX";
	_cleanup_free_ char *dockerfile = NULL;
	_cleanup_free_ char *containerfile = NULL;
	_cleanup_free_ char *expected = NULL;
	struct berth_error *err = NULL;
	struct containerfile *cf = NULL;
	char *found = NULL;

	assert_non_null(mkdtemp(dir));
	dockerfile = fs_path_join(dir, "Dockerfile");
	containerfile = fs_path_join(dir, "Containerfile");

	assert_int_equal(containerfile_find(dir, NULL, &found, &err), -1);
	xasprintf(&expected,
		  "no Containerfile or Dockerfile found in '%s': pass -f FILE",
		  dir);
	assert_string_equal(err->msg, expected);
	berth_error_free(&err);

	write_file(dir, "Dockerfile", "FROM from-dockerfile\n");
	assert_int_equal(containerfile_find(dir, NULL, &found, &err), 0);
	assert_string_equal(found, dockerfile);
	free(found);

	write_file(dir, "Containerfile", "FROM from-containerfile\n");
	assert_int_equal(containerfile_find(dir, NULL, &found, &err), 0);
	assert_string_equal(found, containerfile);

	assert_int_equal(containerfile_load(found, &cf, &err), 0);
	assert_string_equal(cf->stages[0].base, "from-containerfile");
	assert_string_equal(cf->path, containerfile);
	containerfile_free(cf);
	free(found);

	assert_int_equal(containerfile_find(dir, dockerfile, &found, &err), 0);
	assert_string_equal(found, dockerfile);
	free(found);

	assert_int_equal(containerfile_find(dir, "-", &found, &err), 0);
	assert_string_equal(found, "-");
	free(found);

	assert_int_equal(containerfile_find(dir, "/nonexistent/Containerfile",
					    &found, &err),
			 -1);
	assert_string_equal(err->msg,
			    "Containerfile '/nonexistent/Containerfile' not "
			    "found: check the -f path");
	berth_error_free(&err);

	assert_int_equal(unlink(dockerfile), 0);
	assert_int_equal(unlink(containerfile), 0);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_basic_stage),
		cmocka_unit_test(parse_names_case_insensitive),
		cmocka_unit_test(parse_continuation_lines),
		cmocka_unit_test(parse_continuation_at_end),
		cmocka_unit_test(parse_escape_directive),
		cmocka_unit_test(parse_directives),
		cmocka_unit_test(parse_json_and_shell_forms),
		cmocka_unit_test(parse_flags),
		cmocka_unit_test(parse_env_label_arg),
		cmocka_unit_test(parse_other_instructions),
		cmocka_unit_test(parse_heredocs),
		cmocka_unit_test(parse_stages),
		cmocka_unit_test(parse_bom_and_crlf),
		cmocka_unit_test(parse_errors),
		cmocka_unit_test(parse_rejects_oversized_file),
		cmocka_unit_test(parse_rejects_too_many_stages),
		cmocka_unit_test(parse_rejects_nul_byte),
		cmocka_unit_test(find_and_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
