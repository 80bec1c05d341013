/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cli-util.h"
#include "cli/commands.h"
#include "cli/human.h"
#include "engine/image-size.h"
#include "image/digest.h"
#include "image/store.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/strv.h"
#include "util/xalloc.h"

#define SHORT_ID_LEN 12
#define CREATED_BY_WIDTH 45

struct history_options {
	bool no_trunc;
	bool quiet;
	bool json;
	bool human;
};

/* One row: a history entry, with the layer it made if any. */
struct history_row {
	char id[80];
	const char *created; /* RFC 3339, or "" */
	char since[64];
	const char *created_by;
	const char *comment;
	int64_t size;
};

static void history_usage(FILE *out)
{
	fputs("Usage: berth history [OPTIONS] IMAGE\n"
	      "\n"
	      "Show how an image was made, newest step first: when, by\n"
	      "which command, and the unpacked size of the layer each step\n"
	      "added. Steps below the image itself show as <missing>, as\n"
	      "berth keeps no intermediate images.\n"
	      "\n"
	      "Options:\n"
	      "      --format F   'table' (default) or 'json', one object "
	      "per line\n"
	      "  -H, --human B    sizes and times for people (default "
	      "true)\n"
	      "      --no-trunc   show full ids and commands\n"
	      "  -q, --quiet      print only the image id column\n"
	      "  -h, --help       show this help\n",
	      out);
}

static int64_t layer_size(const char *root, const struct image_info *image,
			  size_t i)
{
	json_t *layers = json_object_get(image->manifest, "layers");
	_cleanup_free_ char *dir = NULL;
	int64_t size;

	xasprintf(&dir, "%s/layers/%s", root,
		  image->chain_ids[i] + strlen(DIGEST_PREFIX));
	if (image_tree_size(dir, &size, NULL) == 0)
		return size;

	/* Not extracted: the compressed size is all that is known. */
	return (int64_t)json_integer_value(
		json_object_get(json_array_get(layers, i), "size"));
}

static void fill_since(struct history_row *row, bool human)
{
	time_t created = human_parse_rfc3339(row->created);
	char ago[48];

	if (!human || created < 0) {
		snprintf(row->since, sizeof(row->since), "%s",
			 row->created[0] != '\0' ? row->created : "N/A");
		return;
	}
	human_duration(created, time(NULL), ago, sizeof(ago));
	snprintf(row->since, sizeof(row->since), "%s ago", ago);
}

static void fill_from_entry(struct history_row *row, const json_t *entry)
{
	const char *created =
		json_string_value(json_object_get(entry, "created"));
	const char *by =
		json_string_value(json_object_get(entry, "created_by"));
	const char *comment =
		json_string_value(json_object_get(entry, "comment"));

	row->created = created != NULL ? created : "";
	row->created_by = by != NULL ? by : "";
	row->comment = comment != NULL ? comment : "";
}

static void set_top_id(struct history_row *row, const struct image_info *image,
		       bool no_trunc)
{
	if (no_trunc)
		snprintf(row->id, sizeof(row->id), "sha256:%s", image->id);
	else
		snprintf(row->id, sizeof(row->id), "%.*s", SHORT_ID_LEN,
			 image->id);
}

/*
 * One row per history entry, oldest first, each non-empty entry taking
 * the next layer. An image without history gets one row per layer.
 */
static struct history_row *build_rows(const char *root,
				      const struct image_info *image,
				      const struct history_options *opts,
				      size_t *ret_n)
{
	json_t *history = json_object_get(image->config, "history");
	size_t n_layers = strv_length(image->chain_ids);
	size_t n = json_array_size(history) > 0 ? json_array_size(history) :
						  n_layers;
	struct history_row *rows = xcalloc(n + 1, sizeof(*rows));
	size_t layer = 0;

	for (size_t i = 0; i < n; i++) {
		json_t *entry = json_array_get(history, i);
		struct history_row *row = &rows[i];

		snprintf(row->id, sizeof(row->id), "<missing>");
		if (entry != NULL) {
			fill_from_entry(row, entry);
		} else {
			row->created =
				image->created != NULL ? image->created : "";
			row->created_by = "";
			row->comment = "";
		}

		if (!json_is_true(json_object_get(entry, "empty_layer")) &&
		    layer < n_layers)
			row->size = layer_size(root, image, layer++);
		fill_since(row, opts->human);
	}

	if (n > 0)
		set_top_id(&rows[n - 1], image, opts->no_trunc);
	*ret_n = n;
	return rows;
}

/* Cut at width characters (UTF-8 aware), ending in "...". */
static char *truncate_text(const char *s, bool no_trunc)
{
	size_t chars = 0, i;

	if (no_trunc)
		return xstrdup(s);
	for (i = 0; s[i] != '\0'; i++) {
		if (((unsigned char)s[i] & 0xc0) == 0x80)
			continue;
		if (chars++ == CREATED_BY_WIDTH - 3) {
			char *out;

			if (strlen(s + i) <= 3)
				return xstrdup(s);
			xasprintf(&out, "%.*s...", (int)i, s);
			return out;
		}
	}
	return xstrdup(s);
}

static void format_size(const struct history_row *row, bool human, char *buf,
			size_t size)
{
	if (human)
		human_size(row->size, buf, size);
	else
		snprintf(buf, size, "%lld", (long long)row->size);
}

static int max_int(int a, size_t b)
{
	return (size_t)a > b ? a : (int)b;
}

/* Columns as wide as their widest cell, as docker's table output. */
static void print_table(const struct history_row *rows, size_t n,
			const struct history_options *opts)
{
	char **by = xcalloc(n + 1, sizeof(char *));
	char(*sizes)[32] = xcalloc(n + 1, sizeof(*sizes));
	int w_id = strlen("IMAGE"), w_created = strlen("CREATED");
	int w_by = strlen("CREATED BY"), w_size = strlen("SIZE");

	for (size_t i = 0; i < n; i++) {
		by[i] = truncate_text(rows[i].created_by, opts->no_trunc);
		format_size(&rows[i], opts->human, sizes[i], sizeof(sizes[i]));
		w_id = max_int(w_id, strlen(rows[i].id));
		w_created = max_int(w_created, strlen(rows[i].since));
		w_by = max_int(w_by, strlen(by[i]));
		w_size = max_int(w_size, strlen(sizes[i]));
	}

	printf("%-*s   %-*s   %-*s   %-*s   %s\n", w_id, "IMAGE", w_created,
	       "CREATED", w_by, "CREATED BY", w_size, "SIZE", "COMMENT");
	for (size_t i = n; i > 0; i--) {
		const struct history_row *row = &rows[i - 1];

		printf("%-*s   %-*s   %-*s   %-*s   %s\n", w_id, row->id,
		       w_created, row->since, w_by, by[i - 1], w_size,
		       sizes[i - 1], row->comment);
	}

	for (size_t i = 0; i < n; i++)
		free(by[i]);
	free(by);
	free(sizes);
}

static void print_json(const struct history_row *rows, size_t n)
{
	for (size_t i = n; i > 0; i--) {
		const struct history_row *row = &rows[i - 1];
		_cleanup_json_ json_t *j = NULL;
		_cleanup_free_ char *line = NULL;
		char size[32];

		human_size(row->size, size, sizeof(size));
		j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I}", "ID",
			      row->id, "CreatedAt", row->created,
			      "CreatedSince", row->since, "CreatedBy",
			      row->created_by, "Comment", row->comment, "Size",
			      size, "SizeBytes", (json_int_t)row->size);
		if (j == NULL)
			continue;
		line = json_dump_canonical(j);
		printf("%s\n", line);
	}
}

static int parse_options(int argc, char **argv, struct history_options *opts)
{
	static const struct option options[] = {
		{"format", required_argument, NULL, 'f'},
		{"human", required_argument, NULL, 'H'},
		{"no-trunc", no_argument, NULL, 'n'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:H:qh", options, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "json") == 0)
				opts->json = true;
			else if (strcmp(optarg, "table") != 0)
				return cli_usage_error("history",
						       "unknown --format '%s': "
						       "expected 'table' or "
						       "'json'",
						       optarg);
			break;
		case 'H':
			if (strcmp(optarg, "false") == 0)
				opts->human = false;
			else if (strcmp(optarg, "true") != 0)
				return cli_usage_error("history",
						       "--human '%s': expected "
						       "true or false",
						       optarg);
			break;
		case 'n':
			opts->no_trunc = true;
			break;
		case 'q':
			opts->quiet = true;
			break;
		case 'h':
			history_usage(stdout);
			return -1;
		default:
			return cli_option_error("history", c, argv);
		}
	}

	if (argc - optind != 1)
		return cli_usage_error("history", "expected one IMAGE");
	return 0;
}

int cmd_history(struct cli_context *ctx, int argc, char **argv)
{
	struct history_options opts = {.human = true};
	struct image_store *store = NULL;
	struct image_info *image = NULL;
	struct berth_error *err = NULL;
	struct history_row *rows;
	size_t n;
	int r;

	r = parse_options(argc, argv, &opts);
	if (r != 0)
		return r < 0 ? 0 : r;

	if (image_store_open(ctx->root, &store, &err) < 0)
		return cli_fail(&err);
	r = image_store_lookup(store, argv[optind], &image, &err);
	image_store_close(store);
	if (r < 0)
		return cli_fail(&err);

	rows = build_rows(ctx->root, image, &opts, &n);
	if (opts.quiet) {
		for (size_t i = n; i > 0; i--)
			printf("%s\n", rows[i - 1].id);
	} else if (opts.json) {
		print_json(rows, n);
	} else {
		print_table(rows, n, &opts);
	}
	free(rows);
	image_info_free(image);
	return 0;
}
