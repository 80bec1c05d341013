/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * "berth events": the lines of RUNROOT/events.jsonl in a time range,
 * filtered, then (without --until) the new ones as they are appended.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli-util.h"
#include "cli/commands.h"
#include "cli/human.h"
#include "engine/events.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/strv.h"

#define FOLLOW_POLL_MS 100

/* Max nanoseconds since the epoch that fit in int64_t: about 2262. */
#define TIME_NS_MAX 9.2e18

struct events_options {
	int64_t since_ns; /* 0 = from the start */
	int64_t until_ns; /* -1 = follow without end */
	char **filters;	  /* "KEY=VALUE" */
	bool json;
};

static void events_usage(FILE *out)
{
	fputs("Usage: berth events [OPTIONS]\n"
	      "\n"
	      "Show container events (create, start, die, stop, kill, "
	      "pause, unpause,\n"
	      "rename, restart, destroy), then wait for new ones unless "
	      "--until is given.\n"
	      "\n"
	      "Options:\n"
	      "      --since TIME      events at or after TIME\n"
	      "      --until TIME      events before TIME, then exit\n"
	      "                        (TIME: Unix seconds, RFC 3339, or a "
	      "duration before\n"
	      "                        now such as 10s, 5m or 2h)\n"
	      "  -f, --filter K=V      container=ID|NAME, event=ACTION, "
	      "type=container;\n"
	      "                        the same key given twice matches "
	      "either value\n"
	      "      --format F        'json' (one object per line)\n"
	      "  -h, --help            show this help\n",
	      out);
}

static int parse_time(const char *s, int64_t *ret, struct berth_error **err)
{
	struct timespec now;
	char *end;
	double v;
	time_t t;

	clock_gettime(CLOCK_REALTIME, &now);
	errno = 0;
	v = strtod(s, &end);
	if (end != s && errno == 0 && v >= 0 && strchr("smh", *end) != NULL &&
	    *end != '\0' && end[1] == '\0') {
		double unit = 3600;

		if (*end == 's')
			unit = 1;
		else if (*end == 'm')
			unit = 60;

		/* A duration longer than since the epoch means the epoch. */
		v = (double)now.tv_sec * 1e9 + (double)now.tv_nsec -
		    v * unit * 1e9;
		*ret = v > 0 ? (int64_t)v : 0;
		return 0;
	}
	/* Beyond TIME_NS_MAX, the conversion to int64_t would overflow. */
	if (end != s && errno == 0 && v >= 0 && v * 1e9 < TIME_NS_MAX &&
	    *end == '\0') {
		*ret = (int64_t)(v * 1e9);
		return 0;
	}
	t = human_parse_rfc3339(s);
	if (t >= 0) {
		*ret = (int64_t)t * 1000000000;
		return 0;
	}
	return berth_error_set(err, 0,
			       "invalid time '%s': use Unix seconds, RFC 3339 "
			       "or a duration such as 10m",
			       s);
}

static int check_filter(const char *f, struct berth_error **err)
{
	static const char *const keys[] = {"container=", "event=", "type="};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strncmp(f, keys[i], strlen(keys[i])) == 0)
			return 0;
	return berth_error_set(err, 0,
			       "invalid filter '%s': use container=, event= "
			       "or type=",
			       f);
}

static bool value_matches(const json_t *e, const char *key, const char *v)
{
	const json_t *actor = json_object_get(e, "Actor");
	const char *id = json_string_value(json_object_get(actor, "ID"));
	const char *name = json_string_value(
		json_object_get(json_object_get(actor, "Attributes"), "name"));
	const char *s;

	if (strcmp(key, "event") == 0) {
		s = json_string_value(json_object_get(e, "Action"));
		return s != NULL && strcmp(s, v) == 0;
	}
	if (strcmp(key, "type") == 0) {
		s = json_string_value(json_object_get(e, "Type"));
		return s != NULL && strcmp(s, v) == 0;
	}
	return (name != NULL && strcmp(name, v) == 0) ||
	       (id != NULL && strncmp(id, v, strlen(v)) == 0);
}

/* Values of one key match as alternatives, different keys all apply. */
static bool event_matches(const json_t *e, char **filters)
{
	static const char *const keys[] = {"container", "event", "type"};

	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		size_t len = strlen(keys[k]);
		bool seen = false, hit = false;

		for (size_t i = 0; filters != NULL && filters[i] != NULL; i++) {
			if (strncmp(filters[i], keys[k], len) != 0 ||
			    filters[i][len] != '=')
				continue;
			seen = true;
			hit = hit ||
			      value_matches(e, keys[k], filters[i] + len + 1);
		}
		if (seen && !hit)
			return false;
	}
	return true;
}

static void print_event(const json_t *e, const char *line, bool as_json)
{
	const json_t *actor = json_object_get(e, "Actor");
	const json_t *attrs = json_object_get(actor, "Attributes");
	int64_t ns = json_integer_value(json_object_get(e, "timeNano"));
	time_t sec = (time_t)(ns / 1000000000);
	const char *key, *sep = " (";
	const json_t *v;
	char when[40];
	struct tm tm;

	if (as_json) {
		printf("%s\n", line);
		return;
	}
	gmtime_r(&sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	printf("%s.%09lldZ %s %s %s", when, (long long)(ns % 1000000000),
	       json_string_value(json_object_get(e, "Type")),
	       json_string_value(json_object_get(e, "Action")),
	       json_string_value(json_object_get(actor, "ID")));
	json_object_foreach ((json_t *)attrs, key, v) {
		printf("%s%s=%s", sep, key, json_string_value(v));
		sep = ", ";
	}
	printf("%s\n", strcmp(sep, ", ") == 0 ? ")" : "");
}

/* Print one line if it matches. Returns false once past --until. */
static bool handle_line(const char *line, const struct events_options *o)
{
	_cleanup_json_ json_t *e = json_loads(line, 0, NULL);
	int64_t ns;

	if (e == NULL)
		return true;
	ns = json_integer_value(json_object_get(e, "timeNano"));
	if (o->until_ns >= 0 && ns >= o->until_ns)
		return false;
	if (ns >= o->since_ns && event_matches(e, o->filters))
		print_event(e, line, o->json);
	return true;
}

static int show_events(const char *path, const struct events_options *o)
{
	_cleanup_fclose_ FILE *f = NULL;
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;

	for (;;) {
		ssize_t n;

		if (f == NULL)
			f = fopen(path, "re");
		n = f != NULL ? getline(&line, &cap, f) : -1;
		if (n > 0 && line[n - 1] == '\n') {
			line[n - 1] = '\0';
			if (!handle_line(line, o))
				return 0;
			continue;
		}
		/* A part of a line is read again once it is complete. */
		if (n > 0)
			fseeko(f, -(off_t)n, SEEK_CUR);
		if (f != NULL)
			clearerr(f);

		fflush(stdout);
		if (o->until_ns >= 0) {
			struct timespec now;

			clock_gettime(CLOCK_REALTIME, &now);
			if ((int64_t)now.tv_sec * 1000000000 + now.tv_nsec >=
			    o->until_ns)
				return 0;
		}
		usleep(FOLLOW_POLL_MS * 1000);
	}
}

int cmd_events(struct cli_context *ctx, int argc, char **argv)
{
	enum { OPT_SINCE = 0x100, OPT_UNTIL, OPT_FORMAT };
	static const struct option options[] = {
		{"since", required_argument, NULL, OPT_SINCE},
		{"until", required_argument, NULL, OPT_UNTIL},
		{"filter", required_argument, NULL, 'f'},
		{"format", required_argument, NULL, OPT_FORMAT},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	struct events_options o = {.until_ns = -1};
	_cleanup_free_ char *path = NULL;
	struct berth_error *err = NULL;
	struct engine engine;
	int c, r = 0;

	optind = 0;
	opterr = 0;
	while (r == 0 &&
	       (c = getopt_long(argc, argv, "+:f:h", options, NULL)) != -1) {
		if (c == OPT_SINCE)
			r = parse_time(optarg, &o.since_ns, &err);
		else if (c == OPT_UNTIL)
			r = parse_time(optarg, &o.until_ns, &err);
		else if (c == 'f' && (r = check_filter(optarg, &err)) == 0)
			strv_push(&o.filters, optarg);
		else if (c == OPT_FORMAT && strcmp(optarg, "json") == 0)
			o.json = true;
		else if (c == OPT_FORMAT)
			r = berth_error_set(&err, 0,
					    "unknown --format '%s': use "
					    "'json'",
					    optarg);
		else if (c == 'h') {
			events_usage(stdout);
			strv_free(o.filters);
			return 0;
		} else if (c != 'f')
			r = cli_option_error("events", c, argv);
	}
	if (r == 0 && optind < argc)
		r = cli_usage_error("events", "expected no arguments");

	if (r == 0) {
		cli_engine_init(ctx, &engine);
		path = fs_path_join(engine.runroot, EVENTS_FILE);
		engine_clear(&engine);
		r = show_events(path, &o);
	}
	strv_free(o.filters);
	if (r < 0 && err != NULL)
		return cli_fail(&err);
	return r;
}
