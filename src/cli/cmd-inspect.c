/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli-util.h"
#include "cli/commands.h"
#include "image/store.h"
#include "util/cleanup.h"
#include "util/json.h"

enum inspect_type {
	INSPECT_ANY,
	INSPECT_CONTAINER,
	INSPECT_IMAGE,
};

static void inspect_usage(FILE *out)
{
	fputs("Usage: berth inspect [OPTIONS] NAME...\n"
	      "\n"
	      "Print a JSON array describing containers or images. A name "
	      "is looked up as a\n"
	      "container first, then as an image.\n"
	      "\n"
	      "Options:\n"
	      "      --type TYPE   'container' or 'image' only\n"
	      "  -f, --format F    'json' (the default and only format)\n"
	      "  -h, --help        show this help\n",
	      out);
}

static int inspect_image(const char *root, const char *ref, json_t **ret,
			 struct berth_error **err)
{
	struct image_store *store = NULL;
	struct image_info *image = NULL;
	int r;

	if (image_store_open(root, &store, err) < 0)
		return -1;

	r = image_store_lookup(store, ref, &image, err);
	image_store_close(store);
	if (r < 0)
		return -1;

	*ret = image_info_to_json(image);
	image_info_free(image);
	return 0;
}

static int inspect_container(struct engine *engine, const char *ref,
			     json_t **ret, struct berth_error **err)
{
	_cleanup_free_ char *id = NULL;

	if (engine_container_lookup(engine, ref, &id, err) < 0)
		return -1;
	return engine_container_inspect(engine, id, ret, err);
}

static int inspect_one(struct engine *engine, const char *ref,
		       enum inspect_type type, json_t **ret,
		       struct berth_error **err)
{
	_cleanup_error_ struct berth_error *container_err = NULL;

	if (type == INSPECT_IMAGE)
		return inspect_image(engine->root, ref, ret, err);

	if (type == INSPECT_CONTAINER)
		return inspect_container(engine, ref, ret, err);

	if (inspect_container(engine, ref, ret, &container_err) == 0)
		return 0;

	if (inspect_image(engine->root, ref, ret, NULL) == 0)
		return 0;

	return berth_error_set(err, ENOENT, "no such container or image: '%s'",
			       ref);
}

static int parse_type(const char *s, enum inspect_type *ret)
{
	if (strcmp(s, "container") == 0)
		*ret = INSPECT_CONTAINER;
	else if (strcmp(s, "image") == 0)
		*ret = INSPECT_IMAGE;
	else
		return cli_usage_error("inspect",
				       "invalid type '%s': use 'container' "
				       "or 'image'",
				       s);
	return 0;
}

static int parse_inspect(int argc, char **argv, enum inspect_type *type)
{
	static const struct option options[] = {
		{"type", required_argument, NULL, 'T'},
		{"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	int c, r;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+f:h", options, NULL)) != -1) {
		switch (c) {
		case 'T':
			r = parse_type(optarg, type);
			if (r != 0)
				return r;
			break;
		case 'f':
			if (strcmp(optarg, "json") != 0)
				return cli_usage_error("inspect",
						       "invalid format '%s': "
						       "only 'json' is "
						       "supported",
						       optarg);
			break;
		case 'h':
			inspect_usage(stdout);
			return -1;
		default:
			return cli_usage_error("inspect",
					       "unknown option or missing "
					       "value '%s'",
					       argv[optind - 1]);
		}
	}

	if (optind >= argc)
		return cli_usage_error("inspect", "expected NAME...");
	return 0;
}

int cmd_inspect(struct cli_context *ctx, int argc, char **argv)
{
	enum inspect_type type = INSPECT_ANY;
	_cleanup_json_ json_t *all = json_array();
	_cleanup_free_ char *text = NULL;
	struct engine engine;
	int status = 0, r;

	r = parse_inspect(argc, argv, &type);
	if (r != 0)
		return r < 0 ? 0 : r;

	cli_engine_init(ctx, &engine);
	for (int i = optind; i < argc; i++) {
		struct berth_error *err = NULL;
		json_t *j = NULL;

		if (inspect_one(&engine, argv[i], type, &j, &err) < 0)
			status = cli_fail(&err);
		else
			json_array_append_new(all, j);
	}
	engine_clear(&engine);

	text = json_dumps(all, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
	if (text != NULL)
		printf("%s\n", text);
	return status;
}
