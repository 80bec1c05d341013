/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli-util.h"
#include "cli/commands.h"
#include "cli/inspect-format.h"
#include "engine/image-size.h"
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
	      "  -f, --format F    'json' (the default), or a template such "
	      "as\n"
	      "                    '{{.State.Pid}}' or '{{json .Config}}', "
	      "printed for\n"
	      "                    each NAME\n"
	      "  -h, --help        show this help\n",
	      out);
}

static int inspect_image(const char *root, const char *ref, json_t **ret,
			 struct berth_error **err)
{
	struct image_store *store = NULL;
	struct image_info *image = NULL;
	int64_t size;
	int r;

	if (image_store_open(root, &store, err) < 0)
		return -1;

	r = image_store_lookup(store, ref, &image, err);
	image_store_close(store);
	if (r < 0)
		return -1;

	*ret = image_info_to_json(image);
	if (image_unpacked_size(root, image, &size, NULL) == 0)
		json_object_set_new(*ret, "Size", json_integer(size));
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

	return berth_error_set(err, 0, "no such container or image: '%s'", ref);
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

static int parse_inspect(int argc, char **argv, enum inspect_type *type,
			 const char **format)
{
	static const struct option options[] = {
		{"type", required_argument, NULL, 'T'},
		{"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	struct berth_error *err = NULL;
	int c, r;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:f:h", options, NULL)) != -1) {
		switch (c) {
		case 'T':
			r = parse_type(optarg, type);
			if (r != 0)
				return r;
			break;
		case 'f':
			*format = strcmp(optarg, "json") == 0 ? NULL : optarg;
			break;
		case 'h':
			inspect_usage(stdout);
			return -1;
		default:
			return cli_option_error("inspect", c, argv);
		}
	}

	if (optind >= argc)
		return cli_usage_error("inspect", "expected NAME...");

	if (*format != NULL && inspect_format_check(*format, &err) < 0) {
		r = cli_usage_error("inspect", "%s", err->msg);
		berth_error_free(&err);
		return r;
	}
	return 0;
}

/* The template was checked, so printing it cannot fail. */
static void print_formatted(const char *format, const json_t *all)
{
	size_t i;
	json_t *j;

	json_array_foreach (all, i, j)
		(void)inspect_format_print(stdout, format, j, NULL);
}

int cmd_inspect(struct cli_context *ctx, int argc, char **argv)
{
	enum inspect_type type = INSPECT_ANY;
	const char *format = NULL;
	_cleanup_json_ json_t *all = json_array();
	_cleanup_free_ char *text = NULL;
	struct engine engine;
	int status = 0, r;

	r = parse_inspect(argc, argv, &type, &format);
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

	/* Like docker, a template prints nothing for a missing name. */
	if (format != NULL) {
		print_formatted(format, all);
		return status;
	}

	text = json_dumps(all, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
	if (text != NULL)
		printf("%s\n", text);
	return status;
}
