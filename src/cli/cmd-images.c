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
#include "cli/inspect-format.h"
#include "engine/image-size.h"
#include "image/store.h"
#include "util/cleanup.h"
#include "util/strv.h"
#include "util/xalloc.h"

#define SHORT_ID_LEN 12

struct images_options {
	bool quiet;
	bool json;
	bool no_trunc;
	const char *filter;   /* REPOSITORY or REPOSITORY:TAG, or NULL */
	const char *template; /* a --format template, or NULL */
	const char *root;     /* the store, where the layer directories are */
};

/* One table row: an image under one of its names. */
struct image_row {
	char *repository;
	char *tag;
	char id[80];
	char created[64];
	char size[32];
	int64_t bytes; /* unpacked size */
	const struct image_info *image;
};

static void images_usage(FILE *out)
{
	fputs("Usage: berth images [OPTIONS] [REPOSITORY[:TAG]]\n"
	      "\n"
	      "List images, newest first, one row per name; with an\n"
	      "argument, only the names of that repository or name:tag.\n"
	      "\n"
	      "Options:\n"
	      "  -a, --all        show all images (berth keeps no "
	      "intermediate images)\n"
	      "      --format F   'table' (default), 'json' (one object "
	      "per line) or a\n"
	      "                   template such as "
	      "'{{.Repository}}:{{.Tag}}' over the json keys\n"
	      "      --no-trunc   show full image ids\n"
	      "  -q, --quiet      print only image ids\n"
	      "  -h, --help       show this help\n",
	      out);
}

static void format_id(const struct image_info *image, bool no_trunc, char *buf,
		      size_t size)
{
	if (no_trunc)
		snprintf(buf, size, "sha256:%s", image->id);
	else
		snprintf(buf, size, "%.*s", SHORT_ID_LEN, image->id);
}

/* Split "name:tag" at the ':' after the last '/'. */
static void split_name(const char *name, char **ret_repo, char **ret_tag)
{
	const char *slash = strrchr(name, '/');
	const char *colon = strrchr(slash != NULL ? slash : name, ':');

	if (colon == NULL) {
		*ret_repo = xstrdup(name);
		*ret_tag = xstrdup("<none>");
		return;
	}
	*ret_repo = xstrndup(name, colon - name);
	*ret_tag = xstrdup(colon + 1);
}

/* Match name against REPOSITORY, or against REPOSITORY:TAG exactly. */
static bool name_matches(const char *name, const char *filter)
{
	_cleanup_free_ char *repo = NULL;
	_cleanup_free_ char *tag = NULL;
	const char *slash;

	if (filter == NULL)
		return true;
	if (name == NULL)
		return false;

	slash = strrchr(filter, '/');
	if (strchr(slash != NULL ? slash : filter, ':') != NULL)
		return strcmp(name, filter) == 0;

	split_name(name, &repo, &tag);
	return strcmp(repo, filter) == 0;
}

static bool image_matches(const struct image_info *image, const char *filter)
{
	if (filter == NULL)
		return true;
	for (size_t i = 0; image->names[i] != NULL; i++)
		if (name_matches(image->names[i], filter))
			return true;
	return false;
}

static void fill_row(struct image_row *row, const struct image_info *image,
		     const char *name, const struct images_options *opts)
{
	time_t created = human_parse_rfc3339(image->created);
	char ago[48];

	if (name != NULL) {
		split_name(name, &row->repository, &row->tag);
	} else {
		row->repository = xstrdup("<none>");
		row->tag = xstrdup("<none>");
	}

	format_id(image, opts->no_trunc, row->id, sizeof(row->id));
	/*
	 * A layer directory that rmi removes during the walk fails it, so
	 * the image, which is going away, shows its compressed size.
	 */
	if (image_unpacked_size(opts->root, image, &row->bytes, NULL) < 0)
		row->bytes = image->size;
	human_size(row->bytes, row->size, sizeof(row->size));
	if (created < 0) {
		snprintf(row->created, sizeof(row->created), "N/A");
	} else {
		human_duration(created, time(NULL), ago, sizeof(ago));
		snprintf(row->created, sizeof(row->created), "%s ago", ago);
	}
	row->image = image;
}

static struct image_row *build_rows(struct image_info **images, size_t n,
				    const struct images_options *opts,
				    size_t *ret_n)
{
	struct image_row *rows = NULL;
	size_t count = 0;

	for (size_t i = 0; i < n; i++) {
		size_t names = strv_length(images[i]->names);

		for (size_t j = 0; j < (names > 0 ? names : 1); j++) {
			const char *name =
				names > 0 ? images[i]->names[j] : NULL;

			if (opts->filter != NULL &&
			    !name_matches(name, opts->filter))
				continue;
			rows = xreallocarray(rows, count + 1, sizeof(*rows));
			memset(&rows[count], 0, sizeof(*rows));
			fill_row(&rows[count++], images[i], name, opts);
		}
	}
	*ret_n = count;
	return rows;
}

static void free_rows(struct image_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(rows[i].repository);
		free(rows[i].tag);
	}
	free(rows);
}

static void print_table(const struct image_row *rows, size_t n)
{
	int w_repo = strlen("REPOSITORY"), w_tag = strlen("TAG");
	int w_id = strlen("IMAGE ID"), w_created = strlen("CREATED");

	for (size_t i = 0; i < n; i++) {
		if ((int)strlen(rows[i].repository) > w_repo)
			w_repo = strlen(rows[i].repository);
		if ((int)strlen(rows[i].tag) > w_tag)
			w_tag = strlen(rows[i].tag);
		if ((int)strlen(rows[i].id) > w_id)
			w_id = strlen(rows[i].id);
		if ((int)strlen(rows[i].created) > w_created)
			w_created = strlen(rows[i].created);
	}

	printf("%-*s   %-*s   %-*s   %-*s   %s\n", w_repo, "REPOSITORY", w_tag,
	       "TAG", w_id, "IMAGE ID", w_created, "CREATED", "SIZE");
	for (size_t i = 0; i < n; i++)
		printf("%-*s   %-*s   %-*s   %-*s   %s\n", w_repo,
		       rows[i].repository, w_tag, rows[i].tag, w_id, rows[i].id,
		       w_created, rows[i].created, rows[i].size);
}

static void print_json(const struct image_row *rows, size_t n,
		       const char *template)
{
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *line = NULL;
		json_t *j;

		j = json_pack("{s:s, s:s?, s:s, s:s, s:s, s:s, s:s, s:I}",
			      "Repository", rows[i].repository, "CreatedAt",
			      rows[i].image->created, "CreatedSince",
			      rows[i].created, "Digest",
			      rows[i].image->manifest_digest, "ID", rows[i].id,
			      "Size", rows[i].size, "Tag", rows[i].tag,
			      "VirtualSize", (json_int_t)rows[i].bytes);
		/* The template was checked when the options were parsed. */
		if (template != NULL) {
			(void)inspect_format_print(stdout, template, j, NULL);
			json_decref(j);
			continue;
		}

		line = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(j);
		if (line != NULL)
			printf("%s\n", line);
	}
}

static void print_quiet(struct image_info **images, size_t n,
			const struct images_options *opts)
{
	for (size_t i = 0; i < n; i++) {
		char id[80];

		if (!image_matches(images[i], opts->filter))
			continue;
		format_id(images[i], opts->no_trunc, id, sizeof(id));
		printf("%s\n", id);
	}
}

static int parse_options(int argc, char **argv, struct images_options *opts)
{
	static const struct option options[] = {
		{"all", no_argument, NULL, 'a'},
		{"format", required_argument, NULL, 'f'},
		{"no-trunc", no_argument, NULL, 'n'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	int c, r;

	optind = 0;
	opterr = 0;
	/* A leading ':' makes a missing option value return ':'. */
	while ((c = getopt_long(argc, argv, "+:aqh", options, NULL)) != -1) {
		switch (c) {
		case 'a':
			break;
		case 'f':
			r = cli_parse_list_format("images", optarg,
						  "{{.Repository}}:{{.Tag}}",
						  &opts->json, &opts->template);
			if (r != 0)
				return r;
			break;
		case 'n':
			opts->no_trunc = true;
			break;
		case 'q':
			opts->quiet = true;
			break;
		case 'h':
			images_usage(stdout);
			return -1;
		default:
			return cli_option_error("images", c, argv);
		}
	}

	if (optind < argc)
		opts->filter = argv[optind++];
	if (optind < argc)
		return cli_usage_error("images", "unexpected argument '%s'",
				       argv[optind]);
	return 0;
}

int cmd_images(struct cli_context *ctx, int argc, char **argv)
{
	struct images_options opts = {0};
	struct berth_error *err = NULL;
	struct image_store *store = NULL;
	struct image_info **images = NULL;
	struct image_row *rows;
	size_t n = 0, n_rows = 0;
	int r;

	opts.root = ctx->root;
	r = parse_options(argc, argv, &opts);
	if (r != 0)
		return r < 0 ? 0 : r;

	if (image_store_open(ctx->root, &store, &err) < 0)
		return cli_fail(&err);
	r = image_store_list(store, &images, &n, &err);
	image_store_close(store);
	if (r < 0)
		return cli_fail(&err);

	if (opts.quiet) {
		print_quiet(images, n, &opts);
	} else {
		rows = build_rows(images, n, &opts, &n_rows);
		if (opts.json)
			print_json(rows, n_rows, opts.template);
		else
			print_table(rows, n_rows);
		free_rows(rows, n_rows);
	}

	image_info_list_free(images, n);
	return 0;
}
