/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "compose/compose.h"
#include "compose/dotenv.h"
#include "compose/interpolate.h"
#include "compose/merge.h"
#include "compose/normalize.h"
#include "compose/yaml-load.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/json.h"
#include "util/strv.h"
#include "util/xalloc.h"

static json_t *test_vars(void)
{
	return json_pack("{s:s,s:s,s:s,s:s}", "A", "a", "EMPTY", "", "TAG",
			 "1.25", "SPACED", "x y");
}

struct interp_case {
	const char *input;
	const char *expected; /* NULL: an error containing "error" */
	const char *error;
};

static const struct interp_case interp_cases[] = {
	{"plain", "plain", NULL},
	{"$A", "a", NULL},
	{"${A}", "a", NULL},
	{"x${A}y", "xay", NULL},
	{"$A.b", "a.b", NULL},
	{"$UNSET", "", NULL},
	{"${UNSET:-def}", "def", NULL},
	{"${EMPTY:-def}", "def", NULL},
	{"${EMPTY-def}", "", NULL},
	{"${UNSET-def}", "def", NULL},
	{"${A:-def}", "a", NULL},
	{"${A:+alt}", "alt", NULL},
	{"${EMPTY:+alt}", "", NULL},
	{"${UNSET:+alt}", "", NULL},
	{"${UNSET:-${A}}", "a", NULL},
	{"${UNSET:-${UNSET2:-deep}}", "deep", NULL},
	{"${A:?must}", "a", NULL},
	{"$$A", "$A", NULL},
	{"cost: $$5", "cost: $5", NULL},
	{"nginx:${TAG}", "nginx:1.25", NULL},
	{"${SPACED}", "x y", NULL},
	{"${UNSET:?tell me X}", NULL,
	 "required variable 'UNSET' is missing a value: tell me X"},
	{"${EMPTY:?}", NULL, "required variable 'EMPTY' is missing a value"},
	{"${EMPTY?}", "", NULL},
	{"${UNSET?oops}", NULL, "missing a value: oops"},
	{"${A", NULL, "invalid interpolation format"},
	{"$ x", NULL, "invalid interpolation format"},
	{"${1A}", NULL, "invalid interpolation format"},
	{"${A*b}", NULL, "invalid interpolation format"},
};

static void test_interpolate_table(void **state)
{
	_cleanup_json_ json_t *vars = test_vars();

	for (size_t i = 0; i < ARRAY_SIZE(interp_cases); i++) {
		const struct interp_case *c = &interp_cases[i];
		_cleanup_strv_ char **warnings = NULL;
		struct interp_env env = {.vars = vars, .warnings = &warnings};
		_cleanup_free_ char *out = NULL;
		_cleanup_error_ struct berth_error *err = NULL;
		int r = interpolate_string(c->input, &env, "here", &out, &err);

		if (c->expected != NULL) {
			assert_int_equal(r, 0);
			assert_string_equal(out, c->expected);
		} else {
			assert_int_equal(r, -1);
			assert_non_null(strstr(err->msg, c->error));
			assert_non_null(strstr(err->msg, "here: "));
		}
	}
}

static void test_interpolate_warns_unset(void **state)
{
	_cleanup_json_ json_t *vars = test_vars();
	_cleanup_strv_ char **warnings = NULL;
	struct interp_env env = {.vars = vars, .warnings = &warnings};
	_cleanup_free_ char *out = NULL;

	assert_int_equal(interpolate_string("$NOPE ${NOPE} ${NOPE:-x}", &env,
					    "here", &out, NULL),
			 0);
	assert_string_equal(out, "  x");
	assert_int_equal(strv_length(warnings), 1);
	assert_non_null(strstr(warnings[0], "'NOPE' is not set"));
}

struct dotenv_case {
	const char *input;
	const char *key;
	const char *value; /* NULL: key absent */
};

static const struct dotenv_case dotenv_cases[] = {
	{"A=1\n", "A", "1"},
	{"export B=2\n", "B", "2"},
	{"  C = spaced  \n", "C", "spaced"},
	{"# comment\nD=x # note\n", "D", "x"},
	{"E=a#b\n", "E", "a#b"},
	{"F='lit $HOME \\n'\n", "F", "lit $HOME \\n"},
	{"G=\"tab\\tnl\\nq\\\"\"\n", "G", "tab\tnl\nq\""},
	{"H=\"multi\nline\"\n", "H", "multi\nline"},
	{"X=1\nI=${X}2\n", "I", "12"},
	{"J=${OUTER}\n", "J", "out"},
	{"K=\"\\$X\"\n", "K", "$X"},
	{"L=\n", "L", ""},
	{"OUTER\n", "OUTER", "out"},
	{"MISSING\n", "MISSING", NULL},
	{"M='x' # c\n", "M", "x"},
	{"N=a=b\r\n", "N", "a=b"},
	{"O: yaml # c\n", "O", "yaml"},
	{"P : 'q'\n", "P", "q"},
};

static void test_dotenv_table(void **state)
{
	_cleanup_json_ json_t *outer = json_pack("{s:s}", "OUTER", "out");

	for (size_t i = 0; i < ARRAY_SIZE(dotenv_cases); i++) {
		const struct dotenv_case *c = &dotenv_cases[i];
		_cleanup_json_ json_t *vars = NULL;
		json_t *v;

		assert_int_equal(dotenv_parse(c->input, strlen(c->input),
					      ".env", outer, &vars, NULL),
				 0);
		v = json_object_get(vars, c->key);
		if (c->value == NULL) {
			assert_null(v);
			continue;
		}
		assert_non_null(v);
		assert_string_equal(json_string_value(v), c->value);
	}
}

struct dotenv_error_case {
	const char *input;
	const char *error;
};

static const struct dotenv_error_case dotenv_errors[] = {
	{"A=1\nB='open\n", ".env:2: unterminated single quote"},
	{"C=\"open\n", ".env:1: unterminated double quote"},
	{"1X=2\n", ".env:1: invalid variable name"},
	{"A=1\nB 2\n", ".env:2: expected '='"},
	{"D='x' y\n", ".env:1: unexpected text"},
	{"E=${NOPE:?needed}\n", ".env:1: required variable 'NOPE'"},
	{"A=1\nF=\xff\xfe\n", ".env:2: the value is not valid UTF-8"},
	{"G=\"\xc3\"\n", ".env:1: the value is not valid UTF-8"},
};

static void test_dotenv_errors(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(dotenv_errors); i++) {
		const struct dotenv_error_case *c = &dotenv_errors[i];
		_cleanup_json_ json_t *vars = NULL;
		_cleanup_error_ struct berth_error *err = NULL;

		assert_int_equal(dotenv_parse(c->input, strlen(c->input),
					      ".env", NULL, &vars, &err),
				 -1);
		assert_non_null(strstr(err->msg, c->error));
	}
}

/* Parse one file's text as "compose.yaml" in /proj. */
static int parse(const char *text, json_t **ret, char ***warnings,
		 struct berth_error **err)
{
	_cleanup_json_ json_t *vars = test_vars();

	return compose_parse_data(text, strlen(text), "compose.yaml", "/proj",
				  vars, warnings, ret, err);
}

static char *service_field(const json_t *doc, const char *service,
			   const char *field)
{
	json_t *v = json_object_get(
		json_object_get(json_object_get(doc, "services"), service),
		field);

	return v != NULL ? json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS |
						 JSON_ENCODE_ANY) :
			   NULL;
}

struct field_case {
	const char *yaml; /* a service "s" with this body */
	const char *field;
	const char *expected; /* canonical JSON */
};

static const struct field_case field_cases[] = {
	{"ports: ['8080:80']", "ports",
	 "[{\"mode\":\"ingress\",\"protocol\":\"tcp\",\"published\":\"8080\","
	 "\"target\":80}]"},
	{"ports: [80]", "ports",
	 "[{\"mode\":\"ingress\",\"protocol\":\"tcp\",\"target\":80}]"},
	{"ports: ['127.0.0.1:53:53/udp']", "ports",
	 "[{\"host_ip\":\"127.0.0.1\",\"mode\":\"ingress\",\"protocol\":"
	 "\"udp\",\"published\":\"53\",\"target\":53}]"},
	{"ports: ['[::1]:8080:80']", "ports",
	 "[{\"host_ip\":\"::1\",\"mode\":\"ingress\",\"protocol\":\"tcp\","
	 "\"published\":\"8080\",\"target\":80}]"},
	{"ports: ['9000-9001:90-91']", "ports",
	 "[{\"mode\":\"ingress\",\"protocol\":\"tcp\",\"published\":\"9000\","
	 "\"target\":90},{\"mode\":\"ingress\",\"protocol\":\"tcp\","
	 "\"published\":\"9001\",\"target\":91}]"},
	{"ports: ['8000-8010:80']", "ports",
	 "[{\"mode\":\"ingress\",\"protocol\":\"tcp\",\"published\":"
	 "\"8000-8010\",\"target\":80}]"},
	{"ports: [{target: 80, published: 8080, host_ip: 0.0.0.0}]", "ports",
	 "[{\"host_ip\":\"0.0.0.0\",\"mode\":\"ingress\",\"protocol\":\"tcp\","
	 "\"published\":\"8080\",\"target\":80}]"},
	{"volumes: ['./data:/data:ro']", "volumes",
	 "[{\"bind\":{\"create_host_path\":true},\"read_only\":true,"
	 "\"source\":\"/proj/data\",\"target\":\"/data\",\"type\":\"bind\"}]"},
	{"volumes: ['db:/var/lib/db:nocopy']", "volumes",
	 "[{\"source\":\"db\",\"target\":\"/var/lib/db\",\"type\":\"volume\","
	 "\"volume\":{\"nocopy\":true}}]"},
	{"volumes: ['/cache']", "volumes",
	 "[{\"target\":\"/cache\",\"type\":\"volume\"}]"},
	{"volumes: ['../up/x:/x:rslave']", "volumes",
	 "[{\"bind\":{\"create_host_path\":true,\"propagation\":\"rslave\"},"
	 "\"source\":\"/up/x\",\"target\":\"/x\",\"type\":\"bind\"}]"},
	{"volumes: [{type: tmpfs, target: /t, tmpfs: {size: 1k}}]", "volumes",
	 "[{\"target\":\"/t\",\"tmpfs\":{\"size\":1024},\"type\":\"tmpfs\"}]"},
	{"command: echo 'a b' \"c\\\"d\" e\\ f", "command",
	 "[\"echo\",\"a b\",\"c\\\"d\",\"e f\"]"},
	{"entrypoint: [/bin/sh, -c]", "entrypoint", "[\"/bin/sh\",\"-c\"]"},
	{"environment: [X=1, A, 'Y=a=b', NOPE]", "environment",
	 "{\"A\":\"a\",\"NOPE\":null,\"X\":\"1\",\"Y\":\"a=b\"}"},
	{"environment: {N: 5, B: true, A: null}", "environment",
	 "{\"A\":\"a\",\"B\":\"true\",\"N\":\"5\"}"},
	{"environment: {R: 0.1, S: 1.5e-7, T: 2.50}", "environment",
	 "{\"R\":\"0.1\",\"S\":\"1.5e-07\",\"T\":\"2.5\"}"},
	{"labels: [a=1, b]", "labels", "{\"a\":\"1\",\"b\":\"\"}"},
	{"depends_on: [db]", "depends_on",
	 "{\"db\":{\"condition\":\"service_started\",\"required\":true}}"},
	{"depends_on: {db: {condition: service_healthy, required: false}}",
	 "depends_on",
	 "{\"db\":{\"condition\":\"service_healthy\",\"required\":false}}"},
	{"networks: [front]", "networks", "{\"front\":null}"},
	{"networks: {front: {aliases: [w], ipv4_address: 10.0.0.5}}",
	 "networks",
	 "{\"front\":{\"aliases\":[\"w\"],\"ipv4_address\":"
	 "\"10.0.0.5\"}}"},
	{"healthcheck: {test: curl x, interval: 90s, retries: 3}",
	 "healthcheck",
	 "{\"interval\":\"1m30s\",\"retries\":3,\"test\":[\"CMD-SHELL\","
	 "\"curl x\"]}"},
	{"healthcheck: {test: [NONE]}", "healthcheck", "{\"test\":[\"NONE\"]}"},
	{"stop_grace_period: 1h2m3.5s", "stop_grace_period", "\"1h2m3.5s\""},
	{"stop_grace_period: 500ms", "stop_grace_period", "\"500ms\""},
	{"mem_limit: 1g", "mem_limit", "1073741824"},
	{"mem_limit: 512", "mem_limit", "512"},
	{"cpus: '0.5'", "cpus", "0.5"},
	{"pids_limit: -1", "pids_limit", "-1"},
	{"read_only: 'true'", "read_only", "true"},
	{"build: ./app", "build", "{\"context\":\"/proj/app\"}"},
	{"build: {context: ., dockerfile: Alt, args: [V=1], target: t}",
	 "build",
	 "{\"args\":{\"V\":\"1\"},\"context\":\"/proj\",\"dockerfile\":"
	 "\"Alt\",\"target\":\"t\"}"},
	{"env_file: a.env", "env_file",
	 "[{\"path\":\"/proj/a.env\",\"required\":true}]"},
	{"env_file: [{path: b.env, required: false}]", "env_file",
	 "[{\"path\":\"/proj/b.env\",\"required\":false}]"},
	{"expose: [80, '90/udp', 7000-7001]", "expose",
	 "[\"80\",\"90/udp\",\"7000-7001\"]"},
	{"extra_hosts: ['h:1.2.3.4', 'g=::1']", "extra_hosts",
	 "[\"h=1.2.3.4\",\"g=::1\"]"},
	{"extra_hosts: {h: 1.2.3.4}", "extra_hosts", "[\"h=1.2.3.4\"]"},
	{"dns: 8.8.8.8", "dns", "[\"8.8.8.8\"]"},
	{"restart: on-failure:3", "restart", "\"on-failure:3\""},
	{"user: '${TAG}:x'", "user", "\"1.25:x\""},
	{"deploy: {resources: {limits: {cpus: '2', memory: 64m, pids: 9}}}",
	 "deploy",
	 "{\"resources\":{\"limits\":{\"cpus\":2.0,\"memory\":67108864,"
	 "\"pids\":9}}}"},
};

static void test_service_fields_table(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(field_cases); i++) {
		const struct field_case *c = &field_cases[i];
		_cleanup_free_ char *text = NULL;
		_cleanup_json_ json_t *doc = NULL;
		_cleanup_error_ struct berth_error *err = NULL;
		_cleanup_free_ char *got = NULL;

		xasprintf(&text, "services:\n  s:\n    image: x\n    %s\n",
			  c->yaml);
		if (parse(text, &doc, NULL, &err) < 0)
			fail_msg("%s: %s", c->yaml, err->msg);
		got = service_field(doc, "s", c->field);
		if (got == NULL || strcmp(got, c->expected) != 0)
			fail_msg("%s: got %s, expected %s", c->yaml,
				 got ? got : "nothing", c->expected);
	}
}

struct error_case {
	const char *yaml;
	const char *error;
};

static const struct error_case error_cases[] = {
	{"services:\n  web:\n    image: x\n   bad: [\n", "compose.yaml:4:"},
	{"services:\n  web:\n    image: x\n    image: y\n",
	 "compose.yaml:4:5: duplicate key 'image'"},
	{"services:\n  web:\n    image: x\n    ports: 80\n",
	 "compose.yaml: services.web.ports: expected a sequence"},
	{"services:\n  web:\n    image: x\n    ports: ['99999:80']\n",
	 "services.web.ports[0]: invalid host port '99999'"},
	{"services:\n  web:\n    image: x\n    ports: ['80/icmp']\n",
	 "invalid protocol 'icmp'"},
	{"services:\n  web:\n    image: x\n    ports: ['1-3:1-2']\n",
	 "differ in length"},
	{"services:\n  web:\n    image: x\n    volumes: ['a:rel']\n",
	 "services.web.volumes[0]: invalid volume 'a:rel'"},
	{"services:\n  web:\n    image: x\n    volumes: ['/a:/b:bogus']\n",
	 "invalid volume option 'bogus'"},
	{"services:\n  web:\n    image: [x]\n",
	 "services.web.image: expected a string, got a sequence"},
	{"services:\n  web:\n    image: x\n    read_only: maybe\n",
	 "services.web.read_only: expected a boolean"},
	{"services:\n  web:\n    image: x\n    restart: sometimes\n",
	 "invalid restart policy 'sometimes'"},
	{"services:\n  web:\n    image: x\n    stop_grace_period: soon\n",
	 "services.web.stop_grace_period: invalid duration 'soon'"},
	{"services:\n  web:\n    image: x\n    mem_limit: lots\n",
	 "services.web.mem_limit: invalid size 'lots'"},
	{"services:\n  web:\n    image: x\n    depends_on:\n      db:\n"
	 "        condition: whenever\n",
	 "services.web.depends_on.db: condition: invalid 'whenever'"},
	{"services:\n  web:\n    image: x\n    healthcheck:\n"
	 "      test: [RUN, x]\n",
	 "services.web.healthcheck.test: a test list starts with NONE"},
	{"services:\n  web:\n    image: ${NEED:?set NEED first}\n",
	 "compose.yaml: services.web.image: required variable 'NEED' is "
	 "missing a value: set NEED first"},
	{"services:\n  web:\n    command: 'echo \"open'\n",
	 "services.web.command: unterminated quote"},
	{"- a\n- b\n", "expected a mapping at the top level"},
	{"a: *nope\n", "unknown anchor 'nope'"},
	{"services:\n  web:\n    image: x\n    ports: !reset []\n",
	 "compose.yaml:4:12: unsupported tag '!reset'"},
	{"services:\n  web: !override\n    image: x\n",
	 "compose.yaml:2:8: unsupported tag '!override'"},
	{"a: &x {image: x}\n---\nb: *x\n",
	 "compose.yaml:3:4: unknown anchor 'x'"},
};

static void test_parse_errors_table(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(error_cases); i++) {
		const struct error_case *c = &error_cases[i];
		_cleanup_json_ json_t *doc = NULL;
		_cleanup_error_ struct berth_error *err = NULL;

		if (parse(c->yaml, &doc, NULL, &err) == 0)
			fail_msg("accepted: %s", c->yaml);
		if (strstr(err->msg, c->error) == NULL)
			fail_msg("%s: got '%s', expected '%s'", c->yaml,
				 err->msg, c->error);
	}
}

static void test_unknown_key_warns(void **state)
{
	_cleanup_json_ json_t *doc = NULL;
	_cleanup_strv_ char **warnings = NULL;

	assert_int_equal(parse("services:\n  web:\n    imagee: x\n"
			       "    image: y\n    ulimits: {}\n"
			       "    x-mine: 1\nversion: '3'\n",
			       &doc, &warnings, NULL),
			 0);
	assert_true(strv_contains(
		warnings, "compose.yaml: services.web.imagee: unknown key, "
			  "ignored"));
	assert_true(strv_contains(warnings,
				  "compose.yaml: services.web.ulimits: not "
				  "supported by berth, ignored"));
	assert_true(strv_contains(warnings,
				  "compose.yaml: version: obsolete, ignored"));
	assert_int_equal(strv_length(warnings), 3);
	assert_null(service_field(doc, "web", "imagee"));
}

static void test_yaml_anchors_and_merge(void **state)
{
	static const char text[] = "x-base: &base\n  restart: always\n"
				   "  image: base\n"
				   "services:\n  a:\n    <<: *base\n"
				   "    image: own\n";
	_cleanup_json_ json_t *doc = NULL;
	_cleanup_free_ char *restart = NULL;
	_cleanup_free_ char *image = NULL;

	assert_int_equal(parse(text, &doc, NULL, NULL), 0);
	restart = service_field(doc, "a", "restart");
	image = service_field(doc, "a", "image");
	assert_string_equal(restart, "\"always\"");
	assert_string_equal(image, "\"own\"");
}

static void test_yaml_billion_laughs_bounded(void **state)
{
	static const char text[] =
		"a: &a [x, x, x, x, x, x, x, x, x, x]\n"
		"b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
		"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
		"d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
		"e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
		"f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
		"g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n";
	_cleanup_json_ json_t *doc = NULL;
	_cleanup_error_ struct berth_error *err = NULL;

	assert_int_equal(
		yaml_load_buffer(text, strlen(text), "lol.yaml", &doc, &err),
		-1);
	assert_non_null(strstr(err->msg, "lol.yaml:"));
	assert_non_null(strstr(err->msg, "nodes after expanding aliases"));
}

/* A long string aliased often costs few nodes but many bytes. */
static void test_yaml_long_alias_bounded(void **state)
{
	size_t long_len = 1024 * 1024;
	_cleanup_free_ char *text = NULL;
	_cleanup_json_ json_t *doc = NULL;
	_cleanup_error_ struct berth_error *err = NULL;
	char *p;

	text = xmalloc(long_len + 64 * 8 + 64);
	p = stpcpy(text, "x: &a \"");
	memset(p, 'l', long_len);
	p = stpcpy(p + long_len, "\"\nl:\n");
	for (int i = 0; i < 64; i++)
		p = stpcpy(p, "  - *a\n");

	assert_int_equal(
		yaml_load_buffer(text, strlen(text), "long.yaml", &doc, &err),
		-1);
	assert_non_null(strstr(err->msg, "long.yaml:"));
	assert_non_null(strstr(err->msg, "bytes of strings after expanding"));
}

/* Encoding errors name the line and column of the offending byte. */
static void test_yaml_encoding_error_position(void **state)
{
	static const char bad_utf8[] =
		"services:\n  a:\n    image: \"x\xff\"\n";
	static const char nul[] = "a: 1\nb: x\0y\n";
	_cleanup_json_ json_t *doc = NULL;
	_cleanup_error_ struct berth_error *err = NULL;

	assert_int_equal(yaml_load_buffer(bad_utf8, sizeof(bad_utf8) - 1,
					  "u.yaml", &doc, &err),
			 -1);
	assert_string_equal(err->msg,
			    "u.yaml:3:14: invalid leading UTF-8 octet");
	berth_error_free(&err);

	assert_int_equal(
		yaml_load_buffer(nul, sizeof(nul) - 1, "n.yaml", &doc, &err),
		-1);
	assert_string_equal(err->msg,
			    "n.yaml:2:5: control characters are not allowed");
}

static void test_yaml_scalar_types(void **state)
{
	static const char text[] = "i: 12\nf: 1.5\nb: true\nn: ~\n"
				   "q: '12'\ns: 1.2.3\nh: 0x1f\n";
	_cleanup_json_ json_t *doc = NULL;
	_cleanup_free_ char *dump = NULL;

	assert_int_equal(yaml_load_buffer(text, strlen(text), "t", &doc, NULL),
			 0);
	dump = json_dump_canonical(doc);
	assert_string_equal(dump, "{\"b\":true,\"f\":1.5,\"h\":31,\"i\":12,"
				  "\"n\":null,\"q\":\"12\",\"s\":\"1.2.3\"}");
}

static json_t *parse_ok(const char *text)
{
	json_t *doc = NULL;
	_cleanup_error_ struct berth_error *err = NULL;

	if (parse(text, &doc, NULL, &err) < 0)
		fail_msg("%s", err->msg);
	return doc;
}

/* The documents of one file merge in order, as docker compose does. */
static void test_multi_document_merge(void **state)
{
	_cleanup_json_ json_t *doc = parse_ok(
		"services:\n  a:\n    image: x\n    environment: {A: '1'}\n"
		"---\n"
		"services:\n  a:\n    environment: {B: '2'}\n"
		"  b:\n    image: y\n"
		"...\n");
	_cleanup_free_ char *env = service_field(doc, "a", "environment");
	_cleanup_free_ char *image = service_field(doc, "b", "image");

	assert_non_null(env);
	assert_string_equal(env, "{\"A\":\"1\",\"B\":\"2\"}");
	assert_non_null(image);
	assert_string_equal(image, "\"y\"");
}

static void test_merge_files(void **state)
{
	_cleanup_json_ json_t *base = parse_ok(
		"services:\n  web:\n    image: a\n    command: [x, y]\n"
		"    ports: ['80:80']\n    expose: [1]\n"
		"    environment: {A: '1', B: '2'}\n"
		"    volumes: ['/h1:/data', '/h2:/logs']\n"
		"    dns: [1.1.1.1]\n");
	_cleanup_json_ json_t *over =
		parse_ok("services:\n  web:\n    image: b\n    command: z\n"
			 "    ports: ['80:80', '81:81']\n    expose: [1, 2]\n"
			 "    environment: [B=3, C=4]\n"
			 "    volumes: ['/h3:/data:ro']\n    dns: 8.8.8.8\n"
			 "  extra:\n    image: c\n");
	static const struct {
		const char *service;
		const char *field;
		const char *expected;
	} checks[] = {
		{"web", "image", "\"b\""},
		{"web", "command", "[\"z\"]"},
		{"web", "expose", "[\"1\",\"2\"]"},
		{"web", "environment", "{\"A\":\"1\",\"B\":\"3\",\"C\":\"4\"}"},
		{"web", "dns", "[\"1.1.1.1\",\"8.8.8.8\"]"},
		{"extra", "image", "\"c\""},
	};
	json_t *web;
	json_t *volumes;
	json_t *ports;

	compose_merge(base, over);
	for (size_t i = 0; i < ARRAY_SIZE(checks); i++) {
		_cleanup_free_ char *got =
			service_field(base, checks[i].service, checks[i].field);

		assert_non_null(got);
		assert_string_equal(got, checks[i].expected);
	}

	web = json_object_get(json_object_get(base, "services"), "web");
	ports = json_object_get(web, "ports");
	assert_int_equal(json_array_size(ports), 2);
	volumes = json_object_get(web, "volumes");
	assert_int_equal(json_array_size(volumes), 2);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(volumes, 0), "source")),
			    "/h3");
	assert_true(json_is_true(
		json_object_get(json_array_get(volumes, 0), "read_only")));
}

static int build_project(const char *text, struct compose_project **ret,
			 struct berth_error **err)
{
	_cleanup_json_ json_t *vars = test_vars();
	_cleanup_json_ json_t *doc = NULL;

	if (parse(text, &doc, NULL, err) < 0)
		return -1;
	return compose_project_build(doc, "proj", "/proj", vars, ret, err);
}

static void test_start_order(void **state)
{
	struct compose_project *p = NULL;
	_cleanup_free_ size_t *order = NULL;
	const char *expected[] = {"db", "cache", "api", "web", "zed"};

	assert_int_equal(build_project("services:\n"
				       "  web:\n    image: x\n"
				       "    depends_on: [api]\n"
				       "  api:\n    image: x\n"
				       "    depends_on: [db, cache]\n"
				       "  cache:\n    image: x\n"
				       "    depends_on: [db]\n"
				       "  db:\n    image: x\n"
				       "  zed:\n    image: x\n",
				       &p, NULL),
			 0);
	assert_int_equal(compose_start_order(p, &order, NULL), 0);
	assert_int_equal(p->n_services, ARRAY_SIZE(expected));
	for (size_t i = 0; i < ARRAY_SIZE(expected); i++)
		assert_string_equal(p->services[order[i]].name, expected[i]);
	compose_project_free(p);
}

static const struct error_case project_errors[] = {
	{"services:\n  a:\n    image: x\n    depends_on: [b]\n"
	 "  b:\n    image: x\n    depends_on: [a]\n",
	 "dependency cycle between services: a -> b -> a"},
	{"services:\n  a:\n    image: x\n    depends_on: [ghost]\n",
	 "services.a.depends_on: undefined service 'ghost'"},
	{"services:\n  a:\n    restart: always\n",
	 "services.a: neither image nor build is set"},
	{"services:\n  a:\n    image: x\n    networks: [back]\n",
	 "services.a.networks: undefined network 'back'"},
	{"services:\n  a:\n    image: x\n    volumes: ['data:/d']\n",
	 "services.a.volumes[0]: undefined volume 'data'"},
	{"services:\n  a:\n    image: x\n    depends_on: [a]\n",
	 "cannot depend on itself"},
	{"services:\n  'we b':\n    image: x\n",
	 "services.we b: invalid service name"},
	{"services:\n  -web:\n    image: x\n",
	 "services.-web: invalid service name"},
	{"services:\n  a:\n    image: x\n    cap_add: [NET_ADMIN, BOGUS]\n",
	 "services.a.cap_add[1]: unknown capability 'BOGUS'"},
	{"services:\n  a:\n    image: x\n    cap_drop: [all, cap_chown, x]\n",
	 "services.a.cap_drop[2]: unknown capability 'x'"},
	{"services:\n  a:\n    image: x\n    container_name: one\n"
	 "  b:\n    image: x\n    container_name: one\n",
	 "services.b.container_name: 'one' is the container name of service "
	 "'a' too"},
	{"services:\n  a:\n    image: x\n    container_name: a/b\n",
	 "services.a.container_name: invalid container name 'a/b'"},
	{"services:\n  a:\n    image: x\n    dns: [1.1.1.1, resolver]\n",
	 "services.a.dns[1]: invalid IP address 'resolver'"},
	{"services:\n  a:\n    image: x\n    extra_hosts: ['h=::1', "
	 "'g=1.2.3']\n",
	 "services.a.extra_hosts[1]: invalid IP address '1.2.3'"},
	{"services:\n  a:\n    image: x\n    network_mode: bogus\n",
	 "services.a.network_mode: invalid value 'bogus'"},
	{"services:\n  a:\n    image: x\n    network_mode: service:ghost\n",
	 "services.a.network_mode: undefined service 'ghost'"},
	{"services:\n  a:\n    image: x\n    network_mode: service:a\n",
	 "a service cannot share its own network"},
	{"services:\n  a:\n    image: x\n    network_mode: host\n"
	 "    networks: [back]\nnetworks:\n  back:\n",
	 "network_mode and networks cannot both be set"},
};

static void test_project_errors_table(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(project_errors); i++) {
		struct compose_project *p = NULL;
		_cleanup_error_ struct berth_error *err = NULL;

		if (build_project(project_errors[i].yaml, &p, &err) == 0) {
			compose_project_free(p);
			fail_msg("accepted: %s", project_errors[i].yaml);
		}
		if (strstr(err->msg, project_errors[i].error) == NULL)
			fail_msg("got '%s', expected '%s'", err->msg,
				 project_errors[i].error);
	}
}

/*
 * A later file that sets only build.args keeps the context and
 * dockerfile of the first; the defaults apply after the merge.
 */
static void test_merge_build_keeps_context(void **state)
{
	_cleanup_json_ json_t *vars = test_vars();
	_cleanup_json_ json_t *base =
		parse_ok("services:\n  web:\n    build: {context: app, "
			 "dockerfile: Alt}\n"
			 "  plain:\n    build: {args: [A=1]}\n");
	_cleanup_json_ json_t *over =
		parse_ok("services:\n  web:\n    build: {args: [V=1]}\n");
	_cleanup_error_ struct berth_error *err = NULL;
	struct compose_project *p = NULL;
	const struct compose_service *web;
	const struct compose_service *plain;

	compose_merge(base, over);
	if (compose_project_build(base, "proj", "/proj", vars, &p, &err) < 0)
		fail_msg("%s", err->msg);

	web = compose_project_service(p, "web");
	assert_string_equal(web->build->context, "/proj/app");
	assert_string_equal(web->build->dockerfile, "Alt");
	plain = compose_project_service(p, "plain");
	assert_string_equal(plain->build->context, "/proj");
	assert_string_equal(plain->build->dockerfile, "Dockerfile");
	compose_project_free(p);
}

static void test_project_model(void **state)
{
	struct compose_project *p = NULL;
	const struct compose_service *web;
	const struct compose_network *net;

	assert_int_equal(
		build_project(
			"services:\n  web:\n    image: nginx\n"
			"    command: echo hi\n"
			"    environment: {A: '1', UNSET_X: null}\n"
			"    ports: ['8080:80/udp']\n"
			"    volumes: ['data:/d:ro', './src:/src']\n"
			"    depends_on: {db: {condition: service_healthy}}\n"
			"    healthcheck: {test: [CMD, true], interval: 5s,"
			" retries: 2}\n"
			"    stop_grace_period: 1m30s\n"
			"    deploy: {resources: {limits: {memory: 1m, cpus: "
			"1.5, pids: 7}}}\n"
			"  db:\n    build: ./db\n    networks: [back]\n"
			"networks:\n  back:\n    ipam:\n      config:\n"
			"        - {subnet: 10.5.0.0/16, gateway: 10.5.0.1}\n"
			"volumes:\n  data: {external: true}\n",
			&p, NULL),
		0);

	assert_string_equal(p->name, "proj");
	web = compose_project_service(p, "web");
	assert_non_null(web);
	assert_string_equal(web->image, "nginx");
	assert_string_equal(web->command[0], "echo");
	assert_string_equal(web->command[1], "hi");
	assert_null(web->entrypoint);
	assert_string_equal(web->environment[0], "A=1");
	assert_null(web->environment[1]);
	assert_int_equal(web->n_ports, 1);
	assert_int_equal(web->ports[0].target, 80);
	assert_string_equal(web->ports[0].published, "8080");
	assert_string_equal(web->ports[0].protocol, "udp");
	assert_int_equal(web->n_mounts, 2);
	assert_int_equal(web->mounts[0].type, COMPOSE_MOUNT_VOLUME);
	assert_true(web->mounts[0].read_only);
	assert_int_equal(web->mounts[1].type, COMPOSE_MOUNT_BIND);
	assert_string_equal(web->mounts[1].source, "/proj/src");
	assert_int_equal(web->depends_on[0].condition, COMPOSE_SERVICE_HEALTHY);
	assert_true(web->depends_on[0].required);
	assert_true(web->healthcheck.set);
	assert_int_equal(web->healthcheck.interval, 5000000000LL);
	assert_int_equal(web->healthcheck.retries, 2);
	assert_int_equal(web->stop_grace_period, 90000000000LL);
	assert_int_equal(web->mem_limit, 1048576);
	assert_true(web->cpus > 1.49 && web->cpus < 1.51);
	assert_int_equal(web->pids_limit, 7);
	assert_int_equal(web->n_networks, 1);
	assert_string_equal(web->networks[0].name, "default");

	assert_string_equal(compose_project_service(p, "db")->build->context,
			    "/proj/db");
	assert_int_equal(p->n_networks, 2);
	net = &p->networks[0];
	assert_string_equal(net->key, "back");
	assert_string_equal(net->name, "proj_back");
	assert_string_equal(net->ipam[0].subnet, "10.5.0.0/16");
	assert_string_equal(net->ipam[0].gateway, "10.5.0.1");
	assert_string_equal(p->networks[1].name, "proj_default");
	assert_string_equal(p->volumes[0].name, "data");
	assert_true(p->volumes[0].external);
	compose_project_free(p);
}

struct name_case {
	const char *input;
	const char *expected;
};

static const struct name_case name_cases[] = {
	{"MyApp", "myapp"},
	{"my app.v2", "myappv2"},
	{"_lead-ing", "lead-ing"},
	{"a_b-C", "a_b-c"},
	{"--", NULL},
	{"Ünï", "n"},
};

static void test_project_name_table(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(name_cases); i++) {
		_cleanup_free_ char *got =
			compose_normalize_project_name(name_cases[i].input);

		if (name_cases[i].expected == NULL)
			assert_null(got);
		else
			assert_string_equal(got, name_cases[i].expected);
	}
}

struct duration_case {
	const char *text;
	long long ns;
	const char *canonical;
};

static const struct duration_case duration_cases[] = {
	{"10s", 10000000000LL, "10s"},	 {"1m30s", 90000000000LL, "1m30s"},
	{"90s", 90000000000LL, "1m30s"}, {"1h", 3600000000000LL, "1h0m0s"},
	{"1.5s", 1500000000LL, "1.5s"},	 {"250ms", 250000000LL, "250ms"},
	{"2m", 120000000000LL, "2m0s"},	 {"0", 0, "0s"},
};

static void test_duration_table(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(duration_cases); i++) {
		_cleanup_free_ char *text = NULL;
		long long ns = -1;

		assert_int_equal(
			compose_parse_duration(duration_cases[i].text, &ns), 0);
		assert_int_equal(ns, duration_cases[i].ns);
		text = compose_format_duration(ns);
		assert_string_equal(text, duration_cases[i].canonical);
	}
	assert_int_equal(compose_parse_duration("10", &(long long){0}), -1);
	assert_int_equal(compose_parse_duration("5x", &(long long){0}), -1);
	assert_int_equal(compose_parse_duration("-1s", &(long long){0}), -1);
}

static void test_env_file_into_environment(void **state)
{
	char dir[] = "/tmp/test-compose-XXXXXX";
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *text = NULL;
	_cleanup_json_ json_t *vars = test_vars();
	_cleanup_json_ json_t *doc = NULL;
	struct compose_project *p = NULL;
	_cleanup_error_ struct berth_error *err = NULL;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	xasprintf(&path, "%s/app.env", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("FROM_FILE=1\nOVERRIDDEN=file\nKEPT=file\n", f);
	fclose(f);

	xasprintf(&text,
		  "services:\n  s:\n    image: x\n"
		  "    env_file: [app.env, {path: gone.env, required: false}]\n"
		  "    environment: {OVERRIDDEN: env, KEPT: null}\n");
	assert_int_equal(compose_parse_data(text, strlen(text), "c.yaml", dir,
					    vars, NULL, &doc, NULL),
			 0);
	assert_int_equal(compose_project_build(doc, "p", dir, vars, &p, &err),
			 0);
	assert_true(strv_contains(p->services[0].environment, "FROM_FILE=1"));
	assert_true(
		strv_contains(p->services[0].environment, "OVERRIDDEN=env"));
	assert_true(strv_contains(p->services[0].environment, "KEPT=file"));
	compose_project_free(p);
	p = NULL;

	json_decref(doc);
	doc = NULL;
	free(text);
	xasprintf(&text, "services:\n  s:\n    image: x\n"
			 "    env_file: gone.env\n");
	assert_int_equal(compose_parse_data(text, strlen(text), "c.yaml", dir,
					    vars, NULL, &doc, NULL),
			 0);
	assert_int_equal(compose_project_build(doc, "p", dir, vars, &p, &err),
			 -1);
	assert_non_null(strstr(err->msg, "services.s.env_file[0]"));

	unlink(path);
	rmdir(dir);
}

static void test_write_config_yaml(void **state)
{
	static const char prefix[] = "name: proj\nservices:\n";
	struct compose_project *p = NULL;
	char *text = NULL;
	size_t len = 0;
	FILE *out;

	assert_int_equal(build_project("services:\n  web:\n    image: x\n"
				       "    labels: {n: '5', b: 'true', "
				       "e: '', d: 'a$$b'}\n",
				       &p, NULL),
			 0);
	out = open_memstream(&text, &len);
	assert_non_null(out);
	assert_int_equal(compose_write_config(p, false, out, NULL), 0);
	fclose(out);

	assert_int_equal(strncmp(text, prefix, strlen(prefix)), 0);
	assert_non_null(strstr(text, "      b: \"true\"\n"));
	assert_non_null(strstr(text, "      d: a$$b\n"));
	assert_non_null(strstr(text, "      e: \"\"\n"));
	assert_non_null(strstr(text, "      n: \"5\"\n"));
	assert_non_null(strstr(text, "networks:\n  default:\n"
				     "    name: proj_default\n"));
	free(text);
	compose_project_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_interpolate_table),
		cmocka_unit_test(test_interpolate_warns_unset),
		cmocka_unit_test(test_dotenv_table),
		cmocka_unit_test(test_dotenv_errors),
		cmocka_unit_test(test_service_fields_table),
		cmocka_unit_test(test_parse_errors_table),
		cmocka_unit_test(test_unknown_key_warns),
		cmocka_unit_test(test_yaml_anchors_and_merge),
		cmocka_unit_test(test_yaml_billion_laughs_bounded),
		cmocka_unit_test(test_yaml_long_alias_bounded),
		cmocka_unit_test(test_yaml_encoding_error_position),
		cmocka_unit_test(test_multi_document_merge),
		cmocka_unit_test(test_yaml_scalar_types),
		cmocka_unit_test(test_merge_files),
		cmocka_unit_test(test_merge_build_keeps_context),
		cmocka_unit_test(test_start_order),
		cmocka_unit_test(test_project_errors_table),
		cmocka_unit_test(test_project_model),
		cmocka_unit_test(test_project_name_table),
		cmocka_unit_test(test_duration_table),
		cmocka_unit_test(test_env_file_into_environment),
		cmocka_unit_test(test_write_config_yaml),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
