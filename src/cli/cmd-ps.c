/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cli-util.h"
#include "cli/commands.h"
#include "cli/human.h"
#include "cli/inspect-format.h"
#include "cli/ps-filter.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/strv.h"
#include "util/xalloc.h"

#define SHORT_ID_LEN 12
#define COMMAND_WIDTH 20

struct ps_options {
	bool all;
	bool quiet;
	bool no_trunc;
	bool json;
	const char *template; /* a --format template, or NULL */
	char **filters;	      /* --filter KEY=VALUE */
	long last;	      /* -n: only the newest N of any status; 0: all */
};

/* One table row, formatted from "berth inspect" of the container. */
struct ps_row {
	char id[80];
	const char *image;
	char *command;
	char created[64];
	char status[96];
	const char *state;
	char *ports;	  /* "0.0.0.0:8080->80/tcp, ..." */
	const char *name; /* without the leading '/' */
};

static void ps_usage(FILE *out)
{
	fputs("Usage: berth ps [OPTIONS]\n"
	      "\n"
	      "List running containers, newest first.\n"
	      "\n"
	      "Options:\n"
	      "  -a, --all             show all containers, not only "
	      "running ones\n"
	      "  -f, --filter K=V      only containers that match: id, name "
	      "(a regular\n"
	      "                        expression), status (created, "
	      "running, exited),\n"
	      "                        exited (an exit code), ancestor "
	      "(an image), health\n"
	      "                        (starting, healthy, unhealthy, none) "
	      "or restart\n"
	      "                        (a restart policy)\n"
	      "      --format F        'table' (default), 'json' (one object "
	      "per line) or\n"
	      "                        a template such as '{{.Names}}' over "
	      "the json keys\n"
	      "  -n, --last N          show the N newest containers, of "
	      "every status\n"
	      "  -l, --latest          show the newest container, of every "
	      "status\n"
	      "      --no-trunc        show full ids and commands\n"
	      "  -q, --quiet           print only container ids\n"
	      "  -h, --help            show this help\n",
	      out);
}

static char *format_command(const json_t *c, bool no_trunc)
{
	const char *path = json_string_value(json_object_get(c, "Path"));
	char *cmd = xstrdup(path != NULL ? path : "");
	char *quoted;
	json_t *arg;
	size_t i;

	json_array_foreach (json_object_get(c, "Args"), i, arg) {
		char *next;

		xasprintf(&next, "%s %s", cmd, json_string_value(arg));
		free(cmd);
		cmd = next;
	}

	/* Docker cuts a long command to its width, ending in "…". */
	if (!no_trunc && strlen(cmd) > COMMAND_WIDTH)
		xasprintf(&quoted, "\"%.*s\xe2\x80\xa6\"", COMMAND_WIDTH - 1,
			  cmd);
	else
		xasprintf(&quoted, "\"%s\"", cmd);
	free(cmd);
	return quoted;
}

static void format_ago(const char *rfc3339, char *buf, size_t size)
{
	time_t t = human_parse_rfc3339(rfc3339);

	if (t < 0) {
		snprintf(buf, size, "N/A");
		return;
	}
	human_duration(t, time(NULL), buf, size);
}

/* " (healthy)" and the like, as Docker shows State.Health.Status. */
static const char *health_suffix(const json_t *state)
{
	const char *h = json_string_value(
		json_object_get(json_object_get(state, "Health"), "Status"));

	if (h == NULL)
		return "";
	if (strcmp(h, "healthy") == 0)
		return " (healthy)";
	if (strcmp(h, "unhealthy") == 0)
		return " (unhealthy)";
	return " (health: starting)";
}

static void format_status(const json_t *state, char *buf, size_t size)
{
	const char *status =
		json_string_value(json_object_get(state, "Status"));
	char ago[48];

	if (status != NULL &&
	    (strcmp(status, "running") == 0 || strcmp(status, "paused") == 0)) {
		format_ago(
			json_string_value(json_object_get(state, "StartedAt")),
			ago, sizeof(ago));
		snprintf(buf, size, "Up %s%s%s", ago,
			 status[0] == 'p' ? " (Paused)" : "",
			 health_suffix(state));
	} else if (status != NULL && (strcmp(status, "exited") == 0 ||
				      strcmp(status, "restarting") == 0)) {
		const char *finished =
			json_string_value(json_object_get(state, "FinishedAt"));
		int code = (int)json_integer_value(
			json_object_get(state, "ExitCode"));
		const char *word = status[0] == 'e' ? "Exited" : "Restarting";

		/* A reboot loses the end time of a run that it ended. */
		if (human_parse_rfc3339(finished) < 0) {
			snprintf(buf, size, "%s (%d)", word, code);
			return;
		}
		format_ago(finished, ago, sizeof(ago));
		snprintf(buf, size, "%s (%d) %s ago", word, code, ago);
	} else {
		snprintf(buf, size, "Created");
	}
}

static void fill_row(struct ps_row *row, const json_t *c,
		     const struct ps_options *opts)
{
	const char *id = json_string_value(json_object_get(c, "Id"));
	const char *name = json_string_value(json_object_get(c, "Name"));
	json_t *state = json_object_get(c, "State");
	char ago[48];

	snprintf(row->id, sizeof(row->id), "%.*s",
		 opts->no_trunc ? 64 : SHORT_ID_LEN, id);
	row->image = json_string_value(
		json_object_get(json_object_get(c, "Config"), "Image"));
	row->command = format_command(c, opts->no_trunc);
	format_ago(json_string_value(json_object_get(c, "Created")), ago,
		   sizeof(ago));
	snprintf(row->created, sizeof(row->created), "%s ago", ago);
	format_status(state, row->status, sizeof(row->status));
	row->state = json_string_value(json_object_get(state, "Status"));
	row->name = name != NULL && name[0] == '/' ? name + 1 : name;
	row->ports = cli_format_ports(c);
}

/* The labels as Docker's ps prints them: "K=V,K2=V2". */
static char *format_labels(const json_t *c)
{
	const json_t *labels =
		json_object_get(json_object_get(c, "Config"), "Labels");
	char *text = xstrdup("");
	const char *key;
	json_t *value;

	json_object_foreach ((json_t *)labels, key, value) {
		char *next;

		xasprintf(&next, "%s%s%s=%s", text, text[0] != '\0' ? "," : "",
			  key, json_string_value(value));
		free(text);
		text = next;
	}
	return text;
}

static json_t *row_json(const struct ps_row *row, const json_t *c)
{
	_cleanup_free_ char *labels = format_labels(c);

	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "ID",
			 row->id, "Image", row->image, "Command", row->command,
			 "CreatedAt",
			 json_string_value(json_object_get(c, "Created")),
			 "Labels", labels, "State", row->state, "Status",
			 row->status, "Ports", row->ports, "Names", row->name);
}

static void print_json_row(const struct ps_row *row, const json_t *c,
			   const struct ps_options *opts)
{
	_cleanup_json_ json_t *j = row_json(row, c);
	_cleanup_free_ char *line = NULL;

	/* The template was checked when the options were parsed. */
	if (opts->template != NULL) {
		(void)inspect_format_print(stdout, opts->template, j, NULL);
		return;
	}

	line = json_dump_canonical(j);
	printf("%s\n", line);
}

/* Columns are as wide as their text on screen: count UTF-8 characters. */
static int display_width(const char *s)
{
	int n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static void print_cell(const char *s, int width)
{
	fputs(s, stdout);
	for (int n = display_width(s); n < width + 3; n++)
		putchar(' ');
}

static void print_table(struct ps_row *rows, size_t n)
{
	int w[6] = {12, 5, 7, 7, 6, 5};

	for (size_t i = 0; i < n; i++) {
		const char *cells[6] = {rows[i].id,	 rows[i].image,
					rows[i].command, rows[i].created,
					rows[i].status,	 rows[i].ports};

		for (size_t k = 0; k < 6; k++)
			if (display_width(cells[k]) > w[k])
				w[k] = display_width(cells[k]);
	}

	print_cell("CONTAINER ID", w[0]);
	print_cell("IMAGE", w[1]);
	print_cell("COMMAND", w[2]);
	print_cell("CREATED", w[3]);
	print_cell("STATUS", w[4]);
	print_cell("PORTS", w[5]);
	printf("NAMES\n");
	for (size_t i = 0; i < n; i++) {
		print_cell(rows[i].id, w[0]);
		print_cell(rows[i].image, w[1]);
		print_cell(rows[i].command, w[2]);
		print_cell(rows[i].created, w[3]);
		print_cell(rows[i].status, w[4]);
		print_cell(rows[i].ports, w[5]);
		printf("%s\n", rows[i].name);
	}
}

/* Print a parse error as a usage error; the message names the value. */
static int usage_fail(struct berth_error **err)
{
	int r = cli_usage_error("ps", "%s", (*err)->msg);

	berth_error_free(err);
	return r;
}

static int parse_ps(int argc, char **argv, struct ps_options *o)
{
	struct berth_error *err = NULL;

	static const struct option options[] = {
		{"all", no_argument, NULL, 'a'},
		{"quiet", no_argument, NULL, 'q'},
		{"no-trunc", no_argument, NULL, 'N'},
		{"format", required_argument, NULL, 'F'},
		{"filter", required_argument, NULL, 'f'},
		{"last", required_argument, NULL, 'n'},
		{"latest", no_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	int c, r;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:af:ln:qh", options, NULL)) !=
	       -1) {
		switch (c) {
		case 'a':
			o->all = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'N':
			o->no_trunc = true;
			break;
		case 'F':
			r = cli_parse_list_format("ps", optarg, "{{.Names}}",
						  &o->json, &o->template);
			if (r != 0)
				return r;
			break;
		case 'f':
			if (ps_filter_check(optarg, &err) < 0)
				return usage_fail(&err);
			strv_push(&o->filters, optarg);
			break;
		case 'l':
			o->last = 1;
			break;
		case 'n':
			if (cli_parse_uint("--last", optarg, &o->last, &err) <
			    0)
				return usage_fail(&err);
			break;
		case 'h':
			ps_usage(stdout);
			return -1;
		default:
			return cli_option_error("ps", c, argv);
		}
	}

	if (optind < argc)
		return cli_usage_error("ps", "unexpected argument '%s'",
				       argv[optind]);
	return 0;
}

static bool is_running(const json_t *c)
{
	return json_is_true(
		json_object_get(json_object_get(c, "State"), "Running"));
}

static int list(struct engine *engine, const struct ps_options *opts)
{
	struct berth_error *err = NULL;
	_cleanup_strv_ char **ids = NULL;
	struct ps_row *rows;
	json_t **objs;
	size_t n = 0, total;

	if (engine_container_list(engine, &ids, &err) < 0)
		return cli_fail(&err);

	total = strv_length(ids);
	rows = xcalloc(total + 1, sizeof(*rows));
	objs = xcalloc(total + 1, sizeof(*objs));
	/* Newest first, as Docker lists them. */
	for (size_t i = total; i-- > 0;) {
		json_t *c = NULL;

		/* A container removed meanwhile is skipped. */
		if (engine_container_inspect(engine, ids[i], &c, NULL) < 0)
			continue;
		if ((opts->last == 0 && !opts->all && !is_running(c)) ||
		    !ps_filter_match(opts->filters, c) ||
		    (opts->last > 0 && (long)n == opts->last)) {
			json_decref(c);
			continue;
		}
		objs[n] = c;
		fill_row(&rows[n++], c, opts);
	}

	for (size_t i = 0; i < n; i++) {
		if (opts->quiet)
			printf("%s\n", rows[i].id);
		else if (opts->json)
			print_json_row(&rows[i], objs[i], opts);
	}
	if (!opts->quiet && !opts->json)
		print_table(rows, n);

	for (size_t i = 0; i < n; i++) {
		free(rows[i].command);
		free(rows[i].ports);
		json_decref(objs[i]);
	}
	free(rows);
	free(objs);
	return 0;
}

int cmd_ps(struct cli_context *ctx, int argc, char **argv)
{
	struct ps_options opts = {0};
	struct engine engine;
	int r;

	r = parse_ps(argc, argv, &opts);
	if (r != 0) {
		strv_free(opts.filters);
		return r < 0 ? 0 : r;
	}

	cli_engine_init(ctx, &engine);
	r = list(&engine, &opts);
	engine_clear(&engine);
	strv_free(opts.filters);
	return r;
}
